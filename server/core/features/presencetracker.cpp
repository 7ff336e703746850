#include "presencetracker.h"

#include "clusterlink.h"
#include "roomdirectory.h"

#include "core/bus.h"
#include "core/config.h"

#include <QJsonArray>

namespace herald {

using namespace proto;
using namespace feature;

PresenceTracker::PresenceTracker(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(ctx.config.presenceCoalesceMs);
    connect(&m_timer, &QTimer::timeout, this, &PresenceTracker::flush);
}

void PresenceTracker::attachBus(Bus *bus)
{
    m_bus = bus;
    // Everyone's presence: re-announce ours every 10 s (entries expire after 30 s), read all.
    m_remoteTimer.setInterval(2000);
    connect(&m_remoteTimer, &QTimer::timeout, this, [this] {
        if (++m_remoteTicks % 5 == 0)
            announce(true);
        m_bus->readPresence([this](const QList<qint64> &online) {
            const QSet<qint64> now(online.begin(), online.end());
            const QSet<qint64> before = std::exchange(m_remoteOnline, now);
            QSet<qint64> changed = before;
            changed.unite(now);
            for (qint64 id : std::as_const(changed))
                if (before.contains(id) != now.contains(id))
                    update(id);
        });
    });
    m_remoteTimer.start();
}

QString PresenceTracker::statusOf(qint64 userId) const
{
    auto it = m_state.constFind(userId);
    return it == m_state.constEnd() ? s("offline") : it->status;
}

QString PresenceTracker::currentStatus(qint64 userId) const
{
    const QList<quint64> *conns = m_ctx.conns.of(userId);
    if (!conns)
        return m_remoteOnline.contains(userId) ? s("online") : s("offline");
    for (quint64 id : *conns)
        if (m_ctx.conns.find(id) && !m_away.contains(id))
            return s("online");
    return s("away");
}

qint64 PresenceTracker::latestAway(qint64 userId) const
{
    qint64 since = 0;
    if (const QList<quint64> *conns = m_ctx.conns.of(userId))
        for (quint64 id : *conns)
            since = std::max(since, m_away.value(id));
    return since;
}

void PresenceTracker::describe(QJsonObject &entry, qint64 userId) const
{
    const QString status = statusOf(userId);
    entry.insert(key("status"), status);
    if (const qint64 since = awaySince(userId); since > 0 && status == QLatin1String("away"))
        entry.insert(key("since"), since);
}

void PresenceTracker::addOnline(qint64 roomId, int delta)
{
    auto it = m_roomOnline.find(roomId);
    if (it == m_roomOnline.end())
        it = m_roomOnline.insert(roomId, 0);
    *it += delta;
    if (*it == 0)
        m_roomOnline.erase(it);
}

void PresenceTracker::memberJoined(qint64 roomId, qint64 userId)
{
    if (isOn(userId))
        addOnline(roomId, 1);
}

void PresenceTracker::memberLeft(qint64 roomId, qint64 userId)
{
    if (isOn(userId))
        addOnline(roomId, -1);
}

void PresenceTracker::update(qint64 userId)
{
    const RoomDirectory::User *u = m_ctx.directory->user(userId);
    if (!u)
        return;
    const QString before = statusOf(userId);
    const QString after = currentStatus(userId);
    if (before == after)
        return;
    State &st = m_state[userId];
    st.status = after;
    st.awaySince = after == QLatin1String("away") ? latestAway(userId) : 0;
    const bool wasOn = before != QLatin1String("offline");
    const bool isOn = after != QLatin1String("offline");
    if (m_bus) {
        const bool here = m_ctx.conns.isConnected(userId);
        (here ? m_announceOn : m_announceOff).insert(userId);
        (here ? m_announceOff : m_announceOn).remove(userId);
    }
    if (wasOn != isOn) {
        m_onlineCount += isOn ? 1 : -1;
        for (qint64 roomId : u->rooms)
            addOnline(roomId, isOn ? 1 : -1);
    }
    m_dirty.insert(userId);
    if (!m_timer.isActive())
        m_timer.start();
}

int PresenceTracker::onlineCountForHello(quint64 connId)
{
    m_helloCounts.insert(connId, m_onlineCount);
    if (m_onlineCount != m_publishedOnline && !m_timer.isActive())
        m_timer.start();
    return m_onlineCount;
}

void PresenceTracker::connectionClosed(quint64 connId, qint64 userId)
{
    m_away.remove(connId);
    m_helloCounts.remove(connId);
    if (userId)
        update(userId);
}

void PresenceTracker::flush()
{
    // One frame per room with every change since the last flush: a reconnect storm becomes a
    // handful of frames, not one per person per peer.
    QHash<qint64, QJsonArray> changes;
    QHash<qint64, QJsonArray> touched; // every person whose status moved, even back again
    const QSet<qint64> dirty = std::exchange(m_dirty, {});
    for (qint64 userId : dirty) {
        const RoomDirectory::User *u = m_ctx.directory->user(userId);
        auto st = m_state.find(userId);
        if (st == m_state.end())
            continue;
        const bool changed = st->status != st->published;
        st->published = st->status;
        QJsonObject change{{key("user"), u ? u->name : QString()}};
        describe(change, userId);
        if (st->status == QLatin1String("offline"))
            m_state.erase(st); // offline and announced: nothing left to remember
        if (!u)
            continue;
        for (qint64 roomId : u->rooms) {
            touched[roomId].append(change);
            if (changed)
                changes[roomId].append(change);
        }
    }
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        const RoomDirectory::Room *r = m_ctx.directory->room(it.key());
        if (!r)
            continue;
        m_ctx.conns.toUsers(r->members,
                            encode(Type::Presence, {{key("room"), r->name},
                                                    {key("users"), it.value()},
                                                    {key("online"), roomOnline(r->id)}}));
    }
    if (m_bus) {
        m_ctx.cluster->refreshSubscriptions();
        announce(false);
    }
    const QHash<quint64, int> greeted = std::exchange(m_helloCounts, {});
    // A connection greeted since the last flush got the rooms as they were then: someone who
    // went offline and came back meanwhile changed nothing for the others, but its hello counted
    // them out.
    for (auto it = greeted.begin(); it != greeted.end(); ++it) {
        Conn *c = m_ctx.conns.find(it.key());
        const RoomDirectory::User *u = c && c->authed ? m_ctx.directory->user(c->userId) : nullptr;
        if (!u)
            continue;
        for (qint64 roomId : u->rooms)
            if (touched.contains(roomId) && !changes.contains(roomId))
                if (const RoomDirectory::Room *r = m_ctx.directory->room(roomId))
                    m_ctx.conns.send(*c,
                                     encode(Type::Presence, {{key("room"), r->name},
                                                             {key("users"), touched.value(roomId)},
                                                             {key("online"), roomOnline(roomId)}}));
    }
    const QByteArray frame = encode(Type::Online, {{key("count"), m_onlineCount}});
    if (m_onlineCount != m_publishedOnline) {
        m_publishedOnline = m_onlineCount;
        m_ctx.conns.forEach([&](Conn &c) {
            if (c.authed)
                m_ctx.conns.send(c, frame);
        });
    } else {
        // The count came back to what everyone has; a connection greeted meanwhile with another
        // count would keep that one.
        for (auto it = greeted.begin(); it != greeted.end(); ++it)
            if (it.value() != m_onlineCount)
                if (Conn *c = m_ctx.conns.find(it.key()); c && c->authed)
                    m_ctx.conns.send(*c, frame);
    }
}

