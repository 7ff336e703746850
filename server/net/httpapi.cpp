#include "httpapi.h"

#include "core/hub.h"
#include "metrics.h"

#include <herald/protocol.h>

#include <QDateTime>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTimer>
#include <QUrl>

namespace herald {

namespace {

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

int statusFor(const QString &code)
{
    using namespace proto;
    if (code == QLatin1String(Err::Unauthorized))
        return 401;
    if (code == QLatin1String(Err::Forbidden))
        return 403;
    if (code == QLatin1String(Err::NotFound))
        return 422; // a named recipient that does not exist is a problem with the request body
    if (code == QLatin1String(Err::Conflict))
        return 409;
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

using Fail = std::optional<std::pair<QString, QString>>; // field, message

int depth(const QJsonValue &v)
{
    int d = 0;
    if (v.isObject())
        for (const QJsonValue &x : v.toObject())
            d = std::max(d, depth(x));
    else if (v.isArray())
        for (const QJsonValue &x : v.toArray())
            d = std::max(d, depth(x));
    else
        return 0;
    return d + 1;
}

Fail checkString(const QJsonObject &o, const char *name, int max, bool required, QJsonObject &out)
{
    const QString field = QString::fromLatin1(name);
    const QJsonValue v = o.value(field);
    if (v.isUndefined() || v.isNull()) {
        if (required)
            return std::make_pair(field, QStringLiteral("'%1' is required").arg(field));
        return {};
    }
    if (!v.isString())
        return std::make_pair(field, QStringLiteral("'%1' must be a string").arg(field));
    if (v.toString().size() > max)
        return std::make_pair(
            field, QStringLiteral("'%1' is longer than %2 characters").arg(field).arg(max));
    if (required && v.toString().trimmed().isEmpty())
        return std::make_pair(field, QStringLiteral("'%1' must not be empty").arg(field));
    out.insert(field, v);
    return {};
}

/** Validates a publish body into the stored payload and the recipients. */
Fail validatePublish(const QJsonObject &body, QJsonObject &payload, Recipients &to)
{
    const QJsonValue rv = body.value(QLatin1String("recipients"));
    if (!rv.isObject())
        return std::make_pair(
            QStringLiteral("recipients"),
            QStringLiteral("'recipients' must be an object with users, groups or everyone"));
    const QJsonObject r = rv.toObject();
    for (const char *list : {"users", "groups"}) {
        const QString field = QString::fromLatin1(list);
        const QJsonValue v = r.value(field);
        if (v.isUndefined())
            continue;
        if (!v.isArray())
            return std::make_pair(QStringLiteral("recipients.") + field,
                                  QStringLiteral("must be an array of names"));
        const QJsonArray a = v.toArray();
        if (a.size() > 10000)
            return std::make_pair(QStringLiteral("recipients.") + field,
                                  QStringLiteral("at most 10000 names"));
        for (const QJsonValue &n : a) {
            if (!n.isString() || !proto::isValidName(n.toString()))
                return std::make_pair(QStringLiteral("recipients.") + field,
                                      QStringLiteral("must be an array of valid names"));
            (field == QLatin1String("users") ? to.users : to.groups) << n.toString();
        }
    }
    const QJsonValue everyone = r.value(QLatin1String("everyone"));
    if (!everyone.isUndefined() && !everyone.isBool())
        return std::make_pair(QStringLiteral("recipients.everyone"),
                              QStringLiteral("must be true or false"));
    to.everyone = everyone.toBool();
    if (to.users.isEmpty() && to.groups.isEmpty() && !to.everyone)
        return std::make_pair(QStringLiteral("recipients"),
                              QStringLiteral("name at least one user or group, or everyone"));

    if (auto f = checkString(body, "title", 200, true, payload))
        return f;
    if (auto f = checkString(body, "body", 4000, false, payload))
        return f;
    if (auto f = checkString(body, "category", 64, false, payload))
        return f;
    if (auto f = checkString(body, "idempotencyKey", 128, false, payload))
        return f;
    if (auto f = checkString(body, "link", 2048, false, payload))
        return f;
    if (payload.contains(QLatin1String("link"))) {
        const QUrl url(payload.value(QLatin1String("link")).toString(), QUrl::StrictMode);
        if (!url.isValid() ||
            (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")))
            return std::make_pair(QStringLiteral("link"),
                                  QStringLiteral("'link' must be an http or https URL"));
    }
    const QJsonValue prio = body.value(QLatin1String("priority"));
    static const QStringList priorities{QStringLiteral("low"), QStringLiteral("normal"),
                                        QStringLiteral("high"), QStringLiteral("urgent")};
    if (!prio.isUndefined() && (!prio.isString() || !priorities.contains(prio.toString())))
        return std::make_pair(QStringLiteral("priority"),
                              QStringLiteral("'priority' must be low, normal, high or urgent"));
    payload.insert(QLatin1String("priority"),
                   prio.isString() ? prio.toString() : QStringLiteral("normal"));

    const QJsonValue actions = body.value(QLatin1String("actions"));
    if (!actions.isUndefined()) {
        if (!actions.isArray() || actions.toArray().size() > 5)
            return std::make_pair(QStringLiteral("actions"),
                                  QStringLiteral("'actions' must be an array of at most 5"));
        QJsonArray clean;
        for (const QJsonValue &a : actions.toArray()) {
            const QJsonObject o = a.toObject();
            const QString id = o.value(QLatin1String("id")).toString();
            const QString label = o.value(QLatin1String("label")).toString();
            if (!a.isObject() || !proto::isValidName(id) || label.isEmpty() || label.size() > 64)
                return std::make_pair(
                    QStringLiteral("actions"),
                    QStringLiteral("each action needs an id (a-z 0-9 . _ -) and a label (1-64)"));
            clean.append(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("label"), label}});
        }
        payload.insert(QLatin1String("actions"), clean);
    }
    const QJsonValue expires = body.value(QLatin1String("expiresAt"));
    if (!expires.isUndefined() && !expires.isNull()) {
        if (!expires.isDouble() || expires.toDouble() < 0)
            return std::make_pair(
                QStringLiteral("expiresAt"),
                QStringLiteral("'expiresAt' must be milliseconds since the epoch"));
        if (expires.toDouble() <= static_cast<double>(QDateTime::currentMSecsSinceEpoch()))
            return std::make_pair(QStringLiteral("expiresAt"),
                                  QStringLiteral("'expiresAt' is in the past"));
        payload.insert(QLatin1String("expiresAt"), expires);
    }
    const QJsonValue source = body.value(QLatin1String("source"));
    if (!source.isUndefined()) {
        if (!source.isObject())
            return std::make_pair(QStringLiteral("source"),
                                  QStringLiteral("'source' must be an object"));
        if (QJsonDocument(source.toObject()).toJson(QJsonDocument::Compact).size() > 4096)
            return std::make_pair(QStringLiteral("source"),
                                  QStringLiteral("'source' is larger than 4 KiB"));
        if (depth(source) > 3)
            return std::make_pair(QStringLiteral("source"),
                                  QStringLiteral("'source' nests deeper than 3 levels"));
        payload.insert(QLatin1String("source"), source);
    }
    return {};
}

} // namespace

void writeResponse(QTcpSocket *socket, int status, const QByteArray &body,
                   const QByteArray &contentType)
{
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
                  "\r\nContent-Type: " + contentType +
                  "\r\nContent-Length: " + QByteArray::number(body.size()) +
                  "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + body);
    socket->disconnectFromHost();
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

HttpApi::HttpApi(Hub *hub, Metrics *metrics, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_hub(hub)
    , m_metrics(metrics)
{
}

bool HttpApi::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // The request is complete: the front's deadline no longer applies.
    if (auto *t = socket->findChild<QTimer *>(QStringLiteral("herald-deadline")))
        t->stop();
    const QString path = request.url().path();
    const auto method = request.method();
    const bool get = method == QHttpServerRequest::Method::Get;
    const bool post = method == QHttpServerRequest::Method::Post;
    static const QRegularExpression notifPath(
        QStringLiteral("^/api/v1/notifications/(\\d{1,15})$"));

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
    } else if (path == QLatin1String("/api/v1/notifications") && post) {
        publish(request, socket);
    } else if (const auto m = notifPath.match(path); m.hasMatch() && get) {
        getNotification(request, socket, m.captured(1).toLongLong());
    } else if (path == QLatin1String("/healthz") || path == QLatin1String("/readyz") ||
               path == QLatin1String("/metrics") || path.startsWith(QLatin1String("/api/v1/"))) {
        const bool known = path == QLatin1String("/api/v1/login") ||
                           path == QLatin1String("/api/v1/notifications") ||
                           notifPath.match(path).hasMatch() ||
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
    // At most 10 attempts a minute from one address: password guessing stays slow.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<qint64> &recent = m_logins[socket->peerAddress().toString()];
    recent.removeIf([now](qint64 t) { return now - t > 60000; });
    if (recent.size() >= 10)
        return writeError(socket, 429, QString::fromLatin1(proto::Err::RateLimited),
                          QStringLiteral("too many login attempts; wait a minute"));
    recent << now;
    if (m_logins.size() > 10000)
        m_logins.removeIf([now](const auto &it) {
            return it.value().isEmpty() || now - it.value().last() > 60000;
        });
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
    QPointer<QTcpSocket> s = socket;
    m_hub->login(user.toString(), password.toString(), [s](const QJsonObject &r) {
        if (r.contains(QLatin1String("error")))
            return writeError(s, statusFor(r.value(QLatin1String("error")).toString()),
                              r.value(QLatin1String("error")).toString(),
                              r.value(QLatin1String("message")).toString());
        writeJson(s, 200, r);
    });
}

void HttpApi::publish(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const qint64 service = m_hub->serviceForToken(bearer(request));
    if (!service)
        return writeError(socket, 401, QString::fromLatin1(proto::Err::Unauthorized),
                          QStringLiteral("a service token with the publish scope is required"));
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body(), &perr);
    if (perr.error != QJsonParseError::NoError)
        return writeError(socket, 400, QString::fromLatin1(proto::Err::BadJson),
                          QStringLiteral("body is not JSON: ") + perr.errorString());
    if (!doc.isObject())
        return writeError(socket, 400, QString::fromLatin1(proto::Err::NotObject),
                          QStringLiteral("body must be a JSON object"));
    QJsonObject payload;
    Recipients to;
    if (const Fail f = validatePublish(doc.object(), payload, to))
        return writeError(socket, 400, QString::fromLatin1(proto::Err::BadValue), f->second,
                          f->first);
    QPointer<QTcpSocket> s = socket;
    m_hub->publish(service, payload, to, [s](const QJsonObject &r) {
        if (r.contains(QLatin1String("error"))) {
            const QString code = r.value(QLatin1String("error")).toString();
            return writeError(s, statusFor(code), code,
                              r.value(QLatin1String("message")).toString(),
                              r.value(QLatin1String("field")).toString());
        }
        writeJson(s, r.value(QLatin1String("duplicate")).toBool() ? 200 : 201, r);
    });
}

void HttpApi::getNotification(const QHttpServerRequest &request, QTcpSocket *socket, qint64 id)
{
    const qint64 service = m_hub->serviceForToken(bearer(request));
    if (!service)
        return writeError(socket, 401, QString::fromLatin1(proto::Err::Unauthorized),
                          QStringLiteral("a service token is required"));
    QPointer<QTcpSocket> s = socket;
    m_hub->notificationForService(id, service, [s](const QJsonObject &r) {
        if (r.contains(QLatin1String("error")))
            return writeError(s, 404, QString::fromLatin1(proto::Err::NotFound),
                              r.value(QLatin1String("message")).toString());
        writeJson(s, 200, r);
    });
}

} // namespace herald
