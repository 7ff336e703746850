#pragma once

#include <limits>

#include "publishbatch.h"
#include "rows.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSet>

#include <optional>
#include <variant>

namespace herald {

class PeopleRepository;
class ServiceRepository;
class SqlConnection;
struct PublishRequest;
struct NotificationPatch;

/**
 * @brief Notifications and who got them, read state, actions on them, and the outbox of webhooks
 * that hand actions back to the publishing service.
 *
 * Who got a notification, two ways (schema version 3):
 * - **personal**: one `inbox(user_id, notif_id, read_at)` row per named person (the `users` of
 *   a publish; every notification stored before version 3);
 * - **audience**: a notification to groups or everyone points to an audience
 *   (`notifications.audience_id`, see storage/audiences.h), shared by every notification to the
 *   same source while its membership stays the same. Per person only what differs is kept: a
 *   read watermark (`read_marks.read_upto`: every audience notification up to that id is read,
 *   set by markAllRead) and the reads above it (`audience_reads`).
 * A person named in a publish who is also in its audience gets it once, through the audience.
 */
class NotificationRepository
{
public:
    NotificationRepository(SqlConnection &db, PeopleRepository &people, ServiceRepository &services)
        : m_db(db)
        , m_people(people)
        , m_services(services)
        , m_batch(db)
    {
    }

    /** @brief The publishes waiting for the end of the storage thread's batch (PostgreSQL). */
    PublishBatch &publishBatch() { return m_batch; }

    /** @brief Stores a notification and its inbox rows, all or nothing: the recipients are
     *  resolved now (a group's members at publish time). A retry with the same idempotency key
     *  answers with the first one (duplicate). While publishBatch() is deferred (PostgreSQL,
     *  the storage thread's batches) its rows and its id wait for the batch's end and the
     *  result carries only its PublishResult::pendingSlot (see storage/publishbatch.h). */
    std::variant<PublishResult, StoreError> publish(qint64 serviceId, const PublishRequest &req,
                                                    qint64 now);
    /** @brief One person's, with their read state. Newest first, unless oldestFirst (then the
     *  oldest past `after` come first). */
    QList<NotificationRow> notifications(qint64 userId, qint64 before, qint64 after, int limit,
                                         bool unreadOnly, qint64 now, bool *hasMore,
                                         bool oldestFirst = false);
    /** @brief Every unexpired notification after `after` of each of these people, oldest first,
     *  at most `limitPerUser` each: one query for a whole node's people (cluster gap fill).
     *  Only ids up to `upTo`: a gap fill reads the newest id first and then the rows up to it,
     *  so a notification committed between the two reads is neither skipped nor sent twice. */
    QHash<qint64, QList<NotificationRow>>
    notificationsSince(qint64 after, const QSet<qint64> &users, qint64 now, int limitPerUser,
                       qint64 upTo = std::numeric_limits<qint64>::max());
    qint64 unreadCount(qint64 userId, qint64 now);
    qint64 lastNotificationId(qint64 userId);
    /** @brief The newest notification id of anyone (cluster gap fill starts from there). */
    qint64 maxNotificationId();
    /** @brief Marks read (from device, a token id, 0: unknown); returns the ids that changed.
     *  Queues notification.read webhooks for the services that subscribed. */
    QList<qint64> markRead(qint64 userId, const QList<qint64> &ids, qint64 now, qint64 device = 0);
    qint64 markAllRead(qint64 userId, qint64 now, qint64 device = 0);
    /** @brief This person's unread, unexpired notifications of one thread (the service's name
     *  and its thread key), oldest first: what notif.readThread hands to markRead. */
    QList<qint64> unreadInThread(qint64 userId, const QString &service, const QString &threadKey,
                                 qint64 now);
    /** @brief Records the first action on a notification and the device (token id) it came
     *  from (with its webhook when the service subscribed to acted, in the same transaction);
     *  later ones learn who was first. */
    std::variant<ActionResult, StoreError>
    act(qint64 userId, qint64 notificationId, const QString &action, qint64 now, qint64 device = 0);
    /** @brief The notification with how many got and read it, for the service that published it
     *  (nothing when it is not that service's). */
    std::optional<NotificationRow> notificationForService(qint64 id, qint64 serviceId);

    // ---- changes by the publishing service, in notificationlifecycle.cpp
    /** @brief Applies a PATCH of the service that published notification `id`: content fields,
     *  and/or `resolved` (settled from the source; refused with a conflict when a person or the
     *  source settled it first). not_found for an unknown id, forbidden for another service's,
     *  conflict for a retracted or expired one. */
    std::variant<NotificationChange, StoreError> update(qint64 serviceId, qint64 id,
                                                        const NotificationPatch &patch, qint64 now);
    /** @brief Withdraws notification `id` (its service only): it ends now for everyone (left out
     *  of every inbox query, so unread counts drop). Retracting it again changes nothing and
     *  answers the same. */
    std::variant<NotificationChange, StoreError> retract(qint64 serviceId, qint64 id, qint64 now);
    /** @brief This person's notifications up to id `upTo` that changed after change number
     *  `after` (updated, resolved or retracted), in the order of their changes, at most `limit`. */
    QList<NotificationRow> changesFor(qint64 userId, qint64 after, qint64 upTo, int limit);
    /** @brief The number of the newest change of any notification (0: none yet). */
    qint64 lastChange();

