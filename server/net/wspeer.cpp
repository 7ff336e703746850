#include "wspeer.h"

#include "core/hub.h"
#include "ioworker.h"
#include "wsframes.h"

#include <QThread>
#include <QTimer>

namespace herald {

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
    attach(); // frames the hub queues from now on reach it, even before run() runs over there
    QMetaObject::invokeMethod(this, &WsPeer::run, Qt::QueuedConnection);
}

void WsPeer::run()
{
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
