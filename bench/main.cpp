// herald-bench: load generator for herald-server.
//
//   herald-bench SCENARIO [--key value ...]
//   scenarios: room-fanout, notify-fanout, connect-storm, idle, resume-storm
//
// The controller (this process) prepares a fresh data directory through the server's Store
// (users, tokens, rooms, groups), starts herald-server on it, and drives worker processes
// (herald-bench worker ...), each an epoll loop holding thousands of WebSocket connections.
// It samples the server's CPU time and RSS from /proc/<pid>, merges the workers' counters and
// latency histograms, checks that every receiver got everything exactly once and in order, and
// writes one JSON file. Exit status: 0 = correct (targets are reported, not enforced unless
// --strict), 1 = a loss, duplicate, failure or error, 2 = usage or setup problem.
#include "common.h"

#include "core/config.h"
#include "core/store.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSysInfo>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <map>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace bench;
using herald::Store;

namespace {

// ------------------------------------------------------------------ options

struct Options
{
    std::map<std::string, std::string> kv;
    std::vector<std::string> serverSets;
    bool has(const std::string &k) const { return kv.count(k) != 0; }
    std::string str(const std::string &k, const std::string &def) const
    {
        auto it = kv.find(k);
        return it == kv.end() ? def : it->second;
    }
    long long num(const std::string &k, long long def) const
    {
        auto it = kv.find(k);
        return it == kv.end() ? def : atoll(it->second.c_str());
    }
    double real(const std::string &k, double def) const
    {
        auto it = kv.find(k);
        return it == kv.end() ? def : atof(it->second.c_str());
    }
};

[[noreturn]] void die(const std::string &msg)
{
    fprintf(stderr, "herald-bench: %s\n", msg.c_str());
    exit(2);
}

void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[herald-bench] ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

std::string selfExe()
{
    char buf[4096];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        die("cannot read /proc/self/exe");
    buf[n] = 0;
    return buf;
}

void sleepMs(int ms)
{
    usleep(useconds_t(ms) * 1000);
}

// ------------------------------------------------------------------ /proc

struct CpuSample
{
    double total = 0;                      // seconds, utime + stime
    std::map<std::string, double> threads; // comm -> seconds (same names added up)
};

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

/** Busy CPU seconds of the whole machine so far (/proc/stat, all cores). */
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

/** Cores used by everything on the machine over `ms` milliseconds. */
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

// ------------------------------------------------------------------ processes

/** A child with its stdin and stdout on pipes. */
struct Child
{
    pid_t pid = -1;
    int in = -1;  // we write
    int out = -1; // we read
    std::string buf;
    std::deque<QJsonObject> events;
};

Child spawn(const std::vector<std::string> &argv, const std::string &stderrFile)
{
    int toChild[2], fromChild[2];
    if (pipe2(toChild, O_CLOEXEC) || pipe2(fromChild, O_CLOEXEC))
        die("pipe failed");
    const pid_t pid = fork();
    if (pid < 0)
        die("fork failed");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(toChild[0], 0);
        dup2(fromChild[1], 1);
        if (!stderrFile.empty()) {
            const int fd =
                open(stderrFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            if (fd >= 0)
                dup2(fd, 2);
        }
        std::vector<char *> args;
        for (const std::string &a : argv)
            args.push_back(const_cast<char *>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data()); // a bare name (redis-server) is looked up in PATH
        _exit(127);
    }
    close(toChild[0]);
    close(fromChild[1]);
    Child c;
    c.pid = pid;
    c.in = toChild[1];
    c.out = fromChild[0];
    return c;
}

/** Reads what a child printed; returns false on EOF. Complete lines go to events (JSON) or lines.
 */
bool drain(Child &c, std::vector<std::string> *lines = nullptr)
{
    char b[65536];
    const ssize_t n = read(c.out, b, sizeof b);
    if (n <= 0)
        return n < 0 && errno == EINTR;
    c.buf.append(b, size_t(n));
    size_t nl;
    while ((nl = c.buf.find('\n')) != std::string::npos) {
        const std::string line = c.buf.substr(0, nl);
        c.buf.erase(0, nl + 1);
        if (lines)
            lines->push_back(line);
        else
            c.events.push_back(QJsonDocument::fromJson(QByteArray::fromStdString(line)).object());
    }
    return true;
}

struct Server
{
    pid_t pid = -1;
    int port = 0;
    std::string bin;
    std::string dataDir;
    std::vector<std::string> sets;
    double startSeconds = 0;

    void start(int fixedPort)
    {
        std::vector<std::string> argv{bin,
                                      "--data-dir",
                                      dataDir,
                                      "--listen",
                                      "127.0.0.1",
                                      "--port",
                                      std::to_string(fixedPort)};
        for (const std::string &s : sets) {
            argv.push_back("--set");
            argv.push_back(s);
        }
        const int64_t t0 = nowNs();
        Child c = spawn(argv, dataDir + "/server.log");
        close(c.in);
        pid = c.pid;
        std::vector<std::string> lines;
        const int64_t deadline = nowNs() + 60'000'000'000LL;
        while (nowNs() < deadline) {
            pollfd p{c.out, POLLIN, 0};
            if (poll(&p, 1, 200) > 0 && !drain(c, &lines))
                break;
            for (const std::string &l : lines) {
                const size_t at = l.find("listening on ");
                if (at != std::string::npos) {
                    port = atoi(l.substr(l.rfind(':') + 1).c_str());
                    close(c.out);
                    startSeconds = double(nowNs() - t0) / 1e9;
                    return;
                }
            }
            lines.clear();
            int st;
            if (waitpid(pid, &st, WNOHANG) == pid)
                break;
        }
        die("herald-server did not start; see " + dataDir + "/server.log");
    }
    double stopTimeout = 15;
    int hungStops = 0;
    double pastCpu = 0; // CPU of server instances already stopped (resume storm)
    /** SIGTERM, wait (bounded), SIGKILL if it hangs. Returns seconds taken. */
    double stop()
    {
        if (pid <= 0)
            return 0;
        const int64_t t0 = nowNs();
        pastCpu += cpuOf(pid).total;
        kill(pid, SIGTERM);
        for (int i = 0; i < int(stopTimeout * 20); ++i) {
            int st;
            if (waitpid(pid, &st, WNOHANG) == pid) {
                pid = -1;
                return double(nowNs() - t0) / 1e9;
            }
            sleepMs(50);
        }
        say("server did not exit within %.0f s of SIGTERM: killing it", stopTimeout);
        ++hungStops;
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        pid = -1;
        return double(nowNs() - t0) / 1e9;
    }
};

/** The worker processes of a run. */
struct Fleet
{
    std::vector<Child> w;
    std::vector<std::pair<long, long>> ranges; // global [first, first+count)
    Server *server = nullptr;
    double extraCpu = 0; // CPU of workers no longer running
    long long rssPeak = 0;
    int64_t lastSample = 0;

