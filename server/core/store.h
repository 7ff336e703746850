#pragma once

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace herald {

struct Config;

/** @brief Where the durable state lives: SQLite in the data directory, or a PostgreSQL database. */
struct StorageSettings
{
    enum class Backend { Sqlite, Postgres };
    Backend backend = Backend::Sqlite;
    QString dataDir; // SQLite: dataDir/herald.db; PostgreSQL: not used by the Store
    // PostgreSQL connection. Empty fields (port 0) are left to libpq: PGHOST, PGPORT, ... or its
    // defaults.
    QString host;
    int port = 0;
    QString database;
    QString user;
    QString password;

    static StorageSettings sqlite(const QString &dataDir);
    /** @brief From the storage and pg_* config keys; unset pg_* keys come from PGHOST, PGPORT,
     *  PGDATABASE, PGUSER and PGPASSWORD. */
    static StorageSettings fromConfig(const Config &config);
    /** @brief For logs and errors: the SQLite file, or postgres://user@host:port/database (no
     * password). */
    [[nodiscard]] QString describe() const;
};

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

struct RoomRow
{
    qint64 id = 0;
    QString name;
    QString title;
    QString kind; // public, private, dm
    qint64 lastSeq = 0;
    QList<qint64> members;
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
};

struct StoredMessage
{
    qint64 seq = 0;
    qint64 ts = 0;
    bool duplicate = false;
};

struct Recipients
{
    QStringList users;
    QStringList groups;
    bool everyone = false;
};

struct PublishResult
{
    qint64 id = 0;
    bool duplicate = false;
    QList<qint64> userIds;    // recipients, for live fan-out (empty when duplicate)
    QJsonObject notification; // the frame payload
};

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
 */
class Store
{
public:
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
    [[nodiscard]] QString path() const { return m_path; }
    [[nodiscard]] bool isOpen() const;
    [[nodiscard]] bool isPostgres() const
    {
        return m_settings.backend == StorageSettings::Backend::Postgres;
    }
    [[nodiscard]] const StorageSettings &settings() const { return m_settings; }
    /** @brief The connection itself, for tests and maintenance; use it on this Store's thread. */
    [[nodiscard]] QSqlDatabase connection() const { return m_db; }
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
    [[nodiscard]] bool inTransaction() const { return m_inTx; }
    /** @brief A statement of the current transaction failed in a way that running the whole
     *  transaction again can cure (PostgreSQL: deadlock, serialization failure, lock timeout).
     *  The transaction must be rolled back; begin() clears the flag. */
    [[nodiscard]] bool retryable() const { return m_retryable; }

    // ---- users and auth
    std::variant<qint64, StoreError> createUser(const QString &name, const QString &display,
                                                const QString &password);
    std::optional<StoreError> setPassword(const QString &name, const QString &password);
    std::optional<StoreError> setDisabled(const QString &name, bool disabled);
    std::optional<UserRow> user(const QString &name);
    std::optional<UserRow> userById(qint64 id);
    QList<UserRow> users();
    /** @brief The user and their stored password hash (empty when none is set). */
    std::optional<std::pair<UserRow, QString>> passwordHash(const QString &name);
    /** @brief Checks a password (slow PBKDF2); returns the user or an error. */
    std::variant<UserRow, StoreError> verifyPassword(const QString &name, const QString &password);

    /** @brief Issues a token and returns its plain text, which is never stored. */
    std::variant<QString, StoreError> issueToken(qint64 userId, qint64 serviceId,
                                                 const QString &kind, const QString &label);
    std::optional<TokenRow> token(qint64 id);
    QList<TokenRow> tokens(qint64 userId, qint64 serviceId);
    QList<TokenRow> allTokens();
    std::optional<StoreError> revokeToken(qint64 id);
    /** @brief Revokes every token of a user; returns how many. */
    int revokeUserTokens(qint64 userId);

    // ---- services (publishers) and their webhooks
    std::variant<qint64, StoreError> createService(const QString &name, const QString &webhookUrl,
                                                   const QString &secret);
    std::optional<StoreError> setWebhook(const QString &name, const QString &url,
                                         const QString &secret);
    QJsonArray services();
    std::optional<QJsonObject> service(qint64 id);

    // ---- rooms
    std::variant<qint64, StoreError> createRoom(const QString &name, const QString &title,
                                                const QString &kind);
    std::optional<StoreError> deleteRoom(const QString &name);
    QList<RoomRow> rooms(); // with members
    /** @brief Each room's last sequence number, by room id (no member lists: cheap to poll). */
    QHash<qint64, qint64> roomSeqs();
    std::optional<RoomRow> room(const QString &name);
    std::optional<StoreError> addMember(qint64 roomId, qint64 userId);
    std::optional<StoreError> removeMember(qint64 roomId, qint64 userId);
    /** @brief The DM room of two users, created on first use. */
    std::variant<RoomRow, StoreError> openDm(qint64 a, qint64 b);

    // ---- messages
    /** @brief Stores a message with the room's next sequence, or finds the earlier copy of a retry.
     */
    std::variant<StoredMessage, StoreError> storeMessage(qint64 roomId, qint64 senderId,
                                                         const QString &clientId,
                                                         const QString &text, qint64 ts);
    /** @brief Messages with seq in (after, before), returned ascending, at most limit: the
     *  newest of that range, or the oldest when oldestFirst or when only `after` is given. */
    QJsonArray history(qint64 roomId, qint64 before, qint64 after, int limit, bool *hasMore,
                       bool oldestFirst = false);

    // ---- groups
    std::variant<qint64, StoreError> createGroup(const QString &name);
    std::optional<StoreError> deleteGroup(const QString &name);
    std::optional<StoreError> setGroupMember(const QString &group, const QString &user,
                                             bool member);
    QJsonArray groups(); // [{name, members:[...]}]

    // ---- notifications
    /** @brief Stores a notification and its inbox rows in the current transaction.
     *  payload is the validated request body (title, body, priority, ...). */
    std::variant<PublishResult, StoreError> publish(qint64 serviceId, const QJsonObject &payload,
                                                    const Recipients &to, qint64 now);
    /** @brief Newest first, unless oldestFirst (then the oldest past `after` come first). */
    QJsonArray notifications(qint64 userId, qint64 before, qint64 after, int limit, bool unreadOnly,
                             qint64 now, bool *hasMore, bool oldestFirst = false);
    /** @brief Every unexpired notification after `after` of each of these people, oldest first,
     *  at most `limitPerUser` each: one query for a whole node's people (cluster gap fill). */
    QHash<qint64, QJsonArray> notificationsSince(qint64 after, const QSet<qint64> &users,
                                                 qint64 now, int limitPerUser);
    qint64 unreadCount(qint64 userId, qint64 now);
    qint64 lastNotificationId(qint64 userId);
    /** @brief The newest notification id of anyone (cluster gap fill starts from there). */
    qint64 maxNotificationId();
    /** @brief Marks read; returns the ids that changed. */
    QList<qint64> markRead(qint64 userId, const QList<qint64> &ids, qint64 now);
    qint64 markAllRead(qint64 userId, qint64 now);
    struct ActionResult
    {
        bool won = false;           // this call recorded the action
        QJsonObject resolved;       // {action, by, at}
        QList<qint64> recipientIds; // who to tell
    };
    std::variant<ActionResult, StoreError> act(qint64 userId, qint64 notificationId,
                                               const QString &action, qint64 now);
    /** @brief Full notification with its state, for the publishing service (null if not its). */
    std::optional<QJsonObject> notificationForService(qint64 id, qint64 serviceId);

    // ---- webhooks (outbox)
    struct Webhook
    {
        qint64 id = 0;
        QString url;
        QString secret;
        QByteArray payload;
        int attempts = 0;
    };
    QList<Webhook> dueWebhooks(qint64 now, int limit);
    void webhookDone(qint64 id, qint64 now);
    void webhookFailed(qint64 id, qint64 nextAt, const QString &error);

    /** @brief "ok", or what is wrong: SQLite's integrity check, then (both backends) that every
     *  room's messages are numbered 1..last_seq without gaps and no notification id is ahead of
     *  its counter. */
    [[nodiscard]] static QString integrityCheck(const QString &dataDir);
    [[nodiscard]] static QString integrityCheck(const StorageSettings &settings);

private:
    friend class Atomic;
    std::optional<StoreError> openSqlite();
    std::optional<StoreError> openPostgres();
    std::optional<StoreError> migrate();
    QString consistencyCheck();
    QJsonObject notificationJson(const class QSqlQuery &q, int firstCol) const;
    /** @brief Runs a statement and notes a retryable failure (see retryable()). */
    bool exec(class QSqlQuery &q, const QString &sql = {});
    std::optional<StoreError> findDuplicate(qint64 roomId, qint64 senderId, const QString &clientId,
                                            StoredMessage *found);

    QSqlDatabase m_db;
    QString m_connection;
    QString m_path;
    StorageSettings m_settings;
    bool m_inTx = false;
    bool m_retryable = false;
};

/** @brief Password and token hashing. */
namespace crypto {
QString hashPassword(const QString &password, int iterations = 120000);
bool verifyPassword(const QString &password, const QString &encoded);
QByteArray tokenHash(const QByteArray &secret);
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);
QByteArray randomBytes(int n);
/** @brief Splits "hrd_<id>_<secret>"; returns id 0 when malformed. */
qint64 parseToken(const QString &token, QByteArray *secret);
} // namespace crypto

} // namespace herald
