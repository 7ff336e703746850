// File attachments (schema version 16): the rows. See filerepository.h; the bytes are
// FileStore's (core/features/filestore.cpp).
#include "filerepository.h"

#include "sqlconnection.h"

#include <herald/protocol.h>

#include <QHash>

namespace herald {

using sql::err;

namespace {
/** @brief The SQL condition of a file retention removes (placeholder: the orphan cut-off), over
 *  `files` aliased f. */
const char *const Purgeable = "NOT EXISTS (SELECT 1 FROM message_files mf WHERE mf.file_id=f.id)"
                              " AND (f.attached=1 OR f.created_at < ?)";
} // namespace

std::variant<FileRow, StoreError>
FileRepository::recordUpload(const FileRow &file, qint64 userId, qint64 now,
                             const std::function<std::optional<StoreError>()> &placeBytes)
{
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    // The same bytes again: the row is refreshed (a new orphan period), and a file attached
    // before counts as attached only while a message still carries it.
    auto upStmt = m_db.statement(
        "INSERT INTO files(id, size, type, uploader, created_at, attached) VALUES(?,?,?,?,?,0)"
        " ON CONFLICT(id) DO UPDATE SET created_at=excluded.created_at,"
        " attached=CASE WHEN EXISTS (SELECT 1 FROM message_files mf WHERE mf.file_id=excluded.id)"
        " THEN 1 ELSE 0 END");
    QSqlQuery &up = upStmt;
    up.addBindValue(file.id);
    up.addBindValue(file.size);
    up.addBindValue(file.type);
    up.addBindValue(userId);
    up.addBindValue(now);
    if (!m_db.exec(up))
        return sql::error(up);
    auto byStmt = m_db.statement(
        "INSERT INTO file_uploads(file_id, user_id, uploaded_at) VALUES(?,?,?)"
        " ON CONFLICT(file_id, user_id) DO UPDATE SET uploaded_at=excluded.uploaded_at");
    QSqlQuery &by = byStmt;
    by.addBindValue(file.id);
    by.addBindValue(userId);
    by.addBindValue(now);
    if (!m_db.exec(by))
        return sql::error(by);
    // The row is locked now (PostgreSQL): a retention pass on another node that wanted to
    // remove these bytes either finished before (and the bytes placed now stay) or waits and
    // then finds the file fresh.
    if (placeBytes)
        if (auto e = placeBytes())
            return *e;
    auto qStmt =
        m_db.statement("SELECT id, size, type, uploader, created_at FROM files WHERE id=?");
    QSqlQuery &q = qStmt;
    q.addBindValue(file.id);
    if (!m_db.exec(q))
        return sql::error(q);
    if (!q.next())
        return err(proto::Err::Internal, QStringLiteral("the file's row is missing"));
    FileRow row{q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toString(),
                q.value(3).toLongLong(), q.value(4).toLongLong()};
    q.finish();
    if (!tx.commit())
        return sql::error(tx.error());
    return row;
}

std::variant<MessageFile, StoreError> FileRepository::attach(qint64 roomId, qint64 seq,
                                                             qint64 senderId, const QString &fileId,
                                                             const QString &name)
{
    auto qStmt =
        m_db.statement("SELECT f.size, f.type FROM files f JOIN file_uploads fu ON fu.file_id=f.id"
                       " AND fu.user_id=? WHERE f.id=?");
    QSqlQuery &q = qStmt;
    q.addBindValue(senderId);
    q.addBindValue(fileId);
    if (!m_db.exec(q))
        return sql::error(q);
    if (!q.next())
        return err(proto::Err::NotFound, QStringLiteral("no such file of yours: upload it first"),
                   QStringLiteral("file"));
    MessageFile out{fileId, name, q.value(0).toLongLong(), q.value(1).toString()};
    q.finish();
    auto insStmt =
        m_db.statement("INSERT INTO message_files(room_id, seq, file_id, name) VALUES(?,?,?,?)");
    QSqlQuery &ins = insStmt;
    ins.addBindValue(roomId);
    ins.addBindValue(seq);
    ins.addBindValue(fileId);
    ins.addBindValue(m_db.text(name));
    if (!m_db.exec(ins))
        return sql::error(ins);
    auto markStmt = m_db.statement("UPDATE files SET attached=1 WHERE id=? AND attached=0");
    QSqlQuery &mark = markStmt;
    mark.addBindValue(fileId);
    if (!m_db.exec(mark))
        return sql::error(mark);
    return out;
}

std::optional<StoreError> FileRepository::detach(qint64 roomId, qint64 seq)
{
    auto stmt = m_db.statement("DELETE FROM message_files WHERE room_id=? AND seq=?");
    QSqlQuery &q = stmt;
    q.addBindValue(roomId);
    q.addBindValue(seq);
    if (!m_db.exec(q))
        return sql::error(q);
    return {};
}

void FileRepository::fill(qint64 roomId, QList<MessageRow> &rows)
{
    qint64 lo = 0;
    qint64 hi = 0;
    QHash<qint64, qsizetype> bySeq;
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const MessageRow &m = rows.at(i);
        if (m.isChange() || m.deleted)
            continue;
        lo = lo ? std::min(lo, m.seq) : m.seq;
        hi = std::max(hi, m.seq);
        bySeq.insert(m.seq, i);
    }
    if (bySeq.isEmpty())
        return;
    auto qStmt = m_db.statement(
        "SELECT mf.seq, mf.file_id, mf.name, f.size, f.type FROM message_files mf"
        " JOIN files f ON f.id=mf.file_id WHERE mf.room_id=? AND mf.seq >= ? AND mf.seq <= ?");
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
        rows[*it].file = MessageFile{q.value(1).toString(), q.value(2).toString(),
                                     q.value(3).toLongLong(), q.value(4).toString()};
    }
}

