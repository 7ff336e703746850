#pragma once

#include "bus.h"
#include "config.h"
#include "database.h"
#include "peer.h"

#include <herald/protocol.h>

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

namespace herald {

/** @brief Counters for /metrics and heraldctl status. */
struct HubStats
{
    quint64 framesIn = 0;
    quint64 framesOut = 0;
    quint64 messagesStored = 0;
    quint64 notificationsPublished = 0;
    quint64 notificationsDelivered = 0;
    quint64 slowConsumerDrops = 0;
    quint64 authFailures = 0;
};

/**
 * @brief The transport-free core: connections, auth, rooms, chat, presence, notifications.
 *
 * The network edge creates a Peer per WebSocket and forwards its events here; tests drive the
 * same calls directly. Everything runs on one thread; storage goes through Database.
 */
class Hub : public QObject
{
    Q_OBJECT
public:
    Hub(const Config &config, Database *db, QObject *parent = nullptr);
    ~Hub() override;

    /** @brief Loads users, rooms and tokens from storage; returns an error message or empty. */
    QString load();
    /** @brief Cluster mode: fan-out and presence also go through the bus to other nodes. */
    void setBus(Bus *bus, const QByteArray &nodeId);

    /** @brief A new connection; bearerToken is the handshake's token or empty (then an auth
     *  frame must come within auth_timeout). Returns the connection id. */
    quint64 open(Peer *peer, const QString &bearerToken);
    void text(quint64 conn, const QByteArray &frame);
    void binary(quint64 conn);
    /** @brief The edge found the connection's outbound queue over its cap: close with 4006. */
    void slowConsumer(quint64 conn);
    /** @brief Any sign of life from the peer (pong). */
    void activity(quint64 conn);
    /** @brief The connection is gone; its Peer must not be used any more. */
    void closed(quint64 conn);

    /** @brief Re-reads users, rooms and tokens (after heraldctl changed them) and closes
     *  connections whose token was revoked (4003) or whose user was disabled (4004). */
    void reload(std::function<void()> done = {});
    /** @brief Closes every connection with 1001 (shutdown). */
    void closeAll(int code, const QString &reason);

    using Reply = std::function<void(const QJsonObject &)>;
    /** @brief Password login: {token, user} or {error,...}. */
    void login(const QString &username, const QString &password, Reply done);
    /** @brief Authenticates a service token (synchronous, from memory): service id or 0. */
    qint64 serviceForToken(const QString &token) const;
    /** @brief Stores a notification, then fans it out: {id, duplicate} or {error,...}. */
    void publish(qint64 serviceId, const QJsonObject &payload, const Recipients &to, Reply done);
    void notificationForService(qint64 id, qint64 serviceId, Reply done);

    [[nodiscard]] bool storageWritable() const { return m_db->writable(); }
    /** @brief "local" on a single node, "up" or "down" for the cluster bus. */
    [[nodiscard]] QString busState() const
    {
        return !m_bus          ? QStringLiteral("local")
               : m_bus->isUp() ? QStringLiteral("up")
                               : QStringLiteral("down");
    }
    [[nodiscard]] int connectionCount() const { return static_cast<int>(m_conns.size()); }
    [[nodiscard]] int onlineCount() const { return m_onlineCount; }
    [[nodiscard]] QStringList onlineUsers() const;
    [[nodiscard]] const HubStats &stats() const { return m_stats; }
    [[nodiscard]] const Config &config() const { return m_config; }

Q_SIGNALS:
    /** @brief An action was stored with a webhook in the outbox. */
    void webhookQueued();
    /** @brief A notification reached a connection: latency from publish (ms), for metrics. */
    void delivered(qint64 latencyMs);

private:
    struct Held
    {
        qint64 seq;
        QByteArray frame;
    };
    struct Conn
    {
        quint64 id = 0;
        Peer *peer = nullptr;
        qint64 userId = 0;
        qint64 tokenId = 0;
        bool authed = false;
        bool authPending = false;
        bool closing = false;
        bool away = false;
        qint64 openedAt = 0;
        qint64 lastSeen = 0;
        double bucket = 0;
        qint64 bucketAt = 0;
        int badFrames = 0;
        int rateStrikes = 0;
        QList<QByteArray> early; // frames received while auth is being checked
        QHash<qint64, qint64> typingAt;
        QHash<qint64, QList<Held>> heldRooms; // rooms being resumed: live frames wait here
        bool holdNotifications = false;
        bool heldSinceHello = false; // live frames wait for the client's first frame (a resume)
        QList<Held> heldNotifications;
    };
    struct User
    {
        qint64 id = 0;
        QString name;
        QString display;
        bool disabled = false;
        QList<quint64> conns;
        int pendingAuths = 0; // connections past the token check, waiting for their hello
        QSet<qint64> rooms;
        QString status = QStringLiteral("offline");    // current
        QString published = QStringLiteral("offline"); // last announced
    };
    struct Room
    {
        qint64 id = 0;
        QString name;
        QString title;
        QString kind;
        qint64 lastSeq = 0;
        QSet<qint64> members;
        int online = 0;
    };
    /** @brief Everything a node delivers is ordered by these cursors: a stream's next event is
     *  delivered only when it is the next sequence; a gap is filled from storage first. */
    void roomEvent(qint64 roomId, qint64 seq, const QByteArray &frame);
    void fillRoom(qint64 roomId);
    void notificationEvent(qint64 id, const QList<qint64> &users, const QByteArray &frame);
    void fillNotifications();
    void deliverNotification(qint64 userId, qint64 id, const QByteArray &frame);
    void reloadState(std::function<void()> done, bool tellOthers);
    void onBus(const QByteArray &channel, const QByteArray &payload);
    void busPublish(const QByteArray &channel, const QJsonObject &event);
    void toUserEverywhere(qint64 userId, const QByteArray &frame, quint64 except = 0);
    void structureChanged();
    void resync();
    void refreshSubscriptions();
    void announcePresence(bool everyone);

