#include "authentication.h"

#include "core/wire.h"

#include "delivery.h"
#include "presencetracker.h"
#include "roomdirectory.h"
#include "roomnotifications.h"

#include "core/config.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QPointer>
#include <QThreadPool>

namespace herald {

using namespace proto;
using namespace feature;

namespace {
constexpr int HelloNotifications = 50;
constexpr int UseFlushDelayMs = 1000;

/** @brief Where a connection comes from, without the port (the edge's peers say "ip:port"). */
QString hostOf(const Conn &c)
{
    if (!c.peer)
        return {};
    const QString a = c.peer->address();
    const qsizetype colon = a.lastIndexOf(QLatin1Char(':'));
    bool port = false;
    if (colon > 0)
        a.mid(colon + 1).toUShort(&port);
    return port ? a.left(colon) : a;
}

/** @brief What hello carries from the inbox. */
struct HelloInbox
{
    qint64 unread = 0;
    QList<NotificationRow> notifications;
    qint64 notifSeq = 0;
    qint64 lastChange = 0;
    QHash<qint64, ReadMark> reads;         ///< by room id
    QHash<qint64, RoomNotifyLevel> notify; ///< by room id: the person's choices in force
    bool sendsReceipts = true;             ///< receipts.set
};
/** @brief A person and their stored password hash (empty: unknown, or no password). */
struct Credentials
{
    UserRow user;
    QString hash;
};
/** @brief A session token just issued: its text (never stored) and its cached row. */
struct Session
{
    QString token;
    TokenRow row;
};
} // namespace

Authentication::Authentication(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
    // Make the dummy hash now, off this thread, so that no login waits for it.
    QThreadPool::globalInstance()->start([] { crypto::dummyPasswordHash(); });
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(UseFlushDelayMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &Authentication::flushUses);
}

void Authentication::setTokens(const QList<TokenRow> &tokens)
{
    QHash<qint64, TokenRow> fresh;
    fresh.reserve(tokens.size());
    for (const TokenRow &t : tokens) {
        TokenRow &row = fresh[t.id] = t;
        // A use seen here but not written yet is newer than what storage returned.
        if (const auto old = m_tokens.constFind(t.id);
            old != m_tokens.constEnd() && old->lastUsedAt > row.lastUsedAt) {
            row.lastUsedAt = old->lastUsedAt;
            row.lastUsedFrom = old->lastUsedFrom;
        }
    }
    m_tokens = std::move(fresh);
}

bool Authentication::checkToken(const TokenRow &t, const QByteArray &secret)
{
    return !t.revoked && crypto::constantTimeEquals(crypto::tokenHash(secret), t.hash);
}

bool Authentication::expired(const TokenRow &t) const
{
    return t.idleExpired(m_ctx.config.sessionIdleDays, now());
}

void Authentication::recordUse(qint64 tokenId, const QString &from)
{
    const auto it = m_tokens.find(tokenId);
    if (it == m_tokens.end())
        return;
    // At most one write per token a minute: a publisher's thousand requests a second cost one
    // row update a minute, batched with every other token's in one storage job.
    const qint64 t = now();
    if (it->lastUsedAt && t - it->lastUsedAt < UseWriteIntervalMs)
        return;
    it->lastUsedAt = t;
    it->lastUsedFrom = from;
    m_uses.insert(tokenId, TokenUse{tokenId, t, from});
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void Authentication::flushUses()
{
    if (m_uses.isEmpty())
        return;
    const QList<TokenUse> uses = m_uses.values();
    m_uses.clear();
    m_ctx.db.run<Ok>(
        [uses](Store &st) -> StoreResult<Ok> {
            if (auto e = st.recordTokenUses(uses))
                return *e;
            return Ok{};
        },
        this,
        [](StoreResult<Ok> r) {
            if (const StoreError *e = std::get_if<StoreError>(&r))
                qCWarning(lcHub).noquote() << "recording token use failed:" << e->message;
        });
}

void Authentication::refreshOpenSessions()
{
    const qint64 t = now();
    for (auto it = m_sessionToken.cbegin(); it != m_sessionToken.cend(); ++it) {
        const auto token = m_tokens.constFind(it.value());
        if (token == m_tokens.constEnd() || t - token->lastUsedAt < OpenSessionRefreshMs)
            continue;
        const Conn *c = m_ctx.conns.find(it.key());
        if (c && c->authed && !c->closing)
            recordUse(it.value(), hostOf(*c));
    }
}

void Authentication::sessionExpired(Conn &c)
{
    ++m_ctx.stats.authFailures;
    qCInfo(lcHub).noquote() << "auth failed from" << (c.peer ? c.peer->address() : QString())
                            << ": session expired";
    m_ctx.conns.send(c, error(QJsonValue(), s(Err::Unauthorized), s("session expired")));
    m_ctx.conns.close(c, Close::SessionExpired, s("session expired"));
}

void Authentication::recheckExpiry(quint64 connId, qint64 tokenId)
{
    m_ctx.db.run<std::optional<TokenRow>>(
        [tokenId](Store &st) { return st.token(tokenId); }, this,
        [this, connId, tokenId](StoreResult<std::optional<TokenRow>> r) {
            Conn *c = m_ctx.conns.find(connId);
            if (!c)
                return;
            const auto cached = m_tokens.find(tokenId);
            if (cached == m_tokens.end())
                return authFailed(*c, s("invalid or revoked token"));
            if (const auto *row = std::get_if<std::optional<TokenRow>>(&r); row && *row) {
                if ((*row)->revoked)
                    return authFailed(*c, s("invalid or revoked token"));
                if ((*row)->lastUsedAt > cached->lastUsedAt) {
                    cached->lastUsedAt = (*row)->lastUsedAt;
                    cached->lastUsedFrom = (*row)->lastUsedFrom;
                }
            }
            if (expired(*cached))
                return sessionExpired(*c);
            startSession(connId, *cached);
        });
}

void Authentication::authFailed(Conn &c, const QString &why)
{
    ++m_ctx.stats.authFailures;
    // Never log the token: only where the attempt came from and why it failed.
    qCInfo(lcHub).noquote() << "auth failed from" << (c.peer ? c.peer->address() : QString()) << ":"
                            << why;
    m_ctx.conns.send(c, error(QJsonValue(), s(Err::Unauthorized), why));
    m_ctx.conns.close(c, Close::AuthFailed, why);
}

void Authentication::authenticate(Conn &c, const QString &token)
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
        if (expired(*it))
            return recheckExpiry(c.id, tokenId);
        return startSession(c.id, *it);
    }
    // Not in memory (issued by heraldctl since the last reload): ask storage.
    const quint64 connId = c.id;
    m_ctx.db.run<bool>([tokenId](Store &st) { return st.token(tokenId).has_value(); }, this,
                       [this, connId, tokenId, secret](StoreResult<bool> found) {
                           Conn *c = m_ctx.conns.find(connId);
                           if (!c)
                               return;
                           if (!std::holds_alternative<bool>(found) || !std::get<bool>(found))
                               return authFailed(*c, s("invalid or revoked token"));
                           // Load the token row and the user (possibly new) into memory, then
                           // check.
                           m_ctx.reload(
                               [this, connId, tokenId, secret] {
                                   Conn *c = m_ctx.conns.find(connId);
                                   if (!c)
                                       return;
                                   const auto t = m_tokens.constFind(tokenId);
                                   if (t == m_tokens.constEnd() || !checkToken(*t, secret))
                                       return authFailed(*c, s("invalid or revoked token"));
                                   if (expired(*t))
                                       return sessionExpired(*c);
                                   startSession(connId, *t);
                               },
                               true);
                       });
}

