#pragma once

#include "rows.h"

#include <QHash>
#include <QList>
#include <QString>

#include <optional>
#include <variant>

namespace herald {

class PeopleRepository;
class SqlConnection;

/** @brief Rooms (public, private and direct), their members, and the messages in them. */
class RoomRepository
{
public:
    RoomRepository(SqlConnection &db, PeopleRepository &people)
        : m_db(db)
        , m_people(people)
    {
    }

    // ---- rooms
    std::variant<qint64, StoreError> createRoom(const QString &name, const QString &title,
                                                const QString &kind);
    std::optional<StoreError> deleteRoom(const QString &name);
    QList<RoomRow> rooms(); // with members
    /** @brief Each room's last sequence number, by room id (no member lists: cheap to poll). */
    QHash<qint64, qint64> roomSeqs();
    std::optional<RoomRow> room(const QString &name);
    std::optional<StoreError> addMember(qint64 roomId, qint64 userId);
    std::optional<StoreError> removeMember(qint64 roomId, qint64 userId);
    /** @brief The DM room of two users, created on first use. */
    std::variant<RoomRow, StoreError> openDm(qint64 a, qint64 b);

    // ---- messages
    /** @brief Stores a message with the room's next sequence, or finds the earlier copy of a retry.
     */
    std::variant<StoredMessage, StoreError> storeMessage(qint64 roomId, qint64 senderId,
                                                         const QString &clientId,
                                                         const QString &text, qint64 ts);
    /** @brief Messages with seq in (after, before), returned ascending, at most limit: the
     *  newest of that range, or the oldest when oldestFirst or when only `after` is given. */
    QList<MessageRow> history(qint64 roomId, qint64 before, qint64 after, int limit, bool *hasMore,
                              bool oldestFirst = false);

    // ---- read positions (schema: room_reads)
    /** @brief Moves person userId's read position in the room to seq (at most the room's last;
     *  never backwards); returns where it is and how many messages of others follow it.
     *  forbidden when they are not a member. */
    std::variant<ReadMark, StoreError> setReadMark(qint64 userId, qint64 roomId, qint64 seq,
                                                   qint64 now);
    /** @brief The person's read position in each room they are a member of, by room id. */
    QHash<qint64, ReadMark> readMarks(qint64 userId);

private:
    std::optional<StoreError> findDuplicate(qint64 roomId, qint64 senderId, const QString &clientId,
                                            StoredMessage *found);

    SqlConnection &m_db;
    PeopleRepository &m_people;
};

} // namespace herald
