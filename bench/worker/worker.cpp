// herald-bench worker: the process. Its event loop (people's sockets, the controller's commands
// on stdin, a 1 ms timer that paces the sender), the commands, and the reports and events it
// writes to stdout as JSON lines.
#include "worker.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace bench {

namespace worker {

void Worker::senderTick()
{
    if (!m_sending)
        return;
    Conn &c = m_conns[0];
    if (c.state != Open)
        return;
    const int64_t now = nowNs();
    int64_t due = int64_t(double(now - m_sendT0) * m_sendRate / 1e9) + 1;
    due = std::min(due, m_sendCount);
    while (m_sent < due) {
        ++m_sent;
        const int64_t t = nowNs();
        m_sentAt[m_sent] = t;
        // Chat: a few people of the room by @name, each followed by a space (the receivers'
        // check), spread over the room by a multiplicative hash of the message number.
        std::string mentions;
        for (int64_t k = 0; k < m_mentionCount && m_mentionPool > 0; ++k)
            mentions += " @m" +
                        std::to_string((uint64_t(m_sent) * 2654435761u + uint64_t(k) * 7919u) %
                                       uint64_t(m_mentionPool)) +
                        " ";
        sendText(c, 0,
                 "{\"type\":\"msg.send\",\"id\":\"s" + std::to_string(m_sent) + "\",\"room\":\"" +
                     m_sendRoom + "\",\"clientId\":\"c" + m_sendBatch + std::to_string(m_sent) +
                     "\",\"text\":\"t" + std::to_string(t) + mentions + "\"}");
    }
    if (m_sent >= m_sendCount && !m_sendDoneAt)
        m_sendDoneAt = now;
}

void Worker::checkBatches()
{
    if (!m_dirty)
        return;
    m_dirty = false;
    if (m_connectPending) {
        int64_t ok = 0, failed = 0, pending = 0, last = 0;
        for (const Conn &c : m_conns) {
            if (!c.inBatch)
                continue;
            if (c.state == Failed)
                ++failed;
            else if (c.state == Open && c.helloSeen) {
                ++ok;
                last = std::max(last, c.tHello);
            } else
                ++pending;
        }
        if (!pending) {
            m_connectPending = false;
            post({{QStringLiteral("event"), QStringLiteral("connected")},
                  {QStringLiteral("ok"), qint64(ok)},
                  {QStringLiteral("failed"), qint64(failed)},
                  {QStringLiteral("lastHelloNs"), qint64(last)}});
        }
    }
    if (m_resumePending) {
        int64_t ok = 0, failed = 0, pending = 0, last = 0;
        for (const Conn &c : m_conns) {
            if (!c.inBatch)
                continue;
            if (c.state == Failed)
                ++failed;
            else if (c.caughtUp) {
                ++ok;
                last = std::max(last, c.tCaught);
            } else
                ++pending;
        }
        if (!pending) {
            m_resumePending = false;
            post({{QStringLiteral("event"), QStringLiteral("resumed")},
                  {QStringLiteral("ok"), qint64(ok)},
                  {QStringLiteral("failed"), qint64(failed)},
                  {QStringLiteral("lastCaughtNs"), qint64(last)}});
        }
    }
    if (m_sending && m_sent >= m_sendCount && m_c.acks + m_c.sendErrors >= m_sendCount) {
        m_sending = false;
        post({{QStringLiteral("event"), QStringLiteral("sent")},
              {QStringLiteral("sent"), qint64(m_sent)},
              {QStringLiteral("acked"), qint64(m_c.acks)},
              {QStringLiteral("errors"), qint64(m_c.sendErrors)},
              {QStringLiteral("startNs"), qint64(m_sendT0)},
              {QStringLiteral("lastSendNs"), qint64(m_sendDoneAt)}});
    }
}

QJsonObject Worker::report(const QJsonObject &expect)
{
    int64_t open = 0, closedN = 0, failed = 0, idle = 0, pending = 0;
    for (const Conn &c : m_conns) {
        if (c.state == Open && c.helloSeen)
            ++open;
        else if (c.state == Connecting || c.state == Handshake || c.state == Open)
            ++pending;
        else if (c.state == Closed)
            ++closedN;
        else if (c.state == Failed)
            ++failed;
        else if (c.state == Idle)
            ++idle;
    }
    QJsonObject o{{QStringLiteral("event"), QStringLiteral("report")},
                  {QStringLiteral("open"), qint64(open)},
                  {QStringLiteral("closed"), qint64(closedN)},
                  {QStringLiteral("failedConns"), qint64(failed)},
                  {QStringLiteral("idle"), qint64(idle)},
                  {QStringLiteral("framesIn"), qint64(m_c.framesIn)},
                  {QStringLiteral("bytesIn"), qint64(m_c.bytesIn)},
                  {QStringLiteral("messages"), qint64(m_c.messages)},
                  {QStringLiteral("duplicates"), qint64(m_c.duplicates)},
                  {QStringLiteral("gaps"), qint64(m_c.gaps)},
                  {QStringLiteral("lost"), qint64(m_c.lost)},
                  {QStringLiteral("unknownRoom"), qint64(m_c.unknownRoom)},
                  {QStringLiteral("notifications"), qint64(m_c.notifications)},
                  {QStringLiteral("notifDuplicates"), qint64(m_c.notifDuplicates)},
                  {QStringLiteral("notifGaps"), qint64(m_c.notifGaps)},
                  {QStringLiteral("errors"), qint64(m_c.errors)},
                  {QStringLiteral("otherFrames"), qint64(m_c.otherFrames)},
                  {QStringLiteral("pings"), qint64(m_c.pings)},
                  {QStringLiteral("unexpectedCloses"), qint64(m_c.unexpectedCloses)},
                  {QStringLiteral("expectedCloses"), qint64(m_c.expectedCloses)},
                  {QStringLiteral("failed"), qint64(m_c.failed)},
                  {QStringLiteral("acks"), qint64(m_c.acks)},
                  {QStringLiteral("receiptAnswers"), qint64(m_c.receiptAnswers)},
                  {QStringLiteral("readsSent"), qint64(m_c.readsSent)},
                  {QStringLiteral("readAnswers"), qint64(m_c.readAnswers)},
                  {QStringLiteral("mentionsExpected"), qint64(m_c.mentionsExpected)},
                  {QStringLiteral("mentionsMissing"), qint64(m_c.mentionsMissing)},
                  {QStringLiteral("mentionsExtra"), qint64(m_c.mentionsExtra)},
                  {QStringLiteral("sendErrors"), qint64(m_c.sendErrors)},
                  {QStringLiteral("lastMessageNs"), qint64(m_lastMsgNs)},
                  {QStringLiteral("latency"), m_latency.toJson()},
                  {QStringLiteral("hello"), m_helloLatency.toJson()},
                  {QStringLiteral("catchUp"), m_catchUp.toJson()},
                  {QStringLiteral("resumeHello"), m_resumeHello.toJson()},
                  {QStringLiteral("pending"), qint64(pending)},
                  {QStringLiteral("ack"), m_ackLatency.toJson()}};
    QJsonObject reasons;
    for (const auto &[k, v] : m_reasons)
        reasons.insert(QString::fromStdString(k), qint64(v));
    o.insert(QStringLiteral("reasons"), reasons);
    // Completeness against what the controller knows was sent.
    const QJsonObject rooms = expect.value(QLatin1String("rooms")).toObject();
    int64_t behind = 0, ahead = 0, missingRoom = 0;
    if (!rooms.isEmpty()) {
        std::unordered_map<std::string, int64_t> want;
        for (auto it = rooms.begin(); it != rooms.end(); ++it)
            want[it.key().toStdString()] = it.value().toInteger();
        for (const Conn &c : m_conns) {
            if (!(c.state == Open || c.state == Closed) || !c.helloSeen)
                continue;
            size_t found = 0;
            for (const RoomPos &rp : c.rooms) {
                auto w = want.find(rp.name);
                if (w == want.end())
                    continue;
                ++found;
                if (rp.last < w->second)
                    behind += w->second - rp.last;
                else if (rp.last > w->second)
                    ahead += rp.last - w->second;
            }
            if (expect.value(QLatin1String("everyRoom")).toBool() && found < want.size())
                missingRoom += int64_t(want.size() - found);
        }
    }
    o.insert(QStringLiteral("missingMessages"), qint64(behind));
    o.insert(QStringLiteral("extraMessages"), qint64(ahead));
    o.insert(QStringLiteral("missingRoomMemberships"), qint64(missingRoom));
    if (expect.contains(QLatin1String("notifLast"))) {
        const int64_t last = expect.value(QLatin1String("notifLast")).toInteger();
        const int64_t count = expect.value(QLatin1String("notifCount")).toInteger();
        int64_t incomplete = 0, missing = 0;
        for (const Conn &c : m_conns) {
            if (c.state != Open || !c.helloSeen)
                continue;
            if (c.lastNotif != last || c.notifCount != count) {
                ++incomplete;
                missing += std::max<int64_t>(0, count - c.notifCount);
            }
        }
        o.insert(QStringLiteral("notifIncompleteConns"), qint64(incomplete));
        o.insert(QStringLiteral("notifMissing"), qint64(missing));
        QJsonArray seen;
        for (const auto &[id, v] : m_notifSeen)
            seen.append(QJsonArray{qint64(id), qint64(v.first), qint64(v.second)});
        o.insert(QStringLiteral("notifSeen"), seen);
    }
    if (expect.value(QLatin1String("perConn")).toBool()) {
        // Every connection in plan order: [open, notifications, sum of their ids, last id].
        QJsonArray conns;
        for (const Conn &c : m_conns)
            conns.append(QJsonArray{c.state == Open && c.helloSeen ? 1 : 0, qint64(c.notifCount),
                                    qint64(c.notifSum), qint64(c.lastNotif)});
        o.insert(QStringLiteral("conns"), conns);
    }
    return o;
}

void Worker::command(const std::string &line)
{
    const size_t sp = line.find(' ');
    const std::string cmd = line.substr(0, sp);
    const std::string arg = sp == std::string::npos ? std::string() : line.substr(sp + 1);
    if (cmd == "connect") {
        // connect FIRST END T0 : start connecting people [FIRST, END) of this worker now
        long long a = 0, b = 0, t0 = 0;
        sscanf(arg.c_str(), "%lld %lld %lld", &a, &b, &t0);
        for (Conn &c : m_conns)
            c.inBatch = false;
        m_connectPending = true;
        m_connectT0 = t0 ? t0 : nowNs();
        b = std::min<long long>(b, (long long)m_conns.size());
        for (long long k = a; k < b; ++k) {
            m_conns[size_t(k)].inBatch = true;
            startConnect(uint32_t(k));
        }
        m_dirty = true;
    } else if (cmd == "receipts") {
        // receipts 1 : acknowledge every notification as delivered and seen (notif.ack)
        m_receipts = arg == "1";
    } else if (cmd == "chat") {
        // chat 1 [MS] : mark every message read (room.read), at most one room.read per MS
        // milliseconds (the newest position), and check its mentions
        long long on = 0, ms = 0;
        sscanf(arg.c_str(), "%lld %lld", &on, &ms);
        m_chat = on == 1;
        m_readIntervalNs = ms * 1'000'000;
    } else if (cmd == "mention") {
        // mention N POOL : the sender names N of the people m0 .. m(POOL-1) in each message
        long long k = 0, pool = 0;
        sscanf(arg.c_str(), "%lld %lld", &k, &pool);
        m_mentionCount = k;
        m_mentionPool = pool;
    } else if (cmd == "notif-sparse") {
        // notif-sparse 1 : notifications are personal; ids increase per device, with gaps
        m_notifSparse = arg == "1";
    } else if (cmd == "expect-close") {
        m_expectClose = arg == "1";
    } else if (cmd == "resume") {
        // resume T0 : every person closed by the server reconnects now and resumes its rooms
        m_expectClose = false;
        m_resumeT0 = atoll(arg.c_str());
        if (!m_resumeT0)
            m_resumeT0 = nowNs();
        m_resumePending = true;
        for (uint32_t k = 0; k < m_conns.size(); ++k) {
            Conn &c = m_conns[k];
            c.inBatch = c.state == Closed;
            if (c.inBatch) {
                c.resuming = true;
                c.resumeMsgs = 0;
                startConnect(k);
            }
        }
        m_dirty = true;
    } else if (cmd == "send") {
        // send ROOM RATE COUNT (sender role: person 0 sends)
        char room[256] = {0};
        double rate = 0;
        long long count = 0;
        sscanf(arg.c_str(), "%255s %lf %lld", room, &rate, &count);
        m_sendRoom = room;
        // A clientId of an earlier send command would be a retry (answered, not sent again).
        m_sendBatch =
            m_sent > 0 || !m_sendBatch.empty() ? std::to_string(++m_sendBatches) + "-" : "";
        m_sendRate = rate;
        m_sendCount = count;
        m_sent = 0;
        m_sendT0 = nowNs();
        m_sendDoneAt = 0;
        m_sending = true;
        senderTick();
        m_dirty = true;
    } else if (cmd == "progress") {
        int64_t open = 0, catching = 0;
        for (const Conn &c : m_conns) {
            open += c.state == Open && c.helloSeen;
            catching += c.resuming;
        }
        post({{QStringLiteral("event"), QStringLiteral("progress")},
              {QStringLiteral("messages"), qint64(m_c.messages)},
              {QStringLiteral("notifications"), qint64(m_c.notifications)},
              {QStringLiteral("open"), qint64(open)},
              {QStringLiteral("failed"), qint64(m_c.failed)},
              {QStringLiteral("duplicates"), qint64(m_c.duplicates)},
              {QStringLiteral("expectedCloses"), qint64(m_c.expectedCloses)},
              {QStringLiteral("acks"), qint64(m_c.acks)},
              {QStringLiteral("receiptAnswers"), qint64(m_c.receiptAnswers)},
              {QStringLiteral("readAnswers"), qint64(m_c.readAnswers)},
              {QStringLiteral("resuming"), qint64(catching)}});
    } else if (cmd == "report") {
        post(report(QJsonDocument::fromJson(QByteArray::fromStdString(arg)).object()));
    } else if (cmd == "close") {
        for (Conn &c : m_conns)
            if (c.fd >= 0) {
                ::close(c.fd);
                c.fd = -1;
                c.state = Closed;
            }
        post({{QStringLiteral("event"), QStringLiteral("closedAll")}});
    } else if (cmd == "quit") {
        m_quit = true;
    }
}

int Worker::run()
{
    m_ep = epoll_create1(EPOLL_CLOEXEC);
    m_timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    itimerspec its{};
    its.it_interval.tv_nsec = 1000000; // 1 ms: sender pacing
    its.it_value.tv_nsec = 1000000;
    timerfd_settime(m_timer, 0, &its, nullptr);
    constexpr uint32_t StdinTag = 0xFFFFFFFF, TimerTag = 0xFFFFFFFE;
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = StdinTag;
    epoll_ctl(m_ep, EPOLL_CTL_ADD, 0, &ev);
    ev.data.u32 = TimerTag;
    epoll_ctl(m_ep, EPOLL_CTL_ADD, m_timer, &ev);
    post({{QStringLiteral("event"), QStringLiteral("ready")},
          {QStringLiteral("people"), qint64(m_conns.size())}});
    std::vector<epoll_event> events(1024);
    while (!m_quit) {
        const int n =
            epoll_wait(m_ep, events.data(), int(events.size()), m_readIntervalNs ? 10 : 100);
        if (n < 0 && errno != EINTR)
            return 2;
        sendWaitingReads();
        for (int k = 0; k < n; ++k) {
            const uint32_t tag = events[size_t(k)].data.u32;
            const uint32_t what = events[size_t(k)].events;
            if (tag == StdinTag) {
                char b[65536];
                const ssize_t r = ::read(0, b, sizeof b);
                if (r == 0)
                    return 0; // controller gone
                if (r > 0)
                    m_stdin.append(b, size_t(r));
                size_t nl;
                while ((nl = m_stdin.find('\n')) != std::string::npos) {
                    const std::string line = m_stdin.substr(0, nl);
                    m_stdin.erase(0, nl + 1);
                    command(line);
                }
                continue;
            }
            if (tag == TimerTag) {
                uint64_t x;
                (void)!::read(m_timer, &x, sizeof x);
                senderTick();
                continue;
            }
            if (tag >= m_conns.size())
                continue;
            Conn &c = m_conns[tag];
            if (c.fd < 0)
                continue;
            if (what & EPOLLOUT)
                onWritable(tag);
            if (c.fd >= 0 && (what & (EPOLLIN | EPOLLERR | EPOLLHUP)))
                onReadable(tag);
        }
        checkBatches();
    }
    return 0;
}

} // namespace worker

int workerMain(int argc, char **argv)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGPIPE, SIG_IGN);
    // worker PORT PLAN FIRST COUNT
    if (argc < 6) {
        fprintf(stderr, "usage: herald-bench worker PORT PLAN FIRST COUNT\n");
        return 2;
    }
    const uint16_t port = uint16_t(atoi(argv[2]));
    const char *plan = argv[3];
    const long first = atol(argv[4]);
    const long count = atol(argv[5]);
    FILE *f = fopen(plan, "r");
    if (!f) {
        perror(plan);
        return 2;
    }
    std::vector<std::pair<std::string, std::string>> people;
    char line[512];
    long idx = 0;
    while (fgets(line, sizeof line, f) && idx < first + count) {
        if (idx++ < first)
            continue;
        char tok[400], src[64];
        if (sscanf(line, "%399s %63s", tok, src) == 2)
            people.emplace_back(tok, src);
    }
    fclose(f);
    worker::Worker w(port, std::move(people));
    if (first == 0)
        w.setFault(getenv("HERALD_BENCH_FAULT"));
    return w.run();
}

} // namespace bench
