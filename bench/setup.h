// herald-bench controller: setup. The run's data directory and options, the people, rooms and
// tokens written through the server's Store before it starts, the plans the workers read, and
// starting and stopping herald-server.
#pragma once

#include "core/config.h"
#include "core/store.h"

#include <QString>

#include <string>
#include <sys/types.h>
#include <vector>

namespace bench {

struct Options;
struct Run;

/** @brief One herald-server process of the run. */
struct Server
{
    pid_t pid = -1;
    int port = 0;
    std::string bin;
    std::string dataDir;
    std::vector<std::string> sets;
    double startSeconds = 0;
    /**
     * RSS once start-up work is over: the server hashes a dummy password right after it starts
     * (libsodium's interactive Argon2id, 64 MiB for ~0.1 s), so a sample taken as it starts
     * listening holds those 64 MiB or not, by chance. The least of 1 s of samples does not.
     */
    long long idleRssKiB = 0;
    double stopTimeout = 15;
    int hungStops = 0;
    double pastCpu = 0; // CPU of server instances already stopped (resume storm)

    /**
     * Starts it on fixedPort (0: any), waits for "listening on" (dies if it does not come), then
     * samples its idle RSS for a second.
     */
    void start(int fixedPort);
    /** SIGTERM, wait (bounded), SIGKILL if it hangs. Returns seconds taken. */
    double stop();
};

/** @brief A person of the run: user name, id and bearer token. */
struct Person
{
    QString name;
    qint64 id = 0;
    QString token;
};

/** @brief One transaction on the server's store that creates what a scenario needs. */
struct Setup
{
    herald::Store st;
    QString dir;
    explicit Setup(const QString &dataDir);
    explicit Setup(const herald::StorageSettings &settings);
    std::vector<Person> people(long n, const QString &prefix);
    qint64 room(const QString &name);
    void member(qint64 room, qint64 user);
    void finish();
};

/** @brief A publishing service ("bench") and its token. */
struct Publisher
{
    qint64 serviceId = 0;
    std::string token;
};
/** Puts all of @p people in the group @p group and creates the publishing service. */
Publisher groupAndPublisher(Setup &setup, const std::vector<Person> &people, const QString &group);

/** Source address of person i: 10,000 people per 127.0.0.x (the server allows 20,000 per IP and
 *  each address has ~28,000 ephemeral ports toward one server port). */
std::string sourceFor(long i);

/** Writes a worker plan (one "token source-address" line per person); returns its path. */
std::string writePlan(const QString &dir, const QString &name, const std::vector<Person> &people,
                      long firstIndex = 0);

/** Fixes the server binary, the data directory and the server settings of the run, and lifts
 *  the open-files limit (server and workers inherit it). Returns true when the data directory
 *  is a temporary one made here. */
bool prepareRun(Run &run);

/** People spread over team rooms of roomSize members each (presence and hello as in real use). */
std::vector<Person> teamSetup(Run &run, long n, long roomSize, int roomsPerPerson,
                              std::vector<QString> *roomNames, std::vector<qint64> *roomIds,
                              std::vector<std::vector<qint64>> *membersOut = nullptr);

/** @brief The worker plans of a room fan-out. */
struct FanoutPlans
{
    std::string members; // plan.txt: m0, m1, ...
    std::string sender;  // sender.txt: the one sender, numbered after the members
};

/** The room fan-out's people (on one node or a cluster): one public room "fanout" with
 *  `members` people and one sender, created through `setup` (then finished). */
FanoutPlans fanoutSetup(Setup &setup, const QString &dataDir, long members);

} // namespace bench
