// herald-bench scenario resume-storm: N connected people, the server restarts while messages
// arrive, and everyone reconnects at once and resumes its rooms; nothing lost or repeated.
#include "scenarios.h"

#include "report.h"
#include "sampling.h"

#include <QDateTime>

using herald::Store;

namespace bench {

int resumeStorm(Run &run)
{
    const long n = run.opt.num("people", run.smoke ? 40 : 10000);
    const long roomSize = run.opt.num("room-size", run.smoke ? 10 : 100);
    const long behind = run.opt.num("behind", run.smoke ? 3 : 5);
    const long before = run.opt.num("history", 3);
    run.params = {{QStringLiteral("people"), qint64(n)},
                  {QStringLiteral("room_size"), qint64(roomSize)},
                  {QStringLiteral("rooms_per_person"), 2},
                  {QStringLiteral("messages_behind_per_room"), qint64(behind)},
                  {QStringLiteral("history_before"), qint64(before)}};
    std::vector<QString> names;
    std::vector<qint64> ids;
    std::vector<std::vector<qint64>> members;
    const std::vector<Person> people = teamSetup(run, n, roomSize, 2, &names, &ids, &members);
    auto writeMessages = [&](long perRoom, const QString &tag) {
        Store st;
        if (auto e = st.open(run.dataDir))
            die("store: " + e->message.toStdString());
        st.begin();
        for (size_t r = 0; r < ids.size(); ++r)
            for (long k = 0; k < perRoom; ++k) {
                const qint64 from = members[r][size_t(k) % members[r].size()];
                auto res = st.storeMessage(ids[r], from, QStringLiteral("%1-%2").arg(tag).arg(k),
                                           QStringLiteral("%1 %2").arg(tag).arg(k),
                                           QDateTime::currentMSecsSinceEpoch());
                if (auto *e = std::get_if<herald::StoreError>(&res))
                    die("storeMessage: " + e->message.toStdString());
            }
        if (!st.commit())
            die("commit failed");
        st.close();
    };
    writeMessages(before, QStringLiteral("h"));
    const std::string plan = writePlan(run.dataDir, QStringLiteral("plan.txt"), people);
    run.server.start(0);
    run.fleet.server = &run.server;
    const int port = run.server.port;
    startWorkers(run, plan, n, 15000, int(run.opt.num("workers", 2)));
    const QJsonObject conn = connectAll(run, 180);
    run.results.insert(QStringLiteral("initial_connect"), conn);
    run.fleet.pump(1000);

    // Restart: the server goes down (1001 to everyone), messages arrive meanwhile, it comes back.
    run.fleet.sendAll("expect-close 1");
    run.fleet.pump(100);
    say("resume storm: stopping the server with %lld people connected",
        (long long)conn.value(QLatin1String("ok")).toInteger());
    const double stopSecs = run.server.stop();
    const qint64 closedN = run.fleet.waitProgress(
        QStringLiteral("expectedCloses"), conn.value(QLatin1String("ok")).toInteger(), 30, 10);
    writeMessages(behind, QStringLiteral("o"));
    say("resume storm: restarting; %ld people reconnect at once, %ld messages behind in each of 2 "
        "rooms",
        n, behind);
    run.server.start(port);
    const long long baseline = run.server.idleRssKiB;
    const CpuSample c0 = cpuOf(run.server.pid);
    const int64_t t0 = nowNs();
    run.fleet.sendAll("resume " + std::to_string(t0));
    qint64 ok = 0, failed = 0, last = 0, timedOut = 0;
    for (const QJsonObject &o :
         run.fleet.waitAll(QStringLiteral("resumed"), run.opt.real("timeout", 120))) {
        if (o.isEmpty())
            ++timedOut;
        ok += o.value(QLatin1String("ok")).toInteger();
        failed += o.value(QLatin1String("failed")).toInteger();
        last = std::max(last, o.value(QLatin1String("lastCaughtNs")).toInteger());
    }
    const CpuSample c1 = cpuOf(run.server.pid);
    const int64_t t1 = nowNs();
    QJsonObject expectRooms;
    for (const QString &r : names)
        expectRooms.insert(r, qint64(before + behind));
    Merged m = collect(run, {{QStringLiteral("rooms"), expectRooms}});
    const double secs = last ? double(last - t0) / 1e9 : -1;
    const qint64 expectedMsgs = qint64(n) * 2 * behind;
    run.results.insert(QStringLiteral("server_stop_seconds"), stopSecs);
    run.results.insert(QStringLiteral("closed_by_restart"), closedN);
    run.results.insert(QStringLiteral("caught_up"), ok);
    run.results.insert(QStringLiteral("failed"), failed);
    run.results.insert(QStringLiteral("seconds_to_all_caught_up"), secs);
    run.results.insert(QStringLiteral("catch_up_latency"), m.catchUp.summaryMs());
    run.results.insert(QStringLiteral("reconnect_hello_latency"), m.resumeHello.summaryMs());
    run.results.insert(QStringLiteral("messages_replayed"), m.n[QStringLiteral("messages")]);
    run.results.insert(QStringLiteral("messages_expected"), expectedMsgs);
    run.results.insert(QStringLiteral("server_cpu"), cpuDelta(c0, c1, double(t1 - t0) / 1e9));
    finishServer(run, baseline, ok);
    commonChecks(run, m);
    run.problem(QStringLiteral("initial_connect_failures"),
                conn.value(QLatin1String("failed")).toInteger());
    run.problem(QStringLiteral("not_caught_up"), n - ok);
    run.problem(QStringLiteral("workers_timed_out"), timedOut);
    run.problem(QStringLiteral("replayed_count_mismatch"),
                std::abs(m.n[QStringLiteral("messages")] - expectedMsgs));
    run.target(QStringLiteral("all caught up within (s)"),
               QStringLiteral("< 10, nothing lost or duplicated"), secs,
               ok == n && secs >= 0 && secs < 10);
    return 0;
}

} // namespace bench
