// A real herald-server for the desktop tests, driven as a black box: heraldctl seeds the data
// directory, the server runs as a child process on port 0 (and can be restarted on the same
// port and data directory), and an HTTP helper publishes and reads notifications.
#pragma once

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>
#include <optional>

namespace fixture {

inline QString binary(const QString &name)
{
    const QString dir =
        qEnvironmentVariable("HERALD_BIN_DIR", QStringLiteral(HERALD_BINARY_DIR "/bin"));
    return dir + QLatin1Char('/') + name;
}

/** @brief herald-server in a temporary data directory, plus heraldctl against it. */
class Server
{
public:
    Server() { m_dir.setAutoRemove(true); }
    ~Server() { stop(); }

    [[nodiscard]] bool binariesExist() const
    {
        return QFile::exists(binary(QStringLiteral("herald-server"))) &&
               QFile::exists(binary(QStringLiteral("heraldctl")));
    }
    [[nodiscard]] QString dataDir() const { return m_dir.path(); }

    /** @brief Runs heraldctl; returns its stdout (trimmed), or nothing when it failed. */
    std::optional<QString> ctl(const QStringList &args)
    {
        QProcess p;
        p.start(binary(QStringLiteral("heraldctl")),
                QStringList{QStringLiteral("--data-dir"), dataDir()} + args);
        if (!p.waitForFinished(20000) || p.exitStatus() != QProcess::NormalExit ||
            p.exitCode() != 0) {
            qWarning("heraldctl %s failed: %s", qPrintable(args.join(QLatin1Char(' '))),
                     p.readAllStandardError().constData());
            return {};
        }
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    }

    /** @brief Starts the server; port 0 picks a free one the first time, then it is reused. */
    bool start()
    {
        m_proc = std::make_unique<QProcess>();
        m_proc->setProcessChannelMode(QProcess::SeparateChannels);
        if (!env.isEmpty())
            m_proc->setProcessEnvironment(env);
        m_proc->start(binary(QStringLiteral("herald-server")),
                      QStringList{QStringLiteral("--data-dir"), dataDir(),
                                  QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),
                                  QStringLiteral("--port"), QString::number(m_port)} +
                          args);
        if (!m_proc->waitForStarted(5000))
            return false;
        // "herald-server: listening on 127.0.0.1:N" on stdout once it accepts connections.
        QByteArray out;
        QElapsedTimer timer;
        timer.start();
        while (!out.contains('\n') && timer.elapsed() < 15000 &&
               m_proc->state() == QProcess::Running) {
            m_proc->waitForReadyRead(100);
            out += m_proc->readAllStandardOutput();
        }
        const QByteArray line = out.left(out.indexOf('\n')).trimmed();
        const quint16 port = quint16(line.mid(line.lastIndexOf(':') + 1).toUInt());
        if (port == 0) {
            qWarning("herald-server did not start: %s %s", out.constData(),
                     m_proc->readAllStandardError().constData());
            return false;
        }
        m_port = port;
        return true;
    }

    /** @brief Stops the server the way systemd does (SIGTERM: clients get 1001). */
    void stop()
    {
        if (!m_proc || m_proc->state() == QProcess::NotRunning)
            return;
        m_proc->terminate();
        if (!m_proc->waitForFinished(10000)) {
            m_proc->kill();
            m_proc->waitForFinished(5000);
        }
    }

    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }

    /** @brief The next start()'s environment (empty: inherited), e.g. the server's clock moved
     *  with HERALD_TEST_CLOCK_OFFSET_MS. */
    QProcessEnvironment env;
    /** @brief More command-line arguments for the next start(), e.g. "--set", "key=value". */
    QStringList args;

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_proc;
    quint16 m_port = 0;
};

/** @brief Blocking JSON over HTTP. */
struct Http
{
    struct Response
    {
        int status = 0;
        QJsonObject json;
    };

    Response send(const QByteArray &verb, const QUrl &url, const QJsonObject &body,
                  const QString &token)
    {
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
        QNetworkReply *reply = m_nam.sendCustomRequest(
            request, verb,
            body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact));
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(10000, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        Response r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.json = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return r;
    }

    /** @brief Publishes a notification as a service; returns its id (0 on failure). */
    qint64 publish(const QString &server, const QString &serviceToken,
                   const QJsonObject &notification)
    {
        const Response r = send("POST", QUrl(server + QStringLiteral("/api/v1/notifications")),
                                notification, serviceToken);
        return r.status == 201 ? qint64(r.json.value(QLatin1String("id")).toDouble()) : 0;
    }

    QNetworkAccessManager m_nam;
};

/** @brief A TCP relay in front of the server that a test can cut, like a network outage. */
class Relay : public QObject
{
public:
    explicit Relay(quint16 target)
        : m_target(target)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *down = m_server.nextPendingConnection()) {
                if (m_blocked) {
                    down->abort();
                    down->deleteLater();
                    continue;
                }
                auto *up = new QTcpSocket(down);
                QObject::connect(down, &QTcpSocket::readyRead, up,
                                 [down, up] { up->write(down->readAll()); });
                QObject::connect(up, &QTcpSocket::readyRead, down,
                                 [down, up] { down->write(up->readAll()); });
                QObject::connect(up, &QTcpSocket::connected, up,
                                 [down, up] { up->write(down->readAll()); });
                QObject::connect(up, &QTcpSocket::disconnected, down,
                                 [down] { down->disconnectFromHost(); });
                QObject::connect(up, &QTcpSocket::errorOccurred, down, [down] { down->abort(); });
                QObject::connect(down, &QTcpSocket::disconnected, down,
                                 [down] { down->deleteLater(); });
                up->connectToHost(QHostAddress::LocalHost, m_target);
            }
        });
    }
    [[nodiscard]] QString url() const
    {
        return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort());
    }
    /** @brief Drops every relayed connection and refuses new ones (or lets them through again). */
    void setBlocked(bool blocked)
    {
        m_blocked = blocked;
        if (blocked)
            for (QTcpSocket *s : m_server.findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly))
                s->abort();
    }

private:
    QTcpServer m_server;
    quint16 m_target;
    bool m_blocked = false;
};

} // namespace fixture
