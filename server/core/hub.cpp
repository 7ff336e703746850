#include "hub.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QThreadPool>

Q_LOGGING_CATEGORY(lcHub, "herald.hub")

namespace herald {

using namespace proto;

namespace {
qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}
QLatin1String key(const char *k)
{
    return QLatin1String(k);
}
QString s(const char *text)
{
    return QString::fromLatin1(text);
}
constexpr int MaxEarlyFrames = 32;
constexpr int TypingIntervalMs = 2000;
constexpr int ResumeRoomLimit = 1000;
constexpr int ResumeNotificationLimit = 1000;
constexpr int HelloNotifications = 50;
constexpr int HelloHoldMs = 1000; // live frames wait this long after hello for a resume
} // namespace

Hub::Hub(const Config &config, Database *db, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_db(db)
{
    m_limits.maxFrameBytes = config.maxFrameBytes;
    m_presenceTimer.setSingleShot(true);
    m_presenceTimer.setInterval(config.presenceCoalesceMs);
    connect(&m_presenceTimer, &QTimer::timeout, this, &Hub::flushPresence);
    m_sweepTimer.setInterval(1000);
    connect(&m_sweepTimer, &QTimer::timeout, this, &Hub::sweep);
    m_sweepTimer.start();
}

Hub::~Hub() = default;

QString Hub::load()
{
    const QJsonObject r = m_db->runSync([this](Store &st) {
        m_users.clear();
        m_userByName.clear();
        m_rooms.clear();
        m_roomByName.clear();
        m_tokens.clear();
        for (const UserRow &u : st.users()) {
            User user;
            user.id = u.id;
            user.name = u.name;
            user.display = u.display;
            user.disabled = u.disabled;
            m_users.insert(u.id, user);
            m_userByName.insert(u.name, u.id);
        }
        for (const RoomRow &r : st.rooms())
            addRoom(r);
        for (const TokenRow &t : st.allTokens())
            m_tokens.insert(t.id, t);
        return QJsonObject{};
    });
    return r.value(key("message")).toString();
}

void Hub::addRoom(const RoomRow &r)
{
    Room room;
    room.id = r.id;
    room.name = r.name;
    room.title = r.title;
    room.kind = r.kind;
    room.lastSeq = r.lastSeq;
    m_rooms.insert(r.id, room);
    m_roomByName.insert(r.name, r.id);
    Room &stored = m_rooms[r.id];
    for (qint64 u : r.members)
        addMember(stored, u);
}

void Hub::addMember(Room &room, qint64 userId)
{
    if (room.members.contains(userId))
        return;
    room.members.insert(userId);
    auto it = m_users.find(userId);
    if (it != m_users.end()) {
        it->rooms.insert(room.id);
        if (it->status != QLatin1String("offline"))
            ++room.online;
    }
}

void Hub::removeMember(Room &room, qint64 userId)
{
    if (!room.members.remove(userId))
        return;
    auto it = m_users.find(userId);
    if (it != m_users.end()) {
        it->rooms.remove(room.id);
        if (it->status != QLatin1String("offline"))
            --room.online;
    }
}

Hub::Room *Hub::roomByName(const QString &name)
{
    auto it = m_roomByName.constFind(name);
    if (it == m_roomByName.constEnd())
        return nullptr;
    auto r = m_rooms.find(*it);
    return r == m_rooms.end() ? nullptr : &*r;
}

QJsonObject Hub::roomJson(const Room &room, qint64 forUser) const
{
    QJsonObject o{{key("name"), room.name},
                  {key("title"), room.title},
                  {key("kind"), room.kind},
                  {key("lastSeq"), room.lastSeq},
                  {key("online"), room.online},
                  {key("members"), static_cast<qint64>(room.members.size())},
                  {key("member"), room.members.contains(forUser)}};
    if (room.kind == QLatin1String("dm")) {
        for (qint64 m : room.members)
            if (m != forUser)
                o.insert(key("peer"), m_users.value(m).name);
        if (!o.contains(key("peer")))
            o.insert(key("peer"), m_users.value(forUser).name);
        o.insert(key("title"), o.value(key("peer")));
    }
    return o;
}

QStringList Hub::onlineUsers() const
{
    QStringList out;
    for (const User &u : m_users)
        if (!u.conns.isEmpty())
            out << u.name;
    out.sort();
    return out;
}

// ------------------------------------------------------------------ connections

Hub::Conn *Hub::conn(quint64 id)
{
    auto it = m_conns.find(id);
    return it == m_conns.end() ? nullptr : &*it;
}

quint64 Hub::open(Peer *peer, const QString &bearerToken)
{
    const quint64 id = m_nextConn++;
    Conn c;
    c.id = id;
    c.peer = peer;
    c.openedAt = c.lastSeen = c.bucketAt = now();
    c.bucket = m_config.messagesBurst;
    m_conns.insert(id, c);
    m_unauthed.insert(id);
    // Authenticate on the next turn of the event loop: the edge must know the id first, in
    // case a failure closes the connection at once.
    if (!bearerToken.isEmpty())
        QMetaObject::invokeMethod(
            this,
            [this, id, bearerToken] {
                if (Conn *c = conn(id); c && !c->closing)
                    authenticate(*c, bearerToken);
            },
            Qt::QueuedConnection);
    return id;
}

void Hub::send(Conn &c, const QByteArray &frame)
{
    if (!c.peer || c.closing)
        return;
    ++m_stats.framesOut;
    c.peer->send(frame);
}

void Hub::closeConn(Conn &c, int code, const QString &reason)
{
    if (c.closing || !c.peer)
        return;
    c.closing = true;
    if (code == Close::SlowConsumer)
        ++m_stats.slowConsumerDrops;
    c.peer->close(code, reason);
}

void Hub::closeAll(int code, const QString &reason)
{
    const QList<quint64> ids = m_conns.keys();
    for (quint64 id : ids)
        if (Conn *c = conn(id))
            closeConn(*c, code, reason);
}

void Hub::closed(quint64 id)
{
    Conn *c = conn(id);
    if (!c)
        return;
    c->peer = nullptr; // never touched again
    c->closing = true;
    // Removal is deferred so that no caller iterating connections sees one vanish under it.
    QMetaObject::invokeMethod(
        this,
        [this, id] {
            auto it = m_conns.find(id);
            if (it == m_conns.end())
                return;
            const qint64 userId = it->authed ? it->userId : 0;
            m_conns.erase(it);
            m_unauthed.remove(id);
            if (userId) {
                auto u = m_users.find(userId);
                if (u != m_users.end()) {
                    u->conns.removeOne(id);
                    updatePresence(*u);
                }
            }
        },
        Qt::QueuedConnection);
}

void Hub::activity(quint64 id)
{
    if (Conn *c = conn(id))
        c->lastSeen = now();
}

void Hub::slowConsumer(quint64 id)
{
    if (Conn *c = conn(id))
        closeConn(*c, Close::SlowConsumer, s("outbound queue full: reconnect and resume"));
}

void Hub::binary(quint64 id)
{
    if (Conn *c = conn(id))
        closeConn(*c, Close::UnsupportedData, s("binary frames are not supported; send JSON text"));
}

void Hub::sweep()
{
    const qint64 t = now();
    const QList<quint64> pending(m_unauthed.begin(), m_unauthed.end());
    for (quint64 id : pending) {
        Conn *c = conn(id);
        if (c && !c->authed && t - c->openedAt > m_config.authTimeout * 1000LL) {
            ++m_stats.authFailures;
            qCInfo(lcHub).noquote()
                << "auth timeout from" << (c->peer ? c->peer->address() : QString());
            closeConn(*c, Close::AuthTimeout, s("no auth within the deadline"));
        }
    }
    const bool pingNow = t - m_lastPing >= m_config.heartbeatInterval * 1000LL;
    if (pingNow)
        m_lastPing = t;
    for (Conn &c : m_conns) {
        if (!c.peer || c.closing)
            continue;
        if (t - c.lastSeen > m_config.heartbeatTimeout * 1000LL) {
            closeConn(c, Close::IdleTimeout, s("no traffic within the heartbeat timeout"));
            continue;
        }
        if (pingNow)
            c.peer->ping();
    }
}

// ------------------------------------------------------------------ auth

bool Hub::checkToken(const TokenRow &t, const QByteArray &secret) const
{
    return !t.revoked && crypto::constantTimeEquals(crypto::tokenHash(secret), t.hash);
}

void Hub::authFailed(Conn &c, const QString &why)
{
    ++m_stats.authFailures;
    // Never log the token: only where the attempt came from and why it failed.
    qCInfo(lcHub).noquote() << "auth failed from" << (c.peer ? c.peer->address() : QString()) << ":"
                            << why;
    send(c, error(QJsonValue(), s(Err::Unauthorized), why));
    closeConn(c, Close::AuthFailed, why);
}

void Hub::authenticate(Conn &c, const QString &token)
{
    if (c.authed || c.authPending)
        return;
    QByteArray secret;
    const qint64 tokenId = crypto::parseToken(token, &secret);
    if (!tokenId)
        return authFailed(c, s("malformed token"));
    c.authPending = true;
    const auto it = m_tokens.constFind(tokenId);
    if (it != m_tokens.constEnd()) {
        if (!checkToken(*it, secret))
            return authFailed(c, s("invalid or revoked token"));
        return finishAuth(c.id, *it);
    }
    // Not in memory (issued by heraldctl since the last reload): ask storage.
    const quint64 connId = c.id;
    m_db->run(
        [tokenId](Store &st) {
            const auto t = st.token(tokenId);
            if (!t)
                return QJsonObject{{key("missing"), true}};
            return QJsonObject{{key("found"), true}};
        },
        this,
        [this, connId, tokenId, secret](const QJsonObject &r) {
            Conn *c = conn(connId);
            if (!c)
                return;
            if (!r.value(key("found")).toBool())
                return authFailed(*c, s("invalid or revoked token"));
            // Load the token row and the user (possibly new) into memory, then check.
            reload([this, connId, tokenId, secret] {
                Conn *c = conn(connId);
                if (!c)
                    return;
                const auto t = m_tokens.constFind(tokenId);
                if (t == m_tokens.constEnd() || !checkToken(*t, secret))
                    return authFailed(*c, s("invalid or revoked token"));
                finishAuth(connId, *t);
            });
        });
}

void Hub::finishAuth(quint64 connId, const TokenRow &token)
{
    Conn *c = conn(connId);
    if (!c || c->closing)
        return;
    if (token.kind == QLatin1String("service") || !m_users.contains(token.userId))
        return authFailed(*c, s("this token cannot open a connection"));
    User &u = m_users[token.userId];
    if (u.disabled) {
        send(*c, error(QJsonValue(), s(Err::Forbidden), s("account disabled")));
        return closeConn(*c, Close::UserDisabled, s("account disabled"));
    }
    if (u.conns.size() + u.pendingAuths >= m_config.maxConnectionsPerUser) {
        send(*c, error(QJsonValue(), s(Err::RateLimited), s("too many connections for this user")));
        return closeConn(*c, Close::TooManyConnections, s("too many connections for this user"));
    }
    c->userId = u.id;
    c->tokenId = token.id;
    ++u.pendingAuths;
    const qint64 userId = u.id;
    m_db->run(
        [userId](Store &st) {
            const qint64 t = now();
            return QJsonObject{
                {key("unread"), st.unreadCount(userId, t)},
                {key("notifications"),
                 st.notifications(userId, 0, 0, HelloNotifications, true, t, nullptr)},
                {key("notifSeq"), st.lastNotificationId(userId)}};
        },
        this,
        [this, connId, userId](const QJsonObject &r) {
            if (auto u = m_users.find(userId); u != m_users.end())
                --u->pendingAuths;
            Conn *c = conn(connId);
            if (!c || c->closing || !m_users.contains(userId))
                return;
            User &u = m_users[userId];
            c->authed = true;
            c->authPending = false;
            m_unauthed.remove(connId);
            u.conns << connId;
            updatePresence(u);
            QJsonArray rooms;
            for (qint64 roomId : std::as_const(u.rooms))
                rooms.append(roomJson(m_rooms.value(roomId), userId));
            QJsonObject hello{
                {key("protocol"), Version},
                {key("server"), QStringLiteral("herald " HERALD_VERSION)},
                {key("user"), QJsonObject{{key("name"), u.name}, {key("display"), u.display}}},
                {key("online"), m_onlineCount},
                {key("heartbeat"), m_config.heartbeatInterval},
                {key("rooms"), rooms}};
            for (const QString &k : {QStringLiteral("unread"), QStringLiteral("notifications"),
                                     QStringLiteral("notifSeq")})
                hello.insert(k, r.value(k));
            // A reconnecting client sends resume right after hello. Until its first frame (or
            // HelloHoldMs), live messages and notifications wait, so that they come after what
            // the resume fetches, in order and once, not ahead of it.
            c->heldSinceHello = true;
            c->holdNotifications = true;
            for (qint64 roomId : std::as_const(u.rooms))
                c->heldRooms.insert(roomId, {});
            QTimer::singleShot(HelloHoldMs, this, [this, connId] {
                if (Conn *held = conn(connId); held && held->heldSinceHello)
                    releaseHeld(*held);
            });
            send(*c, encode(Type::Hello, hello));
            qCInfo(lcHub).noquote()
                << "connected" << u.name << "from" << (c->peer ? c->peer->address() : QString());
            const QList<QByteArray> early = std::exchange(c->early, {});
            for (const QByteArray &f : early)
                text(connId, f);
        });
}

// ------------------------------------------------------------------ frames

bool Hub::rateOk(Conn &c)
{
    const qint64 t = now();
    c.bucket = std::min<double>(m_config.messagesBurst,
                                c.bucket + (t - c.bucketAt) * m_config.messagesPerSecond / 1000.0);
    c.bucketAt = t;
    if (c.bucket >= 1) {
        c.bucket -= 1;
        c.rateStrikes = 0;
        return true;
    }
    return false;
}

void Hub::text(quint64 id, const QByteArray &bytes)
{
    Conn *cp = conn(id);
    if (!cp || cp->closing)
        return;
    Conn &c = *cp;
    ++m_stats.framesIn;
    c.lastSeen = now();
    if (c.authPending) {
        if (c.early.size() >= MaxEarlyFrames)
            return closeConn(c, Close::PolicyViolation, s("too many frames before auth completed"));
        c.early << bytes;
        return;
    }
    DecodeResult r = decode(bytes, Direction::ClientToServer, m_limits);
    if (!rateOk(c)) {
        if (++c.rateStrikes > m_config.messagesBurst)
            return closeConn(c, Close::RateLimited, s("message rate exceeded"));
        send(c, error(r.ok() ? r.frame->id() : r.error.id, s(Err::RateLimited),
                      QStringLiteral("slow down: at most %1 frames per second")
                          .arg(m_config.messagesPerSecond)));
        return;
    }
    if (!r.ok()) {
        send(c, error(r.error));
        if (++c.badFrames > m_config.maxBadFrames)
            closeConn(c, Close::PolicyViolation, s("too many invalid frames"));
        return;
    }
    const Frame &f = *r.frame;
    if (!c.authed) {
        if (f.type != Type::Auth) {
            send(c, error(f.id(), s(Err::Unauthorized), s("authenticate first")));
            return closeConn(c, Close::AuthFailed, s("authenticate first"));
        }
        return authenticate(c, f.str(key("token")));
    }
    if (c.heldSinceHello && f.type != Type::Resume)
        releaseHeld(c);
    dispatch(c, f);
}

void Hub::releaseHeld(Conn &c)
{
    c.heldSinceHello = false;
    const QHash<qint64, QList<Held>> rooms = std::exchange(c.heldRooms, {});
    for (const QList<Held> &held : rooms)
        for (const Held &h : held)
            send(c, h.frame);
    c.holdNotifications = false;
    const QList<Held> notifications = std::exchange(c.heldNotifications, {});
    for (const Held &h : notifications) {
        send(c, h.frame);
        ++m_stats.notificationsDelivered;
    }
}

void Hub::dispatch(Conn &c, const Frame &f)
{
    const QString &t = f.type;
    if (t == Type::Ping)
        return send(c, encode(Type::Pong, {{key("id"), f.id()}}));
    if (t == Type::MsgSend)
        return onSend(c, f);
    if (t == Type::TypingSend)
        return onTyping(c, f);
    if (t == Type::Auth)
        return send(c, error(f.id(), s(Err::Conflict), s("already authenticated")));
    if (t == Type::RoomList)
        return onRoomList(c, f);
    if (t == Type::RoomCreate)
        return onRoomCreate(c, f);
    if (t == Type::RoomJoin)
        return onRoomJoin(c, f);
    if (t == Type::RoomLeave)
        return onRoomLeave(c, f);
    if (t == Type::RoomInvite)
        return onRoomInvite(c, f);
    if (t == Type::RoomMembers)
        return onRoomMembers(c, f);
    if (t == Type::RoomHistory)
        return onRoomHistory(c, f);
    if (t == Type::DmOpen)
        return onDmOpen(c, f);
    if (t == Type::Resume)
        return onResume(c, f);
    if (t == Type::UserList)
        return onUserList(c, f);
    if (t == Type::PresenceSet)
        return onPresenceSet(c, f);
    if (t == Type::NotifList)
        return onNotifList(c, f);
    if (t == Type::NotifRead)
        return onNotifRead(c, f, false);
    if (t == Type::NotifReadAll)
        return onNotifRead(c, f, true);
    if (t == Type::NotifAction)
        return onNotifAction(c, f);
    send(c, error(f.id(), s(Err::UnknownType), QStringLiteral("'%1' is not handled").arg(t)));
}

void Hub::replyError(Conn &c, const QJsonValue &id, const QJsonObject &e)
{
    send(c, error(id, e.value(key("error")).toString(), e.value(key("message")).toString(),
                  e.value(key("field")).toString()));
}

void Hub::request(Conn &c, const Frame &f, Database::Job job,
                  std::function<QJsonObject(Conn &, const QJsonObject &)> onResult)
{
    const quint64 connId = c.id;
    const QJsonValue id = f.id();
    m_db->run(std::move(job), this, [this, connId, id, onResult](const QJsonObject &r) {
        Conn *c = conn(connId);
        if (r.contains(key("error"))) {
            if (c)
                replyError(*c, id, r);
            return;
        }
        // The state change applies even if the requester has gone in the meantime.
        Conn dummy;
        const QJsonObject data = onResult ? onResult(c ? *c : dummy, r) : r;
        if (c && !data.contains(key("error")))
            send(*c, result(id, data));
        else if (c)
            replyError(*c, id, data);
    });
}

// ------------------------------------------------------------------ rooms

void Hub::onRoomList(Conn &c, const Frame &f)
{
    QJsonArray rooms;
    for (const Room &r : std::as_const(m_rooms))
        if (r.members.contains(c.userId) || r.kind == QLatin1String("public"))
            rooms.append(roomJson(r, c.userId));
    send(c, result(f.id(), {{key("rooms"), rooms}}));
}

void Hub::onRoomCreate(Conn &c, const Frame &f)
{
    const QString name = f.str(key("name"));
    const QString title = f.str(key("title"));
    const QString kind = f.body.value(key("private")).toBool() ? s("private") : s("public");
    const qint64 userId = c.userId;
    request(
        c, f,
        [name, title, kind, userId](Store &st) {
            auto id = st.createRoom(name, title, kind);
            if (auto *e = std::get_if<StoreError>(&id))
                return Database::error(*e);
            if (auto e = st.addMember(std::get<qint64>(id), userId))
                return Database::error(*e);
            return QJsonObject{{key("id"), std::get<qint64>(id)}};
        },
        [this, name, title, kind, userId](Conn &c, const QJsonObject &r) {
            addRoom(RoomRow{r.value(key("id")).toInteger(), name, title, kind, 0, {userId}});
            const QJsonObject room = roomJson(*roomByName(name), userId);
            toUser(userId,
                   encode(Type::Member, {{key("room"), name},
                                         {key("user"), m_users.value(userId).name},
                                         {key("event"), s("joined")},
                                         {key("info"), room}}),
                   c.id);
            structureChanged();
            return QJsonObject{{key("room"), room}};
        });
}

void Hub::onRoomJoin(Conn &c, const Frame &f)
{
    Room *room = roomByName(f.str(key("room")));
    if (!room || (room->kind != QLatin1String("public") && !room->members.contains(c.userId)))
        return send(c, error(f.id(), s(room ? Err::Forbidden : Err::NotFound),
                             room ? s("this room is private: ask a member to invite you")
                                  : s("no such room"),
                             s("room")));
    if (room->members.contains(c.userId))
        return send(c, result(f.id(), {{key("room"), roomJson(*room, c.userId)}}));
    const qint64 roomId = room->id;
    const qint64 userId = c.userId;
    request(
        c, f,
        [roomId, userId](Store &st) {
            if (auto e = st.addMember(roomId, userId))
                return Database::error(*e);
            return QJsonObject{};
        },
        [this, roomId, userId](Conn &, const QJsonObject &) {
            auto it = m_rooms.find(roomId);
            if (it == m_rooms.end())
                return Database::error(Err::NotFound, s("room is gone"));
            addMember(*it, userId);
            structureChanged();
            toRoom(*it, encode(Type::Member, {{key("room"), it->name},
                                              {key("user"), m_users.value(userId).name},
                                              {key("event"), s("joined")}}));
            return QJsonObject{{key("room"), roomJson(*it, userId)}};
        });
}

void Hub::onRoomLeave(Conn &c, const Frame &f)
{
    Room *room = roomByName(f.str(key("room")));
    if (!room || !room->members.contains(c.userId))
        return send(c, error(f.id(), s(Err::NotFound), s("you are not in that room"), s("room")));
    const qint64 roomId = room->id;
    const qint64 userId = c.userId;
    request(
        c, f,
        [roomId, userId](Store &st) {
            if (auto e = st.removeMember(roomId, userId))
                return Database::error(*e);
            return QJsonObject{};
        },
        [this, roomId, userId](Conn &, const QJsonObject &) {
            auto it = m_rooms.find(roomId);
            if (it != m_rooms.end()) {
                const QByteArray frame =
                    encode(Type::Member, {{key("room"), it->name},
                                          {key("user"), m_users.value(userId).name},
                                          {key("event"), s("left")}});
                removeMember(*it, userId);
                structureChanged();
                toRoom(*it, frame);
                toUser(userId, frame); // the leaver's devices drop the room too
            }
            return QJsonObject{};
        });
}

void Hub::onRoomInvite(Conn &c, const Frame &f)
{
    Room *room = roomByName(f.str(key("room")));
    if (!room || !room->members.contains(c.userId))
        return send(c, error(f.id(), s(Err::Forbidden), s("only members can invite"), s("room")));
    if (room->kind == QLatin1String("dm"))
        return send(
            c, error(f.id(), s(Err::Forbidden), s("direct messages have two members"), s("room")));
    const qint64 target = m_userByName.value(f.str(key("user")));
    if (!target || m_users.value(target).disabled)
        return send(c, error(f.id(), s(Err::NotFound), s("no such user"), s("user")));
    const qint64 roomId = room->id;
    request(
        c, f,
        [roomId, target](Store &st) {
            if (auto e = st.addMember(roomId, target))
                return Database::error(*e);
            return QJsonObject{};
        },
        [this, roomId, target](Conn &, const QJsonObject &) {
            auto it = m_rooms.find(roomId);
            if (it == m_rooms.end())
                return Database::error(Err::NotFound, s("room is gone"));
            if (!it->members.contains(target)) {
                addMember(*it, target);
                structureChanged();
                toRoom(*it, encode(Type::Member, {{key("room"), it->name},
                                                  {key("user"), m_users.value(target).name},
                                                  {key("event"), s("joined")},
                                                  {key("info"), roomJson(*it, target)}}));
            }
            return QJsonObject{};
        });
}

void Hub::onRoomMembers(Conn &c, const Frame &f)
{
    Room *room = roomByName(f.str(key("room")));
    if (!room || (room->kind != QLatin1String("public") && !room->members.contains(c.userId)))
        return send(c, error(f.id(), s(room ? Err::Forbidden : Err::NotFound), s("no such room"),
                             s("room")));
    QJsonArray members;
    for (qint64 m : std::as_const(room->members)) {
        const User &u = m_users[m];
        members.append(QJsonObject{
            {key("name"), u.name}, {key("display"), u.display}, {key("status"), u.status}});
    }
    send(c, result(f.id(), {{key("room"), room->name},
                            {key("online"), room->online},
                            {key("members"), members}}));
}

void Hub::onRoomHistory(Conn &c, const Frame &f)
{
    Room *room = roomByName(f.str(key("room")));
    if (!room || (room->kind != QLatin1String("public") && !room->members.contains(c.userId)))
        return send(c, error(f.id(), s(room ? Err::Forbidden : Err::NotFound), s("no such room"),
                             s("room")));
    const qint64 roomId = room->id;
    const QString name = room->name;
    const qint64 before = f.integer(key("before"));
    const qint64 after = f.integer(key("after"));
    const int limit = static_cast<int>(f.integer(key("limit"), 50));
    request(c, f, [=](Store &st) {
        bool more = false;
        const QJsonArray msgs = st.history(roomId, before, after, std::max(1, limit), &more);
        return QJsonObject{{key("room"), name}, {key("messages"), msgs}, {key("hasMore"), more}};
    });
}

void Hub::onDmOpen(Conn &c, const Frame &f)
{
    const qint64 other = m_userByName.value(f.str(key("user")));
    if (!other || m_users.value(other).disabled)
        return send(c, error(f.id(), s(Err::NotFound), s("no such user"), s("user")));
    const qint64 me = c.userId;
    request(
        c, f,
        [me, other](Store &st) {
            auto r = st.openDm(me, other);
            if (auto *e = std::get_if<StoreError>(&r))
                return Database::error(*e);
            const RoomRow &row = std::get<RoomRow>(r);
            QJsonArray members;
            for (qint64 m : row.members)
                members.append(m);
            return QJsonObject{{key("id"), row.id},
                               {key("name"), row.name},
                               {key("lastSeq"), row.lastSeq},
                               {key("members"), members}};
        },
        [this, me, other](Conn &c, const QJsonObject &r) {
            const QString name = r.value(key("name")).toString();
            if (!roomByName(name)) {
                addRoom(RoomRow{r.value(key("id")).toInteger(),
                                name,
                                QString(),
                                s("dm"),
                                r.value(key("lastSeq")).toInteger(),
                                {me, other}});
                const QByteArray frame =
                    encode(Type::Member, {{key("room"), name},
                                          {key("user"), m_users.value(me).name},
                                          {key("event"), s("joined")},
                                          {key("info"), roomJson(*roomByName(name), other)}});
                structureChanged();
                toUser(other, frame);
                toUser(me,
                       encode(Type::Member, {{key("room"), name},
                                             {key("user"), m_users.value(me).name},
                                             {key("event"), s("joined")},
                                             {key("info"), roomJson(*roomByName(name), me)}}),
                       c.id);
            }
            return QJsonObject{{key("room"), roomJson(*roomByName(name), me)}};
        });
}

// ------------------------------------------------------------------ chat

void Hub::onSend(Conn &c, const Frame &f)
{
    Room *room = roomByName(f.str(key("room")));
    if (!room || !room->members.contains(c.userId))
        return send(
            c, error(f.id(), s(Err::Forbidden), s("you are not a member of that room"), s("room")));
    if (!m_db->writable())
        return send(c, error(f.id(), s(Err::Unavailable),
                             s("storage cannot take writes right now; try again later")));
    const QString text = f.str(key("text"));
    if (text.trimmed().isEmpty())
        return send(c, error(f.id(), s(Err::BadValue), s("message text is empty"), s("text")));
    const qint64 roomId = room->id;
    const qint64 userId = c.userId;
    const QString clientId = f.str(key("clientId"));
    const quint64 connId = c.id;
    const QJsonValue id = f.id();
    m_db->run(
        [=](Store &st) {
            auto r = st.storeMessage(roomId, userId, clientId, text, now());
            if (auto *e = std::get_if<StoreError>(&r))
                return Database::error(*e);
            const StoredMessage &m = std::get<StoredMessage>(r);
            return QJsonObject{
                {key("seq"), m.seq}, {key("ts"), m.ts}, {key("duplicate"), m.duplicate}};
        },
        this,
        [=, this](const QJsonObject &r) {
            Conn *c = conn(connId);
            if (r.contains(key("error"))) {
                if (c)
                    replyError(*c, id, r);
                return;
            }
            auto it = m_rooms.find(roomId);
            if (it == m_rooms.end())
                return;
            const qint64 seq = r.value(key("seq")).toInteger();
            const bool dup = r.value(key("duplicate")).toBool();
            if (c)
                send(*c, result(id, {{key("room"), it->name},
                                     {key("seq"), seq},
                                     {key("ts"), r.value(key("ts"))},
                                     {key("duplicate"), dup}}));
            if (dup)
                return;
            ++m_stats.messagesStored;
            // Serialized once, the same bytes for every connection of every member.
            const QByteArray frame =
                encode(Type::Message, {{key("room"), it->name},
                                       {key("seq"), seq},
                                       {key("from"), m_users.value(userId).name},
                                       {key("text"), text},
                                       {key("ts"), r.value(key("ts"))},
                                       {key("clientId"), clientId}});
            busPublish("herald:room:" + QByteArray::number(roomId),
                       {{key("k"), s("m")},
                        {key("r"), roomId},
                        {key("s"), seq},
                        {key("f"), QString::fromUtf8(frame)}});
            roomEvent(roomId, seq, frame);
        });
}

void Hub::deliverMessage(Room &room, qint64 seq, const QByteArray &frame)
{
    for (qint64 m : std::as_const(room.members)) {
        auto u = m_users.constFind(m);
        if (u == m_users.constEnd())
            continue;
        for (quint64 cid : u->conns) {
            Conn *c = conn(cid);
            if (!c)
                continue;
            if (!c->heldRooms.isEmpty()) {
                auto h = c->heldRooms.find(room.id);
                if (h != c->heldRooms.end()) {
                    h->append(Held{seq, frame});
                    continue;
                }
            }
            send(*c, frame);
        }
    }
}

void Hub::onTyping(Conn &c, const Frame &f)
{
    Room *room = roomByName(f.str(key("room")));
    if (!room || !room->members.contains(c.userId))
        return; // ephemeral: nothing to answer
    const qint64 t = now();
    qint64 &last = c.typingAt[room->id];
    if (t - last < TypingIntervalMs)
        return; // rate-limited: at most one per interval per room
    last = t;
    const QByteArray frame = encode(
        Type::Typing, {{key("room"), room->name}, {key("user"), m_users.value(c.userId).name}});
    QJsonArray others;
    for (qint64 m : std::as_const(room->members))
        if (m != c.userId) {
            toUser(m, frame);
            others.append(m);
        }
    busPublish("herald:all",
               {{key("k"), s("u")}, {key("u"), others}, {key("f"), QString::fromUtf8(frame)}});
}

void Hub::onResume(Conn &c, const Frame &f)
{
    const QJsonObject want = f.body.value(key("rooms")).toObject();
    QList<std::pair<qint64, qint64>> rooms; // room id, after
    for (auto it = want.begin(); it != want.end(); ++it) {
        Room *room = roomByName(it.key());
        if (!room || !room->members.contains(c.userId))
            continue; // left or removed meanwhile: nothing to resume there
        rooms.append({room->id, static_cast<qint64>(it.value().toDouble())});
        if (!c.heldRooms.contains(room->id)) // held since hello: those frames stay held
            c.heldRooms.insert(room->id, {});
    }
    if (c.heldSinceHello) {
        c.heldSinceHello = false;
        // Rooms the resume does not ask for get what was held for them now.
        for (auto it = c.heldRooms.begin(); it != c.heldRooms.end();) {
            if (std::any_of(rooms.begin(), rooms.end(),
                            [&](const auto &r) { return r.first == it.key(); })) {
                ++it;
                continue;
            }
            for (const Held &h : std::as_const(it.value()))
                send(c, h.frame);
            it = c.heldRooms.erase(it);
        }
        if (!f.has(key("notifications"))) {
            c.holdNotifications = false;
            for (const Held &h : std::exchange(c.heldNotifications, {})) {
                send(c, h.frame);
                ++m_stats.notificationsDelivered;
            }
        }
    }
    const bool notifs = f.has(key("notifications"));
    const qint64 notifAfter = f.integer(key("notifications"));
    if (notifs)
        c.holdNotifications = true;
    const qint64 userId = c.userId;
    const quint64 connId = c.id;
    const QJsonValue id = f.id();
    m_db->run(
        [=](Store &st) {
            QJsonObject out;
            QJsonArray perRoom;
            for (const auto &[roomId, after] : rooms) {
                bool more = false;
                perRoom.append(QJsonObject{
                    {key("id"), roomId},
                    {key("after"), after},
                    {key("messages"), st.history(roomId, 0, after, ResumeRoomLimit, &more, true)},
                    {key("more"), more}});
            }
            out.insert(key("rooms"), perRoom);
            if (notifs) {
                const qint64 t = now();
                bool more = false;
                out.insert(key("notifications"),
                           st.notifications(userId, 0, notifAfter, ResumeNotificationLimit, false,
                                            t, &more, true));
                out.insert(key("notifMore"), more);
                out.insert(key("unread"), st.unreadCount(userId, t));
            }
            return out;
        },
        this,
        [=, this](const QJsonObject &r) {
            Conn *c = conn(connId);
            if (!c)
                return;
            // What was missed goes out first, then the live frames held meanwhile (without what
            // was just sent). A byte budget keeps a long absence from overflowing the outbound
            // queue: past it a stream is "truncated" and the client pages the rest with history.
            qint64 budget = m_config.outboundQueueBytes / 2;
            auto drain = [&](const QJsonArray &rows, const QList<Held> &held, bool more,
                             qint64 after, auto &&frameOf) -> std::pair<qint64, bool> {
                qint64 last = after;
                bool truncated = more;
                for (const QJsonValue &row : rows) {
                    if (budget <= 0) {
                        truncated = true;
                        break;
                    }
                    const QByteArray frame = frameOf(row.toObject());
                    budget -= frame.size();
                    send(*c, frame);
                    last = row.toObject()
                               .value(key("seq"))
                               .toInteger(row.toObject().value(key("id")).toInteger());
                }
                if (!truncated)
                    for (const Held &h : held)
                        if (h.seq > last) {
                            send(*c, h.frame);
                            last = h.seq;
                        }
                return {last, truncated};
            };
            QJsonObject cursors;
            QJsonArray truncatedRooms;
            for (const QJsonValue &v : r.value(key("rooms")).toArray()) {
                const QJsonObject o = v.toObject();
                const qint64 roomId = o.value(key("id")).toInteger();
                const QString name = m_rooms.value(roomId).name;
                const auto [last, truncated] =
                    drain(o.value(key("messages")).toArray(), c->heldRooms.take(roomId),
                          o.value(key("more")).toBool(), o.value(key("after")).toInteger(),
                          [](const QJsonObject &m) {
                              return QJsonDocument(m).toJson(QJsonDocument::Compact);
                          });
                cursors.insert(name, last);
                if (truncated)
                    truncatedRooms.append(name);
            }
            QJsonObject data{{key("rooms"), cursors}};
            if (!truncatedRooms.isEmpty())
                data.insert(key("truncated"),
                            truncatedRooms); // page the rest: room.history after=cursor
            if (r.contains(key("notifications"))) {
                const QList<Held> held = std::exchange(c->heldNotifications, {});
                c->holdNotifications = false;
                const auto [last, truncated] =
                    drain(r.value(key("notifications")).toArray(), held,
                          r.value(key("notifMore")).toBool(), notifAfter, [](const QJsonObject &n) {
                              return encode(Type::Notification, {{key("notification"), n}});
                          });
                data.insert(key("notifications"), last);
                data.insert(key("unread"), r.value(key("unread")));
                if (truncated)
                    data.insert(key("notificationsTruncated"), true); // page with notif.list
            }
            send(*c, result(id, data));
        });
}

// ------------------------------------------------------------------ people and presence

void Hub::onUserList(Conn &c, const Frame &f)
{
    QJsonArray users;
    for (const User &u : std::as_const(m_users))
        if (!u.disabled)
            users.append(QJsonObject{
                {key("name"), u.name}, {key("display"), u.display}, {key("status"), u.status}});
    send(c, result(f.id(), {{key("users"), users}}));
}

void Hub::onPresenceSet(Conn &c, const Frame &f)
{
    const QString status = f.str(key("status"));
    if (status != QLatin1String("online") && status != QLatin1String("away"))
        return send(
            c, error(f.id(), s(Err::BadValue), s("status must be online or away"), s("status")));
    c.away = status == QLatin1String("away");
    if (auto u = m_users.find(c.userId); u != m_users.end())
        updatePresence(*u);
    if (!f.id().isUndefined())
        send(c, result(f.id()));
}

QString Hub::statusOf(const User &u) const
{
    if (u.conns.isEmpty())
        return m_remoteOnline.contains(u.id) ? s("online") : s("offline");
    for (quint64 id : u.conns) {
        auto it = m_conns.constFind(id);
        if (it != m_conns.constEnd() && !it->away)
            return s("online");
    }
    return s("away");
}

void Hub::updatePresence(User &u)
{
    const QString before = u.status;
    const QString after = statusOf(u);
    if (before == after)
        return;
    u.status = after;
    const bool wasOn = before != QLatin1String("offline");
    const bool isOn = after != QLatin1String("offline");
    if (m_bus) {
        (u.conns.isEmpty() ? m_announceOff : m_announceOn).insert(u.id);
        (u.conns.isEmpty() ? m_announceOn : m_announceOff).remove(u.id);
    }
    if (wasOn != isOn) {
        m_onlineCount += isOn ? 1 : -1;
        for (qint64 roomId : std::as_const(u.rooms))
            if (auto r = m_rooms.find(roomId); r != m_rooms.end())
                r->online += isOn ? 1 : -1;
    }
    m_presenceDirty.insert(u.id);
    if (!m_presenceTimer.isActive())
        m_presenceTimer.start();
}

void Hub::flushPresence()
{
    // One frame per room with every change since the last flush: a reconnect storm becomes a
    // handful of frames, not one per person per peer.
    QHash<qint64, QJsonArray> changes;
    const QSet<qint64> dirty = std::exchange(m_presenceDirty, {});
    for (qint64 userId : dirty) {
        auto u = m_users.find(userId);
        if (u == m_users.end() || u->status == u->published)
            continue;
        u->published = u->status;
        const QJsonObject change{{key("user"), u->name}, {key("status"), u->status}};
        for (qint64 roomId : std::as_const(u->rooms))
            changes[roomId].append(change);
    }
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        auto r = m_rooms.constFind(it.key());
        if (r == m_rooms.constEnd())
            continue;
        toRoom(*r, encode(Type::Presence, {{key("room"), r->name},
                                           {key("users"), it.value()},
                                           {key("online"), r->online}}));
    }
    if (m_bus) {
        refreshSubscriptions();
        announcePresence(false);
    }
    if (m_onlineCount != m_publishedOnline) {
        m_publishedOnline = m_onlineCount;
        const QByteArray frame = encode(Type::Online, {{key("count"), m_onlineCount}});
        for (Conn &c : m_conns)
            if (c.authed)
                send(c, frame);
    }
}

