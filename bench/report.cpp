// herald-bench controller: the report. What a run records (parameters, results, correctness,
// targets), the checks every scenario shares, and the JSON result file.
#include "report.h"

#include "sampling.h"

#include <QFile>
#include <QJsonDocument>
#include <QSysInfo>

#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>
#include <unistd.h>

namespace bench {

namespace {

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

/** Environment that changes how the server runs (event dispatcher, preloads), for the record. */
QJsonObject serverEnv()
{
    QJsonObject o;
    for (const char *k : {"QT_NO_GLIB", "LD_PRELOAD", "QT_EVENT_DISPATCHER_CORE_FOUNDATION"})
        if (const char *v = getenv(k))
            o.insert(QString::fromLatin1(k), QString::fromLocal8Bit(v));
    return o;
}

} // namespace

void Run::problem(const QString &what, qint64 n)
{
    correctness.insert(what, n);
    if (n)
        problems << QStringLiteral("%1=%2").arg(what).arg(n);
}

void Run::target(const QString &name, const QString &goal, double value, bool met)
{
    if (smoke)
        return; // tiny sizes say nothing about speed
    targets.append(QJsonObject{{QStringLiteral("name"), name},
                               {QStringLiteral("target"), goal},
                               {QStringLiteral("value"), value},
                               {QStringLiteral("met"), met}});
}

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

void recordMachine(Run &run, const MachineWatch &watch, double wallSec)
{
    // Ours: the workers (running and gone), this controller, and the server (running and gone).
    double ours = run.fleet.cpuSeconds() + run.fleet.extraCpu + selfCpuSeconds();
    if (run.server.pid > 0)
        ours += cpuOf(run.server.pid).total + run.server.pastCpu;
    else
        ours += run.server.pastCpu;
    run.results.insert(QStringLiteral("machine"), watch.finish(ours, wallSec));
}

int writeReport(Run &run, const QDateTime &started, double wallSec)
{
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
                          {QStringLiteral("run_seconds"), wallSec}};
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
    if (!correct)
        return 1;
    return run.opt.has("strict") && !targetsMet ? 1 : 0;
}

} // namespace bench
