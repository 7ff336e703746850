#include "frontserver.h"

#include "bodyfollower.h"

#include <herald/protocol.h>

#include <QCryptographicHash>
#include <QLoggingCategory>
#include <QSslSocket>
#include <QTimer>
#include <QWebSocketServer>

#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcFront, "herald.front")

namespace herald {

namespace {
const char DeadlineName[] = "herald-deadline";
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

// RFC 9110 token characters (header field names, methods).
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

/** Where the head scan got to, so that a head sent a byte at a time is not rescanned each time. */
struct HeadScan : QObject
{
    using QObject::QObject;
    qsizetype scanned = 0;
};

/**
 * Sits on an HTTP socket after its head was accepted. Its first slot runs before QtHttpServer's
 * reader on every readyRead and sees each byte once (what arrived since the last emission); its
 * second runs after it and notes what that reader left unread.
 */
class BodyGuard : public QObject
{
public:
    BodyGuard(QTcpSocket *socket, qint64 headBytes, BodyFollower body,
              std::function<void(int, const QByteArray &)> refuse)
        : QObject(socket)
        , m_socket(socket)
        , m_head(headBytes)
        , m_body(body)
        , m_refuse(std::move(refuse))
    {
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
        const qsizetype skip = static_cast<qsizetype>(std::min<qint64>(m_head, n));
        m_head -= skip;
        p += skip;
        n -= skip;
        if (n == 0)
            return;
        if (m_done) {
            // Every answer closes the connection: a second request is never read.
            if (!onlyLineBreaks(p, n)) {
                QObject::disconnect(m_socket, &QIODevice::readyRead, nullptr, nullptr);
                m_socket->abort();
            }
            return;
        }
        qsizetype used = 0;
        switch (m_body.feed(p, n, &used)) {
        case BodyFollower::State::Refused:
            return m_refuse(m_body.refusal().first, m_body.refusal().second);
        case BodyFollower::State::More:
            return;
        case BodyFollower::State::Done:
            break;
        }
        m_done = true;
        if (!onlyLineBreaks(p + used, n - used))
            return m_refuse(400,
                            "one request per connection: pipelined requests are not supported");
        // The request is complete: the deadline no longer applies.
        if (auto *t = m_socket->findChild<QTimer *>(QLatin1String(DeadlineName)))
            t->stop();
    }
    void after() { m_leftover = m_socket->bytesAvailable(); }

private:
    QTcpSocket *m_socket;
    qint64 m_head;         // head bytes still to skip (QtHttpServer reads the head too)
    qint64 m_leftover = 0; // bytes QtHttpServer left unread at the last emission
    bool m_done = false;
    BodyFollower m_body;
    std::function<void(int, const QByteArray &)> m_refuse;
};

} // namespace

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
    const QByteArray head = socket->peek(std::min<qint64>(available, m_limits.headerBytes + 4));
    const qsizetype lineEnd = head.indexOf("\r\n");
    if (lineEnd < 0 ? head.size() > m_limits.requestLineBytes : lineEnd > m_limits.requestLineBytes)
        return refuse(socket, 414, "request line too long");
    auto *scan =
        socket->findChild<HeadScan *>(QStringLiteral("herald-head"), Qt::FindDirectChildrenOnly);
    const qsizetype from = scan ? std::max<qsizetype>(0, scan->scanned - 3) : 0;
    const qsizetype end = head.indexOf("\r\n\r\n", from);
    // A line that ends with a bare LF or CR is refused as soon as it is seen: a head written
    // with bare line endings never has the CRLF CRLF that ends it, and would otherwise be held
    // until the request deadline. (The body, after the head, may hold any bytes.)
    const qsizetype headEnd = end < 0 ? head.size() : end;
    for (qsizetype i = scan ? std::max<qsizetype>(0, scan->scanned - 1) : 0; i < headEnd; ++i) {
        const char c = head.at(i);
        if ((c == '\n' && (i == 0 || head.at(i - 1) != '\r')) ||
            (c == '\r' && i + 1 < head.size() && head.at(i + 1) != '\n'))
            return refuse(socket, 400, "malformed request head (bare CR or LF line ending)");
    }
    if (end < 0) {
        if (available > m_limits.headerBytes)
            return refuse(socket, 431, "request header too large");
        if (scan)
            scan->scanned = head.size();
        return; // wait for more, within the deadline
    }
    delete scan;
    const qsizetype headBytes = end + 4;
    // Every line ends with CRLF, and nothing but visible text and tabs is in between:
    // QtHttpServer also accepts a bare LF, so a head the two could read differently is refused.
    for (qsizetype i = 0; i < end; ++i) {
        const auto c = static_cast<unsigned char>(head.at(i));
        if (c == '\r'   ? head.at(i + 1) != '\n'
            : c == '\n' ? (i == 0 || head.at(i - 1) != '\r')
                        : (c < 0x20 && c != '\t') || c == 0x7f)
            return refuse(socket, 400, "malformed request head (control character or bare CR/LF)");
    }
    const QList<QByteArray> lines = head.left(end).split('\n');
    const QList<QByteArray> requestLine =
        lines.first().chopped(lines.size() > 1 ? 1 : 0).split(' ');
    if (requestLine.size() != 3 || (requestLine[2] != "HTTP/1.1" && requestLine[2] != "HTTP/1.0") ||
        requestLine[1].isEmpty())
        return refuse(socket, 400, "malformed request line");
    const QByteArray &method = requestLine[0];
    static const QList<QByteArray> methods{"GET",  "POST",    "PUT",  "DELETE",
                                           "HEAD", "OPTIONS", "PATCH"};
    if (!methods.contains(method))
        return refuse(socket, 400, "unsupported method");
    const QByteArray &target = requestLine[1];
    if (!target.startsWith('/') && !(method == "OPTIONS" && target == "*") &&
        !target.startsWith("http://") && !target.startsWith("https://"))
        return refuse(socket, 400, "malformed request target");
    if (lines.size() - 1 > m_limits.headerCount)
        return refuse(socket, 431, "too many header fields");
    // Fields that QtHttpServer and QtWebSockets might read from a different copy than the front.
    static const QList<QByteArray> singletons{
        "host", "origin", "upgrade", "authorization", "sec-websocket-key", "sec-websocket-version"};
    QHash<QByteArray, QByteArray> headers;
    qint64 contentLength = -1;
    int transferEncodings = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = i + 1 < lines.size() ? lines[i].chopped(1) : lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return refuse(socket, 400, "malformed header field");
        for (qsizetype k = 0; k < colon; ++k)
            if (!isTokenChar(line.at(k))) // also refuses obs-fold and "Name : value"
                return refuse(socket, 400, "malformed header field name");
        const QByteArray name = line.left(colon).toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool digits = !value.isEmpty() && value.size() <= 18;
            for (const char c : value)
                digits = digits && c >= '0' && c <= '9';
            const qint64 n = digits ? value.toLongLong() : -1;
            if (!digits || (contentLength >= 0 && contentLength != n))
                return refuse(socket, 400, "bad Content-Length");
            contentLength = n;
        } else if (name == "transfer-encoding") {
            ++transferEncodings;
        } else if (headers.contains(name) && singletons.contains(name)) {
            return refuse(socket, 400, "duplicate " + name + " header");
        }
        if (name == "connection" && headers.contains(name))
            headers[name] += ", \n" + value; // a list field: repeated lines add up (marked)
        else
            headers.insert(name, value);
    }
    const QByteArray transferEncoding = headers.value("transfer-encoding").toLower();
    if (contentLength >= 0 && transferEncodings > 0)
        return refuse(socket, 400, "Content-Length together with Transfer-Encoding");
    if (transferEncodings > 1 || (transferEncodings == 1 && transferEncoding != "chunked"))
        return refuse(socket, 400, "unsupported Transfer-Encoding");
    const qsizetype query = target.indexOf('?');
    const QByteArray path = query < 0 ? target : target.left(query);
    const bool hasBody = contentLength > 0 || transferEncodings > 0;

    if (headers.value("upgrade").toLower() == "websocket")
        return upgrade(socket, path, headers, method, requestLine[2], hasBody, headBytes);

    const qint64 cap = m_limits.bodyCap(method, path);
    if (contentLength > cap)
        return refuse(socket, 413, "request body too large");

    // Plain HTTP: QtHttpServer (bound to this server) takes it from here, with a guard in front
    // of its reader that follows the body, holds it to the cap and refuses bad chunk framing.
    disconnect(socket, &QIODevice::readyRead, this, nullptr);
    QPointer<FrontServer> self(this);
    auto *guard =
        new BodyGuard(socket, headBytes,
                      transferEncodings ? BodyFollower::chunked(cap)
                                        : BodyFollower::length(std::max<qint64>(0, contentLength)),
                      [self, socket](int status, const QByteArray &reason) {
                          if (self)
                              self->refuse(socket, status, reason);
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
