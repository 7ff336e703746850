// herald-bench controller: what the cluster scenarios share (cluster.h).
#include "cluster.h"

#include "report.h"
#include "setup.h"
#include "util.h"

#include "core/config.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bench {

// ------------------------------------------------------------------ Redis

void Redis::start(const Run &run)
{
    {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
        getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
        port = ntohs(a.sin_port);
        ::close(fd);
    }
    child = spawn({"redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1", "--save",
                   "", "--appendonly", "no"},
                  run.dataDir.toStdString() + "/redis.log");
    // Without a bus the nodes still deliver everything (each re-reads storage every 3 s), so a
    // Redis that did not start would go unnoticed in the results: wait until it answers PING.
    bool up = false;
    for (int attempt = 0; attempt < 50 && !up; ++attempt) {
        usleep(100000);
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(uint16_t(port));
        char reply[8] = {};
        up = ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
             ::send(fd, "PING\r\n", 6, MSG_NOSIGNAL) == 6 && ::recv(fd, reply, 7, 0) >= 5 &&
             std::string(reply, 5) == "+PONG";
        ::close(fd);
    }
    if (!up)
        die("redis-server did not start (is it installed? see " + run.dataDir.toStdString() +
            "/redis.log)");
}

void Redis::stop()
{
    if (child.pid <= 0)
        return;
    kill(child.pid, SIGTERM);
    waitpid(child.pid, nullptr, 0);
    child.pid = -1;
}

// ------------------------------------------------------------------ nodes on PostgreSQL

void requirePostgres(const char *scenario)
{
    if (qEnvironmentVariableIsEmpty("PGHOST") && qEnvironmentVariableIsEmpty("PGPORT"))
        die(std::string(scenario) +
            " needs PostgreSQL: run it under tests/cluster/with-postgres.sh");
}

herald::StorageSettings postgresStorage(const Run &run)
{
    herald::Config cfg;
    cfg.storage = QStringLiteral("postgres");
    cfg.dataDir = run.dataDir;
    return herald::StorageSettings::fromConfig(cfg);
}

void makeClusterNode(Server &node, const Redis &redis, const std::string &nodeId)
{
    const std::string db =
        qEnvironmentVariable("PGDATABASE", QStringLiteral("postgres")).toStdString();
    for (const std::string &s :
         std::vector<std::string>{"storage=postgres", "pg_database=" + db, "bus=redis",
                                  "redis_port=" + std::to_string(redis.port), "node_id=" + nodeId})
        node.sets.push_back(s);
}

Server makeClusterPair(Server &a, const Redis &redis)
{
    Server b = a;
    b.dataDir = a.dataDir + "/node-b";
    mkdir(b.dataDir.c_str(), 0700);
    makeClusterNode(a, redis, "a");
    makeClusterNode(b, redis, "b");
    return b;
}

// ------------------------------------------------------------------ watching PostgreSQL

namespace {

/** ppid and utime + stime (clock ticks) of /proc/<pid>/stat. */
bool statOf(const char *pid, long *ppid, long long *ticks)
{
    FILE *f = fopen((std::string("/proc/") + pid + "/stat").c_str(), "r");
    if (!f)
        return false;
    char buf[2048];
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *close = strrchr(buf, ')');
    if (!close)
        return false;
    // after ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    char state;
    long long v[12] = {0};
    if (sscanf(close + 2, "%c %ld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld", &state,
               ppid, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
               &v[10]) != 13)
        return false;
    *ticks = v[9] + v[10];
    return true;
}

} // namespace

PostgresWatch::PostgresWatch()
    : m_connection(QStringLiteral("bench-postgres-watch"))
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connection);
    db.setHostName(qEnvironmentVariable("PGHOST", QStringLiteral("localhost")));
    db.setPort(qEnvironmentVariableIntValue("PGPORT") ? qEnvironmentVariableIntValue("PGPORT")
                                                      : 5432);
    db.setDatabaseName(qEnvironmentVariable("PGDATABASE", QStringLiteral("postgres")));
    db.setUserName(qEnvironmentVariable("PGUSER"));
    db.setPassword(qEnvironmentVariable("PGPASSWORD"));
    if (!db.open()) {
        say("postgres watch: cannot connect (%s): no PostgreSQL CPU or wait states in the report",
            qPrintable(db.lastError().text()));
        return;
    }
    // The postmaster's pid is the first line of postmaster.pid in the data directory (readable
    // here: with-postgres.sh runs the server as this user).
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SHOW data_directory")) || !q.next())
        return;
    QFile pidFile(q.value(0).toString() + QStringLiteral("/postmaster.pid"));
    if (pidFile.open(QIODevice::ReadOnly))
        m_postmaster = pid_t(pidFile.readLine().trimmed().toLong());
}

PostgresWatch::~PostgresWatch()
{
    QSqlDatabase::database(m_connection, false).close();
    QSqlDatabase::removeDatabase(m_connection);
}

double PostgresWatch::cpuSeconds() const
{
    if (m_postmaster <= 0)
        return 0;
    long long ticks = 0;
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    while (dirent *e = readdir(d)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        long ppid = 0;
        long long t = 0;
        if (statOf(e->d_name, &ppid, &t) &&
            (ppid == m_postmaster || atol(e->d_name) == m_postmaster))
            ticks += t;
    }
    closedir(d);
    return double(ticks) / double(sysconf(_SC_CLK_TCK));
}

void PostgresWatch::sample()
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.isOpen())
        return;
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral(
            "SELECT CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || "
            "wait_event, 'running') ELSE state END, count(*) FROM pg_stat_activity "
            "WHERE application_name = 'herald' AND state <> 'idle' GROUP BY 1")))
        return;
    ++m_samples;
    while (q.next())
        m_states[q.value(0).toString()] += q.value(1).toLongLong();
}

QJsonObject PostgresWatch::takeSamples()
{
    QJsonObject states;
    for (const auto &[state, n] : m_states)
        states.insert(state, m_samples ? double(n) / double(m_samples) : 0.0);
    const QJsonObject out{{QStringLiteral("samples"), m_samples},
                          {QStringLiteral("average_sessions"), states}};
    m_samples = 0;
    m_states.clear();
    return out;
}

} // namespace bench
