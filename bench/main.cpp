// herald-bench: load generator for herald-server.
//
//   herald-bench SCENARIO [--key value ...]
//   scenarios: see the table below (herald-bench without arguments lists them)
//
// The controller (this process) prepares a fresh data directory through the server's Store
// (users, tokens, rooms, groups), starts herald-server on it, and drives worker processes
// (herald-bench worker ...), each an epoll loop holding thousands of WebSocket connections.
// It samples the server's CPU time and RSS from /proc/<pid>, merges the workers' counters and
// latency histograms, checks that every receiver got everything exactly once and in order, and
// writes one JSON file. Exit status: 0 = correct (targets are reported, not enforced unless
// --strict), 1 = a loss, duplicate, failure or error, 2 = usage or setup problem.
//
// Where things are: setup.cpp (data directory, people, rooms, tokens, the server process),
// fleet.cpp (worker processes and their reports), sampling.cpp (/proc), report.cpp (checks,
// targets, the JSON file), scenarios/ (one file per scenario), worker/ (the worker process).
#include "common.h"
#include "report.h"
#include "sampling.h"
#include "scenarios/scenarios.h"

#include <QCoreApplication>
#include <QDir>

#include <csignal>
#include <cstdio>
#include <cstring>

using namespace bench;

namespace {

constexpr Scenario scenarios[] = {
    {"room-fanout", roomFanout, "--members 1000 --rate 1000 --duration 20"},
    {"chat-room", chatRoom,
     "--members 1000 --rate 20 --duration 30 --mentions 3 --read-interval-ms 1000"},
    {"room-fanout-cluster", roomFanoutCluster,
     "--members 1000 --rate 500 --duration 10 (under tests/cluster/with-postgres.sh)"},
    {"notify-fanout", notifyFanout, "--people 10000 --count 200 --rate 10 [--everyone 1]"},
    {"connect-storm", connectStorm, "--people 10000 --room-size 100"},
    {"idle", idleCapacity, "--max 50000 --step 5000 --hold 30"},
    {"resume-storm", resumeStorm, "--people 10000 --room-size 100 --behind 5"},
    {"publish-throughput", publishThroughput,
     "--people 500 --publishers 64 --step 5 --rates 500,1000,2000,3000,5000,7000 "
     "--p99-limit 50 [--all-steps]"},
    {"publish-throughput-cluster", publishThroughputCluster,
     "--nodes 2 --people 500 --publishers 64 --step 5 --rates 250,500,750,1000,1500,2000,3000 "
     "[--baseline ONE-NODE.json] (under tests/cluster/with-postgres.sh)"},
    {"purge-under-load", purgeUnderLoad, "--people 2000 --backlog 100000 --rate 10 --batch 500"},
};

const Scenario *findScenario(const char *name)
{
    for (const Scenario &s : scenarios)
        if (!strcmp(s.name, name))
            return &s;
    return nullptr;
}

int usage()
{
    fprintf(stderr, "usage: herald-bench SCENARIO [options]\n"
                    "scenarios:\n");
    for (const Scenario &s : scenarios)
        fprintf(stderr, "  %-14s %s\n", s.name, s.help);
    fprintf(stderr,
            "common options:\n"
            "  --out FILE           JSON result (default herald-bench-SCENARIO.json)\n"
            "  --server PATH        herald-server binary (default: next to herald-bench)\n"
            "  --data-dir DIR       fresh directory for the run (default: a new one under /tmp, "
            "removed after)\n"
            "  --server-set K=V     extra server config (repeatable)\n"
            "  --workers N          minimum worker processes (default 2)\n"
            "  --smoke              tiny sizes: checks correctness only (CTest)\n"
            "  --strict             exit 1 when a target is missed too\n"
            "  --keep               keep the data directory\n"
            "  --quiet-wait S       wait up to S seconds for other processes to leave the CPU\n");
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "worker"))
        return workerMain(argc, argv);
    if (argc < 2 || argv[1][0] == '-')
        return usage();
    signal(SIGPIPE, SIG_IGN);
    QCoreApplication app(argc, argv);
    Run run;
    run.scenario = argv[1];
    if (!parseOptions(argc, argv, 2, &run.opt))
        return usage();
    run.smoke = run.opt.has("smoke");
    const Scenario *scenario = findScenario(argv[1]);
    if (!scenario)
        return usage();
    const bool tempDir = prepareRun(run);

    // The machine may be shared: optionally wait for it to be quiet, and record what else ran.
    MachineWatch watch;
    watch.waitQuiet(run.opt.real("quiet-wait", 0));
    const QDateTime started = QDateTime::currentDateTimeUtc();
    const int64_t t0 = nowNs();
    watch.begin();
    run.fleet.extraCpu = 0;
    scenario->run(run);
    const double wall = double(nowNs() - t0) / 1e9;
    recordMachine(run, watch, wall);
    run.fleet.quit();
    run.server.stop();
    run.results.insert(QStringLiteral("server_sigterm_hangs"), run.server.hungStops);

    const int status = writeReport(run, started, wall);
    if (tempDir && !run.opt.has("keep") && run.problems.isEmpty())
        QDir(run.dataDir).removeRecursively();
    else
        say("  data directory kept: %s", qPrintable(run.dataDir));
    return status;
}
