#pragma once

#include "rows.h"

#include <QList>
#include <QString>

#include <variant>

namespace herald {

class SqlConnection;

/**
 * @brief Per-person receipts of notifications: when a device acknowledged one as delivered or
 * seen (schema version 7, table `receipts`), and the page of every recipient's receipt that
 * the publishing service reads.
 *
 * A receipt row is written only when a device acknowledges (never at publish time: a
 * notification to 10,000 people writes none until their devices answer); the first time and
 * device of each state is kept. Read and acted come from where they already are: inbox.read_at
 * (personal rows), audience_reads.read_at and the read watermark read_marks (audiences; a
 * watermark read has no time), and the notification's resolution with resolved_device.
 *
 * Receipt webhooks (notification.delivered, .seen, .read) go into the webhook outbox in the
 * transaction of the change, for the services that subscribed (services.webhook_events).
 */
class ReceiptRepository
{
public:
    explicit ReceiptRepository(SqlConnection &db)
        : m_db(db)
    {
    }

    /** @brief Device `device` (a token id) of person userId acknowledges notifications `ids` as
     *  `state` ("delivered" or "seen"): one statement for every id. Ids not in the person's
     *  inbox are left out; an id acknowledged in that state before is unchanged (the first
     *  time and device stay). Returns the ids that changed, sorted. */
    std::variant<QList<qint64>, StoreError> acknowledge(qint64 userId, qint64 device,
                                                        const QList<qint64> &ids,
                                                        const QString &state, qint64 now);
    /** @brief The receipts of notification id for the service that published it: every
     *  recipient with a user id above `afterUser`, by user id, at most `limit`. not_found for
     *  an unknown id, forbidden for another service's. */
    std::variant<ReceiptPage, StoreError> receipts(qint64 serviceId, qint64 id, qint64 afterUser,
                                                   int limit);

    /** @brief Queues webhook `notification.<state>` (state: delivered, seen or read) of
     *  person userId for each of `ids` whose service's webhook subscribed to it. Call in the
     *  transaction of the change. */
    static std::optional<StoreError> queueEvents(SqlConnection &db, const QString &state,
                                                 qint64 userId, qint64 device,
                                                 const QList<qint64> &ids, qint64 now);
    /** @brief Whether any service's webhook subscribed to `state` (one cheap query: callers
     *  that would have to collect ids for queueEvents skip that when none did). */
    static bool anySubscribed(SqlConnection &db, const QString &state);

private:
    SqlConnection &m_db;
};

} // namespace herald
