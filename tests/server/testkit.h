// Helpers for integration tests: a real herald-server (in-process on port 0, or as a process)
// and a real QWebSocket client that collects frames.
#pragma once

#include "core/store.h"
#include "net/server.h"
#include "storagefixture.h"

#include <herald/protocol.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <memory>

namespace testkit {

using herald::Store;

/** Seeds a data directory directly through the Store (as heraldctl does). */
struct Seed
{
    explicit Seed(const QString &dir)
        : Seed(StorageFixture::forDirectory(dir))
    {
    }
    /** Seeds the storage the settings name (a test's own PostgreSQL database, say). */
    explicit Seed(const herald::StorageSettings &settings)
    {
        if (auto e = store.open(settings))
            qFatal("seed: %s", qPrintable(e->message));
    }
    /** People with a token each: name -> token. */
    QHash<QString, QString> people(const QStringList &names, const QString &password = {})
    {
        QHash<QString, QString> tokens;
        for (const QString &name : names) {
            user(name, password);
            tokens.insert(name, token(name));
        }
        return tokens;
    }
    qint64 user(const QString &name, const QString &password = {})
    {
        auto r = store.createUser(name, QString(), password);
        return std::get<qint64>(r);
    }
    QString token(const QString &name)
    {
        return std::get<QString>(store.issueToken(store.user(name)->id, 0, QStringLiteral("user"),
                                                  QStringLiteral("test")));
    }
    qint64 room(const QString &name, const QStringList &members,
                const QString &kind = QStringLiteral("public"))
    {
        const qint64 id = std::get<qint64>(store.createRoom(name, name.toUpper(), kind));
        for (const QString &m : members)
            store.addMember(id, store.user(m)->id);
        return id;
    }
    QString service(const QString &name, const QString &webhook = {}, const QString &secret = {})
    {
        const qint64 id = std::get<qint64>(store.createService(name, webhook, secret));
        return std::get<QString>(
            store.issueToken(0, id, QStringLiteral("service"), QStringLiteral("test")));
    }
    void group(const QString &name, const QStringList &members)
    {
        store.createGroup(name);
        for (const QString &m : members)
            store.setGroupMember(name, m, true);
    }
    Store store;
};

/** An in-process server on 127.0.0.1, port 0. */
struct LocalServer
{
    explicit LocalServer(const QString &dir, herald::Config config = {})
    {
        config.dataDir = dir;
        if (StorageFixture::postgres()) { // HERALD_TEST_STORAGE=postgres: the database named after
                                          // dir
            config.storage = QStringLiteral("postgres");
            config.pgDatabase = StorageFixture::forDirectory(dir).database;
        }
        config.listen = QStringLiteral("127.0.0.1");
        config.port = 0;
        if (qEnvironmentVariableIsSet("HERALD_TEST_IO_URING")) // the *_send_each variants
            config.ioUring = qEnvironmentVariableIntValue("HERALD_TEST_IO_URING");
        server = std::make_unique<herald::Server>(config);
        const QString err = server->start();
        if (!err.isEmpty())
            qFatal("server: %s", qPrintable(err));
    }
    [[nodiscard]] QUrl wsUrl() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(server->port()));
    }
    [[nodiscard]] QUrl httpUrl(const QString &path) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(server->port()).arg(path));
    }
    std::unique_ptr<herald::Server> server;
};

/** herald-server as a child process (for restarts and SIGKILL). */
struct ServerProcess
{
    static QString binary(const char *name)
    {
        return QStringLiteral(HERALD_BINARY_DIR "/bin/") + QLatin1String(name);
    }
    bool start(const QString &dir, const QStringList &extra = {}, quint16 fixedPort = 0)
    {
        proc = std::make_unique<QProcess>();
        proc->setProcessChannelMode(QProcess::SeparateChannels);
        if (!env.isEmpty())
            proc->setProcessEnvironment(env);
        proc->start(binary("herald-server"),
                    QStringList{QStringLiteral("--data-dir"), dir, QStringLiteral("--listen"),
                                QStringLiteral("127.0.0.1"), QStringLiteral("--port"),
                                QString::number(fixedPort)} +
                        StorageFixture::serverArgs(dir) + extra);
        if (!proc->waitForStarted(5000))
            return false;
        QByteArray out;
        for (int i = 0; i < 100 && !out.contains('\n'); ++i) {
            proc->waitForReadyRead(100);
            out += proc->readAllStandardOutput();
        }
        const QByteArray line = out.left(out.indexOf('\n')); // "herald-server: listening on H:P"
        port = static_cast<quint16>(line.mid(line.lastIndexOf(':') + 1).trimmed().toUInt());
        return port != 0;
    }
    void kill()
    {
        if (proc) {
            proc->kill();
            proc->waitForFinished(5000);
        }
    }
    int terminate()
    {
        proc->terminate();
        if (proc->state() != QProcess::NotRunning)
            proc->waitForFinished(10000);
        return proc->exitStatus() == QProcess::NormalExit ? proc->exitCode() : -1;
    }
    ~ServerProcess() { kill(); }
    [[nodiscard]] QUrl wsUrl() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port));
    }
    [[nodiscard]] QUrl httpUrl(const QString &path) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path));
    }
    std::unique_ptr<QProcess> proc;
    quint16 port = 0;
    QProcessEnvironment env; // empty: inherit
};

