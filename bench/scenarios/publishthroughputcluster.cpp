// herald-bench scenario publish-throughput-cluster: publish-throughput (publishthroughput.cpp)
// on PostgreSQL with Redis as the bus, on one node (--nodes 1, the baseline) or two (--nodes 2).
// With two, half the publishers POST to node A and half to node B at the same time, and each
// person's two devices are one on each node, so every notification is delivered on its own
// node and, over the bus, on the other. Per step: the rate accepted (in all and per node), the
// p99 of the 201, each node's CPU, PostgreSQL's CPU, and what Herald's PostgreSQL sessions were
// doing (running, waiting for a row lock, for the WAL, ...), sampled every 100 ms. --baseline
// FILE (the JSON of a --nodes 1 run) adds the ratio of this run's highest rate held to it.
// Correctness as in publish-throughput: every 201 a new id, every device exactly its person's
// notifications, once each, in increasing id order.
#include "scenarios.h"

#include "cluster.h"
#include "publishers.h"
#include "report.h"
#include "sampling.h"

#include <QFile>
#include <QJsonDocument>

#include <algorithm>
#include <set>

namespace bench {

namespace {

/** The highest rate held in the JSON result of an earlier run (0 when unreadable). */
double heldRateIn(const std::string &path)
{
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly))
        die("cannot read --baseline " + path);
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    return o.value(QLatin1String("results"))
        .toObject()
        .value(QLatin1String("highest_rate_held"))
        .toDouble();
}

} // namespace

