// NotificationRepository, part 3: what a publishing service changes after the publish (update,
// resolve from the source, retract), and the change numbers a resuming device catches up with.
// See notificationrepository.h; the schema is version 4 (storage/schema.cpp).
#include "notificationrepository.h"

#include "auditrepository.h"
#include "core/publishrequest.h"
#include "notificationsql.h"
#include "servicerepository.h"
#include "sqlconnection.h"

#include <herald/protocol.h>

#include <QJsonDocument>

#include <algorithm>

namespace herald {

using namespace notificationsql;
using sql::err;

std::variant<qint64, StoreError> NotificationRepository::nextChange()
{
    QSqlQuery q =
        m_db.prepare("UPDATE counters SET v = v + 1 WHERE name='notification_changes' RETURNING v");
    if (!m_db.exec(q) || !q.next())
        return sql::error(q);
    const qint64 v = q.value(0).toLongLong();
    q.finish();
    return v;
}

qint64 NotificationRepository::lastChange()
{
    auto stmt = m_db.statement("SELECT v FROM counters WHERE name='notification_changes'");
    QSqlQuery &q = stmt;
    qint64 v = 0;
    if (m_db.exec(q) && q.next())
        v = q.value(0).toLongLong();
    return v;
}

std::variant<QList<qint64>, StoreError>
NotificationRepository::recipientsOf(qint64 id, qint64 audienceId, qint64 audienceToken)
{
    QList<qint64> out;
    auto recStmt = m_db.statement("SELECT user_id FROM inbox WHERE notif_id=?");
    QSqlQuery &rec = recStmt;
    rec.addBindValue(id);
    if (!m_db.exec(rec))
        return sql::error(rec);
    while (rec.next())
        out << rec.value(0).toLongLong();
    rec.finish();
    if (audienceId > 0) {
        auto a = audience(audienceId, audienceToken);
        if (auto *e = std::get_if<StoreError>(&a))
            return *e;
        out << std::get<Audience>(a).members;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::variant<NotificationRow, StoreError> NotificationRepository::notificationRow(qint64 id)
{
    auto stmt = m_db.statement(
        QString::fromLatin1(NotifCols) +
        QStringLiteral(" FROM notifications n JOIN services s ON s.id=n.service_id WHERE n.id=?"));
    QSqlQuery &n = stmt;
    n.addBindValue(id);
    if (!m_db.exec(n) || !n.next())
        return sql::error(n);
    return readNotification(n);
}

std::variant<NotificationChange, StoreError>
NotificationRepository::changeOf(qint64 id, qint64 audienceId, qint64 audienceToken)
{
    auto recipients = recipientsOf(id, audienceId, audienceToken);
    if (const StoreError *e = std::get_if<StoreError>(&recipients))
        return *e;
    auto row = notificationRow(id);
    if (const StoreError *e = std::get_if<StoreError>(&row))
        return *e;
    return NotificationChange{std::get<NotificationRow>(row), std::get<QList<qint64>>(recipients)};
}

std::variant<NotificationRepository::Claim, StoreError>
NotificationRepository::claim(qint64 serviceId, qint64 id)
{
    // The change number first: its row lock orders this change against every other change and
    // every action on any node, so the checks after it see what committed before.
    const auto change = nextChange();
    if (const StoreError *e = std::get_if<StoreError>(&change))
        return *e;
    auto qStmt = m_db.statement(
        "SELECT n.service_id, n.resolved_action, n.resolved_by, n.resolved_at, n.resolved_text,"
        " n.retracted_at, n.expires_at, n.audience_id, a.token FROM notifications n"
        " LEFT JOIN audiences a ON a.id=n.audience_id WHERE n.id=?");
    QSqlQuery &q = qStmt;
    q.addBindValue(id);
    if (!m_db.exec(q))
        return sql::error(q);
    if (!q.next()) {
        q.finish();
        return AuditRepository::missing(m_db, id);
    }
    Claim c;
    c.change = std::get<qint64>(change);
    Target &t = c.target;
    t.serviceId = q.value(0).toLongLong();
    if (t.serviceId != serviceId)
        return err(proto::Err::Forbidden,
                   QStringLiteral("notification %1 was published by another service").arg(id),
                   QStringLiteral("id"));
    t.resolved = !q.value(1).isNull();
    if (t.resolved)
        t.resolution = {q.value(1).toString(), q.value(2).toString(), q.value(3).toLongLong(),
                        q.value(4).toString()};
    t.retracted = !q.value(5).isNull();
    if (!q.value(6).isNull())
        t.expiresAt = q.value(6).toLongLong();
    t.audienceId = q.value(7).toLongLong();
    t.audienceToken = q.value(8).toLongLong();
    return c;
}

std::variant<NotificationChange, StoreError>
NotificationRepository::update(qint64 serviceId, qint64 id, const NotificationPatch &patch,
                               qint64 now)
{
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    auto claimed = claim(serviceId, id);
    if (const StoreError *e = std::get_if<StoreError>(&claimed))
        return *e;
    const auto &[change, t] = std::get<Claim>(claimed);
    if (t.retracted)
        return err(proto::Err::Conflict,
                   QStringLiteral("notification %1 was retracted; it cannot change").arg(id),
                   QStringLiteral("id"));
    if (t.expiresAt && *t.expiresAt <= now)
        return err(proto::Err::Conflict,
                   QStringLiteral("notification %1 has expired; it cannot change").arg(id),
                   QStringLiteral("id"));
    if (patch.resolved && t.resolved)
        return err(proto::Err::Conflict,
                   t.resolution.action.isEmpty()
                       ? QStringLiteral("already resolved by its source: %1").arg(t.resolution.text)
                       : QStringLiteral("already resolved: %1 by %2")
                             .arg(t.resolution.action, t.resolution.by),
                   QStringLiteral("resolved"));
    QStringList sets;
    QVariantList values;
    const auto set = [&](const char *column, const QVariant &v) {
        sets << QString::fromLatin1(column) + QStringLiteral("=?");
        values << v;
    };
    if (patch.title)
        set("title", *patch.title);
    if (patch.body)
        set("body", *patch.body);
    if (patch.priority)
        set("priority", *patch.priority);
    if (patch.link)
        set("link", *patch.link);
    if (patch.actions)
        set("actions", QString::fromUtf8(compact(QJsonDocument(*patch.actions))));
    if (patch.resolved) {
        const auto svc = m_services.service(serviceId);
        // Empty, not NULL (a null QString binds as NULL): settled, by no person's action.
        set("resolved_action", QStringLiteral(""));
        set("resolved_by", svc ? svc->name : QString());
        set("resolved_at", now);
        set("resolved_text", *patch.resolved);
    }
    if (patch.changesContent())
        set("updated_at", now);
    set("change_seq", change);
    QSqlQuery up = m_db.prepare(QStringLiteral("UPDATE notifications SET ") +
                                sets.join(QLatin1Char(',')) + QStringLiteral(" WHERE id=?"));
    for (const QVariant &v : std::as_const(values))
        up.addBindValue(v);
    up.addBindValue(id);
    if (!m_db.exec(up))
        return sql::error(up);
    if (patch.changesContent()) {
        QStringList fields;
        for (const auto &[name, given] :
             {std::pair{"title", bool(patch.title)}, std::pair{"body", bool(patch.body)},
              std::pair{"priority", bool(patch.priority)}, std::pair{"link", bool(patch.link)},
              std::pair{"actions", bool(patch.actions)}})
            if (given)
                fields << QLatin1String(name);
        if (auto e =
                AuditRepository::record(m_db, id, now, "updated", AuditRepository::Actor::Service,
                                        serviceId, 0, fields.join(QStringLiteral(", "))))
            return *e;
    }
    if (patch.resolved)
        if (auto e =
                AuditRepository::record(m_db, id, now, "resolved", AuditRepository::Actor::Service,
                                        serviceId, 0, *patch.resolved))
            return *e;
    auto c = changeOf(id, t.audienceId, t.audienceToken);
    if (std::holds_alternative<StoreError>(c) || !tx.commit())
        return std::holds_alternative<StoreError>(c) ? c : sql::error(tx.error());
    return c;
}

std::variant<NotificationChange, StoreError> NotificationRepository::retract(qint64 serviceId,
                                                                             qint64 id, qint64 now)
{
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    auto claimed = claim(serviceId, id);
    if (const StoreError *e = std::get_if<StoreError>(&claimed))
        return *e;
    const auto &[change, t] = std::get<Claim>(claimed);
    if (!t.retracted) {
        // It ends now: every inbox query leaves out what has expired, so nobody lists it or
        // counts it unread any more, on any device, from this commit on.
        auto upStmt = m_db.statement(
            "UPDATE notifications SET retracted_at=?, change_seq=?, expiry_noted=1,"
            " expires_at=CASE WHEN expires_at IS NULL OR expires_at > ? THEN ? ELSE expires_at END"
            " WHERE id=?");
        QSqlQuery &up = upStmt;
        up.addBindValue(now);
        up.addBindValue(change);
        up.addBindValue(now);
        up.addBindValue(now);
        up.addBindValue(id);
        if (!m_db.exec(up))
            return sql::error(up);
        if (auto e = AuditRepository::record(m_db, id, now, "retracted",
                                             AuditRepository::Actor::Service, serviceId))
            return *e;
    }
    auto c = changeOf(id, t.audienceId, t.audienceToken);
    if (auto *done = std::get_if<NotificationChange>(&c); done && t.retracted) {
        done->changed = false;
        return c; // nothing changed: rolled back, the change number is not taken
    }
    if (std::holds_alternative<StoreError>(c) || !tx.commit())
        return std::holds_alternative<StoreError>(c) ? c : sql::error(tx.error());
    return c;
}

QList<NotificationRow> NotificationRepository::changesFor(qint64 userId, qint64 after, qint64 upTo,
                                                          int limit)
{
    // Changes are few next to notifications: walk them by number, keep this person's.
    auto qStmt = m_db.statement(
        QString::fromLatin1(NotifCols) +
        QStringLiteral(" FROM notifications n JOIN services s ON s.id=n.service_id"
                       " WHERE n.change_seq > ? AND n.id <= ? AND (EXISTS (SELECT 1 FROM inbox i"
                       " WHERE i.user_id=? AND i.notif_id=n.id) OR EXISTS (SELECT 1 FROM"
                       " audience_members am WHERE am.audience_id=n.audience_id"
                       " AND am.user_id=?)) ORDER BY n.change_seq ASC LIMIT ?"));
    QSqlQuery &q = qStmt;
    q.addBindValue(after);
    q.addBindValue(upTo);
    q.addBindValue(userId);
    q.addBindValue(userId);
    q.addBindValue(limit);
    QList<NotificationRow> out;
    if (!m_db.exec(q))
        return out;
    while (q.next())
        out << readNotification(q);
    return out;
}

} // namespace herald
