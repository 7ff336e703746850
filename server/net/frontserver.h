#pragma once

#include <QHash>
#include <QPointer>
#include <QSslConfiguration>
#include <QStringList>
#include <QTcpServer>

#include "requestdeadlines.h"

#include <functional>

class QWebSocketServer;
class QTcpSocket;

namespace herald {

/** @brief Limits the front applies before any request reaches QtHttpServer or QtWebSockets.
 *  docs/security.md lists each with its config key. */
struct FrontLimits
{
    int requestLineBytes = 8 * 1024;       // 414 beyond
    int headerBytes = 16 * 1024;           // 431 beyond (the whole head, request line included)
    int headerCount = 100;                 // 431 beyond
    qint64 publishBodyBytes = 1024 * 1024; // 413 beyond, POST /api/v1/notifications
    qint64 otherBodyBytes = 16 * 1024;     // 413 beyond, every other request
    int requestDeadlineMs = 10000;   // whole request (head and body), or the upgrade handshake
    int maxConnections = 100000;     // 503 beyond
    int maxConnectionsPerIp = 20000; // 503 beyond
    int keepaliveTimeoutMs = 15000;  // idle time between requests on one connection; 0: close
    int keepaliveRequests = 1000;    // requests on one connection; the last answer closes it
    QStringList origins;             // WebSocket Origin allow-list (empty: any)

    /** @brief The body cap of one route. */
    [[nodiscard]] qint64 bodyCap(const QByteArray &method, const QByteArray &path) const;
};

/** @brief How an HTTP answer ends: the connection stays open for the next request, closes after
 *  it, or the answer is not written at all (the front already refused the connection). */
enum class AnswerEnd { KeepOpen, Close, Drop };

/** @brief Called by whoever answers a request the front handed over, just before writing: tells
 *  how the answer ends (the front counts requests, reads `Connection` and the HTTP version) and
 *  arms the connection for the next request when it stays open. @p last: the answer closes the
 *  connection whatever the request said (a file download streamed after its head). */
AnswerEnd beginAnswer(QTcpSocket *socket, bool last = false);

/** @brief Writes @p head (status line and header lines, each ending with CRLF; no Connection
 *  field) with the Connection field beginAnswer decided, then @p body, and closes if it said so. */
void writeAnswer(QTcpSocket *socket, const QByteArray &head, const QByteArray &body);

/** @brief A plain WebSocket connection the front has upgraded (it wrote the 101 itself). */
struct RequestHead;

/** @brief Takes the requests whose body must not go through QtHttpServer (which buffers it
 *  whole): `wants` picks them by their head; `take` then gets the connection, its buffer
 *  starting at the body, and answers and closes it. */
struct BodyTaker
{
    std::function<bool(const RequestHead &head)> wants;
    std::function<void(QTcpSocket *socket, const RequestHead &head)> take;
};

struct Upgraded
{
    int fd = -1;                    // the connection's descriptor, now the receiver's to close
    QString address;                // "ip:port", for logs
    QByteArray bearer;              // the token from `Authorization: Bearer ...`, or empty
    QByteArray early;               // bytes that came after the handshake, before anyone read them
    std::function<void()> released; // call once (any thread) when fd is closed: frees its slot
};

/**
 * @brief The one listening socket. Reads each connection's request head (peeking, so nothing is
 * consumed), applies the limits, then hands WebSocket upgrades on /ws to the QWebSocketServer
 * and everything else to QtHttpServer (bound to this server) as a pending connection. The body
 * of an HTTP request is then followed byte by byte as it arrives (length, chunk framing, cap),
 * ahead of QtHttpServer's own reader, so a bad or oversized body is refused before any route.
 * HTTP/1.1 connections stay open (keep-alive, no pipelining): a ConnectionGuard checks each
 * later request's head with the same checks as the first before QtHttpServer acts on it.
 * A large listen backlog lets a reconnect storm in without SYN drops.
 */
class FrontServer : public QTcpServer
{
    Q_OBJECT
public:
    FrontServer(QList<QWebSocketServer *> ws, FrontLimits limits, QObject *parent = nullptr);

    /** @brief The object name of a connection's unfinished-request deadline (a RequestDeadline,
     *  child of its socket): handlers that take a request over stop it by this name. */
    static constexpr char DeadlineTimerName[] = "herald-deadline";
    /** @brief After refusing a request, keep reading (and dropping) this long before closing,
     *  so that the client reads the answer instead of a reset. */
    static constexpr int RefusalLingerMs = 500;

    void setTls(const QSslConfiguration &config)
    {
        m_tls = config;
        m_useTls = true;
    }
    /** @brief Plain WebSocket handshakes are answered by the front itself and the connection is
     *  handed here (TLS ones go through the QWebSocketServers). Without a handler, both do. */
    void setUpgradeHandler(std::function<void(Upgraded)> handler)
    {
        m_onUpgrade = std::move(handler);
    }
    /** @brief Requests whose body a taker streams itself (file uploads), first on a connection
     *  or later on a kept-alive one. */
    void setBodyTaker(BodyTaker taker) { m_bodyTaker = std::move(taker); }
    /** @brief The TCP socket under an accepted WebSocket (for its outbound queue size). */
    QTcpSocket *takeUpgradedSocket(const QString &peerKey);
    static QString peerKey(const QHostAddress &address, quint16 port);
    [[nodiscard]] int openSockets() const { return m_total; }
    [[nodiscard]] const FrontLimits &limits() const { return m_limits; }

Q_SIGNALS:
    void rejected(int status);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void inspect(QTcpSocket *socket);
    void upgrade(QTcpSocket *socket, const QByteArray &path,
                 const QHash<QByteArray, QByteArray> &headers, const QByteArray &method,
                 const QByteArray &version, bool hasBody, qsizetype headBytes);
    void handOver(QTcpSocket *socket, const QHash<QByteArray, QByteArray> &headers,
                  qsizetype headBytes);
    void release(const QString &ip);
    void refuse(QTcpSocket *socket, int status, const QByteArray &reason,
                const QByteArray &extraHeaders = {});

    QList<QWebSocketServer *>
        m_ws; // handshakes spread over several: QObject::sender() is O(senders)
    qsizetype m_nextWs = 0;
    FrontLimits m_limits;
    QSslConfiguration m_tls;
    bool m_useTls = false;
    int m_total = 0;
    QHash<QString, int> m_perIp;
    QHash<QString, QPointer<QTcpSocket>> m_upgrading;
    std::function<void(Upgraded)> m_onUpgrade;
    BodyTaker m_bodyTaker;
    RequestDeadlines m_deadlines; // one timer for every socket's unfinished request
};

} // namespace herald
