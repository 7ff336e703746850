// Notifications: publish API, fan-out to every device, backlog, read sync, actions, webhooks,
// idempotency, durability across SIGKILL, bad requests.
#include "testkit.h"
#include "webhookreceiver.h"

#include "core/hub.h"
#include "net/webhooks.h"

#include <QTcpServer>
#include <QTcpSocket>

using namespace testkit;

namespace {
QJsonObject approval(const QStringList &users,
                     const QString &title = QStringLiteral("Order 42 needs approval"))
{
    return {{QStringLiteral("recipients"),
             QJsonObject{{QStringLiteral("users"), QJsonArray::fromStringList(users)}}},
            {QStringLiteral("title"), title},
            {QStringLiteral("body"), QStringLiteral("Total 1,200 EUR")},
            {QStringLiteral("priority"), QStringLiteral("high")},
            {QStringLiteral("category"), QStringLiteral("orders")},
            {QStringLiteral("link"), QStringLiteral("https://erp.example.com/orders/42")},
            {QStringLiteral("source"), QJsonObject{{QStringLiteral("order"), 42}}},
            {QStringLiteral("actions"),
             QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("approve")},
                                    {QStringLiteral("label"), QStringLiteral("Approve")}},
                        QJsonObject{{QStringLiteral("id"), QStringLiteral("reject")},
                                    {QStringLiteral("label"), QStringLiteral("Reject")}}}}};
}

} // namespace

