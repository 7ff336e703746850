// The publishes of a storage batch written at its end (PostgreSQL). See publishbatch.h.
#include "publishbatch.h"

#include "notificationsql.h"
#include "sqlconnection.h"

#include <herald/protocol.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <unordered_map>

namespace herald {

using namespace notificationsql;

namespace {
QJsonValue orNull(const std::optional<qint64> &v)
{
    return v ? QJsonValue(static_cast<double>(*v)) : QJsonValue();
}
QString json(const QJsonArray &rows)
{
    return QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Compact));
}
} // namespace

void PublishBatch::clear()
{
    m_pending.clear();
    m_results.clear();
}

void PublishBatch::truncate(int from)
{
    if (from >= 0 && from < size())
        m_pending.erase(m_pending.begin() + from, m_pending.end());
}

int PublishBatch::add(Pending p)
{
    m_pending.push_back(std::move(p));
    return size() - 1;
}

int PublishBatch::find(qint64 serviceId, const QString &idem) const
{
    if (idem.isEmpty())
        return -1;
    for (int i = 0; i < size(); ++i) {
        const Pending &p = m_pending[static_cast<size_t>(i)];
        if (p.duplicateOf < 0 && p.serviceId == serviceId && p.idem == idem)
            return i;
    }
    return -1;
}

std::variant<qint64, StoreError> PublishBatch::earlier(const Pending &p)
{
    auto qStmt = m_db.statement("SELECT id FROM notifications WHERE service_id=? AND idem_key=?");
    QSqlQuery &q = qStmt;
    q.addBindValue(p.serviceId);
    q.addBindValue(p.idem);
    if (!m_db.exec(q))
        return sql::error(q);
    if (!q.next())
        return sql::err(
            proto::Err::Internal,
            QStringLiteral("idempotency key '%1' conflicted but is not stored").arg(p.idem));
    return q.value(0).toLongLong();
}

