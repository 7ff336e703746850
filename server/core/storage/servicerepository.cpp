#include "servicerepository.h"

#include "audiences.h"
#include "peoplerepository.h"
#include "sqlconnection.h"

#include <herald/protocol.h>

namespace herald {

using sql::err;

// ------------------------------------------------------------------ services

std::variant<qint64, StoreError> ServiceRepository::createService(const QString &name,
                                                                  const QString &webhookUrl,
                                                                  const QString &secret)
{
    if (!proto::isValidName(name))
        return err(proto::Err::BadValue,
                   QStringLiteral("service name must be 1-64 of a-z 0-9 . _ -"),
                   QStringLiteral("name"));
    return m_db.insertReturningId(
        "INSERT INTO services(name, webhook_url, webhook_secret,"
        " created_at) VALUES(?,?,?,?) RETURNING id",
        {name, webhookUrl, secret, sql::nowMs()},
        err(proto::Err::Conflict, QStringLiteral("service '%1' already exists").arg(name)));
}

std::optional<StoreError> ServiceRepository::setWebhook(const QString &name, const QString &url,
                                                        const QString &secret)
{
    return m_db.changeOne("UPDATE services SET webhook_url=?, webhook_secret=? WHERE name=?",
                          {url, secret, name},
                          err(proto::Err::NotFound, QStringLiteral("no service '%1'").arg(name)));
}

std::optional<StoreError> ServiceRepository::setWebhookEvents(const QString &name,
                                                              const QStringList &events)
{
    for (const QString &e : events)
        if (!WebhookEvents.contains(e))
            return err(proto::Err::BadValue,
                       QStringLiteral("unknown event '%1' (one of %2)")
                           .arg(e, WebhookEvents.join(QStringLiteral(", "))),
                       QStringLiteral("events"));
    return m_db.changeOne("UPDATE services SET webhook_events=? WHERE name=?",
                          {events.join(QLatin1Char(',')), name},
                          err(proto::Err::NotFound, QStringLiteral("no service '%1'").arg(name)));
}

QList<ServiceRow> ServiceRepository::services()
{
    QList<ServiceRow> out;
    QSqlQuery q = m_db.prepare("SELECT id, name, webhook_url, webhook_secret, webhook_events"
                               " FROM services ORDER BY name");
    m_db.exec(q);
    while (q.next())
        out << ServiceRow{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(),
                          q.value(3).toString(),
                          q.value(4).toString().split(QLatin1Char(','), Qt::SkipEmptyParts)};
    return out;
}

std::optional<ServiceRow> ServiceRepository::service(qint64 id)
{
    QSqlQuery q = m_db.prepare(
        "SELECT name, webhook_url, webhook_secret, webhook_events FROM services WHERE id=?");
    q.addBindValue(id);
    if (!m_db.exec(q) || !q.next())
        return {};
    return ServiceRow{id, q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                      q.value(3).toString().split(QLatin1Char(','), Qt::SkipEmptyParts)};
}

// ------------------------------------------------------------------ groups

std::variant<qint64, StoreError> ServiceRepository::createGroup(const QString &name)
{
    if (!proto::isValidName(name))
        return err(proto::Err::BadValue, QStringLiteral("group name must be 1-64 of a-z 0-9 . _ -"),
                   QStringLiteral("name"));
    return m_db.insertReturningId(
        "INSERT INTO groups(name) VALUES(?) RETURNING id", {name},
        err(proto::Err::Conflict, QStringLiteral("group '%1' already exists").arg(name)));
}

std::optional<StoreError> ServiceRepository::deleteGroup(const QString &name)
{
    const auto g = groupId(name);
    if (!g)
        return err(proto::Err::NotFound, QStringLiteral("no group '%1'").arg(name));
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    // Its audiences are current no more (SQLite may give a new group the same id).
    if (auto e = audiences::groupChanged(m_db, *g))
        return *e;
    if (auto e = m_db.deleteByName("groups", "group", name))
        return e;
    if (!tx.commit())
        return sql::error(tx.error());
    return {};
}

std::optional<qint64> ServiceRepository::groupId(const QString &name)
{
    QSqlQuery g = m_db.prepare("SELECT id FROM groups WHERE name=?");
    g.addBindValue(name);
    if (!m_db.exec(g) || !g.next())
        return {};
    return g.value(0).toLongLong();
}

QList<qint64> ServiceRepository::activeGroupMembers(qint64 groupId)
{
    QList<qint64> out;
    QSqlQuery m =
        m_db.prepare("SELECT m.user_id FROM group_members m JOIN users u ON u.id=m.user_id"
                     " WHERE m.group_id=? AND u.disabled=0");
    m.addBindValue(groupId);
    m_db.exec(m);
    while (m.next())
        out << m.value(0).toLongLong();
    return out;
}

std::optional<StoreError> ServiceRepository::setGroupMember(const QString &group,
                                                            const QString &userName, bool member)
{
    const auto g = groupId(group);
    if (!g)
        return err(proto::Err::NotFound, QStringLiteral("no group '%1'").arg(group));
    const auto u = m_people.user(userName);
    if (!u)
        return err(proto::Err::NotFound, QStringLiteral("no user '%1'").arg(userName));
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    QSqlQuery q = m_db.prepare(
        member ? "INSERT INTO group_members(group_id, user_id) VALUES(?,?) ON CONFLICT DO NOTHING"
               : "DELETE FROM group_members WHERE group_id=? AND user_id=?");
    q.addBindValue(*g);
    q.addBindValue(u->id);
    if (!m_db.exec(q))
        return sql::error(q);
    // The group reaches someone else now (unless nothing changed): its audiences are outdated.
    if (q.numRowsAffected() > 0)
        if (auto e = audiences::groupChanged(m_db, *g))
            return e;
    if (!tx.commit())
        return sql::error(tx.error());
    return {};
}

QList<GroupRow> ServiceRepository::groups()
{
    QList<GroupRow> out;
    QSqlQuery q =
        m_db.prepare("SELECT g.name, (SELECT COUNT(*) FROM group_members m WHERE m.group_id=g.id)"
                     " FROM groups g ORDER BY g.name");
    m_db.exec(q);
    while (q.next())
        out << GroupRow{q.value(0).toString(), q.value(1).toLongLong()};
    return out;
}

} // namespace herald
