#include "requestdeadlines.h"

#include <QElapsedTimer>
#include <algorithm>
#include <vector>

namespace herald {

RequestDeadlines::RequestDeadlines(Clock clock, QObject *parent)
    : QObject(parent)
    , m_clock(std::move(clock))
{
    if (!m_clock) {
        auto started = std::make_shared<QElapsedTimer>();
        started->start();
        m_clock = [started] { return started->elapsed(); };
    }
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        m_armedFor = -1;
        expireDue();
    });
}

RequestDeadlines::~RequestDeadlines()
{
    // Sockets are deleted after the front's members: their deadlines no longer point here.
    for (auto &[due, d] : m_due)
        d->m_active = false;
}

void RequestDeadlines::add(RequestDeadline *d, qint64 dueMs)
{
    d->m_at = m_due.emplace(dueMs, d);
    d->m_active = true;
    arm();
}

void RequestDeadlines::remove(RequestDeadline *d)
{
    m_due.erase(d->m_at);
    d->m_active = false;
    // The timer stays armed for an earlier entry's time: when it fires for nothing it re-arms.
}

void RequestDeadlines::arm()
{
    if (m_due.empty())
        return;
    const qint64 first = m_due.begin()->first;
    if (m_armedFor >= 0 && m_armedFor <= first)
        return; // already armed for this time or earlier
    m_armedFor = first;
    m_timer.start(int(std::clamp<qint64>(first - m_clock(), 0, 24 * 3600 * 1000)));
}

void RequestDeadlines::expireDue()
{
    const qint64 now = m_clock();
    // Take the due ones out first: a handler may delete other sockets (and their deadlines).
    std::vector<QPointer<RequestDeadline>> due;
    while (!m_due.empty() && m_due.begin()->first <= now) {
        RequestDeadline *d = m_due.begin()->second;
        m_due.erase(m_due.begin());
        d->m_active = false;
        due.emplace_back(d);
    }
    for (const QPointer<RequestDeadline> &d : due)
        if (d && !d->m_active) // not started again by an earlier one's handler
            emit d->expired();
    // Armed again for the next one (a coarse timer may also have fired a little early).
    m_armedFor = -1;
    m_timer.stop();
    arm();
}

RequestDeadline::RequestDeadline(RequestDeadlines &all, int intervalMs, QObject *parent)
    : QObject(parent)
    , m_all(&all)
    , m_intervalMs(intervalMs)
{
}

RequestDeadline::~RequestDeadline()
{
    stop();
}

void RequestDeadline::start()
{
    stop();
    if (m_all)
        m_all->add(this, m_all->m_clock() + m_intervalMs);
}

void RequestDeadline::start(int intervalMs)
{
    m_intervalMs = intervalMs;
    start();
}

void RequestDeadline::stop()
{
    if (m_active && m_all)
        m_all->remove(this);
}

} // namespace herald
