// herald-bench worker: one process, one epoll loop, thousands of simulated people.
//
// Each person is one non-blocking TCP socket with a hand-written WebSocket client (masked
// frames, ping/pong, close) speaking Herald's protocol: bearer token at the handshake, hello,
// resume, msg.send. Hot-path frames (message, notification) are read with substring scans, not
// a JSON parser; only hello and result frames are parsed with QJsonDocument.
//
// The controller drives a worker through stdin (one command a line) and reads JSON events from
// its stdout. Every person checks what it receives: each room's messages must arrive exactly
// once and in sequence order, each notification exactly once and in id order.
#include "common.h"

#include <QJsonDocument>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace bench {
namespace {

enum State : uint8_t { Idle, Connecting, Handshake, Open, Closed, Failed };

struct RoomPos
{
    std::string name;
    int64_t last = 0;   // last sequence seen in order
    int64_t target = 0; // server's lastSeq at the latest hello (resume: catch up to this)
};

struct Conn
{
    int fd = -1;
    State state = Idle;
    bool helloSeen = false;
    bool inBatch = false;
    bool resuming = false;
    bool caughtUp = false;
    uint8_t fragOp = 0;
    std::string token;
    std::string src;
    std::string in;
    std::string out;
    std::string frag;
    std::vector<RoomPos> rooms;
    int64_t tConnect = 0;
    int64_t tHello = 0;
    int64_t tCaught = 0;
    int64_t lastNotif = 0;
    int64_t notifCount = 0;
    int64_t resumeMsgs = 0;
    int closeCode = 0;
};

struct Counters
{
    int64_t framesIn = 0;
    int64_t bytesIn = 0;
    int64_t messages = 0;   // message frames in order (deliveries)
    int64_t duplicates = 0; // seq <= last seen
    int64_t gaps = 0;       // times a seq skipped ahead
    int64_t lost = 0;       // sequence numbers skipped
    int64_t unknownRoom = 0;
    int64_t notifications = 0;
    int64_t notifDuplicates = 0; // id <= last seen
    int64_t notifGaps = 0;       // id skipped ahead of last+1 (after the first)
    int64_t errors = 0;          // error frames
    int64_t otherFrames = 0;
    int64_t pings = 0;
    int64_t unexpectedCloses = 0;
    int64_t expectedCloses = 0;
    int64_t failed = 0;
    int64_t acks = 0;
    int64_t sendErrors = 0;
};

class Worker
{
public:
    Worker(uint16_t port, std::vector<std::pair<std::string, std::string>> people)
        : m_port(port)
    {
        m_conns.resize(people.size());
        for (size_t i = 0; i < people.size(); ++i) {
            m_conns[i].token = std::move(people[i].first);
            m_conns[i].src = std::move(people[i].second);
        }
        m_buf.resize(1 << 18);
        m_seed = uint32_t(getpid()) * 2654435761u + uint32_t(nowNs());
    }

    int run();

private:
    // ---- plumbing
    void post(const QJsonObject &o)
    {
        const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
        size_t off = 0;
        while (off < size_t(line.size())) {
            const ssize_t n = ::write(1, line.constData() + off, size_t(line.size()) - off);
            if (n <= 0) {
                if (errno == EINTR)
                    continue;
                _exit(3);
            }
            off += size_t(n);
        }
    }
    void fail(Conn &c, const std::string &why)
    {
        if (c.state == Failed || c.state == Closed)
            return;
        if (c.fd >= 0)
            ::close(c.fd);
        c.fd = -1;
        c.state = Failed;
        ++m_c.failed;
        if (m_reasons.size() < 20 || m_reasons.count(why))
            ++m_reasons[why];
        m_dirty = true;
    }
    void closed(Conn &c, int code)
    {
        if (c.fd >= 0)
            ::close(c.fd);
        c.fd = -1;
        c.closeCode = code;
        if (m_expectClose) {
            c.state = Closed;
            ++m_c.expectedCloses;
        } else {
            ++m_c.unexpectedCloses;
            fail(c, "closed by server with " + std::to_string(code));
        }
        m_dirty = true;
    }
    void startConnect(uint32_t i);
    void onWritable(uint32_t i);
    void onReadable(uint32_t i);
    void flush(Conn &c, uint32_t i);
    void sendFrame(Conn &c, uint32_t i, uint8_t op, const char *data, size_t len);
    void sendText(Conn &c, uint32_t i, const std::string &s)
    {
        sendFrame(c, i, 0x1, s.data(), s.size());
    }
    size_t parseFrames(Conn &c, uint32_t i, const char *p, size_t n);
    void onText(Conn &c, uint32_t i, const char *p, size_t n);
    void onMessage(Conn &c, const char *p, size_t n);
    void onNotification(Conn &c, const char *p, size_t n);
    void onHello(Conn &c, uint32_t i, const char *p, size_t n);
    void onResult(Conn &c, const char *p, size_t n);
    void command(const std::string &line);
    void checkBatches();
    void senderTick();
    QJsonObject report(const QJsonObject &expect);

