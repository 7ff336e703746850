#pragma once

#include "crypto.h"
#include "publishrequest.h"
#include "storage/auditrepository.h"
#include "storage/filerepository.h"
#include "storage/mentionrepository.h"
#include "storage/notificationrepository.h"
#include "storage/peoplerepository.h"
#include "storage/readreceiptrepository.h"
#include "storage/receiptrepository.h"
#include "storage/retentionrepository.h"
#include "storage/roomnotifyrepository.h"
#include "storage/roomrepository.h"
#include "storage/rows.h"
#include "storage/searchrepository.h"
#include "storage/servicerepository.h"
#include "storage/settings.h"

#include <memory>

class QSqlDatabase;

namespace herald {

struct Config;
class SqlConnection;

/**
 * @brief Herald's durable state, on SQLite (WAL, synchronous=FULL; one node) or PostgreSQL (any
 * number of nodes on one database). Synchronous, single-thread: the server runs it on its storage
 * thread (see Database), heraldctl and tests call it directly. Methods that fail return a
 * StoreError; the caller decides about transactions. Writes that take several statements are
 * atomic on their own: outside a transaction they open one, inside they use a savepoint.
 *
 * Everything a client resumes by is a counter kept in a row and advanced in the transaction that
 * stores the item (rooms.last_seq for messages, counters['notifications'] for notification ids),
 * so on PostgreSQL the row lock orders writers from every node: numbers are gap-free where the
 * protocol promises it, strictly increasing in commit order everywhere.
 *
 * A thin front: it owns the connection (storage/sqlconnection.h) and the repositories over it
 * (the storage/ folder, where each method is described), and forwards to them.
 */
class Store
{
public:
    using ActionResult = herald::ActionResult;
    using Webhook = WebhookRow;

    Store();
    ~Store();
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    /** @brief Opens (and creates or migrates) the database the settings name. */
    std::optional<StoreError> open(const StorageSettings &settings);
    /** @brief Opens the storage that config's storage and pg_* keys (or data_dir) name. */
    std::optional<StoreError> open(const Config &config);
    /** @brief Opens (and creates or migrates) dataDir/herald.db. */
    std::optional<StoreError> open(const QString &dataDir);
    void close();
    /** @brief SQLite: the database file; PostgreSQL: describe() of the connection. */
    [[nodiscard]] QString path() const;
    [[nodiscard]] bool isOpen() const;
    [[nodiscard]] bool isPostgres() const;
    [[nodiscard]] const StorageSettings &settings() const;
    /** @brief The connection itself, for tests and maintenance; use it on this Store's thread. */
    [[nodiscard]] QSqlDatabase connection() const;
    /** @brief Closes and opens the connection again (after PostgreSQL went away); true when open.
     */
    bool reconnect();

    bool begin();
    bool commit();
    void rollback();
    bool savepoint();
    bool releaseSavepoint();
    void rollbackSavepoint();
    [[nodiscard]] QString lastError() const;
    [[nodiscard]] bool inTransaction() const;
    /** @brief A statement of the current transaction failed in a way that running the whole
     *  transaction again can cure (PostgreSQL: deadlock, serialization failure, lock timeout).
     *  The transaction must be rolled back; begin() clears the flag. */
    [[nodiscard]] bool retryable() const;
    /** @brief The open transaction changed rows (see SqlConnection::wroteInTransaction()). */
    [[nodiscard]] bool wroteInTransaction();

    /** @brief "ok", or what is wrong: SQLite's integrity check, then (both backends) that every
     *  room's messages are numbered 1..last_seq without gaps and no notification id is ahead of
     *  its counter. */
    [[nodiscard]] static QString integrityCheck(const QString &dataDir);
    [[nodiscard]] static QString integrityCheck(const StorageSettings &settings);

