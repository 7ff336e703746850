#pragma once

#include "rows.h"
#include "settings.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariantList>

#include <memory>
#include <optional>
#include <unordered_map>
#include <variant>
#include <vector>

namespace herald {

/** @brief Small pieces every repository uses. */
namespace sql {
StoreError err(const char *code, const QString &message, const QString &field = {});
/** @brief A failed statement as a StoreError: `unavailable` when the database cannot take
 *  writes now (connection gone, disk full, read-only, lost a conflict), else `internal`. */
StoreError error(const QSqlError &e);
StoreError error(const QSqlQuery &q);
/** @brief PostgreSQL: running the transaction again can succeed (deadlock, serialization
 *  failure, lock timeout). */
bool isRetryable(const QSqlError &e);
bool isUniqueViolation(const QSqlError &e);
/** @brief QtSql binds a null QString as SQL NULL; text columns here are NOT NULL. */
QString nn(const QString &text);
qint64 nowMs();
/** @brief A list of ids as a JSON array: one bound value that json_each (SQLite) or
 *  json_array_elements_text (PostgreSQL) unfolds, however many ids. */
QString idsJson(const QList<qint64> &ids);
/** @brief An optional reference (a device, a person) to bind: an id > 0 as itself, 0 as NULL. */
QVariant idOrNull(qint64 id);
} // namespace sql

/**
 * @brief The one connection to SQLite (WAL, synchronous=FULL) or PostgreSQL that every
 * repository works through: opening (with the schema brought up to date), the transaction and
 * its savepoints, running statements (noting failures that a retry can cure), reconnecting.
 * Synchronous and single-thread, like the Store that owns it.
 */
class SqlConnection
{
public:
    SqlConnection();
    ~SqlConnection();
    SqlConnection(const SqlConnection &) = delete;
    SqlConnection &operator=(const SqlConnection &) = delete;

    /** @brief Opens (and creates or migrates) the database the settings name. */
    std::optional<StoreError> open(const StorageSettings &settings);
    void close();
    /** @brief Closes and opens the connection again (after PostgreSQL went away); true when open.
     */
    bool reconnect();
    [[nodiscard]] bool isOpen() const;
    [[nodiscard]] bool isPostgres() const
    {
        return m_settings.backend == StorageSettings::Backend::Postgres;
    }
    [[nodiscard]] const StorageSettings &settings() const { return m_settings; }
    /** @brief SQLite: the database file; PostgreSQL: describe() of the connection. */
    [[nodiscard]] QString path() const { return m_path; }
    [[nodiscard]] QSqlDatabase database() const { return m_db; }

    bool begin();
    bool commit();
    void rollback();
    bool savepoint();
    bool releaseSavepoint();
    void rollbackSavepoint();
    [[nodiscard]] QString lastError() const;
    [[nodiscard]] bool inTransaction() const { return m_inTx; }
    /** @brief A statement of the current transaction failed in a way that running the whole
     *  transaction again can cure. The transaction must be rolled back; begin() clears it. */
    [[nodiscard]] bool retryable() const { return m_retryable; }

    /** @brief A forward-only statement, prepared. */
    [[nodiscard]] QSqlQuery prepare(const char *sql) const;
    [[nodiscard]] QSqlQuery prepare(const QString &sql) const;
    /**
     * @brief A prepared statement lent from this connection's cache, and given back (reset, its
     * rows let go) when the handle goes out of scope. Use it as the QSqlQuery it holds: `->` for
     * its members, and it converts to QSqlQuery& for exec(), sql::error() and row readers.
     */
    class Statement
    {
    public:
        Statement(Statement &&other) noexcept;
        Statement &operator=(Statement &&) = delete;
        Statement(const Statement &) = delete;
        Statement &operator=(const Statement &) = delete;
        ~Statement();
        QSqlQuery *operator->() { return m_query.get(); }
        QSqlQuery &operator*() { return *m_query; }
        operator QSqlQuery &() { return *m_query; } // NOLINT: used as the query it is

