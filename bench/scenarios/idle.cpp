// herald-bench scenario idle: idle authenticated connections added in waves up to a maximum
// (or the capacity limit), then held through heartbeats; server RSS per connection.
#include "scenarios.h"

#include "report.h"
#include "sampling.h"

namespace bench {

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
    const long long baseline = run.server.idleRssKiB;
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

} // namespace bench
