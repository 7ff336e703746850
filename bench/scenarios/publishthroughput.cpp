// herald-bench scenario publish-throughput: business systems publish personal notifications over
// HTTP keep-alive connections, each to one person who is online with two devices, at offered
// rates that step up until the p99 of the 201 latency passes the limit (50 ms). Per step: the
// latency percentiles, the rate accepted, server CPU per notification, and notifications per
// durable commit (herald_storage_commits_total on /metrics). Correctness: every 201 carries a new
// id, and each person's two devices get each of their notifications exactly once, in id order.
//
// The publishers (open-loop, see publishers.cpp) and the devices' check are shared with
// publish-throughput-cluster.
#include "scenarios.h"

#include "publishers.h"
#include "report.h"
#include "sampling.h"

#include <algorithm>
#include <set>

namespace bench {

int publishThroughput(Run &run)
{
    const long people = run.opt.num("people", run.smoke ? 10 : 500);
    const long publishers = run.opt.num("publishers", run.smoke ? 4 : 64);
    const double stepSeconds = run.opt.real("step", run.smoke ? 1 : 5);
    const double limitMs = run.opt.real("p99-limit", 50);
    // --all-steps: run every rate even past the first one not held (comparing two builds or
    // settings at the same rates); the rate held is still the last of the unbroken run of them.
    const bool allSteps = run.opt.has("all-steps");
    const std::vector<double> rates =
        parseRates(run.opt.str("rates", run.smoke ? "50,100" : "500,1000,2000,3000,5000,7000"));
    if (rates.empty() || people < 1 || publishers < 1)
        die("publish-throughput needs --rates R1,R2,..., --people and --publishers above 0");
    QJsonArray rateList;
    for (double r : rates)
        rateList.append(r);
    run.params = {{QStringLiteral("people"), qint64(people)},
                  {QStringLiteral("devices_per_person"), 2},
                  {QStringLiteral("publishers"), qint64(publishers)},
                  {QStringLiteral("step_seconds"), stepSeconds},
                  {QStringLiteral("rates"), rateList},
                  {QStringLiteral("p99_limit_ms"), limitMs},
                  {QStringLiteral("all_steps"), allSteps}};

    Setup setup(run.dataDir);
    const std::vector<Person> persons = setup.people(people, QStringLiteral("p"));
    auto svc = setup.st.createService(QStringLiteral("bench"), QString(), QString());
    const qint64 serviceId = std::get<qint64>(svc);
    const std::string serviceToken =
        std::get<QString>(
            setup.st.issueToken(0, serviceId, QStringLiteral("service"), QStringLiteral("bench")))
            .toStdString();
    setup.finish();
    // Two devices per person: plan lines 2j and 2j+1 are person j.
    std::vector<Person> devices;
    for (const Person &p : persons) {
        devices.push_back(p);
        devices.push_back(p);
    }
    const std::string plan = writePlan(run.dataDir, QStringLiteral("plan.txt"), devices);

    run.server.start(0);
    run.fleet.server = &run.server;
    const long long baseline = run.server.idleRssKiB;
    const long conns = long(devices.size());
    startWorkers(run, plan, conns, 15000, int(run.opt.num("workers", 2)));
    run.fleet.sendAll("notif-sparse 1");
    const QJsonObject conn = connectAll(run, run.smoke ? 30 : 120);
    run.results.insert(QStringLiteral("connect"), conn);
    run.fleet.pump(1000);

    say("publish throughput: %ld people x 2 devices, %ld publishers, steps of %.0f s", people,
        publishers, stepSeconds);
    PublisherPool pool({run.server.port}, int(publishers), serviceToken, persons);
    Expected expected; // person -> count, sum of ids
    std::set<qint64> ids;
    qint64 duplicateIds = 0, failures = 0, errorAnswers = 0, accepted = 0;
    long nextRecipient = 0;
    double heldRate = 0, heldP99 = 0;
    bool allHeld = true;
    QJsonArray steps;
    Histogram all;
    for (double rate : rates) {
        const Counters m0 = readCounters(run.server.port, run);
        const CpuSample c0 = cpuOf(run.server.pid);
        const double bench0 = run.fleet.cpuSeconds() + selfCpuSeconds();
        const double machine0 = machineBusySeconds();
        const qint64 connections0 = pool.connections;
        const int64_t t0 = nowNs();
        const std::vector<Request> reqs =
            pool.step(rate, stepSeconds, &nextRecipient, run.smoke ? 10 : 30, run);
        const int64_t t1 = pool.lastAnswerNs > t0 ? pool.lastAnswerNs : nowNs();
        const CpuSample c1 = cpuOf(run.server.pid);
        const double bench1 = run.fleet.cpuSeconds() + selfCpuSeconds();
        const double machine1 = machineBusySeconds();
        const Counters m1 = readCounters(run.server.port, run);
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
            latency.add((q.answeredNs - q.dueNs) / 1000);
            all.add((q.answeredNs - q.dueNs) / 1000);
            if (!ids.insert(q.id).second)
                ++duplicateIds;
            auto &e = expected[q.recipient];
            ++e.first;
            e.second += q.id;
        }
        const Histogram service = pool.takeServiceTimes();
        failures += failed;
        accepted += ok;
        // Deliveries catch up before the next step, so that steps do not overlap.
        const qint64 delivered = run.fleet.waitProgress(QStringLiteral("notifications"),
                                                        2 * accepted, 60, run.smoke ? 5 : 15);
        const double wall = double(t1 - t0) / 1e9;
        const double cpu = c1.total - c0.total;
        const double commits = m1.commits - m0.commits;
        const auto threadCpu = [](const CpuSample &c, const char *name) {
            const auto it = c.threads.find(name);
            return it == c.threads.end() ? 0.0 : it->second;
        };
        const double storageCpu = threadCpu(c1, "herald-storage") - threadCpu(c0, "herald-storage");
        const double others =
            std::max(0.0, (machine1 - machine0) - cpu - (bench1 - bench0)) / std::max(wall, 1e-9);
        QJsonObject s{
            {QStringLiteral("offered_per_second"), rate},
            {QStringLiteral("requests"), qint64(reqs.size())},
            {QStringLiteral("accepted"), ok},
            {QStringLiteral("failed"), failed},
            {QStringLiteral("connections_opened"), pool.connections - connections0},
            {QStringLiteral("accepted_per_second"), wall > 0 ? double(ok) / wall : 0},
            {QStringLiteral("latency_201"), latency.summaryMs()},
            {QStringLiteral("service_time"), service.summaryMs()},
            {QStringLiteral("server_cpu_seconds"), cpu},
            {QStringLiteral("server_cores"), cpu / std::max(wall, 1e-9)},
            {QStringLiteral("server_cpu_us_per_notification"), ok > 0 ? cpu * 1e6 / double(ok) : 0},
            {QStringLiteral("commits"), commits},
            {QStringLiteral("transactions"), m1.transactions - m0.transactions},
            {QStringLiteral("storage_jobs"), m1.jobs - m0.jobs},
            {QStringLiteral("notifications_per_commit"), commits > 0 ? double(ok) / commits : 0},
            {QStringLiteral("server_threads"), cpuDelta(c0, c1, wall)},
            {QStringLiteral("storage_thread_cpu_us_per_notification"),
             ok > 0 ? storageCpu * 1e6 / double(ok) : 0},
            {QStringLiteral("others_cores"), others},
            {QStringLiteral("deliveries_caught_up"), delivered >= 2 * accepted}};
        steps.append(s);
        const double p99 = latency.percentile(0.99) / 1000.0;
        const bool held =
            failed == 0 && p99 <= limitMs && double(ok) / std::max(wall, 1e-9) >= 0.95 * rate;
        say("  %6.0f/s offered: %lld accepted (%.0f/s), p50 %.1f ms, p99 %.1f ms, %.1f per "
            "commit, %.0f us CPU each (storage thread %.0f)%s%s",
            rate, static_cast<long long>(ok), double(ok) / std::max(wall, 1e-9),
            latency.percentile(0.5) / 1000.0, p99, commits > 0 ? double(ok) / commits : 0,
            ok > 0 ? cpu * 1e6 / double(ok) : 0, ok > 0 ? storageCpu * 1e6 / double(ok) : 0,
            held ? "" : "  (not held)", others > 0.25 ? "  [disturbed: others used CPU]" : "");
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
    run.results.insert(QStringLiteral("latency_201_all_steps"), all.summaryMs());

    // Every device: exactly its person's notifications, each once and in id order.
    Merged m;
    checkDevices(
        run, m, expected, [&run](size_t w, long i) { return (run.fleet.ranges[w].first + i) / 2; },
        failures - errorAnswers > 0);
    finishServer(run, baseline, conns);
    commonChecks(run, m);
    run.problem(QStringLiteral("connect_failures"),
                conn.value(QLatin1String("failed")).toInteger());
    run.problem(QStringLiteral("duplicate_ids_in_201s"), duplicateIds);
    // An error answer (4xx/5xx) is a problem; a request still unanswered when the step gave up
    // (overload past the last step held) is a measurement, reported with the step.
    run.problem(QStringLiteral("publish_error_answers"), errorAnswers);
    run.results.insert(QStringLiteral("publish_failures"), failures);
    run.target(QStringLiteral("personal notifications accepted per second with p99 <= 50 ms"),
               QStringLiteral(">= 5000"), heldRate, heldRate >= 5000);
    return 0;
}

} // namespace bench