    void add(const std::string &exe, int port, const std::string &plan, long first, long count)
    {
        w.push_back(spawn({exe, "worker", std::to_string(port), plan, std::to_string(first),
                           std::to_string(count)},
                          {}));
        ranges.emplace_back(first, count);
    }
    void send(size_t i, const std::string &line)
    {
        const std::string l = line + "\n";
        size_t off = 0;
        while (off < l.size()) {
            const ssize_t n = write(w[i].in, l.data() + off, l.size() - off);
            if (n <= 0) {
                if (errno == EINTR)
                    continue;
                die("a worker went away");
            }
            off += size_t(n);
        }
    }
    void sendAll(const std::string &line)
    {
        for (size_t i = 0; i < w.size(); ++i)
            send(i, line);
    }
    void sample()
    {
        if (server && server->pid > 0)
            rssPeak = std::max(rssPeak, rssKiB(server->pid));
        lastSample = nowNs();
    }
    /** Reads from every worker for up to ms milliseconds. */
    void pump(int ms)
    {
        std::vector<pollfd> p;
        for (Child &c : w)
            p.push_back({c.out, POLLIN, 0});
        if (poll(p.data(), nfds_t(p.size()), ms) > 0)
            for (size_t i = 0; i < p.size(); ++i)
                if (p[i].revents & (POLLIN | POLLHUP))
                    if (!drain(w[i]))
                        die("worker " + std::to_string(i) + " exited");
        if (nowNs() - lastSample > 100'000'000)
            sample();
    }
    /** Waits for event `name` from worker i; empty object on timeout. */
    QJsonObject wait(size_t i, const QString &name, double timeoutSec)
    {
        const int64_t deadline = nowNs() + int64_t(timeoutSec * 1e9);
        for (;;) {
            auto &ev = w[i].events;
            for (auto it = ev.begin(); it != ev.end(); ++it)
                if (it->value(QLatin1String("event")).toString() == name) {
                    QJsonObject o = *it;
                    ev.erase(it);
                    return o;
                }
            if (nowNs() >= deadline)
                return {};
            pump(50);
        }
    }
    /** Waits for `name` from the given workers; missing ones are empty objects. */
    std::vector<QJsonObject> waitAll(const QString &name, double timeoutSec,
                                     const std::vector<size_t> &which = {})
    {
        std::vector<size_t> idx = which;
        if (idx.empty())
            for (size_t i = 0; i < w.size(); ++i)
                idx.push_back(i);
        const int64_t deadline = nowNs() + int64_t(timeoutSec * 1e9);
        std::vector<QJsonObject> out;
        for (size_t i : idx)
            out.push_back(wait(i, name, std::max(0.05, double(deadline - nowNs()) / 1e9)));
        return out;
    }
    /** Sums a numeric field of every worker's progress. */
    std::map<QString, qint64> progress()
    {
        sendAll("progress");
        std::map<QString, qint64> sum;
        for (const QJsonObject &o : waitAll(QStringLiteral("progress"), 10))
            for (auto it = o.begin(); it != o.end(); ++it)
                if (it.value().isDouble())
                    sum[it.key()] += it.value().toInteger();
        return sum;
    }
    /** Waits until progress()[key] >= target, or until it stops moving for stallSec, or timeout. */
    qint64 waitProgress(const QString &key, qint64 target, double timeoutSec, double stallSec)
    {
        const int64_t deadline = nowNs() + int64_t(timeoutSec * 1e9);
        qint64 last = -1;
        int64_t lastMove = nowNs();
        for (;;) {
            const qint64 v = progress()[key];
            if (v >= target)
                return v;
            if (v != last) {
                last = v;
                lastMove = nowNs();
            }
            if (nowNs() >= deadline || double(nowNs() - lastMove) / 1e9 > stallSec)
                return v;
            pump(50);
        }
    }
    double cpuSeconds()
    {
        double s = 0;
        for (Child &c : w)
            s += cpuOf(c.pid).total;
        return s;
    }
    void quit()
    {
        for (size_t i = 0; i < w.size(); ++i) {
            (void)!write(w[i].in, "quit\n", 5);
            close(w[i].in);
        }
        for (Child &c : w) {
            for (int k = 0; k < 100; ++k) {
                if (waitpid(c.pid, nullptr, WNOHANG) == c.pid) {
                    c.pid = -1;
                    break;
                }
                sleepMs(20);
            }
            if (c.pid > 0) {
                kill(c.pid, SIGKILL);
                waitpid(c.pid, nullptr, 0);
            }
            close(c.out);
        }
        w.clear();
        ranges.clear();
    }
};

// ------------------------------------------------------------------ setup

struct Person
{
    QString name;
    qint64 id = 0;
    QString token;
};

/** Source address of person i: 10,000 people per 127.0.0.x (the server allows 20,000 per IP and
 *  each address has ~28,000 ephemeral ports toward one server port). */
std::string sourceFor(long i)
{
    return "127.0.0." + std::to_string(1 + i / 10000);
}

struct Setup
{
    Store st;
    QString dir;
    explicit Setup(const QString &dataDir)
        : dir(dataDir)
    {
        if (auto e = st.open(dataDir))
            die("cannot open store: " + e->message.toStdString());
        st.begin();
    }
    explicit Setup(const herald::StorageSettings &settings)
    {
        if (auto e = st.open(settings))
            die("cannot open store: " + e->message.toStdString());
        st.begin();
    }
    std::vector<Person> people(long n, const QString &prefix)
    {
        std::vector<Person> out;
        out.reserve(size_t(n));
        for (long i = 0; i < n; ++i) {
            Person p;
            p.name = prefix + QString::number(i);
            auto r = st.createUser(p.name, QString(), QString());
            if (auto *e = std::get_if<herald::StoreError>(&r))
                die("createUser: " + e->message.toStdString());
            p.id = std::get<qint64>(r);
            auto t = st.issueToken(p.id, 0, QStringLiteral("user"), QStringLiteral("bench"));
            if (auto *e = std::get_if<herald::StoreError>(&t))
                die("issueToken: " + e->message.toStdString());
            p.token = std::get<QString>(t);
            out.push_back(p);
        }
        return out;
    }
    qint64 room(const QString &name)
    {
        auto r = st.createRoom(name, name, QStringLiteral("public"));
        if (auto *e = std::get_if<herald::StoreError>(&r))
            die("createRoom: " + e->message.toStdString());
        return std::get<qint64>(r);
    }
    void member(qint64 room, qint64 user)
    {
        if (auto e = st.addMember(room, user))
            die("addMember: " + e->message.toStdString());
    }
    void finish()
    {
        if (!st.commit())
            die("setup commit failed: " + st.lastError().toStdString());
        st.close();
    }
};

std::string writePlan(const QString &dir, const QString &name, const std::vector<Person> &people,
                      long firstIndex = 0)
{
    const QString path = QDir(dir).filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        die("cannot write " + path.toStdString());
    for (size_t i = 0; i < people.size(); ++i)
        f.write(people[i].token.toUtf8() + ' ' +
                QByteArray::fromStdString(sourceFor(firstIndex + long(i))) + '\n');
    return path.toStdString();
}

// ------------------------------------------------------------------ results

struct Run
{
    Options opt;
    std::string scenario;
    bool smoke = false;
    QString dataDir;
    Server server;
    Fleet fleet;
    QJsonObject params;
    QJsonObject results;
    QJsonObject correctness;
    QJsonArray targets;
    QStringList problems; // correctness failures

    void problem(const QString &what, qint64 n)
    {
        correctness.insert(what, n);
        if (n)
            problems << QStringLiteral("%1=%2").arg(what).arg(n);
    }
    void target(const QString &name, const QString &goal, double value, bool met)
    {
        if (smoke)
            return; // tiny sizes say nothing about speed
        targets.append(QJsonObject{{QStringLiteral("name"), name},
                                   {QStringLiteral("target"), goal},
                                   {QStringLiteral("value"), value},
                                   {QStringLiteral("met"), met}});
    }
};

QString gitCommit()
{
#ifdef HERALD_SOURCE_DIR
    FILE *p = popen("git -C '" HERALD_SOURCE_DIR "' rev-parse --short HEAD 2>/dev/null", "r");
    if (p) {
        char b[64] = {0};
        const bool ok = fgets(b, sizeof b, p) != nullptr;
        pclose(p);
        if (ok)
            return QString::fromLatin1(b).trimmed();
    }
#endif
    return QStringLiteral("unknown");
}

QJsonObject machine()
{
    QString model;
    QFile cpu(QStringLiteral("/proc/cpuinfo"));
    if (cpu.open(QIODevice::ReadOnly))
        for (const QByteArray &l : cpu.readAll().split('\n'))
            if (l.startsWith("model name")) {
                model = QString::fromUtf8(l.mid(l.indexOf(':') + 1).trimmed());
                break;
            }
    long long memKb = 0;
    QFile mem(QStringLiteral("/proc/meminfo"));
    if (mem.open(QIODevice::ReadOnly))
        memKb = mem.readLine().simplified().split(' ').value(1).toLongLong();
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    return QJsonObject{
        {QStringLiteral("cores"), int(sysconf(_SC_NPROCESSORS_ONLN))},
        {QStringLiteral("memory_gib"), double(qRound(double(memKb) / 1048576.0 * 10)) / 10},
        {QStringLiteral("cpu"), model},
        {QStringLiteral("kernel"), QSysInfo::kernelVersion()},
        {QStringLiteral("os"), QSysInfo::prettyProductName()},
        {QStringLiteral("open_files_limit"), qint64(rl.rlim_max)}};
}

/** Merges workers' reports: sums numbers, merges histograms, unions reasons. */
struct Merged
{
    std::map<QString, qint64> n;
    Histogram latency, hello, catchUp, ack, resumeHello;
    QJsonObject reasons;
    std::map<qint64, std::pair<qint64, qint64>> notif; // id -> count, last receipt ns
    qint64 lastMessageNs = 0;
    std::vector<Histogram> latencyByWorker; // in the order the workers were started

