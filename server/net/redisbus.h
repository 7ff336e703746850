#pragma once

#include "core/bus.h"
#include "redisclient.h"

#include <QTimer>

namespace herald {

/**
 * @brief The Bus on Redis: Pub/Sub for events (one connection subscribes, another publishes),
 * and presence in a sorted set scored by expiry time, cleaned and read by a small Lua script.
 */
class RedisBus : public Bus
{
    Q_OBJECT
public:
    RedisBus(const QString &host, quint16 port, QByteArray nodeId, QObject *parent = nullptr);
    void start() override;
    [[nodiscard]] bool isUp() const override
    {
        return m_commands.isConnected() && m_subscriber.isConnected();
    }
    void publish(const QByteArray &channel, const QByteArray &payload) override;
    void subscribe(const QByteArray &channel) override { m_subscriber.subscribe(channel); }
    void unsubscribe(const QByteArray &channel) override { m_subscriber.unsubscribe(channel); }
    void announcePresence(const QList<qint64> &online, const QList<qint64> &offline,
                          int ttlSeconds) override;
    void readPresence(std::function<void(const QList<qint64> &)> done) override;

    /** @brief Test switch: drop every Nth publish (0: none), to prove the gap fill. */
    void setDropEveryNth(int n) { m_dropEvery = n; }

private:
    void checkUp();

    RedisClient m_commands;
    RedisClient m_subscriber;
    QByteArray m_node;
    QByteArray m_heartbeat;
    QTimer m_beat;
    bool m_wasUp = false;
    int m_dropEvery = 0;
    quint64 m_published = 0;
};

} // namespace herald
