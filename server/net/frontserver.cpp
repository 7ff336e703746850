#include "frontserver.h"

#include "bodyfollower.h"
#include "requesthead.h"

#include <herald/protocol.h>

#include <QCryptographicHash>
#include <QLoggingCategory>
#include <QSslSocket>
#include <QTimer>
#include <QWebSocketServer>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcFront, "herald.front")

namespace herald {

namespace {
const char DeadlineName[] = "herald-deadline";
const char GuardName[] = "herald-connection";
constexpr int LingerMs = 500; // after a refusal, keep reading (and dropping) this long

QByteArray statusText(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 426:
        return "Upgrade Required";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

/** Where the head scan got to, so that a head sent a byte at a time is not rescanned each time. */
struct HeadScan : QObject
{
    using QObject::QObject;
    qsizetype scanned = 0;
};

} // namespace

/**
 * Sits on an HTTP socket once its first head was accepted, for as long as the connection lives.
 * Its first slot runs before QtHttpServer's reader on every readyRead and sees each byte once
 * (what arrived since the last emission); its second runs after it and notes what that reader
 * left unread. It follows each body (length, chunk framing, cap), then, once the answer is
 * written, checks the next request's head with the same checks as the first (readRequestHead),
 * before QtHttpServer acts on it: a refusal disconnects that reader within the same emission.
 */
class ConnectionGuard : public QObject
{
public:
    enum class Phase {
        Body,      // following a request's body
        Answering, // the request is complete, its answer is not written yet
        Idle,      // the answer was written; waiting (keepalive_timeout) for the next request
        Head,      // reading the next request's head
        Closing    // refused, or the last answer was written: nothing more is read
    };

    ConnectionGuard(QTcpSocket *socket, const FrontLimits &limits, QTimer *deadline,
                    const RequestHead &first, BodyFollower body,
                    std::function<void(int, const QByteArray &, const QByteArray &)> refuse)
        : QObject(socket)
        , m_socket(socket)
        , m_limits(limits)
        , m_deadline(deadline)
        , m_skip(first.headBytes)
        , m_body(body)
        , m_refuse(std::move(refuse))
        , m_close(first.wantsClose())
    {
        setObjectName(QLatin1String(GuardName));
        m_idle.setSingleShot(true);
        connect(&m_idle, &QTimer::timeout, this, [this] {
            m_phase = Phase::Closing;
            m_socket->disconnectFromHost();
        });
    }

    void before()
    {
        const qint64 available = m_socket->bytesAvailable();
        const qint64 fresh = available - m_leftover;
        m_leftover = available;
        if (fresh <= 0)
            return;
        const QByteArray all = m_socket->peek(available);
        const char *p = all.constData() + (all.size() - fresh);
        qsizetype n = static_cast<qsizetype>(fresh);
        const qsizetype skip = static_cast<qsizetype>(std::min<qint64>(m_skip, n));
        m_skip -= skip;
        consume(p + skip, n - skip);
    }
    void after() { m_leftover = m_socket->bytesAvailable(); }

    /** How the answer now being written ends (see beginAnswer). */
    AnswerEnd answer()
    {
        if (m_phase == Phase::Closing)
            return AnswerEnd::Drop;
        if (m_phase != Phase::Answering || m_close || m_limits.keepaliveTimeoutMs <= 0 ||
            m_requests >= m_limits.keepaliveRequests) {
            m_phase = Phase::Closing;
            return AnswerEnd::Close;
        }
        m_phase = Phase::Idle;
        m_idle.start(m_limits.keepaliveTimeoutMs);
        return AnswerEnd::KeepOpen;
    }

private:
    void refuse(int status, const QByteArray &reason, const QByteArray &extra = {})
    {
        m_phase = Phase::Closing;
        m_refuse(status, reason, extra);
    }

