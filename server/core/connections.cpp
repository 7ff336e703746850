#include "connections.h"

#include <herald/protocol.h>

namespace herald {

Conn &Connections::open(Peer *peer, qint64 now, double bucket)
{
    const quint64 id = m_next++;
    Conn c;
    c.id = id;
    c.peer = peer;
    c.openedAt = c.lastSeen = c.bucketAt = now;
    c.bucket = bucket;
    m_unauthed.insert(id);
    return *m_conns.insert(id, c);
}

void Connections::authenticated(Conn &c)
{
    c.authed = true;
    c.authPending = false;
    m_unauthed.remove(c.id);
    m_byUser[c.userId] << c.id;
}

qint64 Connections::remove(quint64 id)
{
    auto it = m_conns.find(id);
    if (it == m_conns.end())
        return 0;
    const qint64 userId = it->authed ? it->userId : 0;
    m_conns.erase(it);
    m_unauthed.remove(id);
    if (userId) {
        auto u = m_byUser.find(userId);
        if (u != m_byUser.end()) {
            u->removeOne(id);
            if (u->isEmpty())
                m_byUser.erase(u);
        }
    }
    return userId;
}

void Connections::close(Conn &c, int code, const QString &reason)
{
    if (c.closing || !c.peer)
        return;
    c.closing = true;
    c.closeCode = code;
    if (code == proto::Close::SlowConsumer)
        ++m_stats.slowConsumerDrops;
    c.peer->close(code, reason);
}

void Connections::toUser(qint64 userId, const QByteArray &frame, quint64 except)
{
    const QList<quint64> *ids = of(userId);
    if (!ids)
        return;
    for (quint64 cid : *ids)
        if (cid != except)
            if (Conn *c = find(cid))
                send(*c, frame);
}

void Connections::toUsers(const QSet<qint64> &users, const QByteArray &frame, quint64 except)
{
    for (qint64 u : users)
        toUser(u, frame, except);
}

} // namespace herald
