// RequestDeadlines: the front's one timer for every unfinished request, driven by a clock the
// test moves (and once by the real timer).
#include "net/requestdeadlines.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

using namespace herald;

class TestRequestDeadlines : public QObject
{
    Q_OBJECT

    qint64 m_now = 1000;
    RequestDeadlines::Clock clock()
    {
        return [this] { return m_now; };
    }

private slots:
    void init() { m_now = 1000; }

    void expiresWhenDueAndNotBefore()
    {
        RequestDeadlines all(clock());
        QObject owner;
        auto *a = new RequestDeadline(all, 100, &owner);
        auto *b = new RequestDeadline(all, 300, &owner);
        QSignalSpy aSpy(a, &RequestDeadline::expired), bSpy(b, &RequestDeadline::expired);
        a->start();
        b->start();
        QCOMPARE(all.pending(), 2);
        m_now += 99;
        all.expireDue();
        QCOMPARE(aSpy.count(), 0);
        m_now += 1;
        all.expireDue();
        QCOMPARE(aSpy.count(), 1);
        QCOMPARE(bSpy.count(), 0);
        QVERIFY(!a->isActive());
        QVERIFY(b->isActive());
        QCOMPARE(all.pending(), 1);
        m_now += 200;
        all.expireDue();
        QCOMPARE(bSpy.count(), 1);
        QCOMPARE(aSpy.count(), 1); // once
        QCOMPARE(all.pending(), 0);
    }

    void stopAndRestartMoveIt()
    {
        RequestDeadlines all(clock());
        QObject owner;
        auto *d = new RequestDeadline(all, 100, &owner);
        QSignalSpy spy(d, &RequestDeadline::expired);
        d->start();
        m_now += 80;
        d->start(); // counted again from now: due at +180
        m_now += 80;
        all.expireDue();
        QCOMPARE(spy.count(), 0);
        QCOMPARE(all.pending(), 1);
        d->stop();
        QCOMPARE(all.pending(), 0);
        m_now += 1000;
        all.expireDue();
        QCOMPARE(spy.count(), 0);
        d->start(50);
        QCOMPARE(d->interval(), 50);
        m_now += 50;
        all.expireDue();
        QCOMPARE(spy.count(), 1);
    }

    void aDeletedDeadlineLeavesTheSweep()
    {
        RequestDeadlines all(clock());
        auto owner = std::make_unique<QObject>();
        auto *d = new RequestDeadline(all, 100, owner.get());
        d->start();
        QCOMPARE(all.pending(), 1);
        owner.reset(); // the socket is deleted with its deadline pending
        QCOMPARE(all.pending(), 0);
        m_now += 500;
        all.expireDue(); // nothing left to touch
        QCOMPARE(all.pending(), 0);
    }

    // A handler may delete other sockets, or start their deadlines again.
    void handlersMayDeleteOrRestartOthers()
    {
        RequestDeadlines all(clock());
        QObject owner;
        auto *first = new RequestDeadline(all, 100, &owner);
        auto *deleted = new RequestDeadline(all, 100, &owner);
        auto *restarted = new RequestDeadline(all, 100, &owner);
        first->start();
        deleted->start();
        restarted->start();
        int fired = 0;
        bool deletedFired = false, restartedFired = false;
        connect(first, &RequestDeadline::expired, this, [&] {
            ++fired;
            delete deleted;
            restarted->start();
        });
        connect(deleted, &RequestDeadline::expired, this, [&] { deletedFired = true; });
        connect(restarted, &RequestDeadline::expired, this, [&] { restartedFired = true; });
        m_now += 100;
        all.expireDue();
        QCOMPARE(fired, 1);
        QVERIFY(!deletedFired);
        QVERIFY(!restartedFired);
        QVERIFY(restarted->isActive());
        QCOMPARE(all.pending(), 1);
        m_now += 100;
        all.expireDue();
        QVERIFY(restartedFired);
    }

    void theSweepMayGoFirst()
    {
        QObject owner;
        RequestDeadline *d = nullptr;
        {
            RequestDeadlines all(clock());
            d = new RequestDeadline(all, 100, &owner);
            d->start();
        }
        QVERIFY(!d->isActive());
        d->start(); // the front is gone: nothing to arm, no crash
        d->stop();
        QVERIFY(!d->isActive());
    }

    // The one real timer: armed for the earliest, re-armed when that one is stopped.
    void theTimerFiresForTheNextOneAfterAStop()
    {
        RequestDeadlines all; // the steady clock
        QObject owner;
        auto *early = new RequestDeadline(all, 20, &owner);
        auto *late = new RequestDeadline(all, 80, &owner);
        QSignalSpy earlySpy(early, &RequestDeadline::expired),
            lateSpy(late, &RequestDeadline::expired);
        early->start();
        late->start();
        early->stop(); // the timer was armed for it: it fires for nothing, then for `late`
        QTRY_COMPARE_WITH_TIMEOUT(lateSpy.count(), 1, 5000);
        QCOMPARE(earlySpy.count(), 0);
        QCOMPARE(all.pending(), 0);
    }

    // Ten thousand pending requests, as in a connection storm: expired in due order, each once.
    void manyInDueOrder()
    {
        RequestDeadlines all(clock());
        QObject owner;
        std::vector<RequestDeadline *> ds;
        std::vector<int> order;
        for (int i = 0; i < 10000; ++i) {
            auto *d = new RequestDeadline(all, 10000 - i, &owner); // the last started is due first
            connect(d, &RequestDeadline::expired, this, [&order, i] { order.push_back(i); });
            d->start();
            ds.push_back(d);
        }
        for (int i = 0; i < 10000; i += 2)
            ds[size_t(i)]->stop();
        QCOMPARE(all.pending(), 5000);
        m_now += 10000;
        all.expireDue();
        QCOMPARE(int(order.size()), 5000);
        for (size_t k = 0; k < order.size(); ++k)
            QCOMPARE(order[k], 9999 - int(2 * k));
    }
};

QTEST_GUILESS_MAIN(TestRequestDeadlines)
#include "tst_requestdeadlines.moc"
