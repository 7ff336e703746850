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
 *
 * On PostgreSQL, where other nodes write the same rows, a batch can lose a deadlock or wait too
 * long for a row lock: then the whole batch is rolled back and run again (a few times, with a
 * short random pause), and if it still cannot commit every job of it fails with `unavailable`.
 * A lost connection is re-established before the next batch.
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
    QString open(const StorageSettings &settings);
    /** @brief Opens SQLite in dataDir. */
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
    /** @brief Batches run again after a deadlock, serialization failure or lock timeout. */
    [[nodiscard]] qint64 retries() const { return m_retries.loadRelaxed(); }
    /** @brief How often a batch runs before its jobs fail with `unavailable`. */
    static constexpr int MaxAttempts = 5;
    /** @brief Jobs per transaction at most on PostgreSQL (SQLite takes the whole queue). */
    static constexpr size_t MaxPostgresBatch = 60;

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
    QList<QJsonObject> runBatch(Store &store, std::deque<Task> &batch, bool *committed,
                                bool *contended, QString *failure);

    std::unique_ptr<QThread> m_thread;
    QMutex m_mutex;
    QWaitCondition m_wake;
    QWaitCondition m_opened;
    std::deque<Task> m_queue;
    bool m_stop = false;
    StorageSettings m_settings;
    QString m_openError;
    bool m_openDone = false;
    QAtomicInt m_writable{1};
    QAtomicInteger<qint64> m_batches{0};
    QAtomicInteger<qint64> m_retries{0};
};

} // namespace herald