void Hub::toUser(qint64 userId, const QByteArray &frame, quint64 except)
{
    auto u = m_users.constFind(userId);
    if (u == m_users.constEnd())
        return;
    for (quint64 cid : u->conns)
        if (cid != except)
            if (Conn *c = conn(cid))
                send(*c, frame);
}

void Hub::toRoom(const Room &room, const QByteArray &frame, quint64 except)
{
    for (qint64 m : room.members)
        toUser(m, frame, except);
}

// ------------------------------------------------------------------ admin

void Hub::reload(std::function<void()> done)
{
    reloadState(std::move(done), true);
}

void Hub::reloadState(std::function<void()> done, bool tellOthers)
{
    if (tellOthers)
        structureChanged();
    m_db->run(
        [](Store &st) {
            QJsonArray users, rooms, tokens;
            for (const UserRow &u : st.users())
                users.append(QJsonObject{{key("id"), u.id},
                                         {key("name"), u.name},
                                         {key("display"), u.display},
                                         {key("disabled"), u.disabled}});
            for (const RoomRow &r : st.rooms()) {
                QJsonArray members;
                for (qint64 m : r.members)
                    members.append(m);
                rooms.append(QJsonObject{{key("id"), r.id},
                                         {key("name"), r.name},
                                         {key("title"), r.title},
                                         {key("kind"), r.kind},
                                         {key("lastSeq"), r.lastSeq},
                                         {key("members"), members}});
            }
            for (const TokenRow &t : st.allTokens())
                tokens.append(QJsonObject{{key("id"), t.id},
                                          {key("hash"), QString::fromLatin1(t.hash.toBase64())},
                                          {key("user"), t.userId},
                                          {key("service"), t.serviceId},
                                          {key("kind"), t.kind}});
            return QJsonObject{
                {key("users"), users}, {key("rooms"), rooms}, {key("tokens"), tokens}};
        },
        this,
        [this, done](const QJsonObject &r) {
            // Users: add new ones, update names and the disabled flag; keep live state.
            QSet<qint64> seenUsers;
            for (const QJsonValue &v : r.value(key("users")).toArray()) {
                const QJsonObject o = v.toObject();
                const qint64 id = o.value(key("id")).toInteger();
                seenUsers.insert(id);
                User &u = m_users[id];
                u.id = id;
                u.name = o.value(key("name")).toString();
                u.display = o.value(key("display")).toString();
                u.disabled = o.value(key("disabled")).toBool();
                m_userByName.insert(u.name, id);
            }
            // Rooms: rebuild membership from storage (heraldctl may have changed it).
            QSet<qint64> seenRooms;
            for (const QJsonValue &v : r.value(key("rooms")).toArray()) {
                const QJsonObject o = v.toObject();
                const qint64 id = o.value(key("id")).toInteger();
                seenRooms.insert(id);
                QSet<qint64> members;
                for (const QJsonValue &m : o.value(key("members")).toArray())
                    members.insert(m.toInteger());
                if (!m_rooms.contains(id)) {
                    addRoom(RoomRow{id,
                                    o.value(key("name")).toString(),
                                    o.value(key("title")).toString(),
                                    o.value(key("kind")).toString(),
                                    o.value(key("lastSeq")).toInteger(),
                                    {}});
                }
                Room &room = m_rooms[id];
                room.title = o.value(key("title")).toString();
                QSet<qint64> gone = room.members;
                gone.subtract(members);
                QSet<qint64> added = members;
                added.subtract(room.members);
                for (qint64 m : std::as_const(gone)) {
                    const QByteArray left =
                        encode(Type::Member, {{key("room"), room.name},
                                              {key("user"), m_users.value(m).name},
                                              {key("event"), s("left")}});
                    removeMember(room, m);
                    toRoom(room, left);
                    toUser(m, left);
                }
                for (qint64 m : std::as_const(added)) {
                    addMember(room, m);
                    toRoom(room, encode(Type::Member, {{key("room"), room.name},
                                                       {key("user"), m_users.value(m).name},
                                                       {key("event"), s("joined")},
                                                       {key("info"), roomJson(room, m)}}));
                }
            }
            for (auto it = m_rooms.begin(); it != m_rooms.end();) {
                if (seenRooms.contains(it.key())) {
                    ++it;
                    continue;
                }
                const QSet<qint64> members = it->members;
                for (qint64 m : members) {
                    toUser(m, encode(Type::Member, {{key("room"), it->name},
                                                    {key("user"), m_users.value(m).name},
                                                    {key("event"), s("left")}}));
                    removeMember(*it, m);
                }
                m_roomByName.remove(it->name);
                it = m_rooms.erase(it);
            }
            m_tokens.clear();
            for (const QJsonValue &v : r.value(key("tokens")).toArray()) {
                const QJsonObject o = v.toObject();
                TokenRow t;
                t.id = o.value(key("id")).toInteger();
                t.hash = QByteArray::fromBase64(o.value(key("hash")).toString().toLatin1());
                t.userId = o.value(key("user")).toInteger();
                t.serviceId = o.value(key("service")).toInteger();
                t.kind = o.value(key("kind")).toString();
                m_tokens.insert(t.id, t);
            }
            // Connections whose token or user is no longer good are closed with their code.
            for (Conn &c : m_conns) {
                if (!c.authed || c.closing)
                    continue;
                const User &u = m_users.value(c.userId);
                if (u.disabled || !seenUsers.contains(c.userId)) {
                    send(c, error(QJsonValue(), s(Err::Forbidden), s("account disabled")));
                    closeConn(c, Close::UserDisabled, s("account disabled"));
                } else if (!m_tokens.contains(c.tokenId)) {
                    send(c, error(QJsonValue(), s(Err::Unauthorized), s("token revoked")));
                    closeConn(c, Close::TokenRevoked, s("token revoked"));
                }
            }
            if (done)
                done();
        });
}

