// Webhooks that give up loudly: a receiver that keeps failing is tried webhook_max_attempts
// times with growing, jittered waits (the test moves the server's clock instead of waiting),
// then the delivery stops, is counted in /metrics and listed by `heraldctl webhook failures`;
// `heraldctl webhook retry ID` queues it again and it arrives once the receiver is back. An
// old delivery gives up by age (webhook_max_age_hours) too.
#include "testkit.h"
#include "webhookreceiver.h"

#include "core/clock.h"
#include "net/webhooks.h"

#include <QSqlDatabase>
#include <QSqlQuery>

using namespace testkit;

class TestWebhookDeadLetter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        herald::clock::setTestOffset(0);
        m_dir = std::make_unique<QTemporaryDir>();
        m_receiver = std::make_unique<Receiver>(1000); // fails until told otherwise
        Seed seed(m_dir->path());
        m_tokens = seed.people({QStringLiteral("alice")});
        m_service =
            seed.service(QStringLiteral("erp"),
                         QStringLiteral("http://127.0.0.1:%1/hook").arg(m_receiver->serverPort()),
                         QStringLiteral("k"));
    }
    void cleanup()
    {
        herald::clock::setTestOffset(0);
        m_receiver.reset();
        m_dir.reset();
    }

    void backoffIsJitteredAndCapped()
    {
        for (int attempts : {0, 1, 5, 12, 40}) {
            const qint64 ceiling = std::min<qint64>(1000LL << std::min(attempts, 12), 3600 * 1000);
            QSet<qint64> seen;
            for (int i = 0; i < 50; ++i) {
                const qint64 b = herald::Webhooks::backoffMs(attempts);
                QVERIFY2(b >= ceiling / 2 && b <= ceiling, qPrintable(QString::number(b)));
                seen << b;
            }
            QVERIFY2(seen.size() > 1, "no jitter"); // 50 draws, not all the same
        }
    }

    void givesUpAfterMaxAttemptsAndIsRetriedByHand()
    {
        herald::Config config;
        config.webhookMaxAttempts = 3;
        LocalServer s(m_dir->path(), config);
        const qint64 id = actOnNewNotification(s);
        // Three attempts, each after the (moved) clock passes its wait; then no more.
        for (int attempt = 1; attempt <= 3; ++attempt) {
            QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requests.size(), attempt, 10000);
            QTRY_COMPARE_WITH_TIMEOUT(failedAttempts(), attempt, 10000); // recorded, then on
            herald::clock::setTestOffset(herald::clock::testOffset() + 2 * 3600 * 1000);
        }
        QTest::qWait(2500); // two more polls of the outbox: nothing is tried any more
        QCOMPARE(m_receiver->requests.size(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(metric(s).contains("herald_webhooks_undeliverable_total 1"), 5000);
        // The dead-letter list names it, with the notification, the action and the last error.
        const QStringList failures = ctl({QStringLiteral("webhook"), QStringLiteral("failures")});
        QCOMPARE(failures.size(), 1);
        const QStringList cols = failures.first().split(QLatin1Char('\t'));
        QCOMPARE(cols.value(1), QStringLiteral("erp"));
        QCOMPARE(cols.value(2).toLongLong(), id);
        QCOMPARE(cols.value(3), QStringLiteral("approve"));
        QCOMPARE(cols.value(4), QStringLiteral("3"));
        QVERIFY2(cols.value(7).contains(QLatin1String("500")), qPrintable(failures.first()));
        QVERIFY(ctl({QStringLiteral("webhook"), QStringLiteral("failures"), QStringLiteral("erp")})
                    .size() == 1);
        // The receiver is fixed; the admin retries it; it arrives, signed, once.
        m_receiver->m_fail = 0;
        const qsizetype before = m_receiver->requests.size();
        QVERIFY(ctl({QStringLiteral("webhook"), QStringLiteral("retry"), cols.value(0)})
                    .join(QString())
                    .contains(QLatin1String("queued again")));
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requests.size(), before + 1, 10000);
        QCOMPARE(QJsonDocument::fromJson(Receiver::body(m_receiver->requests.last()))
                     .object()
                     .value(QLatin1String("notification"))
                     .toInteger(),
                 id);
        QTRY_VERIFY_WITH_TIMEOUT(
            ctl({QStringLiteral("webhook"), QStringLiteral("failures")}).isEmpty(), 5000);
        QTest::qWait(1500);
        QCOMPARE(m_receiver->requests.size(), before + 1);
    }

    void givesUpByAge()
    {
        herald::Config config;
        config.webhookMaxAttempts = 1000;
        config.webhookMaxAgeHours = 1;
        LocalServer s(m_dir->path(), config);
        actOnNewNotification(s);
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requests.size(), 1, 10000);
        // The clock moves only once the server has recorded that failure (else the failure
        // itself would be judged two hours late, and be its last).
        QTRY_COMPARE_WITH_TIMEOUT(failedAttempts(), 1, 10000);
        // Two hours later the next failure is its last.
        herald::clock::setTestOffset(2 * 3600 * 1000);
        QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requests.size(), 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(metric(s).contains("herald_webhooks_undeliverable_total 1"), 5000);
        herald::clock::setTestOffset(4 * 3600 * 1000);
        QTest::qWait(2500);
        QCOMPARE(m_receiver->requests.size(), 2);
        QCOMPARE(ctl({QStringLiteral("webhook"), QStringLiteral("failures")}).size(), 1);
    }

    void retryRefusesWhatIsNotDead_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("unknown id") << QStringLiteral("999") << 1;
        QTest::newRow("not a number") << QStringLiteral("abc") << 2;
        QTest::newRow("zero") << QStringLiteral("0") << 2;
        QTest::newRow("2^64") << QStringLiteral("18446744073709551616") << 2;
    }
    void retryRefusesWhatIsNotDead()
    {
        QFETCH(QString, id);
        QFETCH(int, exitCode);
        QProcess p;
        p.start(ServerProcess::binary("heraldctl"),
                {QStringLiteral("--data-dir"), m_dir->path(), QStringLiteral("webhook"),
                 QStringLiteral("retry"), id});
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), exitCode);
        QVERIFY(!p.readAllStandardError().trimmed().isEmpty()); // says why
    }

