#pragma once

#include "core/hubcontext.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace herald {

class Bus;

/**
 * @brief Presence: each person's status (online while any of their connections is, away when
 * all of them said so, online elsewhere on a cluster), the online count of every room and of
 * the whole server, and announcing changes, coalesced so that a reconnect storm is a handful
 * of frames rather than an announcement storm.
 */
class PresenceTracker : public QObject
{
    Q_OBJECT
public:
    explicit PresenceTracker(HubContext &ctx, QObject *parent = nullptr);

    /** @brief Cluster: announce this node's people on the bus now and then, read everyone's. */
    void attachBus(Bus *bus);
    /** @brief Announces who is online here: everyone, or the changes since the last time. */
    void announce(bool everyone);

    [[nodiscard]] int onlineCount() const { return m_onlineCount; }
    /** @brief The online count for a hello to connection connId: the count now, remembered, so
     *  that the next flush corrects it if the count moves back to what was last published (no
     *  `online` frame would go out to anyone else then). */
    [[nodiscard]] int onlineCountForHello(quint64 connId);
    [[nodiscard]] int roomOnline(qint64 roomId) const { return m_roomOnline.value(roomId); }
    /** @brief online, away or offline: the person's status as last worked out. */
    [[nodiscard]] QString statusOf(qint64 userId) const;
    /** @brief When the person went away (ms since the epoch), 0 unless they are away. */
    [[nodiscard]] qint64 awaySince(qint64 userId) const
    {
        auto it = m_state.constFind(userId);
        return it == m_state.constEnd() ? 0 : it->awaySince;
    }
    /** @brief A person's entry for presence frames and lists: {user|name, status, since?}. */
    void describe(QJsonObject &entry, qint64 userId) const;

    /** @brief Works the person's status out again (a connection came or went, away, the bus). */
    void update(qint64 userId);
    void memberJoined(qint64 roomId, qint64 userId);
    void memberLeft(qint64 roomId, qint64 userId);
    void roomRemoved(qint64 roomId) { m_roomOnline.remove(roomId); }
    void connectionClosed(quint64 connId, qint64 userId);

    void onPresenceSet(Conn &c, const proto::Frame &f);

private:
    struct State
    {
        QString status = QStringLiteral("offline");    // current
        QString published = QStringLiteral("offline"); // last announced
        qint64 awaySince = 0;                          // while away: since when
    };
    /** @brief The moment the last of the person's connections went away. */
    [[nodiscard]] qint64 latestAway(qint64 userId) const;
    [[nodiscard]] QString currentStatus(qint64 userId) const;
    [[nodiscard]] bool isOn(qint64 userId) const
    {
        auto it = m_state.constFind(userId);
        return it != m_state.constEnd() && it->status != QLatin1String("offline");
    }
    void addOnline(qint64 roomId, int delta);
    void flush();

    HubContext &m_ctx;
    Bus *m_bus = nullptr;
    QHash<qint64, State> m_state;  // people whose status or last announcement is not offline
    QHash<quint64, qint64> m_away; // connections whose client said it is away -> since when
    QHash<qint64, int> m_roomOnline;
    int m_onlineCount = 0;
    int m_publishedOnline = -1;
    QHash<quint64, int> m_helloCounts; // connections greeted since the last flush: the count sent
    QSet<qint64> m_dirty;
    QTimer m_timer;
    QSet<qint64> m_remoteOnline; // people online on some node (cluster presence)
    QSet<qint64> m_announceOn, m_announceOff;
    QTimer m_remoteTimer;
    int m_remoteTicks = 0;
};

} // namespace herald
