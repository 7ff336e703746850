// The real herald-server binary: --help/--version, config errors, SIGTERM, restarts.
#include "testkit.h"

using namespace testkit;

class TestLifecycle : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        seed.user(QStringLiteral("alice"));
        m_token = seed.token(QStringLiteral("alice"));
        seed.room(QStringLiteral("general"), {QStringLiteral("alice")});
    }
    void cleanup() { m_dir.reset(); }

    void helpAndVersion()
    {
        QProcess p;
        p.start(ServerProcess::binary("herald-server"), {QStringLiteral("--version")});
        QVERIFY(p.waitForFinished(5000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().contains(HERALD_VERSION));
        p.start(ServerProcess::binary("herald-server"), {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(5000));
        const QByteArray help = p.readAllStandardOutput();
        QVERIFY(help.contains("--data-dir"));
        QVERIFY(help.contains("heartbeat_interval"));
    }

    void badConfigIsAClearError_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("port") << QStringList{QStringLiteral("--port"), QStringLiteral("99999")}
                              << QByteArray("port must be");
        QTest::newRow("port 2^64")
            << QStringList{QStringLiteral("--port"), QStringLiteral("18446744073709551616")}
            << QByteArray("port must be a whole number from 0 to 65535, not "
                          "'18446744073709551616'");
        QTest::newRow("io_threads 1e300")
            << QStringList{QStringLiteral("--set"), QStringLiteral("io_threads=1e300")}
            << QByteArray("io_threads must be a whole number from 0 to 64, not '1e300'");
        QTest::newRow("unknown key")
            << QStringList{QStringLiteral("--set"), QStringLiteral("nope=1")}
            << QByteArray("unknown config key");
        QTest::newRow("listen") << QStringList{QStringLiteral("--listen"),
                                               QStringLiteral("not-an-ip")}
                                << QByteArray("listen must be");
        QTest::newRow("config file")
            << QStringList{QStringLiteral("--config"), QStringLiteral("/nonexistent/herald.conf")}
            << QByteArray("herald.conf");
    }
    void badConfigIsAClearError()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, message);
        QProcess p;
        p.start(ServerProcess::binary("herald-server"),
                QStringList{QStringLiteral("--data-dir"), m_dir->path()} + args);
        QVERIFY(p.waitForFinished(5000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY2(p.readAllStandardError().contains(message), message.constData());
    }

    void configFileAndEnvironment()
    {
        QFile conf(m_dir->filePath(QStringLiteral("herald.conf")));
        QVERIFY(conf.open(QIODevice::WriteOnly));
        conf.write("[server]\nheartbeat_interval=7\nmax_connections_per_user=1\n");
        conf.close();
        ServerProcess p;
        QVERIFY(p.start(m_dir->path(), {QStringLiteral("--config"), conf.fileName()}));
        Client a, b;
        QVERIFY(a.open(p.wsUrl(), m_token));
        QCOMPARE(a.all(QStringLiteral("hello")).first().value(QLatin1String("heartbeat")).toInt(),
                 7);
        QVERIFY(!b.open(p.wsUrl(), m_token));
        QCOMPARE(b.closeCode, static_cast<int>(herald::proto::Close::TooManyConnections));
    }

    void sigtermClosesWith1001AndExitsZero()
    {
        ServerProcess p;
        QVERIFY(p.start(m_dir->path()));
        Client c;
        QVERIFY(c.open(p.wsUrl(), m_token));
        QCOMPARE(c.request(QStringLiteral("msg.send"),
                           {{QStringLiteral("room"), QStringLiteral("general")},
                            {QStringLiteral("clientId"), QStringLiteral("1")},
                            {QStringLiteral("text"), QStringLiteral("before shutdown")}})
                     .value(QLatin1String("type"))
                     .toString(),
                 QStringLiteral("result"));
        p.proc->terminate();
        QVERIFY(c.waitClosed(5000));
        QCOMPARE(c.closeCode, static_cast<int>(herald::proto::Close::GoingAway));
        // (waitForFinished() is false when the process already ended)
        QVERIFY(p.proc->state() == QProcess::NotRunning || p.proc->waitForFinished(5000));
        QCOMPARE(p.proc->exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.proc->exitCode(), 0);
        const QByteArray log = p.proc->readAllStandardError();
        QVERIFY(log.contains("shutting down"));
        QVERIFY(!log.contains(m_token.toLatin1()));
        // everything acknowledged is there after a restart
        QVERIFY(p.start(m_dir->path()));
        Client again;
        QVERIFY(again.open(p.wsUrl(), m_token));
        QCOMPARE(again.all(QStringLiteral("hello"))
                     .first()
                     .value(QLatin1String("rooms"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("lastSeq"))
                     .toInt(),
                 1);
    }

    void logsNeverContainTokens()
    {
        ServerProcess p;
        QVERIFY(
            p.start(m_dir->path(), {QStringLiteral("--set"), QStringLiteral("log_level=debug")}));
        Client ok, bad;
        QVERIFY(ok.open(p.wsUrl(), m_token));
        QVERIFY(!bad.open(p.wsUrl(), m_token + QStringLiteral("x")));
        Http http;
        http.post(p.httpUrl(QStringLiteral("/api/v1/login")),
                  {{QStringLiteral("username"), QStringLiteral("alice")},
                   {QStringLiteral("password"), QStringLiteral("hunter2-secret")}});
        QCOMPARE(p.terminate(), 0);
        const QByteArray log = p.proc->readAllStandardError() + p.proc->readAllStandardOutput();
        QVERIFY(log.contains("auth failed"));
        const QByteArray secret = m_token.mid(m_token.indexOf(QLatin1Char('_'), 4) + 1).toLatin1();
        QVERIFY(!log.contains(secret));
        QVERIFY(!log.contains("hunter2-secret"));
    }

    void demoModeWritesTokensToPrivateFiles()
    {
        QTemporaryDir dir;
        ServerProcess p;
        QVERIFY(p.start(dir.path(), {QStringLiteral("--demo"), QStringLiteral("demo")}));
        QFile token(dir.filePath(QStringLiteral("demo-token")));
        QVERIFY(token.open(QIODevice::ReadOnly));
        QCOMPARE(token.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
        Client c;
        QVERIFY(c.open(p.wsUrl(), QString::fromLatin1(token.readAll().trimmed())));
        QCOMPARE(c.all(QStringLiteral("hello"))
                     .first()
                     .value(QLatin1String("user"))
                     .toObject()
                     .value(QLatin1String("name"))
                     .toString(),
                 QStringLiteral("demo"));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_token;
};

QTEST_MAIN(TestLifecycle)
#include "tst_lifecycle.moc"
