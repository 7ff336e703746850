// The webhook outbox of NotificationRepository: act() adds a row in the transaction that
// records the action; the server's Webhooks delivers them, with retries.
#include "auditrepository.h"
#include "notificationrepository.h"
#include "sqlconnection.h"

#include <herald/protocol.h>

#include <QJsonDocument>
#include <QJsonObject>

namespace herald {

// ------------------------------------------------------------------ webhook outbox

namespace {
constexpr qint64 WebhookLeaseMs = 60 * 1000; // well past Webhooks' 10 s transfer timeout
}

QList<WebhookRow> NotificationRepository::dueWebhooks(qint64 now, int limit)
{
    QList<WebhookRow> out;
    QSqlQuery q;
    if (m_db.isPostgres()) {
        // Several nodes poll the same outbox: each claims what it returns with a lease (next_at
        // moves past the delivery timeout), skipping rows another node is claiming right now.
        // webhookDone/webhookFailed then settle the row; a node that dies mid-delivery leaves
        // the row to be retried when the lease runs out.
        q = m_db.prepare(
            "UPDATE webhooks w SET next_at=? FROM services s WHERE s.id=w.service_id AND w.id IN"
            " (SELECT id FROM webhooks WHERE delivered_at IS NULL AND dead_at IS NULL"
            " AND next_at <= ? ORDER BY next_at LIMIT ? FOR UPDATE SKIP LOCKED)"
            " RETURNING w.id, s.webhook_url, s.webhook_secret, w.payload, w.attempts,"
            " w.created_at");
        q.addBindValue(now + WebhookLeaseMs);
    } else {
        q = m_db.prepare(
            "SELECT w.id, s.webhook_url, s.webhook_secret, w.payload, w.attempts, w.created_at"
            " FROM webhooks w JOIN services s ON s.id=w.service_id"
            " WHERE w.delivered_at IS NULL AND w.dead_at IS NULL AND w.next_at <= ?"
            " ORDER BY w.next_at LIMIT ?");
    }
    q.addBindValue(now);
    q.addBindValue(limit);
    m_db.exec(q);
    while (q.next())
        out << WebhookRow{q.value(0).toLongLong(),  q.value(1).toString(), q.value(2).toString(),
                          q.value(3).toByteArray(), q.value(4).toInt(),    q.value(5).toLongLong()};
    return out;
}

std::optional<StoreError> NotificationRepository::queueWebhook(qint64 serviceId, qint64 notifId,
                                                               const QJsonObject &payload,
                                                               qint64 now)
{
    auto wStmt = m_db.statement("INSERT INTO webhooks(service_id, payload, next_at, created_at,"
                                " notif_id) VALUES(?,?,?,?,?)");
    QSqlQuery &w = wStmt;
    w.addBindValue(serviceId);
    w.addBindValue(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    w.addBindValue(now); // next_at: due at once
    w.addBindValue(now); // created_at: the age webhook_max_age_hours is judged by
    w.addBindValue(notifId);
    if (!m_db.exec(w))
        return sql::error(w);
    return {};
}

void NotificationRepository::webhookDone(qint64 id, qint64 now)
{
    QSqlQuery q =
        m_db.prepare("UPDATE webhooks SET delivered_at=?, attempts=attempts+1 WHERE id=?");
    q.addBindValue(now);
    q.addBindValue(id);
    m_db.exec(q);
}

void NotificationRepository::webhookFailed(qint64 id, qint64 nextAt, const QString &error,
                                           bool dead)
{
    Atomic tx(m_db);
    const qint64 deadAt = sql::nowMs();
    QSqlQuery q = m_db.prepare("UPDATE webhooks SET next_at=?, attempts=attempts+1, last_error=?,"
                               " dead_at=? WHERE id=? RETURNING notif_id, payload");
    q.addBindValue(nextAt);
    q.addBindValue(error.left(500));
    q.addBindValue(dead ? QVariant(deadAt) : QVariant(QMetaType(QMetaType::LongLong)));
    q.addBindValue(id);
    if (!m_db.exec(q))
        return;
    if (dead && q.next() && !q.value(0).isNull()) {
        // The notification's audit trail says which event its service never got, and why.
        const qint64 notifId = q.value(0).toLongLong();
        const QString event = QJsonDocument::fromJson(q.value(1).toByteArray())
                                  .object()
                                  .value(QLatin1String("event"))
                                  .toString();
        q.finish();
        AuditRepository::record(
            m_db, notifId, deadAt, "undeliverable", AuditRepository::Actor::System, 0, 0,
            QStringLiteral("webhook %1 (%2): %3").arg(id).arg(event, error.left(300)));
    }
    q.finish();
    tx.commit();
}

QList<DeadWebhookRow> NotificationRepository::deadWebhooks(qint64 serviceId, int limit)
{
    QSqlQuery q = m_db.prepare(
        "SELECT w.id, s.name, w.payload, w.attempts, w.last_error, w.created_at, w.dead_at"
        " FROM webhooks w JOIN services s ON s.id=w.service_id"
        " WHERE w.dead_at IS NOT NULL AND w.delivered_at IS NULL AND (?=0 OR w.service_id=?)"
        " ORDER BY w.dead_at DESC, w.id DESC LIMIT ?");
    q.addBindValue(serviceId);
    q.addBindValue(serviceId);
    q.addBindValue(limit);
    QList<DeadWebhookRow> out;
    if (!m_db.exec(q))
        return out;
    while (q.next())
        out << DeadWebhookRow{q.value(0).toLongLong(),  q.value(1).toString(),
                              q.value(2).toByteArray(), q.value(3).toInt(),
                              q.value(4).toString(),    q.value(5).toLongLong(),
                              q.value(6).toLongLong()};
    return out;
}

std::optional<StoreError> NotificationRepository::retryWebhook(qint64 id, qint64 now)
{
    // Counted afresh (attempts 0, dated now), so it gets the whole retry schedule again.
    QSqlQuery q = m_db.prepare("UPDATE webhooks SET dead_at=NULL, attempts=0, next_at=?,"
                               " created_at=? WHERE id=? AND dead_at IS NOT NULL"
                               " AND delivered_at IS NULL");
    q.addBindValue(now);
    q.addBindValue(now);
    q.addBindValue(id);
    if (!m_db.exec(q))
        return sql::error(q);
    if (q.numRowsAffected() != 1)
        return sql::err(proto::Err::NotFound,
                        QStringLiteral("no webhook delivery %1 that gave up (see 'webhook "
                                       "failures')")
                            .arg(id),
                        QStringLiteral("id"));
    return {};
}

} // namespace herald
