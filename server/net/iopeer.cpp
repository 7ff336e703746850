#include "iopeer.h"

#include "core/hub.h"
#include "ioworker.h"

namespace herald {

IoPeer::~IoPeer()
{
    if (m_worker)
        m_worker->forget(m_id);
}

void IoPeer::attach()
{
    if (m_worker)
        m_worker->adopt(m_id, this);
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

} // namespace herald
