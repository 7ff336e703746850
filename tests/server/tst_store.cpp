// Store and Database on a real database: schema and migrations, sequences, dedup, inbox,
// actions, the webhook outbox, and (PostgreSQL) what several writers at once must not break.
// One suite, two backends: SQLite by default (label unit); HERALD_TEST_STORAGE=postgres under
// tests/cluster/with-postgres.sh runs every test again on PostgreSQL (label cluster).
#include "core/crypto.h"
#include "core/database.h"
#include "core/storage/schema.h"
#include "core/store.h"
#include "core/wire.h"
#include "storagefixture.h"

#include <herald/protocol.h>

#include <QDateTime>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <atomic>
#include <thread>

#include <unistd.h>

using namespace herald;
using testkit::StorageFixture;

namespace {

bool sql(const Store &st, const QString &text)
{
    QSqlQuery q(st.connection());
    if (!q.exec(text)) {
        qWarning().noquote() << text << "failed:" << q.lastError().text();
        return false;
    }
    return true;
}

qint64 sqlValue(const Store &st, const QString &text)
{
    QSqlQuery q(st.connection());
    if (!q.exec(text) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

// PostgreSQL: waits until `count` sessions of this database wait for a lock.
bool waitForLockWaiters(const Store &st, int count)
{
    for (int i = 0; i < 1000; ++i) {
        // statistics views are a snapshot per transaction: take a new one every time
        sqlValue(st, QStringLiteral("SELECT pg_stat_clear_snapshot(), 0"));
        if (sqlValue(st, QStringLiteral(
                             "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type='Lock'"
                             " AND datname=current_database()")) >= count)
            return true;
        QThread::msleep(10);
    }
    return false;
}

// A validated publish request: a title, for these people.
PublishRequest notice(const QStringList &users)
{
    PublishRequest req;
    req.to.users = users;
    req.title = QStringLiteral("t");
    return req;
}

} // namespace

class TestStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { HERALD_REQUIRE_STORAGE(m_fixture); }
    void init()
    {
        m_settings = m_fixture.fresh();
        const auto e = m_store.open(m_settings);
        QVERIFY2(!e, e ? qPrintable(e->message) : "");
        QCOMPARE(m_store.isPostgres(), StorageFixture::postgres());
    }
    void cleanup() { m_store.close(); }

    void schemaIsVersionedAndReopens()
    {
        m_store.close();
        QVERIFY(!m_store.open(m_settings)); // second open: no migration, no error
        QCOMPARE(Store::integrityCheck(m_settings), QStringLiteral("ok"));
        if (m_store.isPostgres())
            QCOMPARE(sqlValue(m_store, QStringLiteral("SELECT version FROM schema_version")),
                     herald::schema::currentVersion());
        else
            QCOMPARE(sqlValue(m_store, QStringLiteral("PRAGMA user_version")),
                     herald::schema::currentVersion());
    }

    void newerSchemaIsRefused()
    {
        QVERIFY(sql(m_store, m_store.isPostgres()
                                 ? QStringLiteral("UPDATE schema_version SET version=99")
                                 : QStringLiteral("PRAGMA user_version=99")));
        m_store.close();
        const auto e = m_store.open(m_settings);
        QVERIFY(e);
        QVERIFY2(e->message.contains(QLatin1String("newer")), qPrintable(e->message));
    }

    void migrationFromVersion1SeedsTheNotificationCounter()
    {
        const qint64 svc = std::get<qint64>(m_store.createService(QStringLiteral("erp"), {}, {}));
        std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const PublishRequest req = notice({QStringLiteral("alice")});
        for (int i = 1; i <= 3; ++i)
            QCOMPARE(std::get<PublishResult>(m_store.publish(svc, req, 1000)).id, i);
        // Back to version 1 (no counters table, nothing of versions 3 to 17). On SQLite the
        // AUTOINCREMENT high-water mark outlives a deleted row, and the counter must start past it.
        // Version 15 first (its triggers name columns of 14): the search index (a GIN index;
        // SQLite: an FTS5 table and its triggers).
        const QStringList searchIndex =
            m_store.isPostgres() ? QStringList{QStringLiteral("DROP INDEX messages_search")}
                                 : QStringList{QStringLiteral("DROP TRIGGER messages_fts_stored"),
                                               QStringLiteral("DROP TRIGGER messages_fts_deleted"),
                                               QStringLiteral("DROP TRIGGER messages_fts_changed"),
                                               QStringLiteral("DROP TABLE messages_fts")};
        for (const QString &statement : searchIndex)
            QVERIFY(sql(m_store, statement));
        // Version 16 (file attachments) before the tables its foreign keys name.
        for (const char *v16 :
             {"DROP TABLE message_files", "DROP TABLE file_uploads", "DROP TABLE files"})
            QVERIFY(sql(m_store, QString::fromLatin1(v16)));
        QVERIFY(sql(m_store, QStringLiteral("DROP TABLE counters")));
        for (const char *v3 : {"DROP TABLE audiences",
                               "DROP TABLE audience_members",
                               "DROP TABLE audience_groups",
                               "DROP TABLE read_marks",
                               "DROP TABLE audience_reads",
                               "DROP INDEX notifications_by_audience",
                               "ALTER TABLE notifications DROP COLUMN audience_id",
                               "ALTER TABLE groups DROP COLUMN version",
                               "ALTER TABLE tokens DROP COLUMN last_used_at",
                               "ALTER TABLE tokens DROP COLUMN last_used_from",
                               "DROP INDEX notifications_changes",
                               "ALTER TABLE notifications DROP COLUMN resolved_text",
                               "ALTER TABLE notifications DROP COLUMN updated_at",
                               "ALTER TABLE notifications DROP COLUMN retracted_at",
                               "ALTER TABLE notifications DROP COLUMN change_seq",
                               "DROP INDEX webhooks_dead",
                               "ALTER TABLE webhooks DROP COLUMN created_at",
                               "ALTER TABLE webhooks DROP COLUMN dead_at",
                               "DROP TABLE receipts",
                               "ALTER TABLE notifications DROP COLUMN resolved_device",
                               "ALTER TABLE services DROP COLUMN webhook_events",
                               "DROP TABLE audit",
                               "DROP INDEX notifications_expiring",
                               "ALTER TABLE notifications DROP COLUMN expiry_noted",
                               "ALTER TABLE webhooks DROP COLUMN notif_id",
                               "ALTER TABLE rooms DROP COLUMN retain_days",
                               "ALTER TABLE rooms DROP COLUMN purged_upto",

                               "DROP INDEX notifications_by_thread",
                               "ALTER TABLE notifications DROP COLUMN thread_key",
                               "DROP TABLE room_reads",
                               "DROP TABLE escalation_steps",
                               "DROP TABLE message_mentions",
                               "DROP TABLE room_notify",
                               "DROP TABLE message_reactions",
                               "DROP INDEX messages_changes",
                               "DROP INDEX messages_dedup",
                               "ALTER TABLE messages DROP COLUMN kind",
                               "ALTER TABLE messages DROP COLUMN target",
                               "ALTER TABLE messages DROP COLUMN edited_at",
                               "ALTER TABLE messages DROP COLUMN deleted_at",
                               "DROP TABLE receipt_settings"})
            QVERIFY(sql(m_store, QString::fromLatin1(v3)));
        QVERIFY(
            sql(m_store, QStringLiteral("CREATE UNIQUE INDEX messages_dedup ON messages(room_id,"
                                        " sender_id, client_id)"))); // as in version 1
        if (m_store.isPostgres()) {
            QVERIFY(sql(m_store, QStringLiteral("UPDATE schema_version SET version=1")));
        } else {
            QVERIFY(sql(m_store, QStringLiteral("DELETE FROM inbox WHERE notif_id=3")));
            QVERIFY(sql(m_store, QStringLiteral("DELETE FROM notifications WHERE id=3")));
            QVERIFY(sql(m_store, QStringLiteral("PRAGMA user_version=1")));
        }
        m_store.close();
        QVERIFY(!m_store.open(m_settings));
        QCOMPARE(std::get<PublishResult>(m_store.publish(svc, req, 1000)).id, 4);
        QCOMPARE(Store::integrityCheck(m_settings), QStringLiteral("ok"));
    }

    void receiptsKeepTheFirstAckAndListEveryRecipient()
    {
        const qint64 svc = std::get<qint64>(m_store.createService(QStringLiteral("erp"), {}, {}));
        const qint64 other = std::get<qint64>(m_store.createService(QStringLiteral("crm"), {}, {}));
        const qint64 a = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 b = std::get<qint64>(m_store.createUser(QStringLiteral("bob"), {}, {}));
        const qint64 c = std::get<qint64>(m_store.createUser(QStringLiteral("carol"), {}, {}));
        m_store.createGroup(QStringLiteral("g"));
        m_store.setGroupMember(QStringLiteral("g"), QStringLiteral("bob"), true);
        m_store.setGroupMember(QStringLiteral("g"), QStringLiteral("carol"), true);
        PublishRequest req = notice({QStringLiteral("alice")});
        req.to.groups = {QStringLiteral("g")};
        req.actions = QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("approve")}}};
        const qint64 id = std::get<PublishResult>(m_store.publish(svc, req, 1000)).id;
        using Ids = QList<qint64>;
        const auto acked = [](std::variant<Ids, StoreError> r) {
            if (const auto *e = std::get_if<StoreError>(&r))
                qFatal("acknowledge: %s", qPrintable(e->message));
            return std::get<Ids>(r);
        };
        QCOMPARE(acked(m_store.acknowledge(a, 7, {id, id + 50}, QStringLiteral("delivered"), 2000)),
                 Ids{id});
        QCOMPARE(acked(m_store.acknowledge(a, 8, {id}, QStringLiteral("delivered"), 3000)), Ids{});
        QCOMPARE(acked(m_store.acknowledge(b, 9, {id}, QStringLiteral("seen"), 4000)), Ids{id});
        QCOMPARE(
            std::get<StoreError>(m_store.acknowledge(b, 9, {id}, QStringLiteral("x"), 1)).field,
            QStringLiteral("state"));
        QCOMPARE(m_store.markRead(c, {id}, 5000, 10), Ids{id});
        m_store.markAllRead(b, 6000, 9);
        QVERIFY(std::get<ActionResult>(m_store.act(a, id, QStringLiteral("approve"), 7000, 8)).won);
        const auto page = std::get<ReceiptPage>(m_store.receipts(svc, id, 0, 2));
        QCOMPARE(page.rows.size(), 2);
        QCOMPARE(page.next, std::optional<qint64>(b));
        const ReceiptRow &ra = page.rows[0];
        QCOMPARE(ra.user, QStringLiteral("alice"));
        QCOMPARE(*ra.delivered->at, 2000);
        QCOMPARE(ra.delivered->device, 7);
        QCOMPARE(*ra.read->at, 7000); // read by acting
        QCOMPARE(*ra.acted->at, 7000);
        QCOMPARE(ra.acted->device, 8);
        QCOMPARE(ra.action, QStringLiteral("approve"));
        QVERIFY(!ra.seen);
        const ReceiptRow &rb = page.rows[1];
        QCOMPARE(rb.seen->device, 9);
        QVERIFY(rb.read && !rb.read->at); // the watermark keeps no time
        QVERIFY(!rb.delivered && !rb.acted);
        const auto rest = std::get<ReceiptPage>(m_store.receipts(svc, id, b, 2));
        QCOMPARE(rest.rows.size(), 1);
        QVERIFY(!rest.next);
        QCOMPARE(rest.rows[0].userId, c);
        QCOMPARE(*rest.rows[0].read->at, 5000);
        QCOMPARE(std::get<StoreError>(m_store.receipts(other, id, 0, 10)).code,
                 QString::fromLatin1(proto::Err::Forbidden));
        QCOMPARE(std::get<StoreError>(m_store.receipts(svc, id + 50, 0, 10)).code,
                 QString::fromLatin1(proto::Err::NotFound));
    }

    void tokenUsesAreRecordedAndNeverMoveBack()
    {
        const qint64 u = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const QString token = std::get<QString>(
            m_store.issueToken(u, 0, QStringLiteral("session"), QStringLiteral("login")));
        QByteArray secret;
        const qint64 id = crypto::parseToken(token, &secret);
        QCOMPARE(m_store.token(id)->lastUsedAt, 0);
        QVERIFY(m_store.token(id)->lastUsedFrom.isEmpty());
        QVERIFY(!m_store.recordTokenUses({TokenUse{id, 5000, QStringLiteral("192.0.2.1")},
                                          TokenUse{id + 1000, 5000, QStringLiteral("x")}}));
        QCOMPARE(m_store.token(id)->lastUsedAt, 5000);
        QCOMPARE(m_store.token(id)->lastUsedFrom, QStringLiteral("192.0.2.1"));
        // an older use (another node's, late) does not move it back
        QVERIFY(!m_store.recordTokenUses({TokenUse{id, 4000, QStringLiteral("192.0.2.2")}}));
        QCOMPARE(m_store.token(id)->lastUsedAt, 5000);
        QCOMPARE(m_store.token(id)->lastUsedFrom, QStringLiteral("192.0.2.1"));
        QVERIFY(!m_store.recordTokenUses({TokenUse{id, 6000, QStringLiteral("2001:db8::1")}}));
        QCOMPARE(m_store.tokens(u, 0).first().lastUsedAt, 6000);
        QCOMPARE(m_store.tokens(u, 0).first().lastUsedFrom, QStringLiteral("2001:db8::1"));
        QCOMPARE(m_store.allTokens().first().lastUsedAt, 6000);
    }

    void sequencesAreGapFreeAndRetriesDeduplicated()
    {
        const qint64 u = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 r = std::get<qint64>(
            m_store.createRoom(QStringLiteral("general"), {}, QStringLiteral("public")));
        for (int i = 1; i <= 10; ++i) {
            const auto m = std::get<StoredMessage>(
                m_store.storeMessage(r, u, QString::number(i), QStringLiteral("t"), i));
            QCOMPARE(m.seq, i);
            QVERIFY(!m.duplicate);
        }
        const auto retry = std::get<StoredMessage>(
            m_store.storeMessage(r, u, QStringLiteral("3"), QStringLiteral("t"), 99));
        QVERIFY(retry.duplicate);
        QCOMPARE(retry.seq, 3);
        QCOMPARE(m_store.room(QStringLiteral("general"))->lastSeq, 10);
        QCOMPARE(m_store.roomSeqs().value(r), 10); // what each node's resync polls
        // a rolled-back message does not consume a sequence number
        QVERIFY(m_store.begin());
        QCOMPARE(std::get<StoredMessage>(
                     m_store.storeMessage(r, u, QStringLiteral("x"), QStringLiteral("t"), 1))
                     .seq,
                 11);
        m_store.rollback();
        QCOMPARE(std::get<StoredMessage>(
                     m_store.storeMessage(r, u, QStringLiteral("y"), QStringLiteral("t"), 1))
                     .seq,
                 11);
        // a message to a room that is gone fails without touching any counter
        QCOMPARE(std::get<StoreError>(
                     m_store.storeMessage(r + 1000, u, QStringLiteral("z"), QStringLiteral("t"), 1))
                     .code,
                 QStringLiteral("not_found"));
        QCOMPARE(Store::integrityCheck(m_settings), QStringLiteral("ok"));
    }

    void notificationIdsAreDenseAndIncreasing()
    {
        std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 svc = std::get<qint64>(m_store.createService(QStringLiteral("erp"), {}, {}));
        PublishRequest req = notice({QStringLiteral("alice")});
        QCOMPARE(std::get<PublishResult>(m_store.publish(svc, req, 1)).id, 1);
        // rolled back: the id is handed out again
        QVERIFY(m_store.begin());
        QCOMPARE(std::get<PublishResult>(m_store.publish(svc, req, 2)).id, 2);
        m_store.rollback();
        QCOMPARE(std::get<PublishResult>(m_store.publish(svc, req, 3)).id, 2);
        // an unknown recipient fails the whole publish
        req.to.users << QStringLiteral("nobody");
        QVERIFY(std::holds_alternative<StoreError>(m_store.publish(svc, req, 4)));
        req.to.users = {QStringLiteral("alice")};
        // idempotency key: the second publish is the first one
        req.idempotencyKey = QStringLiteral("k1");
        const auto first = std::get<PublishResult>(m_store.publish(svc, req, 5));
        QCOMPARE(first.id, 3);
        const auto again = std::get<PublishResult>(m_store.publish(svc, req, 6));
        QVERIFY(again.duplicate);
        QCOMPARE(again.id, 3);
        QCOMPARE(m_store.lastNotificationId(m_store.user(QStringLiteral("alice"))->id), 3);
        bool more = true;
        const QList<NotificationRow> list = m_store.notifications(
            m_store.user(QStringLiteral("alice"))->id, 0, 0, 10, false, 0, &more);
        QCOMPARE(list.size(), 3);
        QVERIFY(!more);
        QCOMPARE(list.first().id, 3); // newest first
    }

    void namesAreValidated()
    {
        QVERIFY(std::holds_alternative<StoreError>(
            m_store.createUser(QStringLiteral("Has Space"), {}, {})));
        QVERIFY(std::holds_alternative<StoreError>(
            m_store.createUser(QStringLiteral("dm-sneaky"), {}, {})));
        QVERIFY(std::holds_alternative<StoreError>(
            m_store.createRoom(QStringLiteral("dm:a:b"), {}, QStringLiteral("public"))));
        QVERIFY(std::holds_alternative<StoreError>(
            m_store.createRoom(QStringLiteral("ok"), {}, QStringLiteral("secret"))));
        QVERIFY(
            std::holds_alternative<qint64>(m_store.createUser(QStringLiteral("a.b-c_d9"), {}, {})));
        QCOMPARE(std::get<StoreError>(m_store.createUser(QStringLiteral("a.b-c_d9"), {}, {})).code,
                 QStringLiteral("conflict"));
        QVERIFY(
            std::holds_alternative<qint64>(m_store.createService(QStringLiteral("svc"), {}, {})));
        QCOMPARE(std::get<StoreError>(m_store.createService(QStringLiteral("svc"), {}, {})).code,
                 QStringLiteral("conflict"));
        QVERIFY(std::holds_alternative<qint64>(m_store.createGroup(QStringLiteral("ops"))));
        QCOMPARE(std::get<StoreError>(m_store.createGroup(QStringLiteral("ops"))).code,
                 QStringLiteral("conflict"));
        QVERIFY(std::holds_alternative<qint64>(
            m_store.createRoom(QStringLiteral("ok"), {}, QStringLiteral("public"))));
        QCOMPARE(std::get<StoreError>(
                     m_store.createRoom(QStringLiteral("ok"), {}, QStringLiteral("private")))
                     .code,
                 QStringLiteral("conflict"));
    }

    void namesSortBytewise()
    {
        // PostgreSQL's default collation would put "a.b" after "ab"; names sort as on SQLite.
        for (const char *n : {"ab", "a.b", "a-c", "a_b", "b", "a9"})
            QVERIFY(
                std::holds_alternative<qint64>(m_store.createUser(QString::fromLatin1(n), {}, {})));
        QStringList names;
        for (const UserRow &u : m_store.users())
            names << u.name;
        QCOMPARE(names,
                 (QStringList{QStringLiteral("a-c"), QStringLiteral("a.b"), QStringLiteral("a9"),
                              QStringLiteral("a_b"), QStringLiteral("ab"), QStringLiteral("b")}));
    }

    void membersGroupsAndDms()
    {
        const qint64 a = std::get<qint64>(
            m_store.createUser(QStringLiteral("alice"), {}, QStringLiteral("password1")));
        const qint64 b = std::get<qint64>(m_store.createUser(QStringLiteral("bob"), {}, {}));
        const qint64 r = std::get<qint64>(m_store.createRoom(
            QStringLiteral("general"), QStringLiteral("General"), QStringLiteral("public")));
        QVERIFY(!m_store.addMember(r, a));
        QVERIFY(!m_store.addMember(r, a)); // again: nothing happens
        QVERIFY(!m_store.addMember(r, b));
        QCOMPARE(m_store.room(QStringLiteral("general"))->members.size(), 2);
        QVERIFY(!m_store.removeMember(r, b));
        QCOMPARE(m_store.room(QStringLiteral("general"))->members, QList<qint64>{a});
        const RoomRow dm = std::get<RoomRow>(m_store.openDm(b, a));
        QCOMPARE(dm.name, QStringLiteral("dm:alice:bob"));
        QCOMPARE(dm.kind, QStringLiteral("dm"));
        QCOMPARE(std::get<RoomRow>(m_store.openDm(a, b)).id, dm.id);
        QVERIFY(std::holds_alternative<qint64>(m_store.createGroup(QStringLiteral("ops"))));
        QVERIFY(!m_store.setGroupMember(QStringLiteral("ops"), QStringLiteral("alice"), true));
        QVERIFY(!m_store.setGroupMember(QStringLiteral("ops"), QStringLiteral("alice"), true));
        QCOMPARE(m_store.groups().first().memberCount, 1);
        QVERIFY(std::holds_alternative<UserRow>(
            m_store.verifyPassword(QStringLiteral("alice"), QStringLiteral("password1"))));
        QVERIFY(std::holds_alternative<StoreError>(
            m_store.verifyPassword(QStringLiteral("alice"), QStringLiteral("nope"))));
        QVERIFY(!m_store.setDisabled(QStringLiteral("bob"), true));
        QVERIFY(m_store.user(QStringLiteral("bob"))->disabled);
        QVERIFY(!m_store.deleteRoom(QStringLiteral("general")));
        QVERIFY(!m_store.room(QStringLiteral("general")));
    }

    void textRoundTrips()
    {
        const qint64 u = std::get<qint64>(m_store.createUser(
            QStringLiteral("alice"), QStringLiteral("Älice 'the' \"first\""), {}));
        const qint64 r = std::get<qint64>(
            m_store.createRoom(QStringLiteral("general"), {}, QStringLiteral("public")));
        const QString text =
            QStringLiteral("it's \"quoted\", back\\slash \\x00 $1 ? :name %s 😀 日本語 \t\n end");
        QVERIFY(std::holds_alternative<StoredMessage>(
            m_store.storeMessage(r, u, QStringLiteral("c1"), text, 1)));
        QVERIFY(std::holds_alternative<StoredMessage>(
            m_store.storeMessage(r, u, QStringLiteral("c2"), QString(3000, QLatin1Char('x')), 2)));
        // JSON's \u0000 decodes to NUL: SQLite keeps it, PostgreSQL text cannot hold it
        QVERIFY(std::holds_alternative<StoredMessage>(m_store.storeMessage(
            r, u, QStringLiteral("c3"), QStringLiteral("a") + QChar(0) + QStringLiteral("b"), 3)));
        bool more = true;
        const QList<MessageRow> h = m_store.history(r, 0, 0, 10, &more);
        QCOMPARE(h.size(), 3);
        QCOMPARE(h[0].text, text);
        QCOMPARE(h[1].text.size(), 3000);
        QCOMPARE(h[2].text,
                 QStringLiteral("a") +
                     (m_store.isPostgres() ? QChar(QChar::ReplacementCharacter) : QChar(0)) +
                     QStringLiteral("b"));
        QCOMPARE(m_store.userById(u)->display, QStringLiteral("Älice 'the' \"first\""));
        QCOMPARE(m_store.history(r, 3, 0, 1, &more).first().seq, 2);
        QVERIFY(more);
        QCOMPARE(m_store.history(r, 0, 1, 10, &more).size(), 2);
    }

    void tokensAreHashedAndRevocable()
    {
        const qint64 u = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const QString token = std::get<QString>(
            m_store.issueToken(u, 0, QStringLiteral("user"), QStringLiteral("l")));
        QByteArray secret;
        const qint64 id = crypto::parseToken(token, &secret);
        QVERIFY(id > 0);
        const auto row = m_store.token(id);
        QVERIFY(row);
        QCOMPARE(row->hash, crypto::tokenHash(secret));
        QVERIFY(row->hash != secret);
        QCOMPARE(m_store.tokens(u, 0).size(), 1);
        QCOMPARE(m_store.allTokens().size(), 1);
        QVERIFY(!m_store.revokeToken(id));
        QVERIFY(m_store.token(id)->revoked);
        QCOMPARE(m_store.allTokens().size(), 0);
        QVERIFY(m_store.revokeToken(424242).has_value());
        QCOMPARE(crypto::parseToken(QStringLiteral("hrd_x_y"), &secret), 0);
        QCOMPARE(crypto::parseToken(QStringLiteral("abc"), &secret), 0);
        QCOMPARE(crypto::parseToken(QStringLiteral("hrd_5_"), &secret), 0);
    }

    void inboxReadAndActions()
    {
        const qint64 a = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 b = std::get<qint64>(m_store.createUser(QStringLiteral("bob"), {}, {}));
        const qint64 svc = std::get<qint64>(m_store.createService(
            QStringLiteral("erp"), QStringLiteral("http://127.0.0.1:9/h"), QStringLiteral("k")));
        PublishRequest req = notice({QStringLiteral("alice"), QStringLiteral("bob")});
        req.priority = QStringLiteral("urgent");
        req.actions = QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("ok")},
                                             {QStringLiteral("label"), QStringLiteral("OK")}}};
        const auto p = std::get<PublishResult>(m_store.publish(svc, req, 1000));
        QCOMPARE(p.userIds.size(), 2);
        QCOMPARE(m_store.unreadCount(a, 1000), 1);
        QCOMPARE(m_store.markRead(a, {p.id, 999}, 1001), QList<qint64>{p.id});
        QCOMPARE(m_store.markRead(a, {p.id}, 1002), QList<qint64>{});
        QCOMPARE(m_store.unreadCount(a, 1003), 0);
        QCOMPARE(m_store.unreadCount(b, 1003), 1);
        const auto first =
            std::get<Store::ActionResult>(m_store.act(b, p.id, QStringLiteral("ok"), 2000));
        QVERIFY(first.won);
        const auto second =
            std::get<Store::ActionResult>(m_store.act(a, p.id, QStringLiteral("ok"), 2001));
        QVERIFY(!second.won);
        QCOMPARE(second.resolved.by, QStringLiteral("bob"));
        QCOMPARE(std::get<StoreError>(m_store.act(a, p.id, QStringLiteral("nope"), 2002)).code,
                 QStringLiteral("bad_value"));
        QCOMPARE(m_store.notificationForService(p.id, svc)->reach->readBy, 2);
        QVERIFY(!m_store.notificationForService(p.id, svc + 1));
        // exactly one webhook row, due now, backing off after a failure
        auto due = m_store.dueWebhooks(3000, 10);
        QCOMPARE(due.size(), 1);
        QCOMPARE(QJsonDocument::fromJson(due.first().payload)
                     .object()
                     .value(QLatin1String("user"))
                     .toString(),
                 QStringLiteral("bob"));
        m_store.webhookFailed(due.first().id, 5000, QStringLiteral("HTTP 500"));
        QCOMPARE(m_store.dueWebhooks(4000, 10).size(), 0);
        QCOMPARE(m_store.dueWebhooks(5000, 10).size(), 1);
        m_store.webhookDone(due.first().id, 5001);
        QCOMPARE(m_store.dueWebhooks(99999, 10).size(), 0);
    }

    // ---- the group-aware inbox (schema 3): notifications to groups and everyone are stored
    // once, for an audience (a shared snapshot of who got them)

    void groupPublishesShareOneAudience()
    {
        const qint64 a = user("alice"), b = user("bob");
        user("carol");
        group("ops", {"alice", "bob"});
        group("sales", {"bob", "carol"});
        const qint64 svc = service();
        const auto p1 = publish(svc, to({}, {"ops"}));
        const auto p2 = publish(svc, to({}, {"ops"}));
        QCOMPARE(p1.userIds, (QList<qint64>{a, b}));
        QCOMPARE(p2.userIds, (QList<qint64>{a, b}));
        QCOMPARE(rows(QStringLiteral("audiences")), 1);
        QCOMPARE(rows(QStringLiteral("audience_members")), 2);
        QCOMPARE(rows(QStringLiteral("inbox")), 0);
        QCOMPARE(audienceOf(p1.id), audienceOf(p2.id));
        // another source is another audience, shared the same way; the order of groups in a
        // request does not matter
        const auto p3 = publish(svc, to({}, {"ops", "sales"}));
        const auto p4 = publish(svc, to({}, {"sales", "ops", "sales"}));
        QCOMPARE(p3.userIds.size(), 3);
        QCOMPARE(audienceOf(p3.id), audienceOf(p4.id));
        QVERIFY(audienceOf(p3.id) != audienceOf(p1.id));
        PublishRequest all = to({}, {});
        all.to.everyone = true;
        const auto p5 = publish(svc, all);
        const auto p6 = publish(svc, all);
        QCOMPARE(audienceOf(p5.id), audienceOf(p6.id));
        QCOMPARE(rows(QStringLiteral("audiences")), 3);
        QCOMPARE(rows(QStringLiteral("audience_members")), 2 + 3 + 3);
        // a personal notification has none
        QCOMPARE(audienceOf(publish(svc, to({"alice"}, {})).id), 0);
        QCOMPARE(Store::integrityCheck(m_settings), QStringLiteral("ok"));
    }

    void groupPublishWritesRowsPerNotificationNotPerPerson()
    {
        // Counts rows, not time: a notification to a group of 300 (or to everyone) writes the
        // same few rows as one to a group of 1, once the group's audience exists.
        const qint64 svc = service();
        QVERIFY(m_store.begin());
        std::get<qint64>(m_store.createGroup(QStringLiteral("big")));
        for (int i = 0; i < 300; ++i) {
            const QString name = QStringLiteral("p%1").arg(i);
            std::get<qint64>(m_store.createUser(name, {}, {}));
            QVERIFY(!m_store.setGroupMember(QStringLiteral("big"), name, true));
        }
        QVERIFY(m_store.commit());
        PublishRequest all = to({}, {});
        all.to.everyone = true;
        for (const PublishRequest &req : {to({}, {"big"}), all}) {
            const qint64 first = allRows();
            QCOMPARE(publish(svc, req).userIds.size(), 300);
            QVERIFY2(allRows() - first <= 300 + 5, "the first one builds the audience");
            const qint64 before = allRows();
            const qint64 changesBefore = changes();
            constexpr int Count = 10;
            for (int i = 0; i < Count; ++i)
                QCOMPARE(publish(svc, req).userIds.size(), 300);
            // one notification row and its `published` audit record each; the counter row is
            // updated, not added to
            QCOMPARE(allRows() - before, 2 * Count);
            if (!m_store.isPostgres()) // rows inserted, updated or deleted: a handful each
                QVERIFY2(changes() - changesBefore <= 4 * Count,
                         qPrintable(QString::number(changes() - changesBefore)));
        }
        QCOMPARE(rows(QStringLiteral("inbox")), 0);
        // what the people see is the same as with one row each
        const qint64 p7 = m_store.user(QStringLiteral("p7"))->id;
        QCOMPARE(m_store.unreadCount(p7, 1), 22);
        QCOMPARE(m_store.markAllRead(p7, 2), 22);
        QCOMPARE(m_store.unreadCount(p7, 3), 0);
        QCOMPARE(m_store.unreadCount(m_store.user(QStringLiteral("p8"))->id, 3), 22);
        // marking all read writes a watermark, not an inbox row per notification; the audit
        // trail gets its `read` record for each notification read (schema 8)
        const qint64 before = allRows();
        const qint64 auditBefore = rows(QStringLiteral("audit"));
        QCOMPARE(m_store.markAllRead(m_store.user(QStringLiteral("p8"))->id, 4), 22);
        QCOMPARE(rows(QStringLiteral("audit")) - auditBefore, 22);
        QVERIFY(allRows() - before - 22 <= 1);
    }

    void recipientsStayExactWhenMembershipChanges()
    {
        const qint64 a = user("alice"), b = user("bob"), c = user("carol"), d = user("dave");
        group("ops", {"alice", "bob"});
        const qint64 svc = service();
        const auto n1 = publish(svc, to({}, {"ops"}));
        QCOMPARE(n1.userIds, (QList<qint64>{a, b}));
        // carol joins after n1: she does not get it, but the next one
        QVERIFY(!m_store.setGroupMember(QStringLiteral("ops"), QStringLiteral("carol"), true));
        const auto n2 = publish(svc, to({}, {"ops"}));
        QCOMPARE(n2.userIds, (QList<qint64>{a, b, c}));
        // alice leaves after n2: she keeps n1 and n2
        QVERIFY(!m_store.setGroupMember(QStringLiteral("ops"), QStringLiteral("alice"), false));
        const auto n3 = publish(svc, to({}, {"ops"}));
        QCOMPARE(n3.userIds, (QList<qint64>{b, c}));
        // adding someone who is in already, removing someone who is not: nothing changes
        QVERIFY(!m_store.setGroupMember(QStringLiteral("ops"), QStringLiteral("bob"), true));
        QVERIFY(!m_store.setGroupMember(QStringLiteral("ops"), QStringLiteral("dave"), false));
        QCOMPARE(audienceOf(publish(svc, to({}, {"ops"})).id), audienceOf(n3.id));
        // bob disabled: no new ones, neither through the group nor to everyone
        QVERIFY(!m_store.setDisabled(QStringLiteral("bob"), true));
        const auto n4 = publish(svc, to({}, {"ops"}));
        QCOMPARE(n4.userIds, (QList<qint64>{c}));
        PublishRequest all = to({}, {});
        all.to.everyone = true;
        const auto n5 = publish(svc, all);
        QCOMPARE(n5.userIds, (QList<qint64>{a, c, d}));
        // enabled again: back in both
        QVERIFY(!m_store.setDisabled(QStringLiteral("bob"), false));
        QCOMPARE(publish(svc, to({}, {"ops"})).userIds, (QList<qint64>{b, c}));
        // someone new: in everyone from now on
        const qint64 e = user("erin");
        const auto n7 = publish(svc, all);
        QCOMPARE(n7.userIds, (QList<qint64>{a, b, c, d, e}));
        const auto idsOf = [this](qint64 u) {
            bool more = false;
            QList<qint64> out;
            for (const NotificationRow &n : m_store.notifications(u, 0, 0, 100, false, 1, &more))
                out << n.id;
            std::sort(out.begin(), out.end());
            return out;
        };
        QCOMPARE(idsOf(a), (QList<qint64>{n1.id, n2.id, n5.id, n7.id}));
        QCOMPARE(idsOf(e), (QList<qint64>{n7.id}));
        QCOMPARE(idsOf(d), (QList<qint64>{n5.id, n7.id}));
        QCOMPARE(m_store.unreadCount(a, 1), 4);
        QCOMPARE(m_store.unreadCount(b, 1), 8 - 2); // all but n4 and n5 (disabled then)
        QCOMPARE(m_store.lastNotificationId(d), n7.id);
        // a recipient may act, a later member may not
        QCOMPARE(std::get<StoreError>(m_store.act(c, n1.id, QStringLiteral("ok"), 2)).code,
                 QStringLiteral("not_found"));
        QCOMPARE(m_store.notificationForService(n1.id, svc)->reach->recipients, 2);
        QCOMPARE(m_store.notificationForService(n2.id, svc)->reach->recipients, 3);
        // a deleted group's audiences are current no more, whatever id a new group gets
        QVERIFY(!m_store.deleteGroup(QStringLiteral("ops")));
        group("ops", {"dave"});
        QCOMPARE(publish(svc, to({}, {"ops"})).userIds, (QList<qint64>{d}));
        QCOMPARE(Store::integrityCheck(m_settings), QStringLiteral("ok"));
    }

    void namedAndGroupOverlapCountsOnce()
    {
        const qint64 a = user("alice"), b = user("bob"), c = user("carol");
        group("ops", {"alice", "bob"});
        const qint64 svc = service();
        PublishRequest req = to({"alice", "carol", "alice"}, {"ops"});
        req.actions = QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("ok")}}};
        const auto p = publish(svc, req);
        QCOMPARE(p.userIds, (QList<qint64>{a, b, c}));
        QCOMPARE(rows(QStringLiteral("inbox")), 1); // carol's: alice has it through ops
        for (qint64 u : {a, b, c}) {
            QCOMPARE(m_store.unreadCount(u, 1), 1);
            bool more = true;
            QCOMPARE(m_store.notifications(u, 0, 0, 10, false, 1, &more).size(), 1);
            QCOMPARE(m_store.lastNotificationId(u), p.id);
        }
        const auto since = m_store.notificationsSince(0, {a, b, c}, 1, 10);
        for (qint64 u : {a, b, c})
            QCOMPARE(since.value(u).size(), 1);
        QCOMPARE(m_store.notificationForService(p.id, svc)->reach->recipients, 3);
        QCOMPARE(m_store.markRead(a, {p.id}, 2), QList<qint64>{p.id});
        QCOMPARE(m_store.markRead(c, {p.id}, 2), QList<qint64>{p.id});
        QCOMPARE(m_store.notificationForService(p.id, svc)->reach->readBy, 2);
        const auto acted = std::get<ActionResult>(m_store.act(b, p.id, QStringLiteral("ok"), 3));
        QVERIFY(acted.won);
        QCOMPARE(acted.recipientIds, (QList<qint64>{a, b, c}));
        QCOMPARE(m_store.notificationForService(p.id, svc)->reach->readBy, 3);
    }

    void notificationsSinceStopsAtTheGivenId()
    {
        // The cluster gap fill reads the newest id, then the rows up to it; a notification
        // committed in between must not be in the answer (the cursor would not cover it twice).
        const qint64 a = user("alice");
        user("bob");
        group("ops", {"alice", "bob"});
        const qint64 svc = service();
        QList<qint64> ids;
        for (int i = 0; i < 4; ++i)
            ids << publish(svc, i % 2 ? to({}, {"ops"}) : to({"alice"}, {})).id;
        const auto upTo = m_store.notificationsSince(ids[0], {a}, 1, 10, ids[2]);
        QList<qint64> got;
        for (const NotificationRow &n : upTo.value(a))
            got << n.id;
        QCOMPARE(got, (QList<qint64>{ids[1], ids[2]}));
        QCOMPARE(m_store.notificationsSince(ids[0], {a}, 1, 10).value(a).size(), 3);
    }

    void markAllReadThenANewGroupNotificationIsUnread()
    {
        const qint64 a = user("alice");
        user("bob");
        group("ops", {"alice", "bob"});
        const qint64 svc = service();
        for (int i = 0; i < 3; ++i)
            publish(svc, to({}, {"ops"}));
        publish(svc, to({"alice"}, {}));
        QCOMPARE(m_store.unreadCount(a, 1), 4);
        QCOMPARE(m_store.markAllRead(a, 2), 4);
        QCOMPARE(m_store.unreadCount(a, 2), 0);
        QCOMPARE(m_store.markAllRead(a, 3), 0);
        const auto fresh = publish(svc, to({}, {"ops"}));
        QCOMPARE(m_store.unreadCount(a, 4), 1);
        bool more = true;
        const auto list = m_store.notifications(a, 0, 0, 10, false, 4, &more);
        QCOMPARE(list.size(), 5);
        QCOMPARE(list.first().id, fresh.id);
        QCOMPARE(list.first().read, false);
        QCOMPARE(list.last().read, true);
        const auto unread = m_store.notifications(a, 0, 0, 10, true, 4, &more);
        QCOMPARE(unread.size(), 1);
        QCOMPARE(unread.first().id, fresh.id);
        QCOMPARE(m_store.markRead(a, {fresh.id}, 5), QList<qint64>{fresh.id});
        QCOMPARE(m_store.unreadCount(a, 5), 0);
        publish(svc, to({"alice"}, {}));
        QCOMPARE(m_store.markAllRead(a, 6), 1);
        QCOMPARE(m_store.unreadCount(m_store.user(QStringLiteral("bob"))->id, 6), 4);
    }

    void markReadIsIdempotent()
    {
        const qint64 a = user("alice"), b = user("bob");
        group("ops", {"alice", "bob"});
        group("other", {"bob"});
        const qint64 svc = service();
        const qint64 g1 = publish(svc, to({}, {"ops"})).id;
        const qint64 g2 = publish(svc, to({}, {"ops"})).id;
        const qint64 p1 = publish(svc, to({"alice"}, {})).id;
        const qint64 o1 = publish(svc, to({}, {"other"})).id;
        QCOMPARE(m_store.markRead(a, {p1, 999, o1, g1, g1}, 1), (QList<qint64>{g1, p1}));
        QCOMPARE(m_store.markRead(a, {p1, g1}, 2), QList<qint64>{});
        QCOMPARE(m_store.markRead(b, {p1}, 2), QList<qint64>{}); // not bob's
        QCOMPARE(m_store.unreadCount(a, 2), 1);
        QCOMPARE(m_store.markAllRead(a, 3), 1); // g2
        QCOMPARE(m_store.markRead(a, {g1, g2, p1}, 4), QList<qint64>{});
        QCOMPARE(m_store.markAllRead(a, 4), 0);
        QCOMPARE(m_store.unreadCount(a, 4), 0);
        QCOMPARE(m_store.unreadCount(b, 4), 3);
        QCOMPARE(m_store.notificationForService(g1, svc)->reach->readBy, 1);
        QCOMPARE(m_store.notificationForService(g2, svc)->reach->readBy, 1);
        QCOMPARE(m_store.markRead(b, {g2, o1}, 5), (QList<qint64>{g2, o1}));
        QCOMPARE(m_store.markRead(b, {g2, o1}, 6), QList<qint64>{});
        QCOMPARE(m_store.notificationForService(g2, svc)->reach->readBy, 2);
        QCOMPARE(m_store.unreadCount(b, 6), 1);
    }

    void readsFromTwoNodesChangeEachNotificationOnce()
    {
        if (!m_store.isPostgres())
            QSKIP("one writer process on SQLite");
        const qint64 a = user("alice");
        group("ops", {"alice"});
        const qint64 svc = service();
        QList<qint64> ids;
        for (int i = 0; i < 5; ++i)
            ids << publish(svc, to({}, {"ops"})).id;
        ids << publish(svc, to({"alice"}, {})).id;
        // Device 1 (this node) reads everything and has not committed yet; device 2, on
        // another node, reads the same: it waits, then changes nothing.
        QVERIFY(m_store.begin());
        QCOMPARE(m_store.markAllRead(a, 10), 6);
        QList<qint64> fromB{-1};
        std::thread nodeB([&] {
            Store st;
            if (!st.open(m_settings))
                fromB = st.markRead(a, ids, 11);
        });
        QVERIFY(waitForLockWaiters(m_store, 1));
        QVERIFY(m_store.commit());
        nodeB.join();
        QCOMPARE(fromB, QList<qint64>{});
        // The other way round: one read on this node, read-all on the other.
        const qint64 late1 = publish(svc, to({}, {"ops"})).id;
        publish(svc, to({}, {"ops"}));
        publish(svc, to({"alice"}, {}));
        QVERIFY(m_store.begin());
        QCOMPARE(m_store.markRead(a, {late1}, 12), QList<qint64>{late1});
        qint64 allFromB = -1;
        std::thread nodeB2([&] {
            Store st;
            if (!st.open(m_settings))
                allFromB = st.markAllRead(a, 13);
        });
        QVERIFY(waitForLockWaiters(m_store, 1));
        QVERIFY(m_store.commit());
        nodeB2.join();
        QCOMPARE(allFromB, 2);
        QCOMPARE(m_store.unreadCount(a, 14), 0);
    }

    void membershipChangeAndNewAudienceOnTwoNodesAreOrdered()
    {
        if (!m_store.isPostgres())
            QSKIP("one writer process on SQLite");
        const qint64 a = user("alice"), b = user("bob"), c = user("carol");
        group("ops", {"alice"});
        const qint64 svc = service();
        publish(svc, to({}, {"ops"}));
        QVERIFY(!m_store.setGroupMember(QStringLiteral("ops"), QStringLiteral("carol"), true));
        // This node builds ops' new audience and has not committed; another node adds bob to
        // ops meanwhile: it waits for the snapshot, then marks it stale.
        QVERIFY(m_store.begin());
        QCOMPARE(publish(svc, to({}, {"ops"})).userIds, (QList<qint64>{a, c}));
        QString errorB = QStringLiteral("not run");
        std::thread nodeB([&] {
            Store st;
            if (st.open(m_settings))
                return;
            const auto e = st.setGroupMember(QStringLiteral("ops"), QStringLiteral("bob"), true);
            errorB = e ? e->message : QString();
        });
        QVERIFY(waitForLockWaiters(m_store, 1));
        QVERIFY(m_store.commit());
        nodeB.join();
        QCOMPARE(errorB, QString());
        QCOMPARE(publish(svc, to({}, {"ops"})).userIds, (QList<qint64>{a, b, c}));
        // Two nodes that need a new audience of the same source build one.
        QVERIFY(!m_store.setGroupMember(QStringLiteral("ops"), QStringLiteral("alice"), false));
        const qint64 audiencesBefore = rows(QStringLiteral("audiences"));
        QVERIFY(m_store.begin());
        QCOMPARE(publish(svc, to({}, {"ops"})).userIds, (QList<qint64>{b, c}));
        PublishResult fromB2;
        std::thread nodeB2([&] {
            Store st;
            if (st.open(m_settings))
                return;
            auto r = st.publish(svc, to({}, {"ops"}), 2);
            if (auto *p = std::get_if<PublishResult>(&r))
                fromB2 = *p;
        });
        QVERIFY(waitForLockWaiters(m_store, 1));
        QVERIFY(m_store.commit());
        nodeB2.join();
        QCOMPARE(fromB2.userIds, (QList<qint64>{b, c}));
        QCOMPARE(rows(QStringLiteral("audiences")), audiencesBefore + 1);
        QCOMPARE(Store::integrityCheck(m_settings), QStringLiteral("ok"));
    }

    void wireJsonOfEveryRow()
    {
        // What frames and HTTP bodies carry for each row (docs/protocol.md), to the byte: the
        // keys, the nulls, the integers, the publisher's source with the service added.
        const auto json = [](const auto &rows) {
            return QJsonDocument(wire::toJson(rows)).toJson(QJsonDocument::Compact);
        };
        const qint64 a = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 b = std::get<qint64>(m_store.createUser(QStringLiteral("bob"), {}, {}));
        const qint64 svc = std::get<qint64>(m_store.createService(
            QStringLiteral("erp"), QStringLiteral("http://127.0.0.1:9/h"), QStringLiteral("k")));
        std::get<qint64>(m_store.createService(QStringLiteral("plain"), {}, {}));
        std::get<qint64>(m_store.createGroup(QStringLiteral("ops")));
        QVERIFY(!m_store.setGroupMember(QStringLiteral("ops"), QStringLiteral("bob"), true));
        const qint64 r = std::get<qint64>(
            m_store.createRoom(QStringLiteral("general"), {}, QStringLiteral("public")));
        QVERIFY(std::holds_alternative<StoredMessage>(
            m_store.storeMessage(r, a, QStringLiteral("c1"), QStringLiteral("hi <you> ü"), 100)));
        bool more = true;
        QCOMPARE(json(m_store.history(r, 0, 0, 10, &more)),
                 R"([{"clientId":"c1","from":"alice","room":"general","seq":1,"text":"hi <you> ü",)"
                 R"("ts":100,"type":"message"}])");
        QCOMPARE(json(m_store.services()),
                 R"([{"id":1,"name":"erp","signed":true,"webhook":"http://127.0.0.1:9/h"},)"
                 R"({"id":2,"name":"plain","signed":false,"webhook":""}])");
        QCOMPARE(json(m_store.groups()), R"([{"members":1,"name":"ops"}])");

        const auto parsed = PublishRequest::parse(
            R"({"recipients":{"users":["alice"],"groups":["ops"]},"title":"PO 7","body":"b",)"
            R"("priority":"high","category":"po","link":"https://x/y","idempotencyKey":"k1",)"
            R"("actions":[{"id":"approve","label":"Approve"},{"id":"reject","label":"Reject"}],)"
            R"("source":{"ticket":42,"nested":{"a":[1,2.5,"s",null,true]}},)"
            R"("expiresAt":4102444800000,"threadKey":"po-7"})",
            1000);
        const auto p =
            std::get<PublishResult>(m_store.publish(svc, std::get<PublishRequest>(parsed), 1000));
        const QByteArray content =
            R"("actions":[{"id":"approve","label":"Approve"},{"id":"reject","label":"Reject"}],)"
            R"("body":"b","category":"po","createdAt":1000,"expiresAt":4102444800000,"id":1,)"
            R"("link":"https://x/y","priority":"high",)";
        const QByteArray source =
            R"("source":{"nested":{"a":[1,2.5,"s",null,true]},"service":"erp","ticket":42},)"
            R"("threadKey":"po-7","title":"PO 7"})";
        QCOMPARE(json(p.notification), "{" + content + R"("read":false,"resolved":null,)" + source);
        QVERIFY(!m_store.markRead(a, {p.id}, 1500).isEmpty());
        const auto acted =
            std::get<Store::ActionResult>(m_store.act(b, p.id, QStringLiteral("approve"), 2000));
        QCOMPARE(json(acted.resolved), R"({"action":"approve","at":2000,"by":"bob"})");
        const QByteArray resolved = R"("resolved":{"action":"approve","at":2000,"by":"bob"},)";
        QCOMPARE(json(m_store.notifications(a, 0, 0, 10, false, 1000, &more)),
                 "[{" + content + R"("read":true,)" + resolved + source + "]");
        QCOMPARE(json(m_store.notificationsSince(0, {b}, 1000, 10).value(b)),
                 "[{" + content + R"("read":true,)" + resolved + source + "]");
        QCOMPARE(json(*m_store.notificationForService(p.id, svc)),
                 "{" + content + R"("readBy":2,"recipients":2,)" + resolved + source);
        // without the optional fields: empty strings and lists, null expiry
        PublishRequest bare;
        bare.to.everyone = true;
        bare.title = QStringLiteral("Hi");
        QCOMPARE(json(std::get<PublishResult>(m_store.publish(svc, bare, 3000)).notification),
                 R"({"actions":[],"body":"","category":"","createdAt":3000,"expiresAt":null,)"
                 R"("id":2,"link":"","priority":"normal","read":false,"resolved":null,)"
                 R"("source":{"service":"erp"},"threadKey":null,"title":"Hi"})");
    }

    void readOnlyDirectoryRefusesWrites()
    {
        if (::geteuid() == 0)
            QSKIP("root ignores file permissions");
    }

    void databaseCommitsBatchesInOrder()
    {
        const qint64 u = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 r = std::get<qint64>(
            m_store.createRoom(QStringLiteral("general"), {}, QStringLiteral("public")));
        Database db;
        QCOMPARE(db.open(m_settings), QString());
        QObject context;
        QList<qint64> seqs;
        for (int i = 0; i < 200; ++i)
            db.run<StoredMessage>(
                [=](Store &st) {
                    return st.storeMessage(r, u, QString::number(i), QStringLiteral("t"), i);
                },
                &context,
                [&seqs](StoreResult<StoredMessage> res) {
                    const StoredMessage *m = std::get_if<StoredMessage>(&res);
                    seqs << (m ? m->seq : 0);
                });
        // a failing job fails alone
        const StoreResult<StoredMessage> bad = db.runSync<StoredMessage>([=](Store &st) {
            return st.storeMessage(r + 1000, u, QStringLiteral("x"), QStringLiteral("t"), 1);
        });
        QVERIFY(std::holds_alternative<StoreError>(bad));
        QCOMPARE(std::get<StoreError>(bad).code, QStringLiteral("not_found"));
        QTRY_COMPARE(seqs.size(), 200);
        for (int i = 0; i < 200; ++i)
            QCOMPARE(seqs[i], i + 1);
        QVERIFY(db.batches() < 200); // grouped
        if (m_store.isPostgres()) {
            // A job that swallows a failed statement: PostgreSQL spoils its savepoint, and the
            // job's "success" must not be acknowledged.
            const StoreResult<Ok> r2 = db.runSync<Ok>([](Store &st) {
                QSqlQuery q(st.connection());
                q.exec(QStringLiteral("SELECT * FROM no_such_table"));
                return Ok{};
            });
            QVERIFY(std::holds_alternative<StoreError>(r2));
            QCOMPARE(std::get<StoreError>(r2).code, QStringLiteral("internal"));
            QVERIFY(db.writable());
        }
        db.close();
        QCOMPARE(Store::integrityCheck(m_settings), QStringLiteral("ok"));
    }

    // ---- several writers at once: PostgreSQL only (SQLite is one server process by design)

    void concurrentWritersGetGapFreeSequences()
    {
        if (!m_store.isPostgres())
            QSKIP("one writer process on SQLite");
        std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 svc = std::get<qint64>(m_store.createService(QStringLiteral("erp"), {}, {}));
        const qint64 room = std::get<qint64>(
            m_store.createRoom(QStringLiteral("general"), {}, QStringLiteral("public")));
        constexpr int Writers = 4, Batches = 10, PerBatch = 5, Publishes = 15;
        std::vector<QList<qint64>> seqs(Writers), ids(Writers);
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int w = 0; w < Writers; ++w)
            threads.emplace_back([&, w] {
                Store st; // one connection per writer, as one per node
                if (st.open(m_settings)) {
                    ++failures;
                    return;
                }
                const qint64 u = st.user(QStringLiteral("alice"))->id;
                for (int b = 0; b < Batches; ++b) {
                    st.begin();
                    for (int i = 0; i < PerBatch; ++i) {
                        auto m = st.storeMessage(room, u,
                                                 QStringLiteral("%1-%2-%3").arg(w).arg(b).arg(i),
                                                 QStringLiteral("t"), 1);
                        if (auto *ok = std::get_if<StoredMessage>(&m))
                            seqs[w] << ok->seq;
                        else
                            ++failures;
                    }
                    if (!st.commit())
                        ++failures;
                }
                const PublishRequest req = notice({QStringLiteral("alice")});
                for (int i = 0; i < Publishes; ++i) {
                    auto p = st.publish(svc, req, 1);
                    if (auto *ok = std::get_if<PublishResult>(&p))
                        ids[w] << ok->id;
                    else
                        ++failures;
                }
            });
        for (auto &t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);
        QList<qint64> allSeqs, allIds;
        for (int w = 0; w < Writers; ++w) {
            QVERIFY(std::is_sorted(seqs[w].begin(), seqs[w].end()));
            QVERIFY(std::adjacent_find(seqs[w].begin(), seqs[w].end()) == seqs[w].end());
            QVERIFY(std::is_sorted(ids[w].begin(), ids[w].end()));
            allSeqs << seqs[w];
            allIds << ids[w];
        }
        std::sort(allSeqs.begin(), allSeqs.end());
        std::sort(allIds.begin(), allIds.end());
        for (qsizetype i = 0; i < allSeqs.size(); ++i)
            QCOMPARE(allSeqs[i], i + 1);
        for (qsizetype i = 0; i < allIds.size(); ++i)
            QCOMPARE(allIds[i], i + 1);
        QCOMPARE(m_store.room(QStringLiteral("general"))->lastSeq, Writers * Batches * PerBatch);
        QCOMPARE(Store::integrityCheck(m_settings), QStringLiteral("ok"));
    }

    void retryRaceAcrossNodesReturnsTheFirstCopy()
    {
        if (!m_store.isPostgres())
            QSKIP("one writer process on SQLite");
        const qint64 u = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 r = std::get<qint64>(
            m_store.createRoom(QStringLiteral("general"), {}, QStringLiteral("public")));
        const qint64 svc = std::get<qint64>(m_store.createService(QStringLiteral("erp"), {}, {}));
        PublishRequest req = notice({QStringLiteral("alice")});
        req.idempotencyKey = QStringLiteral("k");
        // Node A stores the message and holds its transaction open; node B gets the client's
        // retry, finds nothing yet, and waits on the room's row lock.
        QVERIFY(m_store.begin());
        QCOMPARE(std::get<StoredMessage>(
                     m_store.storeMessage(r, u, QStringLiteral("c1"), QStringLiteral("t"), 1))
                     .seq,
                 1);
        StoredMessage fromB;
        QString errorB;
        std::thread nodeB([&] {
            Store st;
            if (auto e = st.open(m_settings)) {
                errorB = e->message;
                return;
            }
            const auto m = st.storeMessage(r, u, QStringLiteral("c1"), QStringLiteral("t"), 2);
            if (auto *e = std::get_if<StoreError>(&m))
                errorB = e->message;
            else
                fromB = std::get<StoredMessage>(m);
        });
        QVERIFY(waitForLockWaiters(m_store, 1));
        QVERIFY(m_store.commit());
        nodeB.join();
        QCOMPARE(errorB, QString());
        QVERIFY(fromB.duplicate);
        QCOMPARE(fromB.seq, 1);
        QCOMPARE(m_store.room(QStringLiteral("general"))->lastSeq, 1); // B's number was given back
        QCOMPARE(std::get<StoredMessage>(
                     m_store.storeMessage(r, u, QStringLiteral("c2"), QStringLiteral("t"), 3))
                     .seq,
                 2);

        // The same with a publisher's retry (idempotency key): B waits on the counter row.
        QVERIFY(m_store.begin());
        QCOMPARE(std::get<PublishResult>(m_store.publish(svc, req, 1)).id, 1);
        PublishResult publishedB;
        std::thread publisherB([&] {
            Store st;
            if (auto e = st.open(m_settings)) {
                errorB = e->message;
                return;
            }
            const auto p = st.publish(svc, req, 2);
            if (auto *e = std::get_if<StoreError>(&p))
                errorB = e->message;
            else
                publishedB = std::get<PublishResult>(p);
        });
        QVERIFY(waitForLockWaiters(m_store, 1));
        QVERIFY(m_store.commit());
        publisherB.join();
        QCOMPARE(errorB, QString());
        QVERIFY(publishedB.duplicate);
        QCOMPARE(publishedB.id, 1);
        QCOMPARE(
            std::get<PublishResult>(m_store.publish(svc, notice({QStringLiteral("alice")}), 3)).id,
            2);
        QCOMPARE(Store::integrityCheck(m_settings), QStringLiteral("ok"));
    }

    void actionRaceAcrossNodesHasOneWinner()
    {
        if (!m_store.isPostgres())
            QSKIP("one writer process on SQLite");
        const qint64 a = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 b = std::get<qint64>(m_store.createUser(QStringLiteral("bob"), {}, {}));
        const qint64 svc = std::get<qint64>(m_store.createService(
            QStringLiteral("erp"), QStringLiteral("http://127.0.0.1:9/h"), QStringLiteral("k")));
        PublishRequest req = notice({QStringLiteral("alice"), QStringLiteral("bob")});
        req.actions = QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("approve")}},
                                 QJsonObject{{QStringLiteral("id"), QStringLiteral("reject")}}};
        const qint64 id = std::get<PublishResult>(m_store.publish(svc, req, 1)).id;
        QVERIFY(m_store.begin());
        QVERIFY(
            std::get<Store::ActionResult>(m_store.act(a, id, QStringLiteral("approve"), 10)).won);
        Store::ActionResult fromB;
        std::thread nodeB([&] {
            Store st;
            if (st.open(m_settings))
                return;
            const auto res = st.act(b, id, QStringLiteral("reject"), 11);
            if (auto *r = std::get_if<Store::ActionResult>(&res))
                fromB = *r;
        });
        QVERIFY(waitForLockWaiters(m_store, 1));
        QVERIFY(m_store.commit());
        nodeB.join();
        QVERIFY(!fromB.won);
        QCOMPARE(fromB.resolved.action, QStringLiteral("approve"));
        QCOMPARE(fromB.resolved.by, QStringLiteral("alice"));
        QCOMPARE(m_store.dueWebhooks(100, 10).size(), 1); // one webhook, for the winner
    }

    void webhookRowsAreClaimedByOneNode()
    {
        if (!m_store.isPostgres())
            QSKIP("one server process on SQLite");
        const qint64 a = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 svc = std::get<qint64>(m_store.createService(
            QStringLiteral("erp"), QStringLiteral("http://127.0.0.1:9/h"), QStringLiteral("k")));
        PublishRequest req = notice({QStringLiteral("alice")});
        req.actions = QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("ok")}}};
        for (int i = 0; i < 3; ++i) {
            const qint64 id = std::get<PublishResult>(m_store.publish(svc, req, 1)).id;
            QVERIFY(
                std::get<Store::ActionResult>(m_store.act(a, id, QStringLiteral("ok"), 10)).won);
        }
        Store other;
        QVERIFY(!other.open(m_settings));
        const auto mine = m_store.dueWebhooks(100, 2);
        const auto theirs = other.dueWebhooks(100, 10);
        QCOMPARE(mine.size(), 2);
        QCOMPARE(theirs.size(), 1); // the third; the first two are leased
        QVERIFY(mine[0].id != theirs[0].id && mine[1].id != theirs[0].id);
        QCOMPARE(other.dueWebhooks(100 + 61 * 1000, 10).size(), 3); // leases run out
    }

    void nodesStartingTogetherMigrateOnce()
    {
        if (!m_store.isPostgres())
            QSKIP("PostgreSQL only");
        const StorageSettings empty = m_fixture.fresh();
        std::atomic<int> failures{0};
        std::vector<std::thread> nodes;
        for (int i = 0; i < 3; ++i)
            nodes.emplace_back([&] {
                Store st;
                if (auto e = st.open(empty)) {
                    qWarning().noquote() << e->message;
                    ++failures;
                }
            });
        for (auto &t : nodes)
            t.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(Store::integrityCheck(empty), QStringLiteral("ok"));
    }

    void databaseRetriesABatchThatLostADeadlock()
    {
        if (!m_store.isPostgres())
            QSKIP("PostgreSQL only");
        const qint64 u = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 r1 = std::get<qint64>(
            m_store.createRoom(QStringLiteral("one"), {}, QStringLiteral("public")));
        const qint64 r2 = std::get<qint64>(
            m_store.createRoom(QStringLiteral("two"), {}, QStringLiteral("public")));
        Database db;
        QCOMPARE(db.open(m_settings), QString());
        // "Another node" (this connection, which waits 10 s before looking for deadlocks, so that
        // the storage thread's session is the one PostgreSQL picks) holds room two.
        QVERIFY(sql(m_store, QStringLiteral("SET deadlock_timeout TO '10s'")));
        QVERIFY(m_store.begin());
        QVERIFY(sql(m_store,
                    QStringLiteral("UPDATE rooms SET last_seq = last_seq WHERE id=%1").arg(r2)));
        QObject context;
        using Seqs = QHash<qint64, qint64>; // room -> seq
        std::optional<StoreResult<Seqs>> result;
        db.run<Seqs>(
            [=](Store &st) -> StoreResult<Seqs> {
                Seqs out;
                for (qint64 room : {r1, r2}) {
                    auto m = st.storeMessage(room, u, QStringLiteral("c"), QStringLiteral("t"), 1);
                    if (auto *e = std::get_if<StoreError>(&m))
                        return *e;
                    out.insert(room, std::get<StoredMessage>(m).seq);
                }
                return out;
            },
            &context, [&result](StoreResult<Seqs> r) { result = std::move(r); });
        // The batch holds room one and waits for room two; now take room one: a deadlock.
        QVERIFY(waitForLockWaiters(m_store, 1));
        QVERIFY(sql(m_store,
                    QStringLiteral("UPDATE rooms SET last_seq = last_seq WHERE id=%1").arg(r1)));
        QVERIFY(m_store.commit());
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 15000);
        QVERIFY(std::holds_alternative<Seqs>(*result));
        QCOMPARE(std::get<Seqs>(*result).value(r1), 1);
        QCOMPARE(std::get<Seqs>(*result).value(r2), 1);
        QCOMPARE(db.retries(), 1);
        QVERIFY(db.writable());
        db.close();
        QCOMPARE(Store::integrityCheck(m_settings), QStringLiteral("ok"));
    }

    void databaseReconnectsAfterTheConnectionDies()
    {
        if (!m_store.isPostgres())
            QSKIP("PostgreSQL only");
        const qint64 u = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 r = std::get<qint64>(
            m_store.createRoom(QStringLiteral("general"), {}, QStringLiteral("public")));
        Database db;
        QCOMPARE(db.open(m_settings), QString());
        auto send = [&](const QString &clientId) {
            const auto m = db.runSync<StoredMessage>(
                [=](Store &st) { return st.storeMessage(r, u, clientId, QStringLiteral("t"), 1); });
            return std::holds_alternative<StoredMessage>(m) ? std::get<StoredMessage>(m).seq : 0;
        };
        QCOMPARE(send(QStringLiteral("a")), 1);
        // an administrator (or a failover) ends the storage thread's session
        QVERIFY(sql(m_store, QStringLiteral(
                                 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                 " WHERE datname=current_database() AND pid <> pg_backend_pid()")));
        QCOMPARE(send(QStringLiteral("b")), 2);
        QCOMPARE(send(QStringLiteral("a")), 1); // still deduplicated
        db.close();
    }