void Hub::login(const QString &username, const QString &password, Reply done)
{
    // 1. read the hash (storage thread), 2. run the slow PBKDF2 on a pool thread, so that a
    // login burst stalls neither the network loop nor storage, 3. issue a session token.
    m_db->run(
        [username](Store &st) {
            const auto row = st.passwordHash(username);
            if (!row)
                return QJsonObject{{key("missing"), true}};
            return QJsonObject{{key("id"), row->first.id},
                               {key("name"), row->first.name},
                               {key("display"), row->first.display},
                               {key("disabled"), row->first.disabled},
                               {key("hash"), row->second}};
        },
        this,
        [this, password, done](const QJsonObject &u) {
            QPointer<Hub> self(this);
            QThreadPool::globalInstance()->start([self, u, password, done] {
                // Unknown users cost the same time as known ones: names cannot be probed.
                const QString hash = u.value(key("hash")).toString();
                const bool ok =
                    crypto::verifyPassword(
                        password, hash.isEmpty() ? crypto::hashPassword(QString()) : hash) &&
                    !hash.isEmpty();
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, u, ok, done] {
                        if (!self)
                            return;
                        if (!ok)
                            return done(Database::error(Err::Unauthorized,
                                                        s("wrong username or password")));
                        if (u.value(key("disabled")).toBool())
                            return done(
                                Database::error(Err::Forbidden, s("this account is disabled")));
                        self->issueSession(u, done);
                    },
                    Qt::QueuedConnection);
            });
        });
}