    void consume(const char *p, qsizetype n)
    {
        // A body of length 0 ends with its head: the Body phase runs even without bytes.
        while (n > 0 || m_phase == Phase::Body) {
            switch (m_phase) {
            case Phase::Closing:
                return;
            case Phase::Answering:
                // No pipelining: the next request may only start once this answer is written.
                if (!onlyLineBreaks(p, n))
                    return refuse(400, "pipelined requests are not supported: send the next "
                                       "request after the answer");
                m_close = true; // stray line breaks: answer, then close
                return;
            case Phase::Idle:
                // A new request: its own deadline, counted from its first byte.
                m_idle.stop();
                if (m_deadline)
                    m_deadline->start(m_limits.requestDeadlineMs);
                m_phase = Phase::Head;
                m_head.clear();
                m_scanned = 0;
                [[fallthrough]];
            case Phase::Head: {
                const qsizetype room =
                    std::max<qsizetype>(0, m_limits.headerBytes + 5 - m_head.size());
                const qsizetype take = std::min(n, room);
                m_head.append(p, take);
                p += take;
                n -= take;
                const RequestHead head =
                    readRequestHead(m_head.left(m_limits.headerBytes + 4),
                                    m_head.size() + (n > 0 ? 1 : 0), &m_scanned, m_limits);
                if (head.result == RequestHead::Result::Refused)
                    return refuse(head.status, head.reason, head.extraHeaders);
                if (head.result == RequestHead::Result::More)
                    return;
                if (!startRequest(head))
                    return;
                // What came after the head belongs to the body (or lies past it).
                const QByteArray rest = m_head.mid(head.headBytes);
                m_head.clear();
                if (!feedBody(rest.constData(), rest.size()))
                    return;
                break;
            }
            case Phase::Body: {
                const qsizetype used = feedBody(p, n);
                if (used < 0 || m_phase == Phase::Body)
                    return;
                p += used;
                n -= used;
                break;
            }
            }
        }
    }

    /** A later request's head was accepted: the checks that follow the head on the first. */
    bool startRequest(const RequestHead &head)
    {
        if (head.isWebSocketUpgrade()) {
            refuse(400, "a WebSocket upgrade must be the first request on a connection");
            return false;
        }
        const qint64 cap = m_limits.bodyCap(head.method, head.path);
        if (head.contentLength > cap) {
            refuse(413, "request body too large");
            return false;
        }
        m_body = head.transferEncodings
                     ? BodyFollower::chunked(cap)
                     : BodyFollower::length(std::max<qint64>(0, head.contentLength));
        m_close = head.wantsClose();
        ++m_requests;
        m_phase = Phase::Body;
        return true;
    }

    /** Follows the body; returns the bytes it took, or -1 once refused. */
    qsizetype feedBody(const char *p, qsizetype n)
    {
        qsizetype used = 0;
        switch (m_body.feed(p, n, &used)) {
        case BodyFollower::State::Refused:
            refuse(m_body.refusal().first, m_body.refusal().second);
            return -1;
        case BodyFollower::State::More:
            return used;
        case BodyFollower::State::Done:
            break;
        }
        m_phase = Phase::Answering;
        // The request is complete: the deadline no longer applies.
        if (m_deadline)
            m_deadline->stop();
        if (used < n && !onlyLineBreaks(p + used, n - used)) {
            refuse(400, "pipelined requests are not supported: send the next request after "
                        "the answer");
            return -1;
        }
        if (used < n)
            m_close = true;
        return n;
    }