    void add(const QJsonObject &r)
    {
        latencyByWorker.emplace_back();
        latencyByWorker.back().mergeJson(r.value(QLatin1String("latency")).toObject());
        for (auto it = r.begin(); it != r.end(); ++it)
            if (it.value().isDouble() && it.key() != QLatin1String("lastMessageNs"))
                n[it.key()] += it.value().toInteger();
        lastMessageNs =
            std::max(lastMessageNs, r.value(QLatin1String("lastMessageNs")).toInteger());
        latency.mergeJson(r.value(QLatin1String("latency")).toObject());
        hello.mergeJson(r.value(QLatin1String("hello")).toObject());
        catchUp.mergeJson(r.value(QLatin1String("catchUp")).toObject());
        ack.mergeJson(r.value(QLatin1String("ack")).toObject());
        resumeHello.mergeJson(r.value(QLatin1String("resumeHello")).toObject());
        const QJsonObject rs = r.value(QLatin1String("reasons")).toObject();
        for (auto it = rs.begin(); it != rs.end(); ++it)
            reasons.insert(it.key(), reasons.value(it.key()).toInteger() + it.value().toInteger());
        for (const QJsonValue &v : r.value(QLatin1String("notifSeen")).toArray()) {
            const QJsonArray a = v.toArray();
            auto &e = notif[a.at(0).toInteger()];
            e.first += a.at(1).toInteger();
            e.second = std::max(e.second, a.at(2).toInteger());
        }
    }
};

Merged collect(Run &run, const QJsonObject &expect, const std::vector<size_t> &which = {})
{
    run.fleet.sendAll("report " +
                      QJsonDocument(expect).toJson(QJsonDocument::Compact).toStdString());
    Merged m;
    std::vector<size_t> all;
    for (size_t i = 0; i < run.fleet.w.size(); ++i)
        all.push_back(i);
    for (const QJsonObject &r : run.fleet.waitAll(QStringLiteral("report"), 60, all)) {
        if (r.isEmpty())
            run.problem(QStringLiteral("worker_report_missing"), 1);
        (void)which;
        m.add(r);
    }
    return m;
}

/** The correctness checks every scenario shares. */
void commonChecks(Run &run, Merged &m)
{
    run.problem(QStringLiteral("failed_connections"), m.n[QStringLiteral("failed")]);
    run.problem(QStringLiteral("unexpected_closes"), m.n[QStringLiteral("unexpectedCloses")]);
    run.problem(QStringLiteral("duplicates"),
                m.n[QStringLiteral("duplicates")] + m.n[QStringLiteral("notifDuplicates")]);
    run.problem(QStringLiteral("sequence_gaps"),
                m.n[QStringLiteral("gaps")] + m.n[QStringLiteral("notifGaps")]);
    run.problem(QStringLiteral("lost"), m.n[QStringLiteral("lost")] +
                                            m.n[QStringLiteral("missingMessages")] +
                                            m.n[QStringLiteral("notifMissing")]);
    run.problem(QStringLiteral("extra_messages"), m.n[QStringLiteral("extraMessages")]);
    run.problem(QStringLiteral("error_frames"), m.n[QStringLiteral("errors")]);
    run.problem(QStringLiteral("messages_for_unknown_rooms"), m.n[QStringLiteral("unknownRoom")]);
    if (!m.reasons.isEmpty())
        run.correctness.insert(QStringLiteral("failure_reasons"), m.reasons);
}

void startWorkers(Run &run, const std::string &plan, long people, long perWorkerMax, int minWorkers)
{
    const long n = std::max<long>(minWorkers, (people + perWorkerMax - 1) / perWorkerMax);
    const long per = (people + n - 1) / n;
    const std::string exe = selfExe();
    for (long k = 0; k < n; ++k) {
        const long first = k * per;
        const long count = std::min(per, people - first);
        if (count <= 0)
            break;
        run.fleet.add(exe, run.server.port, plan, first, count);
    }
    for (const QJsonObject &o : run.fleet.waitAll(QStringLiteral("ready"), 60))
        if (o.isEmpty())
            die("a worker did not start");
}

/** Connects every worker's people at once; returns {ok, failed, seconds to the last hello}. */
QJsonObject connectAll(Run &run, double timeoutSec)
{
    const int64_t t0 = nowNs();
    for (size_t i = 0; i < run.fleet.w.size(); ++i)
        run.fleet.send(i, "connect 0 " + std::to_string(run.fleet.ranges[i].second) + " " +
                              std::to_string(t0));
    qint64 ok = 0, failed = 0, last = 0, timedOut = 0;
    for (const QJsonObject &o : run.fleet.waitAll(QStringLiteral("connected"), timeoutSec)) {
        if (o.isEmpty())
            ++timedOut;
        ok += o.value(QLatin1String("ok")).toInteger();
        failed += o.value(QLatin1String("failed")).toInteger();
        last = std::max(last, o.value(QLatin1String("lastHelloNs")).toInteger());
    }
    return QJsonObject{{QStringLiteral("ok"), ok},
                       {QStringLiteral("failed"), failed},
                       {QStringLiteral("workers_timed_out"), timedOut},
                       {QStringLiteral("seconds"), last ? double(last - t0) / 1e9 : -1.0}};
}

// ------------------------------------------------------------------ HTTP publisher

struct Http
{
    int fd = -1;
    int port = 0;
    std::string buf;

    bool connectNow()
    {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        timeval tv{10, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(uint16_t(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) < 0) {
            close(fd);
            fd = -1;
            return false;
        }
        buf.clear();
        return true;
    }
    /** POST; returns status (0 on transport failure) and the body. */
    int post(const std::string &path, const std::string &token, const std::string &body,
             std::string *respBody)
    {
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (fd < 0 && !connectNow())
                return 0;
            const std::string req =
                "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                "\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body;
            if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != ssize_t(req.size())) {
                close(fd);
                fd = -1;
                continue;
            }
            for (;;) {
                const size_t end = buf.find("\r\n\r\n");
                if (end != std::string::npos) {
                    std::string head = buf.substr(0, end);
                    for (char &ch : head)
                        ch = char(tolower(ch));
                    size_t len = 0;
                    const size_t cl = head.find("content-length:");
                    if (cl != std::string::npos)
                        len = size_t(atoll(head.c_str() + cl + 15));
                    if (buf.size() >= end + 4 + len) {
                        const int status = atoi(buf.c_str() + 9);
                        *respBody = buf.substr(end + 4, len);
                        buf.erase(0, end + 4 + len);
                        if (head.find("connection: close") != std::string::npos) {
                            close(fd);
                            fd = -1;
                        }
                        return status;
                    }
                }
                char b[8192];
                const ssize_t n = recv(fd, b, sizeof b, 0);
                if (n <= 0)
                    break;
                buf.append(b, size_t(n));
            }
            close(fd);
            fd = -1;
            if (attempt == 0 && buf.empty())
                continue; // keep-alive connection closed under us: once more on a new one
            return 0;
        }
        return 0;
    }
};

// ------------------------------------------------------------------ scenarios

std::vector<std::string> benchServerSets(const Options &opt)
{
    // The sender and the publisher are load generators: lift the per-connection rate limit.
    std::vector<std::string> s{"messages_per_second=100000", "messages_burst=1000000"};
    for (const std::string &x : opt.serverSets)
        s.push_back(x);
    return s;
}

void finishServer(Run &run, long long baselineKiB, long conns)
{
    const long long rss = rssKiB(run.server.pid);
    QJsonObject s{{QStringLiteral("rss_kib"), rss},
                  {QStringLiteral("rss_peak_kib"), std::max(run.fleet.rssPeak, rss)},
                  {QStringLiteral("rss_baseline_kib"), baselineKiB},
                  {QStringLiteral("start_seconds"), run.server.startSeconds}};
    if (conns > 0)
        s.insert(QStringLiteral("rss_per_connection_kib"),
                 double(rss - baselineKiB) / double(conns));
    run.results.insert(QStringLiteral("server_memory"), s);
}

