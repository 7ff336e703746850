#include "wspeer.h"

#include "core/hub.h"

#include <QTimer>

namespace herald {

WsPeer::WsPeer(std::unique_ptr<QWebSocket> ws, QTcpSocket *tcp, Hub *hub, qint64 outboundCap,
               quint64 maxMessage, QObject *parent)
    : QObject(parent)
    , m_ws(std::move(ws))
    , m_tcp(tcp)
    , m_hub(hub)
    , m_cap(outboundCap)
{
    m_address = m_ws->peerAddress().toString() + QLatin1Char(':') + QString::number(m_ws->peerPort());
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

void WsPeer::start(const QString &bearerToken)
{
    QWebSocket *ws = m_ws.get();
    connect(ws, &QWebSocket::textMessageReceived, this,
            [this](const QString &text) { m_hub->text(m_id, text.toUtf8()); });
    connect(ws, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &) { m_hub->binary(m_id); });
    connect(ws, &QWebSocket::pong, this, [this](quint64, const QByteArray &) { m_hub->activity(m_id); });
    connect(ws, &QWebSocket::disconnected, this, [this] {
        m_closing = true;
        m_hub->closed(m_id);
        deleteLater();
    });
    // Pongs to a ping flood are queued by QWebSocket itself: check the bound on every read too.
    if (m_tcp)
        connect(m_tcp, &QIODevice::readyRead, this, [this] {
            if (m_tcp && m_tcp->bytesToWrite() > m_cap)
                m_hub->slowConsumer(m_id);
        });
    m_id = m_hub->open(this, bearerToken);
    if (!m_tcp)
        return;
    // The front held the socket's signals from the handover until now (FrontServer::upgrade), so
    // that QWebSocket, which reads whatever is buffered the moment it is created, could not take
    // a frame before the limits above were set and the handlers connected.
    m_tcp->setReadBufferSize(0);
    m_tcp->blockSignals(false);
    if (m_tcp->state() != QAbstractSocket::ConnectedState) {
        // It ended meanwhile, unheard: end the peer here.
        QMetaObject::invokeMethod(this, [this] {
            m_closing = true;
            m_hub->closed(m_id);
            deleteLater();
        }, Qt::QueuedConnection);
        return;
    }
    // Frames that came with the handshake are buffered, and no readyRead announces them again.
    if (m_tcp->bytesAvailable() > 0)
        QMetaObject::invokeMethod(m_tcp, &QIODevice::readyRead, Qt::QueuedConnection);
}

void WsPeer::send(const QByteArray &payload)
{
    if (m_closing || !m_tcp)
        return;
    char header[10];
    int n = 2;
    header[0] = static_cast<char>(0x81); // FIN + text
    const quint64 len = static_cast<quint64>(payload.size());
    if (len < 126) {
        header[1] = static_cast<char>(len);
    } else if (len <= 0xFFFF) {
        header[1] = 126;
        header[2] = static_cast<char>(len >> 8);
        header[3] = static_cast<char>(len);
        n = 4;
    } else {
        header[1] = 127;
        for (int i = 0; i < 8; ++i)
            header[2 + i] = static_cast<char>(len >> (56 - 8 * i));
        n = 10;
    }
    m_tcp->write(header, n);
    m_tcp->write(payload);
    if (m_tcp->bytesToWrite() > m_cap)
        m_hub->slowConsumer(m_id);
}

void WsPeer::close(int code, const QString &reason)
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
    if (!m_closing)
        m_ws->ping();
    if (m_tcp && m_tcp->bytesToWrite() > m_cap)
        m_hub->slowConsumer(m_id);
}

} // namespace herald
