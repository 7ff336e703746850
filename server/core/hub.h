#pragma once

#include "config.h"
#include "hubstats.h"
#include "peer.h"
#include "publishrequest.h"

#include <herald/protocol.h>

#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>

namespace herald {

class Bus;
class Database;
class Connections;
struct Conn;
struct HubContext;
class Authentication;
class RoomDirectory;
class Messaging;
class RoomNotifications;
class MessageChanges;
class MessageSearch;
class Delivery;
class PresenceTracker;
class NotificationCenter;
class Receipts;
class ReadReceipts;
class AuditTrail;
class Retention;
class FileStore;
class EscalationScheduler;
class ClusterLink;

/**
 * @brief The transport-free core: the connection table, the frame intake and dispatch, and the
 * feature modules it owns and wires (see docs/architecture.md).
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
    /** @brief Closes every connection with 1001 (shutdown), and queues the token uses and read
     *  positions not written yet. */
    void closeAll(int code, const QString &reason);

    using Reply = std::function<void(const QJsonObject &)>;
    /** @brief Password login: {token, user} or {error,...}. */
    void login(const QString &username, const QString &password, Reply done);
    /** @brief Authenticates a service token (synchronous, from memory): service id or 0. The
     *  use of a good one, from the peer address `from`, is recorded (at most once a minute). */
    qint64 serviceForToken(const QString &token, const QString &from = {});
    /** @brief A person's session token on an HTTP request (file uploads and downloads): done
     *  gets their user id, or 0 for a token that is malformed, unknown, revoked, expired, a
     *  service's, or of a disabled person. Checked as a connection's token is. */
    void personForToken(const QString &token, const QString &from,
                        std::function<void(qint64 userId)> done);
    /** @brief File attachments: the store on disk (net/filehandler.cpp uses it). */
    [[nodiscard]] FileStore *files() const;
    /** @brief Signing out: revokes a person's token and closes its connections with 4003.
     *  {status} or {error,...}. */
    void logout(const QString &token, Reply done);
    /** @brief Stores a notification, then fans it out: {id, duplicate} or {error,...}. */
    void publish(qint64 serviceId, const PublishRequest &request, Reply done);
    void notificationForService(qint64 id, qint64 serviceId, Reply done);
    void updateNotification(qint64 serviceId, qint64 id, const NotificationPatch &patch,
                            Reply done);
    void retractNotification(qint64 serviceId, qint64 id, Reply done);
    /** @brief A page of notification id's receipts for its service: {receipts, next} or
     *  {error,...}. */
    void notificationReceipts(qint64 serviceId, qint64 id, qint64 afterUser, int limit, Reply done);
    /** @brief Receipts per page: by default, and at most. */
    static constexpr int DefaultReceiptsPage = 200;
    static constexpr int MaxReceiptsPage = 1000;
    /** @brief A page of notification id's audit trail for its service (records after
     *  afterId, oldest first): {audit, next} or {error,...}. */
    void notificationAudit(qint64 serviceId, qint64 id, qint64 afterId, int limit, Reply done);
    /** @brief The audit trail module (its expiry sweep, for tests and the server). */
    [[nodiscard]] AuditTrail *auditTrail() const { return m_audit.get(); }
    /** @brief The retention module (its purge passes, for tests and /metrics). */
    [[nodiscard]] Retention *retention() const { return m_retention.get(); }
    /** @brief The escalation module (its polls, for tests). */
    [[nodiscard]] EscalationScheduler *escalations() const { return m_escalations.get(); }

    [[nodiscard]] bool storageWritable() const;
    /** @brief "local" on a single node, "up" or "down" for the cluster bus. */
    [[nodiscard]] QString busState() const;
    [[nodiscard]] int connectionCount() const;
    [[nodiscard]] int onlineCount() const;
    [[nodiscard]] QStringList onlineUsers() const;
    [[nodiscard]] const HubStats &stats() const { return m_stats; }
    [[nodiscard]] const Config &config() const { return m_config; }

Q_SIGNALS:
    /** @brief An action was stored with a webhook in the outbox. */
    void webhookQueued();
    /** @brief A notification reached a connection: latency from publish (ms), for metrics. */
    void delivered(qint64 latencyMs);

private:
    void reloadState(std::function<void()> done, bool tellOthers);
    void dispatch(Conn &c, const proto::Frame &f);
    bool rateOk(Conn &c);
    void sweep();

    Config m_config;
    Database *m_db;
    HubStats m_stats;
    proto::Limits m_limits;
    std::unique_ptr<Connections> m_conns;
    std::unique_ptr<HubContext> m_ctx;
    std::unique_ptr<Authentication> m_auth;
    std::unique_ptr<RoomDirectory> m_directory;
    std::unique_ptr<Messaging> m_messaging;
    std::unique_ptr<RoomNotifications> m_roomNotifications;
    std::unique_ptr<ReadReceipts> m_readReceipts;
    std::unique_ptr<MessageChanges> m_messageChanges;
    std::unique_ptr<MessageSearch> m_search;
    std::unique_ptr<Delivery> m_delivery;
    std::unique_ptr<PresenceTracker> m_presence;
    std::unique_ptr<NotificationCenter> m_notifications;
    std::unique_ptr<Receipts> m_receipts;
    std::unique_ptr<AuditTrail> m_audit;
    std::unique_ptr<FileStore> m_files;
    std::unique_ptr<Retention> m_retention;
    std::unique_ptr<EscalationScheduler> m_escalations;
    std::unique_ptr<ClusterLink> m_cluster;
    QTimer m_sweepTimer;
    qint64 m_lastPing = 0;
    qint64 m_lastSessionRefresh = 0;
};

} // namespace herald