    // ---- people and tokens (PeopleRepository)
    std::variant<qint64, StoreError> createUser(const QString &name, const QString &display,
                                                const QString &password)
    {
        return m_people.createUser(name, display, password);
    }
    std::optional<StoreError> setPassword(const QString &name, const QString &password)
    {
        return m_people.setPassword(name, password);
    }
    std::optional<StoreError> setDisabled(const QString &name, bool disabled)
    {
        return m_people.setDisabled(name, disabled);
    }
    std::optional<UserRow> user(const QString &name) { return m_people.user(name); }
    std::optional<UserRow> userById(qint64 id) { return m_people.userById(id); }
    QList<UserRow> users() { return m_people.users(); }
    std::optional<std::pair<UserRow, QString>> passwordHash(const QString &name)
    {
        return m_people.passwordHash(name);
    }
    void replacePasswordHash(qint64 userId, const QString &oldHash, const QString &newHash)
    {
        m_people.replacePasswordHash(userId, oldHash, newHash);
    }
    std::variant<UserRow, StoreError> verifyPassword(const QString &name, const QString &password)
    {
        return m_people.verifyPassword(name, password);
    }
    std::variant<QString, StoreError> issueToken(qint64 userId, qint64 serviceId,
                                                 const QString &kind, const QString &label)
    {
        return m_people.issueToken(userId, serviceId, kind, label);
    }
    std::optional<TokenRow> token(qint64 id) { return m_people.token(id); }
    QList<TokenRow> tokens(qint64 userId, qint64 serviceId)
    {
        return m_people.tokens(userId, serviceId);
    }
    QList<TokenRow> allTokens() { return m_people.allTokens(); }
    std::optional<StoreError> revokeToken(qint64 id) { return m_people.revokeToken(id); }
    std::optional<StoreError> recordTokenUses(const QList<TokenUse> &uses)
    {
        return m_people.recordTokenUses(uses);
    }
    int revokeUserTokens(qint64 userId) { return m_people.revokeUserTokens(userId); }

    // ---- services and groups (ServiceRepository)
    std::variant<qint64, StoreError> createService(const QString &name, const QString &webhookUrl,
                                                   const QString &secret)
    {
        return m_services.createService(name, webhookUrl, secret);
    }
    std::optional<StoreError> setWebhook(const QString &name, const QString &url,
                                         const QString &secret)
    {
        return m_services.setWebhook(name, url, secret);
    }
    std::optional<StoreError> setWebhookEvents(const QString &name, const QStringList &events)
    {
        return m_services.setWebhookEvents(name, events);
    }
    QList<ServiceRow> services() { return m_services.services(); }
    std::optional<ServiceRow> service(qint64 id) { return m_services.service(id); }
    std::variant<qint64, StoreError> createGroup(const QString &name)
    {
        return m_services.createGroup(name);
    }
    std::optional<StoreError> deleteGroup(const QString &name)
    {
        return m_services.deleteGroup(name);
    }
    std::optional<StoreError> setGroupMember(const QString &group, const QString &user, bool member)
    {
        return m_services.setGroupMember(group, user, member);
    }
    QList<GroupRow> groups() { return m_services.groups(); }

