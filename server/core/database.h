#pragma once

#include "store.h"

#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QSemaphore>
#include <QThread>
#include <QWaitCondition>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <variant>

namespace herald {

/** @brief What a storage job gives back: its value (a plain struct), or why it failed. */
template<typename T> using StoreResult = std::variant<T, StoreError>;

/** @brief The value of a job that has nothing to report but success. */
struct Ok
{
};

/** @brief A StoreError with a proto::Err code. */
StoreError storeError(const char *code, const QString &message, const QString &field = {});

/**
 * @brief Runs storage jobs on a thread of their own, off the network event loop.
 *
 * Jobs queue up while a batch commits; the worker then runs every queued job in one
 * transaction (each in a savepoint, so one failing job does not undo the others), commits
 * once, and only then hands each job's result back to the caller's thread. A result is thus
 * never seen before it is durable, and results arrive in submission order.
 *
 * A job is typed: it returns StoreResult<T>, the value of T or a StoreError, and its caller
 * gets exactly that back. A job that returns a StoreError has its savepoint rolled back.
 *
 * On PostgreSQL, where other nodes write the same rows, a batch can lose a deadlock or wait too
 * long for a row lock: then the whole batch is rolled back and run again (a few times, with a
 * short random pause), and if it still cannot commit every job of it fails with `unavailable`.
 * A lost connection is re-established before the next batch.
 *
 * On PostgreSQL the batch's publishes write their rows at its end, right before the COMMIT
 * (storage/publishbatch.h): the notification counter row is locked only for that tail. A failure
 * there rolls the batch back and runs it again, as a deadlock does.
 */
class Database : public QObject
{
    Q_OBJECT
public:
    template<typename T> using Job = std::function<StoreResult<T>(Store &)>;
    template<typename T> using Done = std::function<void(StoreResult<T>)>;

    explicit Database(QObject *parent = nullptr);
    ~Database() override;

    /** @brief Opens the store on the worker thread; returns an error message or empty. */
    QString open(const StorageSettings &settings);
    /** @brief Opens SQLite in dataDir. */
    QString open(const QString &dataDir);
    /** @brief Waits for queued jobs, then stops the worker. */
    void close();

    /** @brief Queues a job; done runs on context's thread after commit (skipped if context died,
     *  and may be empty). */
    template<typename T> void run(Job<T> job, QObject *context, Done<T> done)
    {
        auto task = std::make_unique<TypedTask<T>>(std::move(job), std::move(done));
        task->context = context;
        // Asked here, while the context is surely alive; see Task::viaDatabase.
        task->viaDatabase = context && context->thread() == thread();
        enqueue(std::move(task));
    }
    /** @brief At most this many jobs per transaction (0: every job that queued up; PostgreSQL
     *  never more than MaxPostgresBatch). 1 turns group commit off: one commit per job, for
     *  measuring what grouping saves. Set before open(). */
    void setMaxBatch(size_t jobs) { m_maxBatch = jobs; }
    /** @brief Runs a job and waits for its result (startup and tests only). */
    template<typename T> StoreResult<T> runSync(Job<T> job)
    {
        QSemaphore ready;
        std::optional<StoreResult<T>> out;
        auto task = std::make_unique<TypedTask<T>>(std::move(job), [&](StoreResult<T> r) {
            out.emplace(std::move(r));
            ready.release();
        });
        task->direct = true;
        enqueue(std::move(task));
        ready.acquire();
        return std::move(*out);
    }