    private:
        friend class SqlConnection;
        Statement(const SqlConnection *owner, QString key, std::unique_ptr<QSqlQuery> query,
                  quint64 generation, bool keep);
        const SqlConnection *m_owner;
        QString m_key;
        std::unique_ptr<QSqlQuery> m_query;
        quint64 m_generation;
        bool m_keep; // it prepared: worth keeping for the next use
    };
    /** @brief Idle statements kept per SQL text (nesting deeper than this prepares anew). */
    static constexpr size_t MaxIdleStatements = 4;
    /**
     * @brief A forward-only statement for this SQL text, prepared once per connection and
     * reused: SQLite parses it once instead of on every run, PostgreSQL (QPSQL) saves the
     * PREPARE and DEALLOCATE round trips. Safe to nest: a text already lent out (a loop that runs
     * the same statement while the outer one still reads rows) gets a second statement of its
     * own, and both are kept. Bind values afresh on every use.
     */
    [[nodiscard]] Statement statement(const char *sql) const;
    [[nodiscard]] Statement statement(const QString &sql) const;
    /** @brief Statements prepared for the cache so far (a cache hit prepares none). */
    [[nodiscard]] qint64 statementsPrepared() const { return m_statementsPrepared; }
    /** @brief Runs the open transaction's changes check: true when it changed rows (SQLite:
     *  total_changes() moved since the last check; PostgreSQL: it has a transaction id), false
     *  when it only read or the check failed. One cheap statement; Database counts the commits
     *  that wrote with it. */
    bool wroteInTransaction();
    /** @brief Runs a statement and notes a retryable failure (see retryable()). */
    bool exec(QSqlQuery &q, const QString &sql = {});
    /** @brief Text as this backend can store it: PostgreSQL text cannot hold NUL (JSON's \u0000
     *  decodes to one), so it becomes U+FFFD there; SQLite keeps it. */
    [[nodiscard]] QString text(const QString &text) const;

    /** @brief `INSERT ... RETURNING id` with these values: the new id. A unique violation (the
     *  name is taken, perhaps by another node just now) becomes onConflict when given. */
    std::variant<qint64, StoreError> insertReturningId(const char *sql, const QVariantList &values,
                                                       const std::optional<StoreError> &onConflict);
    /** @brief A statement that must change a row: notFound when it changed none. */
    std::optional<StoreError> changeOne(const char *sql, const QVariantList &values,
                                        const StoreError &notFound);
    /** @brief Deletes the row of `table` with this name; "no <noun> '<name>'" when there is none.
     *  table and noun are literals of the caller, never input. */
    std::optional<StoreError> deleteByName(const char *table, const char *noun,
                                           const QString &name);

private:
    std::optional<StoreError> openSqlite();
    std::optional<StoreError> openPostgres();

    QSqlDatabase m_db;
    /** @brief Takes back a lent statement (kept when it is of the current connection). */
    void giveBack(const QString &key, std::unique_ptr<QSqlQuery> query, quint64 generation,
                  bool keep) const;
    // statement(): idle prepared statements by SQL text (more than one when uses were nested)
    mutable std::unordered_map<QString, std::vector<std::unique_ptr<QSqlQuery>>> m_statements;
    mutable qint64 m_statementsPrepared = 0;
    // bumped by close(): statements lent before are dropped when they come back
    quint64 m_generation = 0;
    qint64 m_totalChanges = 0; // SQLite total_changes() at the last wroteInTransaction()
    QString m_connection;
    QString m_path;
    StorageSettings m_settings;
    bool m_inTx = false;
    bool m_retryable = false;
};

/**
 * @brief One write of several statements, all or nothing: a transaction of its own when the
 * caller has none. Inside the caller's transaction (the storage thread runs each job in a
 * savepoint) it joins that one, or, for a method that must recover from a failed statement
 * (PostgreSQL spoils the rest of a transaction after one), opens a savepoint of its own.
 * Savepoints are not free on PostgreSQL: past 64 in one transaction every snapshot gets slower.
 */
class Atomic
{
public:
    enum Nested { Join, Savepoint };
    explicit Atomic(SqlConnection &db, Nested nested = Join);
    ~Atomic() { rollback(); }
    Atomic(const Atomic &) = delete;
    Atomic &operator=(const Atomic &) = delete;

    [[nodiscard]] bool ok() const { return m_ok; }
    [[nodiscard]] QSqlError error() const;
    bool commit();
    void rollback();

private:
    SqlConnection &m_db;
    bool m_own;
    bool m_savepoint;
    QSqlError m_error;
    bool m_ok = false;
    bool m_done = false;
};

} // namespace herald
