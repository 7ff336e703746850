#pragma once

#include "rows.h"

#include <QString>

#include <optional>
#include <variant>

namespace herald {

class SqlConnection;

/** @brief How long things are kept, in days; 0 keeps them for ever (the default). */
struct RetentionPolicy
{
    int readDays = 0;    ///< notifications that are done: read by everyone, acted on,
                         ///< resolved, retracted or expired; counted from publish
    int unreadDays = 0;  ///< every notification, whatever its state; counted from publish
    int messageDays = 0; ///< chat messages, unless the room says otherwise (rooms.retain_days)
    [[nodiscard]] bool keepsAll() const { return !readDays && !unreadDays && !messageDays; }
};

/** @brief What one purge pass removed, or (dry run) would remove. */
struct PurgeCounts
{
    qint64 readNotifications = 0;   ///< past retain_read_days and done
    qint64 unreadNotifications = 0; ///< past retain_unread_days and not done
    qint64 messages = 0;
    qint64 rooms = 0; ///< rooms that lose messages
    qint64 files = 0; ///< file attachments nothing refers to any more (not in total())
    [[nodiscard]] qint64 notifications() const { return readNotifications + unreadNotifications; }
    [[nodiscard]] qint64 total() const { return notifications() + messages; }
    /** @brief Adds another batch's counts (rooms too: a room purged in two batches counts
     *  twice). */
    PurgeCounts &operator+=(const PurgeCounts &o)
    {
        readNotifications += o.readNotifications;
        unreadNotifications += o.unreadNotifications;
        messages += o.messages;
        rooms += o.rooms;
        files += o.files;
        return *this;
    }
};

/**
 * @brief Retention (schema version 9): removes notifications and chat messages past the
 * retention the server is configured with, in small batches (one transaction each), so that a
 * purge never holds the storage thread for long and live traffic runs between its batches.
 *
 * A purged notification goes with its inbox rows, reads and receipts; its audit trail stays,
 * with a `purged` record, and the API answers 410 `gone` for it from then on. Messages go from
 * the oldest of a room on, only as far as every older one goes too, so what is left of a room is
 * still numbered without gaps up to its last message. Audiences nothing refers to any more go
 * too.
 */
class RetentionRepository
{
public:
    explicit RetentionRepository(SqlConnection &db)
        : m_db(db)
    {
    }

    /** @brief One batch: at most `batch` notifications and `batch` messages per room. */
    std::variant<PurgeCounts, StoreError> purgeBatch(const RetentionPolicy &policy, qint64 now,
                                                     int batch);
    /** @brief What a whole purge would remove now, without removing anything. */
    std::variant<PurgeCounts, StoreError> dryRun(const RetentionPolicy &policy, qint64 now);
    /** @brief A room's own message retention: days (0: keep for ever), or nullopt for the
     *  server's retain_messages_days. not_found for an unknown room. */
    std::optional<StoreError> setRoomRetention(const QString &room, std::optional<int> days);

private:
    std::variant<PurgeCounts, StoreError> run(const RetentionPolicy &policy, qint64 now, int batch,
                                              bool dryRun);
    SqlConnection &m_db;
};

} // namespace herald