    Conn *conn(quint64 id);
    void send(Conn &c, const QByteArray &frame);
    void closeConn(Conn &c, int code, const QString &reason);
    void authenticate(Conn &c, const QString &token);
    void authFailed(Conn &c, const QString &why);
    void finishAuth(quint64 connId, const TokenRow &token);
    void issueSession(const QJsonObject &user, Reply done);
    bool checkToken(const TokenRow &t, const QByteArray &secret) const;
    void dispatch(Conn &c, const proto::Frame &f);
    bool rateOk(Conn &c);

    // request handlers
    void onRoomList(Conn &c, const proto::Frame &f);
    void onRoomCreate(Conn &c, const proto::Frame &f);
    void onRoomJoin(Conn &c, const proto::Frame &f);
    void onRoomLeave(Conn &c, const proto::Frame &f);
    void onRoomInvite(Conn &c, const proto::Frame &f);
    void onRoomMembers(Conn &c, const proto::Frame &f);
    void onRoomHistory(Conn &c, const proto::Frame &f);
    void onDmOpen(Conn &c, const proto::Frame &f);
    void onSend(Conn &c, const proto::Frame &f);
    void onTyping(Conn &c, const proto::Frame &f);
    void onResume(Conn &c, const proto::Frame &f);
    void onUserList(Conn &c, const proto::Frame &f);
    void onPresenceSet(Conn &c, const proto::Frame &f);
    void onNotifList(Conn &c, const proto::Frame &f);
    void onNotifRead(Conn &c, const proto::Frame &f, bool all);
    void onNotifAction(Conn &c, const proto::Frame &f);

    /** @brief Runs a storage job and answers the request with its result (or error). */
    void request(Conn &c, const proto::Frame &f, Database::Job job,
                 std::function<QJsonObject(Conn &, const QJsonObject &)> onResult = {});
    void replyError(Conn &c, const QJsonValue &id, const QJsonObject &err);

    Room *roomByName(const QString &name);
    void addRoom(const RoomRow &r);
    void addMember(Room &room, qint64 userId);
    void removeMember(Room &room, qint64 userId);
    QJsonObject roomJson(const Room &room, qint64 forUser) const;
    QString statusOf(const User &u) const;
    void updatePresence(User &u);
    void flushPresence();
    void toUser(qint64 userId, const QByteArray &frame, quint64 except = 0);
    void toRoom(const Room &room, const QByteArray &frame, quint64 except = 0);
    void deliverMessage(Room &room, qint64 seq, const QByteArray &frame);
    void sweep();
    void releaseHeld(Conn &c);

    Config m_config;
    Database *m_db;
    proto::Limits m_limits;
    QHash<quint64, Conn> m_conns;
    QSet<quint64> m_unauthed;
    quint64 m_nextConn = 1;
    QHash<qint64, User> m_users;
    QHash<QString, qint64> m_userByName;
    QHash<qint64, Room> m_rooms;
    QHash<QString, qint64> m_roomByName;
    QHash<qint64, TokenRow> m_tokens;
    Bus *m_bus = nullptr;
    QByteArray m_node;
    qint64 m_notifCursor = 0;
    QSet<qint64> m_filling;
    QSet<qint64> m_refill;
    bool m_notifFilling = false;
    bool m_notifRefill = false;
    QSet<qint64> m_subscribed;   // room channels this node listens to
    QSet<qint64> m_remoteOnline; // people online on some node (cluster presence)
    QSet<qint64> m_announceOn, m_announceOff;
    QTimer m_resyncTimer;
    QTimer m_presenceTimerRemote;
    int m_presenceTicks = 0;
    int m_onlineCount = 0;
    int m_publishedOnline = -1;
    QSet<qint64> m_presenceDirty;
    QTimer m_presenceTimer;
    QTimer m_sweepTimer;
    qint64 m_lastPing = 0;
    HubStats m_stats;
};

} // namespace herald