int roomFanout(Run &run)
{
    const long members = run.opt.num("members", run.smoke ? 20 : 1000);
    const double rate = run.opt.real("rate", run.smoke ? 100 : 1000);
    const double duration = run.opt.real("duration", run.smoke ? 1 : 20);
    const long count = std::max<long>(1, long(rate * duration));
    run.params = {{QStringLiteral("members"), qint64(members)},
                  {QStringLiteral("rate_per_second"), rate},
                  {QStringLiteral("duration_seconds"), duration},
                  {QStringLiteral("messages"), qint64(count)}};
    Setup setup(run.dataDir);
    const std::vector<Person> people = setup.people(members, QStringLiteral("m"));
    const std::vector<Person> sender = setup.people(1, QStringLiteral("sender"));
    const qint64 room = setup.room(QStringLiteral("fanout"));
    for (const Person &p : people)
        setup.member(room, p.id);
    setup.member(room, sender[0].id);
    setup.finish();
    const std::string plan = writePlan(run.dataDir, QStringLiteral("plan.txt"), people);
    const std::string senderPlan =
        writePlan(run.dataDir, QStringLiteral("sender.txt"), sender, members);

    run.server.start(0);
    run.fleet.server = &run.server;
    const long long baseline = rssKiB(run.server.pid);
    startWorkers(run, plan, members, 15000, int(run.opt.num("workers", 2)));
    const QJsonObject conn = connectAll(run, 120);
    run.results.insert(QStringLiteral("connect"), conn);
    const std::string exe = selfExe();
    run.fleet.add(exe, run.server.port, senderPlan, 0, 1);
    const size_t senderIdx = run.fleet.w.size() - 1;
    run.fleet.wait(senderIdx, QStringLiteral("ready"), 30);
    run.fleet.send(senderIdx, "connect 0 1 0");
    if (run.fleet.wait(senderIdx, QStringLiteral("connected"), 30)
            .value(QLatin1String("ok"))
            .toInteger() != 1)
        run.problem(QStringLiteral("sender_not_connected"), 1);
    run.fleet.pump(1000); // presence settles

    say("room fan-out: %ld members, %ld messages at %.0f/s", members, count, rate);
    const CpuSample c0 = cpuOf(run.server.pid);
    const double b0 = run.fleet.cpuSeconds();
    const int64_t t0 = nowNs();
    run.fleet.send(senderIdx, "send fanout " + std::to_string(rate) + " " + std::to_string(count));
    const QJsonObject sent = run.fleet.wait(senderIdx, QStringLiteral("sent"), duration * 4 + 60);
    const qint64 expected = qint64(members + 1) * count;
    const qint64 got =
        run.fleet.waitProgress(QStringLiteral("messages"), expected, 60, run.smoke ? 5 : 10);
    const CpuSample c1 = cpuOf(run.server.pid);
    const double b1 = run.fleet.cpuSeconds();
    const int64_t t1 = nowNs();
    Merged m = collect(
        run, {{QStringLiteral("rooms"), QJsonObject{{QStringLiteral("fanout"), qint64(count)}}},
              {QStringLiteral("everyRoom"), true}});
    const double busy = double((m.lastMessageNs ? m.lastMessageNs : t1) - t0) / 1e9;
    const double serverCpu = c1.total - c0.total;
    const qint64 deliveries = m.n[QStringLiteral("messages")];
    run.results.insert(QStringLiteral("server_cpu"), cpuDelta(c0, c1, double(t1 - t0) / 1e9));
    run.results.insert(QStringLiteral("bench_cpu_seconds"), b1 - b0);
    run.results.insert(QStringLiteral("deliveries"), deliveries);
    run.results.insert(QStringLiteral("deliveries_expected"), expected);
    run.results.insert(QStringLiteral("deliveries_per_second"), deliveries / busy);
    run.results.insert(QStringLiteral("offered_deliveries_per_second"), double(members + 1) * rate);
    run.results.insert(QStringLiteral("deliveries_per_server_cpu_second"),
                       serverCpu > 0 ? deliveries / serverCpu : 0);
    run.results.insert(QStringLiteral("deliveries_per_bench_cpu_second"),
                       b1 - b0 > 0 ? deliveries / (b1 - b0) : 0);
    run.results.insert(QStringLiteral("send_seconds"),
                       double(sent.value(QLatin1String("lastSendNs")).toInteger() -
                              sent.value(QLatin1String("startNs")).toInteger()) /
                           1e9);
    run.results.insert(QStringLiteral("delivery_seconds"), busy);
    run.results.insert(QStringLiteral("latency"), m.latency.summaryMs());
    run.results.insert(QStringLiteral("ack_latency"), m.ack.summaryMs());
    finishServer(run, baseline, members + 1);
    commonChecks(run, m);
    run.problem(QStringLiteral("connect_failures"),
                conn.value(QLatin1String("failed")).toInteger());
    run.problem(QStringLiteral("send_errors"), m.n[QStringLiteral("sendErrors")]);
    run.problem(QStringLiteral("unacked_sends"), count - m.n[QStringLiteral("acks")]);
    run.problem(QStringLiteral("deliveries_short"), std::max<qint64>(0, expected - got));
    const double perCpu =
        run.results.value(QLatin1String("deliveries_per_server_cpu_second")).toDouble();
    run.target(QStringLiteral("deliveries per server CPU-second"), QStringLiteral(">= 700000"),
               perCpu, perCpu >= 700000);
    // One core is "not enough" when the server fell behind the offered load or its busiest
    // thread was (nearly) saturated; then it should be using more than one core.
    const QJsonObject cpu = run.results.value(QLatin1String("server_cpu")).toObject();
    const double cores = cpu.value(QLatin1String("cores_used")).toDouble();
    double busiest = 0;
    for (const QJsonValue &t : cpu.value(QLatin1String("threads")).toArray())
        busiest = std::max(busiest, t.toObject().value(QLatin1String("cores")).toDouble());
    const bool keptUp = deliveries / busy >= 0.95 * double(members + 1) * rate;
    const bool oneNotEnough = !keptUp || busiest >= 0.9;
    run.results.insert(QStringLiteral("kept_up_with_offered_load"), keptUp);
    run.results.insert(QStringLiteral("busiest_server_thread_cores"), busiest);
    run.results.insert(QStringLiteral("one_core_not_enough"), oneNotEnough);
    run.target(
        QStringLiteral("server uses both cores when one is not enough (cores used)"),
        QStringLiteral("> 1.2 when the busiest thread is saturated or the server falls behind"),
        cores, !oneNotEnough || cores > 1.2);
    return 0;
}

/** Room fan-out across two nodes on one PostgreSQL and one Redis (cluster mode). Run it under
 *  tests/cluster/with-postgres.sh (which exports the PG* variables); it starts redis-server
 *  itself. Half the members connect to node A, half to node B; the sender is on A. */
