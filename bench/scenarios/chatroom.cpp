// herald-bench scenario chat-room: a room people chat in, against plain room fan-out of the same
// room. One room of N members, each online on one connection, and one sender at a fixed rate.
// Two phases on the same server and connections, each of `count` messages:
//   plain: the room fan-out (no mentions, nobody marks anything read);
//   chat:  each message names a few members with @name, and every receiver reads each message it
//          receives: it sends room.read with the newest seq at most once per read interval
//          (--read-interval-ms, default 1000 as herald-desktop does; 0: a room.read for every
//          message), so its read marker follows the conversation.
// Each phase's server CPU is sampled from the first send to the last delivery (and, in chat,
// the last room.read answer); the result is deliveries per server CPU-second of both and their
// ratio (target: chat at most 25 % below plain). Correctness: every delivery exactly once and in
// order over both phases, every mentioned receiver listed in the message's mentions (and nobody
// else), every room.read answered, and after the server stopped the stored read markers of a
// sample of members at the room's last message with nothing unread.
#include "scenarios.h"

#include "report.h"
#include "sampling.h"

namespace bench {

namespace {

/** @brief What one phase cost the server. */
struct Phase
{
    double serverCpu = 0;
    double wall = 0;
    qint64 deliveries = 0;
    QJsonObject cpu;