void Authentication::startSession(quint64 connId, const TokenRow &token)
{
    Conn *c = m_ctx.conns.find(connId);
    if (!c || c->closing)
        return;
    const RoomDirectory::User *u = m_ctx.directory->user(token.userId);
    if (token.kind == QLatin1String("service") || !u)
        return authFailed(*c, s("this token cannot open a connection"));
    if (u->disabled) {
        m_ctx.conns.send(*c, error(QJsonValue(), s(Err::Forbidden), s("account disabled")));
        return m_ctx.conns.close(*c, Close::UserDisabled, s("account disabled"));
    }
    const qint64 userId = u->id;
    if (m_ctx.conns.count(userId) + m_pendingAuths.value(userId) >=
        m_ctx.config.maxConnectionsPerUser) {
        m_ctx.conns.send(
            *c, error(QJsonValue(), s(Err::RateLimited), s("too many connections for this user")));
        return m_ctx.conns.close(*c, Close::TooManyConnections,
                                 s("too many connections for this user"));
    }
    c->userId = userId;
    m_sessionToken.insert(connId, token.id);
    recordUse(token.id, hostOf(*c));
    ++m_pendingAuths[userId];
    m_ctx.db.run<HelloInbox>(
        [userId](Store &st) {
            const qint64 t = now();
            HelloInbox inbox;
            // The change number first: a change after it is sent again on resume (harmless).
            inbox.lastChange = st.lastNotificationChange();
            inbox.unread = st.unreadCount(userId, t);
            inbox.notifications =
                st.notifications(userId, 0, 0, HelloNotifications, true, t, nullptr);
            inbox.notifSeq = st.lastNotificationId(userId);
            inbox.reads = st.readMarks(userId);
            inbox.notify = st.notifyLevels(userId, t);
            inbox.sendsReceipts = st.sendsReceipts(userId);
            return inbox;
        },
        this,
        [this, connId, userId](StoreResult<HelloInbox> r) {
            if (auto p = m_pendingAuths.find(userId); p != m_pendingAuths.end() && --*p <= 0)
                m_pendingAuths.erase(p);
            Conn *c = m_ctx.conns.find(connId);
            const RoomDirectory::User *u = m_ctx.directory->user(userId);
            if (!c || c->closing || !u)
                return;
            m_ctx.conns.authenticated(*c);
            m_ctx.presence->update(userId);
            const HelloInbox *inbox = std::get_if<HelloInbox>(&r);
            QJsonArray rooms;
            for (qint64 roomId : u->rooms)
                if (const RoomDirectory::Room *room = m_ctx.directory->room(roomId)) {
                    QJsonObject json = m_ctx.directory->roomJson(*room, userId);
                    if (inbox)
                        if (const auto mark = inbox->reads.constFind(roomId);
                            mark != inbox->reads.cend()) {
                            json.insert(key("readSeq"), mark->seq);
                            json.insert(key("unread"), mark->unread);
                            json.insert(key("mentions"), mark->mentions);
                        }
                    if (inbox)
                        if (const auto level = inbox->notify.constFind(roomId);
                            level != inbox->notify.cend())
                            json.insert(key("notify"), RoomNotifications::toJson(*level));
                    rooms.append(json);
                }
            QJsonObject hello{
                {key("protocol"), Version},
                {key("server"), QStringLiteral("herald " HERALD_VERSION)},
                {key("user"), QJsonObject{{key("name"), u->name}, {key("display"), u->display}}},
                {key("online"), m_ctx.presence->onlineCountForHello(connId)},
                {key("heartbeat"), m_ctx.config.heartbeatInterval},
                {key("rooms"), rooms}};
            if (inbox) {
                hello.insert(key("unread"), inbox->unread);
                hello.insert(key("notifications"), wire::toJson(inbox->notifications));
                hello.insert(key("notifSeq"), inbox->notifSeq);
                hello.insert(key("notifChanges"), inbox->lastChange);
                hello.insert(key("receipts"), inbox->sendsReceipts);
            }
            m_ctx.delivery->holdSinceHello(connId, u->rooms);
            m_ctx.conns.send(*c, encode(Type::Hello, hello));
            qCInfo(lcHub).noquote()
                << "connected" << u->name << "from" << (c->peer ? c->peer->address() : QString());
            const QList<QByteArray> early = std::exchange(c->early, {});
            for (const QByteArray &f : early)
                m_ctx.text(connId, f);
        });
}

