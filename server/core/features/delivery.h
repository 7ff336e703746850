#pragma once

#include "core/hubcontext.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>

namespace herald {

/**
 * @brief Delivery in order, once: the sequence cursors (each room's last delivered sequence,
 * the last notification id), the live frames held for a connection while it resumes, the
 * resume itself, and filling a gap from storage.
 *
 * A stream's next event is delivered only when it is the next sequence; on a cluster a gap
 * (another node's event not seen yet, or a lost publish) is filled from storage first.
 */
class Delivery : public QObject
{
    Q_OBJECT
public:
    explicit Delivery(HubContext &ctx, QObject *parent = nullptr);

    void roomAdded(qint64 roomId, qint64 lastSeq) { m_roomSeq.insert(roomId, lastSeq); }
    void roomRemoved(qint64 roomId) { m_roomSeq.remove(roomId); }
    /** @brief The last sequence of the room delivered here. */
    [[nodiscard]] qint64 roomCursor(qint64 roomId) const { return m_roomSeq.value(roomId); }
    [[nodiscard]] bool hasRoom(qint64 roomId) const { return m_roomSeq.contains(roomId); }
    [[nodiscard]] qint64 notificationCursor() const { return m_notifCursor; }
    void setNotificationCursor(qint64 id) { m_notifCursor = id; }

    /** @brief A stored message (this node's or another's): one frame for every member's
     *  connections, serialized once by the caller. */
    void roomEvent(qint64 roomId, qint64 seq, const QByteArray &frame);
    /** @brief A stored notification for these people. */
    void notificationEvent(qint64 id, const QList<qint64> &users, const QByteArray &frame);
    /** @brief A notification changed (notif.updated, notif.retracted, notif.resolved): the frame
     *  to these people's devices here; with `recount`, then their unread counts (notif.unread). */
    void notificationChanged(const QList<qint64> &users, const QByteArray &frame, bool recount);
    /** @brief Reads the room's messages past its cursor from storage and delivers them. */
    void fillRoom(qint64 roomId);
    /** @brief Reads the notifications past the cursor of everyone connected here. */
    void fillNotifications();

    /** @brief The connection just got hello: its live frames wait until its first frame (a
     *  resume, so that they come after what it fetches) or HelloHoldMs. */
    void holdSinceHello(quint64 connId, const QSet<qint64> &rooms);
    /** @brief The connection sent a frame: unless it is a resume, what waited goes out. */
    void frameArrived(quint64 connId, bool isResume)
    {
        if (!m_held.isEmpty())
            firstFrame(connId, isResume);
    }
    void connectionClosed(quint64 connId);

    void onResume(Conn &c, const proto::Frame &f);

private:
    struct Held
    {
        qint64 seq;
        QByteArray frame;
    };
    /** @brief What waits for one connection. */
    struct Holding
    {
        QHash<qint64, QList<Held>> rooms; // rooms being resumed: live frames wait here
        bool notifications = false;
        bool sinceHello = false; // everything waits for the client's first frame
        QList<Held> notificationFrames;
    };
    void deliverMessage(qint64 roomId, const QSet<qint64> &members, qint64 seq,
                        const QByteArray &frame);
    void deliverNotification(qint64 userId, qint64 id, const QByteArray &frame);
    void firstFrame(quint64 connId, bool isResume);
    void release(Conn &c, Holding &h);
    void holdRoom(Holding &h, qint64 roomId);
    QList<Held> takeRoom(Holding &h, qint64 roomId);
    void holdNotifications(Holding &h, bool hold);
    QList<Held> takeNotifications(Holding &h);
    /** @brief Forgets a connection's holding once nothing waits in it. */
    void tidy(quint64 connId);

    HubContext &m_ctx;
    QHash<qint64, qint64> m_roomSeq;
    qint64 m_notifCursor = 0;
    QSet<qint64> m_filling;
    QSet<qint64> m_refill;
    bool m_notifFilling = false;
    bool m_notifRefill = false;
    QHash<quint64, Holding> m_held;
    // How many connections hold each room, and notifications: fan-out looks a recipient's
    // holding up only while some connection holds what it delivers.
    QHash<qint64, int> m_roomHolds;
    int m_notificationHolds = 0;
};

} // namespace herald
