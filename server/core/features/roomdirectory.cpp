#include "roomdirectory.h"

#include "clusterlink.h"
#include "delivery.h"
#include "presencetracker.h"

#include <QJsonArray>

namespace herald {

using namespace proto;
using namespace feature;

RoomDirectory::RoomDirectory(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
}

void RoomDirectory::load(const QList<UserRow> &users, const QList<RoomRow> &rooms)
{
    m_users.clear();
    m_userByName.clear();
    m_rooms.clear();
    m_roomByName.clear();
    for (const UserRow &u : users) {
        m_users.insert(u.id, User{u.id, u.name, u.display, u.disabled, {}});
        m_userByName.insert(u.name, u.id);
    }
    for (const RoomRow &r : rooms)
        addRoom(r);
}

RoomDirectory::Room &RoomDirectory::addRoom(const RoomRow &r)
{
    Room &room = *m_rooms.insert(r.id, Room{r.id, r.name, r.title, r.kind, {}});
    m_roomByName.insert(r.name, r.id);
    m_ctx.delivery->roomAdded(r.id, r.lastSeq);
    for (qint64 u : r.members)
        addMember(room, u);
    return room;
}

void RoomDirectory::addMember(Room &room, qint64 userId)
{
    if (room.members.contains(userId))
        return;
    room.members.insert(userId);
    auto it = m_users.find(userId);
    if (it != m_users.end()) {
        it->rooms.insert(room.id);
        m_ctx.presence->memberJoined(room.id, userId);
    }
}

void RoomDirectory::removeMember(Room &room, qint64 userId)
{
    if (!room.members.remove(userId))
        return;
    auto it = m_users.find(userId);
    if (it != m_users.end()) {
        it->rooms.remove(room.id);
        m_ctx.presence->memberLeft(room.id, userId);
    }
}

QString RoomDirectory::nameOf(qint64 userId) const
{
    const User *u = user(userId);
    return u ? u->name : QString();
}

const RoomDirectory::Room *RoomDirectory::roomByName(const QString &name) const
{
    auto it = m_roomByName.constFind(name);
    return it == m_roomByName.constEnd() ? nullptr : room(*it);
}

QJsonObject RoomDirectory::roomJson(const Room &room, qint64 forUser) const
{
    QJsonObject o{{key("name"), room.name},
                  {key("title"), room.title},
                  {key("kind"), room.kind},
                  {key("lastSeq"), m_ctx.delivery->roomCursor(room.id)},
                  {key("online"), m_ctx.presence->roomOnline(room.id)},
                  {key("members"), static_cast<qint64>(room.members.size())},
                  {key("member"), room.members.contains(forUser)}};
    if (room.kind == QLatin1String("dm")) {
        for (qint64 m : room.members)
            if (m != forUser)
                o.insert(key("peer"), nameOf(m));
        if (!o.contains(key("peer")))
            o.insert(key("peer"), nameOf(forUser));
        o.insert(key("title"), o.value(key("peer")));
    }
    return o;
}

QByteArray RoomDirectory::memberFrame(const Room &room, qint64 userId, const char *event,
                                      const QJsonObject &info) const
{
    QJsonObject body{
        {key("room"), room.name}, {key("user"), nameOf(userId)}, {key("event"), s(event)}};
    if (!info.isEmpty())
        body.insert(key("info"), info);
    return encode(Type::Member, body);
}

void RoomDirectory::apply(const QList<UserRow> &users, const QList<RoomRow> &rooms)
{
    // People: add new ones, update names and the disabled flag; keep the rest.
    for (const UserRow &row : users) {
        User &u = m_users[row.id];
        u.id = row.id;
        u.name = row.name;
        u.display = row.display;
        u.disabled = row.disabled;
        m_userByName.insert(u.name, row.id);
    }
    // Rooms: rebuild membership from storage (heraldctl may have changed it).
    QSet<qint64> seenRooms;
    for (const RoomRow &row : rooms) {
        seenRooms.insert(row.id);
        applyRoom(row);
    }
    for (auto it = m_rooms.begin(); it != m_rooms.end();) {
        if (seenRooms.contains(it.key())) {
            ++it;
            continue;
        }
        const QSet<qint64> members = it->members;
        for (qint64 m : members) {
            m_ctx.conns.toUser(m, memberFrame(*it, m, "left"));
            removeMember(*it, m);
        }
        m_roomByName.remove(it->name);
        m_ctx.delivery->roomRemoved(it.key());
        m_ctx.presence->roomRemoved(it.key());
        it = m_rooms.erase(it);
    }
}

bool RoomDirectory::applyRoom(const RoomRow &row)
{
    for (qint64 m : row.members)
        if (!m_users.contains(m))
            return false;
    const QSet<qint64> members(row.members.begin(), row.members.end());
    auto it = m_rooms.find(row.id);
    Room &room = it != m_rooms.end()
                     ? *it
                     : addRoom(RoomRow{row.id, row.name, row.title, row.kind, row.lastSeq, {}});
    room.title = row.title;
    QSet<qint64> gone = room.members;
    gone.subtract(members);
    QSet<qint64> added = members;
    added.subtract(room.members);
    for (qint64 m : std::as_const(gone))
        memberLeft(room, m);
    for (qint64 m : std::as_const(added))
        memberJoined(room, m);
    return true;
}

bool RoomDirectory::applyMembership(qint64 roomId, qint64 userId, bool joined)
{
    auto it = m_rooms.find(roomId);
    if (it == m_rooms.end() || !m_users.contains(userId))
        return false;
    if (it->members.contains(userId) != joined) {
        if (joined)
            memberJoined(*it, userId);
        else
            memberLeft(*it, userId);
    }
    return true;
}

void RoomDirectory::memberJoined(Room &room, qint64 userId)
{
    addMember(room, userId);
    m_ctx.conns.toUsers(room.members, memberFrame(room, userId, "joined", roomJson(room, userId)));
}

void RoomDirectory::memberLeft(Room &room, qint64 userId)
{
    const QByteArray left = memberFrame(room, userId, "left");
    removeMember(room, userId);
    m_ctx.conns.toUsers(room.members, left);
    m_ctx.conns.toUser(userId, left);
}

// ------------------------------------------------------------------ requests

void RoomDirectory::onRoomList(Conn &c, const Frame &f)
{
    QJsonArray rooms;
    for (const Room &r : std::as_const(m_rooms))
        if (visible(r, c.userId))
            rooms.append(roomJson(r, c.userId));
    m_ctx.conns.send(c, result(f.id(), {{key("rooms"), rooms}}));
}

void RoomDirectory::onRoomCreate(Conn &c, const Frame &f)
{
    const QString name = f.str(key("name"));
    const QString title = f.str(key("title"));
    const QString kind = f.body.value(key("private")).toBool() ? s("private") : s("public");
    const qint64 userId = c.userId;
    m_ctx.request<qint64>(
        this, c, f,
        [name, title, kind, userId](Store &st) -> StoreResult<qint64> {
            auto id = st.createRoom(name, title, kind);
            if (auto *e = std::get_if<StoreError>(&id))
                return *e;
            if (auto e = st.addMember(std::get<qint64>(id), userId))
                return *e;
            return id;
        },
        [this, name, title, kind, userId](quint64 connId, qint64 &id) {
            const Room &room = addRoom(RoomRow{id, name, title, kind, 0, {userId}});
            const QJsonObject info = roomJson(room, userId);
            m_ctx.conns.toUser(userId, memberFrame(room, userId, "joined", info), connId);
            m_ctx.cluster->publishRoom(id, name, title, kind, 0, {userId});
            return QJsonObject{{key("room"), info}};
        });
}

void RoomDirectory::changeMembership(Conn &c, const Frame &f, qint64 roomId, qint64 userId,
                                     bool join, std::function<QJsonObject(const Room &)> answer)
{
    m_ctx.request<Ok>(
        this, c, f,
        [roomId, userId, join](Store &st) -> StoreResult<Ok> {
            if (auto e = join ? st.addMember(roomId, userId) : st.removeMember(roomId, userId))
                return *e;
            return Ok{};
        },
        [this, roomId, userId, join, answer](quint64, Ok &) -> StoreResult<QJsonObject> {
            auto it = m_rooms.find(roomId);
            if (it == m_rooms.end())
                return join ? StoreResult<QJsonObject>(storeError(Err::NotFound, s("room is gone")))
                            : QJsonObject{};
            // The room's members (and a leaver's own devices) are told here; the other nodes
            // apply the same change from the bus.
            if (it->members.contains(userId) != join) {
                if (join) {
                    memberJoined(*it, userId);
                    m_ctx.cluster->publishMemberJoined(roomId, userId);
                } else {
                    memberLeft(*it, userId);
                    m_ctx.cluster->publishMemberLeft(roomId, userId);
                }
            }
            return answer(*it);
        });
}

void RoomDirectory::onRoomJoin(Conn &c, const Frame &f)
{
    const Room *room = roomByName(f.str(key("room")));
    if (!room || !visible(*room, c.userId))
        return m_ctx.conns.send(
            c,
            error(f.id(), s(room ? Err::Forbidden : Err::NotFound),
                  room ? s("this room is private: ask a member to invite you") : s("no such room"),
                  s("room")));
    if (room->members.contains(c.userId))
        return m_ctx.conns.send(c, result(f.id(), {{key("room"), roomJson(*room, c.userId)}}));
    const qint64 userId = c.userId;
    changeMembership(c, f, room->id, userId, true, [this, userId](const Room &joined) {
        return QJsonObject{{key("room"), roomJson(joined, userId)}};
    });
}

void RoomDirectory::onRoomLeave(Conn &c, const Frame &f)
{
    const Room *room = roomByName(f.str(key("room")));
    if (!room || !room->members.contains(c.userId))
        return m_ctx.conns.send(
            c, error(f.id(), s(Err::NotFound), s("you are not in that room"), s("room")));
    changeMembership(c, f, room->id, c.userId, false, [](const Room &) { return QJsonObject{}; });
}

void RoomDirectory::onRoomInvite(Conn &c, const Frame &f)
{
    const Room *room = roomByName(f.str(key("room")));
    if (!room || !room->members.contains(c.userId))
        return m_ctx.conns.send(
            c, error(f.id(), s(Err::Forbidden), s("only members can invite"), s("room")));
    if (room->kind == QLatin1String("dm"))
        return m_ctx.conns.send(
            c, error(f.id(), s(Err::Forbidden), s("direct messages have two members"), s("room")));
    const qint64 target = userId(f.str(key("user")));
    if (!target || m_users.value(target).disabled)
        return m_ctx.conns.send(c, error(f.id(), s(Err::NotFound), s("no such user"), s("user")));
    changeMembership(c, f, room->id, target, true, [](const Room &) { return QJsonObject{}; });
}

const RoomDirectory::Room *RoomDirectory::memberRoom(Conn &c, const Frame &f)
{
    const Room *room = roomByName(f.str(key("room")));
    if (room && room->members.contains(c.userId))
        return room;
    m_ctx.conns.send(c, error(f.id(), s(room ? Err::Forbidden : Err::NotFound),
                              s(room ? "you are not a member of this room" : "no such room"),
                              s("room")));
    return nullptr;
}

void RoomDirectory::onRoomMembers(Conn &c, const Frame &f)
{
    const Room *room = roomByName(f.str(key("room")));
    if (!room || !visible(*room, c.userId))
        return m_ctx.conns.send(c, error(f.id(), s(room ? Err::Forbidden : Err::NotFound),
                                         s("no such room"), s("room")));
    // With each member's read position when they send read receipts (ReadReceipts): also in
    // rooms too large for live receipts, where this is the only way to see them.
    const qint64 roomId = room->id;
    m_ctx.request<QHash<qint64, qint64>>(
        this, c, f, [roomId](Store &st) { return st.receiptPositions(roomId); },
        [this, roomId](quint64,
                       const QHash<qint64, qint64> &positions) -> StoreResult<QJsonObject> {
            const Room *room = this->room(roomId);
            if (!room)
                return StoreError{s(Err::NotFound), s("no such room"), s("room")};
            QJsonArray members;
            for (qint64 m : std::as_const(room->members)) {
                const User *u = user(m);
                QJsonObject member{{key("name"), u ? u->name : QString()},
                                   {key("display"), u ? u->display : QString()}};
                m_ctx.presence->describe(member, m);
                if (const auto seq = positions.constFind(m); seq != positions.cend())
                    member.insert(key("readSeq"), *seq);
                members.append(member);
            }
            return QJsonObject{{key("room"), room->name},
                               {key("online"), m_ctx.presence->roomOnline(roomId)},
                               {key("members"), members}};
        });
}

void RoomDirectory::onDmOpen(Conn &c, const Frame &f)
{
    const qint64 other = userId(f.str(key("user")));
    if (!other || m_users.value(other).disabled)
        return m_ctx.conns.send(c, error(f.id(), s(Err::NotFound), s("no such user"), s("user")));
    const qint64 me = c.userId;
    m_ctx.request<RoomRow>(
        this, c, f, [me, other](Store &st) { return st.openDm(me, other); },
        [this, me, other](quint64 connId, RoomRow &row) {
            const Room *room = roomByName(row.name);
            if (!room) {
                const Room &added = addRoom(
                    RoomRow{row.id, row.name, QString(), s("dm"), row.lastSeq, {me, other}});
                const QByteArray frame = memberFrame(added, me, "joined", roomJson(added, other));
                m_ctx.cluster->publishRoom(row.id, row.name, QString(), s("dm"), row.lastSeq,
                                           {me, other});
                m_ctx.conns.toUser(other, frame);
                m_ctx.conns.toUser(me, memberFrame(added, me, "joined", roomJson(added, me)),
                                   connId);
                room = &added;
            }
            return QJsonObject{{key("room"), roomJson(*room, me)}};
        });
}

void RoomDirectory::onUserList(Conn &c, const Frame &f)
{
    QJsonArray users;
    for (const User &u : std::as_const(m_users))
        if (!u.disabled) {
            QJsonObject entry{{key("name"), u.name}, {key("display"), u.display}};
            m_ctx.presence->describe(entry, u.id);
            users.append(entry);
        }
    m_ctx.conns.send(c, result(f.id(), {{key("users"), users}}));
}

} // namespace herald
