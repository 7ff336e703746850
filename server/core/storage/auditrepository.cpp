// The audit trail of notifications (schema version 8). See auditrepository.h.
#include "auditrepository.h"

#include "sqlconnection.h"

#include <herald/protocol.h>

namespace herald {

using sql::err;

namespace {

const char *kindName(AuditRepository::Actor a)
{
    switch (a) {
    case AuditRepository::Actor::Service:
        return "service";
    case AuditRepository::Actor::User:
        return "user";
    case AuditRepository::Actor::System:
        break;
    }
    return "system";
}

/** @brief The SQL of the actor's name: looked up by id, so the record keeps the name it had. */
QString actorSql(AuditRepository::Actor a, bool postgres)
{
    switch (a) {
    case AuditRepository::Actor::Service:
        return QStringLiteral("COALESCE((SELECT name FROM services WHERE id=?), '')");
    case AuditRepository::Actor::User:
        return QStringLiteral("COALESCE((SELECT name FROM users WHERE id=?), '')");
    case AuditRepository::Actor::System:
        break;
    }
    return postgres ? QStringLiteral("CAST(? AS TEXT)") : QStringLiteral("?");
}

QVariant actorValue(AuditRepository::Actor a, qint64 actorId)
{
    return a == AuditRepository::Actor::System ? QVariant(QStringLiteral("herald"))
                                               : QVariant(actorId);
}

} // namespace

std::optional<StoreError> AuditRepository::record(SqlConnection &db, qint64 notifId, qint64 at,
                                                  const char *event, Actor actor, qint64 actorId,
                                                  qint64 device, const QString &detail)
{
    auto stmt = db.statement(
        QStringLiteral("INSERT INTO audit(notif_id, at, event, actor_kind, actor, device, detail)"
                       " VALUES(?, ?, ?, ?, ") +
        actorSql(actor, false) + QStringLiteral(", ?, ?)"));
    QSqlQuery &q = stmt;
    q.addBindValue(notifId);
    q.addBindValue(at);
    q.addBindValue(QString::fromLatin1(event));
    q.addBindValue(QString::fromLatin1(kindName(actor)));
    q.addBindValue(actorValue(actor, actorId));
    q.addBindValue(sql::idOrNull(device));
    q.addBindValue(detail.isNull() ? QStringLiteral("") : detail.left(1000));
    if (!db.exec(q))
        return sql::error(q);
    return {};
}

std::optional<StoreError> AuditRepository::recordEach(SqlConnection &db, const QList<qint64> &ids,
                                                      qint64 at, const char *event, Actor actor,
                                                      qint64 actorId, qint64 device)
{
    if (ids.isEmpty())
        return {};
    const bool pg = db.isPostgres();
    // json_each / json_array_elements_text name their column `value` on both backends.
    auto stmt = db.statement(
        QStringLiteral("INSERT INTO audit(notif_id, at, event, actor_kind, actor, device, detail)"
                       " SELECT ") +
        (pg ? QStringLiteral("CAST(value AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT),"
                             " CAST(? AS TEXT), ")
            : QStringLiteral("value, ?, ?, ?, ")) +
        actorSql(actor, pg) +
        (pg ? QStringLiteral(", CAST(? AS BIGINT), '' FROM json_array_elements_text(CAST(? AS "
                             "json))")
            : QStringLiteral(", ?, '' FROM json_each(?)")));
    QSqlQuery &q = stmt;
    q.addBindValue(at);
    q.addBindValue(QString::fromLatin1(event));
    q.addBindValue(QString::fromLatin1(kindName(actor)));
    q.addBindValue(actorValue(actor, actorId));
    q.addBindValue(sql::idOrNull(device));
    q.addBindValue(sql::idsJson(ids));
    if (!db.exec(q))
        return sql::error(q);
    return {};
}

bool AuditRepository::purged(SqlConnection &db, qint64 id)
{
    auto stmt = db.statement("SELECT 1 FROM audit WHERE notif_id=? AND event='purged' LIMIT 1");
    QSqlQuery &q = stmt;
    q.addBindValue(id);
    return db.exec(q) && q.next();
}

StoreError AuditRepository::missing(SqlConnection &db, qint64 id)
{
    if (purged(db, id))
        return StoreError{QString::fromLatin1(proto::Err::Gone),
                          QStringLiteral("notification %1 was removed by retention").arg(id),
                          QStringLiteral("id")};
    return StoreError{QString::fromLatin1(proto::Err::NotFound),
                      QStringLiteral("no notification %1").arg(id), QStringLiteral("id")};
}

std::variant<AuditPage, StoreError> AuditRepository::trail(qint64 serviceId, qint64 id,
                                                           qint64 afterId, int limit)
{
    // The owner: from the notification, or (purged) from the service its published record names.
    auto nStmt = m_db.statement(
        "SELECT n.service_id FROM notifications n WHERE n.id=? UNION ALL SELECT s.id FROM audit a"
        " JOIN services s ON s.name=a.actor WHERE a.notif_id=? AND a.event='published'"
        " AND a.actor_kind='service' AND NOT EXISTS (SELECT 1 FROM notifications n2"
        " WHERE n2.id=?)");
    QSqlQuery &n = nStmt;
    n.addBindValue(id);
    n.addBindValue(id);
    n.addBindValue(id);
    if (!m_db.exec(n))
        return sql::error(n);
    if (!n.next())
        return err(proto::Err::NotFound, QStringLiteral("no notification %1").arg(id),
                   QStringLiteral("id"));
    const qint64 owner = n.value(0).toLongLong();
    n.finish();
    if (serviceId != 0 && owner != serviceId)
        return err(proto::Err::Forbidden,
                   QStringLiteral("notification %1 was published by another service").arg(id),
                   QStringLiteral("id"));
    auto qStmt = m_db.statement("SELECT id, at, event, actor_kind, actor, device, detail FROM audit"
                                " WHERE notif_id=? AND id > ? ORDER BY id LIMIT ?");
    QSqlQuery &q = qStmt;
    q.addBindValue(id);
    q.addBindValue(afterId);
    q.addBindValue(limit + 1);
    if (!m_db.exec(q))
        return sql::error(q);
    AuditPage page;
    while (q.next()) {
        if (page.rows.size() == limit) {
            page.next = page.rows.last().id;
            break;
        }
        AuditRow r;
        r.id = q.value(0).toLongLong();
        r.notificationId = id;
        r.at = q.value(1).toLongLong();
        r.event = q.value(2).toString();
        r.actorKind = q.value(3).toString();
        r.actor = q.value(4).toString();
        r.device = q.value(5).toLongLong();
        r.detail = q.value(6).toString();
        page.rows << r;
    }
    return page;
}

std::variant<int, StoreError> AuditRepository::noteExpired(qint64 now, int limit)
{
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    // The flag is flipped by one writer: a second node's UPDATE finds it set (PostgreSQL
    // re-checks the condition after the first commits) and notes nothing twice.
    auto qStmt = m_db.statement(
        m_db.isPostgres()
            ? "UPDATE notifications SET expiry_noted=1 WHERE id IN (SELECT id FROM notifications"
              " WHERE expiry_noted=0 AND expires_at IS NOT NULL AND expires_at <= ?"
              " ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED) AND expiry_noted=0"
              " RETURNING id, expires_at"
            : "UPDATE notifications SET expiry_noted=1 WHERE id IN (SELECT id FROM notifications"
              " WHERE expiry_noted=0 AND expires_at IS NOT NULL AND expires_at <= ?"
              " ORDER BY expires_at LIMIT ?) AND expiry_noted=0 RETURNING id, expires_at");
    QSqlQuery &q = qStmt;
    q.addBindValue(now);
    q.addBindValue(limit);
    if (!m_db.exec(q))
        return sql::error(q);
    QList<std::pair<qint64, qint64>> noted;
    while (q.next())
        noted.append({q.value(0).toLongLong(), q.value(1).toLongLong()});
    q.finish();
    for (const auto &[id, at] : std::as_const(noted))
        if (auto e = record(m_db, id, at, "expired", Actor::System, 0))
            return *e;
    if (!tx.commit())
        return sql::error(tx.error());
    return static_cast<int>(noted.size());
}

} // namespace herald
