// herald-bench worker: the client side of each person's connection. A non-blocking TCP socket
// from its own source address, the WebSocket handshake with the bearer token, masked frames out,
// frames in (ping answered, close answered, text handed to the protocol).
#include "worker.h"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace bench::worker {

namespace {

uint32_t parseIp(const std::string &s)
{
    in_addr a{};
    inet_pton(AF_INET, s.c_str(), &a);
    return a.s_addr;
}

} // namespace

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

} // namespace bench::worker
