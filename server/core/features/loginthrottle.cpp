#include "loginthrottle.h"

#include <algorithm>

namespace herald {

void LoginThrottle::expire(QList<qint64> &times, qint64 nowMs, qint64 windowMs)
{
    times.removeIf([nowMs, windowMs](qint64 t) { return nowMs - t >= windowMs; });
}

void LoginThrottle::prune(QHash<QString, QList<qint64>> &map, qint64 nowMs, qint64 windowMs,
                          int maxTracked)
{
    if (map.size() <= maxTracked)
        return;
    map.removeIf([nowMs, windowMs](const auto &it) {
        return it.value().isEmpty() || nowMs - it.value().last() >= windowMs;
    });
}

LoginThrottle::Verdict LoginThrottle::admit(const QString &address, const QString &account,
                                            qint64 nowMs)
{
    QList<qint64> &recent = m_byAddress[address];
    expire(recent, nowMs, m_limits.addressWindowMs);
    if (recent.size() >= m_limits.attemptsPerAddress)
        return Verdict::AddressLimited;
    auto failures = m_failuresByAccount.find(account);
    if (failures != m_failuresByAccount.end()) {
        expire(*failures, nowMs, m_limits.accountWindowMs);
        if (failures->size() >= m_limits.failuresPerAccount)
            return Verdict::AccountLimited;
    }
    recent << nowMs;
    prune(m_byAddress, nowMs, m_limits.addressWindowMs, m_limits.maxTracked);
    return Verdict::Allowed;
}

void LoginThrottle::failed(const QString &account, qint64 nowMs)
{
    QList<qint64> &failures = m_failuresByAccount[account];
    expire(failures, nowMs, m_limits.accountWindowMs);
    failures << nowMs;
    prune(m_failuresByAccount, nowMs, m_limits.accountWindowMs, m_limits.maxTracked);
}

void LoginThrottle::succeeded(const QString &account)
{
    m_failuresByAccount.remove(account);
}

qint64 LoginThrottle::retryAfterMs(Verdict verdict, const QString &address, const QString &account,
                                   qint64 nowMs) const
{
    const bool byAddress = verdict == Verdict::AddressLimited;
    if (!byAddress && verdict != Verdict::AccountLimited)
        return 0;
    const auto &map = byAddress ? m_byAddress : m_failuresByAccount;
    const auto it = map.constFind(byAddress ? address : account);
    const int limit = byAddress ? m_limits.attemptsPerAddress : m_limits.failuresPerAccount;
    const qint64 window = byAddress ? m_limits.addressWindowMs : m_limits.accountWindowMs;
    if (it == map.constEnd() || it->size() < limit)
        return 0;
    // The oldest attempt that still counts leaves the window first.
    const qint64 oldest = (*it)[it->size() - limit];
    return std::max<qint64>(0, oldest + window - nowMs);
}

} // namespace herald
