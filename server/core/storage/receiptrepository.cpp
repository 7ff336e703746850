// Per-person receipts (schema version 7): acknowledgements from devices, the receipts page of
// the publishing service, and the receipt webhooks. See receiptrepository.h.
#include "receiptrepository.h"

#include "audiences.h"
#include "auditrepository.h"
#include "sqlconnection.h"

#include <herald/protocol.h>

#include <algorithm>

namespace herald {

using sql::err;

namespace {

/** @brief `%,state,%`: matches a comma-separated webhook_events list that names state. */
QString subscribedPattern(const QString &state)
{
    return QStringLiteral("%,") + state + QStringLiteral(",%");
}

} // namespace

bool ReceiptRepository::anySubscribed(SqlConnection &db, const QString &state)
{
    auto qStmt = db.statement("SELECT 1 FROM services WHERE COALESCE(webhook_url, '') <> ''"
                              " AND (',' || webhook_events || ',') LIKE ? LIMIT 1");
    QSqlQuery &q = qStmt;
    q.addBindValue(subscribedPattern(state));
    return db.exec(q) && q.next();
}

std::optional<StoreError> ReceiptRepository::queueEvents(SqlConnection &db, const QString &state,
                                                         qint64 userId, qint64 device,
                                                         const QList<qint64> &ids, qint64 now)
{
    if (ids.isEmpty())
        return {};
    const QString in = QString::fromLatin1(audiences::idsFromJson(db.isPostgres()));
    // One statement: the payload is made by the database, one outbox row per notification
    // whose service subscribed (none when no service did).
    const QString payload = QString::fromLatin1(
        db.isPostgres()
            ? "convert_to(CAST(json_build_object('event', CAST(? AS text), 'notification', n.id,"
              " 'idempotencyKey', n.idem_key, 'category', n.category, 'source',"
              " CAST(n.source AS json), 'user', u.name, 'device', CAST(? AS BIGINT), 'at',"
              " CAST(? AS BIGINT)) AS text), 'UTF8'), CAST(? AS BIGINT), CAST(? AS BIGINT), n.id"
            : "json_object('event', ?, 'notification', n.id, 'idempotencyKey', n.idem_key,"
              " 'category', n.category, 'source', json(n.source), 'user', u.name, 'device', ?,"
              " 'at', ?), ?, ?, n.id");
    auto qStmt =
        db.statement(QStringLiteral("INSERT INTO webhooks(service_id, payload, next_at, created_at,"
                                    " notif_id) SELECT n.service_id, ") +
                     payload +
                     QStringLiteral(" FROM notifications n JOIN services s ON s.id=n.service_id"
                                    " JOIN users u ON u.id=? WHERE n.id IN (") +
                     in +
                     QStringLiteral(") AND COALESCE(s.webhook_url, '') <> ''"
                                    " AND (',' || s.webhook_events || ',') LIKE ?"));
    QSqlQuery &q = qStmt;
    q.addBindValue(QString(QStringLiteral("notification.") + state));
    q.addBindValue(sql::idOrNull(device));
    q.addBindValue(now);
    q.addBindValue(now); // next_at
    q.addBindValue(now); // created_at: the age webhook_max_age_hours is judged by
    q.addBindValue(userId);
    q.addBindValue(sql::idsJson(ids));
    q.addBindValue(subscribedPattern(state));
    if (!db.exec(q))
        return sql::error(q);
    return {};
}

std::variant<QList<qint64>, StoreError> ReceiptRepository::acknowledge(qint64 userId, qint64 device,
                                                                       const QList<qint64> &ids,
                                                                       const QString &state,
                                                                       qint64 now)
{
    QList<qint64> changed;
    const bool seen = state == QLatin1String("seen");
    if (!seen && state != QLatin1String("delivered"))
        return err(proto::Err::BadValue,
                   QStringLiteral("state must be delivered or seen, not '%1'").arg(state),
                   QStringLiteral("state"));
    if (ids.isEmpty())
        return changed;
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    const QString in = QString::fromLatin1(audiences::idsFromJson(m_db.isPostgres()));
    // Column names from the two fixed states, never from the request.
    const QString at = seen ? QStringLiteral("seen_at") : QStringLiteral("delivered_at");
    const QString dev = seen ? QStringLiteral("seen_device") : QStringLiteral("delivered_device");
    auto qStmt = m_db.statement(
        QStringLiteral("INSERT INTO receipts(notif_id, user_id, ") + at + QStringLiteral(", ") +
        dev +
        (m_db.isPostgres()
             ? QStringLiteral(") SELECT n.id, CAST(? AS BIGINT), CAST(? AS BIGINT),"
                              " CAST(? AS BIGINT) FROM notifications n WHERE n.id IN (")
             : QStringLiteral(") SELECT n.id, ?, ?, ? FROM notifications n WHERE n.id IN (")) +
        in +
        QStringLiteral(") AND (EXISTS (SELECT 1 FROM inbox i WHERE i.user_id=? AND"
                       " i.notif_id=n.id) OR EXISTS (SELECT 1 FROM audience_members am WHERE"
                       " am.audience_id=n.audience_id AND am.user_id=?))"
                       " ON CONFLICT(notif_id, user_id) DO UPDATE SET ") +
        at + QStringLiteral("=excluded.") + at + QStringLiteral(", ") + dev +
        QStringLiteral("=excluded.") + dev + QStringLiteral(" WHERE receipts.") + at +
        QStringLiteral(" IS NULL RETURNING notif_id"));
    QSqlQuery &q = qStmt;
    q.addBindValue(userId);
    q.addBindValue(now);
    q.addBindValue(sql::idOrNull(device));
    q.addBindValue(sql::idsJson(ids));
    q.addBindValue(userId);
    q.addBindValue(userId);
    if (!m_db.exec(q))
        return sql::error(q);
    while (q.next())
        changed << q.value(0).toLongLong();
    q.finish();
    std::sort(changed.begin(), changed.end());
    if (auto e = AuditRepository::recordEach(m_db, changed, now, seen ? "seen" : "delivered",
                                             AuditRepository::Actor::User, userId, device))
        return *e;
    if (auto e = queueEvents(m_db, state, userId, device, changed, now))
        return *e;
    if (!tx.commit())
        return sql::error(tx.error());
    return changed;
}

std::variant<ReceiptPage, StoreError> ReceiptRepository::receipts(qint64 serviceId, qint64 id,
                                                                  qint64 afterUser, int limit)
{
    auto nStmt = m_db.statement("SELECT service_id, resolved_action, resolved_by, resolved_at,"
                                " resolved_device FROM notifications WHERE id=?");
    QSqlQuery &n = nStmt;
    n.addBindValue(id);
    if (!m_db.exec(n))
        return sql::error(n);
    if (!n.next()) {
        n.finish();
        return AuditRepository::missing(m_db, id);
    }
    if (n.value(0).toLongLong() != serviceId)
        return err(proto::Err::Forbidden,
                   QStringLiteral("notification %1 was published by another service").arg(id),
                   QStringLiteral("id"));
    // A person's action (not a resolution by the source, which has an empty action).
    const QString action = n.value(1).toString();
    const QString actedBy = action.isEmpty() ? QString() : n.value(2).toString();
    const qint64 actedAt = n.value(3).toLongLong();
    const qint64 actedDevice = n.value(4).toLongLong();
    n.finish();
    // Every recipient once: the personal rows along inbox_by_notif and the audience's members
    // along its primary key, each from `afterUser` on, the first `limit` of both by user id.
    auto qStmt = m_db.statement(
        "SELECT x.uid, u.name, u.display, x.rd, x.aud, COALESCE(rm.read_upto, 0),"
        " r.delivered_at, r.delivered_device, r.seen_at, r.seen_device FROM ("
        "SELECT * FROM (SELECT i.user_id AS uid, i.read_at AS rd, 0 AS aud FROM inbox i"
        " WHERE i.notif_id=? AND i.user_id > ? ORDER BY i.user_id LIMIT ?) AS p"
        " UNION ALL SELECT * FROM (SELECT am.user_id AS uid, ar.read_at AS rd, 1 AS aud"
        " FROM notifications an JOIN audience_members am ON am.audience_id=an.audience_id"
        " LEFT JOIN audience_reads ar ON ar.user_id=am.user_id AND ar.notif_id=an.id"
        " WHERE an.id=? AND am.user_id > ? ORDER BY am.user_id LIMIT ?) AS g) x"
        " JOIN users u ON u.id=x.uid LEFT JOIN read_marks rm ON rm.user_id=x.uid"
        " LEFT JOIN receipts r ON r.notif_id=? AND r.user_id=x.uid ORDER BY x.uid LIMIT ?");
    QSqlQuery &q = qStmt;
    q.addBindValue(id);
    q.addBindValue(afterUser);
    q.addBindValue(limit + 1);
    q.addBindValue(id);
    q.addBindValue(afterUser);
    q.addBindValue(limit + 1);
    q.addBindValue(id);
    q.addBindValue(limit + 1);
    if (!m_db.exec(q))
        return sql::error(q);
    ReceiptPage page;
    while (q.next()) {
        if (page.rows.size() == limit) {
            page.next = page.rows.last().userId;
            break;
        }
        ReceiptRow r;
        r.userId = q.value(0).toLongLong();
        r.user = q.value(1).toString();
        r.display = q.value(2).toString();
        if (!q.value(3).isNull())
            r.read = ReceiptRow::Stamp{q.value(3).toLongLong(), 0};
        else if (q.value(4).toInt() == 1 && q.value(5).toLongLong() >= id)
            r.read = ReceiptRow::Stamp{std::nullopt, 0}; // below the watermark: no time kept
        if (!q.value(6).isNull())
            r.delivered = ReceiptRow::Stamp{q.value(6).toLongLong(), q.value(7).toLongLong()};
        if (!q.value(8).isNull())
            r.seen = ReceiptRow::Stamp{q.value(8).toLongLong(), q.value(9).toLongLong()};
        if (!actedBy.isEmpty() && r.user == actedBy) {
            r.acted = ReceiptRow::Stamp{actedAt, actedDevice};
            r.action = action;
        }
        page.rows << r;
    }
    return page;
}

} // namespace herald
