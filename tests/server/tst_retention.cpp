// Retention against a real server on port 0: with the clock moved past retain_read_days, the
// notifications that are done (read by everyone, acted on, resolved, retracted) go and those
// still unread for someone stay; retain_unread_days takes everything; chat messages go from the
// oldest of each room as the room's own retention or retain_messages_days says, leaving the
// rest numbered without gaps; purged notifications answer 410 gone and keep their audit trail
// with a `purged` record; heraldctl purge --dry-run says what would go and removes nothing.
#include "testkit.h"

#include "core/clock.h"
#include "core/features/retention.h"
#include "core/hub.h"

#include <QSignalSpy>

using namespace testkit;

namespace {
constexpr qint64 Day = 24LL * 3600 * 1000;
}

class TestRetention : public QObject
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
    }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
        herald::clock::setTestOffset(0);
    }

    void doneNotificationsGoUnreadStay()
    {
        herald::Config config;
        config.retainReadDays = 30;
        config.purgeBatch = 2; // several batches
        start(config);
        Client a, b;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        const QJsonObject alice{{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}};
        const QJsonObject pair{{QStringLiteral("groups"), QJsonArray{QStringLiteral("pair")}}};
        const qint64 readByAlice = publish(alice);
        const qint64 unread = publish(alice);
        const qint64 readByBoth = publish(pair);
        const qint64 readByOne = publish(pair);
        const qint64 acted = publish(alice);
        const qint64 retracted = publish(pair);
        QCOMPARE(type(a.request(QStringLiteral("notif.read"),
                                {{QStringLiteral("ids"), QJsonArray{readByAlice, readByOne}}})),
                 QStringLiteral("result"));
        QCOMPARE(type(a.request(QStringLiteral("notif.read"),
                                {{QStringLiteral("ids"), QJsonArray{readByBoth}}})),
                 QStringLiteral("result"));
        QCOMPARE(type(b.request(QStringLiteral("notif.read"),
                                {{QStringLiteral("ids"), QJsonArray{readByBoth}}})),
                 QStringLiteral("result"));
        QCOMPARE(type(a.request(QStringLiteral("notif.action"),
                                {{QStringLiteral("notification"), acted},
                                 {QStringLiteral("action"), QStringLiteral("approve")}})),
                 QStringLiteral("result"));
        QCOMPARE(m_http.request("DELETE", url(retracted), {}, m_erp).status, 200);
        // Not yet: 29 days on, nothing is past retain_read_days.
        herald::clock::setTestOffset(29 * Day);
        QCOMPARE(purge().total(), 0);
        herald::clock::setTestOffset(31 * Day);
        const herald::PurgeCounts removed = purge();
        QCOMPARE(removed.readNotifications, 4);
        QCOMPARE(removed.unreadNotifications, 0);
        for (qint64 id : {readByAlice, readByBoth, acted, retracted}) {
            const auto got = m_http.get(url(id), m_erp);
            QCOMPARE(got.status, 410);
            QCOMPARE(got.json.value(QLatin1String("error"))
                         .toObject()
                         .value(QLatin1String("code"))
                         .toString(),
                     QStringLiteral("gone"));
            QCOMPARE(m_http.request("DELETE", url(id), {}, m_erp).status, 410);
            QCOMPARE(m_http.request("PATCH", url(id), R"J({"title":"x"})J", m_erp).status, 410);
            QCOMPARE(m_http.get(sub(id, "receipts"), m_erp).status, 410);
            const QJsonArray trail =
                m_http.get(sub(id, "audit"), m_erp).json.value(QLatin1String("audit")).toArray();
            QVERIFY(trail.size() >= 2);
            QCOMPARE(trail.first().toObject().value(QLatin1String("event")).toString(),
                     QStringLiteral("published"));
            QCOMPARE(trail.last().toObject().value(QLatin1String("event")).toString(),
                     QStringLiteral("purged"));
        }
        for (qint64 id : {unread, readByOne})
            QCOMPARE(m_http.get(url(id), m_erp).status, 200);
        QCOMPARE(m_http.get(url(unread + 1000), m_erp).status, 404); // never existed
        // Alice's backlog: the unread one, and the group one she read; bob's: the one he did not.
        Client a2, b2;
        QVERIFY(a2.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(b2.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(a2.all(QStringLiteral("hello")).first().value(QLatin1String("unread")).toInt(), 1);
        QCOMPARE(b2.all(QStringLiteral("hello")).first().value(QLatin1String("unread")).toInt(), 1);
        QVERIFY(metrics().contains("herald_purged_notifications_total 4"));
        m_server.reset();
        QCOMPARE(herald::Store::integrityCheck(StorageFixture::forDirectory(m_dir->path())),
                 QStringLiteral("ok"));
    }

    void unreadDaysTakeEverything()
    {
        herald::Config config;
        config.retainUnreadDays = 10;
        start(config);
        const QJsonObject pair{{QStringLiteral("groups"), QJsonArray{QStringLiteral("pair")}}};
        const qint64 first = publish(pair);
        const qint64 second =
            publish({{QStringLiteral("users"), QJsonArray{QStringLiteral("bob")}}});
        herald::clock::setTestOffset(11 * Day);
        const qint64 fresh = publish(pair); // published "now": stays
        const herald::PurgeCounts removed = purge();
        QCOMPARE(removed.unreadNotifications, 2);
        QCOMPARE(m_http.get(url(first), m_erp).status, 410);
        QCOMPARE(m_http.get(url(second), m_erp).status, 410);
        QCOMPARE(m_http.get(url(fresh), m_erp).status, 200);
        Client b;
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(b.all(QStringLiteral("hello")).first().value(QLatin1String("unread")).toInt(), 1);
    }

    void messagesGoFromTheOldestPerRoom()
    {
        const qint64 now = herald::clock::nowMs();
        qint64 general = 0, legal = 0, ops = 0;
        {
            Seed seed(m_dir->path());
            const QStringList both{QStringLiteral("alice"), QStringLiteral("bob")};
            general = seed.room(QStringLiteral("general"), both);
            legal = seed.room(QStringLiteral("legal"), both);
            ops = seed.room(QStringLiteral("ops"), both);
            const qint64 alice = seed.store.user(QStringLiteral("alice"))->id;
            // general and legal: 5 messages 20 days old, then 3 new ones; in ops one old
            // message comes after a new one (a skewed clock): it stays, so no gap opens.
            for (qint64 room : {general, legal})
                for (int i = 0; i < 8; ++i)
                    QVERIFY(std::holds_alternative<herald::StoredMessage>(seed.store.storeMessage(
                        room, alice, QStringLiteral("c%1").arg(i), QStringLiteral("m%1").arg(i),
                        i < 5 ? now - 20 * Day + i : now + i)));
            const qint64 opsTs[] = {now - 20 * Day, now - 19 * Day, now, now - 18 * Day, now};
            for (int i = 0; i < 5; ++i)
                QVERIFY(std::holds_alternative<herald::StoredMessage>(
                    seed.store.storeMessage(ops, alice, QStringLiteral("o%1").arg(i),
                                            QStringLiteral("o%1").arg(i), opsTs[i])));
            QVERIFY(!seed.store.setRoomRetention(QStringLiteral("legal"), 0)); // for ever
            QCOMPARE(seed.store.setRoomRetention(QStringLiteral("nope"), 3)->code,
                     QStringLiteral("not_found"));
        }
        herald::Config config;
        config.retainMessagesDays = 7;
        start(config);
        const herald::PurgeCounts removed = purge();
        QCOMPARE(removed.messages, 5 + 2);
        QCOMPARE(removed.rooms, 2);
        m_server.reset();
        Seed after(m_dir->path());
        bool more = false;
        const auto seqs = [&](qint64 room) {
            QList<qint64> out;
            for (const herald::MessageRow &m : after.store.history(room, 0, 0, 100, &more, true))
                out << m.seq;
            return out;
        };
        QCOMPARE(seqs(general), (QList<qint64>{6, 7, 8}));
        QCOMPARE(seqs(legal).size(), 8);
        QCOMPARE(seqs(ops), (QList<qint64>{3, 4, 5}));
        QCOMPARE(herald::Store::integrityCheck(StorageFixture::forDirectory(m_dir->path())),
                 QStringLiteral("ok"));
    }

    void heraldctlDryRunThenPurge()
    {
        if (StorageFixture::postgres())
            QSKIP("heraldctl is driven with --data-dir (SQLite) here");
        herald::Config config; // the server keeps everything; heraldctl is told the days
        start(config);
        const QJsonObject alice{{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}};
        const qint64 id = publish(alice);
        Client a;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QCOMPARE(type(a.request(QStringLiteral("notif.read"),
                                {{QStringLiteral("ids"), QJsonArray{id}}})),
                 QStringLiteral("result"));
        const qint64 kept = publish(alice);
        const QString later = QString::number(40 * Day);
        auto [code, out] = ctl({QStringLiteral("purge"), QStringLiteral("--dry-run"),
                                QStringLiteral("--read-days"), QStringLiteral("30")},
                               later);
        QCOMPARE(code, 0);
        QVERIFY2(out.startsWith(QLatin1String("would purge 1 notification (1 done")),
                 qPrintable(out));
        QCOMPARE(m_http.get(url(id), m_erp).status, 200); // a dry run removes nothing
        std::tie(code, out) = ctl(
            {QStringLiteral("purge"), QStringLiteral("--read-days"), QStringLiteral("30")}, later);
        QCOMPARE(code, 0);
        QVERIFY2(out.startsWith(QLatin1String("purged 1 notification")), qPrintable(out));
        QCOMPARE(m_http.get(url(id), m_erp).status, 410);
        QCOMPARE(m_http.get(url(kept), m_erp).status, 200);
        // Bad input: a readable message and exit 2 (usage) or 1 (refused); nothing changes.
        QCOMPARE(ctl({QStringLiteral("purge"), QStringLiteral("--read-days"), QStringLiteral("-1")})
                     .first,
                 2);
        QCOMPARE(ctl({QStringLiteral("purge"), QStringLiteral("now")}).first, 2);
        QCOMPARE(ctl({QStringLiteral("room"), QStringLiteral("retention"), QStringLiteral("nope"),
                      QStringLiteral("5")})
                     .first,
                 1);
        QCOMPARE(ctl({QStringLiteral("room"), QStringLiteral("retention"),
                      QStringLiteral("general"), QStringLiteral("ten")})
                     .first,
                 2);
        QCOMPARE(m_http.get(url(kept), m_erp).status, 200);
    }

private:
    void start(const herald::Config &config)
    {
        m_server = std::make_unique<LocalServer>(m_dir->path(), config);
    }
    static QString type(const QJsonObject &frame)
    {
        return frame.value(QLatin1String("type")).toString();
    }
    /** One whole purge pass, started now; what it removed. */
    herald::PurgeCounts purge()
    {
        herald::Retention *r = m_server->server->hub()->retention();
        QSignalSpy done(r, &herald::Retention::passDone);
        r->purgeNow();
        if (!done.wait(20000))
            qFatal("no purge pass ended");
        if (done.first().at(1).toBool())
            qFatal("the purge pass failed");
        return done.first().at(0).value<herald::PurgeCounts>();
    }
    QUrl url(qint64 id) const
    {
        return m_server->httpUrl(QStringLiteral("/api/v1/notifications/%1").arg(id));
    }
    QUrl sub(qint64 id, const char *what) const
    {
        return m_server->httpUrl(
            QStringLiteral("/api/v1/notifications/%1/%2").arg(id).arg(QLatin1String(what)));
    }
    qint64 publish(const QJsonObject &recipients)
    {
        const auto r = m_http.post(m_server->httpUrl(QStringLiteral("/api/v1/notifications")),
                                   {{QStringLiteral("recipients"), recipients},
                                    {QStringLiteral("title"), QStringLiteral("Approve PO-7?")},
                                    {QStringLiteral("actions"), approveReject()}},
                                   m_erp);
        if (r.status != 201)
            qFatal("publish failed: %s", r.body.constData());
        return r.json.value(QLatin1String("id")).toInteger();
    }
    QByteArray metrics() { return m_http.get(m_server->httpUrl(QStringLiteral("/metrics"))).body; }
    std::pair<int, QString> ctl(const QStringList &args, const QString &clockOffsetMs = {})
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (!clockOffsetMs.isEmpty())
            env.insert(QStringLiteral("HERALD_TEST_CLOCK_OFFSET_MS"), clockOffsetMs);
        p.setProcessEnvironment(env);
        p.start(ServerProcess::binary("heraldctl"),
                QStringList{QStringLiteral("--data-dir"), m_dir->path()} + args);
        if (!p.waitForFinished(20000))
            return {-1, {}};
        const QString err = QString::fromUtf8(p.readAllStandardError());
        if (p.exitCode() != 0 && err.trimmed().isEmpty())
            return {-2, {}}; // a refusal must say why
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()).trimmed()};
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LocalServer> m_server;
    QHash<QString, QString> m_tokens;
    QString m_erp;
    Http m_http;
};

QTEST_MAIN(TestRetention)
#include "tst_retention.moc"
