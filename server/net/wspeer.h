#pragma once

#include "iopeer.h"

#include <QPointer>
#include <QTcpSocket>
#include <QWebSocket>

#include <memory>

namespace herald {

/**
 * @brief A WebSocket connection over TLS, through QWebSocket (plain connections are FdPeers).
 * Outgoing frames are framed here and written straight
 * to the TCP socket (server frames are unmasked, so the same payload goes to every peer), and the
 * socket's bytesToWrite() — which also counts QWebSocket's own pong replies — is the outbound
 * queue that the cap applies to.
 */
class WsPeer : public IoPeer
{
    Q_OBJECT
public:
    WsPeer(std::unique_ptr<QWebSocket> ws, QTcpSocket *tcp, Hub *hub, qint64 outboundCap,
           quint64 maxMessage, QObject *parent = nullptr);
    ~WsPeer() override;

    /** @brief Registers with the hub and starts reading; with a worker, the connection moves to
     *  that worker's thread first (call on the main thread). */
    void start(const QString &bearerToken, IoWorker *worker = nullptr);
    void send(const QByteArray &frame) override;
    void close(int code, const QString &reason) override;
    void ping() override;
    [[nodiscard]] QString address() const override { return m_address; }

    void write(const QByteArray &frame) override;

private:
    void run();
    void closeNow(int code, const QString &reason) override;

    std::unique_ptr<QWebSocket> m_ws;
    QPointer<QTcpSocket> m_tcp;
    qint64 m_cap;
    bool m_closing = false; // connection's own thread only
    bool m_ended = false;
    QString m_address;
};

} // namespace herald
