#pragma once

#include <QtGlobal>

namespace herald {

/**
 * @brief The server's wall clock, in milliseconds since the epoch. Everything that compares
 * stored times with "now" (message and notification times, session idle expiry) reads it.
 *
 * Tests move it instead of waiting: HERALD_TEST_CLOCK_OFFSET_MS (read once, at the first call)
 * shifts a server process's clock, and setTestOffset() shifts the clock of a test's own
 * in-process hub. Production leaves both at 0.
 */
namespace clock {
/** @brief Now, in milliseconds since the epoch, plus the test offset. */
qint64 nowMs();
/** @brief Moves the clock by offsetMs from the real time (tests only). */
void setTestOffset(qint64 offsetMs);
[[nodiscard]] qint64 testOffset();
} // namespace clock

} // namespace herald
