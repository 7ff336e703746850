#include "httpapi.h"

#include "core/crypto.h"
#include "core/features/audittrail.h"
#include "core/hub.h"
#include "filehandler.h"
#include "frontserver.h"
#include "metrics.h"
#include "webclient.h"

#include <herald/protocol.h>

#include <QDateTime>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

namespace herald {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 507:
        return "Insufficient Storage";
    default:
        return "Status";
    }
}

namespace {

/** @brief Where a `not_found` points: at something a request body names (a recipient of a
 *  publish: 422), or at the resource of the path (a notification's id: 404). */
enum class Missing { InBody, Resource };

int statusFor(const QString &code, Missing missing)
{
    using namespace proto;
    if (code == QLatin1String(Err::Unauthorized))
        return 401;
    if (code == QLatin1String(Err::Forbidden))
        return 403;
    if (code == QLatin1String(Err::NotFound))
        return missing == Missing::Resource ? 404 : 422;
    if (code == QLatin1String(Err::Conflict))
        return 409;
    if (code == QLatin1String(Err::Gone))
        return 410;
    if (code == QLatin1String(Err::Unavailable))
        return 503;
    if (code == QLatin1String(Err::Internal))
        return 500;
    return 400;
}

QString bearer(const QHttpServerRequest &request)
{
    const QByteArray auth = request.value(QByteArrayLiteral("authorization"));
    if (!auth.startsWith("Bearer ") && !auth.startsWith("bearer "))
        return {};
    return QString::fromLatin1(auth.mid(7).trimmed());
}

} // namespace

void writeResponse(QTcpSocket *socket, int status, const QByteArray &body,
                   const QByteArray &contentType)
{
    writeAnswer(socket,
                "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
                    "\r\nContent-Type: " + contentType + "\r\nContent-Length: " +
                    QByteArray::number(body.size()) + "\r\nCache-Control: no-store\r\n",
                body);
}