void Hub::issueSession(const QJsonObject &u, Reply done)
{
    const qint64 userId = u.value(key("id")).toInteger();
    m_db->run(
        [userId](Store &st) {
            auto t = st.issueToken(userId, 0, s("session"), s("login"));
            if (auto *e = std::get_if<StoreError>(&t))
                return Database::error(*e);
            QByteArray secret;
            const qint64 tokenId = crypto::parseToken(std::get<QString>(t), &secret);
            return QJsonObject{
                {key("token"), std::get<QString>(t)},
                {key("tokenId"), tokenId},
                {key("hash"), QString::fromLatin1(crypto::tokenHash(secret).toBase64())}};
        },
        this,
        [this, u, userId, done](QJsonObject r) {
            if (r.contains(key("error")))
                return done(r);
            TokenRow t;
            t.id = r.take(key("tokenId")).toInteger();
            t.hash = QByteArray::fromBase64(r.take(key("hash")).toString().toLatin1());
            t.userId = userId;
            t.kind = s("session");
            m_tokens.insert(t.id, t);
            r.insert(key("user"), QJsonObject{{key("name"), u.value(key("name"))},
                                              {key("display"), u.value(key("display"))}});
            done(r);
        });
}

qint64 Hub::serviceForToken(const QString &token) const
{
    QByteArray secret;
    const qint64 id = crypto::parseToken(token, &secret);
    const auto it = m_tokens.constFind(id);
    if (!id || it == m_tokens.constEnd() || it->kind != QLatin1String("service") ||
        !checkToken(*it, secret))
        return 0;
    return it->serviceId;
}

