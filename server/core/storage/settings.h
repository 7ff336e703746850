#pragma once

#include <QString>

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
    /** @brief Keep prepared statements for reuse (SqlConnection::statement()); off only to
     *  measure what the cache saves (config key storage_statement_cache). */
    bool statementCache = true;

    static StorageSettings sqlite(const QString &dataDir);
    /** @brief From the storage and pg_* config keys; unset pg_* keys come from PGHOST, PGPORT,
     *  PGDATABASE, PGUSER and PGPASSWORD. */
    static StorageSettings fromConfig(const Config &config);
    /** @brief For logs and errors: the SQLite file, or postgres://user@host:port/database (no
     * password). */
    [[nodiscard]] QString describe() const;
};

} // namespace herald
