// The front's request deadlines: one timer for all connections that have not finished a request.
#pragma once

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <map>

namespace herald {

class RequestDeadline;

/**
 * @brief Every pending request's deadline, in one ordered map and one timer.
 *
 * A connection storm has thousands of sockets whose request is not finished; a QTimer each made
 * every start and stop linear in their number (Qt keeps a thread's timers in one sorted list).
 * Here a deadline is an entry of a map ordered by due time, and one single-shot timer is armed
 * for the earliest. Lives on the thread of its deadlines (the front's, the main thread).
 */
class RequestDeadlines : public QObject
{
    Q_OBJECT
public:
    using Clock = std::function<qint64()>; // milliseconds, monotonic

    /** @p clock: now in ms (default: a steady clock); tests pass their own. */
    explicit RequestDeadlines(Clock clock = {}, QObject *parent = nullptr);
    ~RequestDeadlines() override;

    /** Ends every deadline that is due by the clock now (called by the timer; tests call it). */
    void expireDue();

    [[nodiscard]] int pending() const { return int(m_due.size()); }

private:
    friend class RequestDeadline;
    using Map = std::multimap<qint64, RequestDeadline *>;

    void add(RequestDeadline *d, qint64 dueMs);
    void remove(RequestDeadline *d);
    void arm();

    Clock m_clock;
    Map m_due;
    QTimer m_timer;
    qint64 m_armedFor = -1;
};

/**
 * @brief One connection's deadline for the request it is reading: a child of its socket, found
 * by name (FrontServer::DeadlineTimerName) by the handler that takes the request over, and used
 * like a single-shot QTimer (start, stop, expired).
 */
class RequestDeadline : public QObject
{
    Q_OBJECT
public:
    RequestDeadline(RequestDeadlines &all, int intervalMs, QObject *parent);
    ~RequestDeadline() override;

    /** (Re)starts it: due intervalMs from now. */
    void start();
    void start(int intervalMs);
    void stop();
    [[nodiscard]] bool isActive() const { return m_active; }
    [[nodiscard]] int interval() const { return m_intervalMs; }

signals:
    void expired();

private:
    friend class RequestDeadlines;

    QPointer<RequestDeadlines> m_all; // null once the front is gone (sockets outlive it)
    int m_intervalMs;
    bool m_active = false;
    RequestDeadlines::Map::iterator m_at;
};

} // namespace herald
