// The notification repository's escalation side (schema version 10, table escalation_steps):
// the steps stored at publish, and firing them when they are due. Publishing, inboxes and
// changes by the service are in notificationrepository.cpp, notificationinbox.cpp and
// notificationlifecycle.cpp.
#include "notificationrepository.h"

#include "audiences.h"
#include "auditrepository.h"
#include "core/publishrequest.h"
#include "notificationsql.h"
#include "peoplerepository.h"
#include "servicerepository.h"
#include "sqlconnection.h"

#include <herald/protocol.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace herald {

using sql::err;
using namespace notificationsql;

namespace {

QList<qint64> idsFrom(const QString &json)
{
    QList<qint64> out;
    for (const QJsonValue &v : QJsonDocument::fromJson(json.toUtf8()).array())
        out << v.toInteger();
    return out;
}

} // namespace

std::variant<QList<NotificationRepository::StoredStep>, StoreError>
NotificationRepository::resolveEscalation(const PublishRequest &req, qint64 now)
{
    QList<StoredStep> out;
    for (qsizetype i = 0; i < req.escalation.size(); ++i) {
        const EscalationStep &step = req.escalation[i];
        StoredStep s{now + step.after * 1000, step.remind, {}, {}};
        for (const QString &name : step.groups) {
            const auto group = m_services.groupId(name);
            if (!group)
                return err(proto::Err::NotFound, QStringLiteral("no group '%1'").arg(name),
                           QStringLiteral("escalation[%1].groups").arg(i));
            s.groups << *group;
        }
        for (const QString &name : step.users) {
            const auto u = m_people.user(name);
            if (!u)
                return err(proto::Err::NotFound, QStringLiteral("no user '%1'").arg(name),
                           QStringLiteral("escalation[%1].users").arg(i));
            s.users << u->id;
        }
        out << s;
    }
    return out;
}

std::optional<StoreError> NotificationRepository::storeEscalation(qint64 id,
                                                                  const QList<StoredStep> &steps)
{
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const StoredStep &s = steps[i];
        auto qStmt = m_db.statement("INSERT INTO escalation_steps(notif_id, step, due_at, kind,"
                                    " groups, users) VALUES(?,?,?,?,?,?)");
        QSqlQuery &q = qStmt;
        q.addBindValue(id);
        q.addBindValue(static_cast<int>(i + 1));
        q.addBindValue(s.dueAt);
        q.addBindValue(s.remind ? QStringLiteral("remind") : QStringLiteral("escalate"));
        q.addBindValue(sql::idsJson(s.groups));
        q.addBindValue(sql::idsJson(s.users));
        if (!m_db.exec(q))
            return sql::error(q);
    }
    return {};
}

std::variant<QList<EscalationFired>, StoreError>
NotificationRepository::fireDueEscalations(qint64 now, int limit)
{
    // The due steps through escalation_due; each is claimed on its own below, so two nodes that
    // read the same ones fire each once.
    QList<std::pair<qint64, int>> due;
    {
        auto qStmt =
            m_db.statement("SELECT notif_id, step FROM escalation_steps WHERE fired_at IS NULL"
                           " AND due_at <= ? ORDER BY due_at, notif_id, step LIMIT ?");
        QSqlQuery &q = qStmt;
        q.addBindValue(now);
        q.addBindValue(limit);
        if (!m_db.exec(q))
            return sql::error(q);
        while (q.next())
            due << std::make_pair(q.value(0).toLongLong(), q.value(1).toInt());
    }
    QList<EscalationFired> fired;
    std::optional<StoreError> firstError;
    for (const auto &[id, step] : std::as_const(due)) {
        auto r = fireStep(id, step, now);
        if (const StoreError *e = std::get_if<StoreError>(&r)) {
            // Left unfired: the next poll tries it again. The others go on.
            if (!firstError)
                firstError = *e;
            continue;
        }
        if (auto &f = std::get<std::optional<EscalationFired>>(r))
            fired << std::move(*f);
    }
    if (fired.isEmpty() && firstError)
        return *firstError;
    return fired;
}

