#pragma once
// Test helpers for the storage thread's batches (core/database.h): a gate that holds the thread
// so that what is submitted meanwhile queues for one batch, and a count read straight from the
// database.
#include "core/database.h"
#include "core/store.h"

#include <QSemaphore>
#include <QSqlQuery>

namespace testkit {

/** @brief Holds the storage thread in a job of its own until open(): whatever is submitted
 *  meanwhile waits for the next batch. queue() submits the job, waitInside() says the thread
 *  is in it. */
class StorageGate
{
public:
    void queue(herald::Database &db)
    {
        db.run<herald::Ok>(
            [this](herald::Store &) {
                m_inside.release();
                m_open.acquire();
                return herald::Ok{};
            },
            nullptr, {});
    }
    [[nodiscard]] bool waitInside(int ms = 10000) { return m_inside.tryAcquire(1, ms); }
    void open() { m_open.release(); }

private:
    QSemaphore m_inside;
    QSemaphore m_open;
};

/** @brief The first column of the first row of sql on the store's connection; -1 on failure. */
inline qint64 countRows(const herald::Store &st, const QString &sql)
{
    QSqlQuery q(st.connection());
    if (!q.exec(sql) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

} // namespace testkit
