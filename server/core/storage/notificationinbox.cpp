// The notification repository's inbox side: lists, counts, cursors and reads (publishing and
// actions are in notificationrepository.cpp).
#include "notificationrepository.h"

#include "audiences.h"
#include "auditrepository.h"
#include "notificationsql.h"
#include "receiptrepository.h"
#include "sqlconnection.h"

#include <herald/protocol.h>

#include <algorithm>
#include <iterator>
#include <limits>

namespace herald {

using sql::err;
using namespace notificationsql;

// ------------------------------------------------------------------ inboxes
//
// A person's notifications are their inbox rows plus the notifications of every audience they
// are a member of (never both for one notification). An audience notification is read when its
// id is at most the person's watermark, or it is in their read set.

qint64 NotificationRepository::readMark(qint64 userId)
{
    auto qStmt = m_db.statement("SELECT read_upto FROM read_marks WHERE user_id=?");
    QSqlQuery &q = qStmt;
    q.addBindValue(userId);
    if (m_db.exec(q) && q.next())
        return q.value(0).toLongLong();
    return 0;
}

std::variant<qint64, StoreError> NotificationRepository::lockReadMark(qint64 userId)
{
    // An upsert that changes nothing: it takes the row's lock (PostgreSQL: a second device's
    // read on another node waits here until this one commits, then sees what it did) and
    // returns the watermark as of then.
    auto qStmt = m_db.statement(
        "INSERT INTO read_marks(user_id, read_upto) VALUES(?, 0) ON CONFLICT(user_id)"
        " DO UPDATE SET read_upto = read_marks.read_upto RETURNING read_upto");
    QSqlQuery &q = qStmt;
    q.addBindValue(userId);
    if (!m_db.exec(q) || !q.next())
        return sql::error(q);
    return q.value(0).toLongLong();
}

QList<NotificationRow> NotificationRepository::notifications(qint64 userId, qint64 before,
                                                             qint64 after, int limit,
                                                             bool unreadOnly, qint64 now,
                                                             bool *hasMore, bool oldestFirst)
{
    const qint64 upto = readMark(userId);
    const qint64 below = before > 0 ? before : std::numeric_limits<qint64>::max();
    const qint64 above = std::max<qint64>(after, 0);
    const QString order = oldestFirst || (after > 0 && before <= 0)
                              ? QStringLiteral(" ASC LIMIT ?")
                              : QStringLiteral(" DESC LIMIT ?");
    // Each part brings at most one page in the page's order (the personal rows along their
    // primary key, the audience notifications along notifications_by_audience, which holds the
    // expiry too), and the page is the first of both.
    auto qStmt = m_db.statement(
        QString::fromLatin1(NotifCols) +
        QStringLiteral(
            ", CASE WHEN x.rd IS NOT NULL THEN x.rd WHEN x.nid <= ? OR EXISTS (SELECT 1 FROM"
            " audience_reads r WHERE r.user_id=? AND r.notif_id=x.nid) THEN 1 ELSE 0 END"
            " FROM (SELECT * FROM ("
            "SELECT i.notif_id AS nid, CASE WHEN i.read_at IS NULL THEN 0 ELSE 1 END AS rd"
            " FROM inbox i JOIN notifications pn ON pn.id=i.notif_id"
            " WHERE i.user_id=? AND i.notif_id < ? AND i.notif_id > ?"
            " AND (pn.expires_at IS NULL OR pn.expires_at > ?)") +
        (unreadOnly ? QStringLiteral(" AND i.read_at IS NULL") : QString()) +
        QStringLiteral(" ORDER BY i.notif_id") + order +
        QStringLiteral(") AS p UNION ALL SELECT * FROM ("
                       "SELECT a.id AS nid, CAST(NULL AS INTEGER) AS rd FROM audience_members am "
                       "JOIN notifications a ON a.audience_id=am.audience_id"
                       " WHERE am.user_id=? AND a.id < ? AND a.id > ?"
                       " AND (a.expires_at IS NULL OR a.expires_at > ?)") +
        (unreadOnly ? QStringLiteral(" AND NOT EXISTS (SELECT 1 FROM audience_reads r"
                                     " WHERE r.user_id=? AND r.notif_id=a.id)")
                    : QString()) +
        QStringLiteral(" ORDER BY a.id") + order +
        QStringLiteral(") AS g) x JOIN notifications n ON n.id=x.nid"
                       " JOIN services s ON s.id=n.service_id ORDER BY x.nid") +
        order);
    QSqlQuery &q = qStmt;
    q.addBindValue(upto);
    q.addBindValue(userId);
    q.addBindValue(userId);
    q.addBindValue(below);
    q.addBindValue(above);
    q.addBindValue(now);
    q.addBindValue(limit + 1);
    q.addBindValue(userId);
    q.addBindValue(below);
    q.addBindValue(unreadOnly ? std::max(above, upto) : above); // unread: above the watermark
    q.addBindValue(now);
    if (unreadOnly)
        q.addBindValue(userId);
    q.addBindValue(limit + 1);
    q.addBindValue(limit + 1);
    m_db.exec(q);
    QList<NotificationRow> out;
    while (q.next()) {
        if (out.size() == limit) {
            if (hasMore)
                *hasMore = true;
            return out;
        }
        NotificationRow n = readNotification(q);
        n.read = q.value(NotifColumns).toInt() != 0;
        out << n;
    }
    if (hasMore)
        *hasMore = false;
    return out;
}

QHash<qint64, QList<NotificationRow>>
NotificationRepository::notificationsSince(qint64 after, const QSet<qint64> &users, qint64 now,
                                           int limitPerUser, qint64 upTo)
{
    QHash<qint64, QList<NotificationRow>> out;
    if (users.isEmpty())
        return out;
    const QString in = QString::fromLatin1(audiences::idsFromJson(m_db.isPostgres()));
    const QString who = sql::idsJson(QList<qint64>(users.begin(), users.end()));
    // By notification id: the personal rows (inbox_by_notif) and the audience notifications
    // (the primary key) since `after`, for these people.
    auto qStmt = m_db.statement(
        QString::fromLatin1(NotifCols) +
        QStringLiteral(
            ", x.rd, x.uid FROM ("
            "SELECT i.notif_id AS nid, i.user_id AS uid,"
            " CASE WHEN i.read_at IS NULL THEN 0 ELSE 1 END AS rd"
            " FROM inbox i WHERE i.notif_id > ? AND i.notif_id <= ? AND i.user_id IN (") +
        in +
        QStringLiteral(
            ") UNION ALL SELECT a.id, am.user_id, CASE WHEN a.id <= COALESCE(rm.read_upto, 0)"
            " OR EXISTS (SELECT 1 FROM audience_reads r WHERE r.user_id=am.user_id"
            " AND r.notif_id=a.id) THEN 1 ELSE 0 END"
            " FROM notifications a JOIN audience_members am ON am.audience_id=a.audience_id"
            " LEFT JOIN read_marks rm ON rm.user_id=am.user_id"
            " WHERE a.id > ? AND a.id <= ? AND a.audience_id IS NOT NULL AND am.user_id IN (") +
        in +
        QStringLiteral(")) x JOIN notifications n ON n.id=x.nid"
                       " JOIN services s ON s.id=n.service_id"
                       " WHERE n.expires_at IS NULL OR n.expires_at > ?"
                       " ORDER BY x.nid ASC"));
    QSqlQuery &q = qStmt;
    q.addBindValue(std::max<qint64>(after, 0));
    q.addBindValue(upTo);
    q.addBindValue(who);
    q.addBindValue(std::max<qint64>(after, 0));
    q.addBindValue(upTo);
    q.addBindValue(who);
    q.addBindValue(now);
    m_db.exec(q);
    while (q.next()) {
        const qint64 user = q.value(NotifColumns + 1).toLongLong();
        QList<NotificationRow> &rows = out[user];
        if (rows.size() >= limitPerUser)
            continue;
        NotificationRow n = readNotification(q);
        n.read = q.value(NotifColumns).toInt() != 0;
        rows << n;
    }
    return out;
}

qint64 NotificationRepository::unreadCount(qint64 userId, qint64 now)
{
    auto qStmt = m_db.statement(
        "SELECT (SELECT COUNT(*) FROM inbox i JOIN notifications n ON n.id=i.notif_id"
        " WHERE i.user_id=? AND i.read_at IS NULL"
        " AND (n.expires_at IS NULL OR n.expires_at > ?)),"
        " (SELECT COUNT(*) FROM audience_members am"
        " JOIN notifications n ON n.audience_id=am.audience_id"
        " WHERE am.user_id=? AND n.id > COALESCE((SELECT read_upto FROM read_marks"
        " WHERE user_id=?), 0) AND (n.expires_at IS NULL OR n.expires_at > ?)"
        " AND NOT EXISTS (SELECT 1 FROM audience_reads r WHERE r.user_id=? AND r.notif_id=n.id))");
    QSqlQuery &q = qStmt;
    q.addBindValue(userId);
    q.addBindValue(now);
    q.addBindValue(userId);
    q.addBindValue(userId);
    q.addBindValue(now);
    q.addBindValue(userId);
    qint64 n = 0;
    if (m_db.exec(q) && q.next())
        n = q.value(0).toLongLong() + q.value(1).toLongLong();
    return n;
}

QList<qint64> NotificationRepository::unreadInThread(qint64 userId, const QString &service,
                                                     const QString &threadKey, qint64 now)
{
    // The thread's notifications through notifications_by_thread, then whether this person got
    // each (a personal row or their audience) and has not read it yet.
    auto qStmt = m_db.statement(
        "SELECT n.id FROM services s JOIN notifications n ON n.service_id=s.id"
        " WHERE s.name=? AND n.thread_key=? AND (n.expires_at IS NULL OR n.expires_at > ?)"
        " AND (EXISTS (SELECT 1 FROM inbox i WHERE i.user_id=? AND i.notif_id=n.id"
        " AND i.read_at IS NULL) OR (n.id > COALESCE((SELECT read_upto FROM read_marks"
        " WHERE user_id=?), 0) AND EXISTS (SELECT 1 FROM audience_members am"
        " WHERE am.audience_id=n.audience_id AND am.user_id=?) AND NOT EXISTS (SELECT 1"
        " FROM audience_reads r WHERE r.user_id=? AND r.notif_id=n.id))) ORDER BY n.id");
    QSqlQuery &q = qStmt;
    q.addBindValue(service);
    q.addBindValue(threadKey);
    q.addBindValue(now);
    for (int i = 0; i < 4; ++i)
        q.addBindValue(userId);
    QList<qint64> ids;
    if (m_db.exec(q))
        while (q.next())
            ids << q.value(0).toLongLong();
    return ids;
}

qint64 NotificationRepository::lastNotificationId(qint64 userId)
{
    // The newest of each audience through notifications_by_audience, one index step each.
    auto qStmt = m_db.statement(
        "SELECT MAX(m) FROM (SELECT MAX(notif_id) AS m FROM inbox WHERE user_id=?"
        " UNION ALL SELECT (SELECT MAX(n.id) FROM notifications n"
        " WHERE n.audience_id=am.audience_id) FROM audience_members am WHERE am.user_id=?) x");
    QSqlQuery &q = qStmt;
    q.addBindValue(userId);
    q.addBindValue(userId);
    qint64 id = 0;
    if (m_db.exec(q) && q.next())
        id = q.value(0).toLongLong();
    return id;
}

qint64 NotificationRepository::maxNotificationId()
{
    auto qStmt = m_db.statement("SELECT MAX(id) FROM notifications");
    QSqlQuery &q = qStmt;
    if (m_db.exec(q) && q.next())
        return q.value(0).toLongLong();
    return 0;
}

QList<qint64> NotificationRepository::markRead(qint64 userId, const QList<qint64> &ids, qint64 now,
                                               qint64 device)
{
    QList<qint64> changed;
    const auto upto = lockReadMark(userId);
    if (std::holds_alternative<StoreError>(upto))
        return changed;
    const QString in = QString::fromLatin1(audiences::idsFromJson(m_db.isPostgres()));
    auto qStmt = m_db.statement(QStringLiteral("UPDATE inbox SET read_at=? WHERE user_id=?"
                                               " AND notif_id IN (") +
                                in + QStringLiteral(") AND read_at IS NULL RETURNING notif_id"));
    QSqlQuery &q = qStmt;
    q.addBindValue(now);
    q.addBindValue(userId);
    q.addBindValue(sql::idsJson(ids));
    m_db.exec(q);
    while (q.next())
        changed << q.value(0).toLongLong();
    q.finish();
    // Audience notifications above the watermark join the read set (once: the primary key).
    auto aStmt = m_db.statement(
        QString::fromLatin1(
            m_db.isPostgres()
                ? "INSERT INTO audience_reads(user_id, notif_id, read_at)"
                  " SELECT CAST(? AS BIGINT), n.id, CAST(? AS BIGINT) FROM notifications n"
                : "INSERT INTO audience_reads(user_id, notif_id, read_at)"
                  " SELECT ?, n.id, ? FROM notifications n") +
        QStringLiteral(" WHERE n.id IN (") + in +
        QStringLiteral(") AND n.id > ? AND n.audience_id IS NOT NULL AND EXISTS (SELECT 1 FROM"
                       " audience_members am WHERE am.audience_id=n.audience_id"
                       " AND am.user_id=?) ON CONFLICT DO NOTHING RETURNING notif_id"));
    QSqlQuery &a = aStmt;
    a.addBindValue(userId);
    a.addBindValue(now);
    a.addBindValue(sql::idsJson(ids));
    a.addBindValue(std::get<qint64>(upto));
    a.addBindValue(userId);
    m_db.exec(a);
    while (a.next())
        changed << a.value(0).toLongLong();
    a.finish();
    std::sort(changed.begin(), changed.end());
    AuditRepository::recordEach(m_db, changed, now, "read", AuditRepository::Actor::User, userId,
                                device);
    // The job's transaction holds the read and its webhooks together.
    ReceiptRepository::queueEvents(m_db, QStringLiteral("read"), userId, device, changed, now);
    return changed;
}

qint64 NotificationRepository::markAllRead(qint64 userId, qint64 now, qint64 device)
{
    const auto locked = lockReadMark(userId);
    if (std::holds_alternative<StoreError>(locked))
        return 0;
    const qint64 upto = std::get<qint64>(locked);
    // The ids are collected: each read gets its audit record (and its webhook, where a
    // service's webhook wants notification.read).
    QList<qint64> readIds;
    const auto queueRead = [&] {
        std::sort(readIds.begin(), readIds.end());
        AuditRepository::recordEach(m_db, readIds, now, "read", AuditRepository::Actor::User,
                                    userId, device);
        ReceiptRepository::queueEvents(m_db, QStringLiteral("read"), userId, device, readIds, now);
    };
    auto qStmt = m_db.statement(
        "UPDATE inbox SET read_at=? WHERE user_id=? AND read_at IS NULL RETURNING notif_id");
    QSqlQuery &q = qStmt;
    q.addBindValue(now);
    q.addBindValue(userId);
    m_db.exec(q);
    while (q.next())
        readIds << q.value(0).toLongLong();
    q.finish();
    // The watermark moves to the newest notification there is. Ids are handed out in commit
    // order (the counter row), so none at or below it can still commit later.
    const qint64 newest = maxNotificationId();
    if (newest <= upto) {
        queueRead();
        return readIds.size();
    }
    const char *const unreadAbove =
        " FROM audience_members am JOIN notifications n"
        " ON n.audience_id=am.audience_id WHERE am.user_id=? AND n.id > ? AND n.id <= ?"
        " AND NOT EXISTS (SELECT 1 FROM audience_reads r WHERE r.user_id=? AND r.notif_id=n.id)";
    auto countStmt =
        m_db.statement(QStringLiteral("SELECT n.id") + QString::fromLatin1(unreadAbove));
    QSqlQuery &count = countStmt;
    count.addBindValue(userId);
    count.addBindValue(upto);
    count.addBindValue(newest);
    count.addBindValue(userId);
    if (m_db.exec(count))
        while (count.next())
            readIds << count.value(0).toLongLong();
    count.finish();
    queueRead();
    const qint64 changed = readIds.size();
    auto markStmt = m_db.statement("UPDATE read_marks SET read_upto=? WHERE user_id=?");
    QSqlQuery &mark = markStmt;
    mark.addBindValue(newest);
    mark.addBindValue(userId);
    m_db.exec(mark);
    // The read set below the watermark says nothing the watermark does not.
    auto tidyStmt = m_db.statement("DELETE FROM audience_reads WHERE user_id=? AND notif_id <= ?");
    QSqlQuery &tidy = tidyStmt;
    tidy.addBindValue(userId);
    tidy.addBindValue(newest);
    m_db.exec(tidy);
    return changed;
}

} // namespace herald
