#include "clusterlink.h"

#include "delivery.h"
#include "presencetracker.h"
#include "roomdirectory.h"

#include "core/bus.h"

namespace herald {

using namespace feature;

namespace {
/** @brief Where storage's streams are: each listened room's last sequence, the newest
 *  notification id. */
struct Positions
{
    QHash<qint64, qint64> rooms;
    qint64 maxNotification = 0;
};
QByteArray roomChannel(qint64 roomId)
{
    return "herald:room:" + QByteArray::number(roomId);
}
} // namespace

ClusterLink::ClusterLink(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
}

void ClusterLink::setBus(Bus *bus, const QByteArray &nodeId)
{
    m_bus = bus;
    m_node = nodeId;
    connect(bus, &Bus::received, this, &ClusterLink::onBus);
    connect(bus, &Bus::up, this, [this] {
        // Whatever was published while the bus was away is in storage: catch up from there,
        // and announce everyone again.
        m_ctx.presence->announce(true);
        resync();
    });
    m_bus->subscribe("herald:all");
    // A writer can die between commit and publish: re-read the positions now and then.
    m_resyncTimer.setInterval(3000);
    connect(&m_resyncTimer, &QTimer::timeout, this, &ClusterLink::resync);
    m_resyncTimer.start();
    m_ctx.presence->attachBus(bus);
    const auto max = m_ctx.db.runSync<qint64>([](Store &st) { return st.maxNotificationId(); });
    m_ctx.delivery->setNotificationCursor(
        std::holds_alternative<qint64>(max) ? std::get<qint64>(max) : 0);
}

QString ClusterLink::state() const
{
    return !m_bus          ? QStringLiteral("local")
           : m_bus->isUp() ? QStringLiteral("up")
                           : QStringLiteral("down");
}

void ClusterLink::publish(const QByteArray &channel, BusEvent event)
{
    event.node = m_node;
    m_bus->publish(channel, event.encode());
}

void ClusterLink::publishMessage(qint64 roomId, qint64 seq, const QByteArray &frame)
{
    if (m_bus)
        publish(roomChannel(roomId), BusEvent::roomMessage(roomId, seq, frame));
}

void ClusterLink::publishNotification(qint64 id, const QList<qint64> &users,
                                      const QByteArray &frame)
{
    if (m_bus)
        publish("herald:all", BusEvent::notification(id, users, frame));
}

void ClusterLink::publishToUsers(const QList<qint64> &users, const QByteArray &frame)
{
    if (m_bus)
        publish("herald:all", BusEvent::toUsers(users, frame));
}

void ClusterLink::publishNotificationChanged(qint64 id, qint64 changeSeq,
                                             const QList<qint64> &users, bool recount,
                                             const QByteArray &frame)
{
    if (m_bus)
        publish("herald:all", BusEvent::notificationChanged(id, changeSeq, users, recount, frame));
}

void ClusterLink::toUserEverywhere(qint64 userId, const QByteArray &frame, quint64 except)
{
    m_ctx.conns.toUser(userId, frame, except);
    publishToUsers({userId}, frame);
}

void ClusterLink::publishRoom(qint64 roomId, const QString &name, const QString &title,
                              const QString &kind, qint64 lastSeq, const QList<qint64> &members)
{
    if (m_bus)
        publish("herald:all", BusEvent::roomUpserted(roomId, name, title, kind, lastSeq, members));
}

void ClusterLink::publishMemberJoined(qint64 roomId, qint64 userId)
{
    if (m_bus)
        publish("herald:all", BusEvent::memberJoined(roomId, userId));
}

void ClusterLink::publishMemberLeft(qint64 roomId, qint64 userId)
{
    if (m_bus)
        publish("herald:all", BusEvent::memberLeft(roomId, userId));
}

void ClusterLink::structureChanged()
{
    if (m_bus)
        publish("herald:all", BusEvent::reload());
}

void ClusterLink::onBus(const QByteArray &channel, const QByteArray &payload)
{
    const std::optional<BusEvent> decoded = BusEvent::decode(payload);
    if (!decoded) {
        ++m_ctx.stats.busEventsRefused;
        qCWarning(lcHub).noquote()
            << "dropped a malformed bus event on" << channel << "(" << payload.size() << "bytes)";
        return;
    }
    const BusEvent &e = *decoded;
    if (e.node == m_node)
        return; // our own: delivered locally already
    switch (e.kind) {
    case BusEvent::Kind::RoomMessage:
        m_ctx.delivery->roomEvent(e.roomId, e.seq, e.frame);
        break;
    case BusEvent::Kind::Notification:
        m_ctx.delivery->notificationEvent(e.id, e.users, e.frame);
        break;
    case BusEvent::Kind::ToUsers:
        for (qint64 u : e.users)
            m_ctx.conns.toUser(u, e.frame);
        break;
    case BusEvent::Kind::NotificationChanged:
        m_ctx.delivery->notificationChanged(e.users, e.frame, e.recount);
        break;
    case BusEvent::Kind::Reload:
        m_ctx.reload({}, false);
        break;
    case BusEvent::Kind::RoomUpserted:
        // Applied one change at a time; what this node cannot place (a person it has not
        // loaded yet) falls back to re-reading everything.
        if (!m_ctx.directory->applyRoom(
                RoomRow{e.roomId, e.name, e.title, e.roomKind, e.seq, e.users}))
            m_ctx.reload({}, false);
        break;
    case BusEvent::Kind::MemberJoined:
        if (!m_ctx.directory->applyMembership(e.roomId, e.userId, true))
            m_ctx.reload({}, false);
        break;
    case BusEvent::Kind::MemberLeft:
        if (!m_ctx.directory->applyMembership(e.roomId, e.userId, false))
            m_ctx.reload({}, false);
        break;
    }
}

void ClusterLink::resync()
{
    if (!m_bus)
        return;
    const QSet<qint64> rooms = m_subscribed;
    m_ctx.db.run<Positions>(
        [rooms](Store &st) {
            // Every node runs this every 3 s: positions only, not the rooms with their members.
            Positions p;
            const QHash<qint64, qint64> all = st.roomSeqs();
            for (auto it = all.begin(); it != all.end(); ++it)
                if (rooms.contains(it.key()))
                    p.rooms.insert(it.key(), it.value());
            p.maxNotification = st.maxNotificationId();
            return p;
        },
        this,
        [this](StoreResult<Positions> r) {
            const Positions *p = std::get_if<Positions>(&r);
            if (!p)
                return;
            for (auto it = p->rooms.begin(); it != p->rooms.end(); ++it)
                if (m_ctx.delivery->hasRoom(it.key()) &&
                    it.value() > m_ctx.delivery->roomCursor(it.key()))
                    m_ctx.delivery->fillRoom(it.key());
            if (p->maxNotification > m_ctx.delivery->notificationCursor())
                m_ctx.delivery->fillNotifications();
        });
}

void ClusterLink::refreshSubscriptions()
{
    QSet<qint64> want;
    for (qint64 userId : m_ctx.conns.users())
        if (const RoomDirectory::User *u = m_ctx.directory->user(userId))
            want.unite(u->rooms);
    for (qint64 id : std::as_const(want))
        if (!m_subscribed.contains(id))
            m_bus->subscribe(roomChannel(id));
    for (qint64 id : std::as_const(m_subscribed))
        if (!want.contains(id))
            m_bus->unsubscribe(roomChannel(id));
    m_subscribed = want;
}

} // namespace herald
