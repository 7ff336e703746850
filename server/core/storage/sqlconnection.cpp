#include "sqlconnection.h"

#include "core/clock.h"

#include "schema.h"

#include <herald/protocol.h>

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

namespace herald {

// ------------------------------------------------------------------ helpers

namespace sql {

StoreError err(const char *code, const QString &message, const QString &field)
{
    return {QString::fromLatin1(code), message, field};
}

bool isRetryable(const QSqlError &e)
{
    const QString code = e.nativeErrorCode();
    return code == QLatin1String("40001")     // serialization_failure
           || code == QLatin1String("40P01")  // deadlock_detected
           || code == QLatin1String("55P03"); // lock_not_available (lock_timeout)
}

bool isUniqueViolation(const QSqlError &e)
{
    return e.nativeErrorCode() == QLatin1String("23505")  // PostgreSQL unique_violation
           || e.text().contains(QLatin1String("UNIQUE")); // SQLite: "UNIQUE constraint failed"
}

StoreError error(const QSqlError &e)
{
    const QString text = e.text();
    // PostgreSQL: connection gone (08), out of resources (53: disk full, too many connections),
    // shutting down (57P0x), read-only (25006, a standby), or a conflict that outlived its retries.
    const QString code = e.nativeErrorCode();
    if ((code.size() == 5 &&
         (code.startsWith(QLatin1String("08")) || code.startsWith(QLatin1String("53")) ||
          code.startsWith(QLatin1String("57P0")) || code == QLatin1String("25006"))) ||
        isRetryable(e))
        return err(proto::Err::Unavailable,
                   QStringLiteral("storage cannot take writes: %1").arg(text));
    // SQLITE_FULL / SQLITE_READONLY / SQLITE_IOERR: the data directory cannot take writes now.
    if (text.contains(QLatin1String("full"), Qt::CaseInsensitive) ||
        text.contains(QLatin1String("readonly"), Qt::CaseInsensitive) ||
        text.contains(QLatin1String("read-only"), Qt::CaseInsensitive) ||
        text.contains(QLatin1String("disk I/O"), Qt::CaseInsensitive))
        return err(proto::Err::Unavailable,
                   QStringLiteral("storage cannot take writes: %1").arg(text));
    return err(proto::Err::Internal, QStringLiteral("storage error: %1").arg(text));
}

StoreError error(const QSqlQuery &q)
{
    return error(q.lastError());
}

QString nn(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

qint64 nowMs()
{
    return clock::nowMs();
}

QString idsJson(const QList<qint64> &ids)
{
    QJsonArray a;
    for (qint64 id : ids)
        a.append(id);
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

QVariant idOrNull(qint64 id)
{
    return id > 0 ? QVariant(id) : QVariant(QMetaType(QMetaType::LongLong));
}

} // namespace sql

using sql::err;

// ------------------------------------------------------------------ opening

SqlConnection::SqlConnection()
    : m_connection(QStringLiteral("herald-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

SqlConnection::~SqlConnection()
{
    close();
}

bool SqlConnection::isOpen() const
{
    return m_db.isValid() && m_db.isOpen();
}

std::optional<StoreError> SqlConnection::open(const StorageSettings &settings)
{
    close();
    m_settings = settings;
    m_inTx = false;
    m_retryable = false;
    if (auto e = isPostgres() ? openPostgres() : openSqlite())
        return e;
    if (auto e = schema::migrate(*this))
        return e;
    wroteInTransaction(); // what the migration changed is not a commit of anyone's
    return {};
}

std::optional<StoreError> SqlConnection::openSqlite()
{
    const QString &dataDir = m_settings.dataDir;
    if (!QDir().mkpath(dataDir))
        return err(proto::Err::Unavailable,
                   QStringLiteral("cannot create data directory %1").arg(dataDir));
    m_path = QDir(dataDir).filePath(QStringLiteral("herald.db"));
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    m_db.setDatabaseName(m_path);
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!m_db.open())
        return err(proto::Err::Unavailable,
                   QStringLiteral("cannot open %1: %2").arg(m_path, m_db.lastError().text()));
    QSqlQuery q(m_db);
    // WAL with synchronous=FULL: a commit is on disk before anything is acknowledged.
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                               "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY"}) {
        if (!q.exec(QString::fromLatin1(pragma)))
            return sql::error(q);
    }
    return {};
}

std::optional<StoreError> SqlConnection::openPostgres()
{
    m_path = m_settings.describe();
    // The data directory still holds the control socket (and nothing else) on PostgreSQL.
    if (!m_settings.dataDir.isEmpty())
        QDir().mkpath(m_settings.dataDir);
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
        return err(proto::Err::Unavailable,
                   QStringLiteral("storage is postgres but Qt's PostgreSQL driver (QPSQL; Debian: "
                                  "libqt6sql6-psql) is not installed"));
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connection);
    // Empty fields are not passed, so libpq falls back to its own PG* variables and defaults.
    m_db.setHostName(m_settings.host);
    if (m_settings.port > 0)
        m_db.setPort(m_settings.port);
    m_db.setDatabaseName(m_settings.database);
    m_db.setUserName(m_settings.user);
    m_db.setPassword(m_settings.password);
    m_db.setConnectOptions(QStringLiteral("connect_timeout=10;application_name=herald"));
    if (!m_db.open())
        return err(proto::Err::Unavailable, QStringLiteral("cannot connect to %1: %2")
                                                .arg(m_path, m_db.lastError().text().trimmed()));
    QSqlQuery q(m_db);
    // synchronous_commit on: a commit is durable (and on a synchronous standby, if one is
    // configured) before anything is acknowledged, whatever the database's default. A writer
    // that waits for a row lock longer than lock_timeout fails with 55P03 and its batch is
    // retried (see Database), as SQLite's busy timeout bounds waits there.
    for (const char *set : {"SET synchronous_commit TO on", "SET lock_timeout TO '10s'",
                            "SET client_min_messages TO warning", "SET TIME ZONE 'UTC'"}) {
        if (!q.exec(QString::fromLatin1(set)))
            return sql::error(q);
    }
    return {};
}

bool SqlConnection::reconnect()
{
    const StorageSettings settings = m_settings;
    return !open(settings).has_value();
}

void SqlConnection::close()
{
    m_statements.clear(); // statements belong to the connection being closed
    ++m_generation;       // and those lent out now are dropped when they come back
    m_totalChanges = 0;
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connection);
    }
    m_inTx = false;
}

