#include "control.h"

#include "core/hub.h"
#include "metrics.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QPointer>

namespace herald {

Control::Control(Hub *hub, Metrics *metrics, qint64 serviceId, QObject *parent)
    : QObject(parent)
    , m_hub(hub)
    , m_metrics(metrics)
    , m_cliService(serviceId)
{
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    connect(&m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *s = m_server.nextPendingConnection()) {
            connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
            connect(s, &QLocalSocket::readyRead, this, [this, s] { handle(s); });
        }
    });
}

bool Control::listen(const QString &path, QString *error)
{
    QLocalServer::removeServer(path);
    if (!m_server.listen(path)) {
        *error = m_server.errorString();
        return false;
    }
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    return true;
}

void Control::handle(QLocalSocket *socket)
{
    if (!socket->canReadLine()) {
        if (socket->bytesAvailable() > 1024 * 1024)
            socket->abort();
        return;
    }
    const QJsonObject req = QJsonDocument::fromJson(socket->readLine()).object();
    const QString cmd = req.value(QLatin1String("cmd")).toString();
    QPointer<QLocalSocket> s = socket;
    auto answer = [s](const QJsonObject &o) {
        if (!s)
            return;
        s->write(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
        s->flush();
        s->disconnectFromServer();
    };
    if (cmd == QLatin1String("reload")) {
        m_hub->reload([answer] { answer({{QStringLiteral("ok"), true}}); });
    } else if (cmd == QLatin1String("status")) {
        answer({{QStringLiteral("ok"), true},
                {QStringLiteral("version"), QStringLiteral(HERALD_VERSION)},
                {QStringLiteral("uptime"), m_metrics->uptimeSeconds()},
                {QStringLiteral("connections"), m_hub->connectionCount()},
                {QStringLiteral("online"), m_hub->onlineCount()},
                {QStringLiteral("users"), QJsonArray::fromStringList(m_hub->onlineUsers())}});
    } else if (cmd == QLatin1String("publish")) {
        // The same door as the HTTP API, with the body as the same JSON text: the same checks
        // (lone surrogate escapes included, which only the raw text shows), the same errors.
        auto parsed = PublishRequest::parse(req.value(QLatin1String("body")).toString().toUtf8(),
                                            QDateTime::currentMSecsSinceEpoch());
        if (const auto *e = std::get_if<ValidationError>(&parsed))
            return answer({{QStringLiteral("error"), e->code},
                           {QStringLiteral("message"), e->message},
                           {QStringLiteral("field"), e->field}});
        const PublishRequest &p = std::get<PublishRequest>(parsed);
        m_hub->publish(m_cliService, p, answer);
    } else {
        answer({{QStringLiteral("error"), QStringLiteral("unknown_command")}});
    }
}

} // namespace herald
