// A database made by release 0.1 (schema version 2: one inbox row per recipient), opened by
// this server: it migrates in place, and every view of it is what release 0.1 showed.
//
// tests/server/data/v2/herald.db (SQLite) and herald.pg.sql (PostgreSQL, pg_dump --inserts)
// were made by make-fixture.sh with the release's heraldctl and herald-server: six people, three
// groups, personal, group, everyone and overlapping notifications, reads, a read-all, an action,
// an expiring one, an idempotency key, then membership changes and a disabled account.
//
// The test runs a fixed script of calls on it (publishes to the same groups, reads, read-all,
// actions, at fixed times) and records, before and after, everything Store shows: every
// person's list (each page, each filter, before and after expiry), counts, cursors, the cluster
// gap fill, the publishing service's view, the groups. expected.json / expected.pg.json hold
// that record as release 0.1's code produced it (HERALD_WRITE_EXPECTED=1 writes them); this
// code must produce it to the byte.
#include "core/store.h"
#include "core/wire.h"
#include "storagefixture.h"

#include <herald/protocol.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace herald;
using testkit::StorageFixture;

namespace {

const QString FixtureDir = QStringLiteral(HERALD_SOURCE_DIR "/tests/server/data/v2/");
constexpr qint64 FarFuture = 4102444800000; // 2100: every expiring notification has expired

qint64 sqlValue(const Store &st, const QString &text)
{
    QSqlQuery q(st.connection());
    if (!q.exec(text) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

class Recorder
{
public:
    explicit Recorder(Store &st)
        : m_st(st)
    {
        for (const UserRow &u : st.users()) {
            m_names.insert(u.id, u.name);
            m_ids << u.id;
        }
        for (const ServiceRow &s : st.services())
            if (s.name == QLatin1String("erp"))
                m_service = s.id;
    }

    QJsonArray names(QList<qint64> ids) const
    {
        std::sort(ids.begin(), ids.end());
        QJsonArray out;
        for (qint64 id : ids)
            out << m_names.value(id, QStringLiteral("#%1").arg(id));
        return out;
    }
    static QJsonArray ids(const QList<NotificationRow> &rows)
    {
        QJsonArray out;
        for (const NotificationRow &n : rows)
            out << QJsonValue(n.id);
        return out;
    }
    static QJsonArray ids(const QList<qint64> &list)
    {
        QJsonArray out;
        for (qint64 id : list)
            out << QJsonValue(id);
        return out;
    }

    QJsonObject page(qint64 user, qint64 before, qint64 after, int limit, bool unread, qint64 now,
                     bool oldestFirst = false)
    {
        bool more = false;
        const auto rows =
            m_st.notifications(user, before, after, limit, unread, now, &more, oldestFirst);
        return {{QStringLiteral("ids"), ids(rows)}, {QStringLiteral("hasMore"), more}};
    }

    /** Everything Store shows at these two times. */
    QJsonObject state(qint64 now, qint64 later)
    {
        QJsonObject users;
        for (qint64 u : std::as_const(m_ids)) {
            bool more = false;
            QJsonObject o{
                {QStringLiteral("unread"), m_st.unreadCount(u, now)},
                {QStringLiteral("unreadLater"), m_st.unreadCount(u, later)},
                {QStringLiteral("last"), m_st.lastNotificationId(u)},
                {QStringLiteral("list"),
                 wire::toJson(m_st.notifications(u, 0, 0, 100, false, now, &more))},
                {QStringLiteral("listLater"),
                 ids(m_st.notifications(u, 0, 0, 100, false, later, &more))},
                {QStringLiteral("unreadList"), page(u, 0, 0, 100, true, now)},
                {QStringLiteral("unreadListLater"), page(u, 0, 0, 100, true, later)},
                {QStringLiteral("first2"), page(u, 0, 0, 2, false, now)},
                {QStringLiteral("before5"), page(u, 5, 0, 2, false, now)},
                {QStringLiteral("after3"), page(u, 0, 3, 3, false, now)},
                {QStringLiteral("after3before9"), page(u, 9, 3, 10, false, now)},
                {QStringLiteral("after2unread"), page(u, 0, 2, 10, true, now)},
                {QStringLiteral("oldestFirst"), page(u, 0, 0, 3, false, now, true)},
                {QStringLiteral("oldestFirstAfter4"), page(u, 0, 4, 3, false, later, true)},
            };
            users.insert(m_names.value(u), o);
        }
        const QSet<qint64> everybody(m_ids.begin(), m_ids.end());
        auto since = [&](qint64 after, qint64 at, int limit, const QSet<qint64> &who) {
            QJsonObject out;
            const auto rows = m_st.notificationsSince(after, who, at, limit);
            for (auto it = rows.begin(); it != rows.end(); ++it) {
                QJsonArray list;
                for (const NotificationRow &n : it.value())
                    list << QJsonArray{n.id, n.read.value_or(false)};
                out.insert(m_names.value(it.key()), list);
            }
            return out;
        };
        QJsonArray service;
        const qint64 max = m_st.maxNotificationId();
        for (qint64 id = 0; id <= max + 1; ++id) {
            const auto n = m_st.notificationForService(id, m_service);
            service << (n ? QJsonValue(wire::toJson(*n)) : QJsonValue());
            if (m_st.notificationForService(id, m_service + 1000))
                service << QStringLiteral("seen by another service");
        }
        return {
            {QStringLiteral("users"), users},
            {QStringLiteral("since0"), since(0, now, 1000, everybody)},
            {QStringLiteral("since4limit2Later"), since(4, later, 2, everybody)},
            {QStringLiteral("since0someone"),
             since(0, now, 1000, {m_ids.value(1), m_ids.value(3)})},
            {QStringLiteral("service"), service},
            {QStringLiteral("max"), max},
            {QStringLiteral("groups"), wire::toJson(m_st.groups())},
        };
    }

    QJsonObject publish(const QJsonObject &body, qint64 now)
    {
        const auto parsed = PublishRequest::fromJson(body, now);
        if (const auto *e = std::get_if<ValidationError>(&parsed))
            return {{QStringLiteral("parseError"), e->code}};
        const auto r = m_st.publish(m_service, std::get<PublishRequest>(parsed), now);
        if (const auto *e = std::get_if<StoreError>(&r))
            return {{QStringLiteral("error"), e->code}, {QStringLiteral("message"), e->message}};
        const PublishResult &p = std::get<PublishResult>(r);
        QJsonObject o{
            {QStringLiteral("id"), p.id},
            {QStringLiteral("duplicate"), p.duplicate},
            {QStringLiteral("to"), names(p.userIds)},
            {QStringLiteral("sorted"), std::is_sorted(p.userIds.begin(), p.userIds.end())}};
        if (!p.duplicate)
            o.insert(QStringLiteral("notification"), wire::toJson(p.notification));
        return o;
    }

    QJsonObject act(const QString &who, qint64 id, const QString &action, qint64 now)
    {
        const auto r = m_st.act(m_st.user(who)->id, id, action, now);
        if (const auto *e = std::get_if<StoreError>(&r))
            return {{QStringLiteral("error"), e->code}, {QStringLiteral("message"), e->message}};
        const auto &a = std::get<ActionResult>(r);
        return {{QStringLiteral("won"), a.won},
                {QStringLiteral("resolved"), wire::toJson(a.resolved)},
                {QStringLiteral("tell"), names(a.recipientIds)}};
    }

    qint64 id(const QString &name) { return m_st.user(name)->id; }

private:
    Store &m_st;
    QHash<qint64, QString> m_names;
    QList<qint64> m_ids; // by name
    qint64 m_service = 0;
};

QJsonObject group(const QStringList &groups, const QString &title)
{
    return {{QStringLiteral("recipients"),
             QJsonObject{{QStringLiteral("groups"), QJsonArray::fromStringList(groups)}}},
            {QStringLiteral("title"), title}};
}

} // namespace

class TestInboxMigration : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { HERALD_REQUIRE_STORAGE(m_fixture); }

    void release01DatabaseShowsTheSameAfterMigration()
    {
        StorageSettings settings;
        QVERIFY(loadFixture(&settings));
        Store st;
        const auto e = st.open(settings);
        QVERIFY2(!e, e ? qPrintable(e->message) : "");
        QCOMPARE(Store::integrityCheck(settings), QStringLiteral("ok"));
        // When the fixture was made: after its last publish, before its expiring one expired.
        const qint64 t = sqlValue(st, QStringLiteral("SELECT MAX(created_at) FROM notifications"));
        QVERIFY(t > 0);
        Recorder rec(st);
        QJsonObject record;
        record.insert(QStringLiteral("migrated"), rec.state(t + 1, FarFuture));

        // The script: what people and publishers do next, at fixed times.
        QJsonArray steps;
        QJsonObject withActions = group({QStringLiteral("ops")}, QStringLiteral("after: ops"));
        withActions.insert(
            QStringLiteral("actions"),
            QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("approve")},
                                   {QStringLiteral("label"), QStringLiteral("Approve")}},
                       QJsonObject{{QStringLiteral("id"), QStringLiteral("reject")},
                                   {QStringLiteral("label"), QStringLiteral("Reject")}}});
        const QJsonObject p1 = rec.publish(withActions, t + 1000);
        const qint64 a1 = p1.value(QLatin1String("id")).toInteger();
        steps << p1;
        QJsonObject everyone{
            {QStringLiteral("recipients"), QJsonObject{{QStringLiteral("everyone"), true}}},
            {QStringLiteral("title"), QStringLiteral("after: everyone")}};
        const QJsonObject p2 = rec.publish(everyone, t + 1001);
        const qint64 a2 = p2.value(QLatin1String("id")).toInteger();
        steps << p2;
        QJsonObject overlap = group({QStringLiteral("sales"), QStringLiteral("ops")},
                                    QStringLiteral("after: named and groups"));
        overlap[QStringLiteral("recipients")] = QJsonObject{
            {QStringLiteral("users"),
             QJsonArray{QStringLiteral("carol"), QStringLiteral("alice"), QStringLiteral("erin")}},
            {QStringLiteral("groups"), QJsonArray{QStringLiteral("sales"), QStringLiteral("ops")}}};
        steps << rec.publish(overlap, t + 1002);
        QJsonObject again = group({QStringLiteral("sales")}, QStringLiteral("n6 once more"));
        again.insert(QStringLiteral("idempotencyKey"), QStringLiteral("k6"));
        steps << rec.publish(again, t + 1003);
        steps << rec.publish(group({QStringLiteral("empty")}, QStringLiteral("after: empty")),
                             t + 1004);
        QJsonObject expiring = group({QStringLiteral("ops")}, QStringLiteral("after: expiring"));
        expiring[QStringLiteral("recipients")] =
            QJsonObject{{QStringLiteral("users"), QJsonArray{QStringLiteral("frank")}},
                        {QStringLiteral("groups"), QJsonArray{QStringLiteral("ops")}}};
        expiring.insert(QStringLiteral("expiresAt"), static_cast<double>(t + 10000));
        steps << rec.publish(expiring, t + 1005);
        const QList<qint64> aliceReads{1, 2, 3, 8, 9, a1, a2, 999};
        steps << Recorder::ids(st.markRead(rec.id(QStringLiteral("alice")), aliceReads, t + 2000));
        steps << Recorder::ids(st.markRead(rec.id(QStringLiteral("alice")), aliceReads, t + 2001));
        steps << Recorder::ids(st.markRead(rec.id(QStringLiteral("dave")), {a2, 4, 9}, t + 2002));
        steps << st.markAllRead(rec.id(QStringLiteral("bob")), t + 2003);
        steps << st.markAllRead(rec.id(QStringLiteral("bob")), t + 2004);
        steps << st.unreadCount(rec.id(QStringLiteral("bob")), t + 2005);
        steps << rec.publish(group({QStringLiteral("ops")}, QStringLiteral("after read-all")),
                             t + 2006);
        steps << st.unreadCount(rec.id(QStringLiteral("bob")), t + 2007);
        steps << rec.act(QStringLiteral("dave"), 2, QStringLiteral("reject"), t + 3000);
        steps << rec.act(QStringLiteral("alice"), 1, QStringLiteral("approve"), t + 3001);
        steps << rec.act(QStringLiteral("alice"), a1, QStringLiteral("approve"), t + 3002);
        steps << rec.act(QStringLiteral("carol"), a1, QStringLiteral("nope"), t + 3003);
        steps << rec.act(QStringLiteral("carol"), a1, QStringLiteral("reject"), t + 3004);
        steps << rec.act(QStringLiteral("dave"), a1, QStringLiteral("approve"), t + 3005);
        steps << rec.act(QStringLiteral("frank"), 2, QStringLiteral("approve"), t + 3006);
        record.insert(QStringLiteral("script"), steps);
        record.insert(QStringLiteral("after"), rec.state(t + 4000, FarFuture));
        record.insert(QStringLiteral("webhooks"), st.dueWebhooks(FarFuture, 100).size());
        QCOMPARE(Store::integrityCheck(settings), QStringLiteral("ok"));
        // Stored the new way: the release's notifications keep their inbox rows (29), the new
        // ones to groups point to one audience per source (ops, everyone, sales+ops, empty),
        // and only people named outside their audience have rows (alice, frank).
        QCOMPARE(sqlValue(st, QStringLiteral("SELECT COUNT(*) FROM inbox WHERE notif_id <= 10")),
                 29);
        QCOMPARE(sqlValue(st, QStringLiteral("SELECT COUNT(*) FROM inbox WHERE notif_id > 10")), 2);
        QCOMPARE(sqlValue(st, QStringLiteral("SELECT COUNT(*) FROM audiences")), 4);
        QCOMPARE(sqlValue(st, QStringLiteral("SELECT COUNT(*) FROM notifications"
                                             " WHERE audience_id IS NOT NULL")),
                 6);

        compareWithRelease(record);
    }