    // ---- rooms, members, DMs and messages (RoomRepository)
    std::variant<qint64, StoreError> createRoom(const QString &name, const QString &title,
                                                const QString &kind)
    {
        return m_rooms.createRoom(name, title, kind);
    }
    std::optional<StoreError> deleteRoom(const QString &name) { return m_rooms.deleteRoom(name); }
    QList<RoomRow> rooms() { return m_rooms.rooms(); }
    QHash<qint64, qint64> roomSeqs() { return m_rooms.roomSeqs(); }
    std::optional<RoomRow> room(const QString &name) { return m_rooms.room(name); }
    std::optional<StoreError> addMember(qint64 roomId, qint64 userId)
    {
        return m_rooms.addMember(roomId, userId);
    }
    /** @brief Also forgets the person's notification level in the room. */
    std::optional<StoreError> removeMember(qint64 roomId, qint64 userId)
    {
        if (auto e = m_rooms.removeMember(roomId, userId))
            return e;
        return m_notify.forget(userId, roomId);
    }
    std::variant<RoomRow, StoreError> openDm(qint64 a, qint64 b) { return m_rooms.openDm(a, b); }
    std::variant<StoredMessage, StoreError> storeMessage(qint64 roomId, qint64 senderId,
                                                         const QString &clientId,
                                                         const QString &text, qint64 ts)
    {
        return m_rooms.storeMessage(roomId, senderId, clientId, text, ts);
    }
    std::variant<ReadMark, StoreError> setReadMark(qint64 userId, qint64 roomId, qint64 seq,
                                                   qint64 now)
    {
        return m_rooms.setReadMark(userId, roomId, seq, now);
    }
    QHash<qint64, ReadMark> readMarks(qint64 userId) { return m_rooms.readMarks(userId); }
    /** @brief RoomRepository::history, with each message's mentions (MentionRepository). */
    QList<MessageRow> history(qint64 roomId, qint64 before, qint64 after, int limit, bool *hasMore,
                              bool oldestFirst = false);

    // ---- mentions and notification levels (MentionRepository, RoomNotifyRepository)
    /** @brief storeMessage, who the message mentions and the file it carries (when file.id is
     *  set: not_found, field "file", and nothing stored unless the sender uploaded it), in one
     *  transaction. */
    std::variant<StoredMessage, StoreError>
    storeMessage(qint64 roomId, qint64 senderId, const QString &clientId, const QString &text,
                 qint64 ts, const MentionSet &mentions, const MessageFile &file = {});
    std::variant<RoomNotifyLevel, StoreError> setNotifyLevel(qint64 userId, qint64 roomId,
                                                             const RoomNotifyLevel &level)
    {
        return m_notify.setLevel(userId, roomId, level);
    }
    QHash<qint64, RoomNotifyLevel> notifyLevels(qint64 userId, qint64 now)
    {
        return m_notify.levels(userId, now);
    }

    // ---- read receipts (ReadReceiptRepository)
    std::variant<bool, StoreError> setSendingReceipts(qint64 userId, bool send)
    {
        return m_readReceipts.setSending(userId, send);
    }
    bool sendsReceipts(qint64 userId) { return m_readReceipts.sending(userId); }
    QHash<qint64, qint64> receiptPositions(qint64 roomId)
    {
        return m_readReceipts.positions(roomId);
    }

    /** @brief Messages (with their mentions) and change records after a seq: resume, gap fill. */
    QList<MessageRow> roomStream(qint64 roomId, qint64 after, int limit, bool *hasMore)
    {
        QList<MessageRow> rows = m_rooms.stream(roomId, after, limit, hasMore);
        m_mentions.attach(roomId, rows);
        m_files.fill(roomId, rows);
        return rows;
    }
    std::variant<MessageChange, StoreError> editMessage(qint64 roomId, qint64 target, qint64 userId,
                                                        const QString &text, qint64 now)
    {
        return m_rooms.editMessage(roomId, target, userId, text, now);
    }
    /** @brief Also forgets the file the message carried (FileRepository::detach). */
    std::variant<MessageChange, StoreError> deleteMessage(qint64 roomId, qint64 target,
                                                          qint64 userId, bool anyone, qint64 now);
    std::variant<MessageChange, StoreError> react(qint64 roomId, qint64 target, qint64 userId,
                                                  const QString &emoji, bool on, qint64 now)
    {
        return m_rooms.react(roomId, target, userId, emoji, on, now);
    }

    // ---- chat search (SearchRepository)
    /** @brief SearchRepository::search, with each hit's file (FileRepository::fill). */
    std::variant<SearchPage, StoreError> searchMessages(qint64 userId, qint64 roomId,
                                                        const QStringList &words,
                                                        const SearchCursor &from, int limit);

