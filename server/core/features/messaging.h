#pragma once

#include "core/hubcontext.h"

#include <QHash>
#include <QObject>

namespace herald {

class ReadMarkWriter;

/**
 * @brief Chat: sending a message to a room (stored with the room's next sequence, acknowledged,
 * then fanned out by Delivery), typing notices (at most one per room every TypingIntervalMs
 * per connection) and room history.
 */
class Messaging : public QObject
{
    Q_OBJECT
public:
    explicit Messaging(HubContext &ctx, QObject *parent = nullptr);

    void onSend(Conn &c, const proto::Frame &f);
    void onTyping(Conn &c, const proto::Frame &f);
    void onRoomHistory(Conn &c, const proto::Frame &f);
    /** @brief room.read {room, seq}: the person's read position (never backwards), answered
     *  {room, seq, unread, mentions, lastSeq} and sent as room.readMarker to their other devices,
     *  on every node. */
    void onRead(Conn &c, const proto::Frame &f);
    void connectionClosed(quint64 connId) { m_typingAt.remove(connId); }
    /** @brief Queues the read positions still waiting for a flush (the server stops). */
    void writeOutReadMarks();

private:
    HubContext &m_ctx;
    ReadMarkWriter *m_readMarks; // room.read's writes, coalesced per flush window
    QHash<quint64, QHash<qint64, qint64>> m_typingAt; // connection -> room -> last typing sent
};

} // namespace herald
