// Storage of mentions and notification levels (MentionRepository, RoomNotifyRepository through
// Store), on SQLite and (tst_mentionstore_postgres) PostgreSQL: a message and its mentions are
// stored together and come back with history; a retry keeps the first copy's; the count of a
// person's mentions after their read position (by name or @room, each message once, their own
// not counted); the rows go with their messages (retention) and rooms; levels are stored,
// replaced, removed, lapse, and need membership.
#include "core/store.h"
#include "storagefixture.h"

#include <QSqlQuery>
#include <QTest>

using namespace herald;
using testkit::StorageFixture;

namespace {

qint64 sqlValue(const Store &st, const QString &text)
{
    QSqlQuery q(st.connection());
    if (!q.exec(text) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

} // namespace

class TestMentionStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { HERALD_REQUIRE_STORAGE(m_fixture); }
    void init()
    {
        const auto e = m_store.open(m_fixture.fresh());
        QVERIFY2(!e, e ? qPrintable(e->message) : "");
        m_alice = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        m_bob = std::get<qint64>(m_store.createUser(QStringLiteral("bob"), {}, {}));
        m_carol = std::get<qint64>(m_store.createUser(QStringLiteral("carol"), {}, {}));
        m_room = std::get<qint64>(
            m_store.createRoom(QStringLiteral("general"), {}, QStringLiteral("public")));
        for (qint64 u : {m_alice, m_bob, m_carol})
            QVERIFY(!m_store.addMember(m_room, u));
    }
    void cleanup() { m_store.close(); }

    void mentionsAreStoredWithTheMessageAndCounted()
    {
        QCOMPARE(send(m_alice, "1", {{m_bob, m_carol}, false}), 1);
        QCOMPARE(send(m_alice, "2", {}), 2);
        QCOMPARE(send(m_alice, "3", {{m_bob}, true}), 3); // by name and @room: once
        QCOMPARE(send(m_bob, "4", {{m_bob}, false}), 4);  // his own: not for him
        // A retry keeps the first copy's mentions (none are added).
        QCOMPARE(send(m_alice, "2", {{m_bob}, false}), 2);

        bool more = false;
        const QList<MessageRow> h = m_store.history(m_room, 0, 0, 10, &more);
        QCOMPARE(h.size(), 4);
        QCOMPARE(h[0].mentions, (QStringList{QStringLiteral("bob"), QStringLiteral("carol")}));
        QVERIFY(!h[0].mentionsRoom);
        QVERIFY(h[1].mentions.isEmpty());
        QVERIFY(!h[1].mentionsRoom);
        QCOMPARE(h[2].mentions, QStringList{QStringLiteral("bob")});
        QVERIFY(h[2].mentionsRoom);
        // A page in the middle gets its own rows' mentions only.
        const QList<MessageRow> page = m_store.history(m_room, 4, 1, 10, &more);
        QCOMPARE(page.size(), 2);
        QVERIFY(page[0].mentions.isEmpty());
        QVERIFY(page[1].mentionsRoom);

        QCOMPARE(m_store.readMarks(m_bob).value(m_room).unread, 3);
        QCOMPARE(m_store.readMarks(m_bob).value(m_room).mentions, 2);
        QCOMPARE(m_store.readMarks(m_carol).value(m_room).mentions, 2);
        QCOMPARE(m_store.readMarks(m_alice).value(m_room).mentions, 0);
        const auto mark = m_store.setReadMark(m_bob, m_room, 1, 10);
        QCOMPARE(std::get<ReadMark>(mark).mentions, 1);
        QCOMPARE(std::get<ReadMark>(m_store.setReadMark(m_bob, m_room, 4, 11)).mentions, 0);
    }

    void rowsGoWithTheirMessagesAndRooms()
    {
        QCOMPARE(send(m_alice, "1", {{m_bob}, true}), 1);
        QCOMPARE(send(m_alice, "2", {{m_carol}, false}), 2);
        QCOMPARE(sqlValue(m_store, QStringLiteral("SELECT COUNT(*) FROM message_mentions")), 3);
        // What retention does to a room's oldest messages.
        QSqlQuery q(m_store.connection());
        QVERIFY(q.exec(QStringLiteral("DELETE FROM messages WHERE seq=1")));
        QCOMPARE(sqlValue(m_store, QStringLiteral("SELECT COUNT(*) FROM message_mentions")), 1);
        QVERIFY(!m_store.deleteRoom(QStringLiteral("general")));
        QCOMPARE(sqlValue(m_store, QStringLiteral("SELECT COUNT(*) FROM message_mentions")), 0);
    }

    void levelsAreStoredReplacedAndRemoved()
    {
        const RoomNotifyLevel none{QStringLiteral("none"), 5000};
        QCOMPARE(std::get<RoomNotifyLevel>(m_store.setNotifyLevel(m_alice, m_room, none)).level,
                 QStringLiteral("none"));
        QCOMPARE(m_store.notifyLevels(m_alice, 1000).value(m_room).until, 5000);
        QVERIFY(m_store.notifyLevels(m_alice, 5000).isEmpty()); // lapsed
        QVERIFY(m_store.notifyLevels(m_bob, 1000).isEmpty());   // one person's
        QVERIFY(std::holds_alternative<RoomNotifyLevel>(
            m_store.setNotifyLevel(m_alice, m_room, {QStringLiteral("all"), {}})));
        const RoomNotifyLevel all = m_store.notifyLevels(m_alice, 1000).value(m_room);
        QCOMPARE(all.level, QStringLiteral("all"));
        QVERIFY(!all.until);
        QVERIFY(std::holds_alternative<RoomNotifyLevel>(
            m_store.setNotifyLevel(m_alice, m_room, {QString(), {}})));
        QVERIFY(m_store.notifyLevels(m_alice, 1000).isEmpty());
        // Members only, and nothing stored otherwise.
        const qint64 dave = std::get<qint64>(m_store.createUser(QStringLiteral("dave"), {}, {}));
        const auto refused = m_store.setNotifyLevel(dave, m_room, none);
        QCOMPARE(std::get<StoreError>(refused).code, QStringLiteral("forbidden"));
        QCOMPARE(sqlValue(m_store, QStringLiteral("SELECT COUNT(*) FROM room_notify")), 0);
        // Leaving the room forgets it; so does the room's deletion.
        QVERIFY(std::holds_alternative<RoomNotifyLevel>(
            m_store.setNotifyLevel(m_carol, m_room, {QStringLiteral("none"), {}})));
        QVERIFY(!m_store.removeMember(m_room, m_carol));
        QVERIFY(!m_store.addMember(m_room, m_carol));
        QVERIFY(m_store.notifyLevels(m_carol, 1000).isEmpty());
        QVERIFY(std::holds_alternative<RoomNotifyLevel>(
            m_store.setNotifyLevel(m_bob, m_room, {QStringLiteral("mentions"), {}})));
        QVERIFY(!m_store.deleteRoom(QStringLiteral("general")));
        QCOMPARE(sqlValue(m_store, QStringLiteral("SELECT COUNT(*) FROM room_notify")), 0);
    }

private:
    qint64 send(qint64 from, const char *clientId, const MentionSet &mentions)
    {
        const auto r = m_store.storeMessage(m_room, from, QString::fromLatin1(clientId),
                                            QStringLiteral("text"), 1, mentions);
        if (const StoreError *e = std::get_if<StoreError>(&r)) {
            qWarning().noquote() << e->message;
            return -1;
        }
        return std::get<StoredMessage>(r).seq;
    }

    StorageFixture m_fixture;
    Store m_store;
    qint64 m_alice = 0;
    qint64 m_bob = 0;
    qint64 m_carol = 0;
    qint64 m_room = 0;
};

QTEST_GUILESS_MAIN(TestMentionStore)
#include "tst_mentionstore.moc"