void writeJson(QTcpSocket *socket, int status, const QJsonObject &body)
{
    writeResponse(socket, status, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void writeError(QTcpSocket *socket, int status, const QString &code, const QString &message,
                const QString &field)
{
    QJsonObject e{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
    if (!field.isEmpty())
        e.insert(QStringLiteral("field"), field);
    writeJson(socket, status, {{QStringLiteral("error"), e}});
}

/** @brief Writes the hub's answer: `ok` with it, or its {error, message, field} with the status
 *  the error code has on this route. */
void writeReply(QTcpSocket *socket, const QJsonObject &r, int ok, Missing missing)
{
    const QString code = r.value(QLatin1String("error")).toString();
    if (code.isEmpty())
        return writeJson(socket, ok, r);
    writeError(socket, statusFor(code, missing), code, r.value(QLatin1String("message")).toString(),
               r.value(QLatin1String("field")).toString());
}

HttpApi::HttpApi(Hub *hub, Metrics *metrics, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_hub(hub)
    , m_metrics(metrics)
    , m_files(new FileHandler(hub, this))
{
}

bool HttpApi::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // The request is complete: the front's deadline no longer applies.
    if (auto *t = socket->findChild<RequestDeadline *>(
            QLatin1String(FrontServer::DeadlineTimerName), Qt::FindDirectChildrenOnly))
        t->stop();
    if (WebClient::instance().answer(request, socket))
        return true;
    const QString path = request.url().path();
    const auto method = request.method();
    const bool get = method == QHttpServerRequest::Method::Get;
    const bool post = method == QHttpServerRequest::Method::Post;
    static const QRegularExpression notifPath(
        QStringLiteral("^/api/v1/notifications/(\\d{1,15})$"));
    static const QRegularExpression receiptsPath(
        QStringLiteral("^/api/v1/notifications/(\\d{1,15})/receipts$"));
    static const QRegularExpression auditPath(
        QStringLiteral("^/api/v1/notifications/(\\d{1,15})/audit$"));
    static const QRegularExpression filePath(QStringLiteral("^/api/v1/files/([^/]*)$"));

    if (path == QLatin1String("/healthz") && get) {
        writeJson(socket, 200,
                  {{QStringLiteral("status"), QStringLiteral("ok")},
                   {QStringLiteral("storage"), m_hub->config().storage},
                   {QStringLiteral("storageWritable"), m_hub->storageWritable()},
                   {QStringLiteral("bus"), m_hub->busState()}});
    } else if (path == QLatin1String("/readyz") && get) {
        ready(socket);
    } else if (path == QLatin1String("/metrics") && get) {
        metrics(request, socket);
    } else if (path == QLatin1String("/api/v1/login") && post) {
        login(request, socket);
    } else if (path == QLatin1String("/api/v1/logout") && post) {
        logout(request, socket);
    } else if (path == QLatin1String("/api/v1/notifications") && post) {
        publish(request, socket);
    } else if (const auto m = receiptsPath.match(path); m.hasMatch() && get) {
        getPaged(request, socket, m.captured(1).toLongLong(), Paged::Receipts);
    } else if (const auto m = auditPath.match(path); m.hasMatch() && get) {
        getPaged(request, socket, m.captured(1).toLongLong(), Paged::Audit);
    } else if (const auto m = filePath.match(path);
               m.hasMatch() && (get || method == QHttpServerRequest::Method::Head)) {
        // Uploads (POST /api/v1/files) never come here: the front hands them to FileHandler.
        m_files->download(request, socket, m.captured(1), !get);
    } else if (const auto m = notifPath.match(path); m.hasMatch() && get) {
        getNotification(request, socket, m.captured(1).toLongLong());
    } else if (const auto m = notifPath.match(path);
               m.hasMatch() && (method == QHttpServerRequest::Method::Patch ||
                                method == QHttpServerRequest::Method::Delete)) {
        changeNotification(request, socket, m.captured(1).toLongLong(),
                           method == QHttpServerRequest::Method::Delete);
    } else if (path == QLatin1String("/healthz") || path == QLatin1String("/readyz") ||
               path == QLatin1String("/metrics") || path.startsWith(QLatin1String("/api/v1/"))) {
        const bool known =
            path == QLatin1String("/api/v1/login") || path == QLatin1String("/api/v1/logout") ||
            path == QLatin1String("/api/v1/notifications") || notifPath.match(path).hasMatch() ||
            receiptsPath.match(path).hasMatch() || auditPath.match(path).hasMatch() ||
            path == QLatin1String("/api/v1/files") || filePath.match(path).hasMatch() ||
            !path.startsWith(QLatin1String("/api/"));
        if (known)
            writeError(socket, 405, QStringLiteral("method_not_allowed"),
                       QStringLiteral("method not allowed here"));
        else
            return false;
    } else {
        return false;
    }
    return true;
}

void HttpApi::missingHandler(const QHttpServerRequest &, QTcpSocket *socket)
{
    writeError(socket, 404, QString::fromLatin1(proto::Err::NotFound),
               QStringLiteral("no such endpoint"));
}

void HttpApi::ready(QTcpSocket *socket)
{
    QPointer<QTcpSocket> s = socket;
    // Storage is reachable when a trivial job makes it through the storage thread.
    m_hub->notificationForService(0, 0, [s, this](const QJsonObject &r) {
        const bool ok =
            r.value(QLatin1String("error")).toString() == QLatin1String(proto::Err::NotFound) &&
            m_hub->storageWritable();
        writeJson(s, ok ? 200 : 503,
                  {{QStringLiteral("status"),
                    ok ? QStringLiteral("ready") : QStringLiteral("unavailable")},
                   {QStringLiteral("storage"),
                    ok ? QStringLiteral("ok") : r.value(QLatin1String("message")).toString()},
                   {QStringLiteral("bus"), m_hub->busState()},
                   {QStringLiteral("connections"), m_hub->connectionCount()}});
    });
}

void HttpApi::metrics(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QString token = m_hub->config().metricsToken;
    if (!token.isEmpty()) {
        const QByteArray given = bearer(request).toUtf8();
        if (given.size() != token.toUtf8().size() ||
            !crypto::constantTimeEquals(given, token.toUtf8()))
            return writeError(socket, 401, QString::fromLatin1(proto::Err::Unauthorized),
                              QStringLiteral("metrics need the metrics token"));
    }
    writeResponse(socket, 200, m_metrics->render(), "text/plain; version=0.0.4");
}

void HttpApi::login(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QJsonDocument doc = QJsonDocument::fromJson(request.body());
    const QJsonObject body = doc.object();
    const QJsonValue user = body.value(QLatin1String("username"));
    const QJsonValue password = body.value(QLatin1String("password"));
    if (!doc.isObject())
        return writeError(socket, 400, QString::fromLatin1(proto::Err::BadJson),
                          QStringLiteral("body must be a JSON object"));
    if (!user.isString() || user.toString().isEmpty() || user.toString().size() > 64)
        return writeError(socket, 400, QString::fromLatin1(proto::Err::BadValue),
                          QStringLiteral("'username' is required"), QStringLiteral("username"));
    if (!password.isString() || password.toString().isEmpty() || password.toString().size() > 1024)
        return writeError(socket, 400, QString::fromLatin1(proto::Err::BadValue),
                          QStringLiteral("'password' is required"), QStringLiteral("password"));
    // Password guessing stays slow: attempts per address, failures per account (LoginThrottle).
    const QString address = socket->peerAddress().toString();
    const QString account = user.toString().toLower();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const LoginThrottle::Verdict verdict = m_logins.admit(address, account, now);
    if (verdict != LoginThrottle::Verdict::Allowed) {
        const qint64 wait = m_logins.retryAfterMs(verdict, address, account, now);
        const qint64 seconds = std::max<qint64>(1, (wait + 999) / 1000);
        return writeError(socket, 429, QString::fromLatin1(proto::Err::RateLimited),
                          verdict == LoginThrottle::Verdict::AddressLimited
                              ? QStringLiteral("too many sign-in attempts from this address; "
                                               "try again in %1 s")
                                    .arg(seconds)
                              : QStringLiteral("too many failed sign-ins for this account; "
                                               "try again in %1 s")
                                    .arg(seconds));
    }
    QPointer<QTcpSocket> s = socket;
    QPointer<HttpApi> self = this;
    m_hub->login(user.toString(), password.toString(), [s, self, account](const QJsonObject &r) {
        const QString error = r.value(QLatin1String("error")).toString();
        if (self && error == QLatin1String(proto::Err::Unauthorized))
            self->m_logins.failed(account, QDateTime::currentMSecsSinceEpoch());
        else if (self && error.isEmpty())
            self->m_logins.succeeded(account);
        writeReply(s, r, 200, Missing::InBody);
    });
}

void HttpApi::logout(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QPointer<QTcpSocket> s = socket;
    m_hub->logout(bearer(request),
                  [s](const QJsonObject &r) { writeReply(s, r, 200, Missing::InBody); });
}

void HttpApi::publish(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const qint64 service =
        m_hub->serviceForToken(bearer(request), socket->peerAddress().toString());
    if (!service)
        return writeError(socket, 401, QString::fromLatin1(proto::Err::Unauthorized),
                          QStringLiteral("a service token with the publish scope is required"));
    auto parsed = PublishRequest::parse(request.body(), QDateTime::currentMSecsSinceEpoch());
    if (const auto *e = std::get_if<ValidationError>(&parsed))
        return writeError(socket, 400, e->code, e->message, e->field);
    const PublishRequest &req = std::get<PublishRequest>(parsed);
    QPointer<QTcpSocket> s = socket;
    m_hub->publish(service, req, [s](const QJsonObject &r) {
        writeReply(s, r, r.value(QLatin1String("duplicate")).toBool() ? 200 : 201,
                   Missing::InBody); // a named recipient that does not exist: 422
    });
}

void HttpApi::getNotification(const QHttpServerRequest &request, QTcpSocket *socket, qint64 id)
{
    const qint64 service =
        m_hub->serviceForToken(bearer(request), socket->peerAddress().toString());
    if (!service)
        return writeError(socket, 401, QString::fromLatin1(proto::Err::Unauthorized),
                          QStringLiteral("a service token is required"));
    QPointer<QTcpSocket> s = socket;
    m_hub->notificationForService(
        id, service, [s](const QJsonObject &r) { writeReply(s, r, 200, Missing::Resource); });
}

void HttpApi::getPaged(const QHttpServerRequest &request, QTcpSocket *socket, qint64 id, Paged what)
{
    const qint64 service =
        m_hub->serviceForToken(bearer(request), socket->peerAddress().toString());
    if (!service)
        return writeError(socket, 401, QString::fromLatin1(proto::Err::Unauthorized),
                          QStringLiteral("a service token is required"));
    const QUrlQuery query(request.url());
    const auto number = [&query](const char *name, qint64 fallback, qint64 min,
                                 qint64 max) -> std::optional<qint64> {
        const QString k = QLatin1String(name);
        if (!query.hasQueryItem(k))
            return fallback;
        bool ok = false;
        const qint64 v = query.queryItemValue(k).toLongLong(&ok);
        if (!ok || v < min || v > max)
            return std::nullopt;
        return v;
    };
    const bool audit = what == Paged::Audit;
    const auto after = number("after", 0, 0, proto::MaxSafeInteger);
    if (!after)
        return writeError(socket, 400, QString::fromLatin1(proto::Err::BadValue),
                          audit ? QStringLiteral("after must be a record id (a whole number, 0 "
                                                 "or more)")
                                : QStringLiteral("after must be a user id (a whole number, 0 "
                                                 "or more)"),
                          QStringLiteral("after"));
    const int maxPage = audit ? AuditTrail::MaxPage : Hub::MaxReceiptsPage;
    const auto limit =
        number("limit", audit ? AuditTrail::DefaultPage : Hub::DefaultReceiptsPage, 1, maxPage);
    if (!limit)
        return writeError(socket, 400, QString::fromLatin1(proto::Err::BadValue),
                          QStringLiteral("limit must be a whole number from 1 to %1").arg(maxPage),
                          QStringLiteral("limit"));
    QPointer<QTcpSocket> s = socket;
    const auto answer = [s](const QJsonObject &r) { writeReply(s, r, 200, Missing::Resource); };
    if (audit)
        m_hub->notificationAudit(service, id, *after, static_cast<int>(*limit), answer);
    else
        m_hub->notificationReceipts(service, id, *after, static_cast<int>(*limit), answer);
}

void HttpApi::changeNotification(const QHttpServerRequest &request, QTcpSocket *socket, qint64 id,
                                 bool retract)
{
    const qint64 service =
        m_hub->serviceForToken(bearer(request), socket->peerAddress().toString());
    if (!service)
        return writeError(socket, 401, QString::fromLatin1(proto::Err::Unauthorized),
                          QStringLiteral("a service token is required"));
    QPointer<QTcpSocket> s = socket;
    const auto answer = [s](const QJsonObject &r) { writeReply(s, r, 200, Missing::Resource); };
    if (retract)
        return m_hub->retractNotification(service, id, answer);
    auto patch = NotificationPatch::parse(request.body());
    if (const auto *e = std::get_if<ValidationError>(&patch))
        return writeError(socket, 400, e->code, e->message, e->field);
    m_hub->updateNotification(service, id, std::get<NotificationPatch>(patch), answer);
}

} // namespace herald