void Authentication::endInvalidSessions(const QSet<qint64> &people)
{
    m_ctx.conns.forEach([&](Conn &c) {
        if (!c.authed || c.closing)
            return;
        const RoomDirectory::User *u = m_ctx.directory->user(c.userId);
        if (!u || u->disabled || !people.contains(c.userId)) {
            m_ctx.conns.send(c, error(QJsonValue(), s(Err::Forbidden), s("account disabled")));
            m_ctx.conns.close(c, Close::UserDisabled, s("account disabled"));
        } else if (!m_tokens.contains(m_sessionToken.value(c.id))) {
            m_ctx.conns.send(c, error(QJsonValue(), s(Err::Unauthorized), s("token revoked")));
            m_ctx.conns.close(c, Close::TokenRevoked, s("token revoked"));
        }
    });
}

void Authentication::login(const QString &username, const QString &password, Reply done)
{
    // 1. read the hash (storage thread), 2. run the slow Argon2id on a pool thread, so that a
    // login burst stalls neither the network loop nor storage, 3. issue a session token.
    m_ctx.db.run<Credentials>(
        [username](Store &st) {
            const auto row = st.passwordHash(username);
            return row ? Credentials{row->first, row->second} : Credentials{};
        },
        this,
        [this, password, done](StoreResult<Credentials> r) {
            const Credentials u =
                std::holds_alternative<Credentials>(r) ? std::get<Credentials>(r) : Credentials{};
            QPointer<Authentication> self(this);
            // The answer is posted to the application (it outlives the pool's threads) and
            // `self` is looked at here, on this thread: posting to `self` from the pool would
            // race with its destruction here (see Database::Task::viaDatabase).
            QCoreApplication *app = QCoreApplication::instance();
            QObject *mailbox =
                app && app->thread() == thread() ? static_cast<QObject *>(app) : this;
            QThreadPool::globalInstance()->start([self, mailbox, u, password, done] {
                // Unknown users cost the same time as known ones: names cannot be probed.
                const bool ok =
                    crypto::verifyPassword(password, u.hash.isEmpty() ? crypto::dummyPasswordHash()
                                                                      : u.hash) &&
                    !u.hash.isEmpty();
                // A PBKDF2 hash of an older release (or weaker Argon2id limits) is replaced now
                // that the password is known: still here, off the network and storage threads.
                const QString rehash =
                    ok && crypto::needsRehash(u.hash) ? crypto::hashPassword(password) : QString();
                QMetaObject::invokeMethod(
                    mailbox,
                    [self, u, ok, rehash, done] {
                        if (!self)
                            return;
                        if (!ok)
                            return done(errorJson(
                                storeError(Err::Unauthorized, s("wrong username or password"))));
                        if (u.user.disabled)
                            return done(errorJson(
                                storeError(Err::Forbidden, s("this account is disabled"))));
                        if (!rehash.isEmpty())
                            self->m_ctx.db.run<Ok>(
                                [id = u.user.id, old = u.hash, rehash](Store &st) {
                                    st.replacePasswordHash(id, old, rehash);
                                    return Ok{};
                                },
                                self.data(), [](StoreResult<Ok>) {});
                        self->issueSession(u.user, done);
                    },
                    Qt::QueuedConnection);
            });
        });
}

