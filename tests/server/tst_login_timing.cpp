// Login must not tell whether a name exists: an unknown name takes as long as a known name with
// a wrong password (docs/api.md). Drives the hub directly, alternating the two so that any load
// on the machine falls on both, and compares the medians.
#include "core/database.h"
#include "core/hub.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace herald;

class TestLoginTiming : public QObject
{
    Q_OBJECT
private:
    qint64 timeLogin(Hub &hub, const QString &name, const QString &password, QString *error)
    {
        QElapsedTimer t;
        bool done = false;
        t.start();
        hub.login(name, password, [&](const QJsonObject &r) {
            *error = r.value(QLatin1String("error")).toString();
            done = true;
        });
        if (!QTest::qWaitFor([&] { return done; }, 20000))
            return -1;
        return t.nsecsElapsed() / 1000;
    }
    static qint64 median(QList<qint64> v)
    {
        std::sort(v.begin(), v.end());
        return v.at(v.size() / 2);
    }

private Q_SLOTS:
    void unknownNameCostsTheSameAsAWrongPassword()
    {
        QTemporaryDir dir;
        {
            Store st;
            QVERIFY(!st.open(dir.path()));
            QVERIFY(std::holds_alternative<qint64>(
                st.createUser(QStringLiteral("alice"), {}, QStringLiteral("correct horse"))));
        }
        Database db;
        QVERIFY(db.open(dir.path()).isEmpty());
        Hub hub(Config{}, &db);
        QVERIFY(hub.load().isEmpty());

        QString error;
        // Warm up both paths (the dummy hash is made once, in the background, at start).
        QVERIFY(timeLogin(hub, QStringLiteral("nobody"), QStringLiteral("x"), &error) > 0);
        QCOMPARE(error, QStringLiteral("unauthorized"));
        QVERIFY(timeLogin(hub, QStringLiteral("alice"), QStringLiteral("x"), &error) > 0);
        QCOMPARE(error, QStringLiteral("unauthorized"));

        QList<qint64> unknown, known;
        for (int i = 0; i < 9; ++i) {
            const qint64 u =
                timeLogin(hub, QStringLiteral("nobody-%1").arg(i), QStringLiteral("x"), &error);
            QCOMPARE(error, QStringLiteral("unauthorized"));
            const qint64 k =
                timeLogin(hub, QStringLiteral("alice"), QStringLiteral("wrong %1").arg(i), &error);
            QCOMPARE(error, QStringLiteral("unauthorized"));
            QVERIFY(u > 0 && k > 0);
            unknown << u;
            known << k;
        }
        const qint64 mu = median(unknown);
        const qint64 mk = median(known);
        qInfo("median login: unknown name %lld us, known name with a wrong password %lld us", mu,
              mk);
        const double ratio = double(std::max(mu, mk)) / double(std::min(mu, mk));
        QVERIFY2(ratio <= 1.2,
                 qPrintable(QStringLiteral("medians differ by %1 %: unknown %2 us, known %3 us")
                                .arg(int((ratio - 1) * 100))
                                .arg(mu)
                                .arg(mk)));
        // And the right password still gets in.
        QVERIFY(timeLogin(hub, QStringLiteral("alice"), QStringLiteral("correct horse"), &error) >
                0);
        QCOMPARE(error, QString());
    }
};

QTEST_GUILESS_MAIN(TestLoginTiming)
#include "tst_login_timing.moc"
