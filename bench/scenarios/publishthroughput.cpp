// (Over 500 lines: the publishers, the step driver and the exactly-once check of every device
// belong to this one scenario.)
// herald-bench scenario publish-throughput: business systems publish personal notifications over
// HTTP keep-alive connections, each to one person who is online with two devices, at offered
// rates that step up until the p99 of the 201 latency passes the limit (50 ms). Per step: the
// latency percentiles, the rate accepted, server CPU per notification, and notifications per
// durable commit (herald_storage_commits_total on /metrics). Correctness: every 201 carries a new
// id, and each person's two devices get each of their notifications exactly once, in id order.
//
// The publishers are open-loop: request k of a step is due at t0 + k / rate whether or not the
// earlier ones were answered, and its latency counts from that moment, so a request that waits
// for a free connection is charged for the wait (no coordinated omission).
#include "scenarios.h"

#include "http.h"
#include "report.h"
#include "sampling.h"

#include <QJsonDocument>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <set>
#include <sys/epoll.h>

namespace bench {

namespace {

/** @brief One publisher's non-blocking keep-alive connection, one request in flight at most. */
struct Publisher
{
    int fd = -1;
    std::string out;
    size_t outOff = 0;
    std::string in;
    long request = -1; // index into the step's requests; -1 when idle
    int64_t sentNs = 0;
};

/** @brief One publish of a step: to whom, when it was due, what came back. */
struct Request
{
    long recipient = 0;
    int64_t dueNs = 0;
    int status = 0; // 0: no answer
    qint64 id = 0;
    int64_t answeredNs = 0;
};

/** @brief The server's storage counters from /metrics. */
struct Counters
{
    double commits = 0, transactions = 0, jobs = 0, published = 0;
};

Counters readCounters(int port, Run &run)
{
    Http http;
    http.port = port;
    std::string text;
    if (http.get("/metrics", &text) != 200) {
        run.problem(QStringLiteral("metrics_unreadable"), 1);
        return {};
    }
    return {metricValue(text, "herald_storage_commits_total"),
            metricValue(text, "herald_storage_transactions_total"),
            metricValue(text, "herald_storage_jobs_total"),
            metricValue(text, "herald_notifications_published_total")};
}

int connectTo(int port)
{
    Http h;
    h.port = port;
    if (!h.connectNow())
        return -1;
    const int fd = h.fd;
    h.fd = -1;
    const int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    return fd;
}

/** A complete response at the front of buf: its status and body; false while incomplete. */
bool takeResponse(std::string &buf, int *status, std::string *body, bool *closeAfter)
{
    const size_t end = buf.find("\r\n\r\n");
    if (end == std::string::npos)
        return false;
    std::string head = buf.substr(0, end);
    for (char &ch : head)
        ch = char(tolower(ch));
    size_t len = 0;
    const size_t cl = head.find("content-length:");
    if (cl != std::string::npos)
        len = size_t(atoll(head.c_str() + cl + 15));
    if (buf.size() < end + 4 + len)
        return false;
    *status = atoi(buf.c_str() + 9);
    *body = buf.substr(end + 4, len);
    *closeAfter = head.find("connection: close") != std::string::npos;
    buf.erase(0, end + 4 + len);
    return true;
}

qint64 idOf(const std::string &body)
{
    const size_t at = body.find("\"id\":");
    return at == std::string::npos ? 0 : atoll(body.c_str() + at + 5);
}

std::vector<double> parseRates(const std::string &list)
{
    std::vector<double> out;
    size_t at = 0;
    while (at < list.size()) {
        const size_t comma = list.find(',', at);
        const double r = atof(list.substr(at, comma - at).c_str());
        if (r > 0)
            out.push_back(r);
        if (comma == std::string::npos)
            break;
        at = comma + 1;
    }
    return out;
}

/** @brief The publishers of a run and one step of load through them. */
class PublisherPool
{
public:
    PublisherPool(int port, int count, std::string token, const std::vector<Person> &people)
        : m_port(port)
        , m_token(std::move(token))
        , m_people(people)
    {
        m_ep = epoll_create1(EPOLL_CLOEXEC);
        m_pubs.resize(size_t(count));
        for (size_t i = 0; i < m_pubs.size(); ++i)
            reconnect(i);
    }
    ~PublisherPool()
    {
        for (Publisher &p : m_pubs)
            if (p.fd >= 0)
                close(p.fd);
        close(m_ep);
    }

