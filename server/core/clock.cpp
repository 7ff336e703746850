#include "clock.h"

#include <QDateTime>

#include <atomic>

namespace herald::clock {

namespace {
std::atomic<qint64> &offset()
{
    static std::atomic<qint64> value{
        qEnvironmentVariableIsSet("HERALD_TEST_CLOCK_OFFSET_MS")
            ? qEnvironmentVariable("HERALD_TEST_CLOCK_OFFSET_MS").toLongLong()
            : 0};
    return value;
}
} // namespace

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch() + offset().load(std::memory_order_relaxed);
}

void setTestOffset(qint64 offsetMs)
{
    offset().store(offsetMs, std::memory_order_relaxed);
}

qint64 testOffset()
{
    return offset().load(std::memory_order_relaxed);
}

} // namespace herald::clock