    // ---- escalation, in notificationescalation.cpp
    /** @brief Fires the escalation steps due by `now` (at most `limit`): each once on any number
     *  of nodes (claimed by a conditional update after taking the notification's row, in one
     *  transaction with its effects). A step of a notification that was settled, retracted or
     *  expired fires nothing and cancels the steps after it. Returns the steps that fired. */
    std::variant<QList<EscalationFired>, StoreError> fireDueEscalations(qint64 now, int limit);

    // ---- webhooks (outbox), in webhookoutbox.cpp
    /** @brief Deliveries due now. PostgreSQL: claimed with a lease, so that one node sends each. */
    QList<WebhookRow> dueWebhooks(qint64 now, int limit);
    void webhookDone(qint64 id, qint64 now);
    /** @brief A failed attempt: tried again at nextAt, or (dead) given up on for good. */
    void webhookFailed(qint64 id, qint64 nextAt, const QString &error, bool dead = false);
    /** @brief Deliveries that gave up, newest first; serviceId 0: every service's. */
    QList<DeadWebhookRow> deadWebhooks(qint64 serviceId, int limit);
    /** @brief Puts a delivery that gave up back in the queue, due now, with its attempts
     *  counted afresh; not_found when there is no such dead delivery. */
    std::optional<StoreError> retryWebhook(qint64 id, qint64 now);

private:
    /** @brief Adds one delivery to the webhook outbox (due now), about notification notifId;
     *  call in the transaction of what it reports. */
    std::optional<StoreError> queueWebhook(qint64 serviceId, qint64 notifId,
                                           const QJsonObject &payload, qint64 now);
    /** @brief One escalation step with its people by id, ready to store at publish. */
    using StoredStep = PublishBatch::Step;
    /** @brief The steps of a publish with their names resolved (not_found names the field). */
    std::variant<QList<StoredStep>, StoreError> resolveEscalation(const PublishRequest &req,
                                                                  qint64 now);
    /** @brief Stores the steps of notification id (in the publishing transaction). */
    std::optional<StoreError> storeEscalation(qint64 id, const QList<StoredStep> &steps);
    /** @brief Fires step `step` of notification id, or nothing (fired elsewhere, cancelled). */
    std::variant<std::optional<EscalationFired>, StoreError> fireStep(qint64 id, int step,
                                                                      qint64 now);

    /** @brief An audience and its members, sorted. The token tells two audiences apart that got
     *  the same id (SQLite hands a rolled-back id out again). */
    struct Audience
    {
        qint64 id = 0;
        qint64 token = 0;
        QList<qint64> members;
    };
    /** @brief The current audience of a publish to everyone or these groups, built now when the
     *  source has none (its membership changed since the last one). */
    std::variant<Audience, StoreError> currentAudience(bool everyone, const QList<qint64> &groups,
                                                       qint64 now);
    /** @brief The members of audience id (token as stored), from the cache or the database. */
    std::variant<Audience, StoreError> audience(qint64 id, qint64 token);
    /** @brief PostgreSQL: takes this person's read_marks row (so that reads from several devices
     *  on several nodes change each notification once); returns their read watermark. */
    std::variant<qint64, StoreError> lockReadMark(qint64 userId);
    qint64 readMark(qint64 userId);
    /** @brief What update and retract need to know of a notification before they change it. */
    struct Target
    {
        qint64 serviceId = 0;
        bool resolved = false;
        ResolvedAction resolution;
        bool retracted = false;
        std::optional<qint64> expiresAt;
        qint64 audienceId = 0;
        qint64 audienceToken = 0;
    };
    /** @brief A change about to be made by a service: its number, and the notification. */
    struct Claim
    {
        qint64 change = 0;
        Target target;
    };
    /** @brief Takes the next change number, then reads notification `id` for `serviceId`
     *  (not_found, forbidden): inside the caller's transaction. */
    std::variant<Claim, StoreError> claim(qint64 serviceId, qint64 id);
    /** @brief The next change number (takes the counter row: call inside a transaction). */
    std::variant<qint64, StoreError> nextChange();
    /** @brief Notification `id` as its recipients see it (no read state). */
    std::variant<NotificationRow, StoreError> notificationRow(qint64 id);
    /** @brief The change just made to notification `id`: its row now and its recipients. */
    std::variant<NotificationChange, StoreError> changeOf(qint64 id, qint64 audienceId,
                                                          qint64 audienceToken);
    /** @brief Everyone who got notification `id` (personal rows and its audience), sorted. */
    std::variant<QList<qint64>, StoreError> recipientsOf(qint64 id, qint64 audienceId,
                                                         qint64 audienceToken);

    SqlConnection &m_db;
    PeopleRepository &m_people;
    ServiceRepository &m_services;
    /** @brief Audiences are immutable: their members are kept for the next publish to the same
     *  source (most recently used first). */
    QList<Audience> m_audiences;
    static constexpr qsizetype CachedAudiences = 16;
    PublishBatch m_batch;
};

} // namespace herald