    QTcpSocket *m_socket;
    const FrontLimits &m_limits;
    QPointer<QTimer> m_deadline;
    QTimer m_idle;
    qint64 m_skip;         // bytes of the first head still to skip (inspect checked them)
    qint64 m_leftover = 0; // bytes QtHttpServer left unread at the last emission
    Phase m_phase = Phase::Body;
    BodyFollower m_body;
    QByteArray m_head; // a later request's head as it arrives
    qsizetype m_scanned = 0;
    int m_requests = 1;
    std::function<void(int, const QByteArray &, const QByteArray &)> m_refuse;
    bool m_close; // the answer to the request under way closes the connection
};

AnswerEnd beginAnswer(QTcpSocket *socket)
{
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return AnswerEnd::Drop;
    auto *guard =
        socket->findChild<QObject *>(QLatin1String(GuardName), Qt::FindDirectChildrenOnly);
    return guard ? static_cast<ConnectionGuard *>(guard)->answer() : AnswerEnd::Close;
}

void writeAnswer(QTcpSocket *socket, const QByteArray &head, const QByteArray &body)
{
    const AnswerEnd end = beginAnswer(socket);
    if (end == AnswerEnd::Drop)
        return;
    socket->write(head +
                  (end == AnswerEnd::KeepOpen ? "Connection: keep-alive\r\n\r\n"
                                              : "Connection: close\r\n\r\n") +
                  body);
    if (end == AnswerEnd::Close)
        socket->disconnectFromHost();
}

qint64 FrontLimits::bodyCap(const QByteArray &method, const QByteArray &path) const
{
    if (method == "POST" && path == "/api/v1/notifications")
        return publishBodyBytes;
    return std::min(otherBodyBytes, publishBodyBytes);
}

FrontServer::FrontServer(QList<QWebSocketServer *> ws, FrontLimits limits, QObject *parent)
    : QTcpServer(parent)
    , m_ws(ws)
    , m_limits(std::move(limits))
{
    setMaxPendingConnections(100000);
}

QString FrontServer::peerKey(const QHostAddress &address, quint16 port)
{
    return address.toString() + QLatin1Char('|') + QString::number(port);
}

QTcpSocket *FrontServer::takeUpgradedSocket(const QString &key)
{
    QPointer<QTcpSocket> s = m_upgrading.take(key);
    if (s)
        if (auto *t = s->findChild<QTimer *>(QLatin1String(DeadlineName)))
            delete t; // the request is done: no timer (and its connection) per idle connection
    return s.data();
}

void FrontServer::incomingConnection(qintptr descriptor)
{
    QTcpSocket *socket = m_useTls ? new QSslSocket(this) : new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    const QString ip = socket->peerAddress().toString();
    ++m_total;
    int &perIp = m_perIp[ip];
    ++perIp;
    const bool over = m_total > m_limits.maxConnections || perIp > m_limits.maxConnectionsPerIp;
    connect(socket, &QObject::destroyed, this, [this, ip] { release(ip); });
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    // One deadline for the whole request (head and body), or for the WebSocket handshake until
    // the upgraded socket is taken: a peer that sends slowly, or not at all, is cut off.
    auto *deadline = new QTimer(socket);
    deadline->setObjectName(QLatin1String(DeadlineName));
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, socket, [socket] {
        qCInfo(lcFront).noquote() << "request deadline passed for"
                                  << socket->peerAddress().toString();
        const bool unheard = socket->signalsBlocked(); // a handover that never completed
        socket->abort();
        if (unheard)
            socket->deleteLater();
    });
    deadline->start(m_limits.requestDeadlineMs);
    if (over) {
        emit rejected(503);
        const QByteArray body =
            "{\"error\":{\"code\":\"unavailable\",\"message\":\"too many connections\"}}";
        socket->write("HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
                      "application/json\r\nConnection: close\r\n"
                      "Retry-After: 5\r\nContent-Length: " +
                      QByteArray::number(body.size()) + "\r\n\r\n" + body);
        socket->disconnectFromHost();
        return;
    }
    auto *scan = new HeadScan(socket);
    scan->setObjectName(QStringLiteral("herald-head"));
    connect(socket, &QIODevice::readyRead, this, [this, socket] { inspect(socket); });
    if (auto *ssl = qobject_cast<QSslSocket *>(socket)) {
        ssl->setSslConfiguration(m_tls);
        connect(ssl, &QSslSocket::sslErrors, ssl, [ssl] { ssl->abort(); });
        ssl->startServerEncryption();
    }
}

void FrontServer::release(const QString &ip)
{
    --m_total;
    auto it = m_perIp.find(ip);
    if (it != m_perIp.end() && --*it <= 0)
        m_perIp.erase(it);
}

void FrontServer::refuse(QTcpSocket *socket, int status, const QByteArray &reason,
                         const QByteArray &extraHeaders)
{
    emit rejected(status);
    // Nobody else reads this request any more, neither QtHttpServer nor the WebSocket server.
    QObject::disconnect(socket, &QIODevice::readyRead, nullptr, nullptr);
    if (socket->isTransactionStarted())
        socket->rollbackTransaction();
    socket->readAll();
    const QByteArray body = "{\"error\":{\"code\":\"" +
                            QByteArray(status == 503 ? "unavailable" : "bad_request") +
                            "\",\"message\":\"" + reason + "\"}}";
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + statusText(status) +
                  "\r\nContent-Type: application/json\r\nConnection: close\r\n" + extraHeaders +
                  "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    // Closing with unread input makes the kernel send a reset, which can destroy the answer
    // before the client reads it: drop what still comes for a moment, then close. The request
    // deadline still bounds a client that never reads the answer.
    connect(socket, &QIODevice::readyRead, socket, [socket] { socket->readAll(); });
    QTimer::singleShot(LingerMs, socket, [socket] { socket->disconnectFromHost(); });
}

void FrontServer::inspect(QTcpSocket *socket)
{
    const qint64 available = socket->bytesAvailable();
    const QByteArray bytes = socket->peek(std::min<qint64>(available, m_limits.headerBytes + 4));
    auto *scan =
        socket->findChild<HeadScan *>(QStringLiteral("herald-head"), Qt::FindDirectChildrenOnly);
    qsizetype scanned = scan ? scan->scanned : 0;
    const RequestHead head = readRequestHead(bytes, available, &scanned, m_limits);
    if (head.result == RequestHead::Result::Refused)
        return refuse(socket, head.status, head.reason, head.extraHeaders);
    if (head.result == RequestHead::Result::More) {
        if (scan)
            scan->scanned = scanned;
        return; // wait for more, within the deadline
    }
    delete scan;

    if (head.isWebSocketUpgrade())
        return upgrade(socket, head.path, head.headers, head.method, head.version, head.hasBody(),
                       head.headBytes);

    const qint64 cap = m_limits.bodyCap(head.method, head.path);
    if (head.contentLength > cap)
        return refuse(socket, 413, "request body too large");

    // Plain HTTP: QtHttpServer (bound to this server) takes it from here, with a guard in front
    // of its reader that follows the body, holds it to the cap and refuses bad chunk framing,
    // and then checks each later request on the connection (keep-alive) the same way.
    disconnect(socket, &QIODevice::readyRead, this, nullptr);
    QPointer<FrontServer> self(this);
    auto *guard = new ConnectionGuard(
        socket, m_limits,
        socket->findChild<QTimer *>(QLatin1String(DeadlineName), Qt::FindDirectChildrenOnly), head,
        head.transferEncodings ? BodyFollower::chunked(cap)
                               : BodyFollower::length(std::max<qint64>(0, head.contentLength)),
        [self, socket](int status, const QByteArray &reason, const QByteArray &extra) {
            if (self)
                self->refuse(socket, status, reason, extra);
        });
    connect(socket, &QIODevice::readyRead, guard, [guard] { guard->before(); });
    addPendingConnection(socket); // QtHttpServer connects its reader here
    connect(socket, &QIODevice::readyRead, guard, [guard] { guard->after(); });
    QMetaObject::invokeMethod(socket, &QAbstractSocket::readyRead, Qt::QueuedConnection);
}

void FrontServer::upgrade(QTcpSocket *socket, const QByteArray &path,
                          const QHash<QByteArray, QByteArray> &headers, const QByteArray &method,
                          const QByteArray &version, bool hasBody, qsizetype headBytes)
{
    if (path != "/ws")
        return refuse(socket, 404, "WebSocket endpoint is /ws");
    if (method != "GET" || version != "HTTP/1.1")
        return refuse(socket, 400, "a WebSocket handshake is GET with HTTP/1.1");
    if (hasBody)
        return refuse(socket, 400, "a WebSocket handshake has no body");
    // As QtWebSockets reads it (the first Connection field, split at commas), so that a
    // handshake the front lets through is not dropped there without an answer.
    bool connectionUpgrade = false;
    for (const QByteArray &token : headers.value("connection").split(','))
        connectionUpgrade = connectionUpgrade || token.trimmed().toLower() == "upgrade";
    if (!connectionUpgrade || headers.value("connection").contains(", \n"))
        return refuse(socket, 400, "a WebSocket handshake needs one Connection: Upgrade");
    if (headers.value("host").isEmpty())
        return refuse(socket, 400, "a WebSocket handshake needs Host");
    if (headers.value("sec-websocket-version") != "13")
        return refuse(socket, 426, "WebSocket version 13 is required",
                      "Sec-WebSocket-Version: 13\r\n");
    const QByteArray key = headers.value("sec-websocket-key");
    if (key.size() != 24 ||
        QByteArray::fromBase64(key, QByteArray::AbortOnBase64DecodingErrors).size() != 16)
        return refuse(socket, 400, "missing or malformed Sec-WebSocket-Key");
    const QByteArray origin = headers.value("origin");
    if (!m_limits.origins.isEmpty() && headers.contains("origin") &&
        !m_limits.origins.contains(QString::fromUtf8(origin)))
        return refuse(socket, 403, "origin not allowed");
    disconnect(socket, &QIODevice::readyRead, this, nullptr);
    if (!m_useTls && m_onUpgrade)
        return handOver(socket, headers, headBytes);
    m_upgrading.insert(peerKey(socket->peerAddress(), socket->peerPort()), socket);
    disconnect(socket, &QAbstractSocket::disconnected, socket, nullptr);
    m_ws[m_nextWs++ % m_ws.size()]->handleConnection(
        socket); // posts its handshake reader for the buffered head
    // QWebSocket reads every frame already buffered the moment it is created, before its peer
    // (WsPeer::start) has set the frame limits or connected a handler: such frames would be read
    // unbounded and then lost. So the socket's signals stay blocked, and its buffer bounded,
    // until WsPeer::start releases them; the deadline still ends a handshake that never finishes.
    socket->setReadBufferSize(socket->bytesAvailable() + 64 * 1024);
    socket->blockSignals(true);
}

} // namespace herald

