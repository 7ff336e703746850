#include "database.h"

#include <herald/protocol.h>

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <algorithm>
#include <iterator>

Q_LOGGING_CATEGORY(lcStorage, "herald.storage")

namespace herald {

namespace {
constexpr int ProbeIntervalMs = 1000;        // while writes fail, try one this often
constexpr qint64 ReminderIntervalMs = 60000; // and say so in the log this often

// A real write that changes nothing: SQLite's schema version written again. Its commit has to
// reach the disk (the WAL), so it fails while the disk is full or the files cannot be written.
// A batch that only read commits even then, so it proves nothing about writes.
bool probeWrite(Store &store, QString *why)
{
    if (!store.begin() && !(store.isPostgres() && store.reconnect() && store.begin())) {
        *why = store.lastError();
        return false;
    }
    if (!store.isPostgres()) {
        QSqlQuery q(store.connection());
        bool ok = q.exec(QStringLiteral("PRAGMA user_version")) && q.next();
        const int version = ok ? q.value(0).toInt() : 0;
        q.finish();
        ok = ok && q.exec(QStringLiteral("PRAGMA user_version=%1").arg(version));
        if (!ok) {
            *why = q.lastError().text();
            store.rollback();
            return false;
        }
    }
    if (!store.commit()) {
        *why = store.lastError();
        store.rollback();
        return false;
    }
    return true;
}
} // namespace

StoreError storeError(const char *code, const QString &message, const QString &field)
{
    return StoreError{QString::fromLatin1(code), message, field};
}

Database::Database(QObject *parent)
    : QObject(parent)
{
}

Database::~Database()
{
    close();
}

QString Database::open(const QString &dataDir)
{
    return open(StorageSettings::sqlite(dataDir));
}

QString Database::open(const StorageSettings &settings)
{
    m_settings = settings;
    QMutexLocker lock(&m_mutex);
    m_stop = false;
    m_openDone = false;
    // The thread's whole life is loop(): it ends when the queue is closed.
    m_thread.reset(QThread::create([this] { loop(); }));
    m_thread->setObjectName(QStringLiteral("herald-storage"));
    m_thread->start();
    while (!m_openDone)
        m_opened.wait(&m_mutex);
    return m_openError;
}

void Database::close()
{
    if (!m_thread || !m_thread->isRunning())
        return;
    {
        QMutexLocker lock(&m_mutex);
        m_stop = true;
        m_wake.wakeAll();
    }
    m_thread->wait();
    m_thread.reset();
}

void Database::enqueue(std::unique_ptr<Task> task)
{
    QMutexLocker lock(&m_mutex);
    m_queue.push_back(std::move(task));
    m_wake.wakeOne();
}

void Database::loop()
{
    Store store;
    {
        QMutexLocker lock(&m_mutex);
        if (auto e = store.open(m_settings))
            m_openError = e->message;
        m_openDone = true;
        m_opened.wakeAll();
        if (!m_openError.isEmpty())
            return;
    }
    // Writability: lost when a commit fails, or a job's statement could not write (disk full,
    // read-only files); regained only by a write that commits (a probe, at most once a second,
    // also while idle), so that read-only batches do not make it flap. Logged when it changes
    // (Server) and, while it lasts, once a minute here.
    bool writableNow = true;
    QElapsedTimer lastReminder, lastProbe;
    int refusedSinceReminder = 0;
    const auto remind = [&](const QString &why) {
        if (lastReminder.elapsed() < ReminderIntervalMs)
            return;
        qCWarning(lcStorage).noquote() << "storage still refuses writes;" << refusedSinceReminder
                                       << "batches refused in the last minute:" << why;
        lastReminder.restart();
        refusedSinceReminder = 0;
    };
    const auto probe = [&] {
        QString why;
        lastProbe.start();
        if (!probeWrite(store, &why))
            return remind(why);
        writableNow = true;
        m_writable.storeRelaxed(1);
        Q_EMIT writableChanged(true, QString());
    };
    for (;;) {
        Batch batch;
        {
            QMutexLocker lock(&m_mutex);
            while (m_queue.empty() && !m_stop) {
                if (writableNow)
                    m_wake.wait(&m_mutex);
                else if (!m_wake.wait(&m_mutex, ProbeIntervalMs))
                    break;
            }
            if (m_queue.empty() && m_stop)
                break;
            // PostgreSQL: each job's savepoint is a subtransaction, and past 64 of them in one
            // transaction every snapshot gets slower (the subtransaction cache overflows); a
            // backlog is committed in batches of MaxPostgresBatch instead.
            size_t limit = store.isPostgres() ? MaxPostgresBatch : m_queue.size();
            if (m_maxBatch > 0)
                limit = std::min(limit, m_maxBatch);
            if (m_queue.size() > limit) {
                const auto end = m_queue.begin() + static_cast<std::ptrdiff_t>(limit);
                std::move(m_queue.begin(), end, std::back_inserter(batch));
                m_queue.erase(m_queue.begin(), end);
            } else {
                batch.swap(m_queue);
            }
        }
        if (batch.empty()) { // woke up to see whether writes work again
            probe();
            continue;
        }
        bool committed = false;
        bool contended = false;
        QString failure;
        runBatch(store, batch, &committed, &contended, &failure);
        bool refused = !committed && !contended;
        for (const auto &t : batch)
            if (const StoreError *e = t->error();
                committed && e && e->code == QLatin1String(proto::Err::Unavailable)) {
                refused = true; // a statement could not write (SQLITE_FULL, read-only, I/O error)
                failure = e->message;
            }
        if (contended)
            qCWarning(lcStorage).noquote()
                << "batch of" << batch.size() << "jobs not committed:" << failure;
        if (refused && writableNow) {
            writableNow = false;
            m_writable.storeRelaxed(0);
            lastReminder.start();
            lastProbe.start();
            refusedSinceReminder = 0;
            Q_EMIT writableChanged(false, failure);
        } else if (refused) {
            ++refusedSinceReminder;
            remind(failure);
        } else if (!writableNow && !contended && lastProbe.elapsed() >= ProbeIntervalMs) {
            probe();
        }
        m_batches.fetchAndAddRelaxed(1);
        m_jobs.fetchAndAddRelaxed(static_cast<qint64>(batch.size()));
        for (std::unique_ptr<Task> &t : batch) {
            if (!t->hasDone())
                continue;
            if (t->direct) {
                t->finish(); // runSync: no thread hop
                continue;
            }
            if (t->viaDatabase) {
                // The context is looked at on its own thread, where it can die, not here.
                QMetaObject::invokeMethod(
                    this,
                    [task = std::shared_ptr<Task>(std::move(t))] {
                        if (task->context)
                            task->finish();
                    },
                    Qt::QueuedConnection);
                continue;
            }
            if (!t->context)
                continue; // whoever asked is gone
            QObject *context = t->context.data();
            QMetaObject::invokeMethod(
                context, [task = std::shared_ptr<Task>(std::move(t))] { task->finish(); },
                Qt::QueuedConnection);
        }
    }
    store.close();
}

void Database::runBatch(Store &store, Batch &batch, bool *committed, bool *contended,
                        QString *failure)
{
    // Not logged per batch: Database::loop() logs when storage stops and starts taking writes.
    const auto unavailable = [&batch] {
        for (const std::unique_ptr<Task> &t : batch)
            t->fail(storeError(proto::Err::Unavailable,
                               QStringLiteral("storage cannot take writes right now")));
    };
    for (int attempt = 1;; ++attempt) {
        bool inTx = store.begin();
        if (!inTx && store.isPostgres()) {
            // The connection may be gone (database restarted, network): one fresh connection.
            const QString why = store.lastError();
            if (store.reconnect()) {
                qCInfo(lcStorage).noquote() << "reconnected to" << store.path() << "after:" << why;
                inTx = store.begin();
            }
        }
        if (!inTx) {
            *failure = QStringLiteral("cannot start a transaction: ") + store.lastError();
            return unavailable();
        }
        bool conflict = false;
        // PostgreSQL: publishes leave their rows pending until the batch's end (see below).
        store.deferPublishes(store.isPostgres());
        for (const std::unique_ptr<Task> &t : batch) {
            const int pending = store.pendingPublishes();
            const bool sp = store.savepoint();
            t->run(store);
            if (sp) {
                if (t->error()) {
                    store.rollbackSavepoint();
                } else if (!store.releaseSavepoint()) {
                    // A statement failed inside a job that did not report it (PostgreSQL then
                    // refuses the rest of the savepoint), so its result cannot be trusted.
                    store.rollbackSavepoint();
                    t->fail(storeError(proto::Err::Internal,
                                       QStringLiteral("storage error: ") + store.lastError()));
                }
            }
            if (t->error())
                store.dropPendingPublishes(pending); // undone with its savepoint
            if (store.retryable()) {
                conflict = true; // the whole transaction is spoiled: run the batch again
                break;
            }
        }
        if (!conflict) {
            // The publishes' ids and rows, right before the commit: the counter row's lock is
            // held from here to the commit only. A failure here is run again like a deadlock.
            if (auto e = store.writePendingPublishes()) {
                conflict = true;
                *failure = e->message;
                qCInfo(lcStorage).noquote()
                    << "writing the batch's publishes failed:" << e->message;
            }
        }
        if (!conflict) {
            const bool wrote = store.wroteInTransaction();
            *committed = store.commit();
            if (*committed) {
                if (wrote)
                    m_writeCommits.fetchAndAddRelaxed(1);
                for (const std::unique_ptr<Task> &t : batch)
                    t->settle(store);
                store.deferPublishes(false);
                return;
            }
            *failure = store.lastError();
            store.rollback();
            store.deferPublishes(false);
            return unavailable();
        }
        store.rollback();
        store.deferPublishes(false);
        if (attempt >= MaxAttempts) {
            *contended = true;
            *failure = QStringLiteral("still conflicting with other writers after %1 attempts")
                           .arg(attempt);
            return unavailable();
        }
        m_retries.fetchAndAddRelaxed(1);
        qCInfo(lcStorage) << "batch of" << batch.size()
                          << "jobs conflicted with another writer; attempt" << attempt + 1;
        QThread::msleep(QRandomGenerator::global()->bounded(5u, 25u) *
                        static_cast<unsigned>(attempt));
    }
}

} // namespace herald