    uint16_t m_port;
    std::vector<Conn> m_conns;
    std::vector<char> m_buf;
    int m_ep = -1;
    int m_timer = -1;
    uint32_t m_seed;
    Counters m_c;
    std::map<std::string, int64_t> m_reasons;
    Histogram m_latency;      // live message latency (send timestamp in text -> receipt)
    Histogram m_helloLatency; // command time -> hello
    Histogram m_catchUp;      // resume command time -> caught up
    Histogram m_resumeHello;  // resume command time -> hello on the new connection
    Histogram m_ackLatency;   // sender: send -> result
    std::unordered_map<int64_t, std::pair<int64_t, int64_t>>
        m_notifSeen; // id -> count, last receipt ns
    bool m_expectClose = false;
    bool m_dirty = false;
    // batches
    bool m_connectPending = false;
    int64_t m_connectT0 = 0;
    bool m_resumePending = false;
    int64_t m_resumeT0 = 0;
    // sender
    bool m_sending = false;
    std::string m_sendRoom;
    double m_sendRate = 0;
    int64_t m_sendCount = 0;
    int64_t m_sent = 0;
    int64_t m_sendT0 = 0;
    int64_t m_sendDoneAt = 0;
    std::unordered_map<int64_t, int64_t> m_sentAt; // request number -> ns
    std::string m_stdin;
    bool m_quit = false;
    int64_t m_lastMsgNs = 0;
    char m_fault = 0; // 'd' drop, 'u' duplicate
    int64_t m_faultCount = 0;

public:
    void setFault(const char *f)
    {
        if (f && !strcmp(f, "drop"))
            m_fault = 'd';
        else if (f && !strcmp(f, "dup"))
            m_fault = 'u';
    }
};

uint32_t parseIp(const std::string &s)
{
    in_addr a{};
    inet_pton(AF_INET, s.c_str(), &a);
    return a.s_addr;
}

void Worker::startConnect(uint32_t i)
{
    Conn &c = m_conns[i];
    c.in.clear();
    c.out.clear();
    c.frag.clear();
    c.helloSeen = false;
    c.caughtUp = false;
    c.closeCode = 0;
    c.tConnect = nowNs();
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(c, std::string("socket: ") + strerror(errno));
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // The port is picked at connect() time per 4-tuple, so each source address has its own
    // ~28,000 ephemeral ports.
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = parseIp(c.src);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&src), sizeof src) < 0) {
        ::close(fd);
        return fail(c, std::string("bind: ") + strerror(errno));
    }
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(m_port);
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c.fd = fd;
    c.state = Connecting;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&dst), sizeof dst) < 0 && errno != EINPROGRESS) {
        return fail(c, std::string("connect: ") + strerror(errno));
    }
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN;
    ev.data.u32 = i;
    epoll_ctl(m_ep, EPOLL_CTL_ADD, fd, &ev);
}

void Worker::onWritable(uint32_t i)
{
    Conn &c = m_conns[i];
    if (c.state == Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err)
            return fail(c, std::string("connect: ") + strerror(err));
        c.state = Handshake;
        c.out = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(m_port) +
                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: aGVyYWxkLWJlbmNoLWtleQ==\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Protocol: herald.v1\r\nAuthorization: Bearer " +
                c.token + "\r\n\r\n";
    }
    flush(c, i);
}

void Worker::flush(Conn &c, uint32_t i)
{
    while (!c.out.empty()) {
        const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                break;
            return fail(c, std::string("send: ") + strerror(errno));
        }
        c.out.erase(0, size_t(n));
    }
    epoll_event ev{};
    ev.events = EPOLLIN | (c.out.empty() ? 0u : uint32_t(EPOLLOUT));
    ev.data.u32 = i;
    epoll_ctl(m_ep, EPOLL_CTL_MOD, c.fd, &ev);
}

