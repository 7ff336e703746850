#pragma once

#include "core/hubcontext.h"

#include <QObject>

namespace herald {

/**
 * @brief Chat: editing and deleting a message (its sender; chat admins delete anyone's) and
 * reactions (a fixed set of emoji, toggled per person). Each change is stored with the room's
 * next sequence (RoomRepository, storage/messageedits.cpp), answered, then fanned out by
 * Delivery as msg.edited / msg.deleted / msg.reaction, so that resume replays it exactly once.
 */
class MessageChanges : public QObject
{
    Q_OBJECT
public:
    explicit MessageChanges(HubContext &ctx, QObject *parent = nullptr);

    /** @brief msg.edit {room, seq, text}. */
    void onEdit(Conn &c, const proto::Frame &f);
    /** @brief msg.delete {room, seq}. */
    void onDelete(Conn &c, const proto::Frame &f);
    /** @brief msg.react {room, seq, emoji, on}. */
    void onReact(Conn &c, const proto::Frame &f);

private:
    struct Target
    {
        qint64 roomId = 0;
        QString room;
    };
    /** @brief The room of the frame when the person may change messages in it (a member, and
     *  storage takes writes); otherwise answers the error and returns nothing. */
    std::optional<Target> roomFor(Conn &c, const proto::Frame &f);
    /** @brief Tells every member's connections (here and on the other nodes). */
    void fanOut(qint64 roomId, const MessageRow &change);

    HubContext &m_ctx;
};

} // namespace herald
