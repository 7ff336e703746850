// The audit trail against a real server on port 0: every change of a notification's state
// (published, delivered, seen, read, updated, resolved, acted, retracted, expired) is recorded
// with who, when and from which device, in the order it happened; the publishing service pages
// it (GET /api/v1/notifications/{id}/audit) and nobody else reads it; the records outlive the
// server; the expiry sweep notes an expiry once the (moved) clock passes it.
#include "testkit.h"

#include "core/clock.h"
#include "core/features/audittrail.h"
#include "core/hub.h"

using namespace testkit;

namespace {

qint64 tokenId(const QString &token)
{
    return token.section(QLatin1Char('_'), 1, 1).toLongLong();
}

QString str(const QJsonObject &o, const char *k)
{
    return o.value(QLatin1String(k)).toString();
}

} // namespace

class TestAudit : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        herald::clock::setTestOffset(0);
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        m_tokens = seed.people({QStringLiteral("alice"), QStringLiteral("bob")});
        seed.group(QStringLiteral("pair"), {QStringLiteral("alice"), QStringLiteral("bob")});
        m_erp = seed.service(QStringLiteral("erp"));
        m_crm = seed.service(QStringLiteral("crm"));
        m_server = std::make_unique<LocalServer>(m_dir->path());
    }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
        herald::clock::setTestOffset(0);
    }

    void everyChangeIsRecordedInOrder()
    {
        Client a, b;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        const qint64 id =
            publish(m_erp, {{QStringLiteral("users"),
                             QJsonArray{QStringLiteral("alice"), QStringLiteral("bob")}}});
        QCOMPARE(type(a.request(QStringLiteral("notif.ack"),
                                {{QStringLiteral("ids"), QJsonArray{id}},
                                 {QStringLiteral("state"), QStringLiteral("delivered")}})),
                 QStringLiteral("result"));
        QCOMPARE(type(a.request(QStringLiteral("notif.ack"),
                                {{QStringLiteral("ids"), QJsonArray{id}},
                                 {QStringLiteral("state"), QStringLiteral("seen")}})),
                 QStringLiteral("result"));
        // A second "seen" changes nothing and records nothing.
        a.request(QStringLiteral("notif.ack"), {{QStringLiteral("ids"), QJsonArray{id}},
                                                {QStringLiteral("state"), QStringLiteral("seen")}});
        QCOMPARE(type(b.request(QStringLiteral("notif.read"),
                                {{QStringLiteral("ids"), QJsonArray{id}}})),
                 QStringLiteral("result"));
        QCOMPARE(patch(m_erp, id,
                       {{QStringLiteral("title"), QStringLiteral("Approve PO-8?")},
                        {QStringLiteral("body"), QStringLiteral("now 120 EUR")}})
                     .status,
                 200);
        QCOMPARE(type(a.request(QStringLiteral("notif.action"),
                                {{QStringLiteral("notification"), id},
                                 {QStringLiteral("action"), QStringLiteral("approve")}})),
                 QStringLiteral("result"));
        const QJsonArray trail = auditOf(m_erp, id);
        QStringList events;
        for (const QJsonValue &v : trail)
            events << str(v.toObject(), "event");
        QCOMPARE(events, (QStringList{QStringLiteral("published"), QStringLiteral("delivered"),
                                      QStringLiteral("seen"), QStringLiteral("read"),
                                      QStringLiteral("updated"), QStringLiteral("acted"),
                                      QStringLiteral("read")}));
        const auto at = [&](int i) { return trail.at(i).toObject(); };
        QCOMPARE(str(at(0), "actorKind"), QStringLiteral("service"));
        QCOMPARE(str(at(0), "actor"), QStringLiteral("erp"));
        QCOMPARE(str(at(0), "detail"), QStringLiteral("to 2 people"));
        QCOMPARE(str(at(1), "actor"), QStringLiteral("alice"));
        QCOMPARE(str(at(1), "actorKind"), QStringLiteral("user"));
        QCOMPARE(at(1).value(QLatin1String("device")).toInteger(),
                 tokenId(m_tokens[QStringLiteral("alice")]));
        QCOMPARE(str(at(3), "actor"), QStringLiteral("bob"));
        QCOMPARE(str(at(4), "detail"), QStringLiteral("title, body"));
        QCOMPARE(str(at(5), "detail"), QStringLiteral("approve"));
        QCOMPARE(at(5).value(QLatin1String("device")).toInteger(),
                 tokenId(m_tokens[QStringLiteral("alice")]));
        qint64 previousAt = 0, previousId = 0;
        for (const QJsonValue &v : trail) {
            const QJsonObject r = v.toObject();
            QCOMPARE(r.value(QLatin1String("notification")).toInteger(), id);
            QVERIFY(r.value(QLatin1String("at")).toInteger() >= previousAt);
            QVERIFY(r.value(QLatin1String("id")).toInteger() > previousId);
            previousAt = r.value(QLatin1String("at")).toInteger();
            previousId = r.value(QLatin1String("id")).toInteger();
        }
        // They outlive the server.
        m_server.reset();
        m_server = std::make_unique<LocalServer>(m_dir->path());
        QCOMPARE(auditOf(m_erp, id), trail);
    }

    void resolvedAndRetractedBySource()
    {
        const QJsonObject pair{{QStringLiteral("groups"), QJsonArray{QStringLiteral("pair")}}};
        const qint64 resolved = publish(m_erp, pair);
        QCOMPARE(patch(m_erp, resolved,
                       {{QStringLiteral("resolved"), QStringLiteral("approved in SAP by carol")}})
                     .status,
                 200);
        const qint64 retracted = publish(m_erp, pair);
        QCOMPARE(m_http.request("DELETE", notifUrl(retracted), {}, m_erp).status, 200);
        QCOMPARE(m_http.request("DELETE", notifUrl(retracted), {}, m_erp).status, 200); // once
        const QJsonArray r1 = auditOf(m_erp, resolved);
        QCOMPARE(r1.size(), 2);
        QCOMPARE(str(r1.at(1).toObject(), "event"), QStringLiteral("resolved"));
        QCOMPARE(str(r1.at(1).toObject(), "detail"), QStringLiteral("approved in SAP by carol"));
        QCOMPARE(str(r1.at(0).toObject(), "detail"), QStringLiteral("to 2 people"));
        const QJsonArray r2 = auditOf(m_erp, retracted);
        QCOMPARE(r2.size(), 2);
        QCOMPARE(str(r2.at(1).toObject(), "event"), QStringLiteral("retracted"));
        QCOMPARE(str(r2.at(1).toObject(), "actor"), QStringLiteral("erp"));
        // A read of everything (the group's watermark) records a read per notification it read:
        // the live one, not the retracted one.
        const qint64 live = publish(m_erp, pair);
        Client b;
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(type(b.request(QStringLiteral("notif.readAll"))), QStringLiteral("result"));
        const QJsonArray r3 = auditOf(m_erp, live);
        QCOMPARE(r3.size(), 2);
        QCOMPARE(str(r3.at(1).toObject(), "event"), QStringLiteral("read"));
        QCOMPARE(str(r3.at(1).toObject(), "actor"), QStringLiteral("bob"));
    }

    void expiryIsNotedByTheSweep()
    {
        const qint64 now = herald::clock::nowMs();
        const qint64 expiresAt = now + 60 * 1000;
        const auto r = m_http.post(
            m_server->httpUrl(QStringLiteral("/api/v1/notifications")),
            {{QStringLiteral("recipients"),
              QJsonObject{{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}}},
             {QStringLiteral("title"), QStringLiteral("Server room door open")},
             {QStringLiteral("expiresAt"), expiresAt}},
            m_erp);
        QCOMPARE(r.status, 201);
        const qint64 id = r.json.value(QLatin1String("id")).toInteger();
        const qint64 retracted =
            publish(m_erp, {{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}});
        QCOMPARE(m_http.request("DELETE", notifUrl(retracted), {}, m_erp).status, 200);
        QTest::qWait(300); // a sweep at start found nothing to note
        QCOMPARE(auditOf(m_erp, id).size(), 1);
        // Two minutes later (the clock is moved, not waited for) a new server's first sweep
        // notes it, dated at its expiry, once.
        herald::clock::setTestOffset(120 * 1000);
        m_server.reset();
        m_server = std::make_unique<LocalServer>(m_dir->path());
        QTRY_COMPARE_WITH_TIMEOUT(auditOf(m_erp, id).size(), 2, 10000);
        const QJsonObject e = auditOf(m_erp, id).at(1).toObject();
        QCOMPARE(str(e, "event"), QStringLiteral("expired"));
        QCOMPARE(str(e, "actorKind"), QStringLiteral("system"));
        QCOMPARE(str(e, "actor"), QStringLiteral("herald"));
        QCOMPARE(e.value(QLatin1String("at")).toInteger(), expiresAt);
        m_server->server->hub()->auditTrail()->sweepExpired();
        QTest::qWait(300);
        QCOMPARE(auditOf(m_erp, id).size(), 2);
        // A retraction is recorded as such, never as an expiry.
        const QJsonArray r2 = auditOf(m_erp, retracted);
        QCOMPARE(r2.size(), 2);
        QCOMPARE(str(r2.at(1).toObject(), "event"), QStringLiteral("retracted"));
    }

    void pagesAndRefusals_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("field");
        QTest::newRow("limit 0") << "?limit=0" << 400 << "limit";
        QTest::newRow("limit 1001") << "?limit=1001" << 400 << "limit";
        QTest::newRow("limit text") << "?limit=ten" << 400 << "limit";
        QTest::newRow("after negative") << "?after=-1" << 400 << "after";
        QTest::newRow("after 2^53") << "?after=9007199254740992" << 400 << "after";
        QTest::newRow("limit 1000") << "?limit=1000" << 200 << "";
    }
    void pagesAndRefusals()
    {
        QFETCH(QString, query);
        QFETCH(int, status);
        QFETCH(QString, field);
        const qint64 id =
            publish(m_erp, {{QStringLiteral("users"), QJsonArray{QStringLiteral("bob")}}});
        const auto r = m_http.get(auditUrl(id, query), m_erp);
        QCOMPARE(r.status, status);
        if (status == 400) {
            const QJsonObject e = r.json.value(QLatin1String("error")).toObject();
            QCOMPARE(str(e, "code"), QStringLiteral("bad_value"));
            QCOMPARE(str(e, "field"), field);
        }
        QCOMPARE(m_http.get(auditUrl(id, {}), m_crm).status, 403);
        QCOMPARE(m_http.get(auditUrl(id + 1000, {}), m_erp).status, 404);
        QCOMPARE(m_http.get(auditUrl(id, {}), QString()).status, 401);
        QCOMPARE(m_http.get(auditUrl(id, {}), m_tokens[QStringLiteral("bob")]).status, 401);
        QCOMPARE(m_http.request("POST", auditUrl(id, {}), "{}", m_erp).status, 405);
    }

    void pagesFollowNext()
    {
        Client b;
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        const qint64 id =
            publish(m_erp, {{QStringLiteral("users"), QJsonArray{QStringLiteral("bob")}}});
        for (const char *state : {"delivered", "seen"})
            b.request(QStringLiteral("notif.ack"),
                      {{QStringLiteral("ids"), QJsonArray{id}},
                       {QStringLiteral("state"), QLatin1String(state)}});
        b.request(QStringLiteral("notif.read"), {{QStringLiteral("ids"), QJsonArray{id}}});
        QStringList events;
        QJsonValue after;
        int pages = 0;
        do {
            const auto r = m_http.get(
                auditUrl(id,
                         QStringLiteral("?limit=3") +
                             (after.isNull() ? QString()
                                             : QStringLiteral("&after=%1").arg(after.toInteger()))),
                m_erp);
            QCOMPARE(r.status, 200);
            const QJsonArray page = r.json.value(QLatin1String("audit")).toArray();
            QVERIFY(page.size() <= 3);
            for (const QJsonValue &v : page)
                events << str(v.toObject(), "event");
            after = r.json.value(QLatin1String("next"));
            QVERIFY(++pages <= 3);
        } while (!after.isNull());
        QCOMPARE(pages, 2);
        QCOMPARE(events, (QStringList{QStringLiteral("published"), QStringLiteral("delivered"),
                                      QStringLiteral("seen"), QStringLiteral("read")}));
    }

private:
    static QString type(const QJsonObject &frame) { return str(frame, "type"); }
    QUrl notifUrl(qint64 id) const
    {
        return m_server->httpUrl(QStringLiteral("/api/v1/notifications/%1").arg(id));
    }
    QUrl auditUrl(qint64 id, const QString &query) const
    {
        return m_server->httpUrl(QStringLiteral("/api/v1/notifications/%1/audit").arg(id) + query);
    }
    Http::Response patch(const QString &service, qint64 id, const QJsonObject &body)
    {
        return m_http.request("PATCH", notifUrl(id),
                              QJsonDocument(body).toJson(QJsonDocument::Compact), service);
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
    QJsonArray auditOf(const QString &service, qint64 id)
    {
        const auto r = m_http.get(auditUrl(id, {}), service);
        if (r.status != 200)
            qFatal("audit failed: %s", r.body.constData());
        return r.json.value(QLatin1String("audit")).toArray();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LocalServer> m_server;
    QHash<QString, QString> m_tokens;
    QString m_erp, m_crm;
    Http m_http;
};

QTEST_MAIN(TestAudit)
#include "tst_audit.moc"
