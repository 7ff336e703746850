#pragma once

#include "core/hubcontext.h"
#include "core/publishrequest.h"

#include <QJsonObject>
#include <QObject>

namespace herald {

/**
 * @brief Notifications: publishing (a request PublishRequest validated, stored once with its
 * recipients, answered, then fanned out by Delivery), reading one's inbox, marking read (synced
 * to one's other devices) and acting on one (the first action wins; its webhook is queued).
 */
class NotificationCenter : public QObject
{
    Q_OBJECT
public:
    using Reply = std::function<void(const QJsonObject &)>;

    explicit NotificationCenter(HubContext &ctx, QObject *parent = nullptr);

    /** @brief Stores a notification, answers {id, duplicate, recipients} or {error,...}, then
     *  fans it out. */
    void publish(qint64 serviceId, const PublishRequest &request, Reply done);
    void notificationForService(qint64 id, qint64 serviceId, Reply done);
    /** @brief A PATCH by the publishing service: answers the notification as it is now (or
     *  {error,...}), then every recipient's devices get notif.updated. */
    void update(qint64 serviceId, qint64 id, const NotificationPatch &patch, Reply done);
    /** @brief A DELETE by the publishing service: answers {id, retracted, retractedAt}, then
     *  every recipient's devices get notif.retracted and their new unread count. */
    void retract(qint64 serviceId, qint64 id, Reply done);

    void onList(Conn &c, const proto::Frame &f);
    void onRead(Conn &c, const proto::Frame &f, bool all);
    /** @brief notif.readThread: every unread notification of one thread, read through the same
     *  path as notif.read (receipts, webhooks, audit, the other devices' notif.readSync). */
    void onReadThread(Conn &c, const proto::Frame &f);
    void onAction(Conn &c, const proto::Frame &f);

Q_SIGNALS:
    /** @brief An action was stored with a webhook in the outbox. */
    void webhookQueued();
    /** @brief A notification was fanned out: latency from its creation (ms). */
    void delivered(qint64 latencyMs);

private:
    /** @brief update (a patch) or retract (none). */
    void change(qint64 serviceId, qint64 id, const std::optional<NotificationPatch> &patch,
                Reply done);

    HubContext &m_ctx;
};

} // namespace herald
