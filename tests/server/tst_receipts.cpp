// Per-person receipts against a real server on port 0: devices acknowledge notifications as
// delivered and seen (notif.ack, the first time and device kept), reads and actions show up
// with their time and device, the publishing service pages every recipient's receipt (a
// group's members too), and receipt webhooks reach the services that subscribed to them.
#include "testkit.h"
#include "webhookreceiver.h"

#include <QTcpServer>

using namespace testkit;

namespace {

/** The token id in "hrd_<id>_<secret>": the device a receipt names. */
qint64 tokenId(const QString &token)
{
    return token.section(QLatin1Char('_'), 1, 1).toLongLong();
}

QJsonArray ids(const QJsonObject &result)
{
    return result.value(QLatin1String("data")).toObject().value(QLatin1String("ids")).toArray();
}

/** The shared webhook receiver (answering 200), read as events and their X-Herald-Event. */
class EventReceiver : public Receiver
{
public:
    EventReceiver()
        : Receiver(0)
    {
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/hook").arg(serverPort()); }
    QList<QJsonObject> events() const
    {
        QList<QJsonObject> out;
        for (const QByteArray &r : requests)
            out << QJsonDocument::fromJson(body(r)).object();
        return out;
    }
    QStringList headers() const
    {
        QStringList out;
        for (const QByteArray &r : requests)
            out << QString::fromLatin1(header(r, "X-Herald-Event"));
        return out;
    }
    QStringList names() const
    {
        QStringList out;
        for (const QJsonObject &e : events())
            out << e.value(QLatin1String("event")).toString();
        out.sort(); // deliveries may overtake each other
        return out;
    }
};

} // namespace

class TestReceipts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_quiet = std::make_unique<EventReceiver>();
        m_loud = std::make_unique<EventReceiver>();
        Seed seed(m_dir->path());
        m_tokens =
            seed.people({QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")});
        m_alice2 = seed.token(QStringLiteral("alice"));
        // 30 people in a group, created after alice, bob and carol (so their ids come later).
        QStringList team;
        for (int i = 1; i <= 30; ++i) {
            team << QStringLiteral("p%1").arg(i, 2, 10, QLatin1Char('0'));
            seed.user(team.last());
        }
        m_p01 = seed.token(QStringLiteral("p01"));
        m_p02 = seed.token(QStringLiteral("p02"));
        seed.group(QStringLiteral("team"), team);
        seed.group(QStringLiteral("pair"), {QStringLiteral("alice"), QStringLiteral("bob")});
        m_erp = seed.service(QStringLiteral("erp"), m_quiet->url(), QStringLiteral("s1"));
        m_crm = seed.service(QStringLiteral("crm"), m_loud->url(), QStringLiteral("s2"));
        QVERIFY(!seed.store.setWebhookEvents(QStringLiteral("crm"),
                                             {QStringLiteral("delivered"), QStringLiteral("seen"),
                                              QStringLiteral("read"), QStringLiteral("acted"),
                                              QStringLiteral("escalated")}));
        QCOMPARE(
            seed.store.setWebhookEvents(QStringLiteral("crm"), {QStringLiteral("opened")})->field,
            QStringLiteral("events"));
        QVERIFY(seed.store.setWebhookEvents(QStringLiteral("nope"), {QStringLiteral("seen")}));
        m_server = std::make_unique<LocalServer>(m_dir->path());
    }
    void cleanup()
    {
        m_server.reset();
        m_quiet.reset();
        m_loud.reset();
        m_dir.reset();
    }

    void acksFromTwoDevicesKeepTheFirst()
    {
        Client a1, a2, carol;
        QVERIFY(a1.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(a2.open(m_server->wsUrl(), m_alice2));
        QVERIFY(carol.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
        const qint64 id =
            publish(m_erp, {{QStringLiteral("users"),
                             QJsonArray{QStringLiteral("alice"), QStringLiteral("bob")}}});
        // Delivered from the first device; ids not in alice's inbox are left out silently.
        QCOMPARE(ids(ack(a1, {id, id + 1000}, "delivered")), QJsonArray{id});
        QTest::qWait(5);
        QCOMPARE(ids(ack(a2, {id}, "delivered")), QJsonArray()); // the first is kept
        QCOMPARE(ids(ack(a2, {id}, "seen")), QJsonArray{id});
        QCOMPARE(ids(ack(a1, {id}, "seen")), QJsonArray());         // idempotent
        QCOMPARE(ids(ack(carol, {id}, "delivered")), QJsonArray()); // not hers
        QJsonObject alice = receiptOf(m_erp, id, QStringLiteral("alice"));
        const QJsonObject delivered = alice.value(QLatin1String("delivered")).toObject();
        const QJsonObject seen = alice.value(QLatin1String("seen")).toObject();
        QCOMPARE(delivered.value(QLatin1String("device")).toInteger(),
                 tokenId(m_tokens[QStringLiteral("alice")]));
        QCOMPARE(seen.value(QLatin1String("device")).toInteger(), tokenId(m_alice2));
        QVERIFY(delivered.value(QLatin1String("at")).toInteger() > 0);
        QVERIFY(seen.value(QLatin1String("at")).toInteger() >=
                delivered.value(QLatin1String("at")).toInteger());
        QVERIFY(alice.value(QLatin1String("read")).isNull());
        QVERIFY(alice.value(QLatin1String("acted")).isNull());
        const QJsonObject bob = receiptOf(m_erp, id, QStringLiteral("bob"));
        for (const char *k : {"delivered", "seen", "read", "acted"})
            QVERIFY2(bob.value(QLatin1String(k)).isNull(), k);
        QVERIFY(receiptOf(m_erp, id, QStringLiteral("carol")).isEmpty());
        // Read through notif.read, with its time.
        const QJsonObject read =
            a1.request(QStringLiteral("notif.read"), {{QStringLiteral("ids"), QJsonArray{id}}});
        QCOMPARE(read.value(QLatin1String("type")).toString(), QStringLiteral("result"));
        alice = receiptOf(m_erp, id, QStringLiteral("alice"));
        QVERIFY(
            alice.value(QLatin1String("read")).toObject().value(QLatin1String("at")).toInteger() >=
            seen.value(QLatin1String("at")).toInteger());
        // Acted from the second device: the action, its time and the device.
        const QJsonObject acted =
            a2.request(QStringLiteral("notif.action"),
                       {{QStringLiteral("notification"), id},
                        {QStringLiteral("action"), QStringLiteral("approve")}});
        QCOMPARE(acted.value(QLatin1String("type")).toString(), QStringLiteral("result"));
        const QJsonObject a =
            receiptOf(m_erp, id, QStringLiteral("alice")).value(QLatin1String("acted")).toObject();
        QCOMPARE(a.value(QLatin1String("action")).toString(), QStringLiteral("approve"));
        QCOMPARE(a.value(QLatin1String("device")).toInteger(), tokenId(m_alice2));
        QVERIFY(a.value(QLatin1String("at")).toInteger() > 0);
        QVERIFY(receiptOf(m_erp, id, QStringLiteral("bob")).value(QLatin1String("acted")).isNull());
        // The aggregate keeps working.
        const auto agg = m_http.get(url(id), m_erp);
        QCOMPARE(agg.status, 200);
        QCOMPARE(agg.json.value(QLatin1String("recipients")).toInt(), 2);
    }

    void groupReceiptsArePagedInUserOrder()
    {
        Client p1, p2;
        QVERIFY(p1.open(m_server->wsUrl(), m_p01));
        QVERIFY(p2.open(m_server->wsUrl(), m_p02));
        const qint64 id =
            publish(m_erp, {{QStringLiteral("groups"), QJsonArray{QStringLiteral("team")}},
                            {QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}});
        QCOMPARE(ids(ack(p1, {id}, "seen")), QJsonArray{id});
        // p01 reads everything (the watermark), p02 this one.
        QCOMPARE(
            p1.request(QStringLiteral("notif.readAll")).value(QLatin1String("type")).toString(),
            QStringLiteral("result"));
        QCOMPARE(p2.request(QStringLiteral("notif.read"), {{QStringLiteral("ids"), QJsonArray{id}}})
                     .value(QLatin1String("type"))
                     .toString(),
                 QStringLiteral("result"));
        QStringList users;
        QJsonValue after;
        int pages = 0;
        QHash<QString, QJsonObject> byUser;
        do {
            QString path = QStringLiteral("/api/v1/notifications/%1/receipts?limit=10").arg(id);
            if (!after.isNull())
                path += QStringLiteral("&after=%1").arg(after.toInteger());
            const auto r = m_http.get(m_server->httpUrl(path), m_erp);
            QCOMPARE(r.status, 200);
            const QJsonArray page = r.json.value(QLatin1String("receipts")).toArray();
            QVERIFY(page.size() <= 10);
            for (const QJsonValue &v : page) {
                users << v.toObject().value(QLatin1String("user")).toString();
                byUser.insert(users.last(), v.toObject());
            }
            after = r.json.value(QLatin1String("next"));
            QVERIFY(after.isNull() || page.size() == 10);
            QVERIFY(++pages <= 5);
        } while (!after.isNull());
        QCOMPARE(pages, 4);
        QStringList expected{QStringLiteral("alice")};
        for (int i = 1; i <= 30; ++i)
            expected << QStringLiteral("p%1").arg(i, 2, 10, QLatin1Char('0'));
        QCOMPARE(users, expected); // every recipient once, by user id
        const QJsonObject p01 = byUser.value(QStringLiteral("p01"));
        QCOMPARE(
            p01.value(QLatin1String("seen")).toObject().value(QLatin1String("device")).toInteger(),
            tokenId(m_p01));
        QVERIFY(p01.value(QLatin1String("read")).isObject()); // read below the watermark ...
        QVERIFY(p01.value(QLatin1String("read")).toObject().value(QLatin1String("at")).isNull());
        QVERIFY(byUser.value(QStringLiteral("p02"))
                    .value(QLatin1String("read"))
                    .toObject()
                    .value(QLatin1String("at"))
                    .toInteger() > 0); // ... and one read on its own, with its time
        QVERIFY(byUser.value(QStringLiteral("p03")).value(QLatin1String("read")).isNull());
        QVERIFY(byUser.value(QStringLiteral("p03")).value(QLatin1String("delivered")).isNull());
        // The default page holds them all.
        const auto all = m_http.get(
            m_server->httpUrl(QStringLiteral("/api/v1/notifications/%1/receipts").arg(id)), m_erp);
        QCOMPARE(all.json.value(QLatin1String("receipts")).toArray().size(), 31);
        QVERIFY(all.json.value(QLatin1String("next")).isNull());
    }

    void onlyThePublisherReadsReceipts_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("field");
        QTest::newRow("limit 0") << "?limit=0" << 400 << "limit";
        QTest::newRow("limit 1001") << "?limit=1001" << 400 << "limit";
        QTest::newRow("limit text") << "?limit=ten" << 400 << "limit";
        QTest::newRow("after negative") << "?after=-1" << 400 << "after";
        QTest::newRow("after text") << "?after=bob" << 400 << "after";
        QTest::newRow("limit 1000") << "?limit=1000" << 200 << "";
    }
    void onlyThePublisherReadsReceipts()
    {
        QFETCH(QString, query);
        QFETCH(int, status);
        QFETCH(QString, field);
        const qint64 id =
            publish(m_erp, {{QStringLiteral("users"), QJsonArray{QStringLiteral("bob")}}});
        const auto r = m_http.get(receiptsUrl(id, query), m_erp);
        QCOMPARE(r.status, status);
        if (status == 400) {
            const QJsonObject e = r.json.value(QLatin1String("error")).toObject();
            QCOMPARE(e.value(QLatin1String("code")).toString(), QStringLiteral("bad_value"));
            QCOMPARE(e.value(QLatin1String("field")).toString(), field);
        }
        QCOMPARE(m_http.get(receiptsUrl(id, {}), m_crm).status, 403);
        QCOMPARE(m_http.get(receiptsUrl(id + 1000, {}), m_erp).status, 404);
        QCOMPARE(m_http.get(receiptsUrl(id, {}), QString()).status, 401);
        QCOMPARE(m_http.get(receiptsUrl(id, {}), m_tokens[QStringLiteral("bob")]).status, 401);
        QCOMPARE(m_http.request("POST", receiptsUrl(id, {}), "{}", m_erp).status, 405);
    }

    void badAcksAreRefusedByField_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("field");
        QTest::newRow("bad state")
            << QByteArray(R"J({"type":"notif.ack","id":"x","ids":[1],"state":"read"})J") << "state";
        QTest::newRow("no state") << QByteArray(R"J({"type":"notif.ack","id":"x","ids":[1]})J")
                                  << "state";
        QTest::newRow("ids not a list")
            << QByteArray(R"J({"type":"notif.ack","id":"x","ids":"1,2","state":"seen"})J") << "ids";
        QString many;
        for (int i = 1; i <= 501; ++i)
            many += (i > 1 ? QStringLiteral(",") : QString()) + QString::number(i);
        QTest::newRow("501 ids") << (QStringLiteral(R"J({"type":"notif.ack","id":"x","ids":[)J") +
                                     many + QStringLiteral(R"J(],"state":"seen"})J"))
                                        .toUtf8()
                                 << "ids";
    }
    void badAcksAreRefusedByField()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, field);
        Client b;
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        b.sendRaw(frame);
        const QJsonObject e = b.waitFor(QStringLiteral("error"));
        QVERIFY2(!e.isEmpty(), "no error frame");
        QCOMPARE(e.value(QLatin1String("field")).toString(), field);
        // The connection stays usable.
        b.send(QStringLiteral("ping"), {{QStringLiteral("id"), QStringLiteral("p")}});
        QVERIFY(!b.waitFor(QStringLiteral("pong")).isEmpty());
    }

    void webhooksGoToSubscribersOnly()
    {
        Client a, b;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        const QJsonObject alice{{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}};
        const qint64 quiet = publish(m_erp, alice);
        const qint64 loud = publish(m_crm, alice);
        QCOMPARE(ids(ack(a, {quiet, loud}, "delivered")), (QJsonArray{quiet, loud}));
        QCOMPARE(ids(ack(a, {quiet, loud}, "seen")), (QJsonArray{quiet, loud}));
        QTRY_COMPARE_WITH_TIMEOUT(m_loud->names(),
                                  (QStringList{QStringLiteral("notification.delivered"),
                                               QStringLiteral("notification.seen")}),
                                  10000);
        QStringList headers = m_loud->headers();
        headers.sort();
        QCOMPARE(headers, m_loud->names());
        const QJsonObject d = m_loud->events().first();
        QCOMPARE(d.value(QLatin1String("notification")).toInteger(), loud);
        QCOMPARE(d.value(QLatin1String("user")).toString(), QStringLiteral("alice"));
        QCOMPARE(d.value(QLatin1String("device")).toInteger(),
                 tokenId(m_tokens[QStringLiteral("alice")]));
        QVERIFY(d.value(QLatin1String("at")).toInteger() > 0);
        // A read of a group notification through the watermark (readAll) reaches it too.
        const qint64 group =
            publish(m_crm, {{QStringLiteral("groups"), QJsonArray{QStringLiteral("pair")}}});
        QCOMPARE(b.request(QStringLiteral("notif.readAll")).value(QLatin1String("type")).toString(),
                 QStringLiteral("result"));
        QTRY_COMPARE_WITH_TIMEOUT(m_loud->events().size(), 3, 10000);
        QCOMPARE(m_loud->events().last().value(QLatin1String("event")).toString(),
                 QStringLiteral("notification.read"));
        QCOMPARE(m_loud->events().last().value(QLatin1String("notification")).toInteger(), group);
        QCOMPARE(m_loud->events().last().value(QLatin1String("user")).toString(),
                 QStringLiteral("bob"));
        // The default (acted only): no receipt webhook, the action's as before.
        QTest::qWait(1500);
        QVERIFY(m_quiet->events().isEmpty());
        QCOMPARE(a.request(QStringLiteral("notif.action"),
                           {{QStringLiteral("notification"), quiet},
                            {QStringLiteral("action"), QStringLiteral("reject")}})
                     .value(QLatin1String("type"))
                     .toString(),
                 QStringLiteral("result"));
        QTRY_COMPARE_WITH_TIMEOUT(m_quiet->events().size(), 1, 10000);
        const QJsonObject action = m_quiet->events().first();
        QCOMPARE(action.value(QLatin1String("event")).toString(),
                 QStringLiteral("notification.action"));
        QCOMPARE(action.value(QLatin1String("action")).toString(), QStringLiteral("reject"));
        QCOMPARE(action.value(QLatin1String("device")).toInteger(),
                 tokenId(m_tokens[QStringLiteral("alice")]));
        QTest::qWait(1500);
        QCOMPARE(m_quiet->events().size(), 1); // the read that came with the action: not subscribed
    }

