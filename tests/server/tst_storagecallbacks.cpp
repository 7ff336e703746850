// Database's answers and the objects that asked (Database::run's context), on a real database:
// an answer goes to its context on the context's thread, after the commit, and never to a
// context destroyed before it could be handed over, however close the destruction comes to the
// commit. The last case is a race between the storage thread and the context's own thread (a
// hub torn down while a batch commits); it is driven many times with the destruction timed
// around the commit, and any answer that reaches a destroyed context is counted.
#include "core/database.h"
#include "core/store.h"
#include "storagefixture.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTest>

#include <atomic>
#include <memory>

using namespace herald;
using testkit::StorageFixture;

namespace {
/** Spins (no sleep: the window is microseconds wide) for about this many microseconds. */
void spin(qint64 us)
{
    QElapsedTimer t;
    t.start();
    while (t.nsecsElapsed() < us * 1000) {
    }
}
} // namespace

class TestStorageCallbacks : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { HERALD_REQUIRE_STORAGE(m_fixture); }

    void answersArriveOnTheContextsThreadAfterTheCommit()
    {
        Database db;
        QCOMPARE(db.open(m_fixture.fresh()), QString());
        QObject context;
        QThread *answeredOn = nullptr;
        std::optional<StoreResult<qint64>> answer;
        db.run<qint64>(
            [](Store &st) -> StoreResult<qint64> {
                return std::get<qint64>(st.createUser(QStringLiteral("alice"), {}, {}));
            },
            &context,
            [&](StoreResult<qint64> r) {
                answeredOn = QThread::currentThread();
                answer.emplace(std::move(r));
            });
        QVERIFY(!answer); // never before the event loop turns
        QTRY_VERIFY(answer.has_value());
        QCOMPARE(answeredOn, QThread::currentThread());
        QVERIFY(std::holds_alternative<qint64>(*answer));
        // committed: another job sees the row
        const auto seen = db.runSync<bool>([](Store &st) -> StoreResult<bool> {
            return st.user(QStringLiteral("alice")).has_value();
        });
        QCOMPARE(std::get<bool>(seen), true);
    }

    void aContextDestroyedBeforeItsAnswerGetsNone()
    {
        Database db;
        QCOMPARE(db.open(m_fixture.fresh()), QString());
        auto *context = new QObject;
        QSemaphore started, release;
        bool answered = false;
        db.run<Ok>(
            [&](Store &) -> StoreResult<Ok> {
                started.release();
                release.acquire();
                return Ok{};
            },
            context, [&](StoreResult<Ok>) { answered = true; });
        started.acquire();
        delete context;
        release.release();
        db.runSync<Ok>([](Store &) -> StoreResult<Ok> { return Ok{}; }); // the batch is done
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        QVERIFY(!answered);
    }

    void noAnswerReachesAContextDestroyedAsItsBatchCommits()
    {
        Database db;
        QCOMPARE(db.open(m_fixture.fresh()), QString());
        constexpr int Rounds = 10000;
        int late = 0, onTime = 0;
        QRandomGenerator random(20261205);
        for (int i = 0; i < Rounds; ++i) {
            auto *context = new QObject;
            auto alive = std::make_shared<bool>(true);
            std::atomic<bool> running{false};
            db.run<Ok>(
                [&running](Store &) -> StoreResult<Ok> {
                    running.store(true);
                    spin(20);
                    return Ok{};
                },
                context, [alive, &late, &onTime](StoreResult<Ok>) { ++(*alive ? onTime : late); });
            while (!running.load()) {
            }
            // Destroyed somewhere between the job's end and the answer's posting.
            spin(qint64(random.bounded(60)));
            if (i % 4 == 0) // now and then the answer is already there to be handled
                QCoreApplication::processEvents();
            *alive = false;
            delete context;
            QCoreApplication::processEvents();
        }
        db.runSync<Ok>([](Store &) -> StoreResult<Ok> { return Ok{}; });
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        qInfo("%d of %d answers arrived before their context was destroyed", onTime, Rounds);
        QCOMPARE(late, 0);
    }

private:
    StorageFixture m_fixture;
};

QTEST_GUILESS_MAIN(TestStorageCallbacks)
#include "tst_storagecallbacks.moc"
