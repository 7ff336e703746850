#pragma once

#include "store.h"

#include <QJsonObject>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QThread>
#include <QWaitCondition>

#include <deque>
#include <functional>

namespace herald {

/**
 * @brief Runs storage jobs on a thread of their own, off the network event loop.
 *
 * Jobs queue up while a batch commits; the worker then runs every queued job in one
 * transaction (each in a savepoint, so one failing job does not undo the others), commits
 * once, and only then hands each job's result back to the caller's thread. A result is thus
 * never seen before it is durable, and results arrive in submission order.
 */
class Database : public QObject
{
    Q_OBJECT
public:
    using Job = std::function<QJsonObject(Store &)>;
    using Done = std::function<void(const QJsonObject &)>;

    explicit Database(QObject *parent = nullptr);
    ~Database() override;

    /** @brief Opens the store on the worker thread; returns an error message or empty. */
    QString open(const QString &dataDir);
    /** @brief Waits for queued jobs, then stops the worker. */
    void close();

    /** @brief Queues a job; done runs on context's thread after commit (skipped if context died).
     *  A job reports failure by returning {"error": code, "message": ..., "field": ...}. */
    void run(Job job, QObject *context, Done done);
    /** @brief Runs a job and waits for its result (startup and tests only). */
    QJsonObject runSync(Job job);

    [[nodiscard]] bool writable() const { return m_writable.loadRelaxed() != 0; }
    [[nodiscard]] qint64 batches() const { return m_batches.loadRelaxed(); }

    static QJsonObject error(const StoreError &e);
    static QJsonObject error(const char *code, const QString &message);

Q_SIGNALS:
    /** @brief Storage stopped (false) or resumed (true) taking writes. */
    void writableChanged(bool writable, const QString &reason);

private:
    struct Task
    {
        Job job;
        QPointer<QObject> context;
        Done done;
        bool direct = false; // runSync: call done on the worker thread
    };
    void loop();

    std::unique_ptr<QThread> m_thread;
    QMutex m_mutex;
    QWaitCondition m_wake;
    QWaitCondition m_opened;
    std::deque<Task> m_queue;
    bool m_stop = false;
    QString m_dataDir;
    QString m_openError;
    bool m_openDone = false;
    QAtomicInt m_writable{1};
    QAtomicInteger<qint64> m_batches{0};
};

} // namespace herald