int roomFanoutCluster(Run &run)
{
    if (qEnvironmentVariableIsEmpty("PGHOST") && qEnvironmentVariableIsEmpty("PGPORT"))
        die("room-fanout-cluster needs PostgreSQL: run it under tests/cluster/with-postgres.sh");
    const long members = run.opt.num("members", run.smoke ? 20 : 1000);
    const double rate = run.opt.real("rate", run.smoke ? 100 : 500);
    const double duration = run.opt.real("duration", run.smoke ? 1 : 10);
    const long count = std::max<long>(1, long(rate * duration));
    run.params = {{QStringLiteral("members"), qint64(members)},
                  {QStringLiteral("nodes"), 2},
                  {QStringLiteral("rate_per_second"), rate},
                  {QStringLiteral("duration_seconds"), duration},
                  {QStringLiteral("messages"), qint64(count)}};
    // Redis on a free port, nothing saved.
    int redisPort = 0;
    {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
        getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
        redisPort = ntohs(a.sin_port);
        ::close(fd);
    }
    Child redis = spawn({"redis-server", "--port", std::to_string(redisPort), "--bind", "127.0.0.1",
                         "--save", "", "--appendonly", "no"},
                        run.dataDir.toStdString() + "/redis.log");
    // Without a bus the nodes still deliver everything (each re-reads storage every 3 s), so a
    // Redis that did not start would go unnoticed in the results: wait until it answers PING.
    bool redisUp = false;
    for (int attempt = 0; attempt < 50 && !redisUp; ++attempt) {
        usleep(100000);
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(uint16_t(redisPort));
        char reply[8] = {};
        redisUp = ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
                  ::send(fd, "PING\r\n", 6, MSG_NOSIGNAL) == 6 && ::recv(fd, reply, 7, 0) >= 5 &&
                  std::string(reply, 5) == "+PONG";
        ::close(fd);
    }
    if (!redisUp)
        die("redis-server did not start (is it installed? see " + run.dataDir.toStdString() +
            "/redis.log)");

    herald::Config cfg;
    cfg.storage = QStringLiteral("postgres");
    cfg.dataDir = run.dataDir;
    const std::string db =
        qEnvironmentVariable("PGDATABASE", QStringLiteral("postgres")).toStdString();
    Setup setup(herald::StorageSettings::fromConfig(cfg));
    const std::vector<Person> people = setup.people(members, QStringLiteral("m"));
    const std::vector<Person> sender = setup.people(1, QStringLiteral("sender"));
    const qint64 room = setup.room(QStringLiteral("fanout"));
    for (const Person &p : people)
        setup.member(room, p.id);
    setup.member(room, sender[0].id);
    setup.finish();
    const std::string plan = writePlan(run.dataDir, QStringLiteral("plan.txt"), people);
    const std::string senderPlan =
        writePlan(run.dataDir, QStringLiteral("sender.txt"), sender, members);

    const std::vector<std::string> cluster{"storage=postgres", "pg_database=" + db, "bus=redis",
                                           "redis_port=" + std::to_string(redisPort)};
    Server &a = run.server;
    Server b = a;
    b.dataDir = a.dataDir + "/node-b";
    mkdir(b.dataDir.c_str(), 0700);
    for (const std::string &c : cluster) {
        a.sets.push_back(c);
        b.sets.push_back(c);
    }
    a.sets.push_back("node_id=a");
    b.sets.push_back("node_id=b");
    a.start(0);
    b.start(0);
    run.fleet.server = &a;
    const std::string exe = selfExe();
    const long half = members / 2;
    run.fleet.add(exe, a.port, plan, 0, half);
    run.fleet.add(exe, b.port, plan, half, members - half);
    for (const QJsonObject &o : run.fleet.waitAll(QStringLiteral("ready"), 60))
        if (o.isEmpty())
            die("a worker did not start");
    const QJsonObject conn = connectAll(run, 120);
    run.results.insert(QStringLiteral("connect"), conn);
    run.fleet.add(exe, a.port, senderPlan, 0, 1);
    const size_t senderIdx = run.fleet.w.size() - 1;
    run.fleet.wait(senderIdx, QStringLiteral("ready"), 30);
    run.fleet.send(senderIdx, "connect 0 1 0");
    if (run.fleet.wait(senderIdx, QStringLiteral("connected"), 30)
            .value(QLatin1String("ok"))
            .toInteger() != 1)
        run.problem(QStringLiteral("sender_not_connected"), 1);
    run.fleet.pump(1500); // presence and subscriptions settle

    say("room fan-out on 2 nodes: %ld members, %ld messages at %.0f/s", members, count, rate);
    const CpuSample a0 = cpuOf(a.pid), b0 = cpuOf(b.pid);
    const int64_t t0 = nowNs();
    run.fleet.send(senderIdx, "send fanout " + std::to_string(rate) + " " + std::to_string(count));
    run.fleet.wait(senderIdx, QStringLiteral("sent"), duration * 4 + 60);
    const qint64 expected = qint64(members + 1) * count;
    const qint64 got =
        run.fleet.waitProgress(QStringLiteral("messages"), expected, 60, run.smoke ? 5 : 10);
    const CpuSample a1 = cpuOf(a.pid), b1 = cpuOf(b.pid);
    const int64_t t1 = nowNs();
    Merged m = collect(
        run, {{QStringLiteral("rooms"), QJsonObject{{QStringLiteral("fanout"), qint64(count)}}},
              {QStringLiteral("everyRoom"), true}});
    const double busy = double((m.lastMessageNs ? m.lastMessageNs : t1) - t0) / 1e9;
    const double serverCpu = (a1.total - a0.total) + (b1.total - b0.total);
    const qint64 deliveries = m.n[QStringLiteral("messages")];
    run.results.insert(QStringLiteral("node_a_cpu"), cpuDelta(a0, a1, double(t1 - t0) / 1e9));
    run.results.insert(QStringLiteral("node_b_cpu"), cpuDelta(b0, b1, double(t1 - t0) / 1e9));
    run.results.insert(QStringLiteral("deliveries"), deliveries);
    run.results.insert(QStringLiteral("deliveries_expected"), expected);
    run.results.insert(QStringLiteral("deliveries_per_second"), deliveries / busy);
    run.results.insert(QStringLiteral("deliveries_per_server_cpu_second"),
                       serverCpu > 0 ? deliveries / serverCpu : 0);
    run.results.insert(QStringLiteral("latency"), m.latency.summaryMs());
    if (m.latencyByWorker.size() >= 2) { // workers 0 and 1 hold node A's and node B's members
        run.results.insert(QStringLiteral("latency_node_a"), m.latencyByWorker[0].summaryMs());
        run.results.insert(QStringLiteral("latency_node_b"), m.latencyByWorker[1].summaryMs());
    }
    run.results.insert(QStringLiteral("ack_latency"), m.ack.summaryMs());
    commonChecks(run, m);
    run.problem(QStringLiteral("connect_failures"),
                conn.value(QLatin1String("failed")).toInteger());
    run.problem(QStringLiteral("unacked_sends"), count - m.n[QStringLiteral("acks")]);
    run.problem(QStringLiteral("deliveries_short"), std::max<qint64>(0, expected - got));
    b.stop();
    kill(redis.pid, SIGTERM);
    waitpid(redis.pid, nullptr, 0);
    return 0;
}

int notifyFanout(Run &run)
{
    const long n = run.opt.num("people", run.smoke ? 50 : 10000);
    const long count = run.opt.num("count", run.smoke ? 10 : 200);
    const double rate = run.opt.real("rate", run.smoke ? 20 : 10);
    run.params = {{QStringLiteral("people"), qint64(n)},
                  {QStringLiteral("notifications"), qint64(count)},
                  {QStringLiteral("rate_per_second"), rate}};
    Setup setup(run.dataDir);
    const std::vector<Person> people = setup.people(n, QStringLiteral("p"));
    {
        auto g = setup.st.createGroup(QStringLiteral("everyone-online"));
        if (auto *e = std::get_if<herald::StoreError>(&g))
            die("createGroup: " + e->message.toStdString());
    }
    for (const Person &p : people)
        if (auto e = setup.st.setGroupMember(QStringLiteral("everyone-online"), p.name, true))
            die("setGroupMember: " + e->message.toStdString());
    auto svc = setup.st.createService(QStringLiteral("bench"), QString(), QString());
    const qint64 serviceId = std::get<qint64>(svc);
    const std::string serviceToken =
        std::get<QString>(
            setup.st.issueToken(0, serviceId, QStringLiteral("service"), QStringLiteral("bench")))
            .toStdString();
    setup.finish();
    const std::string plan = writePlan(run.dataDir, QStringLiteral("plan.txt"), people);

    run.server.start(0);
    run.fleet.server = &run.server;
    const long long baseline = rssKiB(run.server.pid);
    startWorkers(run, plan, n, 15000, int(run.opt.num("workers", 2)));
    const QJsonObject conn = connectAll(run, 180);
    run.results.insert(QStringLiteral("connect"), conn);
    run.fleet.pump(2000); // presence and online counts settle

    say("notification fan-out: %ld notifications at %.0f/s to %ld people", count, rate, n);
    Http http;
    http.port = run.server.port;
    std::map<qint64, std::pair<int64_t, int64_t>> published; // id -> (POST sent, 201 read)
    Histogram publishLatency;
    qint64 httpFailures = 0, lastId = 0;
    const CpuSample c0 = cpuOf(run.server.pid);
    const double b0 = run.fleet.cpuSeconds();
    const int64_t t0 = nowNs();
    for (long k = 0; k < count; ++k) {
        const int64_t due = t0 + int64_t(double(k) * 1e9 / rate);
        while (nowNs() < due)
            run.fleet.pump(int(std::max<int64_t>(1, (due - nowNs()) / 1000000)));
        const std::string body =
            "{\"recipients\":{\"groups\":[\"everyone-online\"]},\"title\":\"bench " +
            std::to_string(k) + "\",\"body\":\"load test\"}";
        std::string resp;
        const int64_t ts = nowNs();
        const int status = http.post("/api/v1/notifications", serviceToken, body, &resp);
        const int64_t tr = nowNs();
        if (status != 201) {
            ++httpFailures;
            if (httpFailures < 5)
                say("publish %ld: HTTP %d %s", k, status, resp.c_str());
            continue;
        }
        const qint64 id = QJsonDocument::fromJson(QByteArray::fromStdString(resp))
                              .object()
                              .value(QLatin1String("id"))
                              .toInteger();
        published[id] = {ts, tr};
        publishLatency.add((tr - ts) / 1000);
        lastId = std::max(lastId, id);
    }
    const qint64 expected = qint64(n) * qint64(published.size());
    const qint64 got =
        run.fleet.waitProgress(QStringLiteral("notifications"), expected, 60, run.smoke ? 5 : 10);
    const CpuSample c1 = cpuOf(run.server.pid);
    const double b1 = run.fleet.cpuSeconds();
    const int64_t t1 = nowNs();
    Merged m = collect(run, {{QStringLiteral("notifLast"), lastId},
                             {QStringLiteral("notifCount"), qint64(published.size())}});
    // Per notification: from the publisher's 201 to the last desktop that received it.
    Histogram toLast, toFirstFromPost;
    qint64 wrongCount = 0, unknownIds = 0;
    for (const auto &[id, seen] : m.notif) {
        auto p = published.find(id);
        if (p == published.end()) {
            ++unknownIds;
            continue;
        }
        toLast.add((seen.second - p->second.second) / 1000);
        toFirstFromPost.add((seen.second - p->second.first) / 1000);
        if (seen.first != n)
            ++wrongCount;
    }
    for (const auto &[id, t] : published)
        if (!m.notif.count(id))
            ++wrongCount;
    const double serverCpu = c1.total - c0.total;
    const qint64 deliveries = m.n[QStringLiteral("notifications")];
    run.results.insert(QStringLiteral("server_cpu"), cpuDelta(c0, c1, double(t1 - t0) / 1e9));
    run.results.insert(QStringLiteral("bench_cpu_seconds"), b1 - b0);
    run.results.insert(QStringLiteral("published"), qint64(published.size()));
    run.results.insert(QStringLiteral("deliveries"), deliveries);
    run.results.insert(QStringLiteral("deliveries_expected"), expected);
    run.results.insert(QStringLiteral("deliveries_per_second"),
                       deliveries / (double(t1 - t0) / 1e9));
    run.results.insert(QStringLiteral("deliveries_per_server_cpu_second"),
                       serverCpu > 0 ? deliveries / serverCpu : 0);
    run.results.insert(QStringLiteral("latency_201_to_last_receiver"), toLast.summaryMs());
    run.results.insert(QStringLiteral("latency_post_to_last_receiver"),
                       toFirstFromPost.summaryMs());
    run.results.insert(QStringLiteral("publish_http_latency"), publishLatency.summaryMs());
    finishServer(run, baseline, n);
    commonChecks(run, m);
    run.problem(QStringLiteral("connect_failures"),
                conn.value(QLatin1String("failed")).toInteger());
    run.problem(QStringLiteral("publish_failures"), httpFailures);
    run.problem(QStringLiteral("notifications_with_wrong_receiver_count"), wrongCount);
    run.problem(QStringLiteral("unknown_notification_ids"), unknownIds);
    run.problem(QStringLiteral("deliveries_short"), std::max<qint64>(0, expected - got));
    const double p99 = toLast.percentile(0.99) / 1000.0;
    run.target(QStringLiteral("p99 from 201 to the last receiver (ms)"), QStringLiteral("< 100"),
               p99, p99 < 100);
    return 0;
}

