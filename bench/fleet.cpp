// herald-bench controller: the worker fleet. Spawns the worker processes (herald-bench worker
// ...), talks to them over their stdin and stdout, and collects and merges what they report.
#include "fleet.h"

#include "report.h"
#include "sampling.h"
#include "setup.h"
#include "util.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cerrno>
#include <csignal>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bench {

// ------------------------------------------------------------------ Fleet

void Fleet::add(const std::string &exe, int port, const std::string &plan, long first, long count)
{
    w.push_back(spawn(
        {exe, "worker", std::to_string(port), plan, std::to_string(first), std::to_string(count)},
        {}));
    ranges.emplace_back(first, count);
}

void Fleet::send(size_t i, const std::string &line)
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

void Fleet::sendAll(const std::string &line)
{
    for (size_t i = 0; i < w.size(); ++i)
        send(i, line);
}

void Fleet::sample()
{
    if (server && server->pid > 0)
        rssPeak = std::max(rssPeak, rssKiB(server->pid));
    lastSample = nowNs();
}

void Fleet::pump(int ms)
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

QJsonObject Fleet::wait(size_t i, const QString &name, double timeoutSec)
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

std::vector<QJsonObject> Fleet::waitAll(const QString &name, double timeoutSec,
                                        const std::vector<size_t> &which)
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

std::map<QString, qint64> Fleet::progress()
{
    sendAll("progress");
    std::map<QString, qint64> sum;
    for (const QJsonObject &o : waitAll(QStringLiteral("progress"), 10))
        for (auto it = o.begin(); it != o.end(); ++it)
            if (it.value().isDouble())
                sum[it.key()] += it.value().toInteger();
    return sum;
}

qint64 Fleet::waitProgress(const QString &key, qint64 target, double timeoutSec, double stallSec)
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

double Fleet::cpuSeconds()
{
    double s = 0;
    for (Child &c : w)
        s += cpuOf(c.pid).total;
    return s;
}

void Fleet::quit()
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

// ------------------------------------------------------------------ reports

void Merged::add(const QJsonObject &r)
{
    latencyByWorker.emplace_back();
    latencyByWorker.back().mergeJson(r.value(QLatin1String("latency")).toObject());
    for (auto it = r.begin(); it != r.end(); ++it)
        if (it.value().isDouble() && it.key() != QLatin1String("lastMessageNs"))
            n[it.key()] += it.value().toInteger();
    lastMessageNs = std::max(lastMessageNs, r.value(QLatin1String("lastMessageNs")).toInteger());
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

Merged collect(Run &run, const QJsonObject &expect)
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
        m.add(r);
    }
    return m;
}

// ------------------------------------------------------------------ starting and connecting

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

size_t startSender(Run &run, int port, const std::string &senderPlan)
{
    run.fleet.add(selfExe(), port, senderPlan, 0, 1);
    const size_t senderIdx = run.fleet.w.size() - 1;
    run.fleet.wait(senderIdx, QStringLiteral("ready"), 30);
    run.fleet.send(senderIdx, "connect 0 1 0");
    if (run.fleet.wait(senderIdx, QStringLiteral("connected"), 30)
            .value(QLatin1String("ok"))
            .toInteger() != 1)
        run.problem(QStringLiteral("sender_not_connected"), 1);
    return senderIdx;
}

} // namespace bench
