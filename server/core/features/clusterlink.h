#pragma once

#include "core/busevent.h"
#include "core/hubcontext.h"

#include <QByteArray>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace herald {

class Bus;

/**
 * @brief The cluster glue: publishing this node's events on the bus (after they are stored),
 * applying other nodes' events (through Delivery's cursors, so nothing is delivered twice or
 * out of order), the room channels this node listens to, and the periodic resync that catches
 * what the bus lost. Without a bus (one node) every publish is a no-op.
 */
class ClusterLink : public QObject
{
    Q_OBJECT
public:
    explicit ClusterLink(HubContext &ctx, QObject *parent = nullptr);

    void setBus(Bus *bus, const QByteArray &nodeId);
    [[nodiscard]] bool clustered() const { return m_bus != nullptr; }
    /** @brief "local" on a single node, "up" or "down" for the cluster bus. */
    [[nodiscard]] QString state() const;

    void publishMessage(qint64 roomId, qint64 seq, const QByteArray &frame);
    void publishNotification(qint64 id, const QList<qint64> &users, const QByteArray &frame);
    /** @brief A frame for these people's connections on the other nodes. */
    void publishToUsers(const QList<qint64> &users, const QByteArray &frame);
    /** @brief A notification its service changed: the other nodes tell their recipients. */
    void publishNotificationChanged(qint64 id, qint64 changeSeq, const QList<qint64> &users,
                                    bool recount, const QByteArray &frame);
    /** @brief A frame for every connection of a person, here (but `except`) and elsewhere. */
    void toUserEverywhere(qint64 userId, const QByteArray &frame, quint64 except = 0);
    /** @brief A room was created (or a DM opened) here: the other nodes add it, one change. */
    void publishRoom(qint64 roomId, const QString &name, const QString &title, const QString &kind,
                     qint64 lastSeq, const QList<qint64> &members);
    /** @brief Someone joined (or was invited to) or left a room here. */
    void publishMemberJoined(qint64 roomId, qint64 userId);
    void publishMemberLeft(qint64 roomId, qint64 userId);
    /** @brief heraldctl changed people, rooms or tokens: the other nodes re-read everything. */
    void structureChanged();
    /** @brief Listens to the rooms of the people connected here, and no others. */
    void refreshSubscriptions();
    /** @brief Compares the cursors with storage and fills what the bus lost. */
    void resync();

private:
    void publish(const QByteArray &channel, BusEvent event);
    void onBus(const QByteArray &channel, const QByteArray &payload);

    HubContext &m_ctx;
    Bus *m_bus = nullptr;
    QByteArray m_node;
    QSet<qint64> m_subscribed; // room channels this node listens to
    QTimer m_resyncTimer;
};

} // namespace herald