void Authentication::issueSession(const UserRow &user, Reply done)
{
    const qint64 userId = user.id;
    m_ctx.db.run<Session>(
        [userId](Store &st) -> StoreResult<Session> {
            auto t = st.issueToken(userId, 0, s("session"), s("login"));
            if (const StoreError *e = std::get_if<StoreError>(&t))
                return *e;
            Session session;
            session.token = std::get<QString>(t);
            QByteArray secret;
            session.row.id = crypto::parseToken(session.token, &secret);
            session.row.hash = crypto::tokenHash(secret);
            session.row.userId = userId;
            session.row.kind = s("session");
            session.row.createdAt = now(); // within a moment of the stored created_at
            return session;
        },
        this,
        [this, user, done](StoreResult<Session> r) {
            if (const StoreError *e = std::get_if<StoreError>(&r))
                return done(errorJson(*e));
            const Session &session = std::get<Session>(r);
            m_tokens.insert(session.row.id, session.row);
            done(QJsonObject{{key("token"), session.token},
                             {key("user"), QJsonObject{{key("name"), user.name},
                                                       {key("display"), user.display}}}});
        });
}

qint64 Authentication::serviceForToken(const QString &token, const QString &from)
{
    QByteArray secret;
    const qint64 id = crypto::parseToken(token, &secret);
    const auto it = m_tokens.constFind(id);
    if (!id || it == m_tokens.constEnd() || it->kind != QLatin1String("service") ||
        !checkToken(*it, secret))
        return 0;
    const qint64 serviceId = it->serviceId;
    recordUse(id, from);
    return serviceId;
}

