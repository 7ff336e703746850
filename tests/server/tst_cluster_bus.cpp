// Cluster mode: two herald-server processes on one PostgreSQL database and one Redis, started
// here (PostgreSQL by pg_virtualenv around this test, Redis by the test itself).
#include "testkit.h"

#include <QTcpServer>

using namespace testkit;

namespace {
quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost);
    return s.serverPort();
}

QList<int> seqsIn(const Client &c, const QString &room)
{
    QList<int> out;
    for (const QJsonObject &m : c.all(QStringLiteral("message")))
        if (m.value(QLatin1String("room")).toString() == room)
            out << m.value(QLatin1String("seq")).toInt();
    return out;
}

bool contiguous(const QList<int> &seqs, int from, int to)
{
    if (seqs.size() != to - from + 1)
        return false;
    for (int i = 0; i < seqs.size(); ++i)
        if (seqs[i] != from + i)
            return false;
    return true;
}
} // namespace

class TestClusterBus : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariableIsEmpty("PGHOST") && qEnvironmentVariableIsEmpty("PGPORT"))
            QSKIP("no PostgreSQL: run under pg_virtualenv (see tests/server/CMakeLists.txt)");
        if (QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty())
            QSKIP("redis-server not installed");
    }

    void init()
    {
        m_redisPort = freePort();
        startRedis();
        m_dirA = std::make_unique<QTemporaryDir>();
        m_dirB = std::make_unique<QTemporaryDir>();
        // a fresh schema for every test: drop what the previous one left
        QProcess psql;
        psql.start(QStringLiteral("psql"),
                   {QStringLiteral("-q"), QStringLiteral("-c"),
                    QStringLiteral("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")});
        QVERIFY(psql.waitForFinished(20000));
        QCOMPARE(psql.exitCode(), 0);
        {
            herald::Config cfg;
            cfg.storage = QStringLiteral("postgres");
            cfg.dataDir = m_dirA->path();
            Seed seed(herald::StorageSettings::fromConfig(cfg));
            const QStringList people{QStringLiteral("alice"), QStringLiteral("bob"),
                                     QStringLiteral("carol")};
            m_tokens = seed.people(people);
            seed.room(QStringLiteral("general"), people);
            m_service = seed.service(QStringLiteral("erp"));
        }
    }

    void cleanup()
    {
        m_a.kill();
        m_b.kill();
        if (m_redis) {
            m_redis->kill();
            m_redis->waitForFinished();
        }
    }

    void roomMessagesReachBothNodesInOrder()
    {
        startNodes();
        Client alice, bob, carol;
        QVERIFY(alice.open(m_a.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_b.wsUrl(), m_tokens[QStringLiteral("bob")]));
        QVERIFY(carol.open(m_b.wsUrl(), m_tokens[QStringLiteral("carol")]));
        QTest::qWait(500); // subscriptions settle
        // concurrent senders on both nodes
        for (int i = 0; i < 20; ++i) {
            alice.send(QStringLiteral("msg.send"), msg(QStringLiteral("a%1").arg(i)));
            bob.send(QStringLiteral("msg.send"), msg(QStringLiteral("b%1").arg(i)));
        }
        for (Client *c : {&alice, &bob, &carol})
            QTRY_COMPARE_WITH_TIMEOUT(seqsIn(*c, QStringLiteral("general")).size(), 40, 15000);
        QTest::qWait(500);
        for (Client *c : {&alice, &bob, &carol})
            QVERIFY2(contiguous(seqsIn(*c, QStringLiteral("general")), 1, 40),
                     "not exactly 1..40 in order");
        // presence across nodes: bob (node B) sees alice (node A) online, and the count is global
        QTRY_VERIFY_WITH_TIMEOUT(
            !bob.all(QStringLiteral("online")).isEmpty() &&
                bob.all(QStringLiteral("online")).last().value(QLatin1String("count")).toInt() == 3,
            10000);
    }

    void lostPublishesAreFilledFromStorage()
    {
        startNodes({{QStringLiteral("HERALD_TEST_DROP_EVERY_NTH_PUBLISH"), QStringLiteral("3")}});
        Client alice, bob;
        QVERIFY(alice.open(m_a.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_b.wsUrl(), m_tokens[QStringLiteral("bob")]));
        QTest::qWait(500);
        for (int i = 0; i < 30; ++i)
            alice.send(QStringLiteral("msg.send"), msg(QStringLiteral("x%1").arg(i)));
        QTRY_COMPARE_WITH_TIMEOUT(seqsIn(bob, QStringLiteral("general")).size(), 30, 15000);
        QVERIFY(contiguous(seqsIn(bob, QStringLiteral("general")), 1, 30));
        // Notifications published on node A, every third bus event lost: node B fills them from
        // storage (one query for all its people) and bob gets each once, in order.
        Http http;
        QList<qint64> ids;
        for (int i = 0; i < 7; ++i) {
            const auto r = http.post(
                m_a.httpUrl(QStringLiteral("/api/v1/notifications")),
                {{QStringLiteral("recipients"),
                  QJsonObject{{QStringLiteral("users"),
                               QJsonArray{QStringLiteral("bob"), QStringLiteral("alice")}}}},
                 {QStringLiteral("title"), QStringLiteral("gap%1").arg(i)}},
                m_service);
            QCOMPARE(r.status, 201);
            ids << r.json.value(QLatin1String("id")).toInteger();
        }
        QTRY_COMPARE_WITH_TIMEOUT(bob.all(QStringLiteral("notification")).size(), 7, 15000);
        QTest::qWait(300); // nothing more may come
        QList<qint64> got;
        for (const QJsonObject &n : bob.all(QStringLiteral("notification")))
            got << n.value(QLatin1String("notification"))
                       .toObject()
                       .value(QLatin1String("id"))
                       .toInteger();
        QCOMPARE(got, ids);
    }

    void notificationsReachDevicesOnEitherNode()
    {
        startNodes();
        Client a1, a2;
        QVERIFY(a1.open(m_a.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(a2.open(m_b.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QTest::qWait(300);
        Http http;
        QList<qint64> ids;
        for (int i = 0; i < 5; ++i) {
            const auto r = http.post(
                (i % 2 ? m_b : m_a).httpUrl(QStringLiteral("/api/v1/notifications")),
                {{QStringLiteral("recipients"),
                  QJsonObject{{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}}},
                 {QStringLiteral("title"), QStringLiteral("n%1").arg(i)}},
                m_service);
            QCOMPARE(r.status, 201);
            ids << r.json.value(QLatin1String("id")).toInteger();
        }
        for (Client *c : {&a1, &a2}) {
            QTRY_COMPARE_WITH_TIMEOUT(c->all(QStringLiteral("notification")).size(), 5, 10000);
            QList<qint64> got;
            for (const QJsonObject &n : c->all(QStringLiteral("notification")))
                got << n.value(QLatin1String("notification"))
                           .toObject()
                           .value(QLatin1String("id"))
                           .toInteger();
            QCOMPARE(got, ids);
        }
        // read on node A reaches the device on node B
        a1.request(QStringLiteral("notif.read"),
                   {{QStringLiteral("ids"), QJsonArray{ids.first()}}});
        QVERIFY(!a2.waitFor(QStringLiteral("notif.readSync"), {}, 10000).isEmpty());
        Client fresh;
        QVERIFY(fresh.open(m_b.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QCOMPARE(fresh.all(QStringLiteral("hello")).first().value(QLatin1String("unread")).toInt(),
                 4);
    }

    void escalationStepsFireOnceAcrossNodes()
    {
        // Both nodes poll for due steps; each step fires once: everyone connected to either
        // node gets exactly one reminder per notification, and carol is added once.
        {
            herald::Config cfg;
            cfg.storage = QStringLiteral("postgres");
            cfg.dataDir = m_dirA->path();
            Seed seed(herald::StorageSettings::fromConfig(cfg));
            seed.group(QStringLiteral("approvers-2"), {QStringLiteral("carol")});
        }
        startNodes();
        Http http;
        const qint64 published = QDateTime::currentMSecsSinceEpoch();
        QSet<qint64> ids;
        for (int i = 0; i < 8; ++i) {
            const auto r = http.post(
                (i % 2 ? m_b : m_a).httpUrl(QStringLiteral("/api/v1/notifications")),
                {{QStringLiteral("recipients"),
                  QJsonObject{{QStringLiteral("users"),
                               QJsonArray{QStringLiteral("alice"), QStringLiteral("bob")}}}},
                 {QStringLiteral("title"), QStringLiteral("esc%1").arg(i)},
                 {QStringLiteral("escalation"),
                  QJsonArray{
                      QJsonObject{{QStringLiteral("after"), 30}, {QStringLiteral("remind"), true}},
                      QJsonObject{
                          {QStringLiteral("after"), 31},
                          {QStringLiteral("groups"), QJsonArray{QStringLiteral("approvers-2")}}}}}},
                m_service);
            QCOMPARE(r.status, 201);
            ids.insert(r.json.value(QLatin1String("id")).toInteger());
        }
        m_a.kill();
        m_b.kill();
        // Again with both clocks moved on, so that the first steps fall due about 4 s from now.
        const qint64 offset = published + 30000 - QDateTime::currentMSecsSinceEpoch() - 4000;
        startNodes({{QStringLiteral("HERALD_TEST_CLOCK_OFFSET_MS"), QString::number(offset)}},
                   true);
        Client alice, bob, carolA, carolB;
        QVERIFY(alice.open(m_a.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_b.wsUrl(), m_tokens[QStringLiteral("bob")]));
        QVERIFY(carolA.open(m_a.wsUrl(), m_tokens[QStringLiteral("carol")]));
        QVERIFY(carolB.open(m_b.wsUrl(), m_tokens[QStringLiteral("carol")]));
        const auto idsOf = [](const QList<QJsonObject> &frames) {
            QList<qint64> out;
            for (const QJsonObject &f : frames)
                out << f.value(QLatin1String("notification"))
                           .toObject()
                           .value(QLatin1String("id"))
                           .toInteger();
            return out;
        };
        for (Client *c : {&alice, &bob})
            QTRY_COMPARE_WITH_TIMEOUT(c->all(QStringLiteral("notif.reminder")).size(), 8, 20000);
        for (Client *c : {&carolA, &carolB})
            QTRY_COMPARE_WITH_TIMEOUT(c->all(QStringLiteral("notification")).size(), 8, 20000);
        QTest::qWait(3000); // more polls on both nodes: nothing fires again
        for (Client *c : {&alice, &bob}) {
            const QList<qint64> got = idsOf(c->all(QStringLiteral("notif.reminder")));
            QCOMPARE(got.size(), 8);
            QCOMPARE(QSet<qint64>(got.begin(), got.end()), ids);
        }
        for (Client *c : {&carolA, &carolB}) {
            const QList<qint64> got = idsOf(c->all(QStringLiteral("notification")));
            QCOMPARE(got.size(), 8);
            QCOMPARE(QSet<qint64>(got.begin(), got.end()), ids);
        }
        // Storage agrees: every step fired once.
        QProcess psql;
        psql.start(QStringLiteral("psql"),
                   {QStringLiteral("-At"), QStringLiteral("-c"),
                    QStringLiteral("SELECT outcome, COUNT(*) FROM escalation_steps GROUP BY "
                                   "outcome")});
        QVERIFY(psql.waitForFinished(20000));
        QCOMPARE(psql.readAllStandardOutput().trimmed(), QByteArray("fired|16"));
        Client fresh;
        QVERIFY(fresh.open(m_b.wsUrl(), m_tokens[QStringLiteral("carol")]));
        QCOMPARE(fresh.all(QStringLiteral("hello")).first().value(QLatin1String("unread")).toInt(),
                 8);
    }

    void changesBySourceReachDevicesOnEitherNode()
    {
        startNodes();
        Client a1, a2, b;
        QVERIFY(a1.open(m_a.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(a2.open(m_b.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(b.open(m_b.wsUrl(), m_tokens[QStringLiteral("bob")]));
        QTest::qWait(300);
        Http http;
        QList<qint64> ids;
        for (int i = 0; i < 2; ++i) {
            const auto r = http.post(
                m_a.httpUrl(QStringLiteral("/api/v1/notifications")),
                {{QStringLiteral("recipients"),
                  QJsonObject{{QStringLiteral("users"),
                               QJsonArray{QStringLiteral("alice"), QStringLiteral("bob")}}}},
                 {QStringLiteral("title"), QStringLiteral("c%1").arg(i)}},
                m_service);
            QCOMPARE(r.status, 201);
            ids << r.json.value(QLatin1String("id")).toInteger();
        }
        for (Client *c : {&a1, &a2, &b})
            QTRY_COMPARE_WITH_TIMEOUT(c->all(QStringLiteral("notification")).size(), 2, 10000);
        // Changed through node B, published through node A: every device on both nodes follows.
        const auto patched = http.request(
            "PATCH", m_b.httpUrl(QStringLiteral("/api/v1/notifications/%1").arg(ids[0])),
            R"J({"resolved":"approved in SAP"})J", m_service);
        QCOMPARE(patched.status, 200);
        const auto gone = http.request(
            "DELETE", m_b.httpUrl(QStringLiteral("/api/v1/notifications/%1").arg(ids[1])), {},
            m_service);
        QCOMPARE(gone.status, 200);
        for (Client *c : {&a1, &a2, &b}) {
            const QJsonObject u = c->waitFor(QStringLiteral("notif.updated"), {}, 10000);
            QCOMPARE(u.value(QLatin1String("notification"))
                         .toObject()
                         .value(QLatin1String("resolved"))
                         .toObject()
                         .value(QLatin1String("text"))
                         .toString(),
                     QStringLiteral("approved in SAP"));
            QCOMPARE(c->waitFor(QStringLiteral("notif.retracted"), {}, 10000)
                         .value(QLatin1String("notification"))
                         .toInteger(),
                     ids[1]);
            // The unread count drops on every node (each counts for the devices it holds).
            QVERIFY(!c->waitFor(
                          QStringLiteral("notif.unread"),
                          [](const QJsonObject &f) {
                              return f.value(QLatin1String("count")).toInt() == 1;
                          },
                          10000)
                         .isEmpty());
        }
    }

    void resumeOnTheOtherNode()
    {
        startNodes();
        Client bob;
        QVERIFY(bob.open(m_b.wsUrl(), m_tokens[QStringLiteral("bob")]));
        int lastSeen = 0;
        {
            Client alice;
            QVERIFY(alice.open(m_a.wsUrl(), m_tokens[QStringLiteral("alice")]));
            for (int i = 0; i < 5; ++i)
                QCOMPARE(
                    alice
                        .request(QStringLiteral("msg.send"), msg(QStringLiteral("before%1").arg(i)))
                        .value(QLatin1String("type"))
                        .toString(),
                    QStringLiteral("result"));
            QTRY_COMPARE(seqsIn(alice, QStringLiteral("general")).size(), 5);
            lastSeen = seqsIn(alice, QStringLiteral("general")).last();
        }
        for (int i = 0; i < 10; ++i)
            QCOMPARE(bob.request(QStringLiteral("msg.send"), msg(QStringLiteral("away%1").arg(i)))
                         .value(QLatin1String("type"))
                         .toString(),
                     QStringLiteral("result"));
        Client back; // alice again, now on node B
        QVERIFY(back.open(m_b.wsUrl(), m_tokens[QStringLiteral("alice")]));
        const QJsonObject r = back.request(
            QStringLiteral("resume"),
            {{QStringLiteral("rooms"), QJsonObject{{QStringLiteral("general"), lastSeen}}}});
        QCOMPARE(r.value(QLatin1String("type")).toString(), QStringLiteral("result"));
        QVERIFY(contiguous(seqsIn(back, QStringLiteral("general")), lastSeen + 1, lastSeen + 10));
    }

    void mentionsAndNotifyLevelsReachTheOtherNode()
    {
        startNodes();
        Client aliceA, aliceB, bob;
        QVERIFY(aliceA.open(m_a.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(aliceB.open(m_b.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_b.wsUrl(), m_tokens[QStringLiteral("bob")]));
        QTest::qWait(500); // subscriptions settle
        // A message sent on node A reaches node B with its mentions.
        QJsonObject m = msg(QStringLiteral("m1"));
        m.insert(QStringLiteral("text"), QStringLiteral("@bob and @carol, see this"));
        QCOMPARE(
            aliceA.request(QStringLiteral("msg.send"), m).value(QLatin1String("type")).toString(),
            QStringLiteral("result"));
        const QJsonObject got = bob.waitFor(QStringLiteral("message"), {}, 10000);
        QCOMPARE(got.value(QLatin1String("mentions")).toArray(),
                 (QJsonArray{QStringLiteral("bob"), QStringLiteral("carol")}));
        // A notification level set on node A reaches alice's device on node B.
        const QJsonObject r = aliceA.request(QStringLiteral("room.notify"),
                                             {{QStringLiteral("room"), QStringLiteral("general")},
                                              {QStringLiteral("level"), QStringLiteral("none")}});
        QCOMPARE(r.value(QLatin1String("type")).toString(), QStringLiteral("result"));
        const QJsonObject sync = aliceB.waitFor(QStringLiteral("room.notifySync"), {}, 10000);
        QCOMPARE(sync.value(QLatin1String("room")).toString(), QStringLiteral("general"));
        QCOMPARE(sync.value(QLatin1String("level")).toString(), QStringLiteral("none"));
        QTest::qWait(300);
        QVERIFY(bob.all(QStringLiteral("room.notifySync")).isEmpty());
        QVERIFY(aliceA.all(QStringLiteral("room.notifySync")).isEmpty());
    }

    void readReceiptsReachTheOtherNode()
    {
        startNodes();
        Client bobA, bobB, aliceB, carolA;
        QVERIFY(bobA.open(m_a.wsUrl(), m_tokens[QStringLiteral("bob")]));
        QVERIFY(bobB.open(m_b.wsUrl(), m_tokens[QStringLiteral("bob")]));
        QVERIFY(aliceB.open(m_b.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(carolA.open(m_a.wsUrl(), m_tokens[QStringLiteral("carol")]));
        QTest::qWait(500); // subscriptions settle
        QCOMPARE(aliceB.request(QStringLiteral("msg.send"), msg(QStringLiteral("r1")))
                     .value(QLatin1String("type"))
                     .toString(),
                 QStringLiteral("result"));
        // bob reads on node A: alice on node B and carol on node A get the receipt; bob's
        // device on node B gets his marker, not a receipt.
        bobA.request(
            QStringLiteral("room.read"),
            {{QStringLiteral("room"), QStringLiteral("general")}, {QStringLiteral("seq"), 1}});
        for (Client *c : {&aliceB, &carolA}) {
            const QJsonObject r = c->waitFor(QStringLiteral("room.receipt"), {}, 10000);
            QCOMPARE(r.value(QLatin1String("user")).toString(), QStringLiteral("bob"));
            QCOMPARE(r.value(QLatin1String("seq")).toInt(), 1);
        }
        QVERIFY(!bobB.waitFor(QStringLiteral("room.readMarker"), {}, 10000).isEmpty());
        // Turning receipts off on node A reaches his device on node B.
        bobA.request(QStringLiteral("receipts.set"), {{QStringLiteral("send"), false}});
        QCOMPARE(
            bobB.waitFor(QStringLiteral("receipts.sync"), {}, 10000).value(QLatin1String("send")),
            QJsonValue(false));
        QTest::qWait(300);
        QVERIFY(bobA.all(QStringLiteral("room.receipt")).isEmpty());
        QVERIFY(bobB.all(QStringLiteral("room.receipt")).isEmpty());
        QCOMPARE(aliceB.all(QStringLiteral("room.receipt")).size(), 1);
    }

    void redisRestartLosesNothing()
    {
        startNodes();
        Client alice, bob;
        QVERIFY(alice.open(m_a.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_b.wsUrl(), m_tokens[QStringLiteral("bob")]));
        QTest::qWait(500);
        for (int i = 0; i < 10; ++i)
            alice.send(QStringLiteral("msg.send"), msg(QStringLiteral("r%1").arg(i)));
        QTRY_COMPARE_WITH_TIMEOUT(seqsIn(bob, QStringLiteral("general")).size(), 10, 10000);
        m_redis->kill();
        m_redis->waitForFinished();
        // Redis is away: nodes keep accepting and storing, and deliver what they can locally
        for (int i = 10; i < 20; ++i)
            QCOMPARE(alice.request(QStringLiteral("msg.send"), msg(QStringLiteral("r%1").arg(i)))
                         .value(QLatin1String("type"))
                         .toString(),
                     QStringLiteral("result"));
        startRedis();
        for (int i = 20; i < 30; ++i)
            alice.send(QStringLiteral("msg.send"), msg(QStringLiteral("r%1").arg(i)));
        QTRY_COMPARE_WITH_TIMEOUT(seqsIn(bob, QStringLiteral("general")).size(), 30, 20000);
        QVERIFY(contiguous(seqsIn(bob, QStringLiteral("general")), 1, 30));
        QVERIFY(contiguous(seqsIn(alice, QStringLiteral("general")), 1, 30));
    }

    void deadNodeShowsItsPeopleOffline()
    {
        startNodes();
        Client alice, bob;
        QVERIFY(alice.open(m_a.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_b.wsUrl(), m_tokens[QStringLiteral("bob")]));
        auto status = [&bob](const QString &user) {
            QString s;
            for (const QJsonObject &p : bob.all(QStringLiteral("presence")))
                for (const QJsonValue &u : p.value(QLatin1String("users")).toArray())
                    if (u.toObject().value(QLatin1String("user")).toString() == user)
                        s = u.toObject().value(QLatin1String("status")).toString();
            return s;
        };
        QTRY_COMPARE_WITH_TIMEOUT(status(QStringLiteral("alice")), QStringLiteral("online"), 10000);
        QElapsedTimer t;
        t.start();
        m_a.kill(); // no goodbye
        QTRY_COMPARE_WITH_TIMEOUT(status(QStringLiteral("alice")), QStringLiteral("offline"),
                                  45000);
        QVERIFY2(t.elapsed() < 40000, qPrintable(QString::number(t.elapsed())));
        // and her client resumes on B
        Client again;
        QVERIFY(again.open(m_b.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QTRY_COMPARE_WITH_TIMEOUT(status(QStringLiteral("alice")), QStringLiteral("online"), 10000);
    }

    void roomChangesNeedNoFullReloadOnTheOtherNode()
    {
        // Rooms made, joined, left and DMs opened on node A reach node B as one typed change
        // each: B's people see every change, and B never re-reads all people, rooms and tokens.
        startNodes();
        Client alice, carol, bob;
        QVERIFY(alice.open(m_a.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(carol.open(m_a.wsUrl(), m_tokens[QStringLiteral("carol")]));
        QVERIFY(bob.open(m_b.wsUrl(), m_tokens[QStringLiteral("bob")]));
        QTest::qWait(500);
        const auto ok = [](const QJsonObject &r) {
            return r.value(QLatin1String("type")).toString() == QLatin1String("result");
        };
        const auto memberEvent = [&bob](const QString &room, const QString &user,
                                        const QString &event) {
            return !bob.waitFor(
                           QStringLiteral("member"),
                           [&](const QJsonObject &f) {
                               return f.value(QLatin1String("room")).toString() == room &&
                                      f.value(QLatin1String("user")).toString() == user &&
                                      f.value(QLatin1String("event")).toString() == event;
                           },
                           10000)
                        .isEmpty();
        };
        QVERIFY(ok(alice.request(QStringLiteral("room.create"),
                                 {{QStringLiteral("name"), QStringLiteral("proj")}})));
        QVERIFY(ok(alice.request(QStringLiteral("room.invite"),
                                 {{QStringLiteral("room"), QStringLiteral("proj")},
                                  {QStringLiteral("user"), QStringLiteral("bob")}})));
        QVERIFY(
            memberEvent(QStringLiteral("proj"), QStringLiteral("bob"), QStringLiteral("joined")));
        QVERIFY(ok(carol.request(QStringLiteral("room.join"),
                                 {{QStringLiteral("room"), QStringLiteral("proj")}})));
        QVERIFY(
            memberEvent(QStringLiteral("proj"), QStringLiteral("carol"), QStringLiteral("joined")));
        QVERIFY(ok(carol.request(QStringLiteral("room.leave"),
                                 {{QStringLiteral("room"), QStringLiteral("proj")}})));
        QVERIFY(
            memberEvent(QStringLiteral("proj"), QStringLiteral("carol"), QStringLiteral("left")));
        const QJsonObject dm = alice.request(QStringLiteral("dm.open"),
                                             {{QStringLiteral("user"), QStringLiteral("bob")}});
        QVERIFY(ok(dm));
        const QString dmRoom = dm.value(QLatin1String("data"))
                                   .toObject()
                                   .value(QLatin1String("room"))
                                   .toObject()
                                   .value(QLatin1String("name"))
                                   .toString();
        // bob's devices on B learn of the DM as a room bob joined, seen as bob sees it
        QVERIFY(memberEvent(dmRoom, QStringLiteral("bob"), QStringLiteral("joined")));
        // Both new rooms carry messages across the nodes both ways.
        QTest::qWait(500); // subscriptions settle
        QVERIFY(ok(bob.request(QStringLiteral("msg.send"),
                               {{QStringLiteral("room"), QStringLiteral("proj")},
                                {QStringLiteral("clientId"), QStringLiteral("p1")},
                                {QStringLiteral("text"), QStringLiteral("from B")}})));
        QTRY_COMPARE_WITH_TIMEOUT(seqsIn(alice, QStringLiteral("proj")), QList<int>{1}, 10000);
        QVERIFY(ok(alice.request(QStringLiteral("msg.send"),
                                 {{QStringLiteral("room"), dmRoom},
                                  {QStringLiteral("clientId"), QStringLiteral("d1")},
                                  {QStringLiteral("text"), QStringLiteral("from A")}})));
        QTRY_COMPARE_WITH_TIMEOUT(seqsIn(bob, dmRoom), QList<int>{1}, 10000);
        QCOMPARE(metric(m_b.httpUrl(QStringLiteral("/metrics")), "herald_state_reloads_total"),
                 0.0);
        QCOMPARE(metric(m_a.httpUrl(QStringLiteral("/metrics")), "herald_state_reloads_total"),
                 0.0);
        QCOMPARE(metric(m_b.httpUrl(QStringLiteral("/metrics")), "herald_bus_events_refused_total"),
                 0.0);
    }

private:
    static double metric(const QUrl &url, const QByteArray &name)
    {
        Http http;
        for (const QByteArray &line : http.get(url).body.split('\n'))
            if (line.startsWith(QByteArray(name + ' ')))
                return line.mid(name.size() + 1).toDouble();
        return -1;
    }
    QJsonObject msg(const QString &clientId)
    {
        return {{QStringLiteral("id"), clientId},
                {QStringLiteral("room"), QStringLiteral("general")},
                {QStringLiteral("clientId"), clientId},
                {QStringLiteral("text"), clientId}};
    }
    void startRedis()
    {
        m_redis = std::make_unique<QProcess>();
        m_redis->start(QStringLiteral("redis-server"),
                       {QStringLiteral("--port"), QString::number(m_redisPort),
                        QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                        QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"),
                        QStringLiteral("no")});
        QVERIFY(m_redis->waitForStarted());
        QTcpSocket probe;
        for (int i = 0; i < 50; ++i) {
            probe.connectToHost(QHostAddress::LocalHost, m_redisPort);
            if (probe.waitForConnected(100))
                return;
            QTest::qWait(100);
        }
        QFAIL("redis-server did not start");
    }
    /** Starts node A with envA added to its environment (both nodes: `both`). */
    void startNodes(const QList<std::pair<QString, QString>> &envA = {}, bool both = false)
    {
        // Both nodes on the one database (testkit would give each data directory its own).
        const QString db = qEnvironmentVariable("PGDATABASE", QStringLiteral("postgres"));
        const QStringList common{
            QStringLiteral("--set"), QStringLiteral("storage=postgres"),
            QStringLiteral("--set"), QStringLiteral("pg_database=") + db,
            QStringLiteral("--set"), QStringLiteral("bus=redis"),
            QStringLiteral("--set"), QStringLiteral("redis_port=%1").arg(m_redisPort),
            QStringLiteral("--set"), QStringLiteral("presence_coalesce_ms=100")};
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const auto &[k, v] : envA)
            env.insert(k, v);
        m_a.env = env;
        m_b.env = both ? env : QProcessEnvironment();
        QVERIFY(m_a.start(m_dirA->path(), common + QStringList{QStringLiteral("--set"),
                                                               QStringLiteral("node_id=a")}));
        QVERIFY(m_b.start(m_dirB->path(), common + QStringList{QStringLiteral("--set"),
                                                               QStringLiteral("node_id=b")}));
    }

    quint16 m_redisPort = 0;
    std::unique_ptr<QProcess> m_redis;
    std::unique_ptr<QTemporaryDir> m_dirA, m_dirB;
    ServerProcess m_a, m_b;
    QHash<QString, QString> m_tokens;
    QString m_service;
};

QTEST_MAIN(TestClusterBus)
#include "tst_cluster_bus.moc"
