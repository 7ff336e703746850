#pragma once

#include "core/hubcontext.h"

#include <QObject>

namespace herald {

/**
 * @brief Read receipts in chat: who has read up to which message. When a member's read position
 * moves forward (room.read), the other members of a DM or of a room of at most
 * receipt_room_max_members members get room.receipt {room, user, seq} on every node; the
 * reader's own devices do not (they get room.readMarker). Larger rooms get no live receipts:
 * each read would be one delivery per member (a 1,000-member room turns every read into 1,000
 * frames), so there the positions are only handed out on request, in room.members (readSeq).
 * A person may turn sending them off (receipts.set, synced to their devices as receipts.sync,
 * reported in hello as receipts): then neither is sent for them.
 */
class ReadReceipts : public QObject
{
    Q_OBJECT
public:
    explicit ReadReceipts(HubContext &ctx, QObject *parent = nullptr);

    /** @brief receipts.set {send}: stored, answered {send}, synced to the other devices. */
    void onSet(Conn &c, const proto::Frame &f);
    /** @brief Whether read positions in this room are pushed live (a DM, or a room within
     *  receipt_room_max_members). */
    [[nodiscard]] bool live(qint64 roomId) const;
    /** @brief Person userId's read position in the room moved to seq (stored): where receipts
     *  are live and the person sends them (asked of storage), room.receipt to the room's other
     *  members, here and on the other nodes. */
    void positionMoved(qint64 roomId, qint64 userId, qint64 seq);

private:
    void broadcast(qint64 roomId, qint64 userId, qint64 seq);

    HubContext &m_ctx;
};

} // namespace herald
