#include "wspeer.h"

#include "core/hub.h"
#include "wsframes.h"

#include <QTimer>

namespace herald {

IoWorker::IoWorker(int index)
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

void IoWorker::drain()
{
    std::vector<Out> batch;
    {
        QMutexLocker lock(&m_mutex);
        batch.swap(m_outbox);
        m_wakeScheduled = false;
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
    for (IoPeer *peer : touched) {
        peer->m_batched = false;
        peer->flush();
    }
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

IoPeer::~IoPeer()
{
    if (m_worker)
        m_worker->m_peers.remove(m_id);
}

void IoPeer::attach()
{
    if (m_worker)
        m_worker->m_peers.insert(m_id, this);
}

void IoPeer::sendVia(const QByteArray &payload)
{
    if (!m_worker) {
        write(payload);
        return flush();
    }
    m_worker->enqueue(m_id, payload); // written on the connection's own thread
}

void IoPeer::closeVia(int code, const QString &reason)
{
    if (!m_worker)
        return closeNow(code, reason);
    m_worker->enqueueClose(m_id, code, reason);
}

void IoPeer::reportClosed()
{
    if (!m_worker) {
        m_hub->closed(m_id);
        deleteLater();
        return;
    }
    // The hub forgets the peer first (no more sends), then the peer is deleted here.
    QMetaObject::invokeMethod(
        m_hub,
        [hub = m_hub, id = m_id, self = this] {
            hub->closed(id);
            self->deleteLater();
        },
        Qt::QueuedConnection);
}

void IoPeer::toHub(std::function<void(Hub *)> call)
{
    if (!m_worker)
        return call(m_hub);
    QMetaObject::invokeMethod(
        m_hub, [hub = m_hub, call] { call(hub); }, Qt::QueuedConnection);
}

WsPeer::WsPeer(std::unique_ptr<QWebSocket> ws, QTcpSocket *tcp, Hub *hub, qint64 outboundCap,
               quint64 maxMessage, QObject *parent)
    : IoPeer(parent)
    , m_ws(std::move(ws))
    , m_tcp(tcp)
    , m_cap(outboundCap)
{
    m_hub = hub;
    m_address =
        m_ws->peerAddress().toString() + QLatin1Char(':') + QString::number(m_ws->peerPort());
    // Nothing is buffered past the cap: QWebSocket closes with 1009 at once.
    m_ws->setMaxAllowedIncomingFrameSize(maxMessage);
    m_ws->setMaxAllowedIncomingMessageSize(maxMessage);
}

WsPeer::~WsPeer()
{
    if (m_ws)
        m_ws->disconnect(this);
    if (m_tcp)
        m_tcp->deleteLater();
}

void WsPeer::start(const QString &bearerToken, IoWorker *worker)
{
    m_id = m_hub->open(this, bearerToken);
    if (!worker)
        return run();
    // Hand the connection to its network thread: the QWebSocket, its TCP socket (with the
    // front's timers under it) and this object all move; run() continues over there.
    m_worker = worker;
    if (m_tcp) {
        m_tcp->setParent(nullptr);
        m_tcp->moveToThread(worker->thread());
    }
    m_ws->moveToThread(worker->thread());
    moveToThread(worker->thread());
    QMetaObject::invokeMethod(this, &WsPeer::run, Qt::QueuedConnection);
}

void WsPeer::run()
{
    attach();
    QWebSocket *ws = m_ws.get();
    const quint64 id = m_id;
    connect(ws, &QWebSocket::textMessageReceived, this, [this, id](const QString &text) {
        toHub([id, bytes = text.toUtf8()](Hub *h) { h->text(id, bytes); });
    });
    connect(ws, &QWebSocket::binaryMessageReceived, this,
            [this, id](const QByteArray &) { toHub([id](Hub *h) { h->binary(id); }); });
    connect(ws, &QWebSocket::pong, this,
            [this, id](quint64, const QByteArray &) { toHub([id](Hub *h) { h->activity(id); }); });
    auto gone = [this] {
        if (m_ended)
            return;
        m_ended = true;
        m_closing = true;
        reportClosed();
    };
    connect(ws, &QWebSocket::disconnected, this, gone);
    // Pongs to a ping flood are queued by QWebSocket itself: check the bound on every read too.
    if (m_tcp)
        connect(m_tcp, &QIODevice::readyRead, this, [this, id] {
            if (m_tcp && m_tcp->bytesToWrite() > m_cap)
                toHub([id](Hub *h) { h->slowConsumer(id); });
        });
    if (!m_tcp)
        return;
    // The front held the socket's signals from the handover until now (FrontServer::upgrade), so
    // that QWebSocket, which reads whatever is buffered the moment it is created, could not take
    // a frame before the limits above were set and the handlers connected.
    m_tcp->setReadBufferSize(0);
    m_tcp->blockSignals(false);
    if (m_tcp->state() != QAbstractSocket::ConnectedState) {
        // It ended meanwhile, unheard: end the peer here.
        QMetaObject::invokeMethod(this, gone, Qt::QueuedConnection);
        return;
    }
    // Frames that came with the handshake are buffered, and no readyRead announces them again.
    if (m_tcp->bytesAvailable() > 0)
        QMetaObject::invokeMethod(m_tcp, &QIODevice::readyRead, Qt::QueuedConnection);
}

void WsPeer::send(const QByteArray &payload)
{
    sendVia(payload);
}

void WsPeer::write(const QByteArray &payload)
{
    if (m_closing || !m_tcp)
        return;
    char header[10];
    const int n = ws::frameHeader(header, ws::Text, static_cast<quint64>(payload.size()));
    m_tcp->write(header, n);
    m_tcp->write(payload);
    if (m_tcp->bytesToWrite() > m_cap) {
        const quint64 id = m_id;
        toHub([id](Hub *h) { h->slowConsumer(id); });
    }
}

void WsPeer::close(int code, const QString &reason)
{
    closeVia(code, reason);
}

void WsPeer::closeNow(int code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    const bool backlogged = m_tcp && m_tcp->bytesToWrite() > m_cap;
    m_ws->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
    // A peer that does not read would never see the close frame behind its backlog: cut it off.
    QPointer<QTcpSocket> tcp = m_tcp;
    QTimer::singleShot(backlogged ? 0 : 2000, this, [tcp] {
        if (tcp)
            tcp->abort();
    });
}

void WsPeer::ping()
{
    if (m_worker && QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(this, &WsPeer::ping, Qt::QueuedConnection);
        return;
    }
    if (!m_closing)
        m_ws->ping();
    if (m_tcp && m_tcp->bytesToWrite() > m_cap) {
        const quint64 id = m_id;
        toHub([id](Hub *h) { h->slowConsumer(id); });
    }
}

} // namespace herald
