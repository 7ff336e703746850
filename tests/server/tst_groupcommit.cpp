// Group commit of publishes on the storage thread (Database), and the connection's cache of
// prepared statements (SqlConnection::statement()), on a real database: SQLite by default,
// PostgreSQL under tests/cluster/with-postgres.sh (HERALD_TEST_STORAGE=postgres).
//
// Publishes submitted while a transaction is in flight must share the next commit (counted by
// Database::writeCommits(), exported as herald_storage_commits_total), each with its own id in
// submission order, each answered only after that commit; a bad one must fail alone.
#include "core/database.h"
#include "core/storage/sqlconnection.h"
#include "core/store.h"
#include "storagefixture.h"
#include "storagegate.h"

#include <herald/protocol.h>

#include <QTest>

using namespace herald;
using testkit::countRows;
using testkit::StorageFixture;
using testkit::StorageGate;

namespace {

PublishRequest notice(const QString &user, const QString &title)
{
    PublishRequest req;
    req.to.users = {user};
    req.title = title;
    return req;
}

} // namespace

class TestGroupCommit : public QObject
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

    void publishesSubmittedTogetherShareOneCommit()
    {
        Database db;
        QCOMPARE(db.open(m_settings), QString());
        constexpr int N = 50;
        QObject context;
        QList<qint64> ids;
        QList<qint64> commitsSeen; // writeCommits() when each answer arrived
        StorageGate gate;
        gate.queue(db);
        QVERIFY(gate.waitInside()); // the storage thread is in the gate's batch now
        const qint64 commits0 = db.writeCommits();
        const qint64 batches0 = db.batches();
        for (int i = 0; i < N; ++i)
            db.run<PublishResult>(
                [this, i](Store &st) {
                    return st.publish(
                        m_service,
                        notice(i % 2 ? QStringLiteral("bob") : QStringLiteral("alice"),
                               QStringLiteral("n%1").arg(i)),
                        1000 + i);
                },
                &context,
                [&](StoreResult<PublishResult> r) {
                    const PublishResult *p = std::get_if<PublishResult>(&r);
                    ids << (p ? p->id : -1);
                    commitsSeen << db.writeCommits();
                });
        gate.open();
        QTRY_COMPARE(ids.size(), N);
        // One transaction for the gate (it wrote nothing: no commit counted), one for all N.
        QCOMPARE(db.writeCommits() - commits0, 1);
        QCOMPARE(db.batches() - batches0, 2);
        // Each its own id, in submission order, and answered only after the commit.
        for (int i = 0; i < N; ++i) {
            QCOMPARE(ids[i], i + 1);
            QCOMPARE(commitsSeen[i], commits0 + 1);
        }
        // Every row is there, for another connection too, with its inbox row.
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM notifications")), N);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM inbox")), N);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT MIN(id) FROM notifications WHERE"
                                                   " title='n0'")),
                 1);
        QCOMPARE(
            countRows(m_store, QStringLiteral("SELECT id FROM notifications WHERE title='n49'")),
            N);
    }

    void aBadPublishInABatchFailsAlone()
    {
        Database db;
        QCOMPARE(db.open(m_settings), QString());
        QObject context;
        QList<StoreResult<PublishResult>> results;
        const auto collect = [&results](StoreResult<PublishResult> r) { results << std::move(r); };
        StorageGate gate;
        gate.queue(db);
        QVERIFY(gate.waitInside()); // the storage thread is in the gate's batch now
        const qint64 commits0 = db.writeCommits();
        for (int i = 0; i < 10; ++i) {
            Database::Job<PublishResult> job;
            if (i == 3) // no such person: refused before anything is written
                job = [this](Store &st) {
                    return st.publish(m_service, notice(QStringLiteral("nobody"), {}), 1);
                };
            else if (i == 6) // wrote its rows (and took an id), then failed: all of it undone
                job = [this](Store &st) -> StoreResult<PublishResult> {
                    auto r = st.publish(m_service, notice(QStringLiteral("alice"), {}), 1);
                    if (std::holds_alternative<StoreError>(r))
                        return r;
                    return storeError(proto::Err::Internal,
                                      QStringLiteral("failed after it wrote"));
                };
            else
                job = [this, i](Store &st) {
                    return st.publish(
                        m_service, notice(QStringLiteral("bob"), QStringLiteral("n%1").arg(i)), 1);
                };
            db.run<PublishResult>(std::move(job), &context, collect);
        }
        gate.open();
        QTRY_COMPARE(results.size(), 10);
        QCOMPARE(db.writeCommits() - commits0, 1);
        qint64 expectId = 1;
        for (int i = 0; i < 10; ++i) {
            if (i == 3 || i == 6) {
                QVERIFY2(std::holds_alternative<StoreError>(results[i]),
                         qPrintable(QString::number(i)));
                QCOMPARE(std::get<StoreError>(results[i]).code,
                         QString::fromLatin1(i == 3 ? proto::Err::NotFound : proto::Err::Internal));
                continue;
            }
            QVERIFY2(std::holds_alternative<PublishResult>(results[i]),
                     qPrintable(QString::number(i)));
            // The ids stay gap-free: the failed job's id went back with its savepoint.
            QCOMPARE(std::get<PublishResult>(results[i]).id, expectId++);
        }
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM notifications")), 8);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM inbox")), 8);
        QCOMPARE(countRows(m_store, QStringLiteral("SELECT COUNT(*) FROM inbox i JOIN users u ON"
                                                   " u.id=i.user_id WHERE u.name='alice'")),
                 0);
    }

    void maxBatchOneCommitsEachJob()
    {
        Database db;
        db.setMaxBatch(1);
        QCOMPARE(db.open(m_settings), QString());
        QObject context;
        int answered = 0;
        StorageGate gate;
        gate.queue(db);
        QVERIFY(gate.waitInside()); // the storage thread is in the gate's batch now
        const qint64 commits0 = db.writeCommits();
        for (int i = 0; i < 5; ++i)
            db.run<PublishResult>(
                [this](Store &st) {
                    return st.publish(m_service, notice(QStringLiteral("bob"), {}), 1);
                },
                &context,
                [&answered](StoreResult<PublishResult> r) {
                    answered += std::holds_alternative<PublishResult>(r) ? 1 : 0;
                });
        gate.open();
        QTRY_COMPARE(answered, 5);
        QCOMPARE(db.writeCommits() - commits0, 5);
    }

    void readOnlyBatchesAreNotCommitsThatWrote()
    {
        Database db;
        QCOMPARE(db.open(m_settings), QString());
        const qint64 commits0 = db.writeCommits();
        const qint64 batches0 = db.batches();
        for (int i = 0; i < 3; ++i)
            QVERIFY(std::holds_alternative<qint64>(
                db.runSync<qint64>([](Store &st) { return st.unreadCount(1, 0); })));
        QCOMPARE(db.batches() - batches0, 3);
        QCOMPARE(db.writeCommits(), commits0);
        QVERIFY(std::holds_alternative<PublishResult>(db.runSync<PublishResult>([this](Store &st) {
            return st.publish(m_service, notice(QStringLiteral("bob"), {}), 1);
        })));
        QCOMPARE(db.writeCommits(), commits0 + 1);
    }

    // ---- SqlConnection::statement()

    void statementsAreReusedAndRebound()
    {
        SqlConnection c;
        QVERIFY(!c.open(m_settings));
        const char *byName = "SELECT id FROM users WHERE name=?";
        qint64 alice = 0;
        {
            auto s = c.statement(byName);
            s->addBindValue(QStringLiteral("alice"));
            QVERIFY(c.exec(s));
            QVERIFY(s->next());
            alice = s->value(0).toLongLong();
        }
        const qint64 prepared = c.statementsPrepared();
        for (const QString &name : {QStringLiteral("bob"), QStringLiteral("alice")}) {
            auto s = c.statement(byName);
            s->addBindValue(name);
            QVERIFY(c.exec(s));
            QVERIFY(s->next());
            QCOMPARE(s->value(0).toLongLong() == alice, name == QLatin1String("alice"));
            QVERIFY(!s->next());
        }
        QCOMPARE(c.statementsPrepared(), prepared); // both from the cache
    }

    void nestedUsesOfOneTextGetStatementsOfTheirOwn()
    {
        SqlConnection c;
        QVERIFY(!c.open(m_settings));
        const char *names = "SELECT name FROM users WHERE id >= ? ORDER BY id";
        auto outer = c.statement(names);
        auto second = c.statement(names); // the same text while the first is lent out
        QVERIFY(&*outer != &*second);
        if (c.isPostgres()) {
            // QPSQL reads forward-only results row by row: one result at a time per connection,
            // so the two are used one after the other (both still lent).
            outer->addBindValue(0);
            QVERIFY(c.exec(outer) && outer->next());
            QCOMPARE(outer->value(0).toString(), QStringLiteral("alice"));
            QVERIFY(outer->next() && !outer->next());
            second->addBindValue(2);
            QVERIFY(c.exec(second) && second->next());
            QCOMPARE(second->value(0).toString(), QStringLiteral("bob"));
            return;
        }
        outer->addBindValue(0);
        QVERIFY(c.exec(outer));
        QStringList pairs;
        while (outer->next()) {
            // The same text while the outer one still reads rows: a statement of its own.
            auto inner = c.statement(names);
            inner->addBindValue(0);
            QVERIFY(c.exec(inner));
            while (inner->next())
                pairs << outer->value(0).toString() + QLatin1Char('/') + inner->value(0).toString();
        }
        QCOMPARE(pairs, QStringList({QStringLiteral("alice/alice"), QStringLiteral("alice/bob"),
                                     QStringLiteral("bob/alice"), QStringLiteral("bob/bob")}));
    }

    void aStatementThatFailsReportsItEveryTime()
    {
        SqlConnection c;
        QVERIFY(!c.open(m_settings));
        for (int i = 0; i < 2; ++i) {
            auto s = c.statement("SELECT nothing FROM no_such_table");
            QVERIFY(!c.exec(s));
            QVERIFY(s->lastError().isValid());
        }
        // and the connection is still usable
        auto ok = c.statement("SELECT COUNT(*) FROM users");
        QVERIFY(c.exec(ok) && ok->next());
        QCOMPARE(ok->value(0).toInt(), 2);
    }

    void statementsSurviveAReconnect()
    {
        SqlConnection c;
        QVERIFY(!c.open(m_settings));
        const char *count = "SELECT COUNT(*) FROM users";
        {
            auto s = c.statement(count);
            QVERIFY(c.exec(s) && s->next());
        }
        QVERIFY(c.reconnect());
        auto s = c.statement(count);
        QVERIFY(c.exec(s) && s->next());
        QCOMPARE(s->value(0).toInt(), 2);
    }

    void theCacheCanBeTurnedOff()
    {
        StorageSettings settings = m_settings;
        settings.statementCache = false;
        SqlConnection c;
        QVERIFY(!c.open(settings));
        const qint64 before = c.statementsPrepared();
        for (int i = 0; i < 3; ++i) {
            auto s = c.statement("SELECT COUNT(*) FROM users");
            QVERIFY(c.exec(s) && s->next());
            QCOMPARE(s->value(0).toInt(), 2);
        }
        QCOMPARE(c.statementsPrepared() - before, 3);
    }

private:
    StorageFixture m_fixture;
    StorageSettings m_settings;
    Store m_store;
    qint64 m_service = 0;
};

QTEST_GUILESS_MAIN(TestGroupCommit)
#include "tst_groupcommit.moc"
