#include "redisbus.h"

#include <QDateTime>

namespace herald {

namespace {
const QByteArray PresenceKey = QByteArrayLiteral("herald:presence");
// Drops expired entries, then returns the distinct user ids still online on some node.
// Members are "<user>|<node>", scored by their expiry time in ms.
const QByteArray ReadPresence =
    QByteArrayLiteral("redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])\n"
                      "local seen, out = {}, {}\n"
                      "for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do\n"
                      "  local u = string.match(m, '^(%d+)|')\n"
                      "  if u and not seen[u] then seen[u] = true; out[#out + 1] = u end\n"
                      "end\n"
                      "return out\n");
} // namespace

RedisBus::RedisBus(const QString &host, quint16 port, QByteArray nodeId, QObject *parent)
    : Bus(parent)
    , m_commands(host, port)
    , m_subscriber(host, port)
    , m_node(std::move(nodeId))
    , m_heartbeat("herald:hb:" + m_node)
{
    connect(&m_subscriber, &RedisClient::message, this,
            [this](const QByteArray &channel, const QByteArray &payload) {
                if (channel != m_heartbeat)
                    Q_EMIT received(channel, payload);
            });
    connect(&m_commands, &RedisClient::connected, this, &RedisBus::checkUp);
    connect(&m_subscriber, &RedisClient::connected, this, &RedisBus::checkUp);
    connect(&m_commands, &RedisClient::disconnected, this, &RedisBus::checkUp);
    connect(&m_subscriber, &RedisClient::disconnected, this, &RedisBus::checkUp);
    // The subscriber must hear our own heartbeat: a silent subscription is a dead one.
    m_subscriber.subscribe(m_heartbeat);
    m_subscriber.setSilenceTimeout(6000);
    m_beat.setInterval(1500);
    connect(&m_beat, &QTimer::timeout, this, [this] {
        m_commands.command({QByteArrayLiteral("PUBLISH"), m_heartbeat, QByteArrayLiteral("1")});
    });
}

void RedisBus::start()
{
    m_commands.start();
    m_subscriber.start();
    m_beat.start();
}

void RedisBus::checkUp()
{
    const bool nowUp = isUp();
    if (nowUp == m_wasUp)
        return;
    m_wasUp = nowUp;
    if (nowUp)
        Q_EMIT up();
    else
        Q_EMIT down();
}

void RedisBus::publish(const QByteArray &channel, const QByteArray &payload)
{
    if (m_dropEvery > 0 && ++m_published % static_cast<quint64>(m_dropEvery) == 0)
        return;
    m_commands.command({QByteArrayLiteral("PUBLISH"), channel, payload});
}

void RedisBus::announcePresence(const QList<qint64> &online, const QList<qint64> &offline,
                                int ttlSeconds)
{
    if (!online.isEmpty()) {
        const QByteArray expiry =
            QByteArray::number(QDateTime::currentMSecsSinceEpoch() + ttlSeconds * 1000LL);
        QList<QByteArray> args{QByteArrayLiteral("ZADD"), PresenceKey};
        for (qint64 u : online)
            args << expiry << QByteArray::number(u) + '|' + m_node;
        m_commands.command(args);
    }
    if (!offline.isEmpty()) {
        QList<QByteArray> args{QByteArrayLiteral("ZREM"), PresenceKey};
        for (qint64 u : offline)
            args << QByteArray::number(u) + '|' + m_node;
        m_commands.command(args);
    }
}

void RedisBus::readPresence(std::function<void(const QList<qint64> &)> done)
{
    m_commands.command({QByteArrayLiteral("EVAL"), ReadPresence, QByteArrayLiteral("1"),
                        PresenceKey, QByteArray::number(QDateTime::currentMSecsSinceEpoch())},
                       [done](const QVariant &reply, bool ok) {
                           if (!ok)
                               return; // keep the last known view
                           QList<qint64> users;
                           for (const QVariant &v : reply.toList())
                               users << v.toByteArray().toLongLong();
                           done(users);
                       });
}

} // namespace herald