private:
    QString expectedFile() const
    {
        return FixtureDir + (StorageFixture::postgres() ? QStringLiteral("expected.pg.json")
                                                        : QStringLiteral("expected.json"));
    }

    /** Fields release 0.1 did not have, left out where they hold nothing (threadKey: null). */
    static QJsonValue withoutNewEmptyFields(const QJsonValue &v)
    {
        if (v.isArray()) {
            QJsonArray out;
            for (const QJsonValue &item : v.toArray())
                out.append(withoutNewEmptyFields(item));
            return out;
        }
        if (!v.isObject())
            return v;
        QJsonObject out;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            if (!(it.key() == QLatin1String("threadKey") && it.value().isNull()))
                out.insert(it.key(), withoutNewEmptyFields(it.value()));
        return out;
    }

    void compareWithRelease(const QJsonObject &record)
    {
        const QByteArray actual =
            QJsonDocument(withoutNewEmptyFields(record).toObject()).toJson(QJsonDocument::Indented);
        QFile f(expectedFile());
        if (qEnvironmentVariableIntValue("HERALD_WRITE_EXPECTED")) {
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(actual);
            qInfo("wrote %s", qPrintable(f.fileName()));
            return;
        }
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
        const QList<QByteArray> want = f.readAll().split('\n');
        const QList<QByteArray> got = actual.split('\n');
        for (qsizetype i = 0; i < std::min(want.size(), got.size()); ++i)
            if (want[i] != got[i]) {
                QByteArray context;
                for (qsizetype j = std::max<qsizetype>(0, i - 12); j <= i; ++j)
                    context += got[j] + '\n';
                QFile out(QDir::temp().filePath(QStringLiteral("inbox-migration-actual.json")));
                if (out.open(QIODevice::WriteOnly | QIODevice::Truncate))
                    out.write(actual);
                QFAIL(qPrintable(QStringLiteral("line %1 differs from release 0.1 (all of it in "
                                                "%2):\n%3\nwanted: %4")
                                     .arg(i + 1)
                                     .arg(out.fileName(), QString::fromUtf8(context),
                                          QString::fromUtf8(want[i]))));
            }
        QCOMPARE(got.size(), want.size());
    }

    /** A copy of the release's database: the SQLite file in a directory of its own, or the
     *  PostgreSQL dump loaded into a fresh database. */
    bool loadFixture(StorageSettings *settings)
    {
        *settings = m_fixture.fresh();
        if (!StorageFixture::postgres()) {
            QFile::remove(settings->dataDir + QStringLiteral("/herald.db"));
            if (!QFile::copy(FixtureDir + QStringLiteral("herald.db"),
                             settings->dataDir + QStringLiteral("/herald.db")))
                return false;
            return QFile::setPermissions(settings->dataDir + QStringLiteral("/herald.db"),
                                         QFile::ReadOwner | QFile::WriteOwner);
        }
        return StorageFixture::runSqlFile(*settings, FixtureDir + QStringLiteral("herald.pg.sql"));
    }

    StorageFixture m_fixture;
};

QTEST_GUILESS_MAIN(TestInboxMigration)
#include "tst_inbox_migration.moc"
