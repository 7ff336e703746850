#pragma once

#include <QByteArray>
#include <QString>

namespace herald {

/** @brief One client connection as the core sees it; the network edge implements it. */
class Peer
{
public:
    virtual ~Peer() = default;
    /** @brief Queues one text frame. The edge enforces the outbound bound and closes (4006). */
    virtual void send(const QByteArray &frame) = 0;
    /** @brief Closes with a WebSocket close code; the edge reports Hub::closed() afterwards. */
    virtual void close(int code, const QString &reason) = 0;
    /** @brief Sends a transport-level ping (its pong counts as activity). */
    virtual void ping() = 0;
    /** @brief Peer address for logs. */
    [[nodiscard]] virtual QString address() const = 0;
};

} // namespace herald
