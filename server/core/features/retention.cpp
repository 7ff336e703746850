#include "retention.h"

#include "core/config.h"

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
    if (!policy().keepsAll())
        m_timer.start(FirstPassMs);
}

RetentionPolicy Retention::policy() const
{
    return RetentionPolicy{m_ctx.config.retainReadDays, m_ctx.config.retainUnreadDays,
                           m_ctx.config.retainMessagesDays};
}

void Retention::purgeNow()
{
    if (m_running || policy().keepsAll())
        return;
    m_running = true;
    m_pass = {};
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
            m_running = false;
            if (m_pass.total() > 0)
                qCInfo(lcRetention).noquote()
                    << "purged" << m_pass.notifications() << "notifications and" << m_pass.messages
                    << "messages";
            Q_EMIT passDone(m_pass, false);
        });
}

} // namespace herald