std::variant<std::optional<EscalationFired>, StoreError>
NotificationRepository::fireStep(qint64 id, int step, qint64 now)
{
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    // The notification's row first: an action, a PATCH or a DELETE of it on any node waits for
    // this step (or this step sees what they committed).
    auto lockStmt =
        m_db.statement("UPDATE notifications SET expiry_noted = expiry_noted WHERE id=?");
    QSqlQuery &lock = lockStmt;
    lock.addBindValue(id);
    if (!m_db.exec(lock))
        return sql::error(lock);
    const bool exists = lock.numRowsAffected() == 1;
    lock.finish();
    // Then the step itself, once: another node that claimed it first leaves nothing to update.
    auto claimStmt = m_db.statement(
        "UPDATE escalation_steps SET fired_at=?, outcome='fired' WHERE notif_id=? AND step=?"
        " AND fired_at IS NULL RETURNING kind, groups, users");
    QSqlQuery &claim = claimStmt;
    claim.addBindValue(now);
    claim.addBindValue(id);
    claim.addBindValue(step);
    if (!m_db.exec(claim))
        return sql::error(claim);
    if (!claim.next())
        return std::optional<EscalationFired>(); // fired (or cancelled) elsewhere
    const bool remind = claim.value(0).toString() == QLatin1String("remind");
    const QList<qint64> groups = idsFrom(claim.value(1).toString());
    const QList<qint64> users = idsFrom(claim.value(2).toString());
    claim.finish();

    qint64 serviceId = 0, audienceId = 0, audienceToken = 0;
    bool settled = !exists;
    if (exists) {
        auto qStmt = m_db.statement(
            "SELECT n.resolved_at, n.retracted_at, n.expires_at, n.audience_id, a.token,"
            " n.service_id FROM notifications n LEFT JOIN audiences a ON a.id=n.audience_id"
            " WHERE n.id=?");
        QSqlQuery &q = qStmt;
        q.addBindValue(id);
        if (!m_db.exec(q) || !q.next())
            return sql::error(q);
        settled = !q.value(0).isNull() || !q.value(1).isNull() ||
                  (!q.value(2).isNull() && q.value(2).toLongLong() <= now);
        audienceId = q.value(3).toLongLong();
        audienceToken = q.value(4).toLongLong();
        serviceId = q.value(5).toLongLong();
    }
    if (settled) {
        // Settled, retracted, expired or purged: this step and every later one end unfired.
        auto cancelStmt = m_db.statement(
            "UPDATE escalation_steps SET fired_at=?, outcome='cancelled' WHERE notif_id=?"
            " AND (step=? OR fired_at IS NULL)");
        QSqlQuery &cancel = cancelStmt;
        cancel.addBindValue(now);
        cancel.addBindValue(id);
        cancel.addBindValue(step);
        if (!m_db.exec(cancel))
            return sql::error(cancel);
        if (!tx.commit())
            return sql::error(tx.error());
        return std::optional<EscalationFired>();
    }

    auto recipients = recipientsOf(id, audienceId, audienceToken);
    if (const StoreError *e = std::get_if<StoreError>(&recipients))
        return *e;
    const QList<qint64> &current = std::get<QList<qint64>>(recipients);
    EscalationFired f;
    f.notificationId = id;
    f.step = step;
    f.remind = remind;
    if (remind) {
        f.users = current;
        if (auto e = AuditRepository::record(
                m_db, id, now, "reminded", AuditRepository::Actor::System, 0, 0,
                QStringLiteral("step %1: %2 people reminded").arg(step).arg(current.size())))
            return *e;
    } else {
        // The people of the groups (now) and the people named, enabled, not recipients yet.
        const QString in = QString::fromLatin1(audiences::idsFromJson(m_db.isPostgres()));
        auto whoStmt = m_db.statement(
            QStringLiteral("SELECT m.user_id FROM group_members m JOIN users u ON u.id=m.user_id"
                           " WHERE u.disabled=0 AND m.group_id IN (") +
            in + QStringLiteral(") UNION SELECT id FROM users WHERE disabled=0 AND id IN (") + in +
            QStringLiteral(")"));
        QSqlQuery &who = whoStmt;
        who.addBindValue(sql::idsJson(groups));
        who.addBindValue(sql::idsJson(users));
        if (!m_db.exec(who))
            return sql::error(who);
        while (who.next()) {
            const qint64 u = who.value(0).toLongLong();
            if (!std::binary_search(current.begin(), current.end(), u))
                f.users << u;
        }
        who.finish();
        std::sort(f.users.begin(), f.users.end());
        f.users.erase(std::unique(f.users.begin(), f.users.end()), f.users.end());
        if (!f.users.isEmpty()) {
            auto inboxStmt = m_db.statement(
                m_db.isPostgres()
                    ? "INSERT INTO inbox(user_id, notif_id) SELECT CAST(value AS BIGINT),"
                      " CAST(? AS BIGINT) FROM json_array_elements_text(CAST(? AS json))"
                      " ON CONFLICT DO NOTHING"
                    : "INSERT INTO inbox(user_id, notif_id) SELECT value, ? FROM json_each(?)"
                      " WHERE true ON CONFLICT DO NOTHING");
            QSqlQuery &inbox = inboxStmt;
            inbox.addBindValue(id);
            inbox.addBindValue(sql::idsJson(f.users));
            if (!m_db.exec(inbox))
                return sql::error(inbox);
        }
        // Names for the record and the webhook.
        const auto names = [&](const char *table,
                               const QList<qint64> &ids) -> std::variant<QStringList, StoreError> {
            QStringList out;
            if (ids.isEmpty())
                return out;
            auto nStmt = m_db.statement(QStringLiteral("SELECT name FROM ") + QLatin1String(table) +
                                        QStringLiteral(" WHERE id IN (") + in +
                                        QStringLiteral(") ORDER BY name"));
            QSqlQuery &n = nStmt;
            n.addBindValue(sql::idsJson(ids));
            if (!m_db.exec(n))
                return sql::error(n);
            while (n.next())
                out << n.value(0).toString();
            return out;
        };
        auto groupNames = names("groups", groups);
        if (const StoreError *e = std::get_if<StoreError>(&groupNames))
            return *e;
        auto added = names("users", f.users);
        if (const StoreError *e = std::get_if<StoreError>(&added))
            return *e;
        auto named = names("users", users);
        if (const StoreError *e = std::get_if<StoreError>(&named))
            return *e;
        QStringList parts;
        if (!users.isEmpty() || !groups.isEmpty()) {
            if (!groups.isEmpty())
                parts << QStringLiteral("groups ") +
                             std::get<QStringList>(groupNames).join(QLatin1String(", "));
            if (!users.isEmpty())
                parts << QStringLiteral("users ") +
                             std::get<QStringList>(named).join(QLatin1String(", "));
        }
        if (auto e = AuditRepository::record(m_db, id, now, "escalated",
                                             AuditRepository::Actor::System, 0, 0,
                                             QStringLiteral("step %1: %2 (%3 people added)")
                                                 .arg(step)
                                                 .arg(parts.join(QLatin1String("; ")))
                                                 .arg(f.users.size())))
            return *e;
        // notification.escalated for a service that subscribed, committed with the step.
        const auto svc = m_services.service(serviceId);
        if (svc && !svc->webhookUrl.isEmpty() &&
            svc->webhookEvents.contains(QLatin1String("escalated"))) {
            auto nStmt =
                m_db.statement("SELECT idem_key, category, source FROM notifications WHERE id=?");
            QSqlQuery &n = nStmt;
            n.addBindValue(id);
            if (!m_db.exec(n) || !n.next())
                return sql::error(n);
            const QString idem = n.value(0).toString();
            const QJsonObject payload{
                {QStringLiteral("event"), QStringLiteral("notification.escalated")},
                {QStringLiteral("notification"), id},
                {QStringLiteral("idempotencyKey"),
                 idem.isEmpty() ? QJsonValue() : QJsonValue(idem)},
                {QStringLiteral("category"), n.value(1).toString()},
                {QStringLiteral("source"),
                 QJsonDocument::fromJson(n.value(2).toString().toUtf8()).object()},
                {QStringLiteral("step"), step},
                {QStringLiteral("groups"),
                 QJsonArray::fromStringList(std::get<QStringList>(groupNames))},
                {QStringLiteral("users"), QJsonArray::fromStringList(std::get<QStringList>(named))},
                {QStringLiteral("added"), QJsonArray::fromStringList(std::get<QStringList>(added))},
                {QStringLiteral("at"), now}};
            n.finish();
            if (auto e = queueWebhook(serviceId, id, payload, now))
                return *e;
            f.webhookQueued = true;
        }
    }
    auto row = notificationRow(id);
    if (const StoreError *e = std::get_if<StoreError>(&row))
        return *e;
    f.notification = std::get<NotificationRow>(row);
    if (!remind)
        f.notification.read = false; // new to the people added
    if (!tx.commit())
        return sql::error(tx.error());
    return std::optional<EscalationFired>(std::move(f));
}

} // namespace herald
