#include "retention.h"

#include "core/config.h"

#include "filestore.h"

#include <limits>

Q_LOGGING_CATEGORY(lcRetention, "herald.retention")

namespace herald {

Retention::Retention(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        purgeNow();
        m_timer.start(IntervalMs);
    });
    if (!policy().keepsAll() || purgesFiles())
        m_timer.start(FirstPassMs);
}

bool Retention::purgesFiles() const
{
    return m_ctx.config.fileOrphanHours > 0;
}

RetentionPolicy Retention::policy() const
{
    return RetentionPolicy{m_ctx.config.retainReadDays, m_ctx.config.retainUnreadDays,
                           m_ctx.config.retainMessagesDays};
}

void Retention::purgeNow()
{
    if (m_running || (policy().keepsAll() && !purgesFiles()))
        return;
    m_running = true;
    m_pass = {};
    if (policy().keepsAll())
        return nextFileBatch();
    nextBatch();
}

void Retention::nextBatch()
{
    if (!m_ctx.db.writable()) {
        m_running = false;
        Q_EMIT passDone(m_pass, true);
        return;
    }
    const RetentionPolicy p = policy();
    const int batch = m_ctx.config.purgeBatch;
    m_ctx.db.run<PurgeCounts>(
        [p, batch](Store &st) { return st.purgeBatch(p, clock::nowMs(), batch); }, this,
        [this](StoreResult<PurgeCounts> r) {
            if (const StoreError *e = std::get_if<StoreError>(&r)) {
                qCWarning(lcRetention).noquote() << "purge failed:" << e->message;
                m_running = false;
                Q_EMIT passDone(m_pass, true);
                return;
            }
            const PurgeCounts &c = std::get<PurgeCounts>(r);
            m_pass += c;
            m_purged += c;
            if (c.total() > 0) {
                // The event loop runs between batches: live traffic's jobs queue in between.
                QTimer::singleShot(0, this, &Retention::nextBatch);
                return;
            }
            // Messages are done: the files only they carried go next.
            nextFileBatch();
        });
}

void Retention::nextFileBatch()
{
    if (!m_ctx.db.writable()) {
        m_running = false;
        Q_EMIT passDone(m_pass, true);
        return;
    }
    const int hours = m_ctx.config.fileOrphanHours;
    // 0 keeps never-attached uploads: the cut-off lies before any time.
    const qint64 orphanBefore =
        hours > 0 ? clock::nowMs() - hours * 3600LL * 1000 : std::numeric_limits<qint64>::min();
    const QString root = m_ctx.files->root();
    const int batch = m_ctx.config.purgeBatch;
    m_ctx.db.run<qint64>(
        [root, orphanBefore, batch](Store &st) {
            return FileStore::purgeBatch(st, root, orphanBefore, batch);
        },
        this,
        [this](StoreResult<qint64> r) {
            if (const StoreError *e = std::get_if<StoreError>(&r)) {
                qCWarning(lcRetention).noquote() << "purging files failed:" << e->message;
                m_running = false;
                Q_EMIT passDone(m_pass, true);
                return;
            }
            const qint64 n = std::get<qint64>(r);
            m_pass.files += n;
            m_purged.files += n;
            if (n > 0) {
                QTimer::singleShot(0, this, &Retention::nextFileBatch);
                return;
            }
            m_running = false;
            if (m_pass.total() > 0 || m_pass.files > 0)
                qCInfo(lcRetention).noquote()
                    << "purged" << m_pass.notifications() << "notifications," << m_pass.messages
                    << "messages and" << m_pass.files << "files";
            Q_EMIT passDone(m_pass, false);
        });
}

} // namespace herald
