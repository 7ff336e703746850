#pragma once

// What storage hands out: plain row structs, no QtSql and no JSON, so that the hub, the
// network edge and tests can hold them. The wire JSON of each is built in core/wire.h.

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <optional>

namespace herald {

/** @brief A storage failure: a stable code (proto::Err or storage-specific) and a message. */
struct StoreError
{
    QString code;
    QString message;
    QString field;
};

struct UserRow
{
    qint64 id = 0;
    QString name;
    QString display;
    bool disabled = false;
};

struct TokenRow
{
    qint64 id = 0;
    QByteArray hash;
    qint64 userId = 0;    // user tokens and sessions
    qint64 serviceId = 0; // service tokens
    QString kind;         // user, session, service
    QString label;
    bool revoked = false;
    qint64 createdAt = 0;
    qint64 lastUsedAt = 0; // 0: never used (or not since schema version 4)
    QString lastUsedFrom;  // the peer address of that use

    /**
     * @brief A session token (from password login) unused for more than sessionIdleDays days
     * (0: sessions never expire). Personal tokens (heraldctl token issue) and service tokens
     * do not expire when idle, as personal access tokens do not on Slack or Mattermost: they
     * are revoked by hand.
     */
    [[nodiscard]] bool idleExpired(int sessionIdleDays, qint64 nowMs) const
    {
        constexpr qint64 DayMs = 24LL * 60 * 60 * 1000;
        return kind == QLatin1String("session") && sessionIdleDays > 0 &&
               nowMs - std::max(createdAt, lastUsedAt) > sessionIdleDays * DayMs;
    }
};

/** @brief A token's use, recorded (at most once a minute per token) off the hot path. */
struct TokenUse
{
    qint64 tokenId = 0;
    qint64 at = 0;
    QString from;
};

struct RoomRow
{
    qint64 id = 0;
    QString name;
    QString title;
    QString kind; // public, private, dm
    qint64 lastSeq = 0;
    QList<qint64> members;
};

/** @brief A file as a message carries it (schema version 16): the content's SHA-256 (hex), the
 *  name the sender gave it, its size in bytes and media type. An empty id: no file. */
struct MessageFile
{
    QString id;
    QString name;
    qint64 size = 0;
    QString type;
    [[nodiscard]] bool isEmpty() const { return id.isEmpty(); }
};

/** @brief Where a sent message landed: its sequence, or the earlier copy of a retry. */
struct StoredMessage
{
    qint64 seq = 0;
    qint64 ts = 0;
    bool duplicate = false;
    MessageFile file{}; ///< the file it carries, as stored (schema version 16)
};

/** @brief The people who reacted to a message with one emoji. */
struct ReactionRow
{
    QString emoji;
    QStringList people; ///< names, in the order they reacted
};

/** @brief A stored chat message, as history and gap fills return it; or a change record (an
 *  edit, deletion or reaction, storage/messageedits.cpp), which takes a sequence number of the
 *  room like a message so that resume replays it in order. */
/** @brief A stored file's row (storage/filerepository.h): the bytes are in the file store. */
struct FileRow
{
    QString id; ///< SHA-256 of the bytes, lower-case hex
    qint64 size = 0;
    QString type;
    qint64 uploader = 0;  ///< who uploaded it first
    qint64 createdAt = 0; ///< when it was last uploaded (ms)
};

/** @brief A file a person may download: its row and the name to offer it under (a message's,
 *  or empty when only its uploader may read it and no message names it). */
struct ReadableFile
{
    FileRow file;
    QString name;
};

struct MessageRow
{
    /** @brief What the row is (the messages.kind column). */
    enum Kind { Message = 0, Edit = 1, Delete = 2, ReactOn = 3, ReactOff = 4 };
    QString room; // the room's name
    qint64 seq = 0;
    QString from; // the sender's name; of a change record: who changed it
    QString text; // of a reaction record: the emoji
    qint64 ts = 0;
    QString clientId;
    QStringList mentions{};    ///< the members it mentions by name (storage/mentionrepository.h)
    bool mentionsRoom = false; ///< it mentions every member (@room)
    int kind = Message;
    qint64 target = 0;   ///< a change record: the message it changes
    qint64 editedAt = 0; ///< a message: when it was last edited (0: never)
    bool deleted = false;
    QList<ReactionRow> reactions{}; ///< a message in history: who reacted with what
    MessageFile file{};             ///< a message: the file it carries (schema version 16)

