#pragma once

#include "core/hubcontext.h"

#include <QObject>
#include <QTimer>

namespace herald {

/**
 * @brief Escalation of notifications: the steps a publish asked for (`escalation`: a reminder
 * to its recipients, or groups and people added as recipients, each `after` seconds) fire when
 * due. Storage is polled every PollIntervalMs against clock::nowMs(); each due step is claimed
 * and applied in one transaction (storage/notificationescalation.cpp), so on several nodes that
 * all poll, each step fires once. The node that fired it tells the people: a reminder
 * (notif.reminder) to every recipient's devices, or the notification itself to the people added,
 * here and through the bus on the other nodes.
 */
class EscalationScheduler : public QObject
{
    Q_OBJECT
public:
    static constexpr int PollIntervalMs = 1000;
    static constexpr int Batch = 100;

    explicit EscalationScheduler(HubContext &ctx, QObject *parent = nullptr);

    /** @brief Fires the steps due now (nothing when a poll runs or storage takes no writes). */
    void pollNow();
    [[nodiscard]] bool polling() const { return m_polling; }

Q_SIGNALS:
    /** @brief A poll ended; `fired` steps fired (and were fanned out). */
    void polled(int fired);
    /** @brief A notification.escalated delivery was queued. */
    void webhookQueued();

private:
    HubContext &m_ctx;
    QTimer m_timer;
    bool m_polling = false;
};

} // namespace herald
