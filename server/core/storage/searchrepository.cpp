#include "searchrepository.h"

#include "sqlconnection.h"

namespace herald {

QString SearchRepository::ftsQuery(const QStringList &words)
{
    // A string in double quotes is one FTS5 token sequence whatever it holds (a quote inside is
    // doubled); the * after it makes it a prefix; terms side by side are ANDed.
    QStringList terms;
    for (const QString &w : words) {
        QString quoted = w;
        quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
        terms << QLatin1Char('"') + quoted + QLatin1String("\"*");
    }
    return terms.join(QLatin1Char(' '));
}

QString SearchRepository::tsQuery(const QStringList &words)
{
    // A tsquery lexeme in single quotes is taken as text (a quote or backslash inside is
    // doubled); :* makes it a prefix.
    QStringList terms;
    for (const QString &w : words) {
        QString quoted = w;
        quoted.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
        quoted.replace(QLatin1Char('\''), QLatin1String("''"));
        terms << QLatin1Char('\'') + quoted + QLatin1String("':*");
    }
    return terms.join(QLatin1String(" & "));
}

std::variant<SearchPage, StoreError> SearchRepository::search(qint64 userId, qint64 roomId,
                                                              const QStringList &words,
                                                              const SearchCursor &from, int limit)
{
    SearchPage page;
    if (words.isEmpty() || limit <= 0)
        return page;
    const bool pg = m_db.isPostgres();
    // The index finds the candidates; membership, the room and the cursor narrow them; the page
    // is the newest `limit` by (ts, room id, seq), a strict order, so pages never overlap.
    const QString found =
        pg ? QStringLiteral("FROM messages m WHERE to_tsvector('simple', m.text) @@"
                            " to_tsquery('simple', ?)")
           : QStringLiteral(
                 "FROM messages_fts JOIN messages m ON m.room_id = messages_fts.rowid >> 32"
                 " AND m.seq = (messages_fts.rowid & 4294967295)"
                 " WHERE messages_fts MATCH ?");
    // The names are joined after the page is cut.
    const QString named =
        QStringLiteral("SELECT p.seq, u.name, p.text, p.ts, p.client_id, r.name, p.room_id FROM"
                       " (SELECT m.seq, m.sender_id, m.text, m.ts, m.client_id, m.room_id ") +
        found +
        // Messages only: not the change records (an edit's text, a reaction's emoji), nor a
        // deleted message (its text is empty anyway).
        QStringLiteral(" AND m.kind = 0 AND m.deleted_at IS NULL"
                       " AND m.room_id IN (SELECT room_id FROM members WHERE user_id = ?)") +
        (roomId ? QStringLiteral(" AND m.room_id = ?") : QString()) +
        QStringLiteral(" AND (m.ts < ? OR (m.ts = ? AND (m.room_id < ? OR (m.room_id = ? AND"
                       " m.seq < ?))))"
                       " ORDER BY m.ts DESC, m.room_id DESC, m.seq DESC LIMIT ?) p"
                       " JOIN users u ON u.id = p.sender_id JOIN rooms r ON r.id = p.room_id"
                       " ORDER BY p.ts DESC, p.room_id DESC, p.seq DESC");
    auto qStmt = m_db.statement(named);
    QSqlQuery &q = qStmt;
    q.addBindValue(pg ? tsQuery(words) : ftsQuery(words));
    q.addBindValue(userId);
    if (roomId)
        q.addBindValue(roomId);
    q.addBindValue(from.ts);
    q.addBindValue(from.ts);
    q.addBindValue(from.roomId);
    q.addBindValue(from.roomId);
    q.addBindValue(from.seq);
    q.addBindValue(limit + 1);
    if (!m_db.exec(q))
        return sql::error(q);
    while (q.next()) {
        SearchHit h;
        h.message =
            MessageRow{q.value(5).toString(), q.value(0).toLongLong(), q.value(1).toString(),
                       q.value(2).toString(), q.value(3).toLongLong(), q.value(4).toString()};
        h.roomId = q.value(6).toLongLong();
        page.hits << h;
    }
    if (page.hits.size() > limit) {
        page.hits.removeLast();
        const SearchHit &last = page.hits.constLast();
        page.next = SearchCursor{last.message.ts, last.roomId, last.message.seq};
    }
    return page;
}

} // namespace herald