private:
    QUrl url(qint64 id) const
    {
        return m_server->httpUrl(QStringLiteral("/api/v1/notifications/%1").arg(id));
    }
    QUrl receiptsUrl(qint64 id, const QString &query) const
    {
        return m_server->httpUrl(QStringLiteral("/api/v1/notifications/%1/receipts").arg(id) +
                                 query);
    }
    qint64 publish(const QString &service, const QJsonObject &recipients)
    {
        const auto r = m_http.post(m_server->httpUrl(QStringLiteral("/api/v1/notifications")),
                                   {{QStringLiteral("recipients"), recipients},
                                    {QStringLiteral("title"), QStringLiteral("Approve PO-7?")},
                                    {QStringLiteral("actions"), approveReject()}},
                                   service);
        if (r.status != 201)
            qFatal("publish failed: %s", r.body.constData());
        return r.json.value(QLatin1String("id")).toInteger();
    }
    static QJsonObject ack(Client &c, const QList<qint64> &list, const char *state)
    {
        QJsonArray a;
        for (qint64 id : list)
            a.append(id);
        return c.request(
            QStringLiteral("notif.ack"),
            {{QStringLiteral("ids"), a}, {QStringLiteral("state"), QLatin1String(state)}});
    }
    /** One person's receipt from the first page (empty when they are not a recipient). */
    QJsonObject receiptOf(const QString &service, qint64 id, const QString &user)
    {
        const auto r = m_http.get(receiptsUrl(id, {}), service);
        if (r.status != 200)
            qFatal("receipts failed: %s", r.body.constData());
        for (const QJsonValue &v : r.json.value(QLatin1String("receipts")).toArray())
            if (v.toObject().value(QLatin1String("user")).toString() == user)
                return v.toObject();
        return {};
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EventReceiver> m_quiet, m_loud;
    std::unique_ptr<LocalServer> m_server;
    QHash<QString, QString> m_tokens;
    QString m_alice2, m_p01, m_p02, m_erp, m_crm;
    Http m_http;
};

QTEST_MAIN(TestReceipts)
#include "tst_receipts.moc"