/** People spread over team rooms of roomSize members each (presence and hello as in real use). */
std::vector<Person> teamSetup(Run &run, long n, long roomSize, int roomsPerPerson,
                              std::vector<QString> *roomNames, std::vector<qint64> *roomIds,
                              std::vector<std::vector<qint64>> *membersOut = nullptr)
{
    Setup setup(run.dataDir);
    std::vector<Person> people = setup.people(n, QStringLiteral("u"));
    const long rooms = std::max<long>(1, (n + roomSize - 1) / roomSize);
    for (int k = 0; k < roomsPerPerson; ++k)
        for (long r = 0; r < rooms; ++r) {
            const QString name =
                QStringLiteral("%1%2").arg(k == 0 ? QLatin1Char('a') : QLatin1Char('b')).arg(r);
            roomNames->push_back(name);
            roomIds->push_back(setup.room(name));
        }
    if (membersOut)
        membersOut->assign(roomIds->size(), {});
    for (long i = 0; i < n; ++i) {
        // first room: consecutive blocks; second room: interleaved, so the two differ
        const size_t ra = size_t(i / roomSize);
        setup.member((*roomIds)[ra], people[size_t(i)].id);
        if (membersOut)
            (*membersOut)[ra].push_back(people[size_t(i)].id);
        if (roomsPerPerson > 1) {
            const size_t rb = size_t(rooms + i % rooms);
            setup.member((*roomIds)[rb], people[size_t(i)].id);
            if (membersOut)
                (*membersOut)[rb].push_back(people[size_t(i)].id);
        }
    }
    setup.finish();
    return people;
}

int connectStorm(Run &run)
{
    const long n = run.opt.num("people", run.smoke ? 100 : 10000);
    const long roomSize = run.opt.num("room-size", run.smoke ? 10 : 100);
    run.params = {{QStringLiteral("people"), qint64(n)},
                  {QStringLiteral("room_size"), qint64(roomSize)}};
    std::vector<QString> names;
    std::vector<qint64> ids;
    const std::vector<Person> people = teamSetup(run, n, roomSize, 1, &names, &ids);
    const std::string plan = writePlan(run.dataDir, QStringLiteral("plan.txt"), people);
    run.server.start(0);
    run.fleet.server = &run.server;
    const long long baseline = rssKiB(run.server.pid);
    startWorkers(run, plan, n, 15000, int(run.opt.num("workers", 2)));
    run.fleet.pump(200);
    say("connect storm: %ld people at once", n);
    const CpuSample c0 = cpuOf(run.server.pid);
    const int64_t t0 = nowNs();
    const QJsonObject conn = connectAll(run, run.opt.real("timeout", 120));
    const CpuSample c1 = cpuOf(run.server.pid);
    const int64_t t1 = nowNs();
    run.fleet.pump(1500); // anything closing right after hello?
    Merged m = collect(run, {});
    run.results.insert(QStringLiteral("authenticated"), conn.value(QLatin1String("ok")));
    run.results.insert(QStringLiteral("failed"), conn.value(QLatin1String("failed")));
    run.results.insert(QStringLiteral("seconds_to_all_authenticated"),
                       conn.value(QLatin1String("seconds")));
    run.results.insert(QStringLiteral("hello_latency"), m.hello.summaryMs());
    run.results.insert(QStringLiteral("server_cpu"), cpuDelta(c0, c1, double(t1 - t0) / 1e9));
    finishServer(run, baseline, n);
    commonChecks(run, m);
    run.problem(QStringLiteral("not_authenticated"),
                n - conn.value(QLatin1String("ok")).toInteger());
    run.problem(QStringLiteral("workers_timed_out"),
                conn.value(QLatin1String("workers_timed_out")).toInteger());
    const double secs = conn.value(QLatin1String("seconds")).toDouble();
    const bool allOk = conn.value(QLatin1String("ok")).toInteger() == n;
    run.target(QStringLiteral("all authenticated within (s)"), QStringLiteral("< 3, none failed"),
               secs, allOk && secs >= 0 && secs < 3);
    return 0;
}

