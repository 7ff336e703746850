// A property of the publish door: every body it answers 201 reaches every online recipient, with
// the text exactly as sent, and is in every offline recipient's backlog. Bodies are random but
// valid, with numbers and strings at the edges the validation lets through (expiresAt up to
// 2^53-1, titles of 200 characters, surrogate pairs, escapes). The seed is printed; set
// HERALD_PROPERTY_SEED to replay one run.
#include "testkit.h"

#include <QRandomGenerator>

using namespace testkit;

namespace {

constexpr int Bodies = 80;

QString randomText(QRandomGenerator &rng, int maxLen)
{
    static const QList<QString> pieces{
        QStringLiteral("a"),       QStringLiteral("Order 42"),   QStringLiteral(" "),
        QStringLiteral("\""),      QStringLiteral("\\"),         QStringLiteral("\n"),
        QStringLiteral("\t"),      QStringLiteral("\u00e9"),     QStringLiteral("\u5ba1\u6279"),
        QStringLiteral("\u0000"),  QStringLiteral("\U0001F600"), QStringLiteral("\U0010FFFF"),
        QStringLiteral("\uFFFD"),  QStringLiteral("\uFEFF"),     QStringLiteral("</script>"),
        QStringLiteral("\\ud800"), // the text of an escape, not an escape
    };
    QString out = QStringLiteral("x"); // never blank
    const int target = 1 + rng.bounded(maxLen);
    while (out.size() < target) {
        const QString &p = pieces.at(rng.bounded(pieces.size()));
        if (out.size() + p.size() > maxLen)
            break;
        out += p;
    }
    return out;
}

} // namespace