    [[nodiscard]] double perCpu() const { return serverCpu > 0 ? deliveries / serverCpu : 0; }
    [[nodiscard]] QJsonObject toJson() const
    {
        return QJsonObject{
            {QStringLiteral("deliveries"), deliveries},
            {QStringLiteral("server_cpu"), cpu},
            {QStringLiteral("deliveries_per_second"), wall > 0 ? deliveries / wall : 0},
            {QStringLiteral("deliveries_per_server_cpu_second"), perCpu()}};
    }
};

/** Sends `count` messages at `rate` and waits for every delivery (cumulative `deliveredBefore +
 *  perPhase`) and, when `reads`, for the read positions still waiting for their interval
 *  (`readIntervalMs`) to go out and every room.read to be answered. */
Phase runPhase(Run &run, size_t senderIdx, double rate, long count, qint64 perPhase,
               qint64 deliveredBefore, bool reads, long readIntervalMs)
{
    Phase ph;
    const CpuSample c0 = cpuOf(run.server.pid);
    const int64_t t0 = nowNs();
    run.fleet.send(senderIdx, "send fanout " + std::to_string(rate) + " " + std::to_string(count));
    run.fleet.wait(senderIdx, QStringLiteral("sent"), double(count) / rate * 4 + 60);
    const qint64 got = run.fleet.waitProgress(QStringLiteral("messages"),
                                              deliveredBefore + perPhase, 60, run.smoke ? 5 : 10);
    if (reads) {
        if (readIntervalMs > 0)
            run.fleet.pump(int(readIntervalMs) + 100); // the last positions of the phase go out
        run.fleet.waitProgress(QStringLiteral("readAnswers"),
                               run.fleet.progress()[QStringLiteral("readsSent")], 60,
                               run.smoke ? 5 : 10);
    }
    const CpuSample c1 = cpuOf(run.server.pid);
    ph.wall = double(nowNs() - t0) / 1e9;
    ph.serverCpu = c1.total - c0.total;
    ph.deliveries = got - deliveredBefore;
    ph.cpu = cpuDelta(c0, c1, ph.wall);
    return ph;
}

/** After the server stopped: the stored read markers of every `step`-th member. Returns how
 *  many are not at `lastSeq` or still have something unread (a member without one counts). */
qint64 checkStoredMarks(Run &run, long members, long step, qint64 lastSeq, QJsonObject *out)
{
    herald::Store st;
    if (auto e = st.open(run.dataDir))
        die("cannot open store: " + e->message.toStdString());
    const auto room = st.room(QStringLiteral("fanout"));
    qint64 wrong = 0, checked = 0;
    for (long k = 0; k < members; k += step) {
        ++checked;
        const auto user = st.user(QStringLiteral("m") + QString::number(k));
        const auto marks =
            user && room ? st.readMarks(user->id) : QHash<qint64, herald::ReadMark>();
        const auto it = room ? marks.find(room->id) : marks.end();
        if (it == marks.end() || it->seq != lastSeq || it->unread != 0 || it->mentions != 0)
            ++wrong;
    }
    *out = QJsonObject{{QStringLiteral("checked"), checked}, {QStringLiteral("wrong"), wrong}};
    return wrong;
}

} // namespace

int chatRoom(Run &run)
{
    const long members = run.opt.num("members", run.smoke ? 20 : 1000);
    const double rate = run.opt.real("rate", 20);
    const double duration = run.opt.real("duration", run.smoke ? 1 : 30);
    const long mentionsPer = run.opt.num("mentions", 3);
    const long readIntervalMs = run.opt.num("read-interval-ms", 1000);
    const long count = std::max<long>(1, long(rate * duration));
    run.params = {{QStringLiteral("members"), qint64(members)},
                  {QStringLiteral("rate_per_second"), rate},
                  {QStringLiteral("duration_seconds"), duration},
                  {QStringLiteral("messages_per_phase"), qint64(count)},
                  {QStringLiteral("mentions_per_message"), qint64(mentionsPer)},
                  {QStringLiteral("read_interval_ms"), qint64(readIntervalMs)}};
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

    const qint64 perPhase = qint64(members + 1) * count; // the sender gets its own messages too
    say("chat room: %ld members, %ld messages at %.0f/s per phase", members, count, rate);
    say("  plain room fan-out");
    const double b0 = run.fleet.cpuSeconds();
    const Phase plain = runPhase(run, senderIdx, rate, count, perPhase, 0, false, 0);
    run.fleet.pump(1000);
    say("  chat: %ld mentions a message, every receiver reads each message (room.read at most "
        "every %ld ms)",
        mentionsPer, readIntervalMs);
    run.fleet.sendAll("chat 1 " + std::to_string(readIntervalMs));
    run.fleet.send(senderIdx,
                   "mention " + std::to_string(mentionsPer) + " " + std::to_string(members));
    const Phase chat =
        runPhase(run, senderIdx, rate, count, perPhase, plain.deliveries, true, readIntervalMs);
    const double b1 = run.fleet.cpuSeconds();

    Merged m = collect(
        run, {{QStringLiteral("rooms"), QJsonObject{{QStringLiteral("fanout"), qint64(2 * count)}}},
              {QStringLiteral("everyRoom"), true}});
    const double ratio = plain.perCpu() > 0 ? chat.perCpu() / plain.perCpu() : 0;
    run.results.insert(QStringLiteral("plain"), plain.toJson());
    run.results.insert(QStringLiteral("chat"), chat.toJson());
    run.results.insert(QStringLiteral("chat_to_plain_per_cpu_ratio"), ratio);
    run.results.insert(QStringLiteral("deliveries"), m.n[QStringLiteral("messages")]);
    run.results.insert(QStringLiteral("deliveries_expected"), 2 * perPhase);
    run.results.insert(QStringLiteral("reads_sent"), m.n[QStringLiteral("readsSent")]);
    run.results.insert(QStringLiteral("read_answers"), m.n[QStringLiteral("readAnswers")]);
    run.results.insert(QStringLiteral("mentions_checked"), m.n[QStringLiteral("mentionsExpected")]);
    run.results.insert(QStringLiteral("bench_cpu_seconds"), b1 - b0);
    run.results.insert(QStringLiteral("latency"), m.latency.summaryMs());
    run.results.insert(QStringLiteral("ack_latency"), m.ack.summaryMs());
    finishServer(run, baseline, members + 1);
    commonChecks(run, m);
    run.problem(QStringLiteral("connect_failures"),
                conn.value(QLatin1String("failed")).toInteger());
    run.problem(QStringLiteral("send_errors"), m.n[QStringLiteral("sendErrors")]);
    run.problem(QStringLiteral("unacked_sends"), 2 * count - m.n[QStringLiteral("acks")]);
    run.problem(QStringLiteral("deliveries_short"),
                std::max<qint64>(0, 2 * perPhase - m.n[QStringLiteral("messages")]));
    run.problem(QStringLiteral("reads_unanswered"),
                m.n[QStringLiteral("readsSent")] - m.n[QStringLiteral("readAnswers")]);
    if (readIntervalMs == 0) // one for every delivery; with an interval the stored markers tell
        run.problem(QStringLiteral("reads_not_sent"),
                    std::max<qint64>(0, perPhase - m.n[QStringLiteral("readsSent")]));
    run.problem(QStringLiteral("mentions_missing"), m.n[QStringLiteral("mentionsMissing")]);
    run.problem(QStringLiteral("mentions_extra"), m.n[QStringLiteral("mentionsExtra")]);
    // Three mentions a message over N members: some receiver must have seen itself named.
    run.problem(QStringLiteral("mentions_never_checked"),
                mentionsPer > 0 && m.n[QStringLiteral("mentionsExpected")] == 0 ? 1 : 0);

    // The read markers are stored: stop the server (its stop waits for the storage queue) and
    // read them back from the data directory.
    run.fleet.pump(200);
    run.server.stop();
    QJsonObject marks;
    run.problem(QStringLiteral("read_markers_not_stored"),
                checkStoredMarks(run, members, std::max<long>(1, members / 50), 2 * count, &marks));
    run.results.insert(QStringLiteral("stored_read_markers"), marks);

    run.target(QStringLiteral("chat deliveries per server CPU-second, against plain room fan-out"),
               QStringLiteral(">= 0.75 (at most 25 % fewer)"), ratio, ratio >= 0.75);
    return 0;
}

} // namespace bench