// ------------------------------------------------------------------ notifications

void Hub::publish(qint64 serviceId, const QJsonObject &payload, const Recipients &to, Reply done)
{
    if (!m_db->writable())
        return done(Database::error(Err::Unavailable,
                                    s("storage cannot take writes right now; try again later")));
    m_db->run(
        [serviceId, payload, to](Store &st) {
            auto r = st.publish(serviceId, payload, to, now());
            if (auto *e = std::get_if<StoreError>(&r))
                return Database::error(*e);
            const PublishResult &p = std::get<PublishResult>(r);
            QJsonArray users;
            for (qint64 u : p.userIds)
                users.append(u);
            return QJsonObject{{key("id"), p.id},
                               {key("duplicate"), p.duplicate},
                               {key("users"), users},
                               {key("notification"), p.notification}};
        },
        this,
        [this, done](const QJsonObject &r) {
            if (r.contains(key("error")))
                return done(r);
            const qint64 id = r.value(key("id")).toInteger();
            const QJsonArray users = r.value(key("users")).toArray();
            // Answer the publisher first (it is durable now), then fan out.
            done(QJsonObject{{key("id"), id},
                             {key("duplicate"), r.value(key("duplicate"))},
                             {key("recipients"), static_cast<qint64>(users.size())}});
            if (r.value(key("duplicate")).toBool())
                return;
            ++m_stats.notificationsPublished;
            const QJsonObject n = r.value(key("notification")).toObject();
            const QByteArray frame = encode(Type::Notification, {{key("notification"), n}});
            const qint64 created = n.value(key("createdAt")).toInteger();
            QList<qint64> ids;
            ids.reserve(users.size());
            for (const QJsonValue &v : users)
                ids << v.toInteger();
            busPublish("herald:all", {{key("k"), s("n")},
                                      {key("i"), id},
                                      {key("u"), users},
                                      {key("f"), QString::fromUtf8(frame)}});
            notificationEvent(id, ids, frame);
            Q_EMIT delivered(now() - created);
        });
}