std::optional<StoreError> PublishBatch::write()
{
    m_results.assign(m_pending.size(), PublishResult());
    std::vector<int> own; // the slots that get an id of their own, in order
    for (int i = 0; i < size(); ++i)
        if (m_pending[static_cast<size_t>(i)].duplicateOf < 0)
            own.push_back(i);
    if (own.empty())
        return {};
    // Every id of the batch in one statement: the row lock is taken here and held to COMMIT.
    auto counterStmt =
        m_db.statement("UPDATE counters SET v = v + ? WHERE name='notifications' RETURNING v");
    QSqlQuery &counter = counterStmt;
    counter.addBindValue(static_cast<qint64>(own.size()));
    if (!m_db.exec(counter) || !counter.next())
        return sql::error(counter);
    qint64 next = counter.value(0).toLongLong() - static_cast<qint64>(own.size()) + 1;
    counter.finish();
    QJsonArray rows;
    for (int slot : own) {
        const Pending &p = m_pending[static_cast<size_t>(slot)];
        m_results[static_cast<size_t>(slot)].id = next++;
        rows.append(QJsonObject{
            {QStringLiteral("id"), static_cast<double>(m_results[static_cast<size_t>(slot)].id)},
            {QStringLiteral("service_id"), static_cast<double>(p.serviceId)},
            {QStringLiteral("idem_key"), p.idem.isEmpty() ? QJsonValue() : QJsonValue(p.idem)},
            {QStringLiteral("title"), p.title},
            {QStringLiteral("body"), p.body},
            {QStringLiteral("priority"), p.priority},
            {QStringLiteral("category"), p.category},
            {QStringLiteral("link"), p.link},
            {QStringLiteral("actions"), p.actions},
            {QStringLiteral("source"), p.source},
            {QStringLiteral("created_at"), static_cast<double>(p.createdAt)},
            {QStringLiteral("expires_at"), orNull(p.expiresAt)},
            {QStringLiteral("audience_id"), orNull(p.audienceId)},
            {QStringLiteral("thread_key"),
             p.threadKey.isEmpty() ? QJsonValue() : QJsonValue(p.threadKey)}});
    }
    auto insStmt = m_db.statement(
        "INSERT INTO notifications(id, service_id, idem_key, title, body, priority, category,"
        " link, actions, source, created_at, expires_at, audience_id, thread_key)"
        " SELECT x.id, x.service_id, x.idem_key, x.title, x.body, x.priority, x.category, x.link,"
        " x.actions, x.source, x.created_at, x.expires_at, x.audience_id, x.thread_key"
        " FROM json_to_recordset(CAST(? AS json)) AS x(id BIGINT, service_id BIGINT,"
        " idem_key TEXT, title TEXT, body TEXT, priority TEXT, category TEXT, link TEXT,"
        " actions TEXT, source TEXT, created_at BIGINT, expires_at BIGINT, audience_id BIGINT,"
        " thread_key TEXT) ORDER BY x.id ON CONFLICT DO NOTHING RETURNING id");
    QSqlQuery &ins = insStmt;
    ins.addBindValue(json(rows));
    if (!m_db.exec(ins))
        return sql::error(ins);
    QSet<qint64> inserted;
    while (ins.next())
        inserted.insert(ins.value(0).toLongLong());
    ins.finish();
    std::vector<int> stored;
    for (int slot : own) {
        PublishResult &r = m_results[static_cast<size_t>(slot)];
        if (inserted.contains(r.id)) {
            stored.push_back(slot);
            continue;
        }
        // Another node stored the same key after this job's lookup: answer with that one (the
        // id taken for this one stays a gap; ids are increasing, not gap-free).
        const Pending &p = m_pending[static_cast<size_t>(slot)];
        if (p.idem.isEmpty())
            return sql::err(proto::Err::Internal,
                            QStringLiteral("notification id %1 is already taken").arg(r.id));
        auto id = earlier(p);
        if (const StoreError *e = std::get_if<StoreError>(&id))
            return *e;
        r = PublishResult();
        r.id = std::get<qint64>(id);
        r.duplicate = true;
    }
    if (auto e = writeInbox(stored))
        return e;
    if (auto e = writeAudit(stored))
        return e;
    if (auto e = writeSteps(stored))
        return e;
    if (auto e = readBack(stored))
        return e;
    for (int i = 0; i < size(); ++i) {
        const int first = m_pending[static_cast<size_t>(i)].duplicateOf;
        if (first < 0)
            continue;
        PublishResult &r = m_results[static_cast<size_t>(i)];
        r.id = m_results[static_cast<size_t>(first)].id;
        r.duplicate = true;
    }
    return {};
}

std::optional<StoreError> PublishBatch::writeInbox(const std::vector<int> &stored)
{
    QJsonArray rows;
    for (int slot : stored)
        for (qint64 user : std::as_const(m_pending[static_cast<size_t>(slot)].personal))
            rows.append(
                QJsonObject{{QStringLiteral("u"), static_cast<double>(user)},
                            {QStringLiteral("n"),
                             static_cast<double>(m_results[static_cast<size_t>(slot)].id)}});
    if (rows.isEmpty())
        return {};
    auto stmt = m_db.statement("INSERT INTO inbox(user_id, notif_id) SELECT x.u, x.n"
                               " FROM json_to_recordset(CAST(? AS json)) AS x(u BIGINT, n BIGINT)");
    QSqlQuery &q = stmt;
    q.addBindValue(json(rows));
    if (!m_db.exec(q))
        return sql::error(q);
    return {};
}

