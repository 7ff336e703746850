// RoomRepository: edits, deletions and reactions of chat messages (schema version 14).
//
// Each change is a change record, a row of `messages` with the room's next sequence number
// (kind 1 edit, 2 deletion, 3/4 reaction added/taken back; `target` the message it changes), so
// that resume and gap fills replay it in order, exactly once, like a message; unread counts skip
// them (kind <> 0). The message's own row carries its current state (text, edited_at,
// deleted_at), which is what history returns; message_reactions holds who reacts with what now.
#include "roomrepository.h"

#include "sqlconnection.h"

#include <herald/protocol.h>

namespace herald {

using sql::err;

std::optional<StoreError> RoomRepository::checkTarget(qint64 roomId, qint64 target, qint64 userId,
                                                      bool othersToo)
{
    auto qStmt = m_db.statement(
        "SELECT sender_id, kind, deleted_at FROM messages WHERE room_id=? AND seq=?");
    QSqlQuery &q = qStmt;
    q.addBindValue(roomId);
    q.addBindValue(target);
    if (!m_db.exec(q))
        return sql::error(q);
    if (!q.next() || q.value(1).toInt() != MessageRow::Message)
        return err(proto::Err::NotFound, QStringLiteral("no message %1 in this room").arg(target),
                   QStringLiteral("seq"));
    const bool own = q.value(0).toLongLong() == userId;
    const bool deleted = !q.value(2).isNull();
    q.finish();
    if (!own && !othersToo)
        return err(proto::Err::Forbidden, QStringLiteral("message %1 is not yours").arg(target),
                   QStringLiteral("seq"));
    if (deleted)
        return err(proto::Err::Gone, QStringLiteral("message %1 was deleted").arg(target),
                   QStringLiteral("seq"));
    return {};
}

std::variant<qint64, StoreError> RoomRepository::appendChange(qint64 roomId, qint64 userId,
                                                              int kind, qint64 target,
                                                              const QString &text, qint64 ts)
{
    // Numbered like a message (storeMessage): the counter and the row in one transaction.
    const auto next = nextSeq(roomId);
    if (const StoreError *e = std::get_if<StoreError>(&next))
        return *e;
    const qint64 n = std::get<qint64>(next);
    auto insStmt = m_db.statement(
        "INSERT INTO messages(room_id, seq, sender_id, client_id, text, ts, kind, target)"
        " VALUES(?,?,?,'',?,?,?,?)");
    QSqlQuery &ins = insStmt;
    ins.addBindValue(roomId);
    ins.addBindValue(n);
    ins.addBindValue(userId);
    ins.addBindValue(m_db.text(text));
    ins.addBindValue(ts);
    ins.addBindValue(kind);
    ins.addBindValue(target);
    if (!m_db.exec(ins))
        return sql::error(ins);
    return n;
}

namespace {
/** @brief Runs an UPDATE of the message (sqlText ends "room_id=? AND seq=? AND deleted_at IS
 *  NULL"; values bind before those two); gone when it matched nothing. */
std::optional<StoreError> changeUndeleted(SqlConnection &db, qint64 roomId, qint64 target,
                                          const char *sqlText, const QVariantList &values)
{
    // Conditional on the message not being deleted: on PostgreSQL a deletion committed by
    // another node meanwhile makes this match nothing (it waits for that row), so an edit
    // cannot bring back a deleted text, nor two deletions both succeed.
    auto stmt = db.statement(sqlText);
    QSqlQuery &q = stmt;
    for (const QVariant &v : values)
        q.addBindValue(v);
    q.addBindValue(roomId);
    q.addBindValue(target);
    if (!db.exec(q))
        return sql::error(q);
    if (q.numRowsAffected() != 1)
        return err(proto::Err::Gone, QStringLiteral("message %1 was deleted").arg(target),
                   QStringLiteral("seq"));
    return {};
}
} // namespace

std::variant<MessageChange, StoreError> RoomRepository::editMessage(qint64 roomId, qint64 target,
                                                                    qint64 userId,
                                                                    const QString &text, qint64 now)
{
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    if (auto e = checkTarget(roomId, target, userId, false))
        return *e;
    if (auto e = changeUndeleted(m_db, roomId, target,
                                 "UPDATE messages SET text=?, edited_at=? WHERE room_id=? AND seq=?"
                                 " AND deleted_at IS NULL",
                                 {m_db.text(text), now}))
        return *e;
    const auto n = appendChange(roomId, userId, MessageRow::Edit, target, text, now);
    if (const StoreError *e = std::get_if<StoreError>(&n))
        return *e;
    if (!tx.commit())
        return sql::error(tx.error());
    return MessageChange{std::get<qint64>(n), target, now};
}

std::variant<MessageChange, StoreError>
RoomRepository::deleteMessage(qint64 roomId, qint64 target, qint64 userId, bool anyone, qint64 now)
{
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    if (auto e = checkTarget(roomId, target, userId, anyone))
        return *e;
    if (auto e = changeUndeleted(m_db, roomId, target,
                                 "UPDATE messages SET text='', deleted_at=? WHERE room_id=? AND"
                                 " seq=? AND deleted_at IS NULL",
                                 {now}))
        return *e;
    const auto n = appendChange(roomId, userId, MessageRow::Delete, target, QString(), now);
    if (const StoreError *e = std::get_if<StoreError>(&n))
        return *e;
    // The text goes from the records of its edits too (a resume replays those with empty
    // text, then the deletion); so do its reactions.
    for (const char *sqlText :
         {"UPDATE messages SET text='' WHERE room_id=? AND target=? AND kind=1",
          "DELETE FROM message_reactions WHERE room_id=? AND seq=?"}) {
        auto stmt = m_db.statement(sqlText);
        QSqlQuery &q = stmt;
        q.addBindValue(roomId);
        q.addBindValue(target);
        if (!m_db.exec(q))
            return sql::error(q);
    }
    if (!tx.commit())
        return sql::error(tx.error());
    return MessageChange{std::get<qint64>(n), target, now};
}

std::variant<MessageChange, StoreError> RoomRepository::react(qint64 roomId, qint64 target,
                                                              qint64 userId, const QString &emoji,
                                                              bool on, qint64 now)
{
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    if (auto e = checkTarget(roomId, target, userId, true))
        return *e;
    auto stmt =
        m_db.statement(on ? "INSERT INTO message_reactions(room_id, seq, emoji, user_id, at)"
                            " VALUES(?,?,?,?,?) ON CONFLICT DO NOTHING"
                          : "DELETE FROM message_reactions WHERE room_id=? AND seq=? AND"
                            " emoji=? AND user_id=?");
    QSqlQuery &q = stmt;
    q.addBindValue(roomId);
    q.addBindValue(target);
    q.addBindValue(emoji);
    q.addBindValue(userId);
    if (on)
        q.addBindValue(now);
    if (!m_db.exec(q))
        return sql::error(q);
    if (q.numRowsAffected() != 1) {
        // Already so: nothing changes, nothing is numbered.
        if (!tx.commit())
            return sql::error(tx.error());
        return MessageChange{0, target, now};
    }
    const auto n = appendChange(roomId, userId, on ? MessageRow::ReactOn : MessageRow::ReactOff,
                                target, emoji, now);
    if (const StoreError *e = std::get_if<StoreError>(&n))
        return *e;
    if (!tx.commit())
        return sql::error(tx.error());
    return MessageChange{std::get<qint64>(n), target, now};
}

std::optional<StoreError> RoomRepository::addReactions(qint64 roomId, QList<MessageRow> &rows)
{
    qint64 first = 0;
    qint64 last = 0;
    for (const MessageRow &m : rows)
        if (!m.isChange()) {
            first = first ? std::min(first, m.seq) : m.seq;
            last = std::max(last, m.seq);
        }
    if (last == 0)
        return {};
    auto qStmt = m_db.statement(
        "SELECT r.seq, r.emoji, u.name FROM message_reactions r JOIN users u ON u.id=r.user_id"
        " WHERE r.room_id=? AND r.seq >= ? AND r.seq <= ? ORDER BY r.seq, r.at, r.user_id");
    QSqlQuery &q = qStmt;
    q.addBindValue(roomId);
    q.addBindValue(first);
    q.addBindValue(last);
    if (!m_db.exec(q))
        return sql::error(q);
    QHash<qint64, qsizetype> rowOf;
    for (qsizetype i = 0; i < rows.size(); ++i)
        if (!rows.at(i).isChange())
            rowOf.insert(rows.at(i).seq, i);
    while (q.next()) {
        const auto at = rowOf.constFind(q.value(0).toLongLong());
        if (at == rowOf.cend())
            continue;
        QList<ReactionRow> &reactions = rows[*at].reactions;
        const QString emoji = q.value(1).toString();
        auto it = std::find_if(reactions.begin(), reactions.end(),
                               [&](const ReactionRow &r) { return r.emoji == emoji; });
        if (it == reactions.end())
            it = reactions.insert(reactions.end(), ReactionRow{emoji, {}});
        it->people << q.value(2).toString();
    }
    return {};
}

} // namespace herald