void Worker::sendFrame(Conn &c, uint32_t i, uint8_t op, const char *data, size_t len)
{
    if (c.fd < 0)
        return;
    const bool idle = c.out.empty();
    char h[14];
    size_t n = 2;
    h[0] = char(0x80 | op);
    if (len < 126) {
        h[1] = char(0x80 | len);
    } else if (len <= 0xFFFF) {
        h[1] = char(0x80 | 126);
        h[2] = char(len >> 8);
        h[3] = char(len);
        n = 4;
    } else {
        h[1] = char(0x80 | 127);
        for (int k = 0; k < 8; ++k)
            h[2 + k] = char(uint64_t(len) >> (56 - 8 * k));
        n = 10;
    }
    m_seed ^= m_seed << 13;
    m_seed ^= m_seed >> 17;
    m_seed ^= m_seed << 5;
    unsigned char mask[4];
    memcpy(mask, &m_seed, 4);
    memcpy(h + n, mask, 4);
    n += 4;
    c.out.append(h, n);
    const size_t base = c.out.size();
    c.out.append(data, len);
    for (size_t k = 0; k < len; ++k)
        c.out[base + k] = char(c.out[base + k] ^ mask[k & 3]);
    if (idle && c.state == Open)
        flush(c, i);
}

void Worker::onReadable(uint32_t i)
{
    Conn &c = m_conns[i];
    if (c.state == Connecting)
        return onWritable(i);
    const ssize_t n = ::recv(c.fd, m_buf.data(), m_buf.size(), 0);
    if (n == 0) {
        if (m_expectClose)
            return closed(c, 1006);
        return fail(c, c.state == Handshake ? "eof during handshake"
                       : c.helloSeen        ? "eof after hello"
                                            : "eof before hello");
    }
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR)
            return;
        if (m_expectClose)
            return closed(c, 1006);
        return fail(c, std::string("recv: ") + strerror(errno) +
                           (c.state == Handshake ? " (during handshake)"
                            : !c.helloSeen       ? " (before hello)"
                            : c.resuming         ? " (after hello, resume not answered yet)"
                                                 : " (after hello)"));
    }
    m_c.bytesIn += n;
    const char *p = m_buf.data();
    size_t len = size_t(n);
    if (c.state == Handshake) {
        c.in.append(p, len);
        const size_t end = c.in.find("\r\n\r\n");
        if (end == std::string::npos) {
            if (c.in.size() > 16384)
                fail(c, "handshake response too large");
            return;
        }
        if (c.in.compare(0, 12, "HTTP/1.1 101") != 0) {
            const size_t eol = c.in.find("\r\n");
            return fail(c, "handshake: " + c.in.substr(0, std::min<size_t>(eol, 60)));
        }
        c.state = Open;
        std::string rest = c.in.substr(end + 4);
        c.in.clear();
        if (!c.out.empty())
            flush(c, i);
        if (rest.empty())
            return;
        const size_t used = parseFrames(c, i, rest.data(), rest.size());
        if (c.state == Open && used < rest.size())
            c.in.assign(rest, used, std::string::npos);
        return;
    }
    if (c.in.empty()) {
        const size_t used = parseFrames(c, i, p, len);
        if (c.state == Open && used < len)
            c.in.assign(p + used, len - used);
    } else {
        c.in.append(p, len);
        const size_t used = parseFrames(c, i, c.in.data(), c.in.size());
        if (c.state == Open)
            c.in.erase(0, used);
    }
}

size_t Worker::parseFrames(Conn &c, uint32_t i, const char *p, size_t n)
{
    size_t off = 0;
    while (c.state == Open && n - off >= 2) {
        const auto *u = reinterpret_cast<const unsigned char *>(p + off);
        const bool fin = u[0] & 0x80;
        const uint8_t op = u[0] & 0x0F;
        if (u[1] & 0x80) {
            fail(c, "masked frame from server");
            return off;
        }
        uint64_t len = u[1] & 0x7F;
        size_t h = 2;
        if (len == 126) {
            if (n - off < 4)
                break;
            len = (uint64_t(u[2]) << 8) | u[3];
            h = 4;
        } else if (len == 127) {
            if (n - off < 10)
                break;
            len = 0;
            for (int k = 0; k < 8; ++k)
                len = (len << 8) | u[2 + k];
            h = 10;
        }
        if (len > (64u << 20)) {
            fail(c, "frame over 64 MiB");
            return off;
        }
        if (n - off - h < len)
            break;
        const char *payload = p + off + h;
        off += h + size_t(len);
        ++m_c.framesIn;
        switch (op) {
        case 0x0: // continuation
            c.frag.append(payload, size_t(len));
            if (fin) {
                const std::string whole = std::move(c.frag);
                c.frag.clear();
                if (c.fragOp == 0x1)
                    onText(c, i, whole.data(), whole.size());
            }
            break;
        case 0x1:
            if (fin) {
                onText(c, i, payload, size_t(len));
            } else {
                c.fragOp = 0x1;
                c.frag.assign(payload, size_t(len));
            }
            break;
        case 0x2:
            ++m_c.otherFrames;
            break;
        case 0x8: {
            const int code =
                len >= 2 ? (int(uint8_t(payload[0])) << 8) | uint8_t(payload[1]) : 1005;
            // Answer the close, then drop the socket.
            char cc[2] = {char(code >> 8), char(code)};
            sendFrame(c, i, 0x8, cc, len >= 2 ? 2 : 0);
            if (!c.out.empty())
                (void)::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            closed(c, code);
            return off;
        }
        case 0x9:
            ++m_c.pings;
            sendFrame(c, i, 0xA, payload, size_t(len));
            if (!c.out.empty())
                flush(c, i);
            break;
        case 0xA:
            break;
        default:
            fail(c, "bad opcode");
            return off;
        }
    }
    return off;
}

