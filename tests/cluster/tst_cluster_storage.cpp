// Two herald-server processes on one PostgreSQL database (storage=postgres; the bus between
// nodes is not this test's business, so each node only fans out what it stored itself):
// concurrent senders on both nodes get strictly increasing, gap-free sequence numbers in one
// room, a retry sent to the other node is stored once, notification ids from both nodes are
// unique and increasing, a release 0.1 database is migrated and both nodes publish to its
// groups through one shared audience, and heraldctl --config works on the same database.
// Runs under with-postgres.sh (pg_virtualenv); skips without PostgreSQL.
#include "../server/storagefixture.h"
#include "../server/testkit.h"
#include "core/storage/schema.h"

#include <QProcessEnvironment>

using namespace testkit;
using herald::StorageSettings;

namespace {
constexpr int Senders = 4; // two on each node
constexpr int Burst = 100; // messages each, all sent at once
constexpr int Rounds = 50; // then one each, and wait for the acks
} // namespace

class TestClusterStorage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!StorageFixture::postgres())
            QSKIP("needs PostgreSQL: run under tests/cluster/with-postgres.sh");
        if (const QString why = m_fixture.unavailable(); !why.isEmpty())
            QSKIP(qPrintable(why));
    }

    void init()
    {
        m_settings = m_fixture.fresh();
        Store st;
        QVERIFY(!st.open(m_settings));
        QStringList names{QStringLiteral("alice")};
        for (int i = 0; i < Senders; ++i)
            names << QStringLiteral("sender%1").arg(i);
        const qint64 room = std::get<qint64>(
            st.createRoom(QStringLiteral("general"), {}, QStringLiteral("public")));
        for (const QString &n : names) {
            const qint64 id = std::get<qint64>(st.createUser(n, {}, {}));
            st.addMember(room, id);
            m_tokens[n] = std::get<QString>(
                st.issueToken(id, 0, QStringLiteral("user"), QStringLiteral("test")));
        }
        const qint64 svc = std::get<qint64>(st.createService(QStringLiteral("erp"), {}, {}));
        m_service = std::get<QString>(
            st.issueToken(0, svc, QStringLiteral("service"), QStringLiteral("test")));
        st.close();

        const QStringList common{
            QStringLiteral("--set"), QStringLiteral("storage=postgres"),
            QStringLiteral("--set"), QStringLiteral("pg_database=") + m_settings.database,
            QStringLiteral("--set"), QStringLiteral("messages_per_second=100000"),
            QStringLiteral("--set"), QStringLiteral("messages_burst=1000000")};
        // Node A finds the server through PGHOST, PGPORT, PGUSER, PGPASSWORD; node B through
        // the pg_* keys, with those variables removed from its environment.
        m_dirA = std::make_unique<QTemporaryDir>();
        m_dirB = std::make_unique<QTemporaryDir>();
        QVERIFY(m_nodeA.start(m_dirA->path(), common));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *v : {"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"})
            env.remove(QString::fromLatin1(v));
        m_nodeB.env = env;
        QVERIFY(m_nodeB.start(
            m_dirB->path(),
            common + QStringList{
                         QStringLiteral("--set"), QStringLiteral("pg_host=") + m_settings.host,
                         QStringLiteral("--set"), QStringLiteral("pg_port=%1").arg(m_settings.port),
                         QStringLiteral("--set"), QStringLiteral("pg_user=") + m_settings.user,
                         QStringLiteral("--set"),
                         QStringLiteral("pg_password=") + m_settings.password}));
    }

    void cleanup()
    {
        QCOMPARE(m_nodeA.terminate(), 0);
        QCOMPARE(m_nodeB.terminate(), 0);
        m_nodeA.proc.reset();
        m_nodeB.proc.reset();
        // what both nodes left behind is consistent: every room numbered 1..last_seq
        QCOMPARE(Store::integrityCheck(m_settings), QStringLiteral("ok"));
    }

    void concurrentSendersOnBothNodesGetOneGapFreeSequence()
    {
        std::vector<std::unique_ptr<Client>> clients;
        for (int i = 0; i < Senders; ++i) {
            clients.push_back(std::make_unique<Client>());
            const ServerProcess &node = i % 2 ? m_nodeB : m_nodeA;
            QVERIFY(clients.back()->open(node.wsUrl(),
                                         m_tokens.value(QStringLiteral("sender%1").arg(i))));
        }
        QList<qint64> all;
        QHash<qint64, int> nodeOf; // seq -> node that stored it
        std::vector<qint64> previous(Senders, 0);
        auto send = [&](int i, int n) {
            clients[i]->send(QStringLiteral("msg.send"),
                             {{QStringLiteral("id"), n},
                              {QStringLiteral("room"), QStringLiteral("general")},
                              {QStringLiteral("clientId"), QStringLiteral("s%1-%2").arg(i).arg(n)},
                              {QStringLiteral("text"),
                               QStringLiteral("message %1 from sender %2").arg(n).arg(i)}});
        };
        auto ack = [&](int i, int n) {
            const QJsonObject r = clients[i]->waitFor(
                QStringLiteral("result"),
                [n](const QJsonObject &f) { return f.value(QLatin1String("id")).toInt() == n; },
                30000);
            QVERIFY2(!r.isEmpty(),
                     qPrintable(QStringLiteral("sender %1: no ack for message %2").arg(i).arg(n)));
            const QJsonObject data = r.value(QLatin1String("data")).toObject();
            QVERIFY(!data.value(QLatin1String("duplicate")).toBool());
            const qint64 seq = data.value(QLatin1String("seq")).toInteger();
            // one sender's messages are numbered in the order it sent them
            QVERIFY2(
                seq > previous[i],
                qPrintable(
                    QStringLiteral("sender %1: seq %2 after %3").arg(i).arg(seq).arg(previous[i])));
            previous[i] = seq;
            all << seq;
            nodeOf.insert(seq, i % 2);
        };
        // First everyone sends a burst at once (each node stores its share in big batches that
        // hold the room's row until they commit), then rounds of one message each, where both
        // nodes have a message in flight every time.
        for (int n = 1; n <= Burst; ++n)
            for (int i = 0; i < Senders; ++i)
                send(i, n);
        for (int i = 0; i < Senders; ++i)
            for (int n = 1; n <= Burst; ++n)
                ack(i, n);
        for (int n = Burst + 1; n <= Burst + Rounds; ++n) {
            for (int i = 0; i < Senders; ++i)
                send(i, n);
            for (int i = 0; i < Senders; ++i)
                ack(i, n);
        }
        for (int i = 0; i < Senders; ++i)
            QVERIFY(clients[i]->all(QStringLiteral("error")).isEmpty());
        // together: 1..N, each number once, no gap
        constexpr int Total = Senders * (Burst + Rounds);
        std::sort(all.begin(), all.end());
        QCOMPARE(all.size(), Total);
        for (qsizetype k = 0; k < all.size(); ++k)
            QCOMPARE(all[k], k + 1);
        // in every round both nodes stored a message: the numbers change hands at least once a
        // round
        int switches = 0;
        for (qint64 seq = Senders * Burst + 2; seq <= Total; ++seq)
            switches += nodeOf.value(seq) != nodeOf.value(seq - 1);
        qInfo("the room's numbers changed hands between the nodes %d times in %d rounds", switches,
              Rounds);
        QVERIFY(switches >= Rounds);
        // and either node serves the whole room from storage, in order
        Client reader;
        QVERIFY(reader.open(m_nodeB.wsUrl(), m_tokens.value(QStringLiteral("alice"))));
        const QJsonObject h =
            reader.request(QStringLiteral("room.history"),
                           {{QStringLiteral("room"), QStringLiteral("general")},
                            {QStringLiteral("after"), Senders * (Burst + Rounds) - 10},
                            {QStringLiteral("limit"), 50}});
        const QJsonArray messages =
            h.value(QLatin1String("data")).toObject().value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 10);
        QCOMPARE(messages.last().toObject().value(QLatin1String("seq")).toInteger(),
                 Senders * (Burst + Rounds));
    }

    void retryOnTheOtherNodeIsStoredOnce()
    {
        Client onA, onB;
        QVERIFY(onA.open(m_nodeA.wsUrl(), m_tokens.value(QStringLiteral("alice"))));
        QVERIFY(onB.open(m_nodeB.wsUrl(), m_tokens.value(QStringLiteral("alice"))));
        const QJsonObject body{{QStringLiteral("room"), QStringLiteral("general")},
                               {QStringLiteral("clientId"), QStringLiteral("a-1")},
                               {QStringLiteral("text"), QStringLiteral("deploy is done")}};
        const QJsonObject first =
            onA.request(QStringLiteral("msg.send"), body).value(QLatin1String("data")).toObject();
        QCOMPARE(first.value(QLatin1String("seq")).toInteger(), 1);
        QVERIFY(!first.value(QLatin1String("duplicate")).toBool());
        // the connection to A dropped before the ack arrived; the client retries through B
        const QJsonObject again =
            onB.request(QStringLiteral("msg.send"), body).value(QLatin1String("data")).toObject();
        QCOMPARE(again.value(QLatin1String("seq")).toInteger(), 1);
        QVERIFY(again.value(QLatin1String("duplicate")).toBool());
        const QJsonObject next =
            onB.request(QStringLiteral("msg.send"),
                        {{QStringLiteral("room"), QStringLiteral("general")},
                         {QStringLiteral("clientId"), QStringLiteral("a-2")},
                         {QStringLiteral("text"), QStringLiteral("and tested")}})
                .value(QLatin1String("data"))
                .toObject();
        QCOMPARE(next.value(QLatin1String("seq")).toInteger(), 2);
    }

    void notificationIdsFromBothNodesIncrease()
    {
        Http http;
        QList<qint64> ids;
        for (int i = 0; i < 20; ++i) {
            const ServerProcess &node = i % 2 ? m_nodeB : m_nodeA;
            const auto r = http.post(
                node.httpUrl(QStringLiteral("/api/v1/notifications")),
                {{QStringLiteral("title"), QStringLiteral("n%1").arg(i)},
                 {QStringLiteral("recipients"),
                  QJsonObject{{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}}}},
                m_service);
            QCOMPARE(r.status, 201);
            ids << r.json.value(QLatin1String("id")).toInteger();
        }
        for (qsizetype i = 0; i < ids.size(); ++i)
            QCOMPARE(ids[i], i + 1); // one after the other, in the order they were committed
        // the same key through the other node is the same notification
        const QJsonObject keyed{
            {QStringLiteral("title"), QStringLiteral("keyed")},
            {QStringLiteral("idempotencyKey"), QStringLiteral("po-1")},
            {QStringLiteral("recipients"),
             QJsonObject{{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}}}};
        const auto onA =
            http.post(m_nodeA.httpUrl(QStringLiteral("/api/v1/notifications")), keyed, m_service);
        const auto onB =
            http.post(m_nodeB.httpUrl(QStringLiteral("/api/v1/notifications")), keyed, m_service);
        QCOMPARE(onA.status, 201);
        QCOMPARE(onB.json.value(QLatin1String("id")).toInteger(),
                 onA.json.value(QLatin1String("id")).toInteger());
        QVERIFY(onB.json.value(QLatin1String("duplicate")).toBool());
        // a client of node B lists everything, whichever node stored it
        Client alice;
        QVERIFY(alice.open(m_nodeB.wsUrl(), m_tokens.value(QStringLiteral("alice"))));
        const QJsonObject list =
            alice.request(QStringLiteral("notif.list"), {{QStringLiteral("limit"), 100}});
        QCOMPARE(list.value(QLatin1String("data"))
                     .toObject()
                     .value(QLatin1String("notifications"))
                     .toArray()
                     .size(),
                 21);
    }

    void nodesOnARelease01DatabasePublishToGroupsOnce()
    {
        // Release 0.1's database (tests/server/data/v2/herald.pg.sql, schema 2): node C
        // migrates it at start, node D finds it migrated; both publish to the same group.
        const StorageSettings old = m_fixture.fresh();
        QVERIFY(StorageFixture::runSqlFile(
            old, QStringLiteral(HERALD_SOURCE_DIR "/tests/server/data/v2/herald.pg.sql")));
        const QStringList args{QStringLiteral("--set"), QStringLiteral("storage=postgres"),
                               QStringLiteral("--set"),
                               QStringLiteral("pg_database=") + old.database};
        QTemporaryDir dirC, dirD;
        ServerProcess nodeC, nodeD;
        QVERIFY(nodeC.start(dirC.path(), args));
        QVERIFY(nodeD.start(dirD.path(), args));
        Store st;
        QVERIFY(!st.open(old));
        QSqlQuery version(st.connection());
        QVERIFY(version.exec(QStringLiteral("SELECT version FROM schema_version")) &&
                version.next());
        QCOMPARE(version.value(0).toInt(),
                 herald::schema::currentVersion()); // migrated all the way
        const qint64 erp = st.services().first().id;
        const QString service =
            std::get<QString>(st.issueToken(0, erp, QStringLiteral("service"), QString()));
        const QString dave = std::get<QString>(
            st.issueToken(st.user(QStringLiteral("dave"))->id, 0, QStringLiteral("user"), {}));
        // the nodes load tokens when they start
        QCOMPARE(nodeC.terminate(), 0);
        QCOMPARE(nodeD.terminate(), 0);
        QVERIFY(nodeC.start(dirC.path(), args));
        QVERIFY(nodeD.start(dirD.path(), args));
        const auto audiences = [&st] {
            QSqlQuery q(st.connection());
            return q.exec(QStringLiteral("SELECT COUNT(*) FROM audiences")) && q.next()
                       ? q.value(0).toInt()
                       : -1;
        };
        // ops is bob, carol, dave and erin (disabled) by now
        Http http;
        const QJsonObject toOps{
            {QStringLiteral("title"), QStringLiteral("to ops")},
            {QStringLiteral("recipients"),
             QJsonObject{{QStringLiteral("groups"), QJsonArray{QStringLiteral("ops")}}}}};
        for (int i = 0; i < 10; ++i) {
            const ServerProcess &node = i % 2 ? nodeD : nodeC;
            const auto r =
                http.post(node.httpUrl(QStringLiteral("/api/v1/notifications")), toOps, service);
            QCOMPARE(r.status, 201);
            QCOMPARE(r.json.value(QLatin1String("recipients")).toInt(), 3);
        }
        QCOMPARE(audiences(), 1); // built once, by whichever node was first
        QVERIFY(!st.setGroupMember(QStringLiteral("ops"), QStringLiteral("alice"), true));
        const auto r =
            http.post(nodeD.httpUrl(QStringLiteral("/api/v1/notifications")), toOps, service);
        QCOMPARE(r.json.value(QLatin1String("recipients")).toInt(), 4);
        QCOMPARE(audiences(), 2);
        // dave, on node C: release 0.1's three unread and the eleven new ones
        Client client;
        QVERIFY(client.open(nodeC.wsUrl(), dave));
        const QJsonObject hello = client.all(QStringLiteral("hello")).first();
        QCOMPARE(hello.value(QLatin1String("unread")).toInt(), 3 + 11);
        QCOMPARE(hello.value(QLatin1String("notifSeq")).toInteger(),
                 r.json.value(QLatin1String("id")).toInteger());
        const QJsonObject all = client.request(QStringLiteral("notif.readAll"), {});
        QCOMPARE(all.value(QLatin1String("data")).toObject().value(QLatin1String("unread")).toInt(),
                 0);
        QCOMPARE(nodeC.terminate(), 0);
        QCOMPARE(nodeD.terminate(), 0);
        st.close();
        QCOMPARE(Store::integrityCheck(old), QStringLiteral("ok"));
    }

    void heraldctlWorksOnTheClusterDatabase()
    {
        QTemporaryDir dir;
        const QString conf = dir.filePath(QStringLiteral("herald-server.conf"));
        QFile f(conf);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("[server]\nstorage = postgres\npg_database = %1\ndata_dir = %2\n")
                    .arg(m_settings.database, m_dirA->path())
                    .toUtf8());
        f.close();
        auto ctl = [&](const QStringList &args) {
            QProcess p;
            p.start(ServerProcess::binary("heraldctl"),
                    QStringList{QStringLiteral("--config"), conf} + args);
            p.waitForFinished(20000);
            return std::make_pair(p.exitCode(), QString::fromUtf8(p.readAllStandardOutput() +
                                                                  p.readAllStandardError()));
        };
        const auto list = ctl({QStringLiteral("user"), QStringLiteral("list")});
        QCOMPARE(list.first, 0);
        QVERIFY2(list.second.contains(QLatin1String("sender3")), qPrintable(list.second));
        QCOMPARE(ctl({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("zed")}).first,
                 0);
        Store st;
        QVERIFY(!st.open(m_settings));
        QVERIFY(st.user(QStringLiteral("zed")));
        // a database that is not there is a clear error, not a hang
        QFile bad(conf);
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("[server]\nstorage = postgres\npg_host = 127.0.0.1\npg_port = 1\n");
        bad.close();
        const auto down = ctl({QStringLiteral("user"), QStringLiteral("list")});
        QVERIFY(down.first != 0);
        QVERIFY2(down.second.contains(QLatin1String("cannot connect")), qPrintable(down.second));
    }

    void serverRefusesToStartWithoutItsDatabase()
    {
        QTemporaryDir dir;
        QProcess p;
        p.start(ServerProcess::binary("herald-server"),
                {QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--port"),
                 QStringLiteral("0"), QStringLiteral("--set"), QStringLiteral("storage=postgres"),
                 QStringLiteral("--set"), QStringLiteral("pg_host=127.0.0.1"),
                 QStringLiteral("--set"), QStringLiteral("pg_port=1")});
        QVERIFY(p.waitForFinished(20000));
        QVERIFY(p.exitCode() != 0);
        QVERIFY(
            QString::fromUtf8(p.readAllStandardError()).contains(QLatin1String("cannot connect")));
    }

private:
    StorageFixture m_fixture;
    StorageSettings m_settings;
    std::unique_ptr<QTemporaryDir> m_dirA, m_dirB;
    ServerProcess m_nodeA, m_nodeB;
    QHash<QString, QString> m_tokens;
    QString m_service;
};

QTEST_MAIN(TestClusterStorage)
#include "tst_cluster_storage.moc"