    // ---- file attachments (FileRepository; the bytes: core/features/filestore.h)
    std::variant<FileRow, StoreError>
    recordUpload(const FileRow &file, qint64 userId, qint64 now,
                 const std::function<std::optional<StoreError>()> &placeBytes)
    {
        return m_files.recordUpload(file, userId, now, placeBytes);
    }
    std::optional<ReadableFile> readableFile(const QString &fileId, qint64 userId)
    {
        return m_files.readable(fileId, userId);
    }
    std::variant<qint64, StoreError>
    purgeFiles(qint64 orphanBefore, int batch,
               const std::function<void(const QString &id)> &removeBytes)
    {
        return m_files.purge(orphanBefore, batch, removeBytes);
    }
    std::variant<qint64, StoreError> purgeableFiles(qint64 orphanBefore)
    {
        return m_files.purgeable(orphanBefore);
    }

    // ---- notifications, actions and the webhook outbox (NotificationRepository)
    std::variant<PublishResult, StoreError> publish(qint64 serviceId, const PublishRequest &req,
                                                    qint64 now)
    {
        return m_notifications.publish(serviceId, req, now);
    }
    /** @brief PostgreSQL storage batches (Database::runBatch): while on, a publish leaves its
     *  rows pending and answers with a PublishResult::pendingSlot; writePendingPublishes() writes
     *  them right before COMMIT (storage/publishbatch.h). Off (the default): a publish writes its
     *  rows at once, as heraldctl and tests use it. */
    void deferPublishes(bool on)
    {
        m_notifications.publishBatch().clear();
        m_notifications.publishBatch().setDeferred(on);
    }
    /** @brief How many publishes are pending (a mark to drop back to). */
    int pendingPublishes() { return m_notifications.publishBatch().size(); }
    /** @brief Drops the pending publishes from `from` on (their job was rolled back). */
    void dropPendingPublishes(int from) { m_notifications.publishBatch().truncate(from); }
    /** @brief Writes the pending publishes (ids, rows); on failure roll the transaction back. */
    std::optional<StoreError> writePendingPublishes()
    {
        return m_notifications.publishBatch().write();
    }
    /** @brief A pending publish's answer, after writePendingPublishes() and the commit. */
    PublishResult pendingPublishResult(int slot)
    {
        return m_notifications.publishBatch().result(slot);
    }
    QList<NotificationRow> notifications(qint64 userId, qint64 before, qint64 after, int limit,
                                         bool unreadOnly, qint64 now, bool *hasMore,
                                         bool oldestFirst = false)
    {
        return m_notifications.notifications(userId, before, after, limit, unreadOnly, now, hasMore,
                                             oldestFirst);
    }
    QHash<qint64, QList<NotificationRow>>
    notificationsSince(qint64 after, const QSet<qint64> &users, qint64 now, int limitPerUser,
                       qint64 upTo = std::numeric_limits<qint64>::max())
    {
        return m_notifications.notificationsSince(after, users, now, limitPerUser, upTo);
    }
    qint64 unreadCount(qint64 userId, qint64 now)
    {
        return m_notifications.unreadCount(userId, now);
    }
    qint64 lastNotificationId(qint64 userId) { return m_notifications.lastNotificationId(userId); }
    qint64 maxNotificationId() { return m_notifications.maxNotificationId(); }
    QList<qint64> markRead(qint64 userId, const QList<qint64> &ids, qint64 now, qint64 device = 0)
    {
        return m_notifications.markRead(userId, ids, now, device);
    }
    qint64 markAllRead(qint64 userId, qint64 now, qint64 device = 0)
    {
        return m_notifications.markAllRead(userId, now, device);
    }
    QList<qint64> unreadInThread(qint64 userId, const QString &service, const QString &threadKey,
                                 qint64 now)
    {
        return m_notifications.unreadInThread(userId, service, threadKey, now);
    }
    std::variant<ActionResult, StoreError> act(qint64 userId, qint64 notificationId,
                                               const QString &action, qint64 now, qint64 device = 0)
    {
        return m_notifications.act(userId, notificationId, action, now, device);
    }
    std::variant<QList<EscalationFired>, StoreError> fireDueEscalations(qint64 now, int limit)
    {
        return m_notifications.fireDueEscalations(now, limit);
    }

