// Escalation against a real server on port 0 (and PostgreSQL through tests/cluster): a reminder
// step fires once after the (moved) clock passes it; an escalation step adds the people of a
// group, who get the notification live and in their unread list, with an audit record and the
// notification.escalated webhook; nothing fires for a notification acted on, resolved by its
// source or retracted; steps outlive a restart; bad steps are refused with their field.
#include "testkit.h"
#include "webhookreceiver.h"

#include "core/clock.h"
#include "core/features/escalationscheduler.h"
#include "core/hub.h"

using namespace testkit;

namespace {

QString str(const QJsonObject &o, const char *k)
{
    return o.value(QLatin1String(k)).toString();
}

QJsonObject remindAfter(qint64 seconds)
{
    return {{QStringLiteral("after"), seconds}, {QStringLiteral("remind"), true}};
}

} // namespace

class TestEscalation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        herald::clock::setTestOffset(0);
        m_dir = std::make_unique<QTemporaryDir>();
        m_hooks = std::make_unique<Receiver>(0);
        Seed seed(m_dir->path());
        m_tokens = seed.people({QStringLiteral("alice"), QStringLiteral("bob"),
                                QStringLiteral("carol"), QStringLiteral("dave")});
        seed.group(QStringLiteral("approvers-2"),
                   {QStringLiteral("carol"), QStringLiteral("dave"), QStringLiteral("alice")});
        m_erp = seed.service(QStringLiteral("erp"),
                             QStringLiteral("http://127.0.0.1:%1/hook").arg(m_hooks->serverPort()),
                             QStringLiteral("s1"));
        QVERIFY(!seed.store.setWebhookEvents(
            QStringLiteral("erp"), {QStringLiteral("acted"), QStringLiteral("escalated")}));
        m_server = std::make_unique<LocalServer>(m_dir->path());
    }
    void cleanup()
    {
        m_server.reset();
        m_hooks.reset();
        m_dir.reset();
        herald::clock::setTestOffset(0);
    }

    void reminderFiresOnce()
    {
        Client a, b;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        const qint64 id = publish(
            {{QStringLiteral("users"), QJsonArray{QStringLiteral("alice"), QStringLiteral("bob")}}},
            QJsonArray{remindAfter(60), remindAfter(120)});
        QVERIFY(!a.waitFor(QStringLiteral("notification")).isEmpty());
        QCOMPARE(poll(), 0); // not due yet
        herald::clock::setTestOffset(61 * 1000);
        QCOMPARE(poll(), 1);
        for (Client *c : {&a, &b}) {
            const QJsonObject r = c->waitFor(QStringLiteral("notif.reminder"));
            QCOMPARE(r.value(QLatin1String("notification")).toObject().value(QLatin1String("id")),
                     QJsonValue(id));
            QCOMPARE(r.value(QLatin1String("reminder")), QJsonValue(true));
            QCOMPARE(r.value(QLatin1String("step")), QJsonValue(1));
        }
        QCOMPARE(poll(), 0); // fired once
        QTest::qWait(100);
        QCOMPARE(a.all(QStringLiteral("notif.reminder")).size(), 1);
        herald::clock::setTestOffset(121 * 1000);
        QCOMPARE(poll(), 1);
        QCOMPARE(a.waitFor(QStringLiteral("notif.reminder")).value(QLatin1String("step")),
                 QJsonValue(2));
        const QJsonArray trail = auditOf(id);
        QCOMPARE(trail.size(), 3);
        QCOMPARE(str(trail.at(1).toObject(), "event"), QStringLiteral("reminded"));
        QCOMPARE(str(trail.at(1).toObject(), "actorKind"), QStringLiteral("system"));
        QCOMPARE(str(trail.at(1).toObject(), "detail"),
                 QStringLiteral("step 1: 2 people reminded"));
    }

    void escalationAddsGroupMembers()
    {
        Client a, c;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(c.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
        const qint64 id =
            publish({{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}},
                    QJsonArray{QJsonObject{
                        {QStringLiteral("after"), 30},
                        {QStringLiteral("groups"), QJsonArray{QStringLiteral("approvers-2")}},
                        {QStringLiteral("users"), QJsonArray{QStringLiteral("bob")}}}});
        QVERIFY(!a.waitFor(QStringLiteral("notification")).isEmpty());
        QCOMPARE(unread(c).size(), 0);
        herald::clock::setTestOffset(31 * 1000);
        QCOMPARE(poll(), 1);
        // carol gets it live, dave and bob (offline) in their unread list; alice only once.
        const QJsonObject live = c.waitFor(QStringLiteral("notification"));
        QCOMPARE(live.value(QLatin1String("notification")).toObject().value(QLatin1String("id")),
                 QJsonValue(id));
        QCOMPARE(unread(c), QList<qint64>{id});
        for (const char *who : {"dave", "bob"}) {
            Client d;
            QVERIFY(d.open(m_server->wsUrl(), m_tokens[QLatin1String(who)]));
            QCOMPARE(unread(d), QList<qint64>{id});
        }
        QTest::qWait(100);
        QCOMPARE(a.all(QStringLiteral("notification")).size(), 1);
        QCOMPARE(unread(a), QList<qint64>{id});
        // carol may act on it now.
        QCOMPARE(str(c.request(QStringLiteral("notif.action"),
                               {{QStringLiteral("notification"), id},
                                {QStringLiteral("action"), QStringLiteral("approve")}}),
                     "type"),
                 QStringLiteral("result"));
        const QJsonArray trail = auditOf(id);
        QCOMPARE(str(trail.at(1).toObject(), "event"), QStringLiteral("escalated"));
        QCOMPARE(str(trail.at(1).toObject(), "detail"),
                 QStringLiteral("step 1: groups approvers-2; users bob (3 people added)"));
        // notification.escalated, then notification.action.
        QTRY_COMPARE_WITH_TIMEOUT(m_hooks->requests.size(), 2, 10000);
        QJsonObject escalated;
        for (const QByteArray &r : std::as_const(m_hooks->requests)) {
            const QJsonObject e = QJsonDocument::fromJson(Receiver::body(r)).object();
            if (str(e, "event") == QLatin1String("notification.escalated"))
                escalated = e;
        }
        QCOMPARE(escalated.value(QLatin1String("notification")), QJsonValue(id));
        QCOMPARE(escalated.value(QLatin1String("step")), QJsonValue(1));
        QCOMPARE(
            escalated.value(QLatin1String("added")).toArray(),
            (QJsonArray{QStringLiteral("bob"), QStringLiteral("carol"), QStringLiteral("dave")}));
        QCOMPARE(escalated.value(QLatin1String("groups")).toArray(),
                 QJsonArray{QStringLiteral("approvers-2")});
    }

    void settledNotificationsDoNotEscalate()
    {
        Client a;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const QJsonObject alice{{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}};
        const QJsonArray steps{remindAfter(10), QJsonObject{{QStringLiteral("after"), 20},
                                                            {QStringLiteral("users"),
                                                             QJsonArray{QStringLiteral("carol")}}}};
        const qint64 acted = publish(alice, steps);
        const qint64 resolved = publish(alice, steps);
        const qint64 retracted = publish(alice, steps);
        const qint64 live = publish(alice, steps);
        QCOMPARE(str(a.request(QStringLiteral("notif.action"),
                               {{QStringLiteral("notification"), acted},
                                {QStringLiteral("action"), QStringLiteral("approve")}}),
                     "type"),
                 QStringLiteral("result"));
        QCOMPARE(m_http
                     .request("PATCH", notifUrl(resolved),
                              R"J({"resolved":"approved in SAP by bob"})J", m_erp)
                     .status,
                 200);
        QCOMPARE(m_http.request("DELETE", notifUrl(retracted), {}, m_erp).status, 200);
        herald::clock::setTestOffset(30 * 1000);
        QCOMPARE(poll(), 2); // only the live one's two steps
        QTest::qWait(100);
        const QList<QJsonObject> reminders = a.all(QStringLiteral("notif.reminder"));
        QCOMPARE(reminders.size(), 1);
        QCOMPARE(reminders.first()
                     .value(QLatin1String("notification"))
                     .toObject()
                     .value(QLatin1String("id")),
                 QJsonValue(live));
        for (qint64 id : {acted, resolved}) {
            const QJsonArray trail = auditOf(id);
            for (const QJsonValue &v : trail)
                QVERIFY(str(v.toObject(), "event") != QLatin1String("reminded") &&
                        str(v.toObject(), "event") != QLatin1String("escalated"));
        }
        Client c;
        QVERIFY(c.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
        QCOMPARE(unread(c), QList<qint64>{live});
        QCOMPARE(poll(), 0); // cancelled steps stay cancelled
    }

    void stepsSurviveARestart()
    {
        const qint64 id = publish({{QStringLiteral("users"), QJsonArray{QStringLiteral("bob")}}},
                                  QJsonArray{remindAfter(60)});
        m_server.reset();
        m_server = std::make_unique<LocalServer>(m_dir->path());
        Client b;
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        herald::clock::setTestOffset(61 * 1000);
        QCOMPARE(poll(), 1);
        QCOMPARE(b.waitFor(QStringLiteral("notif.reminder"))
                     .value(QLatin1String("notification"))
                     .toObject()
                     .value(QLatin1String("id")),
                 QJsonValue(id));
    }

    void badStepsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("escalation");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");
        const QString bad = QStringLiteral("bad_value");
        QTest::newRow("unknown group")
            << QByteArray(R"J([{"after":60,"groups":["nobody-here"]}])J") << 422
            << QStringLiteral("not_found") << QStringLiteral("escalation[0].groups");
        QTest::newRow("unknown user")
            << QByteArray(R"J([{"after":60,"remind":true},{"after":90,"users":["zed"]}])J") << 422
            << QStringLiteral("not_found") << QStringLiteral("escalation[1].users");
        QTest::newRow("negative") << QByteArray(R"J([{"after":-5,"remind":true}])J") << 400 << bad
                                  << QStringLiteral("escalation[0].after");
        QTest::newRow("zero") << QByteArray(R"J([{"after":0,"remind":true}])J") << 400 << bad
                              << QStringLiteral("escalation[0].after");
        QTest::newRow("fraction") << QByteArray(R"J([{"after":1.5,"remind":true}])J") << 400 << bad
                                  << QStringLiteral("escalation[0].after");
        QTest::newRow("text") << QByteArray(R"J([{"after":"60","remind":true}])J") << 400 << bad
                              << QStringLiteral("escalation[0].after");
        QTest::newRow("over 30 days") << QByteArray(R"J([{"after":2592001,"remind":true}])J") << 400
                                      << bad << QStringLiteral("escalation[0].after");
        QTest::newRow("six steps")
            << QByteArray(R"J([{"after":1,"remind":true},{"after":2,"remind":true},)J"
                          R"J({"after":3,"remind":true},{"after":4,"remind":true},)J"
                          R"J({"after":5,"remind":true},{"after":6,"remind":true}])J")
            << 400 << bad << QStringLiteral("escalation");
        QTest::newRow("not increasing")
            << QByteArray(R"J([{"after":60,"remind":true},{"after":60,"remind":true}])J") << 400
            << bad << QStringLiteral("escalation[1].after");
        QTest::newRow("both") << QByteArray(R"J([{"after":60,"remind":true,"users":["bob"]}])J")
                              << 400 << bad << QStringLiteral("escalation[0]");
        QTest::newRow("neither") << QByteArray(R"J([{"after":60}])J") << 400 << bad
                                 << QStringLiteral("escalation[0]");
        QTest::newRow("unknown key") << QByteArray(R"J([{"after":60,"remind":true,"when":1}])J")
                                     << 400 << bad << QStringLiteral("escalation[0].when");
        QTest::newRow("not an array")
            << QByteArray(R"J({"after":60})J") << 400 << bad << QStringLiteral("escalation");
        QTest::newRow("bad name") << QByteArray(R"J([{"after":60,"users":["Not A Name"]}])J") << 400
                                  << bad << QStringLiteral("escalation[0].users");
    }
    void badStepsAreRefused()
    {
        QFETCH(QByteArray, escalation);
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(QString, field);
        const QByteArray body =
            R"J({"recipients":{"users":["bob"]},"title":"Approve?","escalation":)J" + escalation +
            "}";
        const auto r = m_http.request(
            "POST", m_server->httpUrl(QStringLiteral("/api/v1/notifications")), body, m_erp);
        QCOMPARE(r.status, status);
        const QJsonObject e = r.json.value(QLatin1String("error")).toObject();
        QCOMPARE(str(e, "code"), code);
        QCOMPARE(str(e, "field"), field);
        // Nothing was stored: bob has no notification.
        Client b;
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(unread(b).size(), 0);
    }

private:
    /** One poll of the escalation module, started now: how many steps it fired (-1: none
     *  ended). */
    int poll()
    {
        herald::EscalationScheduler *e = m_server->server->hub()->escalations();
        for (int i = 0; i < 500 && e->polling(); ++i)
            QTest::qWait(10);
        QSignalSpy spy(e, &herald::EscalationScheduler::polled);
        e->pollNow();
        if (!spy.wait(5000))
            return -1;
        return spy.first().first().toInt();
    }
    /** The ids of a person's unread notifications, newest first. */
    static QList<qint64> unread(Client &c)
    {
        const QJsonObject r =
            c.request(QStringLiteral("notif.list"), {{QStringLiteral("unread"), true}});
        QList<qint64> out;
        for (const QJsonValue &v : r.value(QLatin1String("data"))
                                       .toObject()
                                       .value(QLatin1String("notifications"))
                                       .toArray())
            out << v.toObject().value(QLatin1String("id")).toInteger();
        return out;
    }
    QUrl notifUrl(qint64 id) const
    {
        return m_server->httpUrl(QStringLiteral("/api/v1/notifications/%1").arg(id));
    }
    qint64 publish(const QJsonObject &recipients, const QJsonArray &escalation)
    {
        const auto r = m_http.post(m_server->httpUrl(QStringLiteral("/api/v1/notifications")),
                                   {{QStringLiteral("recipients"), recipients},
                                    {QStringLiteral("title"), QStringLiteral("Approve PO-7?")},
                                    {QStringLiteral("actions"), approveReject()},
                                    {QStringLiteral("escalation"), escalation}},
                                   m_erp);
        if (r.status != 201)
            qFatal("publish failed: %s", r.body.constData());
        return r.json.value(QLatin1String("id")).toInteger();
    }
    QJsonArray auditOf(qint64 id)
    {
        const auto r = m_http.get(
            m_server->httpUrl(QStringLiteral("/api/v1/notifications/%1/audit").arg(id)), m_erp);
        if (r.status != 200)
            qFatal("audit failed: %s", r.body.constData());
        return r.json.value(QLatin1String("audit")).toArray();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Receiver> m_hooks;
    std::unique_ptr<LocalServer> m_server;
    QHash<QString, QString> m_tokens;
    QString m_erp;
    Http m_http;
};

QTEST_MAIN(TestEscalation)
#include "tst_escalation.moc"
