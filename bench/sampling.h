// herald-bench controller: process sampling from /proc (the server's CPU time and RSS, and how
// busy the rest of the machine is).
#pragma once

#include <QJsonObject>

#include <cstdint>
#include <map>
#include <string>
#include <sys/types.h>

namespace bench {

/** @brief CPU time of one process so far, in total and per thread name. */
struct CpuSample
{
    double total = 0;                      // seconds, utime + stime
    std::map<std::string, double> threads; // comm -> seconds (same names added up)
};

CpuSample cpuOf(pid_t pid);
long long rssKiB(pid_t pid);

/** Busy CPU seconds of the whole machine so far (/proc/stat, all cores). */
double machineBusySeconds();

/** Cores used by everything on the machine over `ms` milliseconds. */
double machineBusyCores(int ms);

/** {cpu_seconds, wall_seconds, cores_used, threads: [{thread, cpu_seconds, cores}]} from a to b. */
QJsonObject cpuDelta(const CpuSample &a, const CpuSample &b, double wallSec);

/** CPU seconds (user + system) of this process so far. */
double selfCpuSeconds();

/**
 * @brief What else ran on the (possibly shared) machine: measured before the run, optionally
 * waiting for it to be quiet, and over the run.
 */
struct MachineWatch
{
    double busyBefore = 0;   // cores used by others just before the run
    double busySeconds0 = 0; // machineBusySeconds() at the start of the run
    double loadavg1 = 0;

    /** Measures the machine, waiting up to quietWaitSec for others to leave the CPU. */
    void waitQuiet(double quietWaitSec);
    /** Marks the start of the run. */
    void begin();
    /** The "machine" result: others' cores before and during the run, given our own CPU. */
    QJsonObject finish(double ourCpuSeconds, double wallSec) const;
};

} // namespace bench
