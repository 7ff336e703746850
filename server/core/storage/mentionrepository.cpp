#include "mentionrepository.h"

#include "sqlconnection.h"

#include <QHash>

#include <algorithm>

namespace herald {

namespace {
/** @brief The user id that stands for @room in message_mentions (no person has id 0). */
constexpr qint64 EveryoneId = 0;
} // namespace

std::optional<StoreError> MentionRepository::record(qint64 roomId, qint64 seq,
                                                    const MentionSet &mentions)
{
    QList<qint64> ids = mentions.userIds;
    if (mentions.everyone)
        ids.prepend(EveryoneId);
    for (qint64 userId : ids) {
        auto qStmt = m_db.statement("INSERT INTO message_mentions(room_id, seq, user_id)"
                                    " VALUES(?,?,?) ON CONFLICT DO NOTHING");
        QSqlQuery &q = qStmt;
        q.addBindValue(roomId);
        q.addBindValue(seq);
        q.addBindValue(userId);
        if (!m_db.exec(q))
            return sql::error(q);
    }
    return {};
}

void MentionRepository::attach(qint64 roomId, QList<MessageRow> &rows)
{
    if (rows.isEmpty())
        return;
    qint64 lo = rows.first().seq;
    qint64 hi = lo;
    QHash<qint64, qsizetype> bySeq;
    for (qsizetype i = 0; i < rows.size(); ++i) {
        lo = std::min(lo, rows[i].seq);
        hi = std::max(hi, rows[i].seq);
        bySeq.insert(rows[i].seq, i);
    }
    auto qStmt = m_db.statement(
        "SELECT mm.seq, mm.user_id, u.name FROM message_mentions mm"
        " LEFT JOIN users u ON u.id = mm.user_id"
        " WHERE mm.room_id=? AND mm.seq >= ? AND mm.seq <= ? ORDER BY mm.seq, u.name");
    QSqlQuery &q = qStmt;
    q.addBindValue(roomId);
    q.addBindValue(lo);
    q.addBindValue(hi);
    if (!m_db.exec(q))
        return;
    while (q.next()) {
        const auto it = bySeq.constFind(q.value(0).toLongLong());
        if (it == bySeq.cend())
            continue;
        MessageRow &row = rows[*it];
        if (row.deleted)
            continue; // a deleted message mentions no one any more
        if (q.value(1).toLongLong() == EveryoneId)
            row.mentionsRoom = true;
        else if (!q.value(2).isNull())
            row.mentions << q.value(2).toString();
    }
}

QString MentionRepository::countAfterMarkSql()
{
    // DISTINCT: a message that mentions someone by name and @room counts once. A deleted
    // message mentions no one any more.
    return QStringLiteral("(SELECT COUNT(*) FROM (SELECT DISTINCT mm.seq FROM message_mentions mm"
                          " JOIN messages m ON m.room_id=mm.room_id AND m.seq=mm.seq"
                          " WHERE mm.room_id=rr.room_id AND mm.seq > rr.seq"
                          " AND mm.user_id IN (0, rr.user_id) AND m.sender_id <> rr.user_id"
                          " AND m.deleted_at IS NULL"
                          " LIMIT %1) AS mx)")
        .arg(ReadMark::CountCap);
}

} // namespace herald