    [[nodiscard]] bool isChange() const { return kind != Message; }
};

/** @brief An edit, deletion or reaction stored with the room's next sequence number. */
struct MessageChange
{
    qint64 seq = 0; ///< 0: a reaction that was already so (nothing stored, nothing to tell)
    qint64 target = 0;
    qint64 ts = 0;
};

/** @brief A person's read position in a room: the last message they read, and how many
 *  messages of others came after it (counted up to ReadMark::CountCap). */
struct ReadMark
{
    static constexpr qint64 CountCap = 1000;
    qint64 seq = 0;
    qint64 unread = 0;
    qint64 lastSeq = 0; ///< the room's last message when counted (the count covers up to it)
    bool moved = false; ///< setReadMark: the position changed
    /** @brief Of the unread, those that mention the person (by name or @room), same cap. */
    qint64 mentions = 0;
};

/** @brief A publisher and its webhook. */
struct ServiceRow
{
    qint64 id = 0;
    QString name;
    QString webhookUrl;
    QString webhookSecret;
    /** @brief The receipt events its webhook gets (delivered, seen, read, acted, escalated). */
    QStringList webhookEvents{QStringLiteral("acted")};
    /** @brief Webhook deliveries carry a signature (a secret is set). */
    [[nodiscard]] bool isSigned() const { return !webhookSecret.isEmpty(); }
};

struct GroupRow
{
    QString name;
    qint64 memberCount = 0;
};

/** @brief A button on a notification. */
struct NotificationAction
{
    QString id;
    QString label;
};

/** @brief Who acted on a notification first, with which action, when. */
struct ResolvedAction
{
    QString action; // empty when the publishing service settled it (PATCH resolved)
    QString by;     // the person's name, or the service's
    qint64 at = 0;
    QString text; // the service's words ("approved in SAP by bob"); empty for a person's action
};

/** @brief A notification with the state of one view of it: one person's (read) or the
 *  publishing service's (how many got it, how many read it). */
struct NotificationRow
{
    qint64 id = 0;
    QString title;
    QString body;
    QString priority;
    QString category;
    QString link;
    QList<NotificationAction> actions;
    /** @brief The publisher's opaque source object, as stored: compact JSON text. */
    QByteArray sourceJson;
    QString service; // the publishing service's name
    /** @brief The publisher's thread (empty: none): one service's notifications with the same
     *  key are shown together, and read together (notif.readThread). */
    QString threadKey;
    qint64 createdAt = 0;
    std::optional<qint64> expiresAt;
    std::optional<ResolvedAction> resolved;
    std::optional<qint64> updatedAt;   ///< the last PATCH by its service
    std::optional<qint64> retractedAt; ///< withdrawn by its service (DELETE)
    qint64 changeSeq = 0; ///< 0, or the number of its last change (update, resolution, retraction)

    /** @brief One person's view: whether they read it. */
    std::optional<bool> read;
    struct Reach
    {
        qint64 recipients = 0;
        qint64 readBy = 0;
    };
    /** @brief The publishing service's view. */
    std::optional<Reach> reach;
};

struct PublishResult
{
    qint64 id = 0;
    bool duplicate = false;
    QList<qint64> userIds;        // recipients, for live fan-out (empty when duplicate)
    NotificationRow notification; // as its recipients see it (unread); empty when duplicate
    /** @brief >= 0: written at its storage batch's end (PublishBatch), and this is only its slot
     *  there until the batch commits; the storage thread then fills in the rest. */
    int pendingSlot = -1;
};

/** @brief A published notification changed by its service (PATCH or DELETE), as its recipients
 *  see it now, and who they are. */
struct NotificationChange
{
    NotificationRow notification;
    QList<qint64> recipientIds;
    bool changed = true; ///< false: a retraction of one retracted before (nothing to tell)
};

/** @brief A step of a notification's escalation that fired: a reminder to `users` (its
 *  recipients), or `users` added as recipients. The notification as they see it (unread). */
struct EscalationFired
{
    qint64 notificationId = 0;
    int step = 0; ///< 1-based
    bool remind = false;
    QList<qint64> users;
    NotificationRow notification;
    bool webhookQueued = false; ///< a notification.escalated delivery is in the outbox
};

struct ActionResult
{
    bool won = false; // this call recorded the action
    ResolvedAction resolved;
    qint64 changeSeq = 0;       // the change number it took (when won)
    QList<qint64> recipientIds; // who to tell
};

/** @brief One recipient's receipt for a notification: when (and on which device, a token id)
 *  it was delivered, seen, read and acted on. Absent: not (yet). */
struct ReceiptRow
{
    struct Stamp
    {
        std::optional<qint64> at; ///< empty for a read below the read watermark (no time kept)
        qint64 device = 0;        ///< the token id of the device (0: not known)
    };
    qint64 userId = 0;
    QString user;
    QString display;
    std::optional<Stamp> delivered;
    std::optional<Stamp> seen;
    std::optional<Stamp> read;
    std::optional<Stamp> acted;
    QString action; ///< with acted
};

/** @brief A page of a notification's receipts, by user id; next is the last id when more follow. */
struct ReceiptPage
{
    QList<ReceiptRow> rows;
    std::optional<qint64> next;
};

/** @brief One record of a notification's audit trail (schema version 8): what happened, when,
 *  who did it (a service, a person, or Herald itself) and from which device (a token id). */
struct AuditRow
{
    qint64 id = 0; ///< increasing in the order the records were written
    qint64 notificationId = 0;
    qint64 at = 0;
    QString event;     ///< published, updated, resolved, delivered, seen, read, acted, ...
    QString actorKind; ///< service, user or system
    QString actor;     ///< the service's or person's name; "herald" for system
    qint64 device = 0; ///< the token id of the device (0: none or not known)
    QString detail;    ///< the action, the fields changed, the resolution text, an error
};

/** @brief A page of a notification's audit trail, oldest first; next is the last record's id
 *  when more follow. */
struct AuditPage
{
    QList<AuditRow> rows;
    std::optional<qint64> next;
};

/** @brief A webhook delivery waiting in the outbox. */
struct WebhookRow
{
    qint64 id = 0;
    QString url;
    QString secret;
    QByteArray payload;
    int attempts = 0;
    qint64 createdAt = 0; ///< 0: queued before schema version 6 (age unknown)
};

/** @brief A webhook delivery that gave up (the dead-letter list). */
struct DeadWebhookRow
{
    qint64 id = 0;
    QString service;
    QByteArray payload;
    int attempts = 0;
    QString lastError;
    qint64 createdAt = 0;
    qint64 deadAt = 0;
};

} // namespace herald
