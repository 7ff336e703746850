// Reconnect delays: exponential ceilings from about a second up to the cap, full jitter below.
#include "backoff.h"

#include <QSet>
#include <QTest>

using ms = std::chrono::milliseconds;

class TestBackoff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsStartAtASecondAndCapAtThirty()
    {
        Backoff backoff;
        QCOMPARE(backoff.initial(), ms(1000));
        QCOMPARE(backoff.cap(), ms(30000));
        const QList<qint64> expected{1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
        for (const qint64 ceiling : expected) {
            QCOMPARE(backoff.ceiling().count(), ceiling);
            const ms delay = backoff.next();
            QVERIFY2(delay >= backoff.floor() && delay.count() <= ceiling,
                     qPrintable(QStringLiteral("%1 not in [%2, %3]")
                                    .arg(delay.count())
                                    .arg(backoff.floor().count())
                                    .arg(ceiling)));
        }
        QCOMPARE(backoff.attempts(), expected.size());
    }

    void delaysAreJitteredOverTheWholeRange()
    {
        // Many clients at the same step must not pick the same delay: the spread covers most
        // of [floor, ceiling] and hardly repeats.
        Backoff backoff(ms(1000), ms(30000));
        backoff.seed(42);
        for (int step = 0; step < 6; ++step) {
            QSet<qint64> seen;
            qint64 low = std::numeric_limits<qint64>::max();
            qint64 high = 0;
            qint64 ceiling = 0;
            for (int i = 0; i < 400; ++i) {
                Backoff b(ms(1000), ms(30000));
                b.seed(quint32(i * 7919 + step));
                for (int s = 0; s < step; ++s)
                    (void)b.next();
                ceiling = b.ceiling().count();
                const qint64 d = b.next().count();
                QVERIFY(d >= 100 && d <= ceiling);
                seen.insert(d);
                low = std::min(low, d);
                high = std::max(high, d);
            }
            QVERIFY2(seen.size() > 200, qPrintable(QString::number(seen.size())));
            QVERIFY(low < ceiling / 5);
            QVERIFY(high > ceiling * 4 / 5);
        }
    }

    void resetStartsOver()
    {
        Backoff backoff(ms(500), ms(4000), ms(10));
        for (int i = 0; i < 10; ++i)
            (void)backoff.next();
        QCOMPARE(backoff.ceiling(), ms(4000));
        backoff.reset();
        QCOMPARE(backoff.attempts(), 0);
        QCOMPARE(backoff.ceiling(), ms(500));
        QVERIFY(backoff.next() <= ms(500));
    }

    void limitsAreSane()
    {
        Backoff backoff(ms(2000), ms(1000), ms(5000)); // cap below start, floor above start
        QCOMPARE(backoff.cap(), ms(2000));
        QCOMPARE(backoff.floor(), ms(2000));
        for (int i = 0; i < 100; ++i)
            QCOMPARE(backoff.next(), ms(2000));
        // Many attempts never overflow the doubling.
        Backoff longRun(ms(1000), ms(30000));
        for (int i = 0; i < 10000; ++i)
            QVERIFY(longRun.next() <= ms(30000));
    }
};

QTEST_APPLESS_MAIN(TestBackoff)
#include "tst_backoff.moc"
