#include "config.h"

#include <QFileInfo>
#include <QProcessEnvironment>
#include <QSettings>

#include <herald/protocol.h>

#include <type_traits>
#include <utility>

namespace herald {

namespace {
/**
 * Sets an integer key: decimal digits only (an optional '-', surrounding spaces ignored), checked
 * against the key's range before it is stored, so that no value is accepted and then lost:
 * "1e3", "0x10", "12abc", "NaN" and "" are refused, and 2^63 or 2^64 is out of range rather than
 * wrapped or turned into 0. The range is a template argument, so the compiler checks it fits.
 */
template<qint64 Min, qint64 Max, typename T>
QString setInteger(const QString &key, const QString &value, T &field)
{
    static_assert(Min <= Max && Max <= proto::MaxSafeInteger);
    if constexpr (std::is_integral_v<T>)
        static_assert(std::in_range<T>(Min) && std::in_range<T>(Max));
    const std::optional<qint64> v = proto::parseSafeInteger(QStringView(value).trimmed());
    if (!v || *v < Min || *v > Max)
        return QStringLiteral("%1 must be a whole number from %2 to %3, not '%4'")
            .arg(key)
            .arg(Min)
            .arg(Max)
            .arg(value);
    field = static_cast<T>(*v);
    return {};
}
} // namespace

QStringList Config::keys()
{
    return {QStringLiteral("listen"),
            QStringLiteral("port"),
            QStringLiteral("data_dir"),
            QStringLiteral("storage"),
            QStringLiteral("pg_host"),
            QStringLiteral("pg_port"),
            QStringLiteral("pg_database"),
            QStringLiteral("pg_user"),
            QStringLiteral("pg_password"),
            QStringLiteral("tls_cert"),
            QStringLiteral("tls_key"),
            QStringLiteral("log_level"),
            QStringLiteral("heartbeat_interval"),
            QStringLiteral("heartbeat_timeout"),
            QStringLiteral("auth_timeout"),
            QStringLiteral("max_frame_bytes"),
            QStringLiteral("max_connections_per_user"),
            QStringLiteral("session_idle_days"),
            QStringLiteral("webhook_max_attempts"),
            QStringLiteral("webhook_max_age_hours"),
            QStringLiteral("retain_read_days"),
            QStringLiteral("retain_unread_days"),
            QStringLiteral("retain_messages_days"),
            QStringLiteral("purge_batch"),
            QStringLiteral("files_dir"),
            QStringLiteral("file_max_bytes"),
            QStringLiteral("file_orphan_hours"),
            QStringLiteral("outbound_queue_bytes"),
            QStringLiteral("messages_per_second"),
            QStringLiteral("messages_burst"),
            QStringLiteral("max_bad_frames"),
            QStringLiteral("mention_room_max_members"),
            QStringLiteral("receipt_room_max_members"),
            QStringLiteral("presence_coalesce_ms"),
            QStringLiteral("listen_backlog"),
            QStringLiteral("max_request_line_bytes"),
            QStringLiteral("max_header_bytes"),
            QStringLiteral("max_header_count"),
            QStringLiteral("max_body_bytes"),
            QStringLiteral("request_timeout"),
            QStringLiteral("keepalive_timeout"),
            QStringLiteral("keepalive_requests"),
            QStringLiteral("max_connections"),
            QStringLiteral("max_connections_per_ip"),
            QStringLiteral("metrics_token"),
            QStringLiteral("origins"),
            QStringLiteral("chat_admins"),
            QStringLiteral("bus"),
            QStringLiteral("io_threads"),
            QStringLiteral("io_uring"),
            QStringLiteral("storage_max_batch"),
            QStringLiteral("storage_statement_cache"),
            QStringLiteral("redis_host"),
            QStringLiteral("redis_port"),
            QStringLiteral("node_id")};
}

QString Config::set(const QString &key, const QString &value)
{
    QString err;
    if (key == QLatin1String("listen")) {
        if (QHostAddress(value).isNull() && value != QLatin1String("localhost"))
            return QStringLiteral("listen must be an IP address, not '%1'").arg(value);
        listen = value;
    } else if (key == QLatin1String("port")) {
        err = setInteger<0, 65535>(key, value, port);
    } else if (key == QLatin1String("data_dir")) {
        dataDir = value;
    } else if (key == QLatin1String("storage")) {
        if (value == QLatin1String("sqlite") || value == QLatin1String("postgres"))
            storage = value;
        else if (value == QLatin1String("postgresql"))
            storage = QStringLiteral("postgres");
        else
            return QStringLiteral("storage must be sqlite or postgres, not '%1'").arg(value);
    } else if (key == QLatin1String("pg_host")) {
        pgHost = value;
    } else if (key == QLatin1String("pg_port")) {
        err = setInteger<0, 65535>(key, value, pgPort);
    } else if (key == QLatin1String("pg_database")) {
        pgDatabase = value;
    } else if (key == QLatin1String("pg_user")) {
        pgUser = value;
    } else if (key == QLatin1String("pg_password")) {
        pgPassword = value;
    } else if (key == QLatin1String("io_threads")) {
        err = setInteger<0, 64>(key, value, ioThreads);
    } else if (key == QLatin1String("io_uring")) {
        err = setInteger<0, 1>(key, value, ioUring);
    } else if (key == QLatin1String("storage_max_batch")) {
        err = setInteger<0, 1000000>(key, value, storageMaxBatch);
    } else if (key == QLatin1String("storage_statement_cache")) {
        err = setInteger<0, 1>(key, value, storageStatementCache);
    } else if (key == QLatin1String("bus")) {
        if (value != QLatin1String("local") && value != QLatin1String("redis"))
            return QStringLiteral("bus must be local or redis, not '%1'").arg(value);
        bus = value;
    } else if (key == QLatin1String("redis_host")) {
        redisHost = value;
    } else if (key == QLatin1String("redis_port")) {
        err = setInteger<1, 65535>(key, value, redisPort);
    } else if (key == QLatin1String("node_id")) {
        if (value.isEmpty() || value.size() > 64 || value.contains(QLatin1Char('|')))
            return QStringLiteral("node_id must be 1-64 characters without '|'");
        nodeId = value;
    } else if (key == QLatin1String("tls_cert")) {
        tlsCert = value;
    } else if (key == QLatin1String("tls_key")) {
        tlsKey = value;
    } else if (key == QLatin1String("log_level")) {
        static const QStringList levels{QStringLiteral("debug"), QStringLiteral("info"),
                                        QStringLiteral("warning"), QStringLiteral("error")};
        if (!levels.contains(value))
            return QStringLiteral("log_level must be one of debug, info, warning, error");
        logLevel = value;
    } else if (key == QLatin1String("heartbeat_interval")) {
        err = setInteger<1, 3600>(key, value, heartbeatInterval);
    } else if (key == QLatin1String("heartbeat_timeout")) {
        err = setInteger<2, 7200>(key, value, heartbeatTimeout);
    } else if (key == QLatin1String("auth_timeout")) {
        err = setInteger<1, 600>(key, value, authTimeout);
    } else if (key == QLatin1String("max_frame_bytes")) {
        err = setInteger<1024, 16 * 1024 * 1024>(key, value, maxFrameBytes);
    } else if (key == QLatin1String("max_connections_per_user")) {
        err = setInteger<1, 100000>(key, value, maxConnectionsPerUser);
    } else if (key == QLatin1String("session_idle_days")) {
        err = setInteger<0, 36500>(key, value, sessionIdleDays);
    } else if (key == QLatin1String("webhook_max_attempts")) {
        err = setInteger<1, 1000>(key, value, webhookMaxAttempts);
    } else if (key == QLatin1String("webhook_max_age_hours")) {
        err = setInteger<1, 8760>(key, value, webhookMaxAgeHours);
    } else if (key == QLatin1String("retain_read_days")) {
        err = setInteger<0, 36500>(key, value, retainReadDays);
    } else if (key == QLatin1String("retain_unread_days")) {
        err = setInteger<0, 36500>(key, value, retainUnreadDays);
    } else if (key == QLatin1String("retain_messages_days")) {
        err = setInteger<0, 36500>(key, value, retainMessagesDays);
    } else if (key == QLatin1String("purge_batch")) {
        err = setInteger<1, 100000>(key, value, purgeBatch);
    } else if (key == QLatin1String("files_dir")) {
        filesDir = value;
    } else if (key == QLatin1String("file_max_bytes")) {
        err = setInteger<1, 1024LL * 1024 * 1024 * 1024>(key, value, fileMaxBytes);
    } else if (key == QLatin1String("file_orphan_hours")) {
        err = setInteger<0, 876000>(key, value, fileOrphanHours);
    } else if (key == QLatin1String("outbound_queue_bytes")) {
        err = setInteger<4096, 1024 * 1024 * 1024>(key, value, outboundQueueBytes);
    } else if (key == QLatin1String("messages_per_second")) {
        err = setInteger<1, 100000>(key, value, messagesPerSecond);
    } else if (key == QLatin1String("messages_burst")) {
        err = setInteger<1, 1000000>(key, value, messagesBurst);
    } else if (key == QLatin1String("max_bad_frames")) {
        err = setInteger<1, 1000000>(key, value, maxBadFrames);
    } else if (key == QLatin1String("mention_room_max_members")) {
        err = setInteger<0, 1000000>(key, value, mentionRoomMaxMembers);
    } else if (key == QLatin1String("receipt_room_max_members")) {
        err = setInteger<0, 1000000>(key, value, receiptRoomMaxMembers);
    } else if (key == QLatin1String("presence_coalesce_ms")) {
        err = setInteger<10, 60000>(key, value, presenceCoalesceMs);
    } else if (key == QLatin1String("listen_backlog")) {
        err = setInteger<1, 65535>(key, value, listenBacklog);
    } else if (key == QLatin1String("max_request_line_bytes")) {
        err = setInteger<256, 1024 * 1024>(key, value, maxRequestLineBytes);
    } else if (key == QLatin1String("max_header_bytes")) {
        err = setInteger<1024, 1024 * 1024>(key, value, maxHeaderBytes);
    } else if (key == QLatin1String("max_header_count")) {
        err = setInteger<8, 10000>(key, value, maxHeaderCount);
    } else if (key == QLatin1String("max_body_bytes")) {
        err = setInteger<1024, 64 * 1024 * 1024>(key, value, maxBodyBytes);
    } else if (key == QLatin1String("request_timeout")) {
        err = setInteger<1, 600>(key, value, requestTimeout);
    } else if (key == QLatin1String("keepalive_timeout")) {
        err = setInteger<0, 3600>(key, value, keepaliveTimeout);
    } else if (key == QLatin1String("keepalive_requests")) {
        err = setInteger<1, 1000000>(key, value, keepaliveRequests);
    } else if (key == QLatin1String("max_connections")) {
        err = setInteger<1, 10000000>(key, value, maxConnections);
    } else if (key == QLatin1String("max_connections_per_ip")) {
        err = setInteger<1, 10000000>(key, value, maxConnectionsPerIp);
    } else if (key == QLatin1String("metrics_token")) {
        metricsToken = value;
    } else if (key == QLatin1String("origins")) {
        origins.clear();
        for (const QString &o : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
            origins << o.trimmed();
    } else if (key == QLatin1String("chat_admins")) {
        chatAdmins.clear();
        for (const QString &name : value.split(QLatin1Char(',')))
            if (!name.trimmed().isEmpty())
                chatAdmins << name.trimmed();
    } else {
        return QStringLiteral("unknown config key '%1'").arg(key);
    }
    return err;
}

QString Config::loadFile(const QString &path)
{
    if (!QFileInfo(path).isReadable())
        return QStringLiteral("cannot read config file %1").arg(path);
    QSettings ini(path, QSettings::IniFormat);
    if (ini.status() != QSettings::NoError)
        return QStringLiteral("cannot read config file %1").arg(path);
    ini.beginGroup(QStringLiteral("server"));
    for (const QString &key : ini.childKeys()) {
        const QVariant v = ini.value(key);
        const QString value = v.typeId() == QMetaType::QStringList
                                  ? v.toStringList().join(QLatin1Char(','))
                                  : v.toString();
        if (const QString err = set(key, value); !err.isEmpty())
            return QStringLiteral("%1: %2").arg(path, err);
    }
    return {};
}

QString Config::loadEnvironment()
{
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : keys()) {
        const QString name = QStringLiteral("HERALD_") + key.toUpper();
        if (env.contains(name))
            if (const QString err = set(key, env.value(name)); !err.isEmpty())
                return QStringLiteral("%1: %2").arg(name, err);
    }
    return {};
}

} // namespace herald