class TestNotifications : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        m_tokens =
            seed.people({QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")});
        seed.group(QStringLiteral("approvers"), {QStringLiteral("alice"), QStringLiteral("bob")});
        m_receiver = std::make_unique<Receiver>(1);
        m_service =
            seed.service(QStringLiteral("erp"),
                         QStringLiteral("http://127.0.0.1:%1/hook").arg(m_receiver->serverPort()),
                         QStringLiteral("s3cret"));
    }
    void cleanup()
    {
        m_receiver.reset();
        m_dir.reset();
    }

    void reachesEveryDeviceAndTheOfflineBacklog()
    {
        LocalServer s(m_dir->path());
        Client a1, a2, carol;
        QVERIFY(a1.open(s.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(a2.open(s.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(carol.open(s.wsUrl(), m_tokens[QStringLiteral("carol")]));
        Http http;
        const auto r =
            http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")),
                      approval({QStringLiteral("alice"), QStringLiteral("bob")}), m_service);
        QCOMPARE(r.status, 201);
        const qint64 id = r.json.value(QLatin1String("id")).toInteger();
        QVERIFY(id > 0);
        QCOMPARE(r.json.value(QLatin1String("recipients")).toInt(), 2);
        for (Client *c : {&a1, &a2}) {
            const QJsonObject n = c->waitFor(QStringLiteral("notification"))
                                      .value(QLatin1String("notification"))
                                      .toObject();
            QCOMPARE(n.value(QLatin1String("id")).toInteger(), id);
            QCOMPARE(n.value(QLatin1String("title")).toString(),
                     QStringLiteral("Order 42 needs approval"));
            QCOMPARE(n.value(QLatin1String("priority")).toString(), QStringLiteral("high"));
            QCOMPARE(n.value(QLatin1String("actions")).toArray().size(), 2);
            QCOMPARE(n.value(QLatin1String("source"))
                         .toObject()
                         .value(QLatin1String("service"))
                         .toString(),
                     QStringLiteral("erp"));
            QCOMPARE(n.value(QLatin1String("read")).toBool(), false);
        }
        QTest::qWait(200);
        QVERIFY(carol.all(QStringLiteral("notification")).isEmpty());
        // bob was offline: it is in his backlog, with the unread count, when he connects
        Client bob;
        QVERIFY(bob.open(s.wsUrl(), m_tokens[QStringLiteral("bob")]));
        const QJsonObject hello = bob.all(QStringLiteral("hello")).first();
        QCOMPARE(hello.value(QLatin1String("unread")).toInt(), 1);
        QCOMPARE(hello.value(QLatin1String("notifications"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("id"))
                     .toInteger(),
                 id);
        QCOMPARE(hello.value(QLatin1String("notifSeq")).toInteger(), id);
    }

    void idempotencyKeyPreventsDuplicates()
    {
        LocalServer s(m_dir->path());
        Client alice;
        QVERIFY(alice.open(s.wsUrl(), m_tokens[QStringLiteral("alice")]));
        Http http;
        QJsonObject body = approval({QStringLiteral("alice")});
        body.insert(QStringLiteral("idempotencyKey"), QStringLiteral("order-42"));
        const auto first =
            http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")), body, m_service);
        const auto again =
            http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")), body, m_service);
        QCOMPARE(first.status, 201);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json.value(QLatin1String("id")), first.json.value(QLatin1String("id")));
        QCOMPARE(again.json.value(QLatin1String("duplicate")).toBool(), true);
        QTRY_COMPARE(alice.all(QStringLiteral("notification")).size(), 1);
        QTest::qWait(300); // and no second copy follows
        QCOMPARE(alice.all(QStringLiteral("notification")).size(), 1);
    }

    void readOnOneDeviceClearsTheOther()
    {
        LocalServer s(m_dir->path());
        Client a1, a2;
        QVERIFY(a1.open(s.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(a2.open(s.wsUrl(), m_tokens[QStringLiteral("alice")]));
        Http http;
        QList<qint64> ids;
        for (int i = 0; i < 3; ++i)
            ids << http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")),
                             approval({QStringLiteral("alice")}), m_service)
                       .json.value(QLatin1String("id"))
                       .toInteger();
        QTRY_COMPARE(a2.all(QStringLiteral("notification")).size(), 3);
        const QJsonObject r = a1.request(QStringLiteral("notif.read"),
                                         {{QStringLiteral("ids"), QJsonArray{ids[0], ids[1]}}});
        QCOMPARE(r.value(QLatin1String("data")).toObject().value(QLatin1String("unread")).toInt(),
                 1);
        const QJsonObject sync = a2.waitFor(QStringLiteral("notif.readSync"));
        QCOMPARE(sync.value(QLatin1String("ids")).toArray().size(), 2);
        QCOMPARE(sync.value(QLatin1String("unread")).toInt(), 1);
        // reading again changes nothing and tells nobody
        QCOMPARE(
            a1.request(QStringLiteral("notif.read"), {{QStringLiteral("ids"), QJsonArray{ids[0]}}})
                .value(QLatin1String("data"))
                .toObject()
                .value(QLatin1String("unread"))
                .toInt(),
            1);
        // concurrent read-all from both devices: exact count
        a1.send(QStringLiteral("notif.readAll"), {{QStringLiteral("id"), QStringLiteral("x")}});
        a2.send(QStringLiteral("notif.readAll"), {{QStringLiteral("id"), QStringLiteral("y")}});
        QTRY_COMPARE(a2.all(QStringLiteral("notif.readSync")).size(), 2);
        QCOMPARE(
            a2.all(QStringLiteral("notif.readSync")).last().value(QLatin1String("unread")).toInt(),
            0);
        const QJsonObject page =
            a1.request(QStringLiteral("notif.list"), {{QStringLiteral("limit"), 2}});
        const QJsonArray list = page.value(QLatin1String("data"))
                                    .toObject()
                                    .value(QLatin1String("notifications"))
                                    .toArray();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list.first().toObject().value(QLatin1String("id")).toInteger(),
                 ids[2]); // newest first
        QVERIFY(list.first().toObject().value(QLatin1String("read")).toBool());
        QVERIFY(
            page.value(QLatin1String("data")).toObject().value(QLatin1String("hasMore")).toBool());
        const QJsonObject older =
            a1.request(QStringLiteral("notif.list"), {{QStringLiteral("before"), ids[1]}});
        QCOMPARE(older.value(QLatin1String("data"))
                     .toObject()
                     .value(QLatin1String("notifications"))
                     .toArray()
                     .size(),
                 1);
        QCOMPARE(a1.request(QStringLiteral("notif.list"), {{QStringLiteral("unread"), true}})
                     .value(QLatin1String("data"))
                     .toObject()
                     .value(QLatin1String("notifications"))
                     .toArray()
                     .size(),
                 0);
    }

    void firstActionWinsAndGoesBackAsSignedWebhook()
    {
        LocalServer s(m_dir->path());
        Client a1, a2, bob;
        QVERIFY(a1.open(s.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(a2.open(s.wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(s.wsUrl(), m_tokens[QStringLiteral("bob")]));
        Http http;
        QJsonObject body = approval({});
        body.insert(
            QStringLiteral("recipients"),
            QJsonObject{{QStringLiteral("groups"), QJsonArray{QStringLiteral("approvers")}}});
        const qint64 id =
            http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")), body, m_service)
                .json.value(QLatin1String("id"))
                .toInteger();
        QVERIFY(!bob.waitFor(QStringLiteral("notification")).isEmpty());
        QVERIFY(!a2.waitFor(QStringLiteral("notification")).isEmpty());
        // two devices act at the same moment
        const QJsonObject act{{QStringLiteral("notification"), id},
                              {QStringLiteral("action"), QStringLiteral("approve")}};
        QJsonObject approveAct = act;
        approveAct.insert(QStringLiteral("id"), QStringLiteral("a1"));
        a1.send(QStringLiteral("notif.action"), approveAct);
        QJsonObject rejectAct{{QStringLiteral("notification"), id},
                              {QStringLiteral("action"), QStringLiteral("reject")},
                              {QStringLiteral("id"), QStringLiteral("b1")}};
        bob.send(QStringLiteral("notif.action"), rejectAct);
        const QJsonObject ra = a1.waitFor(QString(), [](const QJsonObject &f) {
            return f.value(QLatin1String("id")).toString() == QLatin1String("a1");
        });
        const QJsonObject rb = bob.waitFor(QString(), [](const QJsonObject &f) {
            return f.value(QLatin1String("id")).toString() == QLatin1String("b1");
        });
        const int wins = (ra.value(QLatin1String("type")).toString() == QLatin1String("result")) +
                         (rb.value(QLatin1String("type")).toString() == QLatin1String("result"));
        QCOMPARE(wins, 1);
        const QJsonObject loser =
            ra.value(QLatin1String("type")).toString() == QLatin1String("error") ? ra : rb;
        QCOMPARE(loser.value(QLatin1String("code")).toString(), QStringLiteral("conflict"));
        // every device of every recipient sees it resolved, once
        for (Client *c : {&a1, &a2, &bob}) {
            const QJsonObject res = c->waitFor(QStringLiteral("notif.resolved"));
            QCOMPARE(res.value(QLatin1String("notification")).toInteger(), id);
        }
        const QString winner = a2.all(QStringLiteral("notif.resolved"))
                                   .first()
                                   .value(QLatin1String("action"))
                                   .toString();
        // readable by the source system
        const auto state =
            http.get(s.httpUrl(QStringLiteral("/api/v1/notifications/%1").arg(id)), m_service);
        QCOMPARE(state.status, 200);
        QCOMPARE(state.json.value(QLatin1String("resolved"))
                     .toObject()
                     .value(QLatin1String("action"))
                     .toString(),
                 winner);
        QCOMPARE(state.json.value(QLatin1String("recipients")).toInt(), 2);
        // webhook: first attempt fails (500), the retry arrives with a valid signature
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requests.size(), 2, 15000);
        QTest::qWait(1500);
        QCOMPARE(m_receiver->requests.size(), 2); // delivered: no more retries
        const QByteArray req = m_receiver->requests.last();
        const QByteArray payload = Receiver::body(req);
        QCOMPARE(Receiver::header(req, "X-Herald-Signature"),
                 herald::Webhooks::sign("s3cret", payload));
        QVERIFY(Receiver::header(req, "X-Herald-Signature") !=
                herald::Webhooks::sign("wrong", payload));
        const QJsonObject hook = QJsonDocument::fromJson(payload).object();
        QCOMPARE(hook.value(QLatin1String("notification")).toInteger(), id);
        QCOMPARE(hook.value(QLatin1String("action")).toString(), winner);
        QCOMPARE(
            hook.value(QLatin1String("source")).toObject().value(QLatin1String("order")).toInt(),
            42);
        // acting again is a conflict; unknown actions are refused
        QCOMPARE(
            a2.request(QStringLiteral("notif.action"), act).value(QLatin1String("code")).toString(),
            QStringLiteral("conflict"));
        QCOMPARE(a2.request(QStringLiteral("notif.action"),
                            {{QStringLiteral("notification"), id},
                             {QStringLiteral("action"), QStringLiteral("delete")}})
                     .value(QLatin1String("code"))
                     .toString(),
                 QStringLiteral("bad_value"));
        Client carol;
        QVERIFY(carol.open(s.wsUrl(), m_tokens[QStringLiteral("carol")]));
        QCOMPARE(carol.request(QStringLiteral("notif.action"), act)
                     .value(QLatin1String("code"))
                     .toString(),
                 QStringLiteral("not_found"));
    }

    void webhookSurvivesRestart()
    {
        m_receiver = std::make_unique<Receiver>(1000); // always fails while the first server runs
        {
            Store st;
            QVERIFY(!st.open(m_dir->path()));
            QVERIFY(!st.setWebhook(
                QStringLiteral("erp"),
                QStringLiteral("http://127.0.0.1:%1/hook").arg(m_receiver->serverPort()),
                QStringLiteral("k")));
        }
        qint64 id = 0;
        {
            LocalServer s(m_dir->path());
            Client alice;
            QVERIFY(alice.open(s.wsUrl(), m_tokens[QStringLiteral("alice")]));
            Http http;
            id = http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")),
                           approval({QStringLiteral("alice")}), m_service)
                     .json.value(QLatin1String("id"))
                     .toInteger();
            QCOMPARE(alice
                         .request(QStringLiteral("notif.action"),
                                  {{QStringLiteral("notification"), id},
                                   {QStringLiteral("action"), QStringLiteral("reject")}})
                         .value(QLatin1String("type"))
                         .toString(),
                     QStringLiteral("result"));
            QTRY_VERIFY_WITH_TIMEOUT(!m_receiver->requests.isEmpty(), 5000);
        }
        const quint16 port = m_receiver->serverPort();
        m_receiver = std::make_unique<Receiver>(0);
        m_receiver->close();
        QVERIFY(m_receiver->listen(QHostAddress::LocalHost, port));
        LocalServer again(m_dir->path());
        QTRY_VERIFY_WITH_TIMEOUT(!m_receiver->requests.isEmpty(), 15000);
        QCOMPARE(QJsonDocument::fromJson(Receiver::body(m_receiver->requests.first()))
                     .object()
                     .value(QLatin1String("notification"))
                     .toInteger(),
                 id);
    }

    void badRequestsGetJsonErrors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("field");
        QTest::newRow("not json") << QByteArray("{oops") << 400 << QString();
        QTest::newRow("array") << QByteArray("[]") << 400 << QString();
        QTest::newRow("no recipients")
            << QByteArray(R"({"title":"t"})") << 400 << QStringLiteral("recipients");
        QTest::newRow("empty recipients") << QByteArray(R"({"recipients":{},"title":"t"})") << 400
                                          << QStringLiteral("recipients");
        QTest::newRow("users not array")
            << QByteArray(R"({"recipients":{"users":"alice"},"title":"t"})") << 400
            << QStringLiteral("recipients.users");
        QTest::newRow("no title") << QByteArray(R"({"recipients":{"users":["alice"]}})") << 400
                                  << QStringLiteral("title");
        QTest::newRow("title type") << QByteArray(R"({"recipients":{"users":["alice"]},"title":5})")
                                    << 400 << QStringLiteral("title");
        QTest::newRow("title long")
            << (QByteArray(R"({"recipients":{"users":["alice"]},"title":")") +
                QByteArray(201, 'a') + "\"}")
            << 400 << QStringLiteral("title");
        QTest::newRow("priority")
            << QByteArray(R"({"recipients":{"users":["alice"]},"title":"t","priority":"asap"})")
            << 400 << QStringLiteral("priority");
        QTest::newRow("link")
            << QByteArray(
                   R"x({"recipients":{"users":["alice"]},"title":"t","link":"javascript:alert(1)"})x")
            << 400 << QStringLiteral("link");
        QTest::newRow("actions")
            << QByteArray(
                   R"({"recipients":{"users":["alice"]},"title":"t","actions":[{"id":"Bad Id","label":"x"}]})")
            << 400 << QStringLiteral("actions");
        QTest::newRow("expired")
            << QByteArray(R"({"recipients":{"users":["alice"]},"title":"t","expiresAt":1000})")
            << 400 << QStringLiteral("expiresAt");
        QTest::newRow("source")
            << QByteArray(R"({"recipients":{"users":["alice"]},"title":"t","source":[1]})") << 400
            << QStringLiteral("source");
        QTest::newRow("unknown user")
            << QByteArray(R"({"recipients":{"users":["zed"]},"title":"t"})") << 422
            << QStringLiteral("recipients.users");
        QTest::newRow("unknown group")
            << QByteArray(R"({"recipients":{"groups":["nobody"]},"title":"t"})") << 422
            << QStringLiteral("recipients.groups");
    }
    void badRequestsGetJsonErrors()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, field);
        LocalServer s(m_dir->path());
        Http http;
        const auto r = http.request("POST", s.httpUrl(QStringLiteral("/api/v1/notifications")),
                                    body, m_service);
        QCOMPARE(r.status, status);
        const QJsonObject e = r.json.value(QLatin1String("error")).toObject();
        QVERIFY(!e.value(QLatin1String("code")).toString().isEmpty());
        QVERIFY(!e.value(QLatin1String("message")).toString().isEmpty());
        QCOMPARE(e.value(QLatin1String("field")).toString(), field);
        // nothing stored
        QCOMPARE(http.get(s.httpUrl(QStringLiteral("/api/v1/notifications/1")), m_service).status,
                 404);
    }

    void authAndRoutingErrors()
    {
        LocalServer s(m_dir->path());
        Http http;
        QCOMPARE(http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")),
                           approval({QStringLiteral("alice")}))
                     .status,
                 401);
        QCOMPARE(http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")),
                           approval({QStringLiteral("alice")}), m_tokens[QStringLiteral("alice")])
                     .status,
                 401);
        QCOMPARE(http.get(s.httpUrl(QStringLiteral("/api/v1/notifications/1"))).status, 401);
        QCOMPARE(http.get(s.httpUrl(QStringLiteral("/api/v1/nothing"))).status, 404);
        QCOMPARE(http.get(s.httpUrl(QStringLiteral("/api/v1/notifications")), m_service).status,
                 405);
        const auto health = http.get(s.httpUrl(QStringLiteral("/healthz")));
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json.value(QLatin1String("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(http.get(s.httpUrl(QStringLiteral("/readyz"))).status, 200);
    }

    void groupOf10000GetsExactUnreadCounts()
    {
        QStringList members;
        {
            Seed seed(m_dir->path());
            seed.store.begin();
            for (int i = 0; i < 10000; ++i) {
                members << QStringLiteral("p%1").arg(i);
                seed.user(members.last());
            }
            seed.group(QStringLiteral("everyone-big"), members);
            seed.store.commit();
        }
        LocalServer s(m_dir->path());
        Http http;
        QJsonObject body{
            {QStringLiteral("recipients"),
             QJsonObject{{QStringLiteral("groups"), QJsonArray{QStringLiteral("everyone-big")}}}},
            {QStringLiteral("title"), QStringLiteral("All hands at 3")}};
        // the event loop keeps answering while 10,000 inbox rows are written
        QElapsedTimer t;
        t.start();
        const auto r1 =
            http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")), body, m_service);
        const auto r2 =
            http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")), body, m_service);
        QCOMPARE(r1.status, 201);
        QCOMPARE(r2.status, 201);
        QCOMPARE(r1.json.value(QLatin1String("recipients")).toInt(), 10000);
        Store st;
        QVERIFY(!st.open(m_dir->path()));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        int exact = 0;
        for (const QString &m : members)
            exact += st.unreadCount(st.user(m)->id, now) == 2;
        QCOMPARE(exact, 10000);
        QCOMPARE(st.unreadCount(st.user(QStringLiteral("carol"))->id, now), 0);
    }

    void expiredNotificationsLeaveTheBacklog()
    {
        LocalServer s(m_dir->path());
        Http http;
        QJsonObject body = approval({QStringLiteral("carol")});
        body.insert(QStringLiteral("expiresAt"),
                    static_cast<double>(QDateTime::currentMSecsSinceEpoch() + 1500));
        QCOMPARE(
            http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")), body, m_service).status,
            201);
        QCOMPARE(http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")),
                           approval({QStringLiteral("carol")}), m_service)
                     .status,
                 201);
        {
            Client carol;
            QVERIFY(carol.open(s.wsUrl(), m_tokens[QStringLiteral("carol")]));
            QCOMPARE(
                carol.all(QStringLiteral("hello")).first().value(QLatin1String("unread")).toInt(),
                2);
        }
        QTest::qWait(1600);
        Client carol;
        QVERIFY(carol.open(s.wsUrl(), m_tokens[QStringLiteral("carol")]));
        QCOMPARE(carol.all(QStringLiteral("hello")).first().value(QLatin1String("unread")).toInt(),
                 1);
        QCOMPARE(carol.all(QStringLiteral("hello"))
                     .first()
                     .value(QLatin1String("notifications"))
                     .toArray()
                     .size(),
                 1);
    }

    void acknowledgedSurvivesSigkill()
    {
        ServerProcess p;
        QVERIFY(p.start(m_dir->path()));
        Http http;
        QList<qint64> ids;
        for (int i = 0; i < 20; ++i) {
            const auto r = http.post(
                p.httpUrl(QStringLiteral("/api/v1/notifications")),
                approval({QStringLiteral("bob")}, QStringLiteral("n%1").arg(i)), m_service);
            QCOMPARE(r.status, 201);
            ids << r.json.value(QLatin1String("id")).toInteger();
        }
        p.kill(); // SIGKILL right after the last 201
        QVERIFY(p.start(m_dir->path()));
        Client bob;
        QVERIFY(bob.open(p.wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(bob.all(QStringLiteral("hello")).first().value(QLatin1String("unread")).toInt(),
                 20);
        const QJsonArray list =
            bob.request(QStringLiteral("notif.list"), {{QStringLiteral("limit"), 100}})
                .value(QLatin1String("data"))
                .toObject()
                .value(QLatin1String("notifications"))
                .toArray();
        QCOMPARE(list.size(), 20);
        QCOMPARE(list.first().toObject().value(QLatin1String("id")).toInteger(), ids.last());
        QCOMPARE(Store::integrityCheck(m_dir->path()), QStringLiteral("ok"));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Receiver> m_receiver;
    QHash<QString, QString> m_tokens;
    QString m_service;
};

QTEST_MAIN(TestNotifications)
#include "tst_notifications.moc"