// ------------------------------------------------------------------ transactions

bool SqlConnection::begin()
{
    m_retryable = false;
    m_inTx = m_db.transaction();
    return m_inTx;
}

bool SqlConnection::commit()
{
    const bool ok = m_db.commit();
    if (ok)
        m_inTx = false;
    return ok;
}

void SqlConnection::rollback()
{
    m_db.rollback();
    m_inTx = false;
}

bool SqlConnection::savepoint()
{
    QSqlQuery q(m_db);
    return exec(q, QStringLiteral("SAVEPOINT job"));
}

bool SqlConnection::releaseSavepoint()
{
    QSqlQuery q(m_db);
    return exec(q, QStringLiteral("RELEASE SAVEPOINT job"));
}

void SqlConnection::rollbackSavepoint()
{
    QSqlQuery q(m_db);
    q.exec(QStringLiteral("ROLLBACK TO SAVEPOINT job"));
    q.exec(QStringLiteral("RELEASE SAVEPOINT job"));
}

QString SqlConnection::lastError() const
{
    return m_db.lastError().text();
}

Atomic::Atomic(SqlConnection &db, Nested nested)
    : m_db(db)
    , m_own(!db.inTransaction())
    , m_savepoint(!m_own && nested == Savepoint)
{
    if (m_own) {
        m_ok = db.begin();
    } else if (m_savepoint) {
        QSqlQuery q(db.database());
        m_ok = db.exec(q, QStringLiteral("SAVEPOINT atom"));
    } else {
        m_ok = true;
    }
}

QSqlError Atomic::error() const
{
    return m_error.isValid() ? m_error : m_db.database().lastError();
}

bool Atomic::commit()
{
    if (m_done || !m_ok)
        return false;
    m_done = true;
    if (m_own) {
        if (m_db.commit())
            return true;
        m_error = m_db.database().lastError();
        m_db.rollback();
        return false;
    }
    if (!m_savepoint)
        return true;
    QSqlQuery q(m_db.database());
    return m_db.exec(q, QStringLiteral("RELEASE SAVEPOINT atom"));
}

void Atomic::rollback()
{
    if (m_done || !m_ok)
        return;
    m_done = true;
    if (m_own) {
        m_db.rollback();
    } else if (m_savepoint) {
        QSqlQuery q(m_db.database());
        q.exec(QStringLiteral("ROLLBACK TO SAVEPOINT atom"));
        q.exec(QStringLiteral("RELEASE SAVEPOINT atom"));
    }
}

// ------------------------------------------------------------------ statements

QSqlQuery SqlConnection::prepare(const char *sql) const
{
    return prepare(QString::fromLatin1(sql));
}

