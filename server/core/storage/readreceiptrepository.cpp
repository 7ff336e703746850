#include "readreceiptrepository.h"

#include "sqlconnection.h"

namespace herald {

std::variant<bool, StoreError> ReadReceiptRepository::setSending(qint64 userId, bool send)
{
    auto upStmt = m_db.statement("INSERT INTO receipt_settings(user_id, send) VALUES(?,?)"
                                 " ON CONFLICT(user_id) DO UPDATE SET send=excluded.send");
    QSqlQuery &up = upStmt;
    up.addBindValue(userId);
    up.addBindValue(send ? 1 : 0);
    if (!m_db.exec(up))
        return sql::error(up);
    return send;
}

bool ReadReceiptRepository::sending(qint64 userId)
{
    auto qStmt = m_db.statement("SELECT send FROM receipt_settings WHERE user_id=?");
    QSqlQuery &q = qStmt;
    q.addBindValue(userId);
    if (!m_db.exec(q) || !q.next())
        return true; // no row: the default
    return q.value(0).toInt() != 0;
}

QHash<qint64, qint64> ReadReceiptRepository::positions(qint64 roomId)
{
    QHash<qint64, qint64> out;
    auto qStmt = m_db.statement("SELECT rr.user_id, rr.seq FROM room_reads rr JOIN members m ON"
                                " m.room_id=rr.room_id AND m.user_id=rr.user_id"
                                " LEFT JOIN receipt_settings s ON s.user_id=rr.user_id"
                                " WHERE rr.room_id=? AND COALESCE(s.send, 1) <> 0");
    QSqlQuery &q = qStmt;
    q.addBindValue(roomId);
    if (!m_db.exec(q))
        return out;
    while (q.next())
        out.insert(q.value(0).toLongLong(), q.value(1).toLongLong());
    return out;
}

} // namespace herald
