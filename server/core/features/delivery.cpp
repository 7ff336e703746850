#include "delivery.h"

#include "core/wire.h"

#include "clusterlink.h"
#include "roomdirectory.h"

#include "core/config.h"

#include <QJsonDocument>
#include <QTimer>

namespace herald {

using namespace proto;
using namespace feature;

namespace {
constexpr int ResumeRoomLimit = 1000;
constexpr int ResumeNotificationLimit = 1000;
constexpr int ResumeChangeLimit = 1000;
constexpr int HelloHoldMs = 1000; // live frames wait this long after hello for a resume

/** @brief What a resume fetches from storage. */
struct Backlog
{
    struct Room
    {
        qint64 id = 0;
        qint64 after = 0;
        MessagePage messages;
    };
    QList<Room> rooms;
    NotificationPage notifications;
    qint64 unread = 0;
    QList<NotificationRow> changes; ///< notifications the device has, changed since it saw them
    qint64 lastChange = 0;
    QHash<qint64, ReadMark> reads; ///< the person's read positions, by room id
};

/** @brief Unread counts of the people connected to this node, after a retraction. */
struct UnreadCounts
{
    QHash<qint64, qint64> byUser;
};

/** @brief The gap fill of notifications: everyone's rows past the cursor, and the newest id. */
struct NotificationBacklog
{
    QHash<qint64, QList<NotificationRow>> perUser;
    qint64 max = 0;
};
} // namespace

Delivery::Delivery(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
}

// ------------------------------------------------------------------ streams in order

void Delivery::roomEvent(qint64 roomId, qint64 seq, const QByteArray &frame)
{
    auto cursor = m_roomSeq.find(roomId);
    const RoomDirectory::Room *room = m_ctx.directory->room(roomId);
    const bool clustered = m_ctx.cluster->clustered();
    if (cursor == m_roomSeq.end() || !room) {
        if (clustered)
            m_ctx.reload({}, false); // a room this node has not heard of yet
        return;
    }
    if (seq <= *cursor)
        return; // already delivered (our own message, or filled from storage)
    if (seq == *cursor + 1 || !clustered) {
        *cursor = seq;
        deliverMessage(roomId, room->members, seq, frame);
        return;
    }
    // A gap: an earlier message (another node's, or a lost publish) is committed but not here
    // yet. Everything up to this one is in storage, in order.
    fillRoom(roomId);
}

void Delivery::deliverMessage(qint64 roomId, const QSet<qint64> &members, qint64 seq,
                              const QByteArray &frame)
{
    Connections &conns = m_ctx.conns;
    const bool someHold = !m_roomHolds.isEmpty() && m_roomHolds.contains(roomId);
    for (qint64 m : members) {
        const QList<quint64> *ids = conns.of(m);
        if (!ids)
            continue;
        for (quint64 cid : *ids) {
            Conn *c = conns.find(cid);
            if (!c)
                continue;
            if (someHold) {
                auto h = m_held.find(cid);
                if (h != m_held.end()) {
                    auto r = h->rooms.find(roomId);
                    if (r != h->rooms.end()) {
                        r->append(Held{seq, frame});
                        continue;
                    }
                }
            }
            conns.send(*c, frame);
        }
    }
}

void Delivery::fillRoom(qint64 roomId)
{
    if (m_filling.contains(roomId)) {
        m_refill.insert(roomId);
        return;
    }
    if (!hasRoom(roomId))
        return;
    m_filling.insert(roomId);
    const qint64 after = roomCursor(roomId);
    m_ctx.db.run<MessagePage>(
        [roomId, after](Store &st) {
            MessagePage p;
            p.rows = st.roomStream(roomId, after, 500, &p.more);
            return p;
        },
        this,
        [this, roomId](StoreResult<MessagePage> r) {
            m_filling.remove(roomId);
            auto cursor = m_roomSeq.find(roomId);
            const RoomDirectory::Room *room = m_ctx.directory->room(roomId);
            if (cursor == m_roomSeq.end() || !room)
                return;
            const MessagePage *page = std::get_if<MessagePage>(&r);
            for (const MessageRow &m : page ? page->rows : QList<MessageRow>()) {
                if (m.seq != *cursor + 1)
                    continue;
                *cursor = m.seq;
                deliverMessage(roomId, room->members, m.seq, wire::messageFrame(m));
            }
            if ((page && page->more) || m_refill.remove(roomId))
                fillRoom(roomId);
        });
}

void Delivery::notificationEvent(qint64 id, const QList<qint64> &users, const QByteArray &frame)
{
    if (m_ctx.cluster->clustered()) {
        if (id <= m_notifCursor)
            return;
        if (id != m_notifCursor + 1)
            return fillNotifications();
    }
    m_notifCursor = std::max(m_notifCursor, id);
    for (qint64 userId : users)
        deliverNotification(userId, id, frame);
}

void Delivery::notificationChanged(const QList<qint64> &users, const QByteArray &frame,
                                   bool recount)
{
    QList<qint64> here;
    for (qint64 userId : users)
        if (m_ctx.conns.of(userId)) {
            m_ctx.conns.toUser(userId, frame);
            here << userId;
        }
    if (!recount || here.isEmpty())
        return;
    // Their unread counts changed (a retraction): one storage job for everyone connected here.
    m_ctx.db.run<UnreadCounts>(
        [here](Store &st) {
            UnreadCounts counts;
            const qint64 t = now();
            for (qint64 userId : here)
                counts.byUser.insert(userId, st.unreadCount(userId, t));
            return counts;
        },
        this,
        [this](StoreResult<UnreadCounts> r) {
            const UnreadCounts *counts = std::get_if<UnreadCounts>(&r);
            if (!counts)
                return;
            for (auto it = counts->byUser.begin(); it != counts->byUser.end(); ++it)
                m_ctx.conns.toUser(it.key(),
                                   encode(Type::NotifUnread, {{key("count"), it.value()}}));
        });
}

void Delivery::deliverNotification(qint64 userId, qint64 id, const QByteArray &frame)
{
    Connections &conns = m_ctx.conns;
    const QList<quint64> *ids = conns.of(userId);
    if (!ids)
        return;
    for (quint64 cid : *ids) {
        Conn *c = conns.find(cid);
        if (!c)
            continue;
        if (m_notificationHolds) {
            auto h = m_held.find(cid);
            if (h != m_held.end() && h->notifications) {
                h->notificationFrames.append(Held{id, frame});
                continue;
            }
        }
        conns.send(*c, frame);
        ++m_ctx.stats.notificationsDelivered;
    }
}

void Delivery::fillNotifications()
{
    if (m_notifFilling) {
        m_notifRefill = true;
        return;
    }
    m_notifFilling = true;
    const QList<qint64> connected = m_ctx.conns.users();
    const QSet<qint64> local(connected.begin(), connected.end());
    const qint64 after = m_notifCursor;
    m_ctx.db.run<NotificationBacklog>(
        [local, after](Store &st) {
            NotificationBacklog b;
            // The newest id first, then the rows up to it: ids are handed out in commit order,
            // so everything up to `max` is committed, and one committed after this read comes
            // by the bus or the next fill (read the other way round, it was skipped for good).
            b.max = st.maxNotificationId();
            b.perUser = st.notificationsSince(after, local, now(), 1000, b.max);
            return b;
        },
        this,
        [this, after](StoreResult<NotificationBacklog> r) {
            m_notifFilling = false;
            if (m_notifCursor != after) {
                fillNotifications(); // moved meanwhile: read again from the new position
                return;
            }
            const NotificationBacklog *b = std::get_if<NotificationBacklog>(&r);
            if (b) {
                for (auto it = b->perUser.begin(); it != b->perUser.end(); ++it)
                    for (const NotificationRow &n : it.value())
                        deliverNotification(
                            it.key(), n.id,
                            encode(Type::Notification, {{key("notification"), wire::toJson(n)}}));
                m_notifCursor = std::max(m_notifCursor, b->max);
            }
            if (std::exchange(m_notifRefill, false))
                fillNotifications();
        });
}

// ------------------------------------------------------------------ holding and resume

void Delivery::holdRoom(Holding &h, qint64 roomId)
{
    if (h.rooms.contains(roomId))
        return;
    h.rooms.insert(roomId, {});
    ++m_roomHolds[roomId];
}

QList<Delivery::Held> Delivery::takeRoom(Holding &h, qint64 roomId)
{
    auto it = h.rooms.find(roomId);
    if (it == h.rooms.end())
        return {};
    QList<Held> held = std::move(*it);
    h.rooms.erase(it);
    auto n = m_roomHolds.find(roomId);
    if (n != m_roomHolds.end() && --*n <= 0)
        m_roomHolds.erase(n);
    return held;
}

void Delivery::holdNotifications(Holding &h, bool hold)
{
    if (h.notifications == hold)
        return;
    h.notifications = hold;
    m_notificationHolds += hold ? 1 : -1;
}

QList<Delivery::Held> Delivery::takeNotifications(Holding &h)
{
    holdNotifications(h, false);
    return std::exchange(h.notificationFrames, {});
}

void Delivery::tidy(quint64 connId)
{
    auto it = m_held.find(connId);
    if (it != m_held.end() && it->rooms.isEmpty() && !it->notifications && !it->sinceHello &&
        it->notificationFrames.isEmpty())
        m_held.erase(it);
}

void Delivery::connectionClosed(quint64 connId)
{
    auto it = m_held.find(connId);
    if (it == m_held.end())
        return;
    for (qint64 roomId : it->rooms.keys())
        takeRoom(*it, roomId);
    holdNotifications(*it, false);
    m_held.erase(it);
}

void Delivery::holdSinceHello(quint64 connId, const QSet<qint64> &rooms)
{
    // A reconnecting client sends resume right after hello. Until its first frame (or
    // HelloHoldMs), live messages and notifications wait, so that they come after what the
    // resume fetches, in order and once, not ahead of it.
    Holding &h = m_held[connId];
    h.sinceHello = true;
    holdNotifications(h, true);
    for (qint64 roomId : rooms)
        holdRoom(h, roomId);
    QTimer::singleShot(HelloHoldMs, this, [this, connId] {
        Conn *c = m_ctx.conns.find(connId);
        auto h = m_held.find(connId);
        if (c && h != m_held.end() && h->sinceHello)
            release(*c, *h);
    });
}

void Delivery::firstFrame(quint64 connId, bool isResume)
{
    auto h = m_held.find(connId);
    Conn *c = m_ctx.conns.find(connId);
    if (c && h != m_held.end() && h->sinceHello && !isResume)
        release(*c, *h);
}

void Delivery::release(Conn &c, Holding &h)
{
    h.sinceHello = false;
    for (qint64 roomId : h.rooms.keys())
        for (const Held &held : takeRoom(h, roomId))
            m_ctx.conns.send(c, held.frame);
    for (const Held &held : takeNotifications(h)) {
        m_ctx.conns.send(c, held.frame);
        ++m_ctx.stats.notificationsDelivered;
    }
    tidy(c.id);
}

void Delivery::onResume(Conn &c, const Frame &f)
{
    Holding &h = m_held[c.id];
    const QJsonObject want = f.body.value(key("rooms")).toObject();
    QList<std::pair<qint64, qint64>> rooms; // room id, after
    for (auto it = want.begin(); it != want.end(); ++it) {
        const RoomDirectory::Room *room = m_ctx.directory->roomByName(it.key());
        if (!room || !room->members.contains(c.userId))
            continue; // left or removed meanwhile: nothing to resume there
        // The decoder let through integers within 0..2^53-1 only; converted checked all the same.
        rooms.append({room->id, toSafeInteger(it.value()).value_or(0)});
        holdRoom(h, room->id); // held since hello: those frames stay held
    }
    const bool notifs = f.has(key("notifications"));
    if (h.sinceHello) {
        h.sinceHello = false;
        // Rooms the resume does not ask for get what was held for them now.
        for (qint64 roomId : h.rooms.keys()) {
            if (std::any_of(rooms.begin(), rooms.end(),
                            [&](const auto &r) { return r.first == roomId; }))
                continue;
            for (const Held &held : takeRoom(h, roomId))
                m_ctx.conns.send(c, held.frame);
        }
        if (!notifs)
            for (const Held &held : takeNotifications(h)) {
                m_ctx.conns.send(c, held.frame);
                ++m_ctx.stats.notificationsDelivered;
            }
    }
    const qint64 notifAfter = f.integer(key("notifications"));
    const bool changes = f.has(key("notifChanges"));
    const qint64 changesAfter = f.integer(key("notifChanges"));
    if (notifs)
        holdNotifications(h, true);
    tidy(c.id);
    const qint64 userId = c.userId;
    const quint64 connId = c.id;
    const QJsonValue id = f.id();
    m_ctx.db.run<Backlog>(
        [=](Store &st) {
            Backlog b;
            for (const auto &[roomId, after] : rooms) {
                Backlog::Room r{roomId, after, {}};
                r.messages.rows = st.roomStream(roomId, after, ResumeRoomLimit, &r.messages.more);
                b.rooms << r;
            }
            if (!rooms.isEmpty())
                b.reads = st.readMarks(userId);
            if (changes) {
                // The newest change number first: a change committed after it comes live (or
                // with the next resume), and applying one twice is harmless (full state).
                b.lastChange = st.lastNotificationChange();
                b.changes = st.notificationChangesFor(
                    userId, changesAfter, notifs ? notifAfter : MaxSafeInteger, ResumeChangeLimit);
            }
            if (notifs) {
                const qint64 t = now();
                b.notifications.rows =
                    st.notifications(userId, 0, notifAfter, ResumeNotificationLimit, false, t,
                                     &b.notifications.more, true);
                b.unread = st.unreadCount(userId, t);
            }
            return b;
        },
        this,
        [=, this](StoreResult<Backlog> r) {
            Conn *c = m_ctx.conns.find(connId);
            if (!c)
                return;
            // A failed fetch answers with no cursors, as if nothing had been asked.
            const Backlog *fetched = std::get_if<Backlog>(&r);
            const Backlog b = fetched ? *fetched : Backlog();
            Holding &h = m_held[connId];
            // What was missed goes out first, then the live frames held meanwhile (without what
            // was just sent). A byte budget keeps a long absence from overflowing the outbound
            // queue: past it a stream is "truncated" and the client pages the rest with history.
            qint64 budget = m_ctx.config.outboundQueueBytes / 2;
            auto drain = [&](const auto &page, const QList<Held> &held, qint64 after,
                             auto &&frameOf) -> std::pair<qint64, bool> {
                qint64 last = after;
                bool truncated = page.more;
                for (const auto &row : page.rows) {
                    if (budget <= 0) {
                        truncated = true;
                        break;
                    }
                    const auto [position, frame] = frameOf(row);
                    budget -= frame.size();
                    m_ctx.conns.send(*c, frame);
                    last = position;
                }
                if (!truncated)
                    for (const Held &live : held)
                        if (live.seq > last) {
                            m_ctx.conns.send(*c, live.frame);
                            last = live.seq;
                        }
                return {last, truncated};
            };
            QJsonObject cursors;
            QJsonArray truncatedRooms;
            for (const Backlog::Room &room : b.rooms) {
                const RoomDirectory::Room *known = m_ctx.directory->room(room.id);
                const QString name = known ? known->name : QString();
                const auto [last, truncated] =
                    drain(room.messages, takeRoom(h, room.id), room.after, [](const MessageRow &m) {
                        return std::pair(m.seq, wire::messageFrame(m));
                    });
                cursors.insert(name, last);
                if (truncated)
                    truncatedRooms.append(name);
            }
            QJsonObject data{{key("rooms"), cursors}};
            // Read positions and unread counts of the rooms resumed (changed meanwhile on
            // another device, or by what was missed).
            QJsonObject reads;
            for (const Backlog::Room &room : b.rooms)
                if (const RoomDirectory::Room *known = m_ctx.directory->room(room.id))
                    if (const auto mark = b.reads.constFind(room.id); mark != b.reads.cend())
                        reads.insert(known->name, QJsonObject{{key("seq"), mark->seq},
                                                              {key("unread"), mark->unread},
                                                              {key("mentions"), mark->mentions},
                                                              {key("lastSeq"), mark->lastSeq}});
            if (!reads.isEmpty())
                data.insert(key("reads"), reads);
            if (!truncatedRooms.isEmpty())
                data.insert(key("truncated"),
                            truncatedRooms); // page the rest: room.history after=cursor
            if (notifs && fetched) {
                const auto [last, truncated] = drain(
                    b.notifications, takeNotifications(h), notifAfter,
                    [](const NotificationRow &n) {
                        return std::pair(n.id, encode(Type::Notification,
                                                      {{key("notification"), wire::toJson(n)}}));
                    });
                data.insert(key("notifications"), last);
                data.insert(key("unread"), b.unread);
                if (truncated)
                    data.insert(key("notificationsTruncated"), true); // page with notif.list
            }
            if (changes && fetched) {
                // After the new ones: the final state of those the device already had.
                qint64 lastSent = changesAfter;
                for (const NotificationRow &n : b.changes) {
                    m_ctx.conns.send(*c, wire::notificationChangeFrame(n));
                    lastSent = n.changeSeq;
                }
                // Past the limit the device asks again from the last one sent.
                data.insert(key("notifChanges"), b.changes.size() < ResumeChangeLimit
                                                     ? std::max(b.lastChange, changesAfter)
                                                     : lastSent);
            }
            tidy(connId);
            m_ctx.conns.send(*c, result(id, data));
        });
}

} // namespace herald
