#pragma once

#include "hubstats.h"
#include "peer.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>

namespace herald {

/**
 * @brief One open connection as the connection table keeps it: its peer, who it is once
 * authenticated, and the frame intake's own state (rate bucket, frames waiting for auth).
 * What a feature keeps about a connection lives with that feature, keyed by the id.
 */
struct Conn
{
    quint64 id = 0;
    Peer *peer = nullptr;
    qint64 userId = 0; // set when the token checked out
    bool authed = false;
    bool authPending = false; // a token is being checked: frames wait in `early`
    bool closing = false;
    int closeCode = 0; // the code the server closed it with (0: the client or the network did)
    qint64 openedAt = 0;
    qint64 lastSeen = 0;
    double bucket = 0;
    qint64 bucketAt = 0;
    int badFrames = 0;
    int rateStrikes = 0;
    QList<QByteArray> early; // frames received while auth is being checked
};

/**
 * @brief The connection table: every open connection by id, and each person's authenticated
 * connections. Sending goes through here, so that a closed connection is never written to.
 */
class Connections
{
public:
    explicit Connections(HubStats &stats)
        : m_stats(stats)
    {
    }

    [[nodiscard]] Conn *find(quint64 id)
    {
        auto it = m_conns.find(id);
        return it == m_conns.end() ? nullptr : &*it;
    }
    [[nodiscard]] const Conn *find(quint64 id) const
    {
        auto it = m_conns.constFind(id);
        return it == m_conns.constEnd() ? nullptr : &*it;
    }
    /** @brief A person's authenticated connections here, or null when there are none. */
    [[nodiscard]] const QList<quint64> *of(qint64 userId) const
    {
        auto it = m_byUser.constFind(userId);
        return it == m_byUser.constEnd() ? nullptr : &*it;
    }
    [[nodiscard]] bool isConnected(qint64 userId) const { return m_byUser.contains(userId); }
    /** @brief The people with at least one authenticated connection here. */
    [[nodiscard]] QList<qint64> users() const { return m_byUser.keys(); }
    [[nodiscard]] int count(qint64 userId) const
    {
        const QList<quint64> *ids = of(userId);
        return ids ? static_cast<int>(ids->size()) : 0;
    }
    [[nodiscard]] int size() const { return static_cast<int>(m_conns.size()); }
    [[nodiscard]] QList<quint64> ids() const { return m_conns.keys(); }
    [[nodiscard]] const QSet<quint64> &unauthenticated() const { return m_unauthed; }
    template<typename F> void forEach(F &&f)
    {
        for (Conn &c : m_conns)
            f(c);
    }

    /** @brief A new, not yet authenticated connection. */
    Conn &open(Peer *peer, qint64 now, double bucket);
    /** @brief The connection's token checked out: it joins its person's connections. */
    void authenticated(Conn &c);
    /** @brief Forgets a connection; returns its person when it was authenticated, else 0. */
    qint64 remove(quint64 id);

    /** @brief Queues one frame (nothing once the connection is closing). */
    void send(Conn &c, const QByteArray &frame)
    {
        if (!c.peer || c.closing)
            return;
        ++m_stats.framesOut;
        c.peer->send(frame);
    }
    void close(Conn &c, int code, const QString &reason);
    /** @brief The same bytes to every connection of a person (but `except`). */
    void toUser(qint64 userId, const QByteArray &frame, quint64 except = 0);
    void toUsers(const QSet<qint64> &users, const QByteArray &frame, quint64 except = 0);

private:
    HubStats &m_stats;
    QHash<quint64, Conn> m_conns;
    QHash<qint64, QList<quint64>> m_byUser; // only people with a connection
    QSet<quint64> m_unauthed;
    quint64 m_next = 1;
};

} // namespace herald