// A tiny scanner for flat JSON fields written by QJsonDocument (compact, keys sorted).
const char *findKey(const char *p, size_t n, std::string_view key)
{
    const char *end = p + n;
    const void *hit = memmem(p, n, key.data(), key.size());
    if (!hit)
        return nullptr;
    const char *v = static_cast<const char *>(hit) + key.size();
    return v <= end ? v : nullptr;
}
int64_t readInt(const char *v, const char *end)
{
    int64_t x = 0;
    bool neg = false;
    if (v < end && *v == '-') {
        neg = true;
        ++v;
    }
    while (v < end && *v >= '0' && *v <= '9')
        x = x * 10 + (*v++ - '0');
    return neg ? -x : x;
}
std::string_view readStr(const char *v, const char *end)
{
    const char *q = v;
    while (q < end && *q != '"')
        ++q;
    return {v, size_t(q - v)};
}

void Worker::onText(Conn &c, uint32_t i, const char *p, size_t n)
{
    const char *end = p + n;
    const char *t = findKey(p, n, "\"type\":\"");
    if (!t) {
        ++m_c.otherFrames;
        return;
    }
    const std::string_view type = readStr(t, end);
    if (type == "message")
        return onMessage(c, p, n);
    if (type == "notification")
        return onNotification(c, p, n);
    if (type == "hello")
        return onHello(c, i, p, n);
    if (type == "result")
        return onResult(c, p, n);
    if (type == "error") {
        ++m_c.errors;
        const char *m = findKey(p, n, "\"message\":\"");
        const std::string why =
            "error frame: " + std::string(m ? readStr(m, end) : std::string_view("?"));
        if (m_reasons.size() < 20 || m_reasons.count(why))
            ++m_reasons[why];
        if (m_sending)
            ++m_c.sendErrors;
        return;
    }
    ++m_c.otherFrames; // presence, online, member, typing, ...
}

void Worker::onMessage(Conn &c, const char *p, size_t n)
{
    // Self-test of the checks (HERALD_BENCH_FAULT=drop|dup): lose or repeat one frame.
    if (m_fault && ++m_faultCount == 10) {
        if (m_fault == 'd')
            return;
        onMessage(c, p, n);
    }
    const char *end = p + n;
    const int64_t now = nowNs();
    const char *r = findKey(p, n, "\"room\":\"");
    const char *s = findKey(p, n, "\"seq\":");
    if (!r || !s) {
        ++m_c.otherFrames;
        return;
    }
    const std::string_view room = readStr(r, end);
    const int64_t seq = readInt(s, end);
    RoomPos *pos = nullptr;
    for (RoomPos &rp : c.rooms)
        if (rp.name == room)
            pos = &rp;
    if (!pos) {
        ++m_c.unknownRoom;
        return;
    }
    m_lastMsgNs = now;
    if (seq == pos->last + 1) {
        pos->last = seq;
        ++m_c.messages;
        if (c.resuming)
            ++c.resumeMsgs;
    } else if (seq <= pos->last) {
        ++m_c.duplicates;
        return;
    } else {
        ++m_c.gaps;
        m_c.lost += seq - pos->last - 1;
        pos->last = seq;
        ++m_c.messages;
    }
    // Live messages carry their send time: "text":"t<ns>"
    const char *tx = findKey(p, n, "\"text\":\"t");
    if (tx && !c.resuming)
        m_latency.add((now - readInt(tx, end)) / 1000);
}

