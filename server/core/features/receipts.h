#pragma once

#include "core/hubcontext.h"

#include <QJsonObject>
#include <QObject>

namespace herald {

/**
 * @brief Per-person receipts of notifications: devices acknowledge notifications as delivered
 * or seen (notif.ack, recorded with the connection's token id as the device), and the
 * publishing service reads every recipient's delivered / seen / read / acted state, paged
 * (GET /api/v1/notifications/{id}/receipts). Reads and actions are recorded where they happen
 * (NotificationCenter); their receipt webhooks are queued by storage in the same transaction.
 */
class Receipts : public QObject
{
    Q_OBJECT
public:
    using Reply = std::function<void(const QJsonObject &)>;

    explicit Receipts(HubContext &ctx, QObject *parent = nullptr);

    /** @brief notif.ack {ids, state}: answers {ids} (those that changed). */
    void onAck(Conn &c, const proto::Frame &f);
    /** @brief The receipts page of notification id for service serviceId: {receipts, next}
     *  or {error,...}. */
    void receipts(qint64 serviceId, qint64 id, qint64 afterUser, int limit, Reply done);

Q_SIGNALS:
    /** @brief An acknowledgement changed something (a receipt webhook may be in the outbox). */
    void webhookQueued();

private:
    HubContext &m_ctx;
};

} // namespace herald
