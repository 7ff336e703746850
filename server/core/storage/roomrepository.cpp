#include "roomrepository.h"

#include "mentionrepository.h"
#include "peoplerepository.h"
#include "sqlconnection.h"

#include <herald/protocol.h>

#include <limits>

namespace herald {

using sql::err;

namespace {

RoomRow readRoom(const QSqlQuery &q)
{
    return {q.value(0).toLongLong(), q.value(1).toString(),   q.value(2).toString(),
            q.value(3).toString(),   q.value(4).toLongLong(), {}};
}

} // namespace

// ------------------------------------------------------------------ rooms

std::variant<qint64, StoreError>
RoomRepository::createRoom(const QString &name, const QString &title, const QString &kind)
{
    if (kind != QLatin1String("dm") &&
        (!proto::isValidName(name) || name.startsWith(QLatin1String("dm"))))
        return err(proto::Err::BadValue,
                   QStringLiteral("room name must be 1-64 of a-z 0-9 . _ - (not starting with dm)"),
                   QStringLiteral("name"));
    if (kind != QLatin1String("public") && kind != QLatin1String("private") &&
        kind != QLatin1String("dm"))
        return err(proto::Err::BadValue, QStringLiteral("room kind must be public or private"),
                   QStringLiteral("kind"));
    if (title.size() > 200)
        return err(proto::Err::TooLong, QStringLiteral("title is longer than 200"),
                   QStringLiteral("title"));
    return m_db.insertReturningId(
        "INSERT INTO rooms(name, title, kind, created_at) VALUES(?,?,?,?) RETURNING id",
        {name, sql::nn(title), kind, sql::nowMs()},
        err(proto::Err::Conflict, QStringLiteral("room '%1' already exists").arg(name),
            QStringLiteral("name")));
}

std::optional<StoreError> RoomRepository::deleteRoom(const QString &name)
{
    return m_db.deleteByName("rooms", "room", name);
}

QList<RoomRow> RoomRepository::rooms()
{
    QHash<qint64, RoomRow> byId;
    QList<qint64> order;
    auto qStmt = m_db.statement("SELECT id, name, title, kind, last_seq FROM rooms ORDER BY name");
    QSqlQuery &q = qStmt;
    m_db.exec(q);
    while (q.next()) {
        const RoomRow r = readRoom(q);
        order << r.id;
        byId.insert(r.id, r);
    }
    auto mStmt = m_db.statement("SELECT room_id, user_id FROM members");
    QSqlQuery &m = mStmt;
    m_db.exec(m);
    while (m.next()) {
        auto it = byId.find(m.value(0).toLongLong());
        if (it != byId.end())
            it->members << m.value(1).toLongLong();
    }
    QList<RoomRow> out;
    for (qint64 id : order)
        out << byId.value(id);
    return out;
}

QHash<qint64, qint64> RoomRepository::roomSeqs()
{
    QHash<qint64, qint64> out;
    auto qStmt = m_db.statement("SELECT id, last_seq FROM rooms");
    QSqlQuery &q = qStmt;
    m_db.exec(q);
    while (q.next())
        out.insert(q.value(0).toLongLong(), q.value(1).toLongLong());
    return out;
}

std::optional<RoomRow> RoomRepository::room(const QString &name)
{
    auto qStmt = m_db.statement("SELECT id, name, title, kind, last_seq FROM rooms WHERE name=?");
    QSqlQuery &q = qStmt;
    q.addBindValue(name);
    if (!m_db.exec(q) || !q.next())
        return {};
    RoomRow r = readRoom(q);
    auto mStmt = m_db.statement("SELECT user_id FROM members WHERE room_id=?");
    QSqlQuery &m = mStmt;
    m.addBindValue(r.id);
    m_db.exec(m);
    while (m.next())
        r.members << m.value(0).toLongLong();
    return r;
}

std::optional<StoreError> RoomRepository::addMember(qint64 roomId, qint64 userId)
{
    auto qStmt = m_db.statement(
        "INSERT INTO members(room_id, user_id, joined_at) VALUES(?,?,?) ON CONFLICT DO NOTHING");
    QSqlQuery &q = qStmt;
    q.addBindValue(roomId);
    q.addBindValue(userId);
    q.addBindValue(sql::nowMs());
    if (!m_db.exec(q))
        return sql::error(q);
    if (q.numRowsAffected() != 1)
        return {}; // a member already
    // A new member has read everything before their arrival (a row left from a room that had
    // this id before is replaced).
    auto rStmt = m_db.statement(
        "INSERT INTO room_reads(user_id, room_id, seq, at) SELECT CAST(? AS BIGINT), id, last_seq,"
        " CAST(? AS BIGINT) FROM rooms WHERE id=? ON CONFLICT(user_id, room_id)"
        " DO UPDATE SET seq=excluded.seq, at=excluded.at");
    QSqlQuery &r = rStmt;
    r.addBindValue(userId);
    r.addBindValue(sql::nowMs());
    r.addBindValue(roomId);
    if (!m_db.exec(r))
        return sql::error(r);
    return {};
}

namespace {
/** @brief The SQL of a read mark's unread count (placeholders: none; aliases rr for room_reads):
 *  messages of others after it, counted up to ReadMark::CountCap. Change records (edits,
 *  deletions, reactions: kind <> 0) are not messages and never count, nor deleted messages. */
const char *const UnreadAfterMark =
    "(SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE m.room_id=rr.room_id"
    " AND m.seq > rr.seq AND m.sender_id <> rr.user_id AND m.kind=0 AND m.deleted_at IS NULL"
    " LIMIT 1000) AS x)";
} // namespace

std::variant<ReadMark, StoreError> RoomRepository::setReadMark(qint64 userId, qint64 roomId,
                                                               qint64 seq, qint64 now)
{
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    // Never past the room's last message, never backwards (another device may be ahead).
    auto upStmt = m_db.statement(
        "INSERT INTO room_reads(user_id, room_id, seq, at) SELECT CAST(? AS BIGINT), r.id,"
        " CASE WHEN CAST(? AS BIGINT) < r.last_seq THEN CAST(? AS BIGINT) ELSE r.last_seq END,"
        " CAST(? AS BIGINT) FROM rooms r JOIN members m ON m.room_id=r.id AND m.user_id=? WHERE "
        "r.id=?"
        " ON CONFLICT(user_id, room_id) DO UPDATE SET seq=excluded.seq, at=excluded.at"
        " WHERE excluded.seq > room_reads.seq");
    QSqlQuery &up = upStmt;
    up.addBindValue(userId);
    up.addBindValue(seq);
    up.addBindValue(seq);
    up.addBindValue(now);
    up.addBindValue(userId);
    up.addBindValue(roomId);
    if (!m_db.exec(up))
        return sql::error(up);
    const bool moved = up.numRowsAffected() > 0;
    auto qStmt = m_db.statement(QStringLiteral("SELECT rr.seq, (SELECT last_seq FROM rooms"
                                               " WHERE id=rr.room_id), ") +
                                QLatin1String(UnreadAfterMark) + QLatin1Char(',') +
                                MentionRepository::countAfterMarkSql() +
                                QStringLiteral(" FROM room_reads rr JOIN members m ON"
                                               " m.room_id=rr.room_id AND m.user_id=rr.user_id"
                                               " WHERE rr.user_id=? AND rr.room_id=?"));
    QSqlQuery &q = qStmt;
    q.addBindValue(userId);
    q.addBindValue(roomId);
    if (!m_db.exec(q))
        return sql::error(q);
    if (!q.next())
        return err(proto::Err::Forbidden, QStringLiteral("you are not a member of this room"),
                   QStringLiteral("room"));
    ReadMark mark{q.value(0).toLongLong(), q.value(2).toLongLong(), q.value(1).toLongLong(), moved};
    mark.mentions = q.value(3).toLongLong();
    q.finish();
    if (!tx.commit())
        return sql::error(tx.error());
    return mark;
}

QHash<qint64, ReadMark> RoomRepository::readMarks(qint64 userId)
{
    QHash<qint64, ReadMark> out;
    auto qStmt = m_db.statement(QStringLiteral("SELECT rr.room_id, rr.seq, (SELECT last_seq FROM"
                                               " rooms WHERE id=rr.room_id), ") +
                                QLatin1String(UnreadAfterMark) + QLatin1Char(',') +
                                MentionRepository::countAfterMarkSql() +
                                QStringLiteral(" FROM room_reads rr JOIN members m ON"
                                               " m.room_id=rr.room_id AND m.user_id=rr.user_id"
                                               " WHERE rr.user_id=?"));
    QSqlQuery &q = qStmt;
    q.addBindValue(userId);
    if (!m_db.exec(q))
        return out;
    while (q.next()) {
        ReadMark mark{q.value(1).toLongLong(), q.value(3).toLongLong(), q.value(2).toLongLong()};
        mark.mentions = q.value(4).toLongLong();
        out.insert(q.value(0).toLongLong(), mark);
    }
    return out;
}

std::optional<StoreError> RoomRepository::removeMember(qint64 roomId, qint64 userId)
{
    auto qStmt = m_db.statement("DELETE FROM members WHERE room_id=? AND user_id=?");
    QSqlQuery &q = qStmt;
    q.addBindValue(roomId);
    q.addBindValue(userId);
    if (!m_db.exec(q))
        return sql::error(q);
    auto rStmt = m_db.statement("DELETE FROM room_reads WHERE room_id=? AND user_id=?");
    QSqlQuery &r = rStmt;
    r.addBindValue(roomId);
    r.addBindValue(userId);
    if (!m_db.exec(r))
        return sql::error(r);
    return {};
}

std::variant<RoomRow, StoreError> RoomRepository::openDm(qint64 a, qint64 b)
{
    const auto ua = m_people.userById(a);
    const auto ub = m_people.userById(b);
    if (!ua || !ub)
        return err(proto::Err::NotFound, QStringLiteral("no such user"), QStringLiteral("user"));
    const QString first = std::min(ua->name, ub->name);
    const QString second = std::max(ua->name, ub->name);
    const QString name = QStringLiteral("dm:") + first + QLatin1Char(':') + second;
    if (auto r = room(name))
        return *r;
    Atomic tx(m_db, Atomic::Savepoint); // survives a conflicting createRoom on PostgreSQL
    if (!tx.ok())
        return sql::error(tx.error());
    auto id = createRoom(name, QString(), QStringLiteral("dm"));
    if (auto *e = std::get_if<StoreError>(&id)) {
        tx.rollback();
        if (e->code == QLatin1String(proto::Err::Conflict)) // opened on another node just now
            if (auto r = room(name))
                return *r;
        return *e;
    }
    for (qint64 u : {a, b})
        if (auto e = addMember(std::get<qint64>(id), u))
            return *e;
    if (!tx.commit())
        return sql::error(tx.error());
    return *room(name);
}

// ------------------------------------------------------------------ messages

std::optional<StoreError> RoomRepository::findDuplicate(qint64 roomId, qint64 senderId,
                                                        const QString &clientId,
                                                        StoredMessage *found)
{
    auto dupStmt = m_db.statement(
        "SELECT seq, ts FROM messages WHERE room_id=? AND sender_id=? AND client_id=? AND kind=0");
    QSqlQuery &dup = dupStmt;
    dup.addBindValue(roomId);
    dup.addBindValue(senderId);
    dup.addBindValue(clientId);
    if (!m_db.exec(dup))
        return sql::error(dup);
    if (dup.next())
        *found = StoredMessage{dup.value(0).toLongLong(), dup.value(1).toLongLong(), true};
    return {};
}

std::variant<qint64, StoreError> RoomRepository::nextSeq(qint64 roomId)
{
    // The room's counter advances in the caller's transaction, with the insert: gap-free,
    // commit-ordered. On PostgreSQL the row lock queues writers from every node until it ends.
    auto seqStmt =
        m_db.statement("UPDATE rooms SET last_seq = last_seq + 1 WHERE id=? RETURNING last_seq");
    QSqlQuery &seq = seqStmt;
    seq.addBindValue(roomId);
    if (!m_db.exec(seq))
        return sql::error(seq);
    if (!seq.next())
        return err(proto::Err::NotFound, QStringLiteral("room is gone"), QStringLiteral("room"));
    const qint64 n = seq.value(0).toLongLong();
    seq.finish();
    return n;
}

std::variant<StoredMessage, StoreError> RoomRepository::storeMessage(qint64 roomId, qint64 senderId,
                                                                     const QString &clientId,
                                                                     const QString &text, qint64 ts)
{
    StoredMessage found;
    if (auto e = findDuplicate(roomId, senderId, clientId, &found))
        return *e;
    if (found.duplicate)
        return found;
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    const auto next = nextSeq(roomId);
    if (const StoreError *e = std::get_if<StoreError>(&next))
        return *e;
    const qint64 n = std::get<qint64>(next);
    auto insStmt =
        m_db.statement("INSERT INTO messages(room_id, seq, sender_id, client_id, text, ts)"
                       " VALUES(?,?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING seq");
    QSqlQuery &ins = insStmt;
    ins.addBindValue(roomId);
    ins.addBindValue(n);
    ins.addBindValue(senderId);
    ins.addBindValue(clientId);
    ins.addBindValue(m_db.text(text));
    ins.addBindValue(ts);
    if (!m_db.exec(ins))
        return sql::error(ins);
    if (!ins.next()) {
        // The same retry was stored through another node after our lookup (it committed while
        // we waited for the room's row). We still hold the row: give our number back, so no
        // gap, and answer with the copy that won.
        ins.finish();
        auto backStmt =
            m_db.statement("UPDATE rooms SET last_seq = last_seq - 1 WHERE id=? AND last_seq=?");
        QSqlQuery &back = backStmt;
        back.addBindValue(roomId);
        back.addBindValue(n);
        if (!m_db.exec(back) || back.numRowsAffected() != 1)
            return sql::error(back);
        if (auto e = findDuplicate(roomId, senderId, clientId, &found))
            return *e;
        if (!found.duplicate)
            return err(proto::Err::Internal,
                       QStringLiteral("message %1 of the room is already taken").arg(n));
        if (!tx.commit())
            return sql::error(tx.error());
        return found;
    }
    ins.finish(); // SQLite does not commit while a statement (RETURNING) is still open
    if (!tx.commit())
        return sql::error(tx.error());
    return StoredMessage{n, ts, false};
}

QList<MessageRow> RoomRepository::history(qint64 roomId, qint64 before, qint64 after, int limit,
                                          bool *hasMore, bool oldestFirst)
{
    // Newest page below `before` unless only `after` is given (then oldest page above it).
    const bool forward = oldestFirst || (after > 0 && before <= 0);
    return rows(roomId, before, after, limit, hasMore, forward, false);
}

QList<MessageRow> RoomRepository::stream(qint64 roomId, qint64 after, int limit, bool *hasMore)
{
    return rows(roomId, 0, after, limit, hasMore, true, true);
}

QList<MessageRow> RoomRepository::rows(qint64 roomId, qint64 before, qint64 after, int limit,
                                       bool *hasMore, bool forward, bool changes)
{
    auto qStmt = m_db.statement(
        QStringLiteral("SELECT m.seq, u.name, m.text, m.ts, m.client_id, r.name, m.kind,"
                       " m.target, m.edited_at, m.deleted_at FROM messages m"
                       " JOIN users u ON u.id = m.sender_id JOIN rooms r ON r.id = m.room_id"
                       " WHERE m.room_id=? AND m.seq > ? AND m.seq < ?") +
        (changes ? QString() : QStringLiteral(" AND m.kind=0")) +
        QStringLiteral(" ORDER BY m.seq ") +
        (forward ? QStringLiteral("ASC") : QStringLiteral("DESC")) + QStringLiteral(" LIMIT ?"));
    QSqlQuery &q = qStmt;
    q.addBindValue(roomId);
    q.addBindValue(std::max<qint64>(after, 0));
    q.addBindValue(before > 0 ? before : std::numeric_limits<qint64>::max());
    q.addBindValue(limit + 1);
    m_db.exec(q);
    QList<MessageRow> rows;
    while (q.next()) {
        MessageRow m{q.value(5).toString(), q.value(0).toLongLong(), q.value(1).toString(),
                     q.value(2).toString(), q.value(3).toLongLong(), q.value(4).toString()};
        m.kind = q.value(6).toInt();
        m.target = q.value(7).toLongLong();
        m.editedAt = q.value(8).toLongLong();
        m.deleted = !q.value(9).isNull();
        rows << m;
    }
    q.finish();
    if (hasMore)
        *hasMore = rows.size() > limit;
    if (rows.size() > limit)
        rows.removeLast();
    if (!forward)
        std::reverse(rows.begin(), rows.end());
    addReactions(roomId, rows);
    return rows;
}

} // namespace herald
