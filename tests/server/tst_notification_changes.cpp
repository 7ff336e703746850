// A published notification changed by its service: PATCH (content, resolved from the source) and
// DELETE (retract) against a real server on port 0 with real WebSocket devices. Every device of
// every recipient follows at once; a device that was away gets the final state on resume; the
// race of an action and a source resolution has one winner; bad requests change nothing.
#include "testkit.h"

using namespace testkit;

namespace {

QString errorCode(const Http::Response &r)
{
    return r.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString();
}

QString errorField(const Http::Response &r)
{
    return r.json.value(QLatin1String("error")).toObject().value(QLatin1String("field")).toString();
}

} // namespace

class TestNotificationChanges : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        const QStringList people{QStringLiteral("alice"), QStringLiteral("bob"),
                                 QStringLiteral("carol")};
        m_tokens = seed.people(people);
        seed.group(QStringLiteral("approvers"), {QStringLiteral("bob"), QStringLiteral("carol")});
        m_erp = seed.service(QStringLiteral("erp"));
        m_other = seed.service(QStringLiteral("crm"));
        m_server = std::make_unique<LocalServer>(m_dir->path());
    }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
    }

    void updateReachesEveryDeviceAtOnce()
    {
        Client a1, a2, b;
        QVERIFY(a1.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(a2.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        const qint64 id = publish({QStringLiteral("alice"), QStringLiteral("bob")});
        for (Client *c : {&a1, &a2, &b})
            QVERIFY(!c->waitFor(QStringLiteral("notification")).isEmpty());
        const auto r =
            patch(id, {{QStringLiteral("title"), QStringLiteral("Approve PO-7 (now 5 laptops)")},
                       {QStringLiteral("priority"), QStringLiteral("urgent")}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QLatin1String("title")).toString(),
                 QStringLiteral("Approve PO-7 (now 5 laptops)"));
        QVERIFY(r.json.value(QLatin1String("updatedAt")).toInteger() > 0);
        qint64 seq = 0;
        for (Client *c : {&a1, &a2, &b}) {
            const QJsonObject u = c->waitFor(QStringLiteral("notif.updated"));
            QVERIFY2(!u.isEmpty(), "a device did not get notif.updated");
            const QJsonObject n = u.value(QLatin1String("notification")).toObject();
            QCOMPARE(n.value(QLatin1String("id")).toInteger(), id);
            QCOMPARE(n.value(QLatin1String("title")).toString(),
                     QStringLiteral("Approve PO-7 (now 5 laptops)"));
            QCOMPARE(n.value(QLatin1String("priority")).toString(), QStringLiteral("urgent"));
            QCOMPARE(n.value(QLatin1String("body")).toString(), QStringLiteral("3 laptops"));
            QVERIFY(!n.contains(QLatin1String("read"))); // read state is each person's own
            seq = u.value(QLatin1String("changeSeq")).toInteger();
            QVERIFY(seq > 0);
        }
        // The list shows the new state; the change did not make it read or unread.
        const QJsonObject list = a1.request(QStringLiteral("notif.list"));
        const QJsonObject first = list.value(QLatin1String("data"))
                                      .toObject()
                                      .value(QLatin1String("notifications"))
                                      .toArray()
                                      .first()
                                      .toObject();
        QCOMPARE(first.value(QLatin1String("priority")).toString(), QStringLiteral("urgent"));
        QCOMPARE(first.value(QLatin1String("read")).toBool(), false);
        // A new device learns the newest change number in hello.
        Client a3;
        QVERIFY(a3.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QCOMPARE(a3.all(QStringLiteral("hello"))
                     .first()
                     .value(QLatin1String("notifChanges"))
                     .toInteger(),
                 seq);
    }

    void sourceResolutionSettlesTheActions()
    {
        Client a, b;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        const qint64 id = publish({QStringLiteral("alice"), QStringLiteral("bob")});
        QVERIFY(!a.waitFor(QStringLiteral("notification")).isEmpty());
        const auto r =
            patch(id, {{QStringLiteral("resolved"), QStringLiteral("approved in SAP by bob")}});
        QCOMPARE(r.status, 200);
        for (Client *c : {&a, &b}) {
            const QJsonObject resolved = c->waitFor(QStringLiteral("notif.updated"))
                                             .value(QLatin1String("notification"))
                                             .toObject()
                                             .value(QLatin1String("resolved"))
                                             .toObject();
            QCOMPARE(resolved.value(QLatin1String("text")).toString(),
                     QStringLiteral("approved in SAP by bob"));
            QCOMPARE(resolved.value(QLatin1String("by")).toString(), QStringLiteral("erp"));
            QVERIFY(resolved.value(QLatin1String("source")).toBool());
            QVERIFY(resolved.value(QLatin1String("action")).isNull());
        }
        // A person's action after that loses, saying who won.
        const QJsonObject late = a.request(QStringLiteral("notif.action"),
                                           {{QStringLiteral("notification"), id},
                                            {QStringLiteral("action"), QStringLiteral("approve")}});
        QCOMPARE(late.value(QLatin1String("type")).toString(), QStringLiteral("error"));
        QCOMPARE(late.value(QLatin1String("code")).toString(), QStringLiteral("conflict"));
        QCOMPARE(late.value(QLatin1String("message")).toString(),
                 QStringLiteral("already resolved by erp: approved in SAP by bob"));
        // Resolving twice is a conflict too, and the first text stays.
        const auto again = patch(id, {{QStringLiteral("resolved"), QStringLiteral("rejected")}});
        QCOMPARE(again.status, 409);
        QCOMPARE(errorField(again), QStringLiteral("resolved"));
        const auto got = m_http.get(url(id), m_erp);
        QCOMPARE(got.json.value(QLatin1String("resolved"))
                     .toObject()
                     .value(QLatin1String("text"))
                     .toString(),
                 QStringLiteral("approved in SAP by bob"));
    }

    void aPersonsActionFirstWinsOverTheSource()
    {
        Client a;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const qint64 id = publish({QStringLiteral("alice")});
        const QJsonObject acted = a.request(QStringLiteral("notif.action"),
                                            {{QStringLiteral("notification"), id},
                                             {QStringLiteral("action"), QStringLiteral("reject")}});
        QCOMPARE(acted.value(QLatin1String("type")).toString(), QStringLiteral("result"));
        QVERIFY(a.waitFor(QStringLiteral("notif.resolved"))
                    .value(QLatin1String("changeSeq"))
                    .toInteger() > 0);
        const auto late =
            patch(id, {{QStringLiteral("resolved"), QStringLiteral("approved in SAP")},
                       {QStringLiteral("title"), QStringLiteral("changed")}});
        QCOMPARE(late.status, 409);
        QVERIFY2(late.json.value(QLatin1String("error"))
                     .toObject()
                     .value(QLatin1String("message"))
                     .toString()
                     .contains(QLatin1String("reject by alice")),
                 late.body.constData());
        // Refused whole: the title did not change either.
        QCOMPARE(m_http.get(url(id), m_erp).json.value(QLatin1String("title")).toString(),
                 QStringLiteral("Approve PO-7?"));
        // A content change without `resolved` is still allowed after the action.
        QCOMPARE(patch(id, {{QStringLiteral("body"), QStringLiteral("done")}}).status, 200);
    }

    void retractRemovesItAndDropsTheUnreadCount()
    {
        Client a1, a2;
        QVERIFY(a1.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(a2.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const qint64 keep = publish({QStringLiteral("alice")});
        const qint64 gone = publish({QStringLiteral("alice")});
        const auto r = m_http.request("DELETE", url(gone), {}, m_erp);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QLatin1String("retracted")).toBool(), true);
        for (Client *c : {&a1, &a2}) {
            const QJsonObject f = c->waitFor(QStringLiteral("notif.retracted"));
            QCOMPARE(f.value(QLatin1String("notification")).toInteger(), gone);
            QVERIFY(c->waitFor(QStringLiteral("notif.unread"), [](const QJsonObject &u) {
                         return u.value(QLatin1String("count")).toInt() == 1;
                     }).size() > 0);
        }
        // Gone from the list and from a new device's hello.
        const QJsonArray list = a1.request(QStringLiteral("notif.list"))
                                    .value(QLatin1String("data"))
                                    .toObject()
                                    .value(QLatin1String("notifications"))
                                    .toArray();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.first().toObject().value(QLatin1String("id")).toInteger(), keep);
        Client a3;
        QVERIFY(a3.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QCOMPARE(a3.all(QStringLiteral("hello")).first().value(QLatin1String("unread")).toInt(), 1);
        // Retracting again answers the same and tells nobody again.
        a1.clear();
        const auto again = m_http.request("DELETE", url(gone), {}, m_erp);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json.value(QLatin1String("retractedAt")),
                 r.json.value(QLatin1String("retractedAt")));
        QTest::qWait(200);
        QVERIFY(a1.all(QStringLiteral("notif.retracted")).isEmpty());
        // A retracted notification can be neither acted on nor changed.
        const QJsonObject act = a1.request(QStringLiteral("notif.action"),
                                           {{QStringLiteral("notification"), gone},
                                            {QStringLiteral("action"), QStringLiteral("approve")}});
        QCOMPARE(act.value(QLatin1String("code")).toString(), QStringLiteral("not_found"));
        const auto p = patch(gone, {{QStringLiteral("title"), QStringLiteral("back?")}});
        QCOMPARE(p.status, 409);
        QCOMPARE(errorCode(p), QStringLiteral("conflict"));
        // The service still sees it, marked retracted.
        const auto got = m_http.get(url(gone), m_erp);
        QCOMPARE(got.status, 200);
        QVERIFY(got.json.value(QLatin1String("retractedAt")).toInteger() > 0);
    }

    void aGroupNotificationIsRetractedForEveryMember()
    {
        Client b, c;
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QVERIFY(c.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
        const auto pub = m_http.post(
            m_server->httpUrl(QStringLiteral("/api/v1/notifications")),
            {{QStringLiteral("recipients"),
              QJsonObject{{QStringLiteral("groups"), QJsonArray{QStringLiteral("approvers")}}}},
             {QStringLiteral("title"), QStringLiteral("Group request")},
             {QStringLiteral("actions"), approveReject()}},
            m_erp);
        QCOMPARE(pub.status, 201);
        const qint64 id = pub.json.value(QLatin1String("id")).toInteger();
        QCOMPARE(m_http.request("DELETE", url(id), {}, m_erp).status, 200);
        for (Client *x : {&b, &c}) {
            QCOMPARE(x->waitFor(QStringLiteral("notif.retracted"))
                         .value(QLatin1String("notification"))
                         .toInteger(),
                     id);
            QVERIFY(!x->waitFor(QStringLiteral("notif.unread"), [](const QJsonObject &u) {
                          return u.value(QLatin1String("count")).toInt() == 0;
                      }).isEmpty());
        }
    }

    void resumeGetsTheFinalStateOfWhatTheDeviceHad()
    {
        Client a;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const qint64 changed = publish({QStringLiteral("alice")});
        const qint64 retracted = publish({QStringLiteral("alice")});
        const qint64 untouched = publish({QStringLiteral("alice")});
        QTRY_COMPARE(a.all(QStringLiteral("notification")).size(), 3);
        const qint64 changes =
            a.all(QStringLiteral("hello")).first().value(QLatin1String("notifChanges")).toInteger();
        a.ws.close();
        QVERIFY(a.waitClosed());
        // While the device is away: one updated and resolved, one retracted, one new.
        QCOMPARE(patch(changed, {{QStringLiteral("title"), QStringLiteral("v2")}}).status, 200);
        QCOMPARE(
            patch(changed, {{QStringLiteral("resolved"), QStringLiteral("done in SAP")}}).status,
            200);
        QCOMPARE(m_http.request("DELETE", url(retracted), {}, m_erp).status, 200);
        const qint64 fresh = publish({QStringLiteral("alice")});
        Client back;
        QVERIFY(back.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const QJsonObject res =
            back.request(QStringLiteral("resume"), {{QStringLiteral("notifications"), untouched},
                                                    {QStringLiteral("notifChanges"), changes}});
        QCOMPARE(res.value(QLatin1String("type")).toString(), QStringLiteral("result"));
        const QJsonObject data = res.value(QLatin1String("data")).toObject();
        // The new one, once.
        QList<qint64> news;
        for (const QJsonObject &n : back.all(QStringLiteral("notification")))
            news << n.value(QLatin1String("notification"))
                        .toObject()
                        .value(QLatin1String("id"))
                        .toInteger();
        QCOMPARE(news, QList<qint64>{fresh});
        // The changed one in its final state (both changes folded into one frame of its state).
        const QList<QJsonObject> updates = back.all(QStringLiteral("notif.updated"));
        QCOMPARE(updates.size(), 1);
        const QJsonObject n = updates.first().value(QLatin1String("notification")).toObject();
        QCOMPARE(n.value(QLatin1String("id")).toInteger(), changed);
        QCOMPARE(n.value(QLatin1String("title")).toString(), QStringLiteral("v2"));
        QCOMPARE(
            n.value(QLatin1String("resolved")).toObject().value(QLatin1String("text")).toString(),
            QStringLiteral("done in SAP"));
        const QList<QJsonObject> gone = back.all(QStringLiteral("notif.retracted"));
        QCOMPARE(gone.size(), 1);
        QCOMPARE(gone.first().value(QLatin1String("notification")).toInteger(), retracted);
        const qint64 cursor = data.value(QLatin1String("notifChanges")).toInteger();
        QCOMPARE(cursor, gone.first().value(QLatin1String("changeSeq")).toInteger());
        QCOMPARE(data.value(QLatin1String("unread")).toInt(), 3); // changed, untouched, fresh
        // Resuming again from the new cursors sends nothing more.
        back.clear();
        const QJsonObject again =
            back.request(QStringLiteral("resume"), {{QStringLiteral("notifications"), fresh},
                                                    {QStringLiteral("notifChanges"), cursor}});
        QCOMPARE(again.value(QLatin1String("data"))
                     .toObject()
                     .value(QLatin1String("notifChanges"))
                     .toInteger(),
                 cursor);
        QVERIFY(back.all(QStringLiteral("notif.updated")).isEmpty());
        QVERIFY(back.all(QStringLiteral("notif.retracted")).isEmpty());
    }

    void onlyThePublishingServiceChangesIt()
    {
        const qint64 id = publish({QStringLiteral("alice")});
        QCOMPARE(m_http.request("PATCH", url(id), R"J({"title":"x"})J", m_other).status, 403);
        QCOMPARE(m_http.request("DELETE", url(id), {}, m_other).status, 403);
        QCOMPARE(m_http.request("PATCH", url(id), R"J({"title":"x"})J", QString()).status, 401);
        QCOMPARE(m_http.request("DELETE", url(id), {}, m_tokens[QStringLiteral("alice")]).status,
                 401); // a person's token is not a service's
        const auto unknown = m_http.request("PATCH", url(id + 1000), R"J({"title":"x"})J", m_erp);
        QCOMPARE(unknown.status, 404);
        QCOMPARE(errorCode(unknown), QStringLiteral("not_found"));
        QCOMPARE(m_http.request("DELETE", url(id + 1000), {}, m_erp).status, 404);
        // Nothing changed.
        QCOMPARE(m_http.get(url(id), m_erp).json.value(QLatin1String("title")).toString(),
                 QStringLiteral("Approve PO-7?"));
    }

    void badPatchesAreRefusedByField_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");
        QTest::newRow("unknown field") << QByteArray(R"J({"colour":"red"})J") << "bad_value"
                                       << "colour";
        QTest::newRow("recipients cannot change")
            << QByteArray(R"J({"recipients":{"users":["carol"]}})J") << "bad_value"
            << "recipients";
        QTest::newRow("empty") << QByteArray("{}") << "bad_value"
                               << "";
        QTest::newRow("not json") << QByteArray("{title") << "bad_json"
                                  << "";
        QTest::newRow("array") << QByteArray("[]") << "not_object"
                               << "";
        QTest::newRow("empty title") << QByteArray(R"J({"title":"  "})J") << "bad_value"
                                     << "title";
        QTest::newRow("null title") << QByteArray(R"J({"title":null})J") << "bad_value"
                                    << "title";
        QTest::newRow("bad priority") << QByteArray(R"J({"priority":"loud"})J") << "bad_value"
                                      << "priority";
        QTest::newRow("bad link") << QByteArray(R"J({"link":"javascript:alert(1)"})J")
                                  << "bad_value"
                                  << "link";
        QTest::newRow("bad actions") << QByteArray(R"J({"actions":[{"id":"A B"}]})J") << "bad_value"
                                     << "actions";
        QTest::newRow("resolved not text") << QByteArray(R"J({"resolved":true})J") << "bad_value"
                                           << "resolved";
        QTest::newRow("lone surrogate") << QByteArray("{\"title\":\"\\ud800x\"}") << "bad_utf8"
                                        << "title";
    }
    void badPatchesAreRefusedByField()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        QFETCH(QString, field);
        const qint64 id = publish({QStringLiteral("alice")});
        const auto r = m_http.request("PATCH", url(id), body, m_erp);
        QCOMPARE(r.status, 400);
        QCOMPARE(errorCode(r), code);
        QCOMPARE(errorField(r), field);
        const auto got = m_http.get(url(id), m_erp);
        QCOMPARE(got.json.value(QLatin1String("title")).toString(),
                 QStringLiteral("Approve PO-7?"));
        QVERIFY(!got.json.contains(QLatin1String("updatedAt")));
    }

private:
    QUrl url(qint64 id) const
    {
        return m_server->httpUrl(QStringLiteral("/api/v1/notifications/%1").arg(id));
    }
    qint64 publish(const QStringList &users)
    {
        const auto r = m_http.post(
            m_server->httpUrl(QStringLiteral("/api/v1/notifications")),
            {{QStringLiteral("recipients"),
              QJsonObject{{QStringLiteral("users"), QJsonArray::fromStringList(users)}}},
             {QStringLiteral("title"), QStringLiteral("Approve PO-7?")},
             {QStringLiteral("body"), QStringLiteral("3 laptops")},
             {QStringLiteral("actions"), approveReject()}},
            m_erp);
        if (r.status != 201)
            qFatal("publish failed: %s", r.body.constData());
        return r.json.value(QLatin1String("id")).toInteger();
    }
    Http::Response patch(qint64 id, const QJsonObject &body)
    {
        return m_http.request("PATCH", url(id), QJsonDocument(body).toJson(QJsonDocument::Compact),
                              m_erp);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LocalServer> m_server;
    QHash<QString, QString> m_tokens;
    QString m_erp, m_other;
    Http m_http;
};

QTEST_MAIN(TestNotificationChanges)
#include "tst_notification_changes.moc"