    /** Offers `rate` publishes a second for `seconds`, recipients in turn from *nextRecipient;
     *  returns when every one is answered (or failed, or maxWait passed). */
    std::vector<Request> step(double rate, double seconds, long *nextRecipient, double maxWait,
                              Run &run)
    {
        const long total = std::max(1L, long(rate * seconds + 0.5));
        std::vector<Request> reqs(static_cast<size_t>(total));
        const int64_t t0 = nowNs();
        for (long k = 0; k < total; ++k) {
            reqs[size_t(k)].recipient = (*nextRecipient)++ % long(m_people.size());
            reqs[size_t(k)].dueNs = t0 + int64_t(double(k) * 1e9 / rate);
        }
        std::deque<long> waiting;
        long released = 0, answered = 0;
        const int64_t giveUp = t0 + int64_t((seconds + maxWait) * 1e9);
        std::vector<epoll_event> events(256);
        while (answered < total && nowNs() < giveUp) {
            const int64_t now = nowNs();
            while (released < total && reqs[size_t(released)].dueNs <= now)
                waiting.push_back(released++);
            for (size_t i = 0; i < m_pubs.size() && !waiting.empty(); ++i)
                if (m_pubs[i].request < 0 && m_pubs[i].fd >= 0) {
                    send(i, waiting.front(), reqs);
                    waiting.pop_front();
                }
            int timeout = 1;
            if (released < total && waiting.empty())
                timeout = int(
                    std::clamp<int64_t>((reqs[size_t(released)].dueNs - nowNs()) / 1000000, 0, 1));
            const int n = epoll_wait(m_ep, events.data(), int(events.size()), timeout);
            for (int e = 0; e < n; ++e) {
                const size_t i = events[size_t(e)].data.u32;
                if (events[size_t(e)].events & EPOLLOUT)
                    flush(i);
                if (events[size_t(e)].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                    answered += receive(i, reqs);
            }
            if (nowNs() - run.fleet.lastSample > 100'000'000)
                run.fleet.pump(0);
        }
        // What was never answered stays status 0: a failure of the step.
        for (size_t i = 0; i < m_pubs.size(); ++i)
            if (m_pubs[i].request >= 0) {
                m_pubs[i].request = -1;
                reconnect(i);
            }
        return reqs;
    }

private:
    void reconnect(size_t i)
    {
        Publisher &p = m_pubs[i];
        if (p.fd >= 0) {
            epoll_ctl(m_ep, EPOLL_CTL_DEL, p.fd, nullptr);
            close(p.fd);
        }
        p = Publisher{};
        p.fd = connectTo(m_port);
        ++connections;
        if (p.fd < 0)
            return;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = uint32_t(i);
        epoll_ctl(m_ep, EPOLL_CTL_ADD, p.fd, &ev);
    }
    void send(size_t i, long k, std::vector<Request> &reqs)
    {
        Publisher &p = m_pubs[i];
        const Person &to = m_people[size_t(reqs[size_t(k)].recipient)];
        const std::string body = "{\"recipients\":{\"users\":[\"" + to.name.toStdString() +
                                 "\"]},\"title\":\"throughput " + std::to_string(k) +
                                 "\",\"body\":\"personal notification\"}";
        p.out = "POST /api/v1/notifications HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                m_token + "\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body;
        p.outOff = 0;
        p.request = k;
        p.sentNs = nowNs();
        flush(i);
    }
    void flush(size_t i)
    {
        Publisher &p = m_pubs[i];
        while (p.outOff < p.out.size()) {
            const ssize_t w =
                ::send(p.fd, p.out.data() + p.outOff, p.out.size() - p.outOff, MSG_NOSIGNAL);
            if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            if (w <= 0)
                return; // the read side sees the error
            p.outOff += size_t(w);
        }
        epoll_event ev{};
        ev.events = uint32_t(EPOLLIN) | (p.outOff < p.out.size() ? uint32_t(EPOLLOUT) : 0u);
        ev.data.u32 = uint32_t(i);
        epoll_ctl(m_ep, EPOLL_CTL_MOD, p.fd, &ev);
    }
    /** Reads what publisher i got; returns how many requests it answered (0 or 1). */
    long receive(size_t i, std::vector<Request> &reqs)
    {
        Publisher &p = m_pubs[i];
        char b[16384];
        bool eof = false;
        int error = 0;
        for (;;) {
            const ssize_t r = recv(p.fd, b, sizeof b, 0);
            if (r > 0) {
                p.in.append(b, size_t(r));
                continue;
            }
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            eof = true;
            error = r < 0 ? errno : 0;
            break;
        }
        long answered = 0;
        int status = 0;
        std::string body;
        bool closeAfter = false;
        if (p.request >= 0 && takeResponse(p.in, &status, &body, &closeAfter)) {
            Request &q = reqs[size_t(p.request)];
            q.status = status;
            q.id = status == 201 ? idOf(body) : 0;
            lastAnswerNs = nowNs();
            q.answeredNs = lastAnswerNs;
            m_service.add((lastAnswerNs - p.sentNs) / 1000);
            if (status != 201 && ++m_failuresSaid <= 5)
                say("publish: HTTP %d %s", status, body.c_str());
            p.request = -1;
            answered = 1;
            // The server's "Connection: close": the next request goes on a new connection.
            eof = eof || closeAfter;
        }
        if (eof) {
            if (p.request >= 0) { // lost with its request: that one stays unanswered (status 0)
                answered = 1;
                if (++m_failuresSaid <= 5)
                    say("publisher %zu: connection lost (%s)", i,
                        error ? strerror(error) : "closed by the server");
            }
            reconnect(i);
        }
        return answered;
    }

public:
    int64_t lastAnswerNs = 0;
    qint64 connections = 0; // opened so far (the server may close one after each answer)
    /** Request sent to answer read, for the step (without the wait for a free connection). */
    Histogram takeServiceTimes()
    {
        Histogram h = std::move(m_service);
        m_service = Histogram();
        return h;
    }

private:
    int m_port;
    std::string m_token;
    const std::vector<Person> &m_people;
    int m_ep = -1;
    std::vector<Publisher> m_pubs;
    Histogram m_service;
    int m_failuresSaid = 0;
};

} // namespace

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
    const long long baseline = rssKiB(run.server.pid);
    const long conns = long(devices.size());
    startWorkers(run, plan, conns, 15000, int(run.opt.num("workers", 2)));
    run.fleet.sendAll("notif-sparse 1");
    const QJsonObject conn = connectAll(run, run.smoke ? 30 : 120);
    run.results.insert(QStringLiteral("connect"), conn);
    run.fleet.pump(1000);