void Hub::notificationForService(qint64 id, qint64 serviceId, Reply done)
{
    m_db->run(
        [id, serviceId](Store &st) {
            auto n = st.notificationForService(id, serviceId);
            if (!n)
                return Database::error(
                    Err::NotFound, QStringLiteral("no notification %1 from this service").arg(id));
            return *n;
        },
        this, std::move(done));
}

void Hub::onNotifList(Conn &c, const Frame &f)
{
    const qint64 userId = c.userId;
    const qint64 before = f.integer(key("before"));
    const int limit = static_cast<int>(f.integer(key("limit"), 50));
    const bool unread = f.body.value(key("unread")).toBool();
    request(c, f, [=](Store &st) {
        bool more = false;
        const QJsonArray list =
            st.notifications(userId, before, 0, std::max(1, limit), unread, now(), &more);
        return QJsonObject{{key("notifications"), list}, {key("hasMore"), more}};
    });
}

void Hub::onNotifRead(Conn &c, const Frame &f, bool all)
{
    const qint64 userId = c.userId;
    QList<qint64> ids;
    for (const QJsonValue &v : f.body.value(key("ids")).toArray())
        ids << v.toInteger();
    request(
        c, f,
        [=](Store &st) {
            const qint64 t = now();
            QJsonArray changed;
            if (all)
                st.markAllRead(userId, t);
            else
                for (qint64 id : st.markRead(userId, ids, t))
                    changed.append(id);
            return QJsonObject{{key("ids"), changed}, {key("unread"), st.unreadCount(userId, t)}};
        },
        [this, userId, all](Conn &c, const QJsonObject &r) {
            QJsonObject sync{{key("unread"), r.value(key("unread"))}};
            if (all)
                sync.insert(key("all"), true);
            else
                sync.insert(key("ids"), r.value(key("ids")));
            if (all || !r.value(key("ids")).toArray().isEmpty())
                toUserEverywhere(userId, encode(Type::NotifReadSync, sync), c.id);
            return r;
        });
}

