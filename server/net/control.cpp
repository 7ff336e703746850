#include "control.h"

#include "core/hub.h"
#include "metrics.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>

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
        Recipients to;
        for (const QJsonValue &v : req.value(QLatin1String("users")).toArray())
            to.users << v.toString();
        for (const QJsonValue &v : req.value(QLatin1String("groups")).toArray())
            to.groups << v.toString();
        to.everyone = req.value(QLatin1String("everyone")).toBool();
        m_hub->publish(m_cliService, req.value(QLatin1String("payload")).toObject(), to, answer);
    } else {
        answer({{QStringLiteral("error"), QStringLiteral("unknown_command")}});
    }
}

} // namespace herald
