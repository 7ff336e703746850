// herald-bench controller: the report. What a run records (parameters, results, correctness,
// targets), the checks every scenario shares, and the JSON result file.
#pragma once

#include "fleet.h"
#include "setup.h"
#include "util.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <string>

namespace bench {

struct MachineWatch;

/** @brief One run of one scenario: its options, processes, and what goes into the JSON file. */
struct Run
{
    Options opt;
    std::string scenario;
    bool smoke = false;
    QString dataDir;
    Server server;
    Fleet fleet;
    QJsonObject params;
    QJsonObject results;
    QJsonObject correctness;
    QJsonArray targets;
    QStringList problems; // correctness failures

    /** Records a correctness count; any n > 0 makes the run incorrect. */
    void problem(const QString &what, qint64 n);
    /** Records a performance target (not in smoke runs: tiny sizes say nothing about speed). */
    void target(const QString &name, const QString &goal, double value, bool met);
};

/** The correctness checks every scenario shares. */
void commonChecks(Run &run, Merged &m);

/** results.server_memory: RSS now, at its peak, at the baseline, and per connection. */
void finishServer(Run &run, long long baselineKiB, long conns);

/** results.machine: what other processes used, given the CPU of the bench and the server. */
void recordMachine(Run &run, const MachineWatch &watch, double wallSec);

/** Writes the JSON result file and prints the summary; returns the exit status (0 correct,
 *  1 incorrect, or a missed target with --strict). */
int writeReport(Run &run, const QDateTime &started, double wallSec);

} // namespace bench
