// The hiredis-based client against a real redis-server started here: commands, Pub/Sub,
// reconnect with re-subscription after a Redis restart, and the Lua presence read.
#include "net/redisbus.h"
#include "net/redisclient.h"

#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace herald;

class TestRedisClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty())
            QSKIP("redis-server not installed");
        QTcpServer s;
        s.listen(QHostAddress::LocalHost);
        m_port = s.serverPort();
    }
    void init() { startRedis(); }
    void cleanup() { stopRedis(); }

    void commandsAndReplies()
    {
        RedisClient c(QStringLiteral("127.0.0.1"), m_port);
        QSignalSpy up(&c, &RedisClient::connected);
        c.start();
        QVERIFY(up.wait(5000));
        QVariant got;
        bool ok = false;
        c.command({"SET", "herald:test", "value with spaces"}, [](const QVariant &, bool) {});
        c.command({"GET", "herald:test"}, [&](const QVariant &v, bool k) {
            got = v;
            ok = k;
        });
        QTRY_VERIFY(ok);
        QCOMPARE(got.toByteArray(), QByteArray("value with spaces"));
        ok = false;
        c.command({"INCRBY", "herald:n", "41"}, [&](const QVariant &v, bool k) {
            got = v;
            ok = k;
        });
        QTRY_VERIFY(ok);
        QCOMPARE(got.toLongLong(), 41);
        bool failed = false;
        c.command({"NOSUCHCOMMAND"}, [&](const QVariant &, bool k) { failed = !k; });
        QTRY_VERIFY(failed);
    }

    void pubSubSurvivesARedisRestart()
    {
        RedisClient pub(QStringLiteral("127.0.0.1"), m_port),
            sub(QStringLiteral("127.0.0.1"), m_port);
        QSignalSpy messages(&sub, &RedisClient::message);
        QSignalSpy subUp(&sub, &RedisClient::connected);
        QSignalSpy pubUp(&pub, &RedisClient::connected);
        sub.subscribe("herald:chan");
        sub.start();
        pub.start();
        QVERIFY(subUp.wait(5000));
        if (pubUp.isEmpty())
            QVERIFY(pubUp.wait(5000));
        QTest::qWait(100);
        pub.command({"PUBLISH", "herald:chan", "one"});
        QTRY_COMPARE(messages.size(), 1);
        QCOMPARE(messages.first().at(1).toByteArray(), QByteArray("one"));

        QSignalSpy down(&sub, &RedisClient::disconnected);
        stopRedis();
        QTRY_VERIFY_WITH_TIMEOUT(!down.isEmpty(), 5000);
        QVERIFY(!sub.isConnected());
        bool refused = false;
        pub.command({"PING"}, [&](const QVariant &, bool ok) { refused = !ok; });
        QTRY_VERIFY(refused); // fails at once while down, never hangs
        startRedis();
        QTRY_VERIFY_WITH_TIMEOUT(sub.isConnected() && pub.isConnected(), 10000);
        QTest::qWait(200); // the re-subscription is on its way
        pub.command({"PUBLISH", "herald:chan", "two"});
        QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 2, 5000);
        QCOMPARE(messages.last().at(1).toByteArray(), QByteArray("two"));
    }

    void presenceExpires()
    {
        RedisBus a(QStringLiteral("127.0.0.1"), m_port, "node-a"),
            b(QStringLiteral("127.0.0.1"), m_port, "node-b");
        QSignalSpy aUp(&a, &Bus::up), bUp(&b, &Bus::up);
        a.start();
        b.start();
        QTRY_VERIFY_WITH_TIMEOUT(a.isUp() && b.isUp(), 5000);
        a.announcePresence({1, 2}, {}, 30);
        b.announcePresence({2, 3}, {}, 1); // node b's entries expire in a second
        QTest::qWait(200);                 // two connections: let both writes land
        QList<qint64> seen;
        bool done = false;
        a.readPresence([&](const QList<qint64> &u) {
            seen = u;
            done = true;
        });
        QTRY_VERIFY(done);
        std::sort(seen.begin(), seen.end());
        QCOMPARE(seen, (QList<qint64>{1, 2, 3}));
        QTest::qWait(1200);
        done = false;
        a.announcePresence({}, {1}, 30); // 1 went offline on a
        a.readPresence([&](const QList<qint64> &u) {
            seen = u;
            done = true;
        });
        QTRY_VERIFY(done);
        QCOMPARE(seen, QList<qint64>{2});
    }

private:
    void startRedis()
    {
        m_redis = std::make_unique<QProcess>();
        m_redis->start(QStringLiteral("redis-server"),
                       {QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
                        QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                        QStringLiteral("--appendonly"), QStringLiteral("no")});
        QVERIFY(m_redis->waitForStarted());
        for (int i = 0; i < 50; ++i) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(100))
                return;
            QTest::qWait(100);
        }
        QFAIL("redis-server did not start");
    }
    void stopRedis()
    {
        if (m_redis) {
            m_redis->kill();
            m_redis->waitForFinished();
            m_redis.reset();
        }
    }
    quint16 m_port = 0;
    std::unique_ptr<QProcess> m_redis;
};

QTEST_MAIN(TestRedisClient)
#include "tst_redisclient.moc"