void Worker::onNotification(Conn &c, const char *p, size_t n)
{
    const char *end = p + n;
    const int64_t now = nowNs();
    const char *v = findKey(p, n, "\"id\":");
    if (!v) {
        ++m_c.otherFrames;
        return;
    }
    const int64_t id = readInt(v, end);
    if (id <= c.lastNotif) {
        ++m_c.notifDuplicates;
        return;
    }
    if (c.notifCount > 0 && id != c.lastNotif + 1)
        ++m_c.notifGaps;
    c.lastNotif = id;
    ++c.notifCount;
    ++m_c.notifications;
    auto &seen = m_notifSeen[id];
    ++seen.first;
    seen.second = std::max(seen.second, now);
}

void Worker::onHello(Conn &c, uint32_t i, const char *p, size_t n)
{
    const QJsonObject hello =
        QJsonDocument::fromJson(QByteArray::fromRawData(p, qsizetype(n))).object();
    c.helloSeen = true;
    c.tHello = nowNs();
    if (c.resuming)
        m_resumeHello.add((c.tHello - m_resumeT0) / 1000);
    else if (m_connectPending && c.inBatch)
        m_helloLatency.add((c.tHello - m_connectT0) / 1000);
    const bool resume = c.resuming;
    std::vector<RoomPos> rooms;
    for (const QJsonValue &v : hello.value(QLatin1String("rooms")).toArray()) {
        const QJsonObject o = v.toObject();
        RoomPos rp;
        rp.name = o.value(QLatin1String("name")).toString().toStdString();
        rp.target = o.value(QLatin1String("lastSeq")).toInteger();
        rp.last = rp.target;
        for (const RoomPos &old : c.rooms)
            if (old.name == rp.name && resume)
                rp.last = old.last; // keep what we saw: the resume asks from there
        rooms.push_back(rp);
    }
    c.rooms = std::move(rooms);
    if (!resume) {
        c.lastNotif = hello.value(QLatin1String("notifSeq")).toInteger();
        c.notifCount = 0;
    }
    m_dirty = true;
    if (resume) {
        std::string f = "{\"type\":\"resume\",\"id\":\"res\",\"rooms\":{";
        bool first = true;
        for (const RoomPos &rp : c.rooms) {
            if (!first)
                f += ',';
            first = false;
            f += "\"" + rp.name + "\":" + std::to_string(rp.last);
        }
        f += "}}";
        sendText(c, i, f);
    }
}

void Worker::onResult(Conn &c, const char *p, size_t n)
{
    const char *end = p + n;
    const char *v = findKey(p, n, "\"id\":\"");
    if (!v) {
        ++m_c.otherFrames;
        return;
    }
    const std::string_view id = readStr(v, end);
    if (id == "res") {
        const QJsonObject o =
            QJsonDocument::fromJson(QByteArray::fromRawData(p, qsizetype(n))).object();
        const QJsonObject cursors =
            o.value(QLatin1String("data")).toObject().value(QLatin1String("rooms")).toObject();
        bool ok = true;
        for (const RoomPos &rp : c.rooms) {
            if (rp.last != rp.target)
                ok = false;
            const QJsonValue cur = cursors.value(QString::fromStdString(rp.name));
            if (!cur.isUndefined() && cur.toInteger() != rp.last)
                ok = false;
        }
        if (!ok) {
            if (m_reasons.size() < 20 || m_reasons.count("resume result before catching up"))
                ++m_reasons["resume result before catching up"];
        }
        c.caughtUp = true;
        c.resuming = false;
        c.tCaught = nowNs();
        m_catchUp.add((c.tCaught - m_resumeT0) / 1000);
        m_dirty = true;
        return;
    }
    if (!id.empty() && id[0] == 's') {
        const int64_t k = readInt(id.data() + 1, id.data() + id.size());
        auto it = m_sentAt.find(k);
        if (it != m_sentAt.end()) {
            m_ackLatency.add((nowNs() - it->second) / 1000);
            m_sentAt.erase(it);
        }
        ++m_c.acks;
        m_dirty = true;
    }
}

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
        sendText(c, 0,
                 "{\"type\":\"msg.send\",\"id\":\"s" + std::to_string(m_sent) + "\",\"room\":\"" +
                     m_sendRoom + "\",\"clientId\":\"c" + std::to_string(m_sent) +
                     "\",\"text\":\"t" + std::to_string(t) + "\"}");
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
        const int n = epoll_wait(m_ep, events.data(), int(events.size()), 100);
        if (n < 0 && errno != EINTR)
            return 2;
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

} // namespace

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
    Worker w(port, std::move(people));
    if (first == 0)
        w.setFault(getenv("HERALD_BENCH_FAULT"));
    return w.run();
}

} // namespace bench
