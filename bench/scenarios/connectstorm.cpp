// herald-bench scenario connect-storm: N people in team rooms connect at once; all must be
// authenticated (hello received).
#include "scenarios.h"

#include "report.h"
#include "sampling.h"

namespace bench {

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
    const long long baseline = run.server.idleRssKiB;
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

} // namespace bench
