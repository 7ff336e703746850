// herald-bench controller: the publishers of the publish-throughput scenarios (one node and the
// cluster). Open-loop HTTP keep-alive publishers of personal notifications, the server's storage
// counters, and the end-of-run check that every device got exactly its person's notifications.
#pragma once

#include "common.h"

#include <QString>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace bench {

struct Run;
struct Merged;
struct Person;

/** @brief One publish of a step: to whom, through which node, when it was due, what came back. */
struct Request
{
    long recipient = 0;
    int node = -1; // index into the pool's ports; -1: never sent
    int64_t dueNs = 0;
    int status = 0; // 0: no answer
    qint64 id = 0;
    int64_t answeredNs = 0;
};

/** @brief The server's storage counters from /metrics. */
struct Counters
{
    double commits = 0, transactions = 0, jobs = 0, published = 0;
};

Counters readCounters(int port, Run &run);

/** "500,1000,2000" -> {500, 1000, 2000} (values <= 0 are left out). */
std::vector<double> parseRates(const std::string &list);

struct PublisherConnection;

/**
 * @brief The publishers of a run and one step of load through them. Publisher i talks to
 * ports[i % ports.size()]; a due request goes to the next free publisher after the last one
 * used, so with two ports the two nodes take turns (and a busy node's publishers are skipped
 * until free, as behind a least-connections load balancer).
 */
class PublisherPool
{
public:
    PublisherPool(std::vector<int> ports, int count, std::string token,
                  const std::vector<Person> &people);
    ~PublisherPool();
    PublisherPool(const PublisherPool &) = delete;
    PublisherPool &operator=(const PublisherPool &) = delete;

    /** Offers `rate` publishes a second for `seconds`, recipients in turn from *nextRecipient;
     *  returns when every one is answered (or failed, or maxWait passed). */
    std::vector<Request> step(double rate, double seconds, long *nextRecipient, double maxWait,
                              Run &run);
    /** Request sent to answer read, for the step (without the wait for a free connection). */
    Histogram takeServiceTimes();

    int64_t lastAnswerNs = 0;
    qint64 connections = 0; // opened so far (the server may close one after each answer)
    /** Called about every 100 ms during a step (sampling something else meanwhile). */
    std::function<void()> onTick;

private:
    void reconnect(size_t i);
    void send(size_t i, long k, std::vector<Request> &reqs);
    void flush(size_t i);
    long receive(size_t i, std::vector<Request> &reqs);

    std::vector<int> m_ports;
    std::string m_token;
    const std::vector<Person> &m_people;
    int m_ep = -1;
    std::vector<PublisherConnection> m_pubs;
    Histogram m_service;
    int m_failuresSaid = 0;
    size_t m_nextPublisher = 0; // where the search for a free publisher starts
};

/** Per person: how many notifications the 201s gave them and the sum of their ids. */
using Expected = std::map<long, std::pair<qint64, qint64>>;

/**
 * Asks every worker for its per-device report, merges it into @p m and checks each device against
 * its person's expected count and id sum (personOf maps a worker and its i-th connection to the
 * person). With unanswered requests a device may hold more than the 201s say, never fewer.
 * Records devices_not_open_at_the_end, devices_with_wrong_notifications and
 * notifications_missing_on_devices as problems of the run.
 */
void checkDevices(Run &run, Merged &m, const Expected &expected,
                  const std::function<long(size_t worker, long i)> &personOf, bool someUnanswered);

} // namespace bench
