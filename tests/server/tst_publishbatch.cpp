// Publishes of a storage batch written at its end (storage/publishbatch.h), on a real database:
// SQLite by default (where a publish still writes its rows at once), PostgreSQL under
// tests/cluster/with-postgres.sh (HERALD_TEST_STORAGE=postgres), where the batch takes its ids
// from the counter row right before COMMIT.
//
// What must hold on both: an idempotency key published twice in one batch is one notification;
// a job that fails after its publish leaves nothing. On PostgreSQL with two storage threads on
// one database: one batch holding publishes does not keep the other from committing, and a
// reader never sees id N while a smaller id is still to commit.
#include "core/database.h"
#include "core/store.h"
#include "storagefixture.h"
#include "storagegate.h"

#include <herald/protocol.h>

#include <QAtomicInt>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <memory>

using namespace herald;
using testkit::countRows;
using testkit::StorageFixture;
using testkit::StorageGate;

namespace {

PublishRequest notice(const QString &user, const QString &title, const char *key = nullptr)
{
    PublishRequest req;
    req.to.users = {user};
    req.title = title;
    req.idempotencyKey = key ? QString::fromLatin1(key) : QString();
    return req;
}

} // namespace

class TestPublishBatch : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { HERALD_REQUIRE_STORAGE(m_fixture); }
    void init()
    {
        m_settings = m_fixture.fresh();
        const auto e = m_store.open(m_settings);
        QVERIFY2(!e, e ? qPrintable(e->message) : "");
        m_service = std::get<qint64>(m_store.createService(QStringLiteral("erp"), {}, {}));
        for (const char *name : {"alice", "bob"})
            std::get<qint64>(m_store.createUser(QString::fromLatin1(name), {}, {}));
    }
    void cleanup() { m_store.close(); }

    void sameKeyTwiceInOneBatchIsOneNotification()
    {
        Database db;
        QCOMPARE(db.open(m_settings), QString());
        QObject context;
        QList<StoreResult<PublishResult>> results;
        const auto collect = [&results](StoreResult<PublishResult> r) { results << std::move(r); };
        StorageGate gate;
        gate.queue(db);
        QVERIFY(gate.waitInside());
        const qint64 commits0 = db.writeCommits();
        const QStringList keys{QStringLiteral("k1"), QStringLiteral("k2"), QStringLiteral("k1"),
                               QString(), QStringLiteral("k1")};
        for (const QString &key : keys)
            db.run<PublishResult>(
                [this, key](Store &st) {
                    PublishRequest req = notice(QStringLiteral("bob"), key);
                    req.idempotencyKey = key;
                    return st.publish(m_service, req, 1);
                },
                &context, collect);
        gate.open();
        QTRY_COMPARE(results.size(), keys.size());
        QCOMPARE(db.writeCommits() - commits0, 1); // one batch
        QList<PublishResult> r;
        for (const auto &one : std::as_const(results)) {
            QVERIFY(std::holds_alternative<PublishResult>(one));
            r << std::get<PublishResult>(one);
        }
        QCOMPARE(r[0].id, 1);
        QVERIFY(!r[0].duplicate);
        QCOMPARE(r[0].userIds.size(), 1);
        QCOMPARE(r[0].notification.id, 1);
        QCOMPARE(r[0].notification.title, QStringLiteral("k1"));
        QCOMPARE(r[1].id, 2);
        QVERIFY(!r[1].duplicate);
        QCOMPARE(r[2].id, 1); // the same key again: answered as the first, a duplicate
        QVERIFY(r[2].duplicate);
        QVERIFY(r[2].userIds.isEmpty());
        QCOMPARE(r[3].id, 3); // no key: a notification of its own, no gap before it
        QVERIFY(!r[3].duplicate);
        QCOMPARE(r[4].id, 1);
        QVERIFY(r[4].duplicate);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM notifications")), 3);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM inbox")), 3);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM audit")), 3);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT v FROM counters WHERE"
                                                   " name='notifications'")),
                 3);
        // And a later batch with the key answers from the stored row.
        const auto again = db.runSync<PublishResult>([this](Store &st) {
            return st.publish(m_service, notice(QStringLiteral("bob"), {}, "k1"), 1);
        });
        QVERIFY(std::holds_alternative<PublishResult>(again));
        QCOMPARE(std::get<PublishResult>(again).id, 1);
        QVERIFY(std::get<PublishResult>(again).duplicate);
    }

    void aJobThatFailsAfterItsPublishLeavesNothing()
    {
        Database db;
        QCOMPARE(db.open(m_settings), QString());
        QObject context;
        QList<StoreResult<PublishResult>> results;
        const auto collect = [&results](StoreResult<PublishResult> r) { results << std::move(r); };
        StorageGate gate;
        gate.queue(db);
        QVERIFY(gate.waitInside());
        db.run<PublishResult>(
            [this](Store &st) -> StoreResult<PublishResult> {
                auto r = st.publish(m_service, notice(QStringLiteral("alice"), {}, "gone"), 1);
                if (std::holds_alternative<StoreError>(r))
                    return r;
                return storeError(proto::Err::Internal, QStringLiteral("failed after it wrote"));
            },
            &context, collect);
        // The same key after the failed job: nothing of the first is left to be a duplicate of.
        db.run<PublishResult>(
            [this](Store &st) {
                return st.publish(m_service, notice(QStringLiteral("bob"), {}, "gone"), 1);
            },
            &context, collect);
        gate.open();
        QTRY_COMPARE(results.size(), 2);
        QVERIFY(std::holds_alternative<StoreError>(results[0]));
        QVERIFY(std::holds_alternative<PublishResult>(results[1]));
        QCOMPARE(std::get<PublishResult>(results[1]).id, 1);
        QVERIFY(!std::get<PublishResult>(results[1]).duplicate);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM inbox i JOIN users u ON"
                                                   " u.id=i.user_id WHERE u.name='alice'")),
                 0);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM notifications")), 1);
    }

    void aBatchHoldingPublishesDoesNotBlockAnotherNode()
    {
        if (!StorageFixture::postgres())
            QSKIP("two writers at once: PostgreSQL only");
        Database one, two;
        QCOMPARE(one.open(m_settings), QString());
        QCOMPARE(two.open(m_settings), QString());
        QObject context;
        std::optional<StoreResult<PublishResult>> first, second;
        StorageGate gate, hold;
        gate.queue(one);
        QVERIFY(gate.waitInside());
        one.run<PublishResult>(
            [this](Store &st) {
                return st.publish(m_service, notice(QStringLiteral("bob"), QStringLiteral("a")), 1);
            },
            &context, [&first](StoreResult<PublishResult> r) { first.emplace(std::move(r)); });
        hold.queue(one); // same batch: the publish above is pending while this holds the thread
        gate.open();
        QVERIFY(hold.waitInside());
        two.run<PublishResult>(
            [this](Store &st) {
                return st.publish(m_service, notice(QStringLiteral("alice"), QStringLiteral("b")),
                                  1);
            },
            &context, [&second](StoreResult<PublishResult> r) { second.emplace(std::move(r)); });
        // Before, the other node's publish waited here for the counter row until `hold` opened.
        QTRY_VERIFY_WITH_TIMEOUT(second.has_value(), 5000);
        hold.open();
        QTRY_VERIFY(first.has_value());
        QVERIFY(std::holds_alternative<PublishResult>(*first));
        QVERIFY(std::holds_alternative<PublishResult>(*second));
        // Commit order is id order: the one that committed first has the smaller id.
        QCOMPARE(std::get<PublishResult>(*second).id, 1);
        QCOMPARE(std::get<PublishResult>(*first).id, 2);
    }

    void aKeyStoredByAnotherNodeMeanwhileIsAnsweredAsThatOne()
    {
        if (!StorageFixture::postgres())
            QSKIP("two writers at once: PostgreSQL only");
        Database one, two;
        QCOMPARE(one.open(m_settings), QString());
        QCOMPARE(two.open(m_settings), QString());
        QObject context;
        QList<StoreResult<PublishResult>> onOne;
        std::optional<StoreResult<PublishResult>> onTwo;
        StorageGate gate, hold;
        gate.queue(one);
        QVERIFY(gate.waitInside());
        const auto collect = [&onOne](StoreResult<PublishResult> r) { onOne << std::move(r); };
        one.run<PublishResult>(
            [this](Store &st) {
                return st.publish(m_service, notice(QStringLiteral("bob"), QStringLiteral("x")), 1);
            },
            &context, collect);
        one.run<PublishResult>(
            [this](Store &st) {
                return st.publish(m_service,
                                  notice(QStringLiteral("bob"), QStringLiteral("mine"), "race"), 1);
            },
            &context, collect);
        one.run<PublishResult>(
            [this](Store &st) {
                return st.publish(m_service, notice(QStringLiteral("bob"), QStringLiteral("y")), 1);
            },
            &context, collect);
        hold.queue(one); // the three above looked the key up and wait, pending, for the batch end
        gate.open();
        QVERIFY(hold.waitInside());
        two.run<PublishResult>(
            [this](Store &st) {
                return st.publish(m_service,
                                  notice(QStringLiteral("alice"), QStringLiteral("theirs"), "race"),
                                  1);
            },
            &context, [&onTwo](StoreResult<PublishResult> r) { onTwo.emplace(std::move(r)); });
        QTRY_VERIFY_WITH_TIMEOUT(onTwo.has_value(), 5000);
        QVERIFY(std::holds_alternative<PublishResult>(*onTwo));
        const PublishResult theirs = std::get<PublishResult>(*onTwo);
        QCOMPARE(theirs.id, 1);
        QVERIFY(!theirs.duplicate);
        hold.open();
        QTRY_COMPARE(onOne.size(), 3);
        for (const auto &r : std::as_const(onOne))
            QVERIFY(std::holds_alternative<PublishResult>(r));
        // The key's job alone is answered with the other node's notification; its own number
        // (3) stays a gap, and the others of the batch are stored around it.
        QCOMPARE(std::get<PublishResult>(onOne[0]).id, 2);
        QVERIFY(!std::get<PublishResult>(onOne[0]).duplicate);
        QCOMPARE(std::get<PublishResult>(onOne[1]).id, theirs.id);
        QVERIFY(std::get<PublishResult>(onOne[1]).duplicate);
        QCOMPARE(std::get<PublishResult>(onOne[2]).id, 4);
        QCOMPARE(std::get<PublishResult>(onOne[2]).notification.title, QStringLiteral("y"));
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM notifications")), 3);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM inbox WHERE notif_id=3")),
                 0);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM audit")), 3);
    }

    void idsBecomeVisibleInOrderAcrossTwoNodes()
    {
        if (!StorageFixture::postgres())
            QSKIP("two writers at once: PostgreSQL only");
        constexpr int PerNode = 400;
        Database one, two;
        one.setMaxBatch(8); // many short batches: many hand-overs of the counter row
        two.setMaxBatch(8);
        QCOMPARE(one.open(m_settings), QString());
        QCOMPARE(two.open(m_settings), QString());
        // A third connection polls the visible ids: in one snapshot, the newest id and how many
        // there are. No keys here, so ids are gap-free: newest == count unless a smaller id is
        // still to commit after a larger one became visible.
        QAtomicInt stop{0};
        QAtomicInt polls{0};
        QAtomicInt violations{0};
        QString firstViolation;
        const StorageSettings settings = m_settings;
        std::unique_ptr<QThread> reader(QThread::create([&] {
            Store st;
            if (st.open(settings))
                return violations.storeRelaxed(-1);
            while (!stop.loadRelaxed()) {
                QSqlQuery q(st.connection());
                if (!q.exec(QStringLiteral(
                        "SELECT COALESCE(MAX(id), 0), COUNT(*) FROM notifications")) ||
                    !q.next())
                    return violations.storeRelaxed(-2);
                const qint64 newest = q.value(0).toLongLong();
                const qint64 visible = q.value(1).toLongLong();
                if (newest != visible && violations.fetchAndAddRelaxed(1) == 0)
                    firstViolation =
                        QStringLiteral("saw id %1 with only %2 visible").arg(newest).arg(visible);
                polls.fetchAndAddRelaxed(1);
            }
            st.close();
        }));
        reader->start();
        QObject context;
        int answered = 0;
        QList<qint64> idsOne, idsTwo;
        const auto submit = [&](Database &db, QList<qint64> &ids, const QString &user) {
            for (int i = 0; i < PerNode; ++i)
                db.run<PublishResult>(
                    [this, user](Store &st) { return st.publish(m_service, notice(user, {}), 1); },
                    &context,
                    [&answered, &ids](StoreResult<PublishResult> r) {
                        ++answered;
                        if (const auto *p = std::get_if<PublishResult>(&r))
                            ids << p->id;
                    });
        };
        submit(one, idsOne, QStringLiteral("alice"));
        submit(two, idsTwo, QStringLiteral("bob"));
        QTRY_COMPARE_WITH_TIMEOUT(answered, 2 * PerNode, 60000);
        stop.storeRelaxed(1);
        reader->wait();
        QVERIFY2(violations.loadRelaxed() == 0,
                 qPrintable(QStringLiteral("%1 violations; first: %2")
                                .arg(violations.loadRelaxed())
                                .arg(firstViolation)));
        QVERIFY(polls.loadRelaxed() > 0);
        QCOMPARE(idsOne.size(), PerNode);
        QCOMPARE(idsTwo.size(), PerNode);
        // Each node's answers come in its submission order, with increasing ids.
        QVERIFY(std::is_sorted(idsOne.begin(), idsOne.end()));
        QVERIFY(std::is_sorted(idsTwo.begin(), idsTwo.end()));
        QSet<qint64> all(idsOne.begin(), idsOne.end());
        all.unite(QSet<qint64>(idsTwo.begin(), idsTwo.end()));
        QCOMPARE(all.size(), 2 * PerNode);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT MAX(id) FROM notifications")),
                 2 * PerNode);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM inbox")), 2 * PerNode);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM audit")), 2 * PerNode);
        qInfo("%d polls; %lld batches on one node, %lld on the other", polls.loadRelaxed(),
              one.batches(), two.batches());
    }

private:
    StorageFixture m_fixture;
    StorageSettings m_settings;
    Store m_store;
    qint64 m_service = 0;
};

QTEST_GUILESS_MAIN(TestPublishBatch)
#include "tst_publishbatch.moc"
