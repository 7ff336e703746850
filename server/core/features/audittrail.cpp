#include "audittrail.h"

#include "core/storage/rows.h"

namespace herald {

using namespace proto;
using namespace feature;

AuditTrail::AuditTrail(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
    m_timer.setInterval(SweepIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &AuditTrail::sweepExpired);
    m_timer.start();
    QTimer::singleShot(0, this, &AuditTrail::sweepExpired);
}

QJsonObject AuditTrail::recordJson(const AuditRow &r)
{
    return QJsonObject{{key("id"), r.id},
                       {key("notification"), r.notificationId},
                       {key("at"), r.at},
                       {key("event"), r.event},
                       {key("actorKind"), r.actorKind},
                       {key("actor"), r.actor},
                       {key("device"), r.device > 0 ? QJsonValue(r.device) : QJsonValue()},
                       {key("detail"), r.detail}};
}

void AuditTrail::trail(qint64 serviceId, qint64 id, qint64 afterId, int limit, Reply done)
{
    m_ctx.db.run<AuditPage>(
        [=](Store &st) { return st.auditTrail(serviceId, id, afterId, limit); }, this,
        [done = std::move(done)](StoreResult<AuditPage> r) {
            if (const StoreError *e = std::get_if<StoreError>(&r))
                return done(errorJson(*e));
            const AuditPage &p = std::get<AuditPage>(r);
            QJsonArray rows;
            for (const AuditRow &row : p.rows)
                rows.append(recordJson(row));
            done(QJsonObject{{key("audit"), rows},
                             {key("next"), p.next ? QJsonValue(*p.next) : QJsonValue()}});
        });
}

void AuditTrail::sweepExpired()
{
    if (m_sweeping || !m_ctx.db.writable())
        return;
    m_sweeping = true;
    m_ctx.db.run<int>([](Store &st) { return st.noteExpired(clock::nowMs(), SweepBatch); }, this,
                      [this](StoreResult<int> r) {
                          m_sweeping = false;
                          const int *noted = std::get_if<int>(&r);
                          if (!noted || *noted == 0)
                              return;
                          Q_EMIT expiredNoted(*noted);
                          if (*noted == SweepBatch)
                              QTimer::singleShot(0, this, &AuditTrail::sweepExpired);
                      });
}

} // namespace herald