/** A real WebSocket client that keeps every frame it gets. */
class Client : public QObject
{
public:
    Client()
    {
        connect(&ws, &QWebSocket::textMessageReceived, this, [this](const QString &t) {
            frames << QJsonDocument::fromJson(t.toUtf8()).object();
        });
        connect(&ws, &QWebSocket::disconnected, this, [this] { closeCode = ws.closeCode(); });
    }
    /** Opens with a bearer token (empty: none) and waits for hello (or for the close). */
    bool open(const QUrl &url, const QString &token, bool waitHello = true)
    {
        QNetworkRequest req(url);
        if (!token.isEmpty())
            req.setRawHeader("Authorization", "Bearer " + token.toLatin1());
        QWebSocketHandshakeOptions opts;
        opts.setSubprotocols({QString::fromLatin1(herald::proto::Subprotocol)});
        ws.open(req, opts);
        if (!waitHello)
            return waitConnected();
        return !waitFor(herald::proto::Type::Hello).isEmpty();
    }
    bool waitConnected(int timeoutMs = 5000)
    {
        return waitState(QAbstractSocket::ConnectedState, timeoutMs);
    }
    bool waitState(QAbstractSocket::SocketState state, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (ws.state() != state) {
            if (t.elapsed() > timeoutMs)
                return false;
            QTest::qWait(5);
        }
        return true;
    }
    void sendRaw(const QByteArray &text) { ws.sendTextMessage(QString::fromUtf8(text)); }
    void send(const QString &type, QJsonObject body)
    {
        body.insert(QStringLiteral("type"), type);
        ws.sendTextMessage(QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact)));
    }
    /** Sends a request with a fresh id; returns the result or error frame. */
    QJsonObject request(const QString &type, QJsonObject body = {}, int timeoutMs = 5000)
    {
        const QString id = QString::number(++m_nextId);
        body.insert(QStringLiteral("id"), id);
        send(type, body);
        return waitFor(
            QString(),
            [id](const QJsonObject &f) {
                return f.value(QLatin1String("id")).toString() == id &&
                       (f.value(QLatin1String("type")).toString() == QLatin1String("result") ||
                        f.value(QLatin1String("type")).toString() == QLatin1String("error"));
            },
            timeoutMs);
    }
    /** Waits for the first not-yet-taken frame of a type (and matching pred); empty on timeout. */
    QJsonObject waitFor(const QString &type, std::function<bool(const QJsonObject &)> pred = {},
                        int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        for (;;) {
            for (qsizetype i = 0; i < frames.size(); ++i) {
                const QJsonObject &f = frames[i];
                if (m_used.contains(i))
                    continue;
                if ((type.isEmpty() || f.value(QLatin1String("type")).toString() == type) &&
                    (!pred || pred(f))) {
                    m_used.insert(i);
                    return f;
                }
            }
            if (t.elapsed() > timeoutMs || ws.state() == QAbstractSocket::UnconnectedState)
                return {};
            QTest::qWait(5);
        }
    }
    QList<QJsonObject> all(const QString &type) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &f : frames)
            if (f.value(QLatin1String("type")).toString() == type)
                out << f;
        return out;
    }
    bool waitClosed(int timeoutMs = 5000)
    {
        return waitState(QAbstractSocket::UnconnectedState, timeoutMs);
    }
    void clear()
    {
        frames.clear();
        m_used.clear();
    }

    QWebSocket ws;
    QList<QJsonObject> frames;
    int closeCode = -1;

private:
    QSet<qsizetype> m_used;
    int m_nextId = 0;
};

/** The actions of an approval request: Approve and Reject. */
inline QJsonArray approveReject()
{
    return QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("approve")},
                                  {QStringLiteral("label"), QStringLiteral("Approve")}},
                      QJsonObject{{QStringLiteral("id"), QStringLiteral("reject")},
                                  {QStringLiteral("label"), QStringLiteral("Reject")}}};
}

/** Blocking HTTP helper. */
struct Http
{
    struct Response
    {
        int status = 0;
        QJsonObject json;
        QByteArray body;
    };
    Response request(const QByteArray &verb, const QUrl &url, const QByteArray &body = {},
                     const QString &token = {})
    {
        QNetworkRequest req(url);
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        if (!token.isEmpty())
            req.setRawHeader("Authorization", "Bearer " + token.toLatin1());
        QNetworkReply *reply = nam.sendCustomRequest(req, verb, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(10000);
        Response r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        r.json = QJsonDocument::fromJson(r.body).object();
        reply->deleteLater();
        return r;
    }
    Response post(const QUrl &url, const QJsonObject &body, const QString &token = {})
    {
        return request("POST", url, QJsonDocument(body).toJson(QJsonDocument::Compact), token);
    }
    Response get(const QUrl &url, const QString &token = {})
    {
        return request("GET", url, {}, token);
    }
    QNetworkAccessManager nam;
};

} // namespace testkit
