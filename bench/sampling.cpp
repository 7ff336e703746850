// herald-bench controller: process sampling from /proc (the server's CPU time and RSS, and how
// busy the rest of the machine is).
#include "sampling.h"

#include "common.h"
#include "util.h"

#include <QJsonArray>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

namespace bench {

namespace {

double ticksToSec(long long t)
{
    return double(t) / double(sysconf(_SC_CLK_TCK));
}

bool readStat(const std::string &path, std::string *comm, long long *utime, long long *stime)
{
    FILE *f = fopen(path.c_str(), "r");
    if (!f)
        return false;
    char buf[2048];
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *open = strchr(buf, '(');
    char *close = strrchr(buf, ')');
    if (!open || !close)
        return false;
    if (comm)
        *comm = std::string(open + 1, close);
    // fields after ")": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    // utime(14) stime(15)
    long long v[13] = {0};
    char state;
    if (sscanf(close + 2, "%c %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld", &state,
               &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10],
               &v[11]) != 13)
        return false;
    *utime = v[10];
    *stime = v[11];
    return true;
}

} // namespace

CpuSample cpuOf(pid_t pid)
{
    CpuSample s;
    long long u = 0, st = 0;
    if (readStat("/proc/" + std::to_string(pid) + "/stat", nullptr, &u, &st))
        s.total = ticksToSec(u + st);
    const std::string taskDir = "/proc/" + std::to_string(pid) + "/task";
    if (DIR *d = opendir(taskDir.c_str())) {
        while (dirent *e = readdir(d)) {
            if (e->d_name[0] == '.')
                continue;
            std::string comm;
            if (readStat(taskDir + "/" + e->d_name + "/stat", &comm, &u, &st))
                s.threads[comm] += ticksToSec(u + st);
        }
        closedir(d);
    }
    return s;
}

long long rssKiB(pid_t pid)
{
    FILE *f = fopen(("/proc/" + std::to_string(pid) + "/status").c_str(), "r");
    if (!f)
        return 0;
    char line[256];
    long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            kb = atoll(line + 6);
    fclose(f);
    return kb;
}

double machineBusySeconds()
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return 0;
    long long v[10] = {0};
    const int n = fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1],
                         &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
    fclose(f);
    if (n < 8)
        return 0;
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
    return ticksToSec(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
}

double machineBusyCores(int ms)
{
    const double a = machineBusySeconds();
    const int64_t t0 = nowNs();
    usleep(useconds_t(ms) * 1000);
    return (machineBusySeconds() - a) / (double(nowNs() - t0) / 1e9);
}

QJsonObject cpuDelta(const CpuSample &a, const CpuSample &b, double wallSec)
{
    QJsonArray threads;
    for (const auto &[name, sec] : b.threads) {
        auto it = a.threads.find(name);
        const double d = sec - (it == a.threads.end() ? 0 : it->second);
        if (d > 0.005)
            threads.append(QJsonObject{{QStringLiteral("thread"), QString::fromStdString(name)},
                                       {QStringLiteral("cpu_seconds"), d},
                                       {QStringLiteral("cores"), wallSec > 0 ? d / wallSec : 0}});
    }
    const double cpu = b.total - a.total;
    return QJsonObject{{QStringLiteral("cpu_seconds"), cpu},
                       {QStringLiteral("wall_seconds"), wallSec},
                       {QStringLiteral("cores_used"), wallSec > 0 ? cpu / wallSec : 0},
                       {QStringLiteral("threads"), threads}};
}

double selfCpuSeconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void MachineWatch::waitQuiet(double quietWaitSec)
{
    busyBefore = machineBusyCores(1000);
    for (int64_t until = nowNs() + int64_t(quietWaitSec * 1e9);
         busyBefore > 0.3 && nowNs() < until;) {
        say("machine busy (%.2f cores used by other processes): waiting", busyBefore);
        sleepMs(4000);
        busyBefore = machineBusyCores(1000);
    }
}

void MachineWatch::begin()
{
    busySeconds0 = machineBusySeconds();
    double loadavg[1] = {0};
    getloadavg(loadavg, 1);
    loadavg1 = loadavg[0];
}

QJsonObject MachineWatch::finish(double ourCpuSeconds, double wallSec) const
{
    // CPU of everything else = machine busy - server - bench (controller + workers), over the run.
    const double other = std::max(0.0, machineBusySeconds() - busySeconds0 - ourCpuSeconds);
    if (other / wallSec > 0.3)
        say("note: other processes used %.2f cores during this run: numbers are disturbed",
            other / wallSec);
    return QJsonObject{{QStringLiteral("other_processes_cores_before"), busyBefore},
                       {QStringLiteral("other_processes_cores_during"), other / wallSec},
                       {QStringLiteral("loadavg_1min_at_start"), loadavg1}};
}

} // namespace bench
