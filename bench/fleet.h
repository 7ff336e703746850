// herald-bench controller: the worker fleet. Spawns the worker processes (herald-bench worker
// ...), talks to them over their stdin and stdout, and collects and merges what they report.
#pragma once

#include "common.h"
#include "process.h"

#include <QJsonObject>
#include <QString>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace bench {

struct Run;
struct Server;

/** @brief The worker processes of a run. */
struct Fleet
{
    std::vector<Child> w;
    std::vector<std::pair<long, long>> ranges; // global [first, first+count)
    Server *server = nullptr;
    double extraCpu = 0; // CPU of workers no longer running
    long long rssPeak = 0;
    int64_t lastSample = 0;

    /** Starts a worker for people [first, first+count) of the plan, against port. */
    void add(const std::string &exe, int port, const std::string &plan, long first, long count);
    void send(size_t i, const std::string &line);
    void sendAll(const std::string &line);
    /** Samples the server's RSS (for the peak). */
    void sample();
    /** Reads from every worker for up to ms milliseconds. */
    void pump(int ms);
    /** Waits for event `name` from worker i; empty object on timeout. */
    QJsonObject wait(size_t i, const QString &name, double timeoutSec);
    /** Waits for `name` from the given workers; missing ones are empty objects. */
    std::vector<QJsonObject> waitAll(const QString &name, double timeoutSec,
                                     const std::vector<size_t> &which = {});
    /** Sums a numeric field of every worker's progress. */
    std::map<QString, qint64> progress();
    /** Waits until progress()[key] >= target, or until it stops moving for stallSec, or timeout. */
    qint64 waitProgress(const QString &key, qint64 target, double timeoutSec, double stallSec);
    double cpuSeconds();
    void quit();
};

/** @brief Merges workers' reports: sums numbers, merges histograms, unions reasons. */
struct Merged
{
    std::map<QString, qint64> n;
    Histogram latency, hello, catchUp, ack, resumeHello;
    QJsonObject reasons;
    std::map<qint64, std::pair<qint64, qint64>> notif; // id -> count, last receipt ns
    qint64 lastMessageNs = 0;
    std::vector<Histogram> latencyByWorker; // in the order the workers were started

    void add(const QJsonObject &r);
};

/** Starts enough workers for `people` people of the plan (at most perWorkerMax each, at least
 *  minWorkers) against the run's server, and waits until they are ready. */
void startWorkers(Run &run, const std::string &plan, long people, long perWorkerMax,
                  int minWorkers);

/** Connects every worker's people at once; returns {ok, failed, seconds to the last hello}. */
QJsonObject connectAll(Run &run, double timeoutSec);

/** Adds the sender (one worker, one person, the sender plan) against port and connects it;
 *  returns its worker index. A sender that does not connect is a problem of the run. */
size_t startSender(Run &run, int port, const std::string &senderPlan);

/** Asks every worker for its report (checked against `expect`) and merges them. */
Merged collect(Run &run, const QJsonObject &expect);

} // namespace bench
