// herald-bench controller: the publishers of the publish-throughput scenarios (publishers.h).
//
// The publishers are open-loop: request k of a step is due at t0 + k / rate whether or not the
// earlier ones were answered, and its latency counts from that moment, so a request that waits
// for a free connection is charged for the wait (no coordinated omission).
#include "publishers.h"

#include "http.h"
#include "report.h"
#include "sampling.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <sys/epoll.h>

namespace bench {

/** @brief One publisher's non-blocking keep-alive connection, one request in flight at most. */
struct PublisherConnection
{
    int fd = -1;
    int node = 0;
    std::string out;
    size_t outOff = 0;
    std::string in;
    long request = -1; // index into the step's requests; -1 when idle
    int64_t sentNs = 0;
};

namespace {

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

qint64 idOf(const std::string &body)
{
    const size_t at = body.find("\"id\":");
    return at == std::string::npos ? 0 : atoll(body.c_str() + at + 5);
}

} // namespace

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

// ------------------------------------------------------------------ the publishers

PublisherPool::PublisherPool(std::vector<int> ports, int count, std::string token,
                             const std::vector<Person> &people)
    : m_ports(std::move(ports))
    , m_token(std::move(token))
    , m_people(people)
{
    m_ep = epoll_create1(EPOLL_CLOEXEC);
    m_pubs.resize(size_t(count));
    for (size_t i = 0; i < m_pubs.size(); ++i)
        reconnect(i);
}

PublisherPool::~PublisherPool()
{
    for (PublisherConnection &p : m_pubs)
        if (p.fd >= 0)
            close(p.fd);
    close(m_ep);
}

std::vector<Request> PublisherPool::step(double rate, double seconds, long *nextRecipient,
                                         double maxWait, Run &run)
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
    int64_t lastTick = t0;
    while (answered < total && nowNs() < giveUp) {
        const int64_t now = nowNs();
        while (released < total && reqs[size_t(released)].dueNs <= now)
            waiting.push_back(released++);
        // Free publishers in turn from the one after the last used: with publishers on two
        // nodes by parity, consecutive requests alternate between the nodes.
        const size_t start = m_nextPublisher;
        for (size_t n = 0; n < m_pubs.size() && !waiting.empty(); ++n) {
            const size_t i = (start + n) % m_pubs.size();
            if (m_pubs[i].request < 0 && m_pubs[i].fd >= 0) {
                send(i, waiting.front(), reqs);
                waiting.pop_front();
                m_nextPublisher = i + 1;
            }
        }
        int timeout = 1;
        if (released < total && waiting.empty())
            timeout =
                int(std::clamp<int64_t>((reqs[size_t(released)].dueNs - nowNs()) / 1000000, 0, 1));
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
        if (onTick && nowNs() - lastTick > 100'000'000) {
            lastTick = nowNs();
            onTick();
        }
    }
    // What was never answered stays status 0: a failure of the step.
    for (size_t i = 0; i < m_pubs.size(); ++i)
        if (m_pubs[i].request >= 0) {
            m_pubs[i].request = -1;
            reconnect(i);
        }
    return reqs;
}

Histogram PublisherPool::takeServiceTimes()
{
    Histogram h = std::move(m_service);
    m_service = Histogram();
    return h;
}

void PublisherPool::reconnect(size_t i)
{
    PublisherConnection &p = m_pubs[i];
    if (p.fd >= 0) {
        epoll_ctl(m_ep, EPOLL_CTL_DEL, p.fd, nullptr);
        close(p.fd);
    }
    p = PublisherConnection{};
    p.node = int(i % m_ports.size());
    p.fd = connectTo(m_ports[size_t(p.node)]);
    ++connections;
    if (p.fd < 0)
        return;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = uint32_t(i);
    epoll_ctl(m_ep, EPOLL_CTL_ADD, p.fd, &ev);
}

void PublisherPool::send(size_t i, long k, std::vector<Request> &reqs)
{
    PublisherConnection &p = m_pubs[i];
    const Person &to = m_people[size_t(reqs[size_t(k)].recipient)];
    const std::string body = "{\"recipients\":{\"users\":[\"" + to.name.toStdString() +
                             "\"]},\"title\":\"throughput " + std::to_string(k) +
                             "\",\"body\":\"personal notification\"}";
    p.out = "POST /api/v1/notifications HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
            m_token +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body;
    p.outOff = 0;
    p.request = k;
    p.sentNs = nowNs();
    reqs[size_t(k)].node = p.node;
    flush(i);
}

void PublisherPool::flush(size_t i)
{
    PublisherConnection &p = m_pubs[i];
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
long PublisherPool::receive(size_t i, std::vector<Request> &reqs)
{
    PublisherConnection &p = m_pubs[i];
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

// ------------------------------------------------------------------ the devices' check

void checkDevices(Run &run, Merged &m, const Expected &expected,
                  const std::function<long(size_t worker, long i)> &personOf, bool someUnanswered)
{
    run.fleet.sendAll("report {\"perConn\":true}");
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
            const auto e = expected.find(personOf(w, long(i)));
            const qint64 wantCount = e == expected.end() ? 0 : e->second.first;
            const qint64 wantSum = e == expected.end() ? 0 : e->second.second;
            if (c.at(0).toInteger() != 1)
                ++closedDevices;
            // A request that got no answer may still have been stored and delivered: then a
            // device may have more than the 201s say, never less.
            const bool wrong =
                someUnanswered ? c.at(1).toInteger() < wantCount
                               : c.at(1).toInteger() != wantCount || c.at(2).toInteger() != wantSum;
            if (wrong) {
                ++wrongDevices;
                missing += std::max<qint64>(0, wantCount - c.at(1).toInteger());
            }
        }
    }
    run.problem(QStringLiteral("devices_not_open_at_the_end"), closedDevices);
    run.problem(QStringLiteral("devices_with_wrong_notifications"), wrongDevices);
    run.problem(QStringLiteral("notifications_missing_on_devices"), missing);
}

} // namespace bench
