#include "connection.h"

#include <QSslSocket>

#include <QDateTime>
#include <QLoggingCategory>
#include <QNetworkInformation>
#include <QNetworkRequest>
#include <QWebSocketHandshakeOptions>

using namespace Qt::StringLiterals;
namespace proto = herald::proto;

Q_LOGGING_CATEGORY(lcConnection, "herald.connection")

namespace {
constexpr int HelloTimeoutMs = 15000;
constexpr int ClockTickMs = 5000;
constexpr int SleepGapMs = 20000; // a tick that late means the machine was suspended
constexpr int WakeProbeMs = 5000;
constexpr qint64 MaxFrameBytes = 16 * 1024 * 1024;

QString closeText(int code, const QString &reason)
{
    switch (code) {
    case proto::Close::AuthFailed:
        return Connection::tr("The server did not accept the sign-in.");
    case proto::Close::TokenRevoked:
        return Connection::tr("This session was revoked.");
    case proto::Close::SessionExpired:
        return Connection::tr("This session expired.");
    case proto::Close::UserDisabled:
        return Connection::tr("This account is disabled.");
    case proto::Close::TooManyConnections:
        return Connection::tr("Too many connections for this account.");
    case proto::Close::SlowConsumer:
        return Connection::tr("The connection fell behind.");
    case proto::Close::IdleTimeout:
        return Connection::tr("The connection was idle too long.");
    case proto::Close::GoingAway:
        return Connection::tr("The server is restarting.");
    default:
        return reason.isEmpty() ? Connection::tr("Connection lost.") : reason;
    }
}
} // namespace

Connection::Connection(QObject *parent)
    : QObject(parent)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &Connection::retryNow);
    m_helloTimer.setSingleShot(true);
    connect(&m_helloTimer, &QTimer::timeout, this, [this] {
        m_lastError = tr("The server did not answer the sign-in.");
        if (m_socket)
            m_socket->abort();
    });
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &Connection::heartbeat);
    connect(&m_clockTimer, &QTimer::timeout, this, &Connection::checkClock);
    m_clockTimer.start(ClockTickMs);
    watchNetwork();
}

Connection::~Connection()
{
    m_wanted = false;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

QUrl Connection::webSocketUrl(const QString &server)
{
    QUrl url = httpUrl(server);
    if (!url.isValid() || url.isEmpty())
        return {};
    url.setScheme(url.scheme() == u"https"_s ? u"wss"_s : u"ws"_s);
    url.setPath(u"/ws"_s);
    return url;
}

QUrl Connection::httpUrl(const QString &server)
{
    QString text = server.trimmed();
    if (text.isEmpty())
        return {};
    if (!text.contains(u"://"_s))
        text.prepend(u"http://"_s);
    QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return {};
    if (url.scheme() == u"ws"_s)
        url.setScheme(u"http"_s);
    else if (url.scheme() == u"wss"_s)
        url.setScheme(u"https"_s);
    if (url.scheme() != u"http"_s && url.scheme() != u"https"_s)
        return {};
    url.setPath(QString());
    url.setQuery(QString());
    url.setFragment(QString());
    return url;
}

QNetworkRequest Connection::apiRequest(const QString &path, const QUrlQuery &query) const
{
    QUrl url = httpUrl(m_server);
    if (url.isEmpty())
        return QNetworkRequest();
    url.setPath(path);
    if (!query.isEmpty())
        url.setQuery(query);
    QNetworkRequest request(url);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setSslConfiguration(tlsConfiguration(m_caFile));
    return request;
}

void Connection::setState(State state)
{
    if (state != Waiting)
        m_retryAt = 0;
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged();
}

void Connection::open()
{
    m_wanted = true;
    m_backoff.reset();
    retryNow();
}

void Connection::close()
{
    m_wanted = false;
    m_retryTimer.stop();
    m_heartbeatTimer.stop();
    m_helloTimer.stop();
    if (m_socket) {
        QWebSocket *socket = m_socket;
        socket->disconnect(this);
        socket->close(QWebSocketProtocol::CloseCodeNormal);
        socket->deleteLater();
        m_socket = nullptr;
    }
    failPending(u"disconnected"_s, tr("Signed out."));
    m_lastError.clear();
    setState(Disconnected);
}

void Connection::retryNow()
{
    if (!m_wanted || m_state == Connecting || m_state == Connected)
        return;
    m_retryTimer.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    const QUrl url = webSocketUrl(m_server);
    if (!url.isValid()) {
        m_lastError = tr("The server address is not valid.");
        m_wanted = false;
        setState(Disconnected);
        return;
    }
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    // Certificates are always verified; a company CA is trusted only when configured.
    socket->setSslConfiguration(tlsConfiguration(m_caFile));
    socket->setMaxAllowedIncomingMessageSize(MaxFrameBytes);
    socket->setMaxAllowedIncomingFrameSize(MaxFrameBytes);
    m_socket = socket;
    connect(socket, &QWebSocket::connected, this, &Connection::onConnected);
    connect(socket, &QWebSocket::disconnected, this, &Connection::onDisconnected);
    connect(socket, &QWebSocket::textMessageReceived, this, &Connection::onText);
    connect(
        socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this, socket] {
            // A refused connection reports its error after its disconnected() (the socket
            // is then no longer m_socket and a retry is planned): that is the real reason
            // this attempt failed, not the close reason of the connection before it.
            const bool failedAttempt = !m_socket && m_state == Waiting;
            if (socket != m_socket && !failedAttempt)
                return;
            m_lastError = socket->errorString();
            if (failedAttempt) {
                qCInfo(lcConnection).noquote()
                    << u"Could not connect: %1. Next try in %2 s."_s.arg(m_lastError)
                           .arg(std::max<qint64>(
                               0, (m_retryAt - QDateTime::currentMSecsSinceEpoch() + 999) / 1000));
                Q_EMIT stateChanged(); // lastError changed
            }
        });

    QNetworkRequest request(url);
    // The token travels only in this header; it is never logged.
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({QString::fromLatin1(proto::Subprotocol)});
    setState(Connecting);
    m_helloTimer.start(HelloTimeoutMs);
    qCInfo(lcConnection).noquote() << u"Connecting to %1"_s.arg(url.toDisplayString());
    socket->open(request, options);
}