    // ---- receipts (ReceiptRepository)
    std::variant<QList<qint64>, StoreError> acknowledge(qint64 userId, qint64 device,
                                                        const QList<qint64> &ids,
                                                        const QString &state, qint64 now)
    {
        return m_receipts.acknowledge(userId, device, ids, state, now);
    }
    std::variant<ReceiptPage, StoreError> receipts(qint64 serviceId, qint64 id, qint64 afterUser,
                                                   int limit)
    {
        return m_receipts.receipts(serviceId, id, afterUser, limit);
    }
    // ---- the audit trail (AuditRepository)
    std::variant<AuditPage, StoreError> auditTrail(qint64 serviceId, qint64 id, qint64 afterId,
                                                   int limit)
    {
        return m_audit.trail(serviceId, id, afterId, limit);
    }
    std::variant<int, StoreError> noteExpired(qint64 now, int limit)
    {
        return m_audit.noteExpired(now, limit);
    }

    /** @brief Whether notification id was purged by retention (its audit trail says so). */
    bool wasPurged(qint64 id) { return m_audit.wasPurged(id); }

    // ---- retention (RetentionRepository)
    std::variant<PurgeCounts, StoreError> purgeBatch(const RetentionPolicy &policy, qint64 now,
                                                     int batch)
    {
        return m_retention.purgeBatch(policy, now, batch);
    }
    std::variant<PurgeCounts, StoreError> purgeDryRun(const RetentionPolicy &policy, qint64 now)
    {
        return m_retention.dryRun(policy, now);
    }
    std::optional<StoreError> setRoomRetention(const QString &room, std::optional<int> days)
    {
        return m_retention.setRoomRetention(room, days);
    }

    std::optional<NotificationRow> notificationForService(qint64 id, qint64 serviceId)
    {
        return m_notifications.notificationForService(id, serviceId);
    }
    std::variant<NotificationChange, StoreError>
    updateNotification(qint64 serviceId, qint64 id, const NotificationPatch &patch, qint64 now)
    {
        return m_notifications.update(serviceId, id, patch, now);
    }
    std::variant<NotificationChange, StoreError> retractNotification(qint64 serviceId, qint64 id,
                                                                     qint64 now)
    {
        return m_notifications.retract(serviceId, id, now);
    }
    QList<NotificationRow> notificationChangesFor(qint64 userId, qint64 after, qint64 upTo,
                                                  int limit)
    {
        return m_notifications.changesFor(userId, after, upTo, limit);
    }
    qint64 lastNotificationChange() { return m_notifications.lastChange(); }
    QList<WebhookRow> dueWebhooks(qint64 now, int limit)
    {
        return m_notifications.dueWebhooks(now, limit);
    }
    void webhookDone(qint64 id, qint64 now) { m_notifications.webhookDone(id, now); }
    void webhookFailed(qint64 id, qint64 nextAt, const QString &error, bool dead = false)
    {
        m_notifications.webhookFailed(id, nextAt, error, dead);
    }
    QList<DeadWebhookRow> deadWebhooks(qint64 serviceId, int limit)
    {
        return m_notifications.deadWebhooks(serviceId, limit);
    }
    std::optional<StoreError> retryWebhook(qint64 id, qint64 now)
    {
        return m_notifications.retryWebhook(id, now);
    }

private:
    std::unique_ptr<SqlConnection> m_db;
    PeopleRepository m_people;
    ServiceRepository m_services;
    RoomRepository m_rooms;
    NotificationRepository m_notifications;
    ReceiptRepository m_receipts;
    AuditRepository m_audit;
    RetentionRepository m_retention;
    MentionRepository m_mentions;
    RoomNotifyRepository m_notify;
    ReadReceiptRepository m_readReceipts;
    SearchRepository m_search;
    FileRepository m_files;
};

} // namespace herald
