#include "escalationscheduler.h"

#include "core/wire.h"

#include "clusterlink.h"

Q_LOGGING_CATEGORY(lcEscalation, "herald.escalation")

namespace herald {

using namespace proto;
using namespace feature;

EscalationScheduler::EscalationScheduler(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
    m_timer.setInterval(PollIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &EscalationScheduler::pollNow);
    m_timer.start();
}

void EscalationScheduler::pollNow()
{
    if (m_polling || !m_ctx.db.writable())
        return;
    m_polling = true;
    m_ctx.db.run<QList<EscalationFired>>(
        [](Store &st) { return st.fireDueEscalations(clock::nowMs(), Batch); }, this,
        [this](StoreResult<QList<EscalationFired>> r) {
            m_polling = false;
            if (const StoreError *e = std::get_if<StoreError>(&r)) {
                qCWarning(lcEscalation).noquote() << "escalation failed:" << e->message;
                Q_EMIT polled(0);
                return;
            }
            const QList<EscalationFired> &fired = std::get<QList<EscalationFired>>(r);
            bool webhook = false;
            for (const EscalationFired &f : fired) {
                const QJsonObject n = wire::toJson(f.notification);
                // A reminder to every recipient; the notification itself to the people added.
                const QByteArray frame =
                    f.remind ? encode(Type::NotifReminder, {{key("notification"), n},
                                                            {key("reminder"), true},
                                                            {key("step"), f.step}})
                             : encode(Type::Notification, {{key("notification"), n}});
                for (qint64 u : f.users)
                    m_ctx.conns.toUser(u, frame);
                m_ctx.cluster->publishToUsers(f.users, frame);
                webhook = webhook || f.webhookQueued;
                qCInfo(lcEscalation).noquote()
                    << "notification" << f.notificationId << "step" << f.step
                    << (f.remind ? "reminded" : "escalated to") << f.users.size() << "people";
            }
            if (webhook)
                Q_EMIT webhookQueued();
            Q_EMIT polled(static_cast<int>(fired.size()));
            if (fired.size() == Batch)
                QTimer::singleShot(0, this, &EscalationScheduler::pollNow);
        });
}

} // namespace herald