int idleCapacity(Run &run)
{
    const long max = run.opt.num("max", run.smoke ? 300 : 50000);
    const long step = run.opt.num("step", run.smoke ? 100 : 5000);
    const double hold = run.opt.real("hold", run.smoke ? 2 : 30);
    const double waveTimeout = run.opt.real("wave-timeout", run.smoke ? 20 : 30);
    run.params = {{QStringLiteral("max"), qint64(max)},
                  {QStringLiteral("step"), qint64(step)},
                  {QStringLiteral("hold_seconds"), hold}};
    std::vector<QString> names;
    std::vector<qint64> ids;
    const std::vector<Person> people =
        teamSetup(run, max, run.opt.num("room-size", run.smoke ? 10 : 100), 1, &names, &ids);
    const std::string plan = writePlan(run.dataDir, QStringLiteral("plan.txt"), people);
    run.server.start(0);
    run.fleet.server = &run.server;
    run.fleet.pump(1000);
    const long long baseline = rssKiB(run.server.pid);
    // The open-files limit bounds one process: ~15,000 connections per worker.
    startWorkers(run, plan, max, 15000, 1);
    QJsonArray waves;
    long held = 0;
    long long rssAt10k = 0;
    QJsonObject lastFailure;
    say("idle capacity: up to %ld connections in steps of %ld", max, step);
    for (long from = 0; from < max; from += step) {
        const long to = std::min(max, from + step);
        std::vector<size_t> which;
        const int64_t t0 = nowNs();
        for (size_t i = 0; i < run.fleet.w.size(); ++i) {
            const long f = run.fleet.ranges[i].first, c = run.fleet.ranges[i].second;
            const long a = std::max(from, f), b = std::min(to, f + c);
            if (a < b) {
                run.fleet.send(i, "connect " + std::to_string(a - f) + " " + std::to_string(b - f) +
                                      " " + std::to_string(t0));
                which.push_back(i);
            }
        }
        qint64 ok = 0, failed = 0, timedOut = 0;
        for (const QJsonObject &o :
             run.fleet.waitAll(QStringLiteral("connected"), waveTimeout, which)) {
            if (o.isEmpty())
                ++timedOut;
            ok += o.value(QLatin1String("ok")).toInteger();
            failed += o.value(QLatin1String("failed")).toInteger();
        }
        run.fleet.pump(1000);
        const auto prog = run.fleet.progress();
        const qint64 open = prog.at(QStringLiteral("open"));
        const long long rss = rssKiB(run.server.pid);
        waves.append(QJsonObject{{QStringLiteral("target"), qint64(to)},
                                 {QStringLiteral("open"), open},
                                 {QStringLiteral("wave_ok"), ok},
                                 {QStringLiteral("wave_failed"), failed},
                                 {QStringLiteral("wave_timed_out"), timedOut},
                                 {QStringLiteral("seconds"), double(nowNs() - t0) / 1e9},
                                 {QStringLiteral("rss_kib"), rss},
                                 {QStringLiteral("rss_per_connection_kib"),
                                  open ? double(rss - baseline) / double(open) : 0}});
        say("  %lld open, server RSS %lld KiB (%.1f KiB/conn)", (long long)open, rss,
            open ? double(rss - baseline) / double(open) : 0);
        if (failed || timedOut || open < to) {
            lastFailure = QJsonObject{{QStringLiteral("at"), open},
                                      {QStringLiteral("failed"), failed},
                                      {QStringLiteral("timed_out_workers"), timedOut}};
            held = open;
            break;
        }
        held = open;
        if (to == std::min<long>(10000, max))
            rssAt10k = rss;
    }
    // Hold: everyone stays connected through heartbeats.
    say("holding %ld connections for %.0f s", held, hold);
    const int64_t holdEnd = nowNs() + int64_t(hold * 1e9);
    while (nowNs() < holdEnd)
        run.fleet.pump(200);
    const auto prog = run.fleet.progress();
    const qint64 stillOpen = prog.at(QStringLiteral("open"));
    Merged m = collect(run, {});
    const long long rss = rssKiB(run.server.pid);
    run.results.insert(QStringLiteral("waves"), waves);
    run.results.insert(QStringLiteral("max_held"), qint64(held));
    run.results.insert(QStringLiteral("open_after_hold"), stillOpen);
    run.results.insert(QStringLiteral("pings_answered"), m.n[QStringLiteral("pings")]);
    if (!lastFailure.isEmpty()) {
        lastFailure.insert(QStringLiteral("reasons"), m.reasons);
        lastFailure.insert(QStringLiteral("pending_without_answer"),
                           m.n[QStringLiteral("pending")]);
        run.results.insert(QStringLiteral("limit_reached"), lastFailure);
    }
    const double per10k =
        rssAt10k ? double(rssAt10k - baseline) / double(std::min<long>(10000, max)) : -1;
    run.results.insert(QStringLiteral("rss_per_connection_kib_at_10000"), per10k);
    run.results.insert(QStringLiteral("rss_per_connection_kib_at_max"),
                       stillOpen ? double(rss - baseline) / double(stillOpen) : 0);
    finishServer(run, baseline, stillOpen);
    // At the capacity limit, refused connections are the measurement, not a failure; the ones
    // that were held must stay held.
    run.problem(QStringLiteral("dropped_during_hold"), held - stillOpen);
    run.problem(QStringLiteral("duplicates"), m.n[QStringLiteral("duplicates")]);
    run.correctness.insert(QStringLiteral("refused_at_limit"), m.n[QStringLiteral("failed")]);
    if (max >= 10000)
        run.target(QStringLiteral("server RSS per idle authenticated connection at 10,000 (KiB)"),
                   QStringLiteral("<= 20"), per10k, per10k > 0 && per10k <= 20);
    run.target(QStringLiteral("idle connections held on one node"), QStringLiteral(">= 50000"),
               double(held), held >= 50000);
    return 0;
}

int resumeStorm(Run &run)
{
    const long n = run.opt.num("people", run.smoke ? 40 : 10000);
    const long roomSize = run.opt.num("room-size", run.smoke ? 10 : 100);
    const long behind = run.opt.num("behind", run.smoke ? 3 : 5);
    const long before = run.opt.num("history", 3);
    run.params = {{QStringLiteral("people"), qint64(n)},
                  {QStringLiteral("room_size"), qint64(roomSize)},
                  {QStringLiteral("rooms_per_person"), 2},
                  {QStringLiteral("messages_behind_per_room"), qint64(behind)},
                  {QStringLiteral("history_before"), qint64(before)}};
    std::vector<QString> names;
    std::vector<qint64> ids;
    std::vector<std::vector<qint64>> members;
    const std::vector<Person> people = teamSetup(run, n, roomSize, 2, &names, &ids, &members);
    auto writeMessages = [&](long perRoom, const QString &tag) {
        Store st;
        if (auto e = st.open(run.dataDir))
            die("store: " + e->message.toStdString());
        st.begin();
        for (size_t r = 0; r < ids.size(); ++r)
            for (long k = 0; k < perRoom; ++k) {
                const qint64 from = members[r][size_t(k) % members[r].size()];
                auto res = st.storeMessage(ids[r], from, QStringLiteral("%1-%2").arg(tag).arg(k),
                                           QStringLiteral("%1 %2").arg(tag).arg(k),
                                           QDateTime::currentMSecsSinceEpoch());
                if (auto *e = std::get_if<herald::StoreError>(&res))
                    die("storeMessage: " + e->message.toStdString());
            }
        if (!st.commit())
            die("commit failed");
        st.close();
    };
    writeMessages(before, QStringLiteral("h"));
    const std::string plan = writePlan(run.dataDir, QStringLiteral("plan.txt"), people);
    run.server.start(0);
    run.fleet.server = &run.server;
    const int port = run.server.port;
    startWorkers(run, plan, n, 15000, int(run.opt.num("workers", 2)));
    const QJsonObject conn = connectAll(run, 180);
    run.results.insert(QStringLiteral("initial_connect"), conn);
    run.fleet.pump(1000);

    // Restart: the server goes down (1001 to everyone), messages arrive meanwhile, it comes back.
    run.fleet.sendAll("expect-close 1");
    run.fleet.pump(100);
    say("resume storm: stopping the server with %lld people connected",
        (long long)conn.value(QLatin1String("ok")).toInteger());
    const double stopSecs = run.server.stop();
    const qint64 closedN = run.fleet.waitProgress(
        QStringLiteral("expectedCloses"), conn.value(QLatin1String("ok")).toInteger(), 30, 10);
    writeMessages(behind, QStringLiteral("o"));
    say("resume storm: restarting; %ld people reconnect at once, %ld messages behind in each of 2 "
        "rooms",
        n, behind);
    run.server.start(port);
    const long long baseline = rssKiB(run.server.pid);
    const CpuSample c0 = cpuOf(run.server.pid);
    const int64_t t0 = nowNs();
    run.fleet.sendAll("resume " + std::to_string(t0));
    qint64 ok = 0, failed = 0, last = 0, timedOut = 0;
    for (const QJsonObject &o :
         run.fleet.waitAll(QStringLiteral("resumed"), run.opt.real("timeout", 120))) {
        if (o.isEmpty())
            ++timedOut;
        ok += o.value(QLatin1String("ok")).toInteger();
        failed += o.value(QLatin1String("failed")).toInteger();
        last = std::max(last, o.value(QLatin1String("lastCaughtNs")).toInteger());
    }
    const CpuSample c1 = cpuOf(run.server.pid);
    const int64_t t1 = nowNs();
    QJsonObject expectRooms;
    for (const QString &r : names)
        expectRooms.insert(r, qint64(before + behind));
    Merged m = collect(run, {{QStringLiteral("rooms"), expectRooms}});
    const double secs = last ? double(last - t0) / 1e9 : -1;
    const qint64 expectedMsgs = qint64(n) * 2 * behind;
    run.results.insert(QStringLiteral("server_stop_seconds"), stopSecs);
    run.results.insert(QStringLiteral("closed_by_restart"), closedN);
    run.results.insert(QStringLiteral("caught_up"), ok);
    run.results.insert(QStringLiteral("failed"), failed);
    run.results.insert(QStringLiteral("seconds_to_all_caught_up"), secs);
    run.results.insert(QStringLiteral("catch_up_latency"), m.catchUp.summaryMs());
    run.results.insert(QStringLiteral("reconnect_hello_latency"), m.resumeHello.summaryMs());
    run.results.insert(QStringLiteral("messages_replayed"), m.n[QStringLiteral("messages")]);
    run.results.insert(QStringLiteral("messages_expected"), expectedMsgs);
    run.results.insert(QStringLiteral("server_cpu"), cpuDelta(c0, c1, double(t1 - t0) / 1e9));
    finishServer(run, baseline, ok);
    commonChecks(run, m);
    run.problem(QStringLiteral("initial_connect_failures"),
                conn.value(QLatin1String("failed")).toInteger());
    run.problem(QStringLiteral("not_caught_up"), n - ok);
    run.problem(QStringLiteral("workers_timed_out"), timedOut);
    run.problem(QStringLiteral("replayed_count_mismatch"),
                std::abs(m.n[QStringLiteral("messages")] - expectedMsgs));
    run.target(QStringLiteral("all caught up within (s)"),
               QStringLiteral("< 10, nothing lost or duplicated"), secs,
               ok == n && secs >= 0 && secs < 10);
    return 0;
}

