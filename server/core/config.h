#pragma once

#include <QHostAddress>
#include <QString>
#include <QStringList>

namespace herald {

/** @brief Server configuration: defaults < config file < HERALD_* environment < command line. */
struct Config
{
    QString listen = QStringLiteral("0.0.0.0");
    quint16 port = 8470;
    QString dataDir; // default: ./herald-data (or $STATE_DIRECTORY under systemd)
    QString storage = QStringLiteral("sqlite"); // sqlite (data_dir/herald.db) or postgres
    QString pgHost;     // postgres: empty uses PGHOST (libpq's default otherwise)
    int pgPort = 0;     // 0 uses PGPORT (5432 otherwise)
    QString pgDatabase; // empty uses PGDATABASE
    QString pgUser;     // empty uses PGUSER
    QString pgPassword; // empty uses PGPASSWORD (or ~/.pgpass)
    QString bus = QStringLiteral("local"); // local (one node) or redis (cluster)
    QString redisHost = QStringLiteral("127.0.0.1");
    quint16 redisPort = 6379;
    QString nodeId; // default: host name and process id
    QString tlsCert;
    QString tlsKey;
    QString logLevel = QStringLiteral("info");
    int heartbeatInterval = 30;     // seconds between WebSocket pings
    int heartbeatTimeout = 75;      // seconds of silence before closing (4007)
    int authTimeout = 10;           // seconds to send an auth frame (4002)
    int maxFrameBytes = 64 * 1024;  // incoming frame/message cap (1009)
    int maxConnectionsPerUser = 20; // 4005 beyond it
    int sessionIdleDays = 30;       // session tokens unused this long are refused (4010); 0: never
    int webhookMaxAttempts = 12;    // a webhook delivery gives up after this many failed attempts
    int webhookMaxAgeHours = 72;    // ... or when it is this old, whichever comes first
    int retainReadDays = 0; // done notifications (read by all, acted, retracted, expired); 0: keep
    int retainUnreadDays = 0; // every notification; 0: keep
    int retainMessagesDays =
        0;                // chat messages (rooms may override: heraldctl room retention); 0: keep
    int purgeBatch = 500; // rows per purge transaction
    QString filesDir;     // file attachments' bytes; default <data_dir>/files (shared in a cluster)
    qint64 fileMaxBytes = 25LL * 1024 * 1024; // one upload at most; 413 beyond
    int fileOrphanHours = 24; // uploads never attached to a message go after this; 0: kept
    qint64 outboundQueueBytes = 4 * 1024 * 1024; // 4006 beyond it
    double messagesPerSecond = 20;               // sustained frames per second per connection
    int messagesBurst = 50;                      // bucket size
    int maxBadFrames = 20;                       // invalid frames tolerated before 1008
    int mentionRoomMaxMembers = 50;              // @room only in rooms of at most this many members
    int receiptRoomMaxMembers = 50; // live read receipts only in DMs and rooms of at most this many
    int presenceCoalesceMs = 250;   // presence and online-count batching
    int listenBacklog = 4096;
    int ioUring = 1;   // 1: network threads send a batch through io_uring where the kernel allows
    int ioThreads = 0; // network threads for WebSocket I/O; 0: one per core (at most 8)
    int storageMaxBatch = 0;       // jobs per storage transaction at most; 0: all that queued up
    int storageStatementCache = 1; // 1: reuse prepared statements; 0: prepare each time
    QString metricsToken;          // empty: /metrics open to anyone who can reach the port
    QStringList origins;           // empty: any Origin accepted
    QStringList chatAdmins;        // people (names) who may delete anyone's chat message
    // The front, before any request is routed (docs/security.md).
    int maxRequestLineBytes = 8 * 1024; // 414 beyond
    int maxHeaderBytes = 16 * 1024;     // whole request head; 431 beyond
    int maxHeaderCount = 100;           // 431 beyond
    int maxBodyBytes = 1024 * 1024;     // publish body; 413 beyond (other requests: 16 KiB at most)
    int requestTimeout = 10;            // seconds for a whole request, or a WebSocket handshake
    int keepaliveTimeout = 15;    // seconds an HTTP connection may idle between requests; 0: close
    int keepaliveRequests = 1000; // HTTP requests on one connection; the last answer closes it
    int maxConnections = 100000;  // open connections in all; 503 beyond
    int maxConnectionsPerIp = 20000; // open connections from one address; 503 beyond
    QString demoUser; // --demo NAME: create NAME with a token printed once (README run)

    /** @brief Reads a config file (INI, group [server]); returns an error message or empty. */
    QString loadFile(const QString &path);
    /** @brief Applies HERALD_<KEY> environment variables. */
    QString loadEnvironment();
    /** @brief Sets one key by its config-file name; returns an error message or empty. */
    QString set(const QString &key, const QString &value);
    /** @brief All keys with their current values, for --help and docs. */
    static QStringList keys();
};

} // namespace herald
