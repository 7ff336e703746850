// herald-bench scenario notify-fanout: a service publishes notifications over the HTTP API to
// a group of N connected people; every one must receive each notification exactly once. With
// --receipts 1 every device acknowledges each notification as delivered and seen (notif.ack, as
// herald-desktop does), and the run waits until every acknowledgement is answered (stored, with
// its audit record): the same numbers, with the cost of receipts in them.
#include "scenarios.h"

#include "http.h"
#include "report.h"
#include "sampling.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace bench {

int notifyFanout(Run &run)
{
    const long n = run.opt.num("people", run.smoke ? 50 : 10000);
    const long count = run.opt.num("count", run.smoke ? 10 : 200);
    const double rate = run.opt.real("rate", run.smoke ? 20 : 10);
    const bool receipts = run.opt.num("receipts", 0) != 0;
    // --everyone 1: recipients {"everyone":true} (every person) instead of the group of them all.
    const bool everyone = run.opt.num("everyone", 0) != 0;
    run.params = {{QStringLiteral("people"), qint64(n)},
                  {QStringLiteral("everyone"), everyone},
                  {QStringLiteral("notifications"), qint64(count)},
                  {QStringLiteral("rate_per_second"), rate},
                  {QStringLiteral("receipts"), receipts}};
    Setup setup(run.dataDir);
    const std::vector<Person> people = setup.people(n, QStringLiteral("p"));
    const Publisher publisher = groupAndPublisher(setup, people, QStringLiteral("everyone-online"));
    const std::string &serviceToken = publisher.token;
    setup.finish();
    const std::string plan = writePlan(run.dataDir, QStringLiteral("plan.txt"), people);

    run.server.start(0);
    run.fleet.server = &run.server;
    const long long baseline = run.server.idleRssKiB;
    startWorkers(run, plan, n, 15000, int(run.opt.num("workers", 2)));
    const QJsonObject conn = connectAll(run, 180);
    run.results.insert(QStringLiteral("connect"), conn);
    run.fleet.pump(2000); // presence and online counts settle
    if (receipts)
        run.fleet.sendAll("receipts 1");

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
            std::string(everyone ? "{\"recipients\":{\"everyone\":true}"
                                 : "{\"recipients\":{\"groups\":[\"everyone-online\"]}") +
            ",\"title\":\"bench " + std::to_string(k) + "\",\"body\":\"load test\"}";
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
    // Receipts: two acknowledgements per delivery, each answered once it is stored.
    const qint64 receiptsGot = receipts
                                   ? run.fleet.waitProgress(QStringLiteral("receiptAnswers"),
                                                            2 * expected, 120, run.smoke ? 5 : 15)
                                   : 0;
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
    if (receipts) {
        run.results.insert(QStringLiteral("receipt_answers"), receiptsGot);
        run.problem(QStringLiteral("receipts_unanswered"),
                    std::max<qint64>(0, 2 * expected - receiptsGot));
    }
    // Issue 16's target (the first one was < 100 ms), and the storage thread's CPU per
    // notification: an upper bound, since the window also holds every device's hello.
    const double p99 = toLast.percentile(0.99) / 1000.0;
    run.target(QStringLiteral("p99 from 201 to the last receiver (ms)"), QStringLiteral("<= 60"),
               p99, p99 <= 60);
    double storageCpu = 0;
    for (const QJsonValue t : run.results.value(QLatin1String("server_cpu"))
                                  .toObject()
                                  .value(QLatin1String("threads"))
                                  .toArray())
        if (t.toObject().value(QLatin1String("thread")).toString() ==
            QLatin1String("herald-storage"))
            storageCpu = t.toObject().value(QLatin1String("cpu_seconds")).toDouble();
    const double storageMs = published.empty() ? 0 : storageCpu * 1000 / double(published.size());
    run.results.insert(QStringLiteral("storage_cpu_ms_per_notification_at_most"), storageMs);
    run.target(QStringLiteral("storage thread CPU per notification (ms, at most)"),
               QStringLiteral("<= 5"), storageMs, storageMs <= 5);
    return 0;
}

} // namespace bench