void PresenceTracker::announce(bool everyone)
{
    QList<qint64> on;
    if (everyone)
        on = m_ctx.conns.users();
    else
        on = QList<qint64>(m_announceOn.begin(), m_announceOn.end());
    const QList<qint64> off(m_announceOff.begin(), m_announceOff.end());
    m_announceOn.clear();
    m_announceOff.clear();
    if (!on.isEmpty() || !off.isEmpty())
        m_bus->announcePresence(on, off, 30);
}

void PresenceTracker::onPresenceSet(Conn &c, const Frame &f)
{
    const QString status = f.str(key("status"));
    if (status != QLatin1String("online") && status != QLatin1String("away"))
        return m_ctx.conns.send(
            c, error(f.id(), s(Err::BadValue), s("status must be online or away"), s("status")));
    // How long the person has been idle, by the client's count (no clock of the client's is
    // compared with ours): the server makes it a moment, "away since".
    constexpr qint64 IdleMaxMs = 7LL * 24 * 3600 * 1000;
    const qint64 idle = f.integer(key("idle"));
    if (idle < 0 || idle > IdleMaxMs)
        return m_ctx.conns.send(
            c, error(f.id(), s(Err::BadValue), s("idle must be 0 to 604800000 ms"), s("idle")));
    if (status == QLatin1String("away"))
        m_away.insert(c.id, now() - idle);
    else
        m_away.remove(c.id);
    update(c.userId);
    if (!f.id().isUndefined())
        m_ctx.conns.send(c, result(f.id()));
}

} // namespace herald