    [[nodiscard]] bool writable() const { return m_writable.loadRelaxed() != 0; }
    /** @brief Transactions run (one per batch, read-only ones included). */
    [[nodiscard]] qint64 batches() const { return m_batches.loadRelaxed(); }
    /** @brief Transactions committed that wrote something: each one is a durable write
     *  (SQLite WAL with synchronous=FULL: one fsync of the log; PostgreSQL: one WAL flush), so
     *  jobs per commit is what group commit saves. Read-only batches are not counted. */
    [[nodiscard]] qint64 writeCommits() const { return m_writeCommits.loadRelaxed(); }
    /** @brief Jobs run (each job once, however often its batch was retried). */
    [[nodiscard]] qint64 jobs() const { return m_jobs.loadRelaxed(); }
    /** @brief Batches run again after a deadlock, serialization failure or lock timeout. */
    [[nodiscard]] qint64 retries() const { return m_retries.loadRelaxed(); }
    /** @brief How often a batch runs before its jobs fail with `unavailable`. */
    static constexpr int MaxAttempts = 5;
    /** @brief Jobs per transaction at most on PostgreSQL (SQLite takes the whole queue). */
    static constexpr size_t MaxPostgresBatch = 60;

Q_SIGNALS:
    /** @brief Storage stopped (false) or resumed (true) taking writes. */
    void writableChanged(bool writable, const QString &reason);

private:
    /** @brief One queued job, whatever its type; it keeps its result until the batch commits. */
    struct Task
    {
        virtual ~Task() = default;
        /** @brief Runs the job (again, when a batch is retried) and keeps its result. */
        virtual void run(Store &store) = 0;
        /** @brief The kept result's failure, or null when it succeeded (or has not run). */
        [[nodiscard]] virtual const StoreError *error() const = 0;
        /** @brief Replaces the kept result with a failure. */
        virtual void fail(StoreError error) = 0;
        /** @brief After the commit: fills in a publish whose rows were written at the batch's
         *  end (PublishResult::pendingSlot, Store::writePendingPublishes()). */
        virtual void settle(Store &store) = 0;
        /** @brief Hands the kept result to done. */
        virtual void finish() = 0;
        [[nodiscard]] virtual bool hasDone() const = 0;
        QPointer<QObject> context;
        bool direct = false; // runSync: finish on the worker thread
        /** @brief The context lives on this Database's thread: the result is posted to the
         *  Database, which outlives the worker, and the context is looked at there. Posting to
         *  the context itself races with its destruction on its own thread (a hub torn down
         *  while a batch commits): Qt can queue the event after the dying object removed its
         *  posted events, and deliver it to freed memory later. */
        bool viaDatabase = false;
    };
    template<typename T> struct TypedTask final : Task
    {
        TypedTask(Job<T> j, Done<T> d)
            : job(std::move(j))
            , done(std::move(d))
        {
        }
        void run(Store &store) override { result.emplace(job(store)); }
        [[nodiscard]] const StoreError *error() const override
        {
            return result ? std::get_if<StoreError>(&*result) : nullptr;
        }
        void fail(StoreError e) override { result.emplace(std::move(e)); }
        void settle(Store &store) override
        {
            if constexpr (std::is_same_v<T, PublishResult>) {
                const auto *p = result ? std::get_if<PublishResult>(&*result) : nullptr;
                if (p && p->pendingSlot >= 0)
                    result.emplace(store.pendingPublishResult(p->pendingSlot));
            } else {
                Q_UNUSED(store)
            }
        }
        void finish() override
        {
            if (done && result)
                done(std::move(*result));
        }
        [[nodiscard]] bool hasDone() const override { return static_cast<bool>(done); }
        Job<T> job;
        Done<T> done;
        std::optional<StoreResult<T>> result;
    };
    using Batch = std::deque<std::unique_ptr<Task>>;

    void enqueue(std::unique_ptr<Task> task);
    void loop();
    void runBatch(Store &store, Batch &batch, bool *committed, bool *contended, QString *failure);

    std::unique_ptr<QThread> m_thread;
    QMutex m_mutex;
    QWaitCondition m_wake;
    QWaitCondition m_opened;
    Batch m_queue;
    bool m_stop = false;
    size_t m_maxBatch = 0;
    StorageSettings m_settings;
    QString m_openError;
    bool m_openDone = false;
    QAtomicInt m_writable{1};
    QAtomicInteger<qint64> m_batches{0};
    QAtomicInteger<qint64> m_retries{0};
    QAtomicInteger<qint64> m_writeCommits{0};
    QAtomicInteger<qint64> m_jobs{0};
};

} // namespace herald
