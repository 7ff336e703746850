// Read positions written coalesced (ReadMarkWriter), on a real database: SQLite by default,
// PostgreSQL under tests/cluster/with-postgres.sh (HERALD_TEST_STORAGE=postgres).
//
// A write with no flush in flight is written at once; writes that arrive while a flush is in
// flight go together in the next one, one row per (person, room) at the highest seq asked for.
// Every request is answered after the commit with the position stored; only the request that
// asked for the highest seq reports the move; a person not in the room is refused alone.
#include "core/database.h"
#include "core/features/readmarkwriter.h"
#include "core/store.h"
#include "storagefixture.h"
#include "storagegate.h"

#include <herald/protocol.h>

#include <QTest>

using namespace herald;
using testkit::StorageFixture;
using testkit::StorageGate;

class TestReadMarkWriter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { HERALD_REQUIRE_STORAGE(m_fixture); }
    void init()
    {
        m_settings = m_fixture.fresh();
        const auto e = m_store.open(m_settings);
        QVERIFY2(!e, e ? qPrintable(e->message) : "");
        for (const char *name : {"alice", "bob", "carol"})
            m_users << std::get<qint64>(m_store.createUser(QString::fromLatin1(name), {}, {}));
        m_room = std::get<qint64>(
            m_store.createRoom(QStringLiteral("general"), QString(), QStringLiteral("public")));
        QVERIFY(!m_store.addMember(m_room, m_users[0]));
        QVERIFY(!m_store.addMember(m_room, m_users[1]));
        for (int i = 0; i < 4; ++i) // bob writes 1..4: unread for alice
            QVERIFY(std::holds_alternative<StoredMessage>(m_store.storeMessage(
                m_room, m_users[1], QStringLiteral("c%1").arg(i), QStringLiteral("hi"), 1000)));
    }
    void cleanup()
    {
        m_store.close();
        m_users.clear();
    }

    void writesOfOneWindowAreCoalesced()
    {
        Database db;
        QCOMPARE(db.open(m_settings), QString());
        ReadMarkWriter writer(db);
        QList<std::pair<int, StoreResult<ReadMark>>> answers;
        const auto answer = [&answers](int request) {
            return [&answers, request](StoreResult<ReadMark> r) {
                answers << std::make_pair(request, std::move(r));
            };
        };
        const qint64 alice = m_users[0], bob = m_users[1], carol = m_users[2];
        const qint64 commits0 = db.writeCommits();
        StorageGate gate;
        gate.queue(db);
        QVERIFY(gate.waitInside());
        writer.write(alice, m_room, 1, 2000, answer(0)); // no flush in flight: its own
        writer.write(alice, m_room, 3, 2001, answer(1)); // these wait for it, then together
        writer.write(alice, m_room, 2, 2002, answer(2));
        writer.write(carol, m_room, 1, 2003, answer(3)); // not a member
        writer.write(bob, m_room, 2, 2004, answer(4));
        QCOMPARE(writer.flushes(), 1);
        QVERIFY(answers.isEmpty()); // nothing answered before its commit
        gate.open();
        QTRY_COMPARE(answers.size(), 5);
        QCOMPARE(writer.flushes(), 2);
        QCOMPARE(writer.rowsWritten(), 1 + 3); // alice once, carol, bob
        QCOMPARE(db.writeCommits() - commits0, 2);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(answers[i].first, i); // answered in the order written

        const auto mark = [&answers](int i) { return std::get_if<ReadMark>(&answers[i].second); };
        QVERIFY(mark(0));
        QCOMPARE(mark(0)->seq, 1);
        QCOMPARE(mark(0)->unread, 3);
        QVERIFY(mark(0)->moved);
        // The later window: alice's 3 and 2 are one row at 3; both answered with it, and only
        // the request that asked for 3 reports the move.
        QVERIFY(mark(1) && mark(2));
        QCOMPARE(mark(1)->seq, 3);
        QCOMPARE(mark(1)->unread, 1);
        QCOMPARE(mark(1)->lastSeq, 4);
        QVERIFY(mark(1)->moved);
        QCOMPARE(mark(2)->seq, 3);
        QCOMPARE(mark(2)->unread, 1);
        QVERIFY(!mark(2)->moved);
        // carol is refused alone; bob's own messages are not unread for him.
        const StoreError *refused = std::get_if<StoreError>(&answers[3].second);
        QVERIFY(refused);
        QCOMPARE(refused->code, QString::fromLatin1(proto::Err::Forbidden));
        QVERIFY(mark(4));
        QCOMPARE(mark(4)->seq, 2);
        QCOMPARE(mark(4)->unread, 0);
        QVERIFY(mark(4)->moved);

        // Stored, for another connection to see.
        QCOMPARE(m_store.readMarks(alice).value(m_room).seq, 3);
        QCOMPARE(m_store.readMarks(alice).value(m_room).unread, 1);
        QCOMPARE(m_store.readMarks(bob).value(m_room).seq, 2);
        QVERIFY(!m_store.readMarks(carol).contains(m_room));
    }

    void aWindowNeverMovesBackwards()
    {
        Database db;
        QCOMPARE(db.open(m_settings), QString());
        ReadMarkWriter writer(db);
        QList<qint64> seqs;
        QList<bool> moved;
        const auto collect = [&](StoreResult<ReadMark> r) {
            const ReadMark *m = std::get_if<ReadMark>(&r);
            seqs << (m ? m->seq : -1);
            moved << (m && m->moved);
        };
        writer.write(m_users[0], m_room, 4, 2000, collect);
        QTRY_COMPARE(seqs.size(), 1);
        // An older position from a lagging device, and one past the room's last message.
        StorageGate gate;
        gate.queue(db);
        QVERIFY(gate.waitInside());
        writer.write(m_users[0], m_room, 2, 2001, collect);
        writer.write(m_users[0], m_room, 99, 2002, collect);
        gate.open();
        QTRY_COMPARE(seqs.size(), 3);
        QCOMPARE(seqs, (QList<qint64>{4, 4, 4}));
        QCOMPARE(moved, (QList<bool>{true, false, false}));
        QCOMPARE(m_store.readMarks(m_users[0]).value(m_room).seq, 4);
    }

    void whatWaitsIsWrittenBeforeStorageCloses()
    {
        // A stop: storage runs what is queued and closes; what waited for the flush in flight
        // is queued before that, not left to the writer's destructor (after the close).
        Database db;
        QCOMPARE(db.open(m_settings), QString());
        ReadMarkWriter writer(db);
        StorageGate gate;
        gate.queue(db);
        QVERIFY(gate.waitInside());
        int answered = 0;
        writer.write(m_users[0], m_room, 1, 2000, [&](StoreResult<ReadMark>) { ++answered; });
        writer.write(m_users[0], m_room, 3, 2001, [&](StoreResult<ReadMark>) { ++answered; });
        QCOMPARE(writer.flushes(), 1); // 3 waits for the flush of 1
        writer.writeOutNow();
        QCOMPARE(writer.flushes(), 2);
        gate.open();
        db.close();
        QCOMPARE(m_store.readMarks(m_users[0]).value(m_room).seq, 3);
        QCoreApplication::processEvents();
        QCOMPARE(answered, 1); // the stopping server answers nobody for 3
    }

private:
    StorageFixture m_fixture;
    StorageSettings m_settings;
    Store m_store;
    QList<qint64> m_users;
    qint64 m_room = 0;
};

QTEST_GUILESS_MAIN(TestReadMarkWriter)
#include "tst_readmarkwriter.moc"
