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
#include <QRandomGenerator>

#include <algorithm>
#include <iterator>
#include <limits>

namespace herald {

using sql::err;

using namespace notificationsql;

// ------------------------------------------------------------------ audiences

std::variant<NotificationRepository::Audience, StoreError>
NotificationRepository::audience(qint64 id, qint64 token)
{
    for (qsizetype i = 0; i < m_audiences.size(); ++i)
        if (m_audiences[i].id == id && m_audiences[i].token == token) {
            if (i > 0)
                m_audiences.move(i, 0);
            return m_audiences.first();
        }
    Audience a{id, token, {}};
    auto qStmt =
        m_db.statement("SELECT user_id FROM audience_members WHERE audience_id=? ORDER BY user_id");
    QSqlQuery &q = qStmt;
    q.addBindValue(id);
    if (!m_db.exec(q))
        return sql::error(q);
    while (q.next())
        a.members << q.value(0).toLongLong();
    m_audiences.prepend(a);
    if (m_audiences.size() > CachedAudiences)
        m_audiences.removeLast();
    return a;
}

std::variant<NotificationRepository::Audience, StoreError>
NotificationRepository::currentAudience(bool everyone, const QList<qint64> &groups, qint64 now)
{
    const QString key = audiences::sourceKey(everyone, groups);
    const QString in = QString::fromLatin1(audiences::idsFromJson(m_db.isPostgres()));
    const auto current =
        [&]() -> std::variant<std::optional<std::pair<qint64, qint64>>, StoreError> {
        auto qStmt = m_db.statement("SELECT id, token FROM audiences WHERE source_key=? AND stale=0"
                                    " ORDER BY id DESC LIMIT 1");
        QSqlQuery &q = qStmt;
        q.addBindValue(key);
        if (!m_db.exec(q))
            return sql::error(q);
        if (!q.next())
            return std::nullopt;
        return std::make_pair(q.value(0).toLongLong(), q.value(1).toLongLong());
    };
    auto found = current();
    if (auto *e = std::get_if<StoreError>(&found))
        return *e;
    if (const auto &f = std::get<0>(found))
        return audience(f->first, f->second);
    // None (or only stale ones): the source's membership changed since. Take what a change
    // takes first (see audiences.h), then look again: another node may have built one meanwhile.
    auto lockStmt = m_db.statement(
        everyone ? QStringLiteral("UPDATE counters SET v = v WHERE name='people'")
                 : QStringLiteral("UPDATE groups SET version = version WHERE id IN (") + in +
                       QStringLiteral(")"));
    QSqlQuery &lock = lockStmt;
    if (!everyone)
        lock.addBindValue(sql::idsJson(groups));
    if (!m_db.exec(lock))
        return sql::error(lock);
    found = current();
    if (auto *e = std::get_if<StoreError>(&found))
        return *e;
    if (const auto &f = std::get<0>(found))
        return audience(f->first, f->second);
    // A new snapshot: one row, then its members with one INSERT ... SELECT.
    const qint64 token =
        static_cast<qint64>(QRandomGenerator::global()->generate64() >> 1); // 63 bits, >= 0
    const auto id = m_db.insertReturningId(
        "INSERT INTO audiences(source_key, token, created_at) VALUES(?,?,?) RETURNING id",
        {key, token, now}, std::nullopt);
    if (const auto *e = std::get_if<StoreError>(&id))
        return *e;
    const qint64 audienceId = std::get<qint64>(id);
    const bool pg = m_db.isPostgres();
    auto membersStmt = m_db.statement(
        everyone
            ? QString::fromLatin1(pg ? "INSERT INTO audience_members(audience_id, user_id)"
                                       " SELECT CAST(? AS BIGINT), id FROM users WHERE disabled=0"
                                     : "INSERT INTO audience_members(audience_id, user_id)"
                                       " SELECT ?, id FROM users WHERE disabled=0")
            : QString::fromLatin1(
                  pg ? "INSERT INTO audience_members(audience_id, user_id)"
                       " SELECT DISTINCT CAST(? AS BIGINT), m.user_id FROM group_members m"
                       " JOIN users u ON u.id=m.user_id WHERE u.disabled=0 AND m.group_id IN ("
                     : "INSERT INTO audience_members(audience_id, user_id)"
                       " SELECT DISTINCT ?, m.user_id FROM group_members m"
                       " JOIN users u ON u.id=m.user_id WHERE u.disabled=0 AND m.group_id IN (") +
                  in + QStringLiteral(")"));
    QSqlQuery &members = membersStmt;
    members.addBindValue(audienceId);
    if (!everyone)
        members.addBindValue(sql::idsJson(groups));
    if (!m_db.exec(members))
        return sql::error(members);
    if (!everyone) {
        // Which groups it came from, so that a change of one of them marks it stale.
        auto fromStmt = m_db.statement(
            QString::fromLatin1(pg ? "INSERT INTO audience_groups(audience_id, group_id)"
                                     " SELECT CAST(? AS BIGINT), g.value FROM ("
                                   : "INSERT INTO audience_groups(audience_id, group_id)"
                                     " SELECT ?, g.value FROM (") +
            in + QStringLiteral(") AS g"));
        QSqlQuery &from = fromStmt;
        from.addBindValue(audienceId);
        from.addBindValue(sql::idsJson(groups));
        if (!m_db.exec(from))
            return sql::error(from);
    }
    return audience(audienceId, token);
}

// ------------------------------------------------------------------ publishing

std::variant<PublishResult, StoreError>
NotificationRepository::publish(qint64 serviceId, const PublishRequest &req, qint64 now)
{
    const QString &idem = req.idempotencyKey;
    auto earlier = [&]() -> std::optional<PublishResult> {
        auto qStmt =
            m_db.statement("SELECT id FROM notifications WHERE service_id=? AND idem_key=?");
        QSqlQuery &q = qStmt;
        q.addBindValue(serviceId);
        q.addBindValue(idem);
        if (!m_db.exec(q) || !q.next())
            return {};
        PublishResult r;
        r.id = q.value(0).toLongLong();
        r.duplicate = true;
        return r;
    };
    if (!idem.isEmpty())
        if (auto r = earlier())
            return *r;
    if (m_batch.deferred()) {
        // The same key published earlier in this storage batch: that notification, once written.
        if (const int first = m_batch.find(serviceId, idem); first >= 0) {
            PublishBatch::Pending again;
            again.serviceId = serviceId;
            again.duplicateOf = first;
            PublishResult r;
            r.duplicate = true;
            r.pendingSlot = m_batch.add(std::move(again));
            return r;
        }
    }
    // Named people (disabled ones are skipped) and the groups, by id.
    QList<qint64> named;
    for (const QString &name : req.to.users) {
        const auto u = m_people.user(name);
        if (!u)
            return err(proto::Err::NotFound, QStringLiteral("no user '%1'").arg(name),
                       QStringLiteral("recipients.users"));
        if (!u->disabled)
            named << u->id;
    }
    QList<qint64> groups;
    for (const QString &name : req.to.groups) {
        const auto group = m_services.groupId(name);
        if (!group)
            return err(proto::Err::NotFound, QStringLiteral("no group '%1'").arg(name),
                       QStringLiteral("recipients.groups"));
        groups << *group;
    }
    const auto steps = resolveEscalation(req, now);
    if (const StoreError *e = std::get_if<StoreError>(&steps))
        return *e;
    std::sort(named.begin(), named.end());
    named.erase(std::unique(named.begin(), named.end()), named.end());
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    // Groups and everyone: the current audience of that source (everyone includes every group).
    std::optional<Audience> audience;
    if (req.to.everyone || !groups.isEmpty()) {
        auto a = currentAudience(req.to.everyone, req.to.everyone ? QList<qint64>() : groups, now);
        if (auto *e = std::get_if<StoreError>(&a))
            return *e;
        audience = std::move(std::get<Audience>(a));
    }
    // Named people outside the audience get an inbox row each; those in it have it already.
    QList<qint64> personal;
    if (audience) {
        const QList<qint64> &m = audience->members;
        for (qint64 id : std::as_const(named))
            if (!std::binary_search(m.begin(), m.end(), id))
                personal << id;
    } else {
        personal = named;
    }
    QList<qint64> userIds;
    if (!audience) {
        userIds = personal;
    } else if (personal.isEmpty()) {
        userIds = audience->members; // shared, not copied
    } else {
        userIds.reserve(audience->members.size() + personal.size());
        std::merge(audience->members.begin(), audience->members.end(), personal.begin(),
                   personal.end(), std::back_inserter(userIds));
    }
    if (m_batch.deferred()) {
        // Its rows (and its id) wait for the batch's end: PublishBatch::write().
        PublishBatch::Pending p;
        p.serviceId = serviceId;
        p.idem = idem;
        p.title = m_db.text(req.title);
        p.body = m_db.text(req.body);
        p.priority = req.priority;
        p.category = m_db.text(req.category);
        p.link = m_db.text(req.link);
        p.actions = QString::fromUtf8(compact(QJsonDocument(req.actions)));
        p.source = QString::fromUtf8(compact(QJsonDocument(req.source)));
        p.threadKey = req.threadKey;
        p.createdAt = now;
        p.expiresAt = req.expiresAt;
        if (audience)
            p.audienceId = audience->id;
        p.steps = std::get<QList<StoredStep>>(steps);
        p.personal = std::move(personal);
        p.userIds = std::move(userIds);
        if (!tx.commit())
            return sql::error(tx.error());
        PublishResult r;
        r.pendingSlot = m_batch.add(std::move(p));
        return r;
    }
    // The id comes from a counter row advanced in this transaction: its row lock hands out ids
    // in commit order on every node, so "since id N" never skips a notification committed later.
    auto counterStmt =
        m_db.statement("UPDATE counters SET v = v + 1 WHERE name='notifications' RETURNING v");
    QSqlQuery &counter = counterStmt;
    if (!m_db.exec(counter) || !counter.next())
        return sql::error(counter);
    PublishResult r;
    r.id = counter.value(0).toLongLong();
    counter.finish();
    auto insStmt =
        m_db.statement("INSERT INTO notifications(id, service_id, idem_key, title, body, priority,"
                       " category, link, actions, source, created_at, expires_at, audience_id,"
                       " thread_key) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                       " ON CONFLICT DO NOTHING RETURNING id");
    QSqlQuery &ins = insStmt;
    ins.addBindValue(r.id);
    ins.addBindValue(serviceId);
    ins.addBindValue(idem.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(idem));
    ins.addBindValue(m_db.text(req.title));
    ins.addBindValue(m_db.text(req.body));
    ins.addBindValue(req.priority);
    ins.addBindValue(m_db.text(req.category));
    ins.addBindValue(m_db.text(req.link));
    ins.addBindValue(QString::fromUtf8(compact(QJsonDocument(req.actions))));
    ins.addBindValue(QString::fromUtf8(compact(QJsonDocument(req.source))));
    ins.addBindValue(now);
    ins.addBindValue(req.expiresAt ? QVariant(*req.expiresAt)
                                   : QVariant(QMetaType(QMetaType::LongLong)));
    ins.addBindValue(audience ? QVariant(audience->id) : QVariant(QMetaType(QMetaType::LongLong)));
    ins.addBindValue(req.threadKey.isEmpty() ? QVariant(QMetaType(QMetaType::QString))
                                             : QVariant(req.threadKey));
    if (!m_db.exec(ins))
        return sql::error(ins);
    if (!ins.next()) {
        // The same idempotency key was published through another node after our lookup (it
        // committed while we waited for the counter row): give the id back, answer with that one.
        ins.finish();
        auto backStmt =
            m_db.statement("UPDATE counters SET v = v - 1 WHERE name='notifications' AND v=?");
        QSqlQuery &back = backStmt;
        back.addBindValue(r.id);
        if (!m_db.exec(back) || back.numRowsAffected() != 1)
            return sql::error(back);
        auto dup = idem.isEmpty() ? std::nullopt : earlier();
        if (!dup)
            return err(proto::Err::Internal,
                       QStringLiteral("notification id %1 is already taken").arg(r.id));
        if (!tx.commit())
            return sql::error(tx.error());
        return *dup;
    }
    ins.finish();
    if (auto e = storeEscalation(r.id, std::get<QList<StoredStep>>(steps)))
        return *e;
    if (!personal.isEmpty()) {
        // One statement for every inbox row, however many people.
        auto inboxStmt = m_db.statement(
            m_db.isPostgres()
                ? "INSERT INTO inbox(user_id, notif_id) SELECT CAST(value AS BIGINT),"
                  " CAST(? AS BIGINT) FROM json_array_elements_text(CAST(? AS json))"
                : "INSERT INTO inbox(user_id, notif_id) SELECT value, ? FROM json_each(?)");
        QSqlQuery &inbox = inboxStmt;
        inbox.addBindValue(r.id);
        inbox.addBindValue(sql::idsJson(personal));
        if (!m_db.exec(inbox))
            return sql::error(inbox);
    }
    r.userIds = std::move(userIds);
    if (auto e = AuditRepository::record(m_db, r.id, now, "published",
                                         AuditRepository::Actor::Service, serviceId, 0,
                                         QStringLiteral("to %1 people").arg(r.userIds.size())))
        return *e;
    auto row = notificationRow(r.id);
    if (const StoreError *e = std::get_if<StoreError>(&row))
        return *e;
    r.notification = std::get<NotificationRow>(row);
    r.notification.read = false;
    if (!tx.commit())
        return sql::error(tx.error());
    return r;
}

// ------------------------------------------------------------------ actions

std::variant<ActionResult, StoreError> NotificationRepository::act(qint64 userId,
                                                                   qint64 notificationId,
                                                                   const QString &action,
                                                                   qint64 now, qint64 device)
{
    auto qStmt = m_db.statement(
        "SELECT n.actions, n.resolved_action, n.resolved_by, n.resolved_at, n.service_id,"
        " n.idem_key, n.category, n.source, n.audience_id, a.token, n.resolved_text,"
        " n.retracted_at FROM notifications n"
        " LEFT JOIN audiences a ON a.id=n.audience_id WHERE n.id=? AND (EXISTS (SELECT 1 FROM"
        " inbox i WHERE i.user_id=? AND i.notif_id=n.id) OR EXISTS (SELECT 1 FROM"
        " audience_members am WHERE am.audience_id=n.audience_id AND am.user_id=?))");
    QSqlQuery &q = qStmt;
    q.addBindValue(notificationId);
    q.addBindValue(userId);
    q.addBindValue(userId);
    if (!m_db.exec(q))
        return sql::error(q);
    if (!q.next())
        return err(proto::Err::NotFound,
                   QStringLiteral("no notification %1 for you").arg(notificationId),
                   QStringLiteral("notification"));
    if (!q.value(11).isNull())
        return err(
            proto::Err::NotFound,
            QStringLiteral("notification %1 was withdrawn by its sender").arg(notificationId),
            QStringLiteral("notification"));
    const QList<NotificationAction> actions = parseActions(q.value(0).toString());
    if (std::none_of(actions.begin(), actions.end(),
                     [&action](const NotificationAction &a) { return a.id == action; }))
        return err(proto::Err::BadValue,
                   QStringLiteral("notification has no action '%1'").arg(action),
                   QStringLiteral("action"));
    ActionResult r;
    if (!q.value(1).isNull()) {
        r.resolved = {q.value(1).toString(), q.value(2).toString(), q.value(3).toLongLong(),
                      q.value(10).toString()};
        return r; // someone (or the source) was first
    }
    const qint64 serviceId = q.value(4).toLongLong();
    const QString idem = q.value(5).toString();
    const QString category = q.value(6).toString();
    const QJsonObject source = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).object();
    const qint64 audienceId = q.value(8).toLongLong();
    const qint64 audienceToken = q.value(9).toLongLong();
    const auto u = m_people.userById(userId);
    const QString by = u ? u->name : QString();
    q.finish();
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    const auto change = nextChange();
    if (const StoreError *e = std::get_if<StoreError>(&change))
        return *e;
    auto upStmt = m_db.statement(
        "UPDATE notifications SET resolved_action=?, resolved_by=?, resolved_at=?, change_seq=?,"
        " resolved_device=? WHERE id=? AND resolved_action IS NULL AND retracted_at IS NULL");
    QSqlQuery &up = upStmt;
    up.addBindValue(action);
    up.addBindValue(by);
    up.addBindValue(now);
    up.addBindValue(std::get<qint64>(change));
    up.addBindValue(sql::idOrNull(device));
    up.addBindValue(notificationId);
    if (!m_db.exec(up))
        return sql::error(up);
    if (up.numRowsAffected() != 1) {
        // Resolved through another node between our read and our update: that one was first.
        // (or its service resolved or retracted it): the one that committed first wins.
        auto firstStmt =
            m_db.statement("SELECT resolved_action, resolved_by, resolved_at,"
                           " resolved_text, retracted_at FROM notifications WHERE id=?");
        QSqlQuery &first = firstStmt;
        first.addBindValue(notificationId);
        if (!m_db.exec(first) || !first.next())
            return sql::error(first);
        if (first.value(0).isNull() && !first.value(4).isNull())
            return err(
                proto::Err::NotFound,
                QStringLiteral("notification %1 was withdrawn by its sender").arg(notificationId),
                QStringLiteral("notification"));
        r.resolved = {first.value(0).toString(), first.value(1).toString(),
                      first.value(2).toLongLong(), first.value(3).toString()};
        return r; // rolled back: the change number is not taken
    }
    r.won = true;
    r.resolved = {action, by, now, {}};
    r.changeSeq = std::get<qint64>(change);
    if (auto e = AuditRepository::record(m_db, notificationId, now, "acted",
                                         AuditRepository::Actor::User, userId, device, action))
        return *e;
    markRead(userId, {notificationId}, now, device);
    auto recipients = recipientsOf(notificationId, audienceId, audienceToken);
    if (const StoreError *e = std::get_if<StoreError>(&recipients))
        return *e;
    r.recipientIds = std::get<QList<qint64>>(recipients);
    // The outbox row commits with the action, so a restart cannot lose the webhook.
    const auto svc = m_services.service(serviceId);
    if (svc && !svc->webhookUrl.isEmpty() && svc->webhookEvents.contains(QLatin1String("acted"))) {
        const QJsonObject payload{
            {QStringLiteral("event"), QStringLiteral("notification.action")},
            {QStringLiteral("notification"), notificationId},
            {QStringLiteral("idempotencyKey"), idem.isEmpty() ? QJsonValue() : QJsonValue(idem)},
            {QStringLiteral("category"), category},
            {QStringLiteral("source"), source},
            {QStringLiteral("action"), action},
            {QStringLiteral("user"), by},
            {QStringLiteral("device"), device > 0 ? QJsonValue(device) : QJsonValue()},
            {QStringLiteral("at"), now}};
        if (auto e = queueWebhook(serviceId, notificationId, payload, now))
            return *e;
    }
    if (!tx.commit())
        return sql::error(tx.error());
    return r;
}

std::optional<NotificationRow> NotificationRepository::notificationForService(qint64 id,
                                                                              qint64 serviceId)
{
    auto qStmt = m_db.statement(
        QString::fromLatin1(NotifCols) +
        QStringLiteral(
            ", (SELECT COUNT(*) FROM inbox i WHERE i.notif_id=n.id)"
            " + (SELECT COUNT(*) FROM audience_members am WHERE am.audience_id=n.audience_id),"
            " (SELECT COUNT(*) FROM inbox i WHERE i.notif_id=n.id AND i.read_at IS NOT NULL)"
            " + (SELECT COUNT(*) FROM audience_members am LEFT JOIN read_marks rm"
            " ON rm.user_id=am.user_id WHERE am.audience_id=n.audience_id"
            " AND (rm.read_upto >= n.id OR EXISTS (SELECT 1 FROM audience_reads r"
            " WHERE r.user_id=am.user_id AND r.notif_id=n.id)))"
            " FROM notifications n JOIN services s ON s.id=n.service_id"
            " WHERE n.id=? AND n.service_id=?"));
    QSqlQuery &q = qStmt;
    q.addBindValue(id);
    q.addBindValue(serviceId);
    if (!m_db.exec(q) || !q.next())
        return {};
    NotificationRow n = readNotification(q);
    n.reach = NotificationRow::Reach{q.value(NotifColumns).toLongLong(),
                                     q.value(NotifColumns + 1).toLongLong()};
    return n;
}

} // namespace herald
