#pragma once

#include "rows.h"

#include <QList>
#include <QString>

#include <optional>

namespace herald {

class SqlConnection;

/** @brief Who a message mentions, as msg.send stores it: members by id, and @room. */
struct MentionSet
{
    QList<qint64> userIds; ///< members mentioned by name (distinct)
    bool everyone = false; ///< @room: every member of the room
    [[nodiscard]] bool isEmpty() const { return userIds.isEmpty() && !everyone; }
};

/**
 * @brief The mentions of chat messages (schema version 13, table `message_mentions`): stored
 * with the message in the transaction that stores it, read back with history, and counted per
 * person after their read position (the `mentions` next to `unread`).
 *
 * @room is one row with user id 0 rather than a row per member: a member offline at the time
 * counts it all the same (the count asks for "0 or me"), and someone who joins later does not,
 * their read position starting at the room's last message. Rows go with their message
 * (foreign key, ON DELETE CASCADE), so retention and room deletion need nothing more.
 */
class MentionRepository
{
public:
    explicit MentionRepository(SqlConnection &db)
        : m_db(db)
    {
    }

    /** @brief Stores who message seq of the room mentions. Call in the message's transaction. */
    std::optional<StoreError> record(qint64 roomId, qint64 seq, const MentionSet &mentions);
    /** @brief Fills in the mentions (names, sorted) and @room of rows, messages of one room. */
    void attach(qint64 roomId, QList<MessageRow> &rows);
    /** @brief The SQL of a read mark's mention count, for a column of a query over room_reads
     *  aliased rr: messages of others after rr.seq that mention rr.user_id by name or @room,
     *  counted up to ReadMark::CountCap. */
    static QString countAfterMarkSql();

private:
    SqlConnection &m_db;
};

} // namespace herald