void Authentication::personForToken(const QString &token, const QString &from,
                                    std::function<void(qint64)> done)
{
    QByteArray secret;
    const qint64 id = crypto::parseToken(token, &secret);
    if (!id)
        return done(0);
    // The person behind a good token row, or 0, as a connection's start checks it.
    const auto person = [this](const TokenRow &t) -> qint64 {
        const RoomDirectory::User *u = m_ctx.directory->user(t.userId);
        if (t.kind == QLatin1String("service") || !t.userId || !u || u->disabled)
            return 0;
        return u->id;
    };
    const auto it = m_tokens.constFind(id);
    if (it != m_tokens.constEnd() && !expired(*it)) {
        const qint64 userId = checkToken(*it, secret) ? person(*it) : 0;
        if (userId)
            recordUse(id, from);
        return done(userId);
    }
    // Unknown here (issued on another node or by heraldctl) or expired in the cache (another
    // node may have seen a later use): storage decides.
    m_ctx.db.run<std::optional<TokenRow>>(
        [id](Store &st) { return st.token(id); }, this,
        [this, id, secret, from, person,
         done = std::move(done)](StoreResult<std::optional<TokenRow>> r) {
            const auto *row = std::get_if<std::optional<TokenRow>>(&r);
            if (!row || !*row || !checkToken(**row, secret) || expired(**row))
                return done(0);
            const qint64 userId = person(**row);
            if (userId && m_tokens.contains(id))
                recordUse(id, from);
            done(userId);
        });
}

void Authentication::logout(const QString &token, Reply done)
{
    QByteArray secret;
    const qint64 id = crypto::parseToken(token, &secret);
    const auto refuse = [done](const QString &why) {
        done(errorJson(storeError(Err::Unauthorized, why)));
    };
    if (!id)
        return refuse(s("sign out needs the session token as the bearer"));
    // Storage, not the cache: a token revoked on another node is refused here too.
    m_ctx.db.run<std::optional<TokenRow>>(
        [id](Store &st) { return st.token(id); }, this,
        [this, id, secret, done, refuse](StoreResult<std::optional<TokenRow>> r) {
            if (const StoreError *e = std::get_if<StoreError>(&r))
                return done(errorJson(*e));
            const std::optional<TokenRow> &row = std::get<std::optional<TokenRow>>(r);
            if (!row || !checkToken(*row, secret) || !row->userId)
                return refuse(s("invalid or revoked token"));
            if (expired(*row))
                return refuse(s("session expired"));
            m_ctx.db.run<Ok>(
                [id](Store &st) -> StoreResult<Ok> {
                    if (auto e = st.revokeToken(id))
                        return *e;
                    return Ok{};
                },
                this,
                [this, done](StoreResult<Ok> revoked) {
                    if (const StoreError *e = std::get_if<StoreError>(&revoked))
                        return done(errorJson(*e));
                    // heraldctl's path: every node re-reads its tokens and closes the
                    // connections of this one with 4003.
                    m_ctx.reload(
                        [done] {
                            done(QJsonObject{{key("status"), s("signed out")}});
                        },
                        true);
                });
        });
}

} // namespace herald
