#include "audiences.h"

#include "sqlconnection.h"

namespace herald::audiences {

namespace {

// Marks these audiences stale and forgets which groups they came from (only current audiences
// are found through audience_groups).
std::optional<StoreError> markStale(SqlConnection &db, const QList<qint64> &ids)
{
    if (ids.isEmpty())
        return {};
    const QString in = QString::fromLatin1(idsFromJson(db.isPostgres()));
    QSqlQuery stale = db.prepare(QStringLiteral("UPDATE audiences SET stale=1 WHERE id IN (") + in +
                                 QStringLiteral(")"));
    stale.addBindValue(sql::idsJson(ids));
    if (!db.exec(stale))
        return sql::error(stale);
    QSqlQuery forget =
        db.prepare(QStringLiteral("DELETE FROM audience_groups WHERE audience_id IN (") + in +
                   QStringLiteral(")"));
    forget.addBindValue(sql::idsJson(ids));
    if (!db.exec(forget))
        return sql::error(forget);
    return {};
}

std::variant<QList<qint64>, StoreError> ids(SqlConnection &db, QSqlQuery &q)
{
    if (!db.exec(q))
        return sql::error(q);
    QList<qint64> out;
    while (q.next())
        out << q.value(0).toLongLong();
    return out;
}

} // namespace

const char *idsFromJson(bool postgres)
{
    return postgres ? "SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(? AS json))"
                    : "SELECT value FROM json_each(?)";
}

QString sourceKey(bool everyone, const QList<qint64> &groupIds)
{
    if (everyone)
        return QStringLiteral("everyone");
    QString key = QStringLiteral("g:");
    for (qsizetype i = 0; i < groupIds.size(); ++i) {
        if (i > 0)
            key += QLatin1Char(',');
        key += QString::number(groupIds[i]);
    }
    return key;
}

std::optional<StoreError> groupChanged(SqlConnection &db, qint64 groupId)
{
    // The group's row first: a node building a snapshot of this group waits for us, or we for it.
    QSqlQuery lock = db.prepare("UPDATE groups SET version = version + 1 WHERE id=?");
    lock.addBindValue(groupId);
    if (!db.exec(lock))
        return sql::error(lock);
    QSqlQuery current = db.prepare("SELECT audience_id FROM audience_groups WHERE group_id=?");
    current.addBindValue(groupId);
    auto found = ids(db, current);
    if (auto *e = std::get_if<StoreError>(&found))
        return *e;
    return markStale(db, std::get<QList<qint64>>(found));
}

std::optional<StoreError> personChanged(SqlConnection &db, qint64 userId)
{
    // Lock order, everywhere: the people row, then groups, then audiences.
    QSqlQuery people = db.prepare("UPDATE counters SET v = v + 1 WHERE name='people'");
    if (!db.exec(people))
        return sql::error(people);
    QSqlQuery groups = db.prepare("UPDATE groups SET version = version + 1 WHERE id IN"
                                  " (SELECT group_id FROM group_members WHERE user_id=?)");
    groups.addBindValue(userId);
    if (!db.exec(groups))
        return sql::error(groups);
    QSqlQuery current =
        db.prepare("SELECT ag.audience_id FROM audience_groups ag JOIN group_members m"
                   " ON m.group_id=ag.group_id WHERE m.user_id=?"
                   " UNION SELECT id FROM audiences WHERE source_key='everyone' AND stale=0");
    current.addBindValue(userId);
    auto found = ids(db, current);
    if (auto *e = std::get_if<StoreError>(&found))
        return *e;
    return markStale(db, std::get<QList<qint64>>(found));
}

} // namespace herald::audiences
