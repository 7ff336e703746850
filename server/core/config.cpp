#include "config.h"

#include <QFileInfo>
#include <QProcessEnvironment>
#include <QSettings>

namespace herald {

namespace {
QString toInt(const QString &key, const QString &value, int min, int max, int &out)
{
    bool ok = false;
    const int v = value.trimmed().toInt(&ok);
    if (!ok || v < min || v > max)
        return QStringLiteral("%1 must be a whole number from %2 to %3, not '%4'")
            .arg(key)
            .arg(min)
            .arg(max)
            .arg(value);
    out = v;
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
            QStringLiteral("outbound_queue_bytes"),
            QStringLiteral("messages_per_second"),
            QStringLiteral("messages_burst"),
            QStringLiteral("max_bad_frames"),
            QStringLiteral("presence_coalesce_ms"),
            QStringLiteral("listen_backlog"),
            QStringLiteral("max_request_line_bytes"),
            QStringLiteral("max_header_bytes"),
            QStringLiteral("max_header_count"),
            QStringLiteral("max_body_bytes"),
            QStringLiteral("request_timeout"),
            QStringLiteral("max_connections"),
            QStringLiteral("max_connections_per_ip"),
            QStringLiteral("metrics_token"),
            QStringLiteral("origins"),
            QStringLiteral("bus"),
            QStringLiteral("io_threads"),
            QStringLiteral("redis_host"),
            QStringLiteral("redis_port"),
            QStringLiteral("node_id")};
}

QString Config::set(const QString &key, const QString &value)
{
    int i = 0;
    QString err;
    if (key == QLatin1String("listen")) {
        if (QHostAddress(value).isNull() && value != QLatin1String("localhost"))
            return QStringLiteral("listen must be an IP address, not '%1'").arg(value);
        listen = value;
    } else if (key == QLatin1String("port")) {
        if ((err = toInt(key, value, 0, 65535, i)).isEmpty())
            port = static_cast<quint16>(i);
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
        err = toInt(key, value, 0, 65535, pgPort);
    } else if (key == QLatin1String("pg_database")) {
        pgDatabase = value;
    } else if (key == QLatin1String("pg_user")) {
        pgUser = value;
    } else if (key == QLatin1String("pg_password")) {
        pgPassword = value;
    } else if (key == QLatin1String("io_threads")) {
        err = toInt(key, value, 0, 64, ioThreads);
    } else if (key == QLatin1String("bus")) {
        if (value != QLatin1String("local") && value != QLatin1String("redis"))
            return QStringLiteral("bus must be local or redis, not '%1'").arg(value);
        bus = value;
    } else if (key == QLatin1String("redis_host")) {
        redisHost = value;
    } else if (key == QLatin1String("redis_port")) {
        if ((err = toInt(key, value, 1, 65535, i)).isEmpty())
            redisPort = static_cast<quint16>(i);
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
        err = toInt(key, value, 1, 3600, heartbeatInterval);
    } else if (key == QLatin1String("heartbeat_timeout")) {
        err = toInt(key, value, 2, 7200, heartbeatTimeout);
    } else if (key == QLatin1String("auth_timeout")) {
        err = toInt(key, value, 1, 600, authTimeout);
    } else if (key == QLatin1String("max_frame_bytes")) {
        err = toInt(key, value, 1024, 16 * 1024 * 1024, maxFrameBytes);
    } else if (key == QLatin1String("max_connections_per_user")) {
        err = toInt(key, value, 1, 100000, maxConnectionsPerUser);
    } else if (key == QLatin1String("outbound_queue_bytes")) {
        if ((err = toInt(key, value, 4096, 1024 * 1024 * 1024, i)).isEmpty())
            outboundQueueBytes = i;
    } else if (key == QLatin1String("messages_per_second")) {
        if ((err = toInt(key, value, 1, 100000, i)).isEmpty())
            messagesPerSecond = i;
    } else if (key == QLatin1String("messages_burst")) {
        err = toInt(key, value, 1, 1000000, messagesBurst);
    } else if (key == QLatin1String("max_bad_frames")) {
        err = toInt(key, value, 1, 1000000, maxBadFrames);
    } else if (key == QLatin1String("presence_coalesce_ms")) {
        err = toInt(key, value, 10, 60000, presenceCoalesceMs);
    } else if (key == QLatin1String("listen_backlog")) {
        err = toInt(key, value, 1, 65535, listenBacklog);
    } else if (key == QLatin1String("max_request_line_bytes")) {
        err = toInt(key, value, 256, 1024 * 1024, maxRequestLineBytes);
    } else if (key == QLatin1String("max_header_bytes")) {
        err = toInt(key, value, 1024, 1024 * 1024, maxHeaderBytes);
    } else if (key == QLatin1String("max_header_count")) {
        err = toInt(key, value, 8, 10000, maxHeaderCount);
    } else if (key == QLatin1String("max_body_bytes")) {
        err = toInt(key, value, 1024, 64 * 1024 * 1024, maxBodyBytes);
    } else if (key == QLatin1String("request_timeout")) {
        err = toInt(key, value, 1, 600, requestTimeout);
    } else if (key == QLatin1String("max_connections")) {
        err = toInt(key, value, 1, 10000000, maxConnections);
    } else if (key == QLatin1String("max_connections_per_ip")) {
        err = toInt(key, value, 1, 10000000, maxConnectionsPerIp);
    } else if (key == QLatin1String("metrics_token")) {
        metricsToken = value;
    } else if (key == QLatin1String("origins")) {
        origins.clear();
        for (const QString &o : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
            origins << o.trimmed();
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
