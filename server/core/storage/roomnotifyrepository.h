#pragma once

#include "rows.h"

#include <QHash>
#include <QString>

#include <optional>
#include <variant>

namespace herald {

class SqlConnection;

/** @brief A person's notification level in a room, as they chose it (room.notify). */
struct RoomNotifyLevel
{
    QString level;               ///< all, mentions or none; empty: no choice (the default)
    std::optional<qint64> until; ///< ms since the epoch; none: until changed
};

/**
 * @brief Notification levels per person and room (schema version 13, table `room_notify`):
 * what a person's devices alert for in a room (all messages, mentions only, nothing), kept on
 * the server so that every device of theirs follows the same choice. The default (no row) is
 * applied by the client: all in DMs, mentions in rooms.
 */
class RoomNotifyRepository
{
public:
    explicit RoomNotifyRepository(SqlConnection &db)
        : m_db(db)
    {
    }

    /** @brief Stores person userId's level in the room (an empty level removes their choice);
     *  returns what is stored now. forbidden when they are not a member. The caller checks the
     *  level and until. */
    std::variant<RoomNotifyLevel, StoreError> setLevel(qint64 userId, qint64 roomId,
                                                       const RoomNotifyLevel &level);
    /** @brief Removes person userId's choice in the room (they left it). */
    std::optional<StoreError> forget(qint64 userId, qint64 roomId);
    /** @brief The person's choices in force at `now` (until absent or later), by room id. */
    QHash<qint64, RoomNotifyLevel> levels(qint64 userId, qint64 now);

private:
    SqlConnection &m_db;
};

} // namespace herald
