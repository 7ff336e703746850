// Store and Database on a real database: schema and migrations, sequences, dedup, inbox,
// actions, the webhook outbox, and (PostgreSQL) what several writers at once must not break.
// One suite, two backends: SQLite by default (label unit); HERALD_TEST_STORAGE=postgres under
// tests/cluster/with-postgres.sh runs every test again on PostgreSQL (label cluster).
#include "core/database.h"
#include "core/store.h"
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

} // namespace

class TestStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (const QString why = m_fixture.unavailable(); !why.isEmpty())
            QSKIP(qPrintable(why));
        qInfo("storage backend: %s", StorageFixture::backendName());
    }
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
            QCOMPARE(sqlValue(m_store, QStringLiteral("SELECT version FROM schema_version")), 2);
        else
            QCOMPARE(sqlValue(m_store, QStringLiteral("PRAGMA user_version")), 2);
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
        Recipients to;
        to.users = {QStringLiteral("alice")};
        const QJsonObject payload{{QStringLiteral("title"), QStringLiteral("t")}};
        for (int i = 1; i <= 3; ++i)
            QCOMPARE(std::get<PublishResult>(m_store.publish(svc, payload, to, 1000)).id, i);
        // Back to version 1 (no counters table). On SQLite the AUTOINCREMENT high-water mark
        // outlives a deleted row, and the counter must start past it.
        QVERIFY(sql(m_store, QStringLiteral("DROP TABLE counters")));
        if (m_store.isPostgres()) {
            QVERIFY(sql(m_store, QStringLiteral("UPDATE schema_version SET version=1")));
        } else {
            QVERIFY(sql(m_store, QStringLiteral("DELETE FROM inbox WHERE notif_id=3")));
            QVERIFY(sql(m_store, QStringLiteral("DELETE FROM notifications WHERE id=3")));
            QVERIFY(sql(m_store, QStringLiteral("PRAGMA user_version=1")));
        }
        m_store.close();
        QVERIFY(!m_store.open(m_settings));
        QCOMPARE(std::get<PublishResult>(m_store.publish(svc, payload, to, 1000)).id, 4);
        QCOMPARE(Store::integrityCheck(m_settings), QStringLiteral("ok"));
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
        Recipients to;
        to.users = {QStringLiteral("alice")};
        QJsonObject payload{{QStringLiteral("title"), QStringLiteral("t")}};
        QCOMPARE(std::get<PublishResult>(m_store.publish(svc, payload, to, 1)).id, 1);
        // rolled back: the id is handed out again
        QVERIFY(m_store.begin());
        QCOMPARE(std::get<PublishResult>(m_store.publish(svc, payload, to, 2)).id, 2);
        m_store.rollback();
        QCOMPARE(std::get<PublishResult>(m_store.publish(svc, payload, to, 3)).id, 2);
        // an unknown recipient fails the whole publish
        to.users << QStringLiteral("nobody");
        QVERIFY(std::holds_alternative<StoreError>(m_store.publish(svc, payload, to, 4)));
        to.users = {QStringLiteral("alice")};
        // idempotency key: the second publish is the first one
        payload.insert(QStringLiteral("idempotencyKey"), QStringLiteral("k1"));
        const auto first = std::get<PublishResult>(m_store.publish(svc, payload, to, 5));
        QCOMPARE(first.id, 3);
        const auto again = std::get<PublishResult>(m_store.publish(svc, payload, to, 6));
        QVERIFY(again.duplicate);
        QCOMPARE(again.id, 3);
        QCOMPARE(m_store.lastNotificationId(m_store.user(QStringLiteral("alice"))->id), 3);
        bool more = true;
        const QJsonArray list = m_store.notifications(m_store.user(QStringLiteral("alice"))->id, 0,
                                                      0, 10, false, 0, &more);
        QCOMPARE(list.size(), 3);
        QVERIFY(!more);
        QCOMPARE(list.first().toObject().value(QLatin1String("id")).toInteger(), 3); // newest first
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
        QCOMPARE(m_store.groups().first().toObject().value(QLatin1String("members")).toInt(), 1);
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
        const QJsonArray h = m_store.history(r, 0, 0, 10, &more);
        QCOMPARE(h.size(), 3);
        QCOMPARE(h[0].toObject().value(QLatin1String("text")).toString(), text);
        QCOMPARE(h[1].toObject().value(QLatin1String("text")).toString().size(), 3000);
        QCOMPARE(h[2].toObject().value(QLatin1String("text")).toString(),
                 QStringLiteral("a") +
                     (m_store.isPostgres() ? QChar(QChar::ReplacementCharacter) : QChar(0)) +
                     QStringLiteral("b"));
        QCOMPARE(m_store.userById(u)->display, QStringLiteral("Älice 'the' \"first\""));
        QCOMPARE(m_store.history(r, 3, 0, 1, &more)
                     .first()
                     .toObject()
                     .value(QLatin1String("seq"))
                     .toInt(),
                 2);
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
        Recipients to;
        to.users = {QStringLiteral("alice"), QStringLiteral("bob")};
        const QJsonObject payload{
            {QStringLiteral("title"), QStringLiteral("t")},
            {QStringLiteral("priority"), QStringLiteral("urgent")},
            {QStringLiteral("actions"),
             QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("ok")},
                                    {QStringLiteral("label"), QStringLiteral("OK")}}}}};
        const auto p = std::get<PublishResult>(m_store.publish(svc, payload, to, 1000));
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
        QCOMPARE(second.resolved.value(QStringLiteral("by")).toString(), QStringLiteral("bob"));
        QCOMPARE(std::get<StoreError>(m_store.act(a, p.id, QStringLiteral("nope"), 2002)).code,
                 QStringLiteral("bad_value"));
        QCOMPARE(m_store.notificationForService(p.id, svc)->value(QLatin1String("readBy")).toInt(),
                 2);
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
            db.run(
                [=](Store &st) {
                    auto m = st.storeMessage(r, u, QString::number(i), QStringLiteral("t"), i);
                    if (auto *e = std::get_if<StoreError>(&m))
                        return Database::error(*e);
                    return QJsonObject{{QStringLiteral("seq"), std::get<StoredMessage>(m).seq}};
                },
                &context,
                [&seqs](const QJsonObject &res) {
                    seqs << res.value(QLatin1String("seq")).toInteger();
                });
        // a failing job fails alone
        const QJsonObject bad = db.runSync([=](Store &st) {
            auto m = st.storeMessage(r + 1000, u, QStringLiteral("x"), QStringLiteral("t"), 1);
            return std::holds_alternative<StoreError>(m) ? Database::error(std::get<StoreError>(m))
                                                         : QJsonObject{};
        });
        QCOMPARE(bad.value(QLatin1String("error")).toString(), QStringLiteral("not_found"));
        QTRY_COMPARE(seqs.size(), 200);
        for (int i = 0; i < 200; ++i)
            QCOMPARE(seqs[i], i + 1);
        QVERIFY(db.batches() < 200); // grouped
        if (m_store.isPostgres()) {
            // A job that swallows a failed statement: PostgreSQL spoils its savepoint, and the
            // job's "success" must not be acknowledged.
            const QJsonObject r2 = db.runSync([](Store &st) {
                QSqlQuery q(st.connection());
                q.exec(QStringLiteral("SELECT * FROM no_such_table"));
                return QJsonObject{{QStringLiteral("ok"), true}};
            });
            QCOMPARE(r2.value(QLatin1String("error")).toString(), QStringLiteral("internal"));
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
                Recipients to;
                to.users = {QStringLiteral("alice")};
                for (int i = 0; i < Publishes; ++i) {
                    auto p = st.publish(
                        svc, QJsonObject{{QStringLiteral("title"), QStringLiteral("t")}}, to, 1);
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
        Recipients to;
        to.users = {QStringLiteral("alice")};
        const QJsonObject payload{{QStringLiteral("title"), QStringLiteral("t")},
                                  {QStringLiteral("idempotencyKey"), QStringLiteral("k")}};
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
        QCOMPARE(std::get<PublishResult>(m_store.publish(svc, payload, to, 1)).id, 1);
        PublishResult publishedB;
        std::thread publisherB([&] {
            Store st;
            if (auto e = st.open(m_settings)) {
                errorB = e->message;
                return;
            }
            const auto p = st.publish(svc, payload, to, 2);
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
        QCOMPARE(std::get<PublishResult>(
                     m_store.publish(
                         svc, QJsonObject{{QStringLiteral("title"), QStringLiteral("t")}}, to, 3))
                     .id,
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
        Recipients to;
        to.users = {QStringLiteral("alice"), QStringLiteral("bob")};
        const QJsonObject payload{
            {QStringLiteral("title"), QStringLiteral("t")},
            {QStringLiteral("actions"),
             QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("approve")}},
                        QJsonObject{{QStringLiteral("id"), QStringLiteral("reject")}}}}};
        const qint64 id = std::get<PublishResult>(m_store.publish(svc, payload, to, 1)).id;
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
        QCOMPARE(fromB.resolved.value(QLatin1String("action")).toString(),
                 QStringLiteral("approve"));
        QCOMPARE(fromB.resolved.value(QLatin1String("by")).toString(), QStringLiteral("alice"));
        QCOMPARE(m_store.dueWebhooks(100, 10).size(), 1); // one webhook, for the winner
    }

    void webhookRowsAreClaimedByOneNode()
    {
        if (!m_store.isPostgres())
            QSKIP("one server process on SQLite");
        const qint64 a = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 svc = std::get<qint64>(m_store.createService(
            QStringLiteral("erp"), QStringLiteral("http://127.0.0.1:9/h"), QStringLiteral("k")));
        Recipients to;
        to.users = {QStringLiteral("alice")};
        const QJsonObject payload{
            {QStringLiteral("title"), QStringLiteral("t")},
            {QStringLiteral("actions"),
             QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("ok")}}}}};
        for (int i = 0; i < 3; ++i) {
            const qint64 id = std::get<PublishResult>(m_store.publish(svc, payload, to, 1)).id;
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
        QJsonObject result;
        db.run(
            [=](Store &st) {
                QJsonObject out;
                for (qint64 room : {r1, r2}) {
                    auto m = st.storeMessage(room, u, QStringLiteral("c"), QStringLiteral("t"), 1);
                    if (auto *e = std::get_if<StoreError>(&m))
                        return Database::error(*e);
                    out.insert(QString::number(room), std::get<StoredMessage>(m).seq);
                }
                return out;
            },
            &context, [&result](const QJsonObject &r) { result = r; });
        // The batch holds room one and waits for room two; now take room one: a deadlock.
        QVERIFY(waitForLockWaiters(m_store, 1));
        QVERIFY(sql(m_store,
                    QStringLiteral("UPDATE rooms SET last_seq = last_seq WHERE id=%1").arg(r1)));
        QVERIFY(m_store.commit());
        QTRY_VERIFY_WITH_TIMEOUT(!result.isEmpty(), 15000);
        QCOMPARE(result.value(QLatin1String("error")).toString(), QString());
        QCOMPARE(result.value(QString::number(r1)).toInteger(), 1);
        QCOMPARE(result.value(QString::number(r2)).toInteger(), 1);
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
            return db.runSync([=](Store &st) {
                auto m = st.storeMessage(r, u, clientId, QStringLiteral("t"), 1);
                if (auto *e = std::get_if<StoreError>(&m))
                    return Database::error(*e);
                return QJsonObject{{QStringLiteral("seq"), std::get<StoredMessage>(m).seq}};
            });
        };
        QCOMPARE(send(QStringLiteral("a")).value(QLatin1String("seq")).toInteger(), 1);
        // an administrator (or a failover) ends the storage thread's session
        QVERIFY(sql(m_store, QStringLiteral(
                                 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                 " WHERE datname=current_database() AND pid <> pg_backend_pid()")));
        QCOMPARE(send(QStringLiteral("b")).value(QLatin1String("seq")).toInteger(), 2);
        QCOMPARE(send(QStringLiteral("a")).value(QLatin1String("seq")).toInteger(),
                 1); // still deduplicated
        db.close();
    }

private:
    StorageFixture m_fixture;
    StorageSettings m_settings;
    Store m_store;
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