void Hub::onNotifAction(Conn &c, const Frame &f)
{
    if (!m_db->writable())
        return send(c, error(f.id(), s(Err::Unavailable),
                             s("storage cannot take writes right now; try again later")));
    const qint64 userId = c.userId;
    const qint64 notif = f.integer(key("notification"));
    const QString action = f.str(key("action"));
    const quint64 connId = c.id;
    const QJsonValue id = f.id();
    m_db->run(
        [=](Store &st) {
            auto r = st.act(userId, notif, action, now());
            if (auto *e = std::get_if<StoreError>(&r))
                return Database::error(*e);
            const Store::ActionResult &a = std::get<Store::ActionResult>(r);
            QJsonArray recipients;
            for (qint64 u : a.recipientIds)
                recipients.append(u);
            return QJsonObject{{key("won"), a.won},
                               {key("resolved"), a.resolved},
                               {key("recipients"), recipients},
                               {key("unread"), st.unreadCount(userId, now())}};
        },
        this,
        [=, this](const QJsonObject &r) {
            Conn *c = conn(connId);
            if (r.contains(key("error"))) {
                if (c)
                    replyError(*c, id, r);
                return;
            }
            const QJsonObject resolved = r.value(key("resolved")).toObject();
            if (!r.value(key("won")).toBool()) {
                if (c)
                    send(*c, error(id, s(Err::Conflict),
                                   QStringLiteral("already resolved: %1 by %2")
                                       .arg(resolved.value(key("action")).toString(),
                                            resolved.value(key("by")).toString()),
                                   s("notification")));
                return;
            }
            if (c)
                send(*c, result(id, {{key("notification"), notif},
                                     {key("action"), action},
                                     {key("resolved"), resolved},
                                     {key("unread"), r.value(key("unread"))}}));
            const QByteArray frame =
                encode(Type::NotifResolved, {{key("notification"), notif},
                                             {key("action"), resolved.value(key("action"))},
                                             {key("by"), resolved.value(key("by"))},
                                             {key("at"), resolved.value(key("at"))}});
            // Every recipient's devices here, and one bus event (not one per person) for the rest.
            const QJsonArray recipients = r.value(key("recipients")).toArray();
            for (const QJsonValue &u : recipients)
                toUser(u.toInteger(), frame);
            busPublish(
                "herald:all",
                {{key("k"), s("u")}, {key("u"), recipients}, {key("f"), QString::fromUtf8(frame)}});
            toUserEverywhere(userId,
                             encode(Type::NotifReadSync, {{key("ids"), QJsonArray{notif}},
                                                          {key("unread"), r.value(key("unread"))}}),
                             connId);
            Q_EMIT webhookQueued();
        });
}

} // namespace herald

