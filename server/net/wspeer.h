#pragma once

#include "core/peer.h"

#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QWebSocket>

#include <memory>

namespace herald {

class Hub;

/**
 * @brief A WebSocket connection as a Peer. Outgoing frames are framed here and written straight
 * to the TCP socket (server frames are unmasked, so the same payload goes to every peer), and the
 * socket's bytesToWrite() — which also counts QWebSocket's own pong replies — is the outbound
 * queue that the cap applies to.
 */
class WsPeer : public QObject, public Peer
{
    Q_OBJECT
public:
    WsPeer(std::unique_ptr<QWebSocket> ws, QTcpSocket *tcp, Hub *hub, qint64 outboundCap,
           quint64 maxMessage, QObject *parent = nullptr);
    ~WsPeer() override;

    void start(const QString &bearerToken);
    void send(const QByteArray &frame) override;
    void close(int code, const QString &reason) override;
    void ping() override;
    [[nodiscard]] QString address() const override { return m_address; }

private:
    std::unique_ptr<QWebSocket> m_ws;
    QPointer<QTcpSocket> m_tcp;
    Hub *m_hub;
    quint64 m_id = 0;
    qint64 m_cap;
    bool m_closing = false;
    QString m_address;
};

} // namespace herald
