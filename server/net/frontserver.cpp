#include "frontserver.h"

#include "connectionguard.h"
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

AnswerEnd beginAnswer(QTcpSocket *socket, bool last)
{
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return AnswerEnd::Drop;
    auto *guard =
        socket->findChild<QObject *>(QLatin1String(GuardName), Qt::FindDirectChildrenOnly);
    return guard ? static_cast<ConnectionGuard *>(guard)->answer(last) : AnswerEnd::Close;
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
        if (auto *t = s->findChild<RequestDeadline *>(QLatin1String(FrontServer::DeadlineTimerName),
                                                      Qt::FindDirectChildrenOnly))
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
    auto *deadline = new RequestDeadline(m_deadlines, m_limits.requestDeadlineMs, socket);
    deadline->setObjectName(QLatin1String(FrontServer::DeadlineTimerName));
    connect(deadline, &RequestDeadline::expired, socket, [socket] {
        qCInfo(lcFront).noquote() << "request deadline passed for"
                                  << socket->peerAddress().toString();
        const bool unheard = socket->signalsBlocked(); // a handover that never completed
        socket->abort();
        if (unheard)
            socket->deleteLater();
    });
    deadline->start();
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
    QTimer::singleShot(FrontServer::RefusalLingerMs, socket,
                       [socket] { socket->disconnectFromHost(); });
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

    // A body its handler streams itself (a file upload): neither the body cap of other
    // requests nor QtHttpServer, which would buffer it whole.
    if (m_bodyTaker.wants && m_bodyTaker.wants(head)) {
        disconnect(socket, &QIODevice::readyRead, this, nullptr);
        socket->skip(head.headBytes);
        return m_bodyTaker.take(socket, head);
    }

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
        socket->findChild<RequestDeadline *>(QLatin1String(FrontServer::DeadlineTimerName),
                                             Qt::FindDirectChildrenOnly),
        head,
        head.transferEncodings ? BodyFollower::chunked(cap)
                               : BodyFollower::length(std::max<qint64>(0, head.contentLength)),
        [self, socket](int status, const QByteArray &reason, const QByteArray &extra) {
            if (self)
                self->refuse(socket, status, reason, extra);
        },
        m_bodyTaker);
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