    say("publish throughput: %ld people x 2 devices, %ld publishers, steps of %.0f s", people,
        publishers, stepSeconds);
    PublisherPool pool(run.server.port, int(publishers), serviceToken, persons);
    std::map<long, std::pair<qint64, qint64>> expected; // person -> count, sum of ids
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
    run.fleet.sendAll("report {\"perConn\":true}");
    Merged m;
    qint64 wrongDevices = 0, missing = 0, closedDevices = 0;
    const auto reports = run.fleet.waitAll(QStringLiteral("report"), 60);
    for (size_t w = 0; w < reports.size(); ++w) {
        const QJsonObject &r = reports[w];
        if (r.isEmpty()) {
            run.problem(QStringLiteral("worker_report_missing"), 1);
            continue;
        }
        m.add(r);
        const QJsonArray cs = r.value(QLatin1String("conns")).toArray();
        for (qsizetype i = 0; i < cs.size(); ++i) {
            const QJsonArray c = cs.at(i).toArray();
            const long person = (run.fleet.ranges[w].first + long(i)) / 2;
            const auto e = expected.find(person);
            const qint64 wantCount = e == expected.end() ? 0 : e->second.first;
            const qint64 wantSum = e == expected.end() ? 0 : e->second.second;
            if (c.at(0).toInteger() != 1)
                ++closedDevices;
            // A request that got no answer may still have been stored and delivered: then a
            // device may have more than the 201s say, never less.
            const bool wrong = failures - errorAnswers > 0 ? c.at(1).toInteger() < wantCount
                                                           : c.at(1).toInteger() != wantCount ||
                                                                 c.at(2).toInteger() != wantSum;
            if (wrong) {
                ++wrongDevices;
                missing += std::max<qint64>(0, wantCount - c.at(1).toInteger());
            }
        }
    }
    finishServer(run, baseline, conns);
    commonChecks(run, m);
    run.problem(QStringLiteral("connect_failures"),
                conn.value(QLatin1String("failed")).toInteger());
    run.problem(QStringLiteral("devices_not_open_at_the_end"), closedDevices);
    run.problem(QStringLiteral("duplicate_ids_in_201s"), duplicateIds);
    run.problem(QStringLiteral("devices_with_wrong_notifications"), wrongDevices);
    run.problem(QStringLiteral("notifications_missing_on_devices"), missing);
    // An error answer (4xx/5xx) is a problem; a request still unanswered when the step gave up
    // (overload past the last step held) is a measurement, reported with the step.
    run.problem(QStringLiteral("publish_error_answers"), errorAnswers);
    run.results.insert(QStringLiteral("publish_failures"), failures);
    run.target(QStringLiteral("personal notifications accepted per second with p99 <= 50 ms"),
               QStringLiteral(">= 5000"), heldRate, heldRate >= 5000);
    return 0;
}

} // namespace bench
