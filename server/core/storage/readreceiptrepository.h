#pragma once

#include "rows.h"

#include <QHash>

#include <variant>

namespace herald {

class SqlConnection;

/**
 * @brief Read receipts in chat (schema version 17, table `receipt_settings`): whether a person
 * lets the other members of their rooms see how far they have read (receipts.set; on unless
 * they turned it off), and the read positions (RoomRepository's `room_reads`) of a room's
 * members who do.
 */
class ReadReceiptRepository
{
public:
    explicit ReadReceiptRepository(SqlConnection &db)
        : m_db(db)
    {
    }

    /** @brief Stores whether person userId sends read receipts; returns what is stored now. */
    std::variant<bool, StoreError> setSending(qint64 userId, bool send);
    /** @brief Whether person userId sends read receipts (true unless they turned them off). */
    bool sending(qint64 userId);
    /** @brief The read positions in a room of its members who send receipts: user id -> seq. */
    QHash<qint64, qint64> positions(qint64 roomId);

private:
    SqlConnection &m_db;
};

} // namespace herald
