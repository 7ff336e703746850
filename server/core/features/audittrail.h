#pragma once

#include "core/hubcontext.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>

namespace herald {

struct AuditRow;

/**
 * @brief The audit trail of notifications, read side and expiry: the publishing service reads
 * a notification's records (GET /api/v1/notifications/{id}/audit), and a sweep writes the
 * `expired` record of each notification whose expiry passed (at start, then every
 * SweepIntervalMs; on several nodes each notification is noted once). Every other record is
 * written by storage in the transaction of the change it records (storage/auditrepository.h).
 */
class AuditTrail : public QObject
{
    Q_OBJECT
public:
    using Reply = std::function<void(const QJsonObject &)>;
    static constexpr int SweepIntervalMs = 10000;
    static constexpr int SweepBatch = 500;
    /** @brief Records per page: by default, and at most. */
    static constexpr int DefaultPage = 200;
    static constexpr int MaxPage = 1000;

    explicit AuditTrail(HubContext &ctx, QObject *parent = nullptr);

    /** @brief Notification id's records after record afterId for service serviceId:
     *  {audit, next} or {error,...}. */
    void trail(qint64 serviceId, qint64 id, qint64 afterId, int limit, Reply done);
    /** @brief Notes expired notifications now (and again while a whole batch was noted). */
    void sweepExpired();
    /** @brief A record as the API and heraldctl show it. */
    static QJsonObject recordJson(const AuditRow &r);

Q_SIGNALS:
    /** @brief A sweep noted `count` expired notifications. */
    void expiredNoted(int count);

private:
    HubContext &m_ctx;
    QTimer m_timer;
    bool m_sweeping = false;
};

} // namespace herald