std::optional<ReadableFile> FileRepository::readable(const QString &fileId, qint64 userId)
{
    // The name: of the newest message the person can see that carries it; for its uploader,
    // when no such message exists, of any message that carries it.
    auto qStmt = m_db.statement(
        "SELECT f.id, f.size, f.type, f.uploader, f.created_at,"
        " (SELECT mf.name FROM message_files mf JOIN members mb ON mb.room_id=mf.room_id"
        " AND mb.user_id=? JOIN messages m ON m.room_id=mf.room_id AND m.seq=mf.seq"
        " WHERE mf.file_id=f.id AND m.deleted_at IS NULL ORDER BY mf.room_id DESC, mf.seq DESC"
        " LIMIT 1),"
        " (SELECT COUNT(*) FROM file_uploads fu WHERE fu.file_id=f.id AND fu.user_id=?),"
        " (SELECT mf.name FROM message_files mf WHERE mf.file_id=f.id"
        " ORDER BY mf.room_id DESC, mf.seq DESC LIMIT 1)"
        " FROM files f WHERE f.id=?");
    QSqlQuery &q = qStmt;
    q.addBindValue(userId);
    q.addBindValue(userId);
    q.addBindValue(fileId);
    if (!m_db.exec(q) || !q.next())
        return {};
    const bool member = !q.value(5).isNull();
    const bool uploader = q.value(6).toLongLong() > 0;
    if (!member && !uploader)
        return {};
    ReadableFile out;
    out.file = FileRow{q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toString(),
                       q.value(3).toLongLong(), q.value(4).toLongLong()};
    out.name = member ? q.value(5).toString() : q.value(7).toString();
    return out;
}

std::variant<qint64, StoreError>
FileRepository::purge(qint64 orphanBefore, int batch,
                      const std::function<void(const QString &id)> &removeBytes)
{
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    QSqlQuery q = m_db.prepare(QStringLiteral("SELECT f.id FROM files f WHERE ") +
                               QLatin1String(Purgeable) + QStringLiteral(" ORDER BY f.id LIMIT ?"));
    q.addBindValue(orphanBefore);
    q.addBindValue(batch);
    if (!m_db.exec(q))
        return sql::error(q);
    QStringList ids;
    while (q.next())
        ids << q.value(0).toString();
    q.finish();
    qint64 removed = 0;
    for (const QString &id : std::as_const(ids)) {
        // Checked again as it is deleted: on PostgreSQL another node may have attached or
        // uploaded it again meanwhile (then it stays, bytes and all).
        QSqlQuery d = m_db.prepare(QStringLiteral("DELETE FROM files WHERE id=? AND id IN"
                                                  " (SELECT f.id FROM files f WHERE ") +
                                   QLatin1String(Purgeable) + QStringLiteral(")"));
        d.addBindValue(id);
        d.addBindValue(orphanBefore);
        if (!m_db.exec(d))
            return sql::error(d);
        if (d.numRowsAffected() != 1)
            continue;
        ++removed;
        // Before the commit, with the row locked: an upload of the same bytes on another node
        // waits for this transaction, then places its bytes anew.
        if (removeBytes)
            removeBytes(id);
    }
    if (!tx.commit())
        return sql::error(tx.error());
    return removed;
}

std::variant<qint64, StoreError> FileRepository::purgeable(qint64 orphanBefore)
{
    QSqlQuery q = m_db.prepare(QStringLiteral("SELECT COUNT(*) FROM files f WHERE ") +
                               QLatin1String(Purgeable));
    q.addBindValue(orphanBefore);
    if (!m_db.exec(q))
        return sql::error(q);
    return q.next() ? q.value(0).toLongLong() : 0;
}

} // namespace herald
