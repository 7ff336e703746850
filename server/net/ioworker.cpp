#include "ioworker.h"

#include "iopeer.h"

#include <QMutexLocker>
#include <QPointer>
#include <QTimer>

#include <utility>

namespace herald {

IoWorker::IoWorker(int index, bool batchedSends)
    : m_ring(batchedSends)
{
    m_thread.setObjectName(QStringLiteral("herald-io-%1").arg(index));
    moveToThread(&m_thread);
    m_thread.start();
}

IoWorker::~IoWorker()
{
    shutdown();
}

void IoWorker::enqueue(quint64 peerId, const QByteArray &payload)
{
    push({peerId, payload});
}

void IoWorker::enqueueClose(quint64 peerId, int code, const QString &reason)
{
    push({peerId, reason.toUtf8(), code});
}

void IoWorker::push(Out out)
{
    bool wake = false;
    {
        QMutexLocker lock(&m_mutex);
        m_outbox.push_back(std::move(out));
        wake = !std::exchange(m_wakeScheduled, true);
    }
    if (!wake)
        return;
    // Wake the worker once the caller's current event is done: a fan-out to ten thousand peers
    // is one batch, taken in one wake-up. Woken at once, the worker would take the first few
    // frames, go back to its event loop (a poll over every socket it owns) and be woken again,
    // over and over while the hub is still adding.
    QTimer::singleShot(0, [worker = QPointer<IoWorker>(this)] {
        if (worker)
            QMetaObject::invokeMethod(worker, &IoWorker::drain, Qt::QueuedConnection);
    });
}

void IoWorker::adopt(quint64 peerId, IoPeer *peer)
{
    QMutexLocker lock(&m_mutex);
    m_arriving.insert(peerId, peer);
}

void IoWorker::forget(quint64 peerId)
{
    m_peers.remove(peerId);
    QMutexLocker lock(&m_mutex);
    m_arriving.remove(peerId);
}

void IoWorker::drain()
{
    std::vector<Out> batch;
    {
        // Peers adopted before these frames were queued are known here, even those whose first
        // event on this thread (queued after an earlier wake-up of this drain) has not run yet:
        // a frame for them was dropped as for a peer already gone (a hello lost in a storm).
        QMutexLocker lock(&m_mutex);
        batch.swap(m_outbox);
        m_wakeScheduled = false;
        for (auto it = m_arriving.cbegin(); it != m_arriving.cend(); ++it)
            m_peers.insert(it.key(), it.value());
        m_arriving.clear();
    }
    std::vector<IoPeer *> touched; // none is deleted during this call (peers end by deleteLater)
    for (const Out &out : batch) {
        IoPeer *peer = m_peers.value(out.peer);
        if (!peer)
            continue;
        if (out.closeCode) {
            peer->closeNow(out.closeCode, QString::fromUtf8(out.payload));
            continue;
        }
        peer->write(out.payload);
        if (!peer->m_batched) {
            peer->m_batched = true;
            touched.push_back(peer);
        }
    }
    for (IoPeer *peer : touched)
        peer->m_batched = false;
    m_ring.flush(touched); // one system call for up to SendRing::Entries of them
}

void IoWorker::shutdown()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(
        this,
        [this] {
            drain(); // what the hub handed over last (the 1001 closes follow it)
            const QList<IoPeer *> peers = m_peers.values();
            for (IoPeer *p : peers)
                delete p;
            m_thread.quit();
        },
        Qt::QueuedConnection);
    m_thread.wait();
}

} // namespace herald
