#include "frontserver.h"

#include <QLoggingCategory>
#include <QSslSocket>
#include <QTimer>
#include <QWebSocketServer>

Q_LOGGING_CATEGORY(lcFront, "herald.front")

namespace herald {

namespace {
const char DeadlineName[] = "herald-deadline";

QByteArray statusText(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}
} // namespace

FrontServer::FrontServer(QWebSocketServer *ws, FrontLimits limits, QObject *parent)
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
            t->stop();
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
    socket->setProperty("herald-ip", ip);
    connect(socket, &QObject::destroyed, this, [this, ip] {
        --m_total;
        auto it = m_perIp.find(ip);
        if (it != m_perIp.end() && --*it <= 0)
            m_perIp.erase(it);
    });
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    if (m_total > m_limits.maxConnections || perIp > m_limits.maxConnectionsPerIp) {
        refuse(socket, 503, "too many connections");
        return;
    }
    auto *deadline = new QTimer(socket);
    deadline->setObjectName(QLatin1String(DeadlineName));
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, socket, [socket] {
        qCInfo(lcFront).noquote() << "request deadline passed for" << socket->peerAddress().toString();
        socket->abort();
    });
    deadline->start(m_limits.requestDeadlineMs);
    connect(socket, &QIODevice::readyRead, this, [this, socket] { inspect(socket); });
    if (auto *ssl = qobject_cast<QSslSocket *>(socket)) {
        ssl->setSslConfiguration(m_tls);
        connect(ssl, &QSslSocket::sslErrors, ssl, [ssl] { ssl->abort(); });
        ssl->startServerEncryption();
    }
}

void FrontServer::refuse(QTcpSocket *socket, int status, const QByteArray &reason)
{
    emit rejected(status);
    disconnect(socket, &QIODevice::readyRead, this, nullptr);
    const QByteArray body = "{\"error\":{\"code\":\"" + QByteArray(status == 503 ? "unavailable" : "bad_request")
                            + "\",\"message\":\"" + reason + "\"}}";
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + statusText(status)
                  + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                  + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    socket->disconnectFromHost();
}

void FrontServer::inspect(QTcpSocket *socket)
{
    const qint64 available = socket->bytesAvailable();
    const QByteArray head = socket->peek(std::min<qint64>(available, m_limits.headerBytes + 4));
    const qsizetype lineEnd = head.indexOf("\r\n");
    if (lineEnd < 0 ? head.size() > m_limits.requestLineBytes : lineEnd > m_limits.requestLineBytes)
        return refuse(socket, 414, "request line too long");
    const qsizetype end = head.indexOf("\r\n\r\n");
    if (end < 0) {
        if (available > m_limits.headerBytes)
            refuse(socket, 431, "request header too large");
        return; // wait for more, within the deadline
    }
    const QList<QByteArray> lines = head.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1."))
        return refuse(socket, 400, "malformed request line");
    static const QList<QByteArray> methods{"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"};
    if (!methods.contains(requestLine[0]))
        return refuse(socket, 400, "unsupported method");
    if (lines.size() - 1 > m_limits.headerCount)
        return refuse(socket, 431, "too many header fields");
    QByteArray upgrade, origin, transferEncoding;
    qint64 contentLength = -1;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return refuse(socket, 400, "malformed header field");
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "upgrade")
            upgrade = value.toLower();
        else if (name == "origin")
            origin = value;
        else if (name == "transfer-encoding")
            transferEncoding = value.toLower();
        else if (name == "content-length") {
            bool ok = false;
            const qint64 n = value.toLongLong(&ok);
            if (!ok || n < 0 || (contentLength >= 0 && contentLength != n))
                return refuse(socket, 400, "bad Content-Length");
            contentLength = n;
        }
    }
    if (contentLength >= 0 && !transferEncoding.isEmpty())
        return refuse(socket, 400, "Content-Length together with Transfer-Encoding");
    if (!transferEncoding.isEmpty() && transferEncoding != "chunked")
        return refuse(socket, 400, "unsupported Transfer-Encoding");
    if (contentLength > m_limits.bodyBytes)
        return refuse(socket, 413, "request body too large");

    disconnect(socket, &QIODevice::readyRead, this, nullptr);
    const QByteArray path = requestLine[1];
    if (upgrade == "websocket") {
        if (path != "/ws" && !path.startsWith("/ws?"))
            return refuse(socket, 404, "WebSocket endpoint is /ws");
        if (!m_limits.origins.isEmpty() && !origin.isEmpty()
            && !m_limits.origins.contains(QString::fromUtf8(origin)))
            return refuse(socket, 403, "origin not allowed");
        m_upgrading.insert(peerKey(socket->peerAddress(), socket->peerPort()), socket);
        disconnect(socket, &QAbstractSocket::disconnected, socket, nullptr);
        m_ws->handleConnection(socket); // emits readyRead itself for the buffered handshake
        return;
    }
    // Plain HTTP: QtHttpServer (bound to this server) takes it from here. The body is watched
    // so that a chunked body cannot grow past the cap either.
    const qint64 cap = end + 4 + m_limits.bodyBytes;
    connect(socket, &QIODevice::readyRead, this, [this, socket, cap] {
        if (socket->bytesAvailable() > cap)
            refuse(socket, 413, "request body too large");
    });
    addPendingConnection(socket);
    QMetaObject::invokeMethod(socket, &QAbstractSocket::readyRead, Qt::QueuedConnection);
}

} // namespace herald
