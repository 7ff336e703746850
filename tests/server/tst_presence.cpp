// Presence across devices, the online count and its coalescing, heartbeats.
#include "testkit.h"

#include "core/hub.h"

#include <QTcpSocket>

using namespace testkit;
using namespace Qt::StringLiterals;

namespace {
QList<QJsonObject> presenceOf(const Client &c, const QString &user)
{
    QList<QJsonObject> out;
    for (const QJsonObject &p : c.all(QStringLiteral("presence")))
        for (const QJsonValue &u : p.value(QLatin1String("users")).toArray())
            if (u.toObject().value(QLatin1String("user")).toString() == user)
                out << u.toObject();
    return out;
}
} // namespace

class TestPresence : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        QStringList all;
        for (int i = 0; i < 60; ++i)
            all << QStringLiteral("u%1").arg(i);
        const auto tokens = seed.people(all);
        m_tokens.clear();
        for (const QString &name : all)
            m_tokens << tokens[name];
        seed.room(QStringLiteral("all"), all);
        seed.user(QStringLiteral("loner"));
        m_loner = seed.token(QStringLiteral("loner"));
    }
    void cleanup() { m_dir.reset(); }

    void onlineWhileAnyDeviceIs()
    {
        herald::Config cfg;
        cfg.presenceCoalesceMs = 50;
        LocalServer s(m_dir->path(), cfg);
        Client watcher;
        QVERIFY(watcher.open(s.wsUrl(), m_tokens[0]));
        auto d1 = std::make_unique<Client>();
        auto d2 = std::make_unique<Client>();
        QVERIFY(d1->open(s.wsUrl(), m_tokens[1]));
        QTRY_COMPARE(presenceOf(watcher, QStringLiteral("u1")).size(), 1);
        QCOMPARE(presenceOf(watcher, QStringLiteral("u1"))
                     .last()
                     .value(QLatin1String("status"))
                     .toString(),
                 QStringLiteral("online"));
        QVERIFY(d2->open(s.wsUrl(), m_tokens[1]));
        d1->ws.close();
        QVERIFY(d1->waitClosed());
        QTest::qWait(300);
        // still online thanks to the second device: no new announcement
        QCOMPARE(presenceOf(watcher, QStringLiteral("u1")).size(), 1);
        QCOMPARE(s.server->hub()->onlineCount(), 2);
        // away only when every device is away
        d2->send(QStringLiteral("presence.set"),
                 {{QStringLiteral("status"), QStringLiteral("away")}});
        QTRY_COMPARE(presenceOf(watcher, QStringLiteral("u1")).size(), 2);
        QCOMPARE(presenceOf(watcher, QStringLiteral("u1"))
                     .last()
                     .value(QLatin1String("status"))
                     .toString(),
                 QStringLiteral("away"));
        d2->ws.close();
        QVERIFY(d2->waitClosed());
        QTRY_COMPARE(presenceOf(watcher, QStringLiteral("u1")).size(), 3);
        QCOMPARE(presenceOf(watcher, QStringLiteral("u1"))
                     .last()
                     .value(QLatin1String("status"))
                     .toString(),
                 QStringLiteral("offline"));
        const QJsonObject last = watcher.all(QStringLiteral("presence")).last();
        QCOMPARE(last.value(QLatin1String("online")).toInt(), 1); // the room's online count
        // people who share no room hear nothing
        Client loner;
        QVERIFY(loner.open(s.wsUrl(), m_loner));
        Client again;
        QVERIFY(again.open(s.wsUrl(), m_tokens[1]));
        QTest::qWait(300);
        QVERIFY(loner.all(QStringLiteral("presence")).isEmpty());
        const QJsonArray members = watcher
                                       .request(QStringLiteral("room.members"),
                                                {{QStringLiteral("room"), QStringLiteral("all")}})
                                       .value(QLatin1String("data"))
                                       .toObject()
                                       .value(QLatin1String("members"))
                                       .toArray();
        QCOMPARE(members.size(), 60);
    }

    void onlineCountIsCoalesced()
    {
        herald::Config cfg;
        cfg.presenceCoalesceMs = 250;
        LocalServer s(m_dir->path(), cfg);
        Client watcher;
        QVERIFY(watcher.open(s.wsUrl(), m_loner));
        std::vector<std::unique_ptr<Client>> crowd;
        for (int i = 0; i < 50; ++i) {
            crowd.push_back(std::make_unique<Client>());
            QNetworkRequest req(s.wsUrl());
            req.setRawHeader("Authorization", "Bearer " + m_tokens[i].toLatin1());
            crowd.back()->ws.open(req);
        }
        QTRY_COMPARE_WITH_TIMEOUT(s.server->hub()->onlineCount(), 51, 10000);
        auto lastCount = [&watcher] {
            const QList<QJsonObject> counts = watcher.all(QStringLiteral("online"));
            return counts.isEmpty() ? -1 : counts.last().value(QLatin1String("count")).toInt();
        };
        QTRY_COMPARE(lastCount(), 51);
        const int updates = static_cast<int>(watcher.all(QStringLiteral("online")).size());
        QVERIFY2(updates <= 8,
                 qPrintable(QStringLiteral("%1 online-count frames for 50 connects").arg(updates)));
        // and the room-level presence of the burst came in a few frames, not 50
        QVERIFY(crowd[0]->all(QStringLiteral("presence")).size() <= 8);
    }

    void awaySinceIsTheIdleStart()
    {
        herald::Config cfg;
        cfg.presenceCoalesceMs = 50;
        LocalServer s(m_dir->path(), cfg);
        Client watcher, phone, laptop;
        QVERIFY(watcher.open(s.wsUrl(), m_tokens[0]));
        QVERIFY(phone.open(s.wsUrl(), m_tokens[3]));
        QVERIFY(laptop.open(s.wsUrl(), m_tokens[3]));
        const auto since = [](const QJsonObject &o) { return o.value(QLatin1String("since")); };
        // Bad idle times change nothing.
        for (const QJsonValue &bad : {QJsonValue(-1), QJsonValue(604800001.0), QJsonValue(1e300)}) {
            const QJsonObject e = phone.request(QStringLiteral("presence.set"),
                                                {{QStringLiteral("status"), QStringLiteral("away")},
                                                 {QStringLiteral("idle"), bad}});
            QCOMPARE(e.value(QLatin1String("type")).toString(), QStringLiteral("error"));
            QCOMPARE(e.value(QLatin1String("code")).toString(), QStringLiteral("bad_value"));
            QCOMPARE(e.value(QLatin1String("field")).toString(), QStringLiteral("idle"));
        }
        // One device idle for 10 minutes: still online (the other is in use).
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        phone.request(
            QStringLiteral("presence.set"),
            {{QStringLiteral("status"), QStringLiteral("away")}, {QStringLiteral("idle"), 600000}});
        // The second goes idle 2 minutes later: away since then, the latest of the two.
        laptop.request(
            QStringLiteral("presence.set"),
            {{QStringLiteral("status"), QStringLiteral("away")}, {QStringLiteral("idle"), 120000}});
        const qint64 after = QDateTime::currentMSecsSinceEpoch();
        QTRY_VERIFY(!presenceOf(watcher, QStringLiteral("u3")).isEmpty() &&
                    presenceOf(watcher, QStringLiteral("u3")).last().value("status"_L1) ==
                        QStringLiteral("away"));
        const qint64 announced =
            since(presenceOf(watcher, QStringLiteral("u3")).last()).toInteger();
        QVERIFY2(announced >= before - 120000 && announced <= after - 120000,
                 qPrintable(QString::number(announced - before)));
        // The lists say it too.
        const QJsonArray users = watcher.request(QStringLiteral("user.list"))
                                     .value(QLatin1String("data"))
                                     .toObject()
                                     .value(QLatin1String("users"))
                                     .toArray();
        bool listed = false;
        for (const QJsonValue &u : users)
            if (u["name"_L1].toString() == QStringLiteral("u3")) {
                listed = true;
                QCOMPARE(u["status"_L1].toString(), QStringLiteral("away"));
                QCOMPARE(since(u.toObject()).toInteger(), announced);
            } else {
                QVERIFY(!u.toObject().contains("since"_L1)); // nobody else is away
            }
        QVERIFY(listed);
        // Back: online, and no "since" any more.
        laptop.request(QStringLiteral("presence.set"),
                       {{QStringLiteral("status"), QStringLiteral("online")}});
        QTRY_COMPARE(presenceOf(watcher, QStringLiteral("u3")).last().value("status"_L1).toString(),
                     QStringLiteral("online"));
        QVERIFY(!presenceOf(watcher, QStringLiteral("u3")).last().contains("since"_L1));
        const QJsonArray members = watcher
                                       .request(QStringLiteral("room.members"),
                                                {{QStringLiteral("room"), QStringLiteral("all")}})
                                       .value(QLatin1String("data"))
                                       .toObject()
                                       .value(QLatin1String("members"))
                                       .toArray();
        for (const QJsonValue &m : members)
            QVERIFY(!m.toObject().contains("since"_L1));
    }

    void silentConnectionIsClosedByHeartbeat()
    {
        herald::Config cfg;
        cfg.heartbeatInterval = 1;
        // 4 s: the watcher in this process answers pings only when the test's event loop runs;
        // 2 s was seen to close it too on a machine loaded by parallel builds.
        cfg.heartbeatTimeout = 4;
        cfg.presenceCoalesceMs = 50;
        LocalServer s(m_dir->path(), cfg);
        Client watcher;
        QVERIFY(watcher.open(s.wsUrl(), m_tokens[0]));
        // A raw client that completes the handshake and then never answers pings.
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, s.server->port());
        QVERIFY(raw.waitForConnected(3000));
        raw.write("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                  "Authorization: Bearer " +
                  m_tokens[2].toLatin1() + "\r\n\r\n");
        QTRY_VERIFY(raw.bytesAvailable() > 0);
        QVERIFY(raw.peek(12).startsWith("HTTP/1.1 101"));
        QTRY_COMPARE(presenceOf(watcher, QStringLiteral("u2")).size(), 1);
        QElapsedTimer t;
        t.start();
        QTRY_COMPARE_WITH_TIMEOUT(raw.state(), QAbstractSocket::UnconnectedState, 8000);
        QVERIFY(t.elapsed() < 8000);
        QTRY_COMPARE(presenceOf(watcher, QStringLiteral("u2")).size(), 2);
        QCOMPARE(presenceOf(watcher, QStringLiteral("u2"))
                     .last()
                     .value(QLatin1String("status"))
                     .toString(),
                 QStringLiteral("offline"));
        // the well-behaved client (QWebSocket answers pings) is still there
        QCOMPARE(watcher.ws.state(), QAbstractSocket::ConnectedState);
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QStringList m_tokens;
    QString m_loner;
};

QTEST_MAIN(TestPresence)
#include "tst_presence.moc"
