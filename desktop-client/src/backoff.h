// Reconnect delays: exponential growth with "full jitter" (AWS architecture blog), so that a
// server restart is not answered by every client at the same instant.
#pragma once

#include <QRandomGenerator>

#include <chrono>

/** @brief Exponential backoff with full jitter: delay n is uniform in [floor, min(cap, initial *
 * 2^n)]. */
class Backoff
{
public:
    using ms = std::chrono::milliseconds;

    explicit Backoff(ms initial = ms(1000), ms cap = ms(30000), ms floor = ms(100));

    /** @brief The delay before the next attempt; counts the attempt. */
    [[nodiscard]] ms next();
    /** @brief Upper bound of the delay next() returns now. */
    [[nodiscard]] ms ceiling() const;
    /** @brief Back to the first step, after a connection proved stable. */
    void reset() { m_attempt = 0; }

    [[nodiscard]] int attempts() const { return m_attempt; }
    [[nodiscard]] ms initial() const { return m_initial; }
    [[nodiscard]] ms cap() const { return m_cap; }
    [[nodiscard]] ms floor() const { return m_floor; }
    void setLimits(ms initial, ms cap, ms floor = ms(100));
    /** @brief Tests seed the generator to make a run reproducible. */
    void seed(quint32 value) { m_random.seed(value); }

private:
    ms m_initial;
    ms m_cap;
    ms m_floor;
    int m_attempt = 0;
    QRandomGenerator m_random{QRandomGenerator::securelySeeded()};
};
