// herald-bench controller: a minimal blocking HTTP/1.1 keep-alive client (publishing over the
// HTTP API, reading /metrics).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <string>

namespace bench {

/** A complete HTTP/1.1 response at the front of buf (Content-Length bodies): its status, body
 *  and whether the server closes after it, removed from buf; false while incomplete. */
inline bool takeResponse(std::string &buf, int *status, std::string *body, bool *closeAfter)
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

/** @brief One keep-alive HTTP/1.1 connection to the server, one request at a time. */
struct Http
{
    int fd = -1;
    int port = 0;
    std::string buf;

    Http() = default;
    Http(const Http &) = delete;
    Http &operator=(const Http &) = delete;
    ~Http()
    {
        if (fd >= 0)
            close(fd);
    }

    bool connectNow()
    {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        timeval tv{10, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(uint16_t(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) < 0) {
            close(fd);
            fd = -1;
            return false;
        }
        buf.clear();
        return true;
    }
    /** POST; returns status (0 on transport failure) and the body. */
    int post(const std::string &path, const std::string &token, const std::string &body,
             std::string *respBody)
    {
        return request("POST", path, token, body, respBody);
    }
    /** GET; returns status (0 on transport failure) and the body. */
    int get(const std::string &path, std::string *respBody)
    {
        return request("GET", path, std::string(), std::string(), respBody);
    }
    int request(const char *method, const std::string &path, const std::string &token,
                const std::string &body, std::string *respBody)
    {
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (fd < 0 && !connectNow())
                return 0;
            const std::string auth =
                token.empty() ? std::string() : "Authorization: Bearer " + token + "\r\n";
            const std::string req =
                std::string(method) + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n\r\n" + body;
            if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != ssize_t(req.size())) {
                close(fd);
                fd = -1;
                continue;
            }
            for (;;) {
                int status = 0;
                bool closeAfter = false;
                if (takeResponse(buf, &status, respBody, &closeAfter)) {
                    if (closeAfter) {
                        close(fd);
                        fd = -1;
                    }
                    return status;
                }
                char b[8192];
                const ssize_t n = recv(fd, b, sizeof b, 0);
                if (n <= 0)
                    break;
                buf.append(b, size_t(n));
            }
            close(fd);
            fd = -1;
            if (attempt == 0 && buf.empty())
                continue; // keep-alive connection closed under us: once more on a new one
            return 0;
        }
        return 0;
    }
};

/** The value of one sample line of a Prometheus text exposition ("name value"); -1 if absent. */
inline double metricValue(const std::string &text, const std::string &name)
{
    size_t at = 0;
    while ((at = text.find(name + ' ', at)) != std::string::npos) {
        if (at == 0 || text[at - 1] == '\n')
            return atof(text.c_str() + at + name.size() + 1);
        at += name.size();
    }
    return -1;
}

} // namespace bench