namespace herald {

void FrontServer::handOver(QTcpSocket *socket, const QHash<QByteArray, QByteArray> &headers,
                           qsizetype headBytes)
{
    // RFC 6455 4.2.2. The head was checked above as strictly as QWebSocketServer checks it.
    const QByteArray accept =
        QCryptographicHash::hash(
            QByteArray(headers.value("sec-websocket-key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
            QCryptographicHash::Sha1)
            .toBase64();
    QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                          accept + "\r\n";
    for (const QByteArray &p : headers.value("sec-websocket-protocol").split(','))
        if (p.trimmed() == proto::Subprotocol) {
            response += "Sec-WebSocket-Protocol: " + QByteArray(proto::Subprotocol) + "\r\n";
            break;
        }
    response += "\r\n";

    Upgraded up;
    const QString ip = socket->peerAddress().toString();
    up.address = ip + QLatin1Char(':') + QString::number(socket->peerPort());
    const QByteArray auth = headers.value("authorization");
    if (auth.size() > 7 && auth.left(7).toLower() == "bearer ")
        up.bearer = auth.mid(7).trimmed();
    socket->skip(headBytes);
    up.early = socket->readAll(); // what the kernel still holds is read from the descriptor
    // The connection leaves Qt: a duplicate descriptor keeps it open when the QTcpSocket (and
    // its 16 KiB buffers) is deleted, and the slot stays counted until the peer releases it.
    up.fd = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    disconnect(socket, &QObject::destroyed, this, nullptr);
    socket->abort(); // closes Qt's descriptor only: no FIN, no reset
    socket->deleteLater();
    // A fresh connection's send buffer takes the 101 whole; anything less is given up.
    if (up.fd < 0 || ::send(up.fd, response.constData(), size_t(response.size()), MSG_NOSIGNAL) !=
                         response.size()) {
        qCWarning(lcFront).noquote() << "could not hand over WebSocket connection from" << ip;
        if (up.fd >= 0)
            ::close(up.fd);
        return release(ip);
    }
    up.released = [self = QPointer<FrontServer>(this), ip] {
        if (FrontServer *front = self.data()) // the front outlives the network threads
            QMetaObject::invokeMethod(
                front, [front, ip] { front->release(ip); }, Qt::QueuedConnection);
    };
    m_onUpgrade(std::move(up));
}

} // namespace herald
