// herald-bench scenario room-fanout-cluster: the room fan-out across two nodes on one
// PostgreSQL and one Redis (cluster mode).
#include "scenarios.h"

#include "cluster.h"
#include "report.h"
#include "sampling.h"

namespace bench {

/** Run it under tests/cluster/with-postgres.sh (which exports the PG* variables); it starts
 *  redis-server itself. Half the members connect to node A, half to node B; the sender is on A.
 */
int roomFanoutCluster(Run &run)
{
    requirePostgres("room-fanout-cluster");
    const long members = run.opt.num("members", run.smoke ? 20 : 1000);
    const double rate = run.opt.real("rate", run.smoke ? 100 : 500);
    const double duration = run.opt.real("duration", run.smoke ? 1 : 10);
    const long count = std::max<long>(1, long(rate * duration));
    run.params = {{QStringLiteral("members"), qint64(members)},
                  {QStringLiteral("nodes"), 2},
                  {QStringLiteral("rate_per_second"), rate},
                  {QStringLiteral("duration_seconds"), duration},
                  {QStringLiteral("messages"), qint64(count)}};
    Redis redis;
    redis.start(run);

    Setup setup(postgresStorage(run));
    const FanoutPlans plans = fanoutSetup(setup, run.dataDir, members);

    Server &a = run.server;
    Server b = makeClusterPair(a, redis);
    a.start(0);
    b.start(0);
    run.fleet.server = &a;
    const std::string exe = selfExe();
    const long half = members / 2;
    run.fleet.add(exe, a.port, plans.members, 0, half);
    run.fleet.add(exe, b.port, plans.members, half, members - half);
    for (const QJsonObject &o : run.fleet.waitAll(QStringLiteral("ready"), 60))
        if (o.isEmpty())
            die("a worker did not start");
    const QJsonObject conn = connectAll(run, 120);
    run.results.insert(QStringLiteral("connect"), conn);
    const size_t senderIdx = startSender(run, a.port, plans.sender);
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
    redis.stop();
    return 0;
}

} // namespace bench
