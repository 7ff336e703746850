#include "roomnotifyrepository.h"

#include "sqlconnection.h"

#include <herald/protocol.h>

namespace herald {

using sql::err;

std::variant<RoomNotifyLevel, StoreError>
RoomNotifyRepository::setLevel(qint64 userId, qint64 roomId, const RoomNotifyLevel &level)
{
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    auto memberStmt = m_db.statement("SELECT 1 FROM members WHERE room_id=? AND user_id=?");
    QSqlQuery &member = memberStmt;
    member.addBindValue(roomId);
    member.addBindValue(userId);
    if (!m_db.exec(member))
        return sql::error(member);
    if (!member.next())
        return err(proto::Err::Forbidden, QStringLiteral("you are not a member of this room"),
                   QStringLiteral("room"));
    member.finish();
    if (level.level.isEmpty()) {
        if (auto e = forget(userId, roomId))
            return *e;
    } else {
        auto upStmt =
            m_db.statement("INSERT INTO room_notify(user_id, room_id, level, until) VALUES(?,?,?,?)"
                           " ON CONFLICT(user_id, room_id) DO UPDATE SET level=excluded.level,"
                           " until=excluded.until");
        QSqlQuery &up = upStmt;
        up.addBindValue(userId);
        up.addBindValue(roomId);
        up.addBindValue(level.level);
        up.addBindValue(level.until ? QVariant(*level.until)
                                    : QVariant(QMetaType(QMetaType::LongLong)));
        if (!m_db.exec(up))
            return sql::error(up);
    }
    if (!tx.commit())
        return sql::error(tx.error());
    return level;
}

std::optional<StoreError> RoomNotifyRepository::forget(qint64 userId, qint64 roomId)
{
    auto qStmt = m_db.statement("DELETE FROM room_notify WHERE user_id=? AND room_id=?");
    QSqlQuery &q = qStmt;
    q.addBindValue(userId);
    q.addBindValue(roomId);
    if (!m_db.exec(q))
        return sql::error(q);
    return {};
}

QHash<qint64, RoomNotifyLevel> RoomNotifyRepository::levels(qint64 userId, qint64 now)
{
    QHash<qint64, RoomNotifyLevel> out;
    auto qStmt = m_db.statement("SELECT n.room_id, n.level, n.until FROM room_notify n"
                                " JOIN members m ON m.room_id=n.room_id AND m.user_id=n.user_id"
                                " WHERE n.user_id=? AND (n.until IS NULL OR n.until > ?)");
    QSqlQuery &q = qStmt;
    q.addBindValue(userId);
    q.addBindValue(now);
    if (!m_db.exec(q))
        return out;
    while (q.next()) {
        RoomNotifyLevel l{q.value(1).toString(), {}};
        if (!q.value(2).isNull())
            l.until = q.value(2).toLongLong();
        out.insert(q.value(0).toLongLong(), l);
    }
    return out;
}

} // namespace herald