std::optional<StoreError> PublishBatch::writeAudit(const std::vector<int> &stored)
{
    // As AuditRepository::record(..., "published", Actor::Service, ...) writes one: the service's
    // name as it is now.
    QJsonArray rows;
    for (int slot : stored) {
        const Pending &p = m_pending[static_cast<size_t>(slot)];
        rows.append(QJsonObject{
            {QStringLiteral("n"), static_cast<double>(m_results[static_cast<size_t>(slot)].id)},
            {QStringLiteral("at"), static_cast<double>(p.createdAt)},
            {QStringLiteral("s"), static_cast<double>(p.serviceId)},
            {QStringLiteral("d"), QStringLiteral("to %1 people").arg(p.userIds.size())}});
    }
    auto stmt = m_db.statement(
        "INSERT INTO audit(notif_id, at, event, actor_kind, actor, device, detail)"
        " SELECT x.n, x.at, 'published', 'service',"
        " COALESCE((SELECT name FROM services WHERE id=x.s), ''), NULL, x.d"
        " FROM json_to_recordset(CAST(? AS json)) AS x(n BIGINT, at BIGINT, s BIGINT, d TEXT)"
        " ORDER BY x.n");
    QSqlQuery &q = stmt;
    q.addBindValue(json(rows));
    if (!m_db.exec(q))
        return sql::error(q);
    return {};
}

std::optional<StoreError> PublishBatch::writeSteps(const std::vector<int> &stored)
{
    QJsonArray rows;
    for (int slot : stored) {
        const Pending &p = m_pending[static_cast<size_t>(slot)];
        for (qsizetype i = 0; i < p.steps.size(); ++i) {
            const Step &s = p.steps[i];
            rows.append(QJsonObject{
                {QStringLiteral("n"), static_cast<double>(m_results[static_cast<size_t>(slot)].id)},
                {QStringLiteral("step"), static_cast<int>(i + 1)},
                {QStringLiteral("due"), static_cast<double>(s.dueAt)},
                {QStringLiteral("kind"),
                 s.remind ? QStringLiteral("remind") : QStringLiteral("escalate")},
                {QStringLiteral("g"), sql::idsJson(s.groups)},
                {QStringLiteral("u"), sql::idsJson(s.users)}});
        }
    }
    if (rows.isEmpty())
        return {};
    auto stmt = m_db.statement(
        "INSERT INTO escalation_steps(notif_id, step, due_at, kind, groups, users)"
        " SELECT x.n, x.step, x.due, x.kind, x.g, x.u FROM json_to_recordset(CAST(? AS json))"
        " AS x(n BIGINT, step INTEGER, due BIGINT, kind TEXT, g TEXT, u TEXT)");
    QSqlQuery &q = stmt;
    q.addBindValue(json(rows));
    if (!m_db.exec(q))
        return sql::error(q);
    return {};
}

std::optional<StoreError> PublishBatch::readBack(const std::vector<int> &stored)
{
    if (stored.empty())
        return {};
    QList<qint64> ids;
    std::unordered_map<qint64, int> slotOf;
    for (int slot : stored) {
        ids << m_results[static_cast<size_t>(slot)].id;
        slotOf[ids.last()] = slot;
    }
    auto stmt = m_db.statement(
        QString::fromLatin1(NotifCols) +
        QStringLiteral(" FROM notifications n JOIN services s ON s.id=n.service_id WHERE n.id IN"
                       " (SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(? AS"
                       " json)))"));
    QSqlQuery &q = stmt;
    q.addBindValue(sql::idsJson(ids));
    if (!m_db.exec(q))
        return sql::error(q);
    qsizetype found = 0;
    while (q.next()) {
        NotificationRow row = readNotification(q);
        const auto it = slotOf.find(row.id);
        if (it == slotOf.end())
            continue;
        PublishResult &r = m_results[static_cast<size_t>(it->second)];
        r.notification = std::move(row);
        r.notification.read = false;
        r.userIds = m_pending[static_cast<size_t>(it->second)].userIds;
        ++found;
    }
    if (found != ids.size())
        return sql::err(proto::Err::Internal,
                        QStringLiteral("%1 of %2 notifications just written cannot be read back")
                            .arg(ids.size() - found)
                            .arg(ids.size()));
    return {};
}

PublishResult PublishBatch::result(int slot) const
{
    if (slot < 0 || static_cast<size_t>(slot) >= m_results.size())
        return {};
    return m_results[static_cast<size_t>(slot)];
}

} // namespace herald
