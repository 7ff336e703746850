#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>

#include <functional>

namespace herald {

/**
 * @brief Fan-out between nodes (cluster mode). A single node runs without one: the hub then
 * delivers only to its own connections, which is everything. The bus is at-most-once: the hub
 * never relies on it for correctness, only for speed (see Hub's cursors and gap fill).
 */
class Bus : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void start() = 0;
    [[nodiscard]] virtual bool isUp() const = 0;
    virtual void publish(const QByteArray &channel, const QByteArray &payload) = 0;
    virtual void subscribe(const QByteArray &channel) = 0;
    virtual void unsubscribe(const QByteArray &channel) = 0;

    /** @brief Announces this node's online people (entries expire after ttlSeconds unless
     *  announced again), and reads everyone's: user id -> online on some node. */
    virtual void announcePresence(const QList<qint64> &online, const QList<qint64> &offline,
                                  int ttlSeconds) = 0;
    virtual void readPresence(std::function<void(const QList<qint64> &onlineUsers)> done) = 0;

Q_SIGNALS:
    void received(const QByteArray &channel, const QByteArray &payload);
    /** @brief (Re)connected: whatever was published meanwhile may be lost, so resync. */
    void up();
    void down();
};

} // namespace herald