QSslConfiguration Connection::tlsConfiguration(const QString &caFile)
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!caFile.isEmpty()) {
        const QList<QSslCertificate> company = QSslCertificate::fromPath(caFile, QSsl::Pem);
        if (company.isEmpty())
            qCWarning(lcConnection) << "no PEM certificate in the CA file" << caFile;
        tls.addCaCertificates(company);
    }
    return tls;
}

void Connection::onConnected()
{
    m_sinceReceive.start();
}

void Connection::onDisconnected()
{
    auto *socket = qobject_cast<QWebSocket *>(sender());
    if (!socket || socket != m_socket)
        return;
    m_socket = nullptr;
    socket->deleteLater();
    const int code = socket->closeCode();
    const bool wasConnected = m_state == Connected;
    m_lastCloseCode = code;
    m_heartbeatTimer.stop();
    m_helloTimer.stop();
    if (wasConnected || code >= 4000 || code == proto::Close::GoingAway)
        m_lastError = closeText(code, socket->closeReason());
    else if (socket->error() != QAbstractSocket::UnknownSocketError)
        m_lastError = socket->errorString();
    if (wasConnected || code >= 4000)
        qCInfo(lcConnection).noquote()
            << u"Disconnected (close code %1): %2"_s.arg(code).arg(m_lastError);
    failPending(u"disconnected"_s, tr("The connection was lost."));
    if (wasConnected && m_sinceHello.isValid() && m_sinceHello.elapsed() >= m_stableAfterMs)
        m_backoff.reset();
    if (!m_wanted) {
        setState(Disconnected);
        return;
    }
    if (code == proto::Close::AuthFailed || code == proto::Close::TokenRevoked ||
        code == proto::Close::UserDisabled || code == proto::Close::SessionExpired) {
        m_wanted = false;
        setState(Disconnected);
        Q_EMIT authRejected(code, m_lastError);
        return;
    }
    scheduleReconnect();
}

void Connection::scheduleReconnect()
{
    const auto delay = m_backoff.next();
    m_retryAt = QDateTime::currentMSecsSinceEpoch() + delay.count();
    m_retryTimer.start(delay);
    // setState() clears retryAt for other states only; emit even when already Waiting.
    if (m_state == Waiting)
        Q_EMIT stateChanged();
    setState(Waiting);
    Q_EMIT reconnectScheduled(int(delay.count()));
}

