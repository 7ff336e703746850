// herald-bench scenario purge-under-load: a server holding a large backlog of notifications past
// retain_read_days keeps serving live notifications while its retention job purges that backlog
// in the background. The live ones (published to a group of N connected people at a fixed rate)
// are measured before the purge starts (the first pass runs a minute after the server starts)
// and while it runs; each must reach every receiver exactly once, and the whole backlog must go.
#include "scenarios.h"

#include "http.h"
#include "report.h"
#include "sampling.h"

#include "core/publishrequest.h"

#include <QJsonDocument>
#include <QRegularExpression>

namespace bench {

namespace {

constexpr qint64 DayMs = 24LL * 3600 * 1000;

/** herald_purged_notifications_total from /metrics, or -1. */
qint64 purgedSoFar(Http &http)
{
    std::string body;
    if (http.get("/metrics", &body) != 200)
        return -1;
    static const QRegularExpression line(
        QStringLiteral("^herald_purged_notifications_total (\\d+)$"),
        QRegularExpression::MultilineOption);
    const auto m = line.match(QString::fromStdString(body));
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

} // namespace

int purgeUnderLoad(Run &run)
{
    const long n = run.opt.num("people", run.smoke ? 50 : 2000);
    const long backlog = run.opt.num("backlog", run.smoke ? 2000 : 100000);
    const double rate = run.opt.real("rate", run.smoke ? 20 : 10);
    const long batch = run.opt.num("batch", 500);
    run.params = {{QStringLiteral("people"), qint64(n)},
                  {QStringLiteral("backlog"), qint64(backlog)},
                  {QStringLiteral("rate_per_second"), rate},
                  {QStringLiteral("purge_batch"), qint64(batch)}};
    Setup setup(run.dataDir);
    const std::vector<Person> people = setup.people(n, QStringLiteral("p"));
    const Publisher publisher = groupAndPublisher(setup, people, QStringLiteral("everyone-online"));
    const qint64 serviceId = publisher.serviceId;
    const std::string &serviceToken = publisher.token;
    // The backlog: personal notifications published 40 days ago that expired the day after
    // (done, so past retain_read_days=30).
    say("seeding %ld notifications 40 days old", backlog);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    herald::PublishRequest old;
    old.title = QStringLiteral("old");
    old.priority = QStringLiteral("normal");
    old.expiresAt = now - 39 * DayMs;
    for (long j = 0; j < backlog; ++j) { // in the setup's one transaction
        old.to.users = {people[size_t(j % n)].name};
        const auto r = setup.st.publish(serviceId, old, now - 40 * DayMs);
        if (const auto *e = std::get_if<herald::StoreError>(&r))
            die("publish: " + e->message.toStdString());
    }
    setup.finish();
    const std::string plan = writePlan(run.dataDir, QStringLiteral("plan.txt"), people);

    run.server.sets.push_back("retain_read_days=30");
    run.server.sets.push_back("purge_batch=" + std::to_string(batch));
    const int64_t serverStart = nowNs();
    run.server.start(0);
    run.fleet.server = &run.server;
    const long long baseline = run.server.idleRssKiB;
    startWorkers(run, plan, n, 15000, int(run.opt.num("workers", 2)));
    const QJsonObject conn = connectAll(run, 180);
    run.results.insert(QStringLiteral("connect"), conn);
    run.fleet.pump(2000);

    Http http;
    http.port = run.server.port;
    std::map<qint64, std::pair<int64_t, int64_t>> published; // id -> (POST sent, 201 read)
    qint64 httpFailures = 0, lastId = 0, k = 0;
    int64_t purgeStart = 0, purgeEnd = 0, lastPoll = 0;
    // The first pass begins a minute after the server started; stop two minutes after that at
    // the latest, or a few seconds after the backlog is gone.
    const int64_t firstPass = serverStart + int64_t(60.5e9);
    const int64_t deadline = firstPass + int64_t(120e9);
    const CpuSample c0 = cpuOf(run.server.pid);
    const int64_t t0 = nowNs();
    say("live notifications at %.0f/s to %ld people while the backlog is purged", rate, n);
    while (nowNs() < deadline && !(purgeEnd && nowNs() > purgeEnd + int64_t(3e9))) {
        const int64_t due = t0 + int64_t(double(k) * 1e9 / rate);
        while (nowNs() < due)
            run.fleet.pump(int(std::max<int64_t>(1, (due - nowNs()) / 1000000)));
        const std::string body =
            "{\"recipients\":{\"groups\":[\"everyone-online\"]},\"title\":\"live " +
            std::to_string(k) + "\"}";
        ++k;
        std::string resp;
        const int64_t ts = nowNs();
        const int status = http.post("/api/v1/notifications", serviceToken, body, &resp);
        const int64_t tr = nowNs();
        if (status != 201) {
            if (++httpFailures < 5)
                say("publish: HTTP %d %s", status, resp.c_str());
            continue;
        }
        const qint64 id = QJsonDocument::fromJson(QByteArray::fromStdString(resp))
                              .object()
                              .value(QLatin1String("id"))
                              .toInteger();
        published[id] = {ts, tr};
        lastId = std::max(lastId, id);
        if (tr - lastPoll > int64_t(250e6)) { // the purge's progress, four times a second
            lastPoll = tr;
            const qint64 purged = purgedSoFar(http);
            if (purged > 0 && !purgeStart)
                purgeStart = tr;
            if (purged >= backlog && !purgeEnd)
                purgeEnd = tr;
        }
    }
    const CpuSample c1 = cpuOf(run.server.pid);
    const int64_t t1 = nowNs();
    const qint64 purged = purgedSoFar(http);
    const qint64 expected = qint64(n) * qint64(published.size());
    const qint64 got =
        run.fleet.waitProgress(QStringLiteral("notifications"), expected, 60, run.smoke ? 5 : 10);
    Merged m = collect(run, {{QStringLiteral("notifLast"), lastId},
                             {QStringLiteral("notifCount"), qint64(published.size())}});
    Histogram before, during, after;
    qint64 wrongCount = 0;
    for (const auto &[id, seen] : m.notif) {
        const auto p = published.find(id);
        if (p == published.end())
            continue;
        const int64_t at = p->second.second;
        Histogram &h = !purgeStart || at < purgeStart ? before
                       : !purgeEnd || at <= purgeEnd  ? during
                                                      : after;
        h.add((seen.second - at) / 1000);
        if (seen.first != n)
            ++wrongCount;
    }
    for (const auto &[id, t] : published)
        if (!m.notif.count(id))
            ++wrongCount;
    run.results.insert(QStringLiteral("server_cpu"), cpuDelta(c0, c1, double(t1 - t0) / 1e9));
    run.results.insert(QStringLiteral("published"), qint64(published.size()));
    run.results.insert(QStringLiteral("purged"), purged);
    run.results.insert(QStringLiteral("purge_started_after_server_start_s"),
                       purgeStart ? double(purgeStart - serverStart) / 1e9 : -1);
    const double purgeSeconds = purgeStart && purgeEnd ? double(purgeEnd - purgeStart) / 1e9 : -1;
    run.results.insert(QStringLiteral("purge_seconds"), purgeSeconds);
    run.results.insert(QStringLiteral("purged_per_second"),
                       purgeSeconds > 0 ? double(backlog) / purgeSeconds : 0);
    run.results.insert(QStringLiteral("latency_201_to_last_receiver_before_purge"),
                       before.summaryMs());
    run.results.insert(QStringLiteral("latency_201_to_last_receiver_during_purge"),
                       during.summaryMs());
    run.results.insert(QStringLiteral("latency_201_to_last_receiver_after_purge"),
                       after.summaryMs());
    finishServer(run, baseline, n);
    commonChecks(run, m);
    run.problem(QStringLiteral("connect_failures"),
                conn.value(QLatin1String("failed")).toInteger());
    run.problem(QStringLiteral("publish_failures"), httpFailures);
    run.problem(QStringLiteral("notifications_with_wrong_receiver_count"), wrongCount);
    run.problem(QStringLiteral("deliveries_short"), std::max<qint64>(0, expected - got));
    run.problem(QStringLiteral("backlog_not_purged"), std::max<qint64>(0, backlog - purged));
    const double p99Before = before.percentile(0.99) / 1000.0;
    const double p99During = during.percentile(0.99) / 1000.0;
    run.target(QStringLiteral("p99 during the purge within 2x of before it (ms)"),
               QStringLiteral("<= 2x before"), p99During,
               during.count > 0 && p99During <= 2 * std::max(p99Before, 1.0));
    return 0;
}

} // namespace bench