/** Environment that changes how the server runs (event dispatcher, preloads), for the record. */
QJsonObject serverEnv()
{
    QJsonObject o;
    for (const char *k : {"QT_NO_GLIB", "LD_PRELOAD", "QT_EVENT_DISPATCHER_CORE_FOUNDATION"})
        if (const char *v = getenv(k))
            o.insert(QString::fromLatin1(k), QString::fromLocal8Bit(v));
    return o;
}

int usage()
{
    fprintf(stderr,
            "usage: herald-bench SCENARIO [options]\n"
            "scenarios:\n"
            "  room-fanout    --members 1000 --rate 1000 --duration 20\n"
            "  notify-fanout  --people 10000 --count 200 --rate 10\n"
            "  connect-storm  --people 10000 --room-size 100\n"
            "  idle           --max 50000 --step 5000 --hold 30\n"
            "  resume-storm   --people 10000 --room-size 100 --behind 5\n"
            "common options:\n"
            "  --out FILE           JSON result (default herald-bench-SCENARIO.json)\n"
            "  --server PATH        herald-server binary (default: next to herald-bench)\n"
            "  --data-dir DIR       fresh directory for the run (default: a new one under /tmp, "
            "removed after)\n"
            "  --server-set K=V     extra server config (repeatable)\n"
            "  --workers N          minimum worker processes (default 2)\n"
            "  --smoke              tiny sizes: checks correctness only (CTest)\n"
            "  --strict             exit 1 when a target is missed too\n"
            "  --keep               keep the data directory\n"
            "  --quiet-wait S       wait up to S seconds for other processes to leave the CPU\n");
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "worker"))
        return workerMain(argc, argv);
    if (argc < 2 || argv[1][0] == '-')
        return usage();
    signal(SIGPIPE, SIG_IGN);
    QCoreApplication app(argc, argv);
    Run run;
    run.scenario = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--", 0) != 0)
            return usage();
        a = a.substr(2);
        if (a == "smoke" || a == "strict" || a == "keep") {
            run.opt.kv[a] = "1";
            continue;
        }
        if (i + 1 >= argc)
            return usage();
        if (a == "server-set")
            run.opt.serverSets.push_back(argv[++i]);
        else
            run.opt.kv[a] = argv[++i];
    }
    run.smoke = run.opt.has("smoke");
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max; // server and workers inherit it
    setrlimit(RLIMIT_NOFILE, &rl);

    const std::string exe = selfExe();
    run.server.bin = run.opt.str("server", exe.substr(0, exe.rfind('/')) + "/herald-server");
    if (access(run.server.bin.c_str(), X_OK))
        die("no herald-server at " + run.server.bin + " (use --server)");
    bool tempDir = false;
    if (run.opt.has("data-dir")) {
        run.dataDir = QString::fromStdString(run.opt.str("data-dir", ""));
        if (QDir(run.dataDir).exists() && !QDir(run.dataDir).isEmpty())
            die("--data-dir must be new or empty");
    } else {
        char tmpl[] = "/tmp/herald-bench-XXXXXX";
        if (!mkdtemp(tmpl))
            die("mkdtemp failed");
        run.dataDir = QString::fromLatin1(tmpl);
        tempDir = true;
    }
    QDir().mkpath(run.dataDir);
    run.server.dataDir = run.dataDir.toStdString();
    run.server.sets = benchServerSets(run.opt);
    run.server.stopTimeout = run.opt.real("stop-timeout", run.smoke ? 2 : 15);

    static const std::map<std::string, std::function<int(Run &)>> scenarios{
        {"room-fanout", roomFanout},     {"room-fanout-cluster", roomFanoutCluster},
        {"notify-fanout", notifyFanout}, {"connect-storm", connectStorm},
        {"idle", idleCapacity},          {"resume-storm", resumeStorm}};
    auto it = scenarios.find(run.scenario);
    if (it == scenarios.end())
        return usage();
    // The machine may be shared: optionally wait for it to be quiet, and record what else ran.
    const double quietWait = run.opt.real("quiet-wait", 0);
    double busyBefore = machineBusyCores(1000);
    for (int64_t until = nowNs() + int64_t(quietWait * 1e9); busyBefore > 0.3 && nowNs() < until;) {
        say("machine busy (%.2f cores used by other processes): waiting", busyBefore);
        sleepMs(4000);
        busyBefore = machineBusyCores(1000);
    }
    const QDateTime started = QDateTime::currentDateTimeUtc();
    const int64_t t0 = nowNs();
    const double machine0 = machineBusySeconds();
    double loadavg[1] = {0};
    getloadavg(loadavg, 1);
    run.fleet.extraCpu = 0;
    it->second(run);
    const double wall = double(nowNs() - t0) / 1e9;
    {
        // CPU of everything else = machine busy - server - bench (controller + workers), over the
        // run.
        double ours = run.fleet.cpuSeconds() + run.fleet.extraCpu;
        rusage ru{};
        getrusage(RUSAGE_SELF, &ru);
        ours += double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        if (run.server.pid > 0)
            ours += cpuOf(run.server.pid).total + run.server.pastCpu;
        else
            ours += run.server.pastCpu;
        const double other = std::max(0.0, machineBusySeconds() - machine0 - ours);
        run.results.insert(
            QStringLiteral("machine"),
            QJsonObject{{QStringLiteral("other_processes_cores_before"), busyBefore},
                        {QStringLiteral("other_processes_cores_during"), other / wall},
                        {QStringLiteral("loadavg_1min_at_start"), loadavg[0]}});
        if (other / wall > 0.3)
            say("note: other processes used %.2f cores during this run: numbers are disturbed",
                other / wall);
    }
    run.fleet.quit();
    run.server.stop();
    run.results.insert(QStringLiteral("server_sigterm_hangs"), run.server.hungStops);

    bool targetsMet = true;
    for (const QJsonValue &t : run.targets)
        targetsMet = targetsMet && t.toObject().value(QLatin1String("met")).toBool();
    const bool correct = run.problems.isEmpty();
    QJsonArray sets;
    for (const std::string &s : run.server.sets)
        sets.append(QString::fromStdString(s));
    const QJsonObject out{{QStringLiteral("scenario"), QString::fromStdString(run.scenario)},
                          {QStringLiteral("date"), started.toString(Qt::ISODate)},
                          {QStringLiteral("commit"), QString::fromStdString(run.opt.str(
                                                         "commit", gitCommit().toStdString()))},
                          {QStringLiteral("machine"), machine()},
                          {QStringLiteral("smoke"), run.smoke},
                          {QStringLiteral("server_settings"), sets},
                          {QStringLiteral("server_environment"), serverEnv()},
                          {QStringLiteral("params"), run.params},
                          {QStringLiteral("results"), run.results},
                          {QStringLiteral("correctness"), run.correctness},
                          {QStringLiteral("correct"), correct},
                          {QStringLiteral("targets"), run.targets},
                          {QStringLiteral("targets_met"), targetsMet},
                          {QStringLiteral("run_seconds"), wall}};
    const QString outPath =
        QString::fromStdString(run.opt.str("out", "herald-bench-" + run.scenario + ".json"));
    QFile f(outPath);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        die("cannot write " + outPath.toStdString());
    f.write(QJsonDocument(out).toJson(QJsonDocument::Indented));
    f.close();
    say("%s: %s, targets %s -> %s", run.scenario.c_str(), correct ? "correct" : "INCORRECT",
        targetsMet ? "met" : "missed", qPrintable(outPath));
    for (const QJsonValue &t : run.targets) {
        const QJsonObject o = t.toObject();
        say("  target %s %s: %.3f %s", qPrintable(o.value(QLatin1String("name")).toString()),
            qPrintable(o.value(QLatin1String("target")).toString()),
            o.value(QLatin1String("value")).toDouble(),
            o.value(QLatin1String("met")).toBool() ? "met" : "MISSED");
    }
    if (!correct)
        say("  correctness problems: %s", qPrintable(run.problems.join(QStringLiteral(", "))));
    if (tempDir && !run.opt.has("keep") && correct)
        QDir(run.dataDir).removeRecursively();
    else
        say("  data directory kept: %s", qPrintable(run.dataDir));
    if (!correct)
        return 1;
    return run.opt.has("strict") && !targetsMet ? 1 : 0;
}