class TestPublishProperty : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void acceptedMeansDelivered()
    {
        QTemporaryDir dir;
        QString aliceToken, bobToken, service;
        {
            Seed seed(dir.path());
            seed.user(QStringLiteral("alice"));
            seed.user(QStringLiteral("bob"));
            aliceToken = seed.token(QStringLiteral("alice"));
            bobToken = seed.token(QStringLiteral("bob"));
            seed.group(QStringLiteral("staff"), {QStringLiteral("alice"), QStringLiteral("bob")});
            service = seed.service(QStringLiteral("erp"));
        }
        LocalServer s(dir.path());
        Client alice; // online for the whole run; bob is offline until the end
        QVERIFY(alice.open(s.wsUrl(), aliceToken));

        const quint32 seedValue =
            qEnvironmentVariableIsSet("HERALD_PROPERTY_SEED")
                ? quint32(qEnvironmentVariableIntValue("HERALD_PROPERTY_SEED"))
                : QRandomGenerator::global()->generate();
        qInfo("property seed: %u (HERALD_PROPERTY_SEED=%u replays it)", seedValue, seedValue);
        QRandomGenerator rng(seedValue);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const QList<QJsonValue> expiries{QJsonValue(),
                                         QJsonValue(9007199254740991.0),
                                         QJsonValue(double(now + 3600 * 1000)),
                                         QJsonValue(double(now + 120 * 1000)),
                                         QJsonValue(1e15),
                                         QJsonValue(4102444800000.0)};
        static const QStringList priorities{QStringLiteral("low"), QStringLiteral("normal"),
                                            QStringLiteral("high"), QStringLiteral("urgent")};

        struct Sent
        {
            QJsonObject body;
            bool toAlice = false;
            bool toBob = false;
        };
        QHash<qint64, Sent> accepted;
        Http http;
        for (int i = 0; i < Bodies; ++i) {
            QJsonObject body{{QStringLiteral("title"), randomText(rng, 200)}};
            Sent sent;
            QJsonObject to;
            switch (rng.bounded(4)) {
            case 0:
                to.insert(QStringLiteral("users"), QJsonArray{QStringLiteral("alice")});
                sent.toAlice = true;
                break;
            case 1:
                to.insert(QStringLiteral("users"), QJsonArray{QStringLiteral("bob")});
                sent.toBob = true;
                break;
            case 2:
                to.insert(QStringLiteral("groups"), QJsonArray{QStringLiteral("staff")});
                sent.toAlice = sent.toBob = true;
                break;
            default:
                to.insert(QStringLiteral("everyone"), true);
                sent.toAlice = sent.toBob = true;
                break;
            }
            body.insert(QStringLiteral("recipients"), to);
            if (rng.bounded(2))
                body.insert(QStringLiteral("body"), randomText(rng, 4000));
            if (rng.bounded(2))
                body.insert(QStringLiteral("priority"), priorities.at(rng.bounded(4)));
            if (rng.bounded(2))
                body.insert(QStringLiteral("category"), randomText(rng, 64));
            if (rng.bounded(2))
                body.insert(QStringLiteral("link"),
                            QStringLiteral("https://erp.example/orders/%1?q=%2")
                                .arg(rng.bounded(1000000))
                                .arg(rng.bounded(10)));
            const QJsonValue expiry = expiries.at(rng.bounded(expiries.size()));
            if (!expiry.isNull())
                body.insert(QStringLiteral("expiresAt"), expiry);
            QJsonArray actions;
            const int nActions = rng.bounded(6);
            for (int a = 0; a < nActions; ++a)
                actions.append(QJsonObject{{QStringLiteral("id"), QStringLiteral("act-%1").arg(a)},
                                           {QStringLiteral("label"), randomText(rng, 64)}});
            if (!actions.isEmpty())
                body.insert(QStringLiteral("actions"), actions);
            if (rng.bounded(3) == 0)
                body.insert(QStringLiteral("source"),
                            QJsonObject{{QStringLiteral("order"), double(rng.bounded(1000000))},
                                        {QStringLiteral("big"), 9007199254740991.0},
                                        {QStringLiteral("tags"), QJsonArray{randomText(rng, 20)}}});
            sent.body = body;

            const Http::Response r =
                http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")), body, service);
            QVERIFY2(r.status == 201, qPrintable(QStringLiteral("valid body %1 answered %2: %3")
                                                     .arg(i)
                                                     .arg(r.status)
                                                     .arg(QString::fromUtf8(r.body))));
            accepted.insert(r.json.value(QLatin1String("id")).toInteger(), sent);
        }

        // Online: alice got each of hers live, with every field as sent.
        const auto same = [](const QJsonObject &n, const QJsonObject &body) -> QString {
            for (const char *k :
                 {"title", "body", "priority", "category", "link", "expiresAt", "actions"}) {
                const QLatin1String key(k);
                if (body.contains(key) && n.value(key) != body.value(key))
                    return QStringLiteral("%1 differs: sent %2, got %3")
                        .arg(key,
                             QString::fromUtf8(QJsonDocument(QJsonObject{{key, body.value(key)}})
                                                   .toJson(QJsonDocument::Compact)),
                             QString::fromUtf8(QJsonDocument(QJsonObject{{key, n.value(key)}})
                                                   .toJson(QJsonDocument::Compact)));
            }
            return {};
        };
        for (auto it = accepted.cbegin(); it != accepted.cend(); ++it) {
            if (!it->toAlice)
                continue;
            const qint64 id = it.key();
            const QJsonObject f =
                alice.waitFor(QStringLiteral("notification"), [id](const QJsonObject &f) {
                    return f.value(QLatin1String("notification"))
                               .toObject()
                               .value(QLatin1String("id"))
                               .toInteger() == id;
                });
            QVERIFY2(!f.isEmpty(),
                     qPrintable(QStringLiteral("notification %1 never reached alice").arg(id)));
            const QString diff = same(f.value(QLatin1String("notification")).toObject(), it->body);
            QVERIFY2(diff.isEmpty(),
                     qPrintable(QStringLiteral("notification %1: %2").arg(id).arg(diff)));
        }

        // Offline: bob finds each of his in the backlog when he connects.
        Client bob;
        QVERIFY(bob.open(s.wsUrl(), bobToken));
        QHash<qint64, QJsonObject> backlog;
        qint64 before = 0;
        for (;;) {
            QJsonObject req{{QStringLiteral("limit"), 50}};
            if (before)
                req.insert(QStringLiteral("before"), before);
            const QJsonObject data = bob.request(QStringLiteral("notif.list"), req)
                                         .value(QLatin1String("data"))
                                         .toObject();
            const QJsonArray page = data.value(QLatin1String("notifications")).toArray();
            for (const QJsonValue &v : page) {
                const QJsonObject n = v.toObject();
                backlog.insert(n.value(QLatin1String("id")).toInteger(), n);
                before = n.value(QLatin1String("id")).toInteger();
            }
            if (page.isEmpty() || !data.value(QLatin1String("hasMore")).toBool())
                break;
        }
        int forBob = 0;
        for (auto it = accepted.cbegin(); it != accepted.cend(); ++it) {
            if (!it->toBob) {
                QVERIFY2(!backlog.contains(it.key()), "bob has a notification that was not his");
                continue;
            }
            ++forBob;
            QVERIFY2(backlog.contains(it.key()),
                     qPrintable(
                         QStringLiteral("notification %1 is not in bob's backlog").arg(it.key())));
            const QString diff = same(backlog.value(it.key()), it->body);
            QVERIFY2(diff.isEmpty(),
                     qPrintable(QStringLiteral("notification %1: %2").arg(it.key()).arg(diff)));
        }
        QCOMPARE(backlog.size(), forBob);
    }
};

QTEST_GUILESS_MAIN(TestPublishProperty)
#include "tst_publish_property.moc"
