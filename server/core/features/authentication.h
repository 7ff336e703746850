#pragma once

#include "core/hubcontext.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <optional>

namespace herald {

/**
 * @brief Authentication: the token cache (hashes only), checking a connection's token and
 * starting its session (hello), password login, service tokens for publishers, and ending the
 * sessions whose token was revoked or whose person was disabled. Sessions end: signing out
 * revokes the token, and a session token unused for session_idle_days is refused (4010). When
 * and from where each token was last used is recorded off the hot path: at most once a minute
 * per token, in batches (see recordUse()).
 */
class Authentication : public QObject
{
    Q_OBJECT
public:
    using Reply = std::function<void(const QJsonObject &)>;

    explicit Authentication(HubContext &ctx, QObject *parent = nullptr);

    /** @brief Replaces the token cache with what storage holds. */
    void setTokens(const QList<TokenRow> &tokens);
    /** @brief Checks a connection's token (from memory, else storage) and, when it is good,
     *  starts the session: hello, then the frames that came meanwhile. */
    void authenticate(Conn &c, const QString &token);
    /** @brief Closes the sessions whose person is disabled or not among `people` (4004), or
     *  whose token is no longer cached (revoked, 4003). */
    void endInvalidSessions(const QSet<qint64> &people);
    void connectionClosed(quint64 connId) { m_sessionToken.remove(connId); }
    /** @brief The id of the token connection connId authenticated with (its device), or 0. */
    [[nodiscard]] qint64 tokenOf(quint64 connId) const { return m_sessionToken.value(connId); }

    /** @brief Password login: {token, user} or {error,...}. */
    void login(const QString &username, const QString &password, Reply done);
    /** @brief A service token's service id, or 0 (synchronous, from memory). A good token's
     *  use (from the peer address `from`) is recorded. */
    [[nodiscard]] qint64 serviceForToken(const QString &token, const QString &from);
    /** @brief A person's session token on an HTTP request: done gets their user id, or 0 (a
     *  bad, revoked, expired or service token, or a disabled person). From memory when the
     *  cache knows the token and it has not expired there, else from storage. A good token's
     *  use is recorded. */
    void personForToken(const QString &token, const QString &from,
                        std::function<void(qint64)> done);
    /** @brief Signing out: revokes a person's token (checked against storage, so that a token
     *  revoked on another node counts) and closes its connections on every node (4003).
     *  done gets {status} or {error,...} (unauthorized for a bad, revoked or expired token). */
    void logout(const QString &token, Reply done);
    /** @brief Counts an open connection as use of its token, once an hour per token: a person
     *  who keeps a client running never sees the session expire. The hub calls it each minute. */
    void refreshOpenSessions();
    /** @brief Queues the uses not written yet (the hub calls it when shutting down, before
     *  storage finishes its queue). */
    void flushUses();

    /** @brief How often a token's use is written at most (per token). */
    static constexpr qint64 UseWriteIntervalMs = 60 * 1000;
    /** @brief How often an open connection counts as use of its token. */
    static constexpr qint64 OpenSessionRefreshMs = 60 * 60 * 1000;

private:
    [[nodiscard]] static bool checkToken(const TokenRow &t, const QByteArray &secret);
    /** @brief A session token not used for session_idle_days (never for other kinds). */
    [[nodiscard]] bool expired(const TokenRow &t) const;
    void recordUse(qint64 tokenId, const QString &from);
    /** @brief The cache says the token expired: storage may know a later use (another node). */
    void recheckExpiry(quint64 connId, qint64 tokenId);
    void sessionExpired(Conn &c);
    void authFailed(Conn &c, const QString &why);
    void startSession(quint64 connId, const TokenRow &token);
    void issueSession(const UserRow &user, Reply done);

    HubContext &m_ctx;
    QHash<qint64, TokenRow> m_tokens;
    QHash<qint64, int> m_pendingAuths;     // person -> connections past the token check, waiting
                                           // for their hello
    QHash<quint64, qint64> m_sessionToken; // connection -> the token it authenticated with
    QHash<qint64, TokenUse> m_uses;        // token -> its latest use, not written yet
    QTimer m_flushTimer;                   // writes m_uses in one job, a second after the first
};

} // namespace herald