void Connection::onText(const QString &text)
{
    m_sinceReceive.start();
    proto::Limits limits;
    limits.maxFrameBytes = MaxFrameBytes;
    limits.maxDepth = 16;
    const proto::DecodeResult decoded =
        proto::decode(text.toUtf8(), proto::Direction::ServerToClient, limits);
    if (!decoded.ok()) {
        qCWarning(lcConnection) << "ignoring a frame the server sent:" << decoded.error.code
                                << decoded.error.message;
        return;
    }
    const proto::Frame &frame = *decoded.frame;
    if (frame.type == proto::Type::Result || frame.type == proto::Type::Error ||
        frame.type == proto::Type::Pong) {
        const QJsonValue idValue = frame.id();
        const QString id =
            idValue.isString() ? idValue.toString() : QString::number(qint64(idValue.toDouble()));
        const Callback callback = m_pending.take(id);
        if (frame.type == proto::Type::Error && (idValue.isUndefined() || idValue.isNull()))
            qCWarning(lcConnection)
                << "server error:" << frame.str("code"_L1) << frame.str("message"_L1);
        if (callback) {
            Reply reply;
            reply.ok = frame.type != proto::Type::Error;
            reply.data = frame.body.value("data"_L1).toObject();
            reply.code = frame.str("code"_L1);
            reply.message = frame.str("message"_L1);
            reply.body = frame.body;
            callback(reply);
        }
        return;
    }
    if (frame.type == proto::Type::Hello) {
        m_helloTimer.stop();
        m_heartbeatSeconds = std::max(5, int(frame.integer("heartbeat"_L1, 30)));
        m_heartbeatTimer.start(m_heartbeatSeconds * 1000);
        m_sinceHello.start();
        m_lastError.clear();
        setState(Connected);
    }
    Q_EMIT frameReceived(frame);
}

QString Connection::request(const QString &type, QJsonObject body, Callback callback)
{
    if (m_state != Connected || !m_socket) {
        if (callback)
            QTimer::singleShot(0, this, [callback] {
                callback({false, {}, u"disconnected"_s, tr("Not connected."), {}});
            });
        return {};
    }
    const QString id = QString::number(m_nextId++);
    body.insert("id"_L1, id);
    if (callback)
        m_pending.insert(id, std::move(callback));
    m_socket->sendTextMessage(QString::fromUtf8(proto::encode(type, body)));
    return id;
}

void Connection::send(const QString &type, const QJsonObject &body)
{
    if (m_state == Connected && m_socket)
        m_socket->sendTextMessage(QString::fromUtf8(proto::encode(type, body)));
}

void Connection::failPending(const QString &code, const QString &message)
{
    const auto pending = std::exchange(m_pending, {});
    for (const Callback &callback : pending)
        callback({false, {}, code, message, {}});
}

void Connection::heartbeat()
{
    if (m_state != Connected || !m_socket)
        return;
    // Twice the server's heartbeat without a single frame (pongs included): the link is dead
    // even if TCP has not noticed yet.
    if (m_sinceReceive.elapsed() > 2LL * m_heartbeatSeconds * 1000 + 5000) {
        m_lastError = tr("The server stopped answering.");
        m_socket->abort();
        return;
    }
    request(proto::Type::Ping);
}

void Connection::checkClock()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 gap = now - m_lastClockTick;
    const bool woke = m_lastClockTick != 0 && gap > SleepGapMs;
    m_lastClockTick = now;
    if (!woke)
        return;
    qCDebug(lcConnection) << "clock jumped by" << gap << "ms: the machine probably slept";
    if (m_state == Waiting) {
        retryNow();
    } else if (m_state == Connected && m_socket) {
        // After a suspend the TCP link is often silently dead: probe it and give up quickly.
        request(proto::Type::Ping);
        QTimer::singleShot(WakeProbeMs, this, [this, socket = m_socket] {
            if (socket && socket == m_socket && m_sinceReceive.elapsed() >= WakeProbeMs)
                m_socket->abort();
        });
    }
}

void Connection::watchNetwork()
{
    if (!QNetworkInformation::instance() &&
        !QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability))
        return;
    auto *info = QNetworkInformation::instance();
    if (!info)
        return;
    connect(info, &QNetworkInformation::reachabilityChanged, this,
            [this](QNetworkInformation::Reachability reachability) {
                if (reachability == QNetworkInformation::Reachability::Online &&
                    m_state == Waiting) {
                    qCDebug(lcConnection) << "network is back: reconnecting now";
                    retryNow();
                }
            });
}
