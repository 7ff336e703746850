// herald-bench: shared helpers of the controller and the worker processes.
#pragma once

#include <QJsonArray>
#include <QJsonObject>

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

/** @brief CLOCK_MONOTONIC in nanoseconds: one clock for every process on the machine. */
inline int64_t nowNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

/**
 * @brief Log-linear histogram of microseconds: exact below 256 us, then 128 sub-buckets per
 * power of two (under 0.8 % relative error). Cheap to add to, merge and ship between processes.
 */
struct Histogram
{
    static constexpr int Size = 256 + 48 * 128;
    std::vector<uint64_t> b = std::vector<uint64_t>(Size, 0);
    uint64_t count = 0;
    uint64_t maxUs = 0;

    static int index(uint64_t us)
    {
        if (us < 256)
            return int(us);
        const int msb = 63 - __builtin_clzll(us);
        const int idx = 256 + (msb - 8) * 128 + int((us >> (msb - 7)) - 128);
        return idx < Size ? idx : Size - 1;
    }
    static uint64_t lowerBound(int idx)
    {
        if (idx < 256)
            return uint64_t(idx);
        const int msb = (idx - 256) / 128 + 8;
        const uint64_t mant = uint64_t((idx - 256) % 128 + 128);
        return mant << (msb - 7);
    }
    void add(int64_t us)
    {
        if (us < 0)
            us = 0;
        ++b[size_t(index(uint64_t(us)))];
        ++count;
        if (uint64_t(us) > maxUs)
            maxUs = uint64_t(us);
    }
    void merge(const Histogram &o)
    {
        for (int i = 0; i < Size; ++i)
            b[size_t(i)] += o.b[size_t(i)];
        count += o.count;
        maxUs = std::max(maxUs, o.maxUs);
    }
    /** @brief Value (us) at quantile q in [0,1]. */
    double percentile(double q) const
    {
        if (!count)
            return 0;
        const uint64_t rank = uint64_t(q * double(count - 1)) + 1;
        uint64_t seen = 0;
        for (int i = 0; i < Size; ++i) {
            seen += b[size_t(i)];
            if (seen >= rank) {
                // bucket midpoint, clamped to the real maximum
                const double lo = double(lowerBound(i));
                const double hi = i + 1 < Size ? double(lowerBound(i + 1)) : lo;
                return std::min(double(maxUs), (lo + hi) / 2.0);
            }
        }
        return double(maxUs);
    }
    QJsonObject toJson() const
    {
        QJsonArray a;
        for (int i = 0; i < Size; ++i)
            if (b[size_t(i)])
                a.append(QJsonArray{i, qint64(b[size_t(i)])});
        return QJsonObject{{QStringLiteral("b"), a}, {QStringLiteral("max"), qint64(maxUs)}};
    }
    void mergeJson(const QJsonObject &o)
    {
        for (const QJsonValue &v : o.value(QLatin1String("b")).toArray()) {
            const QJsonArray p = v.toArray();
            const int i = p.at(0).toInt();
            const uint64_t n = uint64_t(p.at(1).toInteger());
            if (i >= 0 && i < Size) {
                b[size_t(i)] += n;
                count += n;
            }
        }
        maxUs = std::max<uint64_t>(maxUs, uint64_t(o.value(QLatin1String("max")).toInteger()));
    }
    /** @brief {p50, p90, p99, max, count} in milliseconds. */
    QJsonObject summaryMs() const
    {
        auto ms = [](double us) { return double(qRound64(us)) / 1000.0; };
        return QJsonObject{{QStringLiteral("count"), qint64(count)},
                           {QStringLiteral("p50_ms"), ms(percentile(0.50))},
                           {QStringLiteral("p90_ms"), ms(percentile(0.90))},
                           {QStringLiteral("p99_ms"), ms(percentile(0.99))},
                           {QStringLiteral("max_ms"), ms(double(maxUs))}};
    }
};

/** @brief Worker entry point (herald-bench worker ...). */
int workerMain(int argc, char **argv);

} // namespace bench
