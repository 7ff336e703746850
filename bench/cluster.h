// herald-bench controller: what the cluster scenarios share. Redis for the bus (started by the
// bench), the settings of nodes on the run's PostgreSQL (the PG* variables of
// tests/cluster/with-postgres.sh), and a watch on that PostgreSQL: the CPU of its processes and
// what Herald's sessions are doing (running, or waiting on a lock, on I/O, ...).
#pragma once

#include "process.h"

#include "core/storage/settings.h"

#include <QJsonObject>
#include <QString>

#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace bench {

struct Run;
struct Server;

/** @brief A redis-server of the run's own, on a free port, nothing saved. */
struct Redis
{
    Child child;
    int port = 0;
    /** Starts it and waits until it answers PING; dies if it does not. */
    void start(const Run &run);
    void stop();
};

/** Dies unless the PG* variables point at a PostgreSQL (run under with-postgres.sh). */
void requirePostgres(const char *scenario);

/** The storage settings of the run's PostgreSQL (for Setup). */
herald::StorageSettings postgresStorage(const Run &run);

/** Adds storage=postgres, the database, bus=redis and node_id to a node's settings. */
void makeClusterNode(Server &node, const Redis &redis, const std::string &nodeId);

/** Makes a (the run's server) node "a" and returns node "b": the same binary and settings, its
 *  own data directory under a's; neither is started. */
Server makeClusterPair(Server &a, const Redis &redis);

/**
 * @brief The run's PostgreSQL seen from outside: CPU seconds of the postmaster and its children
 * (/proc), and samples of pg_stat_activity for Herald's sessions (application_name herald).
 */
class PostgresWatch
{
public:
    PostgresWatch();
    ~PostgresWatch();
    PostgresWatch(const PostgresWatch &) = delete;
    PostgresWatch &operator=(const PostgresWatch &) = delete;

    /** False when it could not connect or find the server's processes (then it reports 0s). */
    [[nodiscard]] bool ok() const { return m_postmaster > 0; }
    /** CPU seconds used so far by the postmaster and every process it started. */
    double cpuSeconds() const;
    /** One sample of what Herald's busy sessions do: "running" (on the CPU or ready for it),
     *  "Lock:transactionid" (waiting for another transaction's row lock), "IO:WALSync", ...,
     *  or "idle in transaction" (a transaction open while the node works between statements). */
    void sample();
    /** The samples since the last take: average sessions in each state, and the sample count. */
    QJsonObject takeSamples();

private:
    QString m_connection;
    pid_t m_postmaster = -1;
    qint64 m_samples = 0;
    std::map<QString, qint64> m_states; // state -> sessions seen in it, summed over samples
};

} // namespace bench
