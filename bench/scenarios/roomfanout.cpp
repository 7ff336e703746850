// herald-bench scenario room-fanout: one sender, one room of N members on one server; every
// member must receive every message exactly once and in order.
#include "scenarios.h"

#include "report.h"
#include "sampling.h"

namespace bench {

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
    const FanoutPlans plans = fanoutSetup(setup, run.dataDir, members);

    run.server.start(0);
    run.fleet.server = &run.server;
    const long long baseline = run.server.idleRssKiB;
    startWorkers(run, plans.members, members, 15000, int(run.opt.num("workers", 2)));
    const QJsonObject conn = connectAll(run, 120);
    run.results.insert(QStringLiteral("connect"), conn);
    const size_t senderIdx = startSender(run, run.server.port, plans.sender);
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

} // namespace bench