private:
    qint64 user(const char *name)
    {
        return std::get<qint64>(m_store.createUser(QString::fromLatin1(name), {}, {}));
    }
    static QStringList names(std::initializer_list<const char *> list)
    {
        QStringList out;
        for (const char *n : list)
            out << QString::fromLatin1(n);
        return out;
    }
    void group(const char *name, std::initializer_list<const char *> members)
    {
        std::get<qint64>(m_store.createGroup(QString::fromLatin1(name)));
        for (const QString &m : names(members))
            QVERIFY(!m_store.setGroupMember(QString::fromLatin1(name), m, true));
    }
    qint64 service()
    {
        return std::get<qint64>(m_store.createService(QStringLiteral("erp"), {}, {}));
    }
    static PublishRequest to(std::initializer_list<const char *> users,
                             std::initializer_list<const char *> groups)
    {
        PublishRequest req;
        req.to.users = names(users);
        req.to.groups = names(groups);
        req.title = QStringLiteral("t");
        return req;
    }
    PublishResult publish(qint64 svc, const PublishRequest &req)
    {
        auto r = m_store.publish(svc, req, 1);
        if (auto *e = std::get_if<StoreError>(&r))
            qWarning().noquote() << "publish:" << e->message;
        return std::get<PublishResult>(r);
    }
    qint64 rows(const QString &table)
    {
        return sqlValue(m_store, QStringLiteral("SELECT COUNT(*) FROM ") + table);
    }
    qint64 audienceOf(qint64 notification)
    {
        return sqlValue(m_store, QStringLiteral("SELECT COALESCE(audience_id, 0) FROM notifications"
                                                " WHERE id=%1")
                                     .arg(notification));
    }
    /** Rows in every table of the schema. */
    qint64 allRows()
    {
        QStringList tables;
        QSqlQuery q(m_store.connection());
        q.exec(m_store.isPostgres()
                   ? QStringLiteral("SELECT table_name FROM information_schema.tables"
                                    " WHERE table_schema='public'")
                   : QStringLiteral("SELECT name FROM sqlite_master WHERE type='table'"
                                    " AND name NOT LIKE 'sqlite_%'"));
        while (q.next())
            tables << q.value(0).toString();
        qint64 n = 0;
        for (const QString &t : std::as_const(tables))
            n += rows(t);
        return n;
    }
    /** SQLite: rows inserted, updated or deleted on this connection so far. */
    qint64 changes() { return sqlValue(m_store, QStringLiteral("SELECT total_changes()")); }

    StorageFixture m_fixture;
    StorageSettings m_settings;
    Store m_store;
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
