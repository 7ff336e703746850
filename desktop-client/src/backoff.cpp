#include "backoff.h"

#include <algorithm>

Backoff::Backoff(ms initial, ms cap, ms floor)
{
    setLimits(initial, cap, floor);
}

void Backoff::setLimits(ms initial, ms cap, ms floor)
{
    m_initial = std::max(initial, ms(1));
    m_cap = std::max(cap, m_initial);
    m_floor = std::min(floor, m_initial);
}

Backoff::ms Backoff::ceiling() const
{
    // Doubling stops once the cap is reached, so the shift never overflows.
    qint64 bound = m_initial.count();
    for (int i = 0; i < m_attempt && bound < m_cap.count(); ++i)
        bound *= 2;
    return ms(std::min(bound, qint64(m_cap.count())));
}

Backoff::ms Backoff::next()
{
    const qint64 high = ceiling().count();
    ++m_attempt;
    // Full jitter: anywhere between zero and the ceiling, kept above a small floor so that a
    // client never spins on a dead server.
    const auto pick = qint64(m_random.bounded(double(high) + 1.0));
    return ms(std::max(pick, qint64(m_floor.count())));
}