int publishThroughputCluster(Run &run)
{
    requirePostgres("publish-throughput-cluster");
    const long nodes = run.opt.num("nodes", 2);
    const long people = run.opt.num("people", run.smoke ? 10 : 500);
    const long publishers = run.opt.num("publishers", run.smoke ? 4 : 64);
    const double stepSeconds = run.opt.real("step", run.smoke ? 1 : 5);
    const double limitMs = run.opt.real("p99-limit", 50);
    const bool allSteps = run.opt.has("all-steps");
    const std::vector<double> rates =
        parseRates(run.opt.str("rates", run.smoke ? "50,100" : "250,500,750,1000,1500,2000,3000"));
    if (rates.empty() || people < 1 || publishers < 2 || (nodes != 1 && nodes != 2))
        die("publish-throughput-cluster needs --nodes 1|2, --rates R1,R2,..., --people above 0 "
            "and --publishers above 1");
    QJsonArray rateList;
    for (double r : rates)
        rateList.append(r);
    run.params = {{QStringLiteral("nodes"), qint64(nodes)},
                  {QStringLiteral("people"), qint64(people)},
                  {QStringLiteral("devices_per_person"), 2},
                  {QStringLiteral("publishers"), qint64(publishers)},
                  {QStringLiteral("step_seconds"), stepSeconds},
                  {QStringLiteral("rates"), rateList},
                  {QStringLiteral("p99_limit_ms"), limitMs},
                  {QStringLiteral("all_steps"), allSteps},
                  {QStringLiteral("storage"), QStringLiteral("postgres")},
                  {QStringLiteral("bus"), QStringLiteral("redis")}};

    Redis redis;
    redis.start(run);
    Setup setup(postgresStorage(run));
    const std::vector<Person> persons = setup.people(people, QStringLiteral("p"));
    auto svc = setup.st.createService(QStringLiteral("bench"), QString(), QString());
    const qint64 serviceId = std::get<qint64>(svc);
    const std::string serviceToken =
        std::get<QString>(
            setup.st.issueToken(0, serviceId, QStringLiteral("service"), QStringLiteral("bench")))
            .toStdString();
    setup.finish();
    // Plan lines j and people + j are person j's two devices: the first on node A, the second
    // on node B (on A too with --nodes 1).
    std::vector<Person> devices = persons;
    devices.insert(devices.end(), persons.begin(), persons.end());
    const std::string plan = writePlan(run.dataDir, QStringLiteral("plan.txt"), devices);

    Server &a = run.server;
    Server b = makeClusterPair(a, redis);
    a.start(0);
    if (nodes == 2)
        b.start(0);
    run.fleet.server = &a;
    const long long baseline = a.idleRssKiB;
    const std::string exe = selfExe();
    run.fleet.add(exe, a.port, plan, 0, people);
    run.fleet.add(exe, nodes == 2 ? b.port : a.port, plan, people, people);
    for (const QJsonObject &o : run.fleet.waitAll(QStringLiteral("ready"), 60))
        if (o.isEmpty())
            die("a worker did not start");
    run.fleet.sendAll("notif-sparse 1");
    const QJsonObject conn = connectAll(run, run.smoke ? 30 : 120);
    run.results.insert(QStringLiteral("connect"), conn);
    run.fleet.pump(1500); // subscriptions settle

    std::vector<Server *> servers{&a};
    if (nodes == 2)
        servers.push_back(&b);
    std::vector<int> ports;
    for (Server *s : servers)
        ports.push_back(s->port);
    const QString nodeNames[] = {QStringLiteral("node_a"), QStringLiteral("node_b")};

    say("publish throughput on %ld node(s), PostgreSQL + Redis: %ld people x 2 devices, %ld "
        "publishers, steps of %.0f s",
        nodes, people, publishers, stepSeconds);
    PostgresWatch pg;
    PublisherPool pool(ports, int(publishers), serviceToken, persons);
    pool.onTick = [&pg] { pg.sample(); };
    Expected expected; // person -> count, sum of ids
    std::set<qint64> ids;
    qint64 duplicateIds = 0, failures = 0, errorAnswers = 0, accepted = 0;
    long nextRecipient = 0;
    double heldRate = 0, heldP99 = 0;
    bool allHeld = true;
    QJsonArray steps;
    for (double rate : rates) {
        std::vector<Counters> m0;
        std::vector<CpuSample> c0;
        for (Server *s : servers) {
            m0.push_back(readCounters(s->port, run));
            c0.push_back(cpuOf(s->pid));
        }
        const double pg0 = pg.cpuSeconds();
        const double bench0 = run.fleet.cpuSeconds() + selfCpuSeconds();
        const double machine0 = machineBusySeconds();
        pg.takeSamples();
        const int64_t t0 = nowNs();
        const std::vector<Request> reqs =
            pool.step(rate, stepSeconds, &nextRecipient, run.smoke ? 10 : 30, run);
        const int64_t t1 = pool.lastAnswerNs > t0 ? pool.lastAnswerNs : nowNs();
        const double wall = std::max(double(t1 - t0) / 1e9, 1e-9);
        const QJsonObject pgStates = pg.takeSamples();
        const double pg1 = pg.cpuSeconds();
        const double bench1 = run.fleet.cpuSeconds() + selfCpuSeconds();
        const double machine1 = machineBusySeconds();
        double serverCpu = 0, commits = 0;
        QJsonObject perNode;
        std::vector<qint64> okByNode(servers.size(), 0);
        std::vector<Histogram> latencyByNode(servers.size());
        Histogram latency; // from when each request was due to its 201
        qint64 ok = 0, failed = 0;
        for (const Request &q : reqs) {
            if (q.status != 201 || q.id <= 0) {
                ++failed;
                if (q.status != 0)
                    ++errorAnswers;
                continue;
            }
            ++ok;
            ++okByNode[size_t(q.node)];
            latency.add((q.answeredNs - q.dueNs) / 1000);
            latencyByNode[size_t(q.node)].add((q.answeredNs - q.dueNs) / 1000);
            if (!ids.insert(q.id).second)
                ++duplicateIds;
            auto &e = expected[q.recipient];
            ++e.first;
            e.second += q.id;
        }
        for (size_t n = 0; n < servers.size(); ++n) {
            const CpuSample c1 = cpuOf(servers[n]->pid);
            const Counters m1 = readCounters(servers[n]->port, run);
            const double cpu = c1.total - c0[n].total;
            serverCpu += cpu;
            commits += m1.commits - m0[n].commits;
            perNode.insert(
                nodeNames[n],
                QJsonObject{{QStringLiteral("accepted"), okByNode[n]},
                            {QStringLiteral("accepted_per_second"), double(okByNode[n]) / wall},
                            {QStringLiteral("latency_201"), latencyByNode[n].summaryMs()},
                            {QStringLiteral("cores"), cpu / wall},
                            {QStringLiteral("commits"), m1.commits - m0[n].commits},
                            {QStringLiteral("threads"), cpuDelta(c0[n], c1, wall)}});
        }
        failures += failed;
        accepted += ok;
        // Deliveries catch up before the next step, so that steps do not overlap.
        const qint64 delivered = run.fleet.waitProgress(QStringLiteral("notifications"),
                                                        2 * accepted, 60, run.smoke ? 5 : 15);
        const double pgCores = (pg1 - pg0) / wall;
        const double others =
            std::max(0.0, (machine1 - machine0) - serverCpu - (pg1 - pg0) - (bench1 - bench0)) /
            wall;
        const double p99 = latency.percentile(0.99) / 1000.0;
        steps.append(QJsonObject{
            {QStringLiteral("offered_per_second"), rate},
            {QStringLiteral("requests"), qint64(reqs.size())},
            {QStringLiteral("accepted"), ok},
            {QStringLiteral("failed"), failed},
            {QStringLiteral("accepted_per_second"), double(ok) / wall},
            {QStringLiteral("latency_201"), latency.summaryMs()},
            {QStringLiteral("service_time"), pool.takeServiceTimes().summaryMs()},
            {QStringLiteral("nodes"), perNode},
            {QStringLiteral("server_cores"), serverCpu / wall},
            {QStringLiteral("server_cpu_us_per_notification"),
             ok > 0 ? serverCpu * 1e6 / double(ok) : 0},
            {QStringLiteral("commits"), commits},
            {QStringLiteral("notifications_per_commit"), commits > 0 ? double(ok) / commits : 0},
            {QStringLiteral("postgres_cores"), pgCores},
            {QStringLiteral("postgres_sessions"), pgStates},
            {QStringLiteral("bench_cores"), (bench1 - bench0) / wall},
            {QStringLiteral("machine_cores"), (machine1 - machine0) / wall},
            {QStringLiteral("others_cores"), others},
            {QStringLiteral("deliveries_caught_up"), delivered >= 2 * accepted}});
        const bool held = failed == 0 && p99 <= limitMs && double(ok) / wall >= 0.95 * rate;
        say("  %6.0f/s offered: %lld accepted (%.0f/s), p50 %.1f ms, p99 %.1f ms, %.1f per "
            "commit, server %.2f cores, postgres %.2f, others %.2f%s",
            rate, static_cast<long long>(ok), double(ok) / wall, latency.percentile(0.5) / 1000.0,
            p99, commits > 0 ? double(ok) / commits : 0, serverCpu / wall, pgCores, others,
            held ? "" : "  (not held)");
        allHeld = allHeld && held;
        if (allHeld) {
            heldRate = rate;
            heldP99 = p99;
        } else if (!allSteps) {
            break;
        }
    }
    run.results.insert(QStringLiteral("steps"), steps);
    run.results.insert(QStringLiteral("highest_rate_held"), heldRate);
    run.results.insert(QStringLiteral("p99_ms_at_highest_rate_held"), heldP99);
    run.results.insert(QStringLiteral("accepted"), accepted);
    run.results.insert(QStringLiteral("postgres_watch"), pg.ok());

    // Every device: exactly its person's notifications, each once and in id order.
    Merged m;
    checkDevices(
        run, m, expected,
        [&run, people](size_t w, long i) { return (run.fleet.ranges[w].first + i) % people; },
        failures - errorAnswers > 0);
    finishServer(run, baseline, 2 * people);
    commonChecks(run, m);
    run.problem(QStringLiteral("connect_failures"),
                conn.value(QLatin1String("failed")).toInteger());
    run.problem(QStringLiteral("duplicate_ids_in_201s"), duplicateIds);
    run.problem(QStringLiteral("publish_error_answers"), errorAnswers);
    run.results.insert(QStringLiteral("publish_failures"), failures);
    if (run.opt.has("baseline")) {
        const double one = heldRateIn(run.opt.str("baseline", ""));
        const double ratio = one > 0 ? heldRate / one : 0;
        run.results.insert(QStringLiteral("baseline_highest_rate_held"), one);
        run.results.insert(QStringLiteral("ratio_to_baseline"), ratio);
        run.target(QStringLiteral("highest rate held, two nodes against one"),
                   QStringLiteral(">= 1.6x"), ratio, ratio >= 1.6);
    }
    if (nodes == 2)
        b.stop();
    redis.stop();
    // The run's "machine" record counts as ours what the workers, the controller and node A
    // used; node B and this run's PostgreSQL (started for it by with-postgres.sh) are ours too.
    run.fleet.extraCpu += b.pastCpu + pg.cpuSeconds();
    return 0;
}

} // namespace bench
