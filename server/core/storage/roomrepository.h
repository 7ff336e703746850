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
    /** @brief What resume and gap fills replay: every row with seq > after, messages (in their
     *  current state) and change records, ascending, at most limit. */
    QList<MessageRow> stream(qint64 roomId, qint64 after, int limit, bool *hasMore);

    // ---- edits, deletions and reactions (storage/messageedits.cpp); each change takes the
    // room's next sequence. Errors: not_found (no such message: unknown, purged, or a change
    // record), forbidden (not the sender's, and not `anyone`), gone (deleted).
    std::variant<MessageChange, StoreError> editMessage(qint64 roomId, qint64 target, qint64 userId,
                                                        const QString &text, qint64 now);
    /** @brief anyone: the person may delete others' messages (a chat admin). */
    std::variant<MessageChange, StoreError> deleteMessage(qint64 roomId, qint64 target,
                                                          qint64 userId, bool anyone, qint64 now);
    /** @brief Adds (on) or takes back a reaction; seq 0 when it was already so. */
    std::variant<MessageChange, StoreError> react(qint64 roomId, qint64 target, qint64 userId,
                                                  const QString &emoji, bool on, qint64 now);

    // ---- read positions (schema: room_reads)
    /** @brief Moves person userId's read position in the room to seq (at most the room's last;
     *  never backwards); returns where it is and how many messages of others follow it.
     *  forbidden when they are not a member. */
    std::variant<ReadMark, StoreError> setReadMark(qint64 userId, qint64 roomId, qint64 seq,
                                                   qint64 now);
    /** @brief The person's read position in each room they are a member of, by room id. */
    QHash<qint64, ReadMark> readMarks(qint64 userId);

private:
    /** @brief Takes the room's next sequence number (in the caller's transaction). */
    std::variant<qint64, StoreError> nextSeq(qint64 roomId);
    QList<MessageRow> rows(qint64 roomId, qint64 before, qint64 after, int limit, bool *hasMore,
                           bool forward, bool changes);
    /** @brief Adds who reacted with what to the messages among rows (messageedits.cpp). */
    std::optional<StoreError> addReactions(qint64 roomId, QList<MessageRow> &rows);
    /** @brief The message `target` of the room, checked for a change by userId. */
    std::optional<StoreError> checkTarget(qint64 roomId, qint64 target, qint64 userId,
                                          bool othersToo);
    /** @brief Stores a change record with the room's next sequence; returns that sequence. */
    std::variant<qint64, StoreError> appendChange(qint64 roomId, qint64 userId, int kind,
                                                  qint64 target, const QString &text, qint64 ts);
    std::optional<StoreError> findDuplicate(qint64 roomId, qint64 senderId, const QString &clientId,
                                            StoredMessage *found);

    SqlConnection &m_db;
    PeopleRepository &m_people;
};

} // namespace herald