private:
    qint64 actOnNewNotification(LocalServer &s)
    {
        Client alice;
        if (!alice.open(s.wsUrl(), m_tokens[QStringLiteral("alice")]))
            return 0;
        Http http;
        const auto r = http.post(
            s.httpUrl(QStringLiteral("/api/v1/notifications")),
            {{QStringLiteral("recipients"),
              QJsonObject{{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}}},
             {QStringLiteral("title"), QStringLiteral("Approve?")},
             {QStringLiteral("actions"),
              QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("approve")},
                                     {QStringLiteral("label"), QStringLiteral("Approve")}}}}},
            m_service);
        const qint64 id = r.json.value(QLatin1String("id")).toInteger();
        alice.request(QStringLiteral("notif.action"),
                      {{QStringLiteral("notification"), id},
                       {QStringLiteral("action"), QStringLiteral("approve")}});
        return id;
    }
    /** The attempts the server has recorded for the one queued delivery. */
    int failedAttempts()
    {
        int n = -1;
        {
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
            db.setDatabaseName(m_dir->path() + QStringLiteral("/herald.db"));
            if (db.open()) {
                QSqlQuery q(db);
                if (q.exec(QStringLiteral("SELECT attempts FROM webhooks")) && q.next())
                    n = q.value(0).toInt();
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("peek"));
        return n;
    }
    QByteArray metric(LocalServer &s)
    {
        Http http;
        return http.get(s.httpUrl(QStringLiteral("/metrics"))).body;
    }
    QStringList ctl(const QStringList &args)
    {
        // heraldctl opens the same SQLite file while the server runs (WAL: both may).
        QProcess p;
        p.start(ServerProcess::binary("heraldctl"),
                QStringList{QStringLiteral("--data-dir"), m_dir->path()} + args);
        if (!p.waitForFinished(20000) || p.exitCode() != 0)
            return {QStringLiteral("heraldctl failed: ") +
                    QString::fromUtf8(p.readAllStandardError())};
        return QString::fromUtf8(p.readAllStandardOutput())
            .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Receiver> m_receiver;
    QHash<QString, QString> m_tokens;
    QString m_service;
};

QTEST_MAIN(TestWebhookDeadLetter)
#include "tst_webhook_deadletter.moc"
