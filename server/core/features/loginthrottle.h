#pragma once

#include <QHash>
#include <QList>
#include <QString>

namespace herald {

/**
 * @brief Slows password guessing down: sign-in attempts per client address, and failed
 * sign-ins per account name.
 *
 * The address limit stops one client from trying many passwords or many names; the account
 * limit stops many clients (a botnet, or one client behind rotating addresses) from trying
 * many passwords on one name. Unknown names are counted like known ones, so the answers do
 * not tell which names exist. Both windows slide, and a successful sign-in clears the
 * account's failures. Time comes from the caller, so tests drive it.
 */
class LoginThrottle
{
public:
    struct Limits
    {
        int attemptsPerAddress = 10;          ///< any outcome, per addressWindowMs
        qint64 addressWindowMs = 60'000;      ///< one minute
        int failuresPerAccount = 10;          ///< wrong passwords, per accountWindowMs
        qint64 accountWindowMs = 15 * 60'000; ///< fifteen minutes
        int maxTracked = 10'000;              ///< addresses and names kept before pruning
    };
    enum class Verdict { Allowed, AddressLimited, AccountLimited };

    LoginThrottle() = default;
    explicit LoginThrottle(Limits limits)
        : m_limits(limits)
    {
    }

    /** @brief Whether to try this attempt; an allowed attempt counts for its address. */
    Verdict admit(const QString &address, const QString &account, qint64 nowMs);
    /** @brief The attempt was a wrong password (or an unknown name). */
    void failed(const QString &account, qint64 nowMs);
    /** @brief The attempt signed in: the account's failures are forgotten. */
    void succeeded(const QString &account);
    /** @brief How long until the limit that refused the last attempt lets one through. */
    qint64 retryAfterMs(Verdict verdict, const QString &address, const QString &account,
                        qint64 nowMs) const;
    const Limits &limits() const { return m_limits; }

private:
    static void expire(QList<qint64> &times, qint64 nowMs, qint64 windowMs);
    static void prune(QHash<QString, QList<qint64>> &map, qint64 nowMs, qint64 windowMs,
                      int maxTracked);

    Limits m_limits;
    QHash<QString, QList<qint64>> m_byAddress;
    QHash<QString, QList<qint64>> m_failuresByAccount;
};

} // namespace herald
