#include "settings.h"

#include "core/config.h"

#include <herald/protocol.h>

#include <QDir>
#include <QProcessEnvironment>

namespace herald {

StorageSettings StorageSettings::sqlite(const QString &dataDir)
{
    StorageSettings s;
    s.dataDir = dataDir;
    return s;
}

StorageSettings StorageSettings::fromConfig(const Config &config)
{
    StorageSettings s;
    s.dataDir = config.dataDir;
    s.statementCache = config.storageStatementCache != 0;
    if (config.storage != QLatin1String("postgres"))
        return s;
    s.backend = Backend::Postgres;
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    auto pick = [&env](const QString &value, const char *var) {
        return value.isEmpty() ? env.value(QString::fromLatin1(var)) : value;
    };
    s.host = pick(config.pgHost, "PGHOST");
    // A PGPORT that is not a port number is left to libpq, which reads it too and says so.
    const std::optional<qint64> envPort =
        proto::parseSafeInteger(env.value(QStringLiteral("PGPORT")));
    s.port = config.pgPort > 0                              ? config.pgPort
             : envPort && *envPort > 0 && *envPort <= 65535 ? int(*envPort)
                                                            : 0;
    s.database = pick(config.pgDatabase, "PGDATABASE");
    s.user = pick(config.pgUser, "PGUSER");
    s.password = pick(config.pgPassword, "PGPASSWORD");
    return s;
}

QString StorageSettings::describe() const
{
    if (backend == Backend::Sqlite)
        return QDir(dataDir).absoluteFilePath(QStringLiteral("herald.db"));
    return QStringLiteral("postgres://%1%2%3/%4")
        .arg(user.isEmpty() ? QString() : user + QLatin1Char('@'),
             host.isEmpty() ? QStringLiteral("(libpq default host)") : host,
             port > 0 ? QLatin1Char(':') + QString::number(port) : QString(),
             database.isEmpty() ? QStringLiteral("(libpq default database)") : database);
}

} // namespace herald
