#pragma once

#include "rows.h"

#include <QList>
#include <QStringList>

#include <limits>
#include <optional>
#include <variant>

namespace herald {

class SqlConnection;

/** @brief Where a page of search results ends: the last hit's time, room id and sequence.
 *  Results run newest first by (ts, room id, seq), so the next page starts below this. */
struct SearchCursor
{
    qint64 ts = std::numeric_limits<qint64>::max();
    qint64 roomId = std::numeric_limits<qint64>::max();
    qint64 seq = std::numeric_limits<qint64>::max();
};

/** @brief One message found: the message (room name, sender name, text, time) and its room id. */
struct SearchHit
{
    MessageRow message;
    qint64 roomId = 0;
};

/** @brief A page of hits, newest first, and where the next one starts (none: this was the last). */
struct SearchPage
{
    QList<SearchHit> hits;
    std::optional<SearchCursor> next;
};

/**
 * @brief Full-text search over chat messages (schema version 15): SQLite's FTS5 index
 * `messages_fts` (kept by triggers on messages), or PostgreSQL's GIN index over
 * to_tsvector('simple', text).
 *
 * The caller passes the words to find (runs of letters, marks and digits: no syntax of either
 * engine); each word matches as a prefix of a word of the text (so "deplo" finds "deploy"),
 * and a message must have all of them. Words are quoted for the engine all the same, so
 * nothing a person types can become query syntax.
 */
class SearchRepository
{
public:
    explicit SearchRepository(SqlConnection &db)
        : m_db(db)
    {
    }

    /** @brief Messages of the rooms person userId is a member of (only room roomId when it is
     *  not 0) that have every word of `words`, newest first, below `from`, at most `limit`. */
    std::variant<SearchPage, StoreError> search(qint64 userId, qint64 roomId,
                                                const QStringList &words, const SearchCursor &from,
                                                int limit);

    /** @brief The words as an FTS5 query: each one a quoted prefix ("word"*), all required. */
    [[nodiscard]] static QString ftsQuery(const QStringList &words);
    /** @brief The words as a PostgreSQL tsquery: each one a quoted prefix ('word':*), joined
     *  with &. */
    [[nodiscard]] static QString tsQuery(const QStringList &words);

private:
    SqlConnection &m_db;
};

} // namespace herald