namespace herald {

// ------------------------------------------------------------------ cluster: cursors and the bus

void Hub::setBus(Bus *bus, const QByteArray &nodeId)
{
    m_bus = bus;
    m_node = nodeId;
    connect(bus, &Bus::received, this, &Hub::onBus);
    connect(bus, &Bus::up, this, [this] {
        // Whatever was published while the bus was away is in storage: catch up from there,
        // and announce everyone again.
        announcePresence(true);
        resync();
    });
    m_bus->subscribe("herald:all");
    // A writer can die between commit and publish: re-read the positions now and then.
    m_resyncTimer.setInterval(3000);
    connect(&m_resyncTimer, &QTimer::timeout, this, &Hub::resync);
    m_resyncTimer.start();
    // Everyone's presence: re-announce ours every 10 s (entries expire after 30 s), read all.
    m_presenceTimerRemote.setInterval(2000);
    connect(&m_presenceTimerRemote, &QTimer::timeout, this, [this] {
        if (++m_presenceTicks % 5 == 0)
            announcePresence(true);
        m_bus->readPresence([this](const QList<qint64> &online) {
            const QSet<qint64> now(online.begin(), online.end());
            const QSet<qint64> before = std::exchange(m_remoteOnline, now);
            QSet<qint64> changed = before;
            changed.unite(now);
            for (qint64 id : std::as_const(changed))
                if (before.contains(id) != now.contains(id))
                    if (auto u = m_users.find(id); u != m_users.end())
                        updatePresence(*u);
        });
    });
    m_presenceTimerRemote.start();
    m_notifCursor = m_db->runSync([](Store &st) {
                            return QJsonObject{{QStringLiteral("max"), st.maxNotificationId()}};
                        })
                        .value(QLatin1String("max"))
                        .toInteger();
}

void Hub::busPublish(const QByteArray &channel, const QJsonObject &event)
{
    if (!m_bus)
        return;
    QJsonObject e = event;
    e.insert(QStringLiteral("n"), QString::fromLatin1(m_node));
    m_bus->publish(channel, QJsonDocument(e).toJson(QJsonDocument::Compact));
}

void Hub::structureChanged()
{
    busPublish("herald:all", {{QStringLiteral("k"), QStringLiteral("reload")}});
}

void Hub::toUserEverywhere(qint64 userId, const QByteArray &frame, quint64 except)
{
    toUser(userId, frame, except);
    busPublish("herald:all", {{QStringLiteral("k"), QStringLiteral("u")},
                              {QStringLiteral("u"), QJsonArray{userId}},
                              {QStringLiteral("f"), QString::fromUtf8(frame)}});
}

void Hub::onBus(const QByteArray &, const QByteArray &payload)
{
    const QJsonObject e = QJsonDocument::fromJson(payload).object();
    if (e.value(QLatin1String("n")).toString().toLatin1() == m_node)
        return; // our own: delivered locally already
    const QString k = e.value(QLatin1String("k")).toString();
    const QByteArray frame = e.value(QLatin1String("f")).toString().toUtf8();
    if (k == QLatin1String("m")) {
        roomEvent(e.value(QLatin1String("r")).toInteger(), e.value(QLatin1String("s")).toInteger(),
                  frame);
    } else if (k == QLatin1String("n")) {
        QList<qint64> users;
        for (const QJsonValue &v : e.value(QLatin1String("u")).toArray())
            users << v.toInteger();
        notificationEvent(e.value(QLatin1String("i")).toInteger(), users, frame);
    } else if (k == QLatin1String("u")) {
        for (const QJsonValue &v : e.value(QLatin1String("u")).toArray())
            toUser(v.toInteger(), frame);
    } else if (k == QLatin1String("reload")) {
        reloadState({}, false);
    }
}

void Hub::roomEvent(qint64 roomId, qint64 seq, const QByteArray &frame)
{
    auto it = m_rooms.find(roomId);
    if (it == m_rooms.end()) {
        if (m_bus)
            reloadState({}, false); // a room this node has not heard of yet
        return;
    }
    if (seq <= it->lastSeq)
        return; // already delivered (our own message, or filled from storage)
    if (seq == it->lastSeq + 1 || !m_bus) {
        it->lastSeq = seq;
        deliverMessage(*it, seq, frame);
        return;
    }
    // A gap: an earlier message (another node's, or a lost publish) is committed but not here
    // yet. Everything up to this one is in storage, in order.
    fillRoom(roomId);
}

void Hub::fillRoom(qint64 roomId)
{
    if (m_filling.contains(roomId)) {
        m_refill.insert(roomId);
        return;
    }
    auto it = m_rooms.constFind(roomId);
    if (it == m_rooms.constEnd())
        return;
    m_filling.insert(roomId);
    const qint64 after = it->lastSeq;
    m_db->run(
        [roomId, after](Store &st) {
            bool more = false;
            const QJsonArray rows = st.history(roomId, 0, after, 500, &more, true);
            return QJsonObject{{QStringLiteral("rows"), rows}, {QStringLiteral("more"), more}};
        },
        this,
        [this, roomId](const QJsonObject &r) {
            m_filling.remove(roomId);
            auto it = m_rooms.find(roomId);
            if (it == m_rooms.end())
                return;
            for (const QJsonValue &v : r.value(QLatin1String("rows")).toArray()) {
                const qint64 seq = v.toObject().value(QLatin1String("seq")).toInteger();
                if (seq != it->lastSeq + 1)
                    continue;
                it->lastSeq = seq;
                deliverMessage(*it, seq,
                               QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
            }
            if (r.value(QLatin1String("more")).toBool() || m_refill.remove(roomId))
                fillRoom(roomId);
        });
}

void Hub::notificationEvent(qint64 id, const QList<qint64> &users, const QByteArray &frame)
{
    if (m_bus) {
        if (id <= m_notifCursor)
            return;
        if (id != m_notifCursor + 1)
            return fillNotifications();
    }
    m_notifCursor = std::max(m_notifCursor, id);
    for (qint64 userId : users)
        deliverNotification(userId, id, frame);
}

void Hub::deliverNotification(qint64 userId, qint64 id, const QByteArray &frame)
{
    auto u = m_users.constFind(userId);
    if (u == m_users.constEnd())
        return;
    for (quint64 cid : u->conns) {
        Conn *c = conn(cid);
        if (!c)
            continue;
        if (c->holdNotifications) {
            c->heldNotifications.append(Held{id, frame});
            continue;
        }
        send(*c, frame);
        ++m_stats.notificationsDelivered;
    }
}

void Hub::fillNotifications()
{
    if (m_notifFilling) {
        m_notifRefill = true;
        return;
    }
    m_notifFilling = true;
    QSet<qint64> local;
    for (const User &u : std::as_const(m_users))
        if (!u.conns.isEmpty())
            local.insert(u.id);
    const qint64 after = m_notifCursor;
    m_db->run(
        [local, after](Store &st) {
            const qint64 t = QDateTime::currentMSecsSinceEpoch();
            QJsonObject perUser;
            const QHash<qint64, QJsonArray> rows = st.notificationsSince(after, local, t, 1000);
            for (auto it = rows.begin(); it != rows.end(); ++it)
                perUser.insert(QString::number(it.key()), it.value());
            return QJsonObject{{QStringLiteral("users"), perUser},
                               {QStringLiteral("max"), st.maxNotificationId()}};
        },
        this,
        [this, after](const QJsonObject &r) {
            m_notifFilling = false;
            if (m_notifCursor != after) {
                fillNotifications(); // moved meanwhile: read again from the new position
                return;
            }
            const QJsonObject perUser = r.value(QLatin1String("users")).toObject();
            for (auto it = perUser.begin(); it != perUser.end(); ++it)
                for (const QJsonValue &n : it.value().toArray()) {
                    const qint64 id = n.toObject().value(QLatin1String("id")).toInteger();
                    deliverNotification(
                        it.key().toLongLong(), id,
                        encode(Type::Notification, {{QStringLiteral("notification"), n}}));
                }
            m_notifCursor = std::max(m_notifCursor, r.value(QLatin1String("max")).toInteger());
            if (std::exchange(m_notifRefill, false))
                fillNotifications();
        });
}

void Hub::resync()
{
    if (!m_bus)
        return;
    const QSet<qint64> rooms = m_subscribed;
    m_db->run(
        [rooms](Store &st) {
            // Every node runs this every 3 s: positions only, not the rooms with their members.
            QJsonObject seqs;
            const QHash<qint64, qint64> all = st.roomSeqs();
            for (auto it = all.begin(); it != all.end(); ++it)
                if (rooms.contains(it.key()))
                    seqs.insert(QString::number(it.key()), it.value());
            return QJsonObject{{QStringLiteral("rooms"), seqs},
                               {QStringLiteral("max"), st.maxNotificationId()}};
        },
        this,
        [this](const QJsonObject &r) {
            const QJsonObject seqs = r.value(QLatin1String("rooms")).toObject();
            for (auto it = seqs.begin(); it != seqs.end(); ++it) {
                auto room = m_rooms.constFind(it.key().toLongLong());
                if (room != m_rooms.constEnd() && it.value().toInteger() > room->lastSeq)
                    fillRoom(room->id);
            }
            if (r.value(QLatin1String("max")).toInteger() > m_notifCursor)
                fillNotifications();
        });
}

void Hub::refreshSubscriptions()
{
    QSet<qint64> want;
    for (const User &u : std::as_const(m_users))
        if (!u.conns.isEmpty())
            want.unite(u.rooms);
    for (qint64 id : std::as_const(want))
        if (!m_subscribed.contains(id))
            m_bus->subscribe("herald:room:" + QByteArray::number(id));
    for (qint64 id : std::as_const(m_subscribed))
        if (!want.contains(id))
            m_bus->unsubscribe("herald:room:" + QByteArray::number(id));
    m_subscribed = want;
}

void Hub::announcePresence(bool everyone)
{
    QList<qint64> on;
    if (everyone) {
        for (const User &u : std::as_const(m_users))
            if (!u.conns.isEmpty())
                on << u.id;
    } else {
        on = QList<qint64>(m_announceOn.begin(), m_announceOn.end());
    }
    const QList<qint64> off(m_announceOff.begin(), m_announceOff.end());
    m_announceOn.clear();
    m_announceOff.clear();
    if (!on.isEmpty() || !off.isEmpty())
        m_bus->announcePresence(on, off, 30);
}

} // namespace herald