QSqlQuery SqlConnection::prepare(const QString &sql) const
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(sql);
    return q;
}

SqlConnection::Statement::Statement(const SqlConnection *owner, QString key,
                                    std::unique_ptr<QSqlQuery> query, quint64 generation, bool keep)
    : m_owner(owner)
    , m_key(std::move(key))
    , m_query(std::move(query))
    , m_generation(generation)
    , m_keep(keep)
{
}

SqlConnection::Statement::Statement(Statement &&other) noexcept
    : m_owner(other.m_owner)
    , m_key(std::move(other.m_key))
    , m_query(std::move(other.m_query))
    , m_generation(other.m_generation)
    , m_keep(other.m_keep)
{
}

SqlConnection::Statement::~Statement()
{
    if (m_query)
        m_owner->giveBack(m_key, std::move(m_query), m_generation, m_keep);
}

SqlConnection::Statement SqlConnection::statement(const char *sql) const
{
    return statement(QString::fromLatin1(sql));
}

SqlConnection::Statement SqlConnection::statement(const QString &sql) const
{
    auto it = m_statements.find(sql);
    if (it != m_statements.end() && !it->second.empty()) {
        std::unique_ptr<QSqlQuery> q = std::move(it->second.back());
        it->second.pop_back();
        return Statement(this, sql, std::move(q), m_generation, true);
    }
    auto q = std::make_unique<QSqlQuery>(m_db);
    q->setForwardOnly(true);
    const bool prepared = q->prepare(sql);
    if (prepared)
        ++m_statementsPrepared;
    // A statement that did not prepare (PostgreSQL inside a failed transaction, say) is lent
    // anyway, so that running it reports the error, and is not kept.
    return Statement(this, sql, std::move(q), m_generation, prepared && m_settings.statementCache);
}

void SqlConnection::giveBack(const QString &key, std::unique_ptr<QSqlQuery> query,
                             quint64 generation, bool keep) const
{
    // The next use must not see this one's rows (nor hold a read snapshot until then).
    query->finish();
    if (!keep || generation != m_generation)
        return; // did not prepare, or of a connection closed since
    std::vector<std::unique_ptr<QSqlQuery>> &idle = m_statements[key];
    if (idle.size() < MaxIdleStatements)
        idle.push_back(std::move(query));
}

bool SqlConnection::wroteInTransaction()
{
    QSqlQuery q(m_db);
    if (isPostgres())
        return q.exec(QStringLiteral("SELECT txid_current_if_assigned() IS NOT NULL")) &&
               q.next() && q.value(0).toBool();
    if (!q.exec(QStringLiteral("SELECT total_changes()")) || !q.next())
        return false;
    const qint64 changes = q.value(0).toLongLong();
    const bool wrote = changes != m_totalChanges;
    m_totalChanges = changes;
    return wrote;
}

bool SqlConnection::exec(QSqlQuery &q, const QString &sql)
{
    const bool ok = sql.isEmpty() ? q.exec() : q.exec(sql);
    if (!ok && sql::isRetryable(q.lastError()))
        m_retryable = true;
    return ok;
}

QString SqlConnection::text(const QString &text) const
{
    if (!isPostgres() || !text.contains(QChar(0)))
        return sql::nn(text);
    QString t = text;
    return t.replace(QChar(0), QChar::ReplacementCharacter);
}

std::variant<qint64, StoreError>
SqlConnection::insertReturningId(const char *sql, const QVariantList &values,
                                 const std::optional<StoreError> &onConflict)
{
    QSqlQuery q = prepare(sql);
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!exec(q)) {
        if (onConflict && sql::isUniqueViolation(q.lastError()))
            return *onConflict;
        return sql::error(q);
    }
    if (!q.next())
        return sql::error(q);
    return q.value(0).toLongLong();
}

std::optional<StoreError> SqlConnection::changeOne(const char *sql, const QVariantList &values,
                                                   const StoreError &notFound)
{
    QSqlQuery q = prepare(sql);
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!exec(q))
        return sql::error(q);
    if (q.numRowsAffected() == 0)
        return notFound;
    return {};
}

std::optional<StoreError> SqlConnection::deleteByName(const char *table, const char *noun,
                                                      const QString &name)
{
    const QByteArray statement = QByteArray("DELETE FROM ") + table + " WHERE name=?";
    return changeOne(
        statement.constData(), {name},
        err(proto::Err::NotFound, QStringLiteral("no %1 '%2'").arg(QLatin1String(noun), name)));
}

} // namespace herald
