#include "notificationcenter.h"

#include "core/wire.h"

#include "authentication.h"
#include "clusterlink.h"
#include "delivery.h"

namespace herald {

using namespace proto;
using namespace feature;

namespace {
/** @brief What marking read changed: the ids now read (none for "all"), the unread count. */
struct ReadResult
{
    QList<qint64> changed;
    qint64 unread = 0;
};
/** @brief An action stored (or refused: someone else's came first), and the unread count. */
struct ActResult
{
    Store::ActionResult action;
    qint64 unread = 0;
};
QJsonArray toJson(const QList<qint64> &ids)
{
    QJsonArray a;
    for (qint64 id : ids)
        a.append(id);
    return a;
}
} // namespace

NotificationCenter::NotificationCenter(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
}

void NotificationCenter::publish(qint64 serviceId, const PublishRequest &request, Reply done)
{
    if (!m_ctx.db.writable())
        return done(errorJson(storeError(
            Err::Unavailable, s("storage cannot take writes right now; try again later"))));
    m_ctx.db.run<PublishResult>(
        [serviceId, request](Store &st) { return st.publish(serviceId, request, now()); }, this,
        [this, done](StoreResult<PublishResult> r) {
            if (const StoreError *e = std::get_if<StoreError>(&r))
                return done(errorJson(*e));
            const PublishResult &p = std::get<PublishResult>(r);
            // Answer the publisher first (it is durable now), then fan out.
            done(QJsonObject{{key("id"), p.id},
                             {key("duplicate"), p.duplicate},
                             {key("recipients"), static_cast<qint64>(p.userIds.size())}});
            if (p.duplicate)
                return;
            ++m_ctx.stats.notificationsPublished;
            const QByteArray frame =
                encode(Type::Notification, {{key("notification"), wire::toJson(p.notification)}});
            const qint64 created = p.notification.createdAt;
            m_ctx.cluster->publishNotification(p.id, p.userIds, frame);
            m_ctx.delivery->notificationEvent(p.id, p.userIds, frame);
            Q_EMIT delivered(now() - created);
        });
}

void NotificationCenter::notificationForService(qint64 id, qint64 serviceId, Reply done)
{
    m_ctx.db.run<NotificationRow>(
        [id, serviceId](Store &st) -> StoreResult<NotificationRow> {
            auto n = st.notificationForService(id, serviceId);
            if (!n && st.wasPurged(id))
                return storeError(
                    Err::Gone, QStringLiteral("notification %1 was removed by retention").arg(id));
            if (!n)
                return storeError(Err::NotFound,
                                  QStringLiteral("no notification %1 from this service").arg(id));
            return *n;
        },
        this,
        [done = std::move(done)](StoreResult<NotificationRow> r) {
            if (const StoreError *e = std::get_if<StoreError>(&r))
                return done(errorJson(*e));
            done(wire::toJson(std::get<NotificationRow>(r)));
        });
}

void NotificationCenter::update(qint64 serviceId, qint64 id, const NotificationPatch &patch,
                                Reply done)
{
    change(serviceId, id, patch, std::move(done));
}

void NotificationCenter::retract(qint64 serviceId, qint64 id, Reply done)
{
    change(serviceId, id, std::nullopt, std::move(done));
}

void NotificationCenter::change(qint64 serviceId, qint64 id,
                                const std::optional<NotificationPatch> &patch, Reply done)
{
    if (!m_ctx.db.writable())
        return done(errorJson(storeError(
            Err::Unavailable, s("storage cannot take writes right now; try again later"))));
    m_ctx.db.run<NotificationChange>(
        [serviceId, id, patch](Store &st) {
            return patch ? st.updateNotification(serviceId, id, *patch, now())
                         : st.retractNotification(serviceId, id, now());
        },
        this,
        [this, done = std::move(done)](StoreResult<NotificationChange> r) {
            if (const StoreError *e = std::get_if<StoreError>(&r))
                return done(errorJson(*e));
            const NotificationChange &c = std::get<NotificationChange>(r);
            const NotificationRow &n = c.notification;
            // Answer the service first (the change is durable), then tell every device.
            if (n.retractedAt)
                done(QJsonObject{{key("id"), n.id},
                                 {key("retracted"), true},
                                 {key("retractedAt"), *n.retractedAt}});
            else
                done(wire::toJson(n));
            if (!c.changed)
                return; // retracted before: the devices were told then
            const QByteArray frame = wire::notificationChangeFrame(n);
            const bool recount = n.retractedAt.has_value();
            m_ctx.cluster->publishNotificationChanged(n.id, n.changeSeq, c.recipientIds, recount,
                                                      frame);
            m_ctx.delivery->notificationChanged(c.recipientIds, frame, recount);
        });
}

void NotificationCenter::onList(Conn &c, const Frame &f)
{
    const qint64 userId = c.userId;
    const qint64 before = f.integer(key("before"));
    const int limit = static_cast<int>(f.integer(key("limit"), 50));
    const bool unread = f.body.value(key("unread")).toBool();
    m_ctx.request<NotificationPage>(
        this, c, f,
        [=](Store &st) {
            NotificationPage p;
            p.rows =
                st.notifications(userId, before, 0, std::max(1, limit), unread, now(), &p.more);
            return p;
        },
        [](quint64, NotificationPage &p) {
            return QJsonObject{{key("notifications"), wire::toJson(p.rows)},
                               {key("hasMore"), p.more}};
        });
}

void NotificationCenter::onRead(Conn &c, const Frame &f, bool all)
{
    const qint64 userId = c.userId;
    const qint64 device = m_ctx.auth->tokenOf(c.id);
    QList<qint64> ids;
    for (const QJsonValue &v : f.body.value(key("ids")).toArray())
        ids << v.toInteger();
    m_ctx.request<ReadResult>(
        this, c, f,
        [=](Store &st) {
            const qint64 t = now();
            ReadResult r;
            if (all)
                st.markAllRead(userId, t, device);
            else
                r.changed = st.markRead(userId, ids, t, device);
            r.unread = st.unreadCount(userId, t);
            return r;
        },
        [this, userId, all](quint64 connId, ReadResult &r) {
            QJsonObject sync{{key("unread"), r.unread}};
            if (all)
                sync.insert(key("all"), true);
            else
                sync.insert(key("ids"), toJson(r.changed));
            if (all || !r.changed.isEmpty())
                m_ctx.cluster->toUserEverywhere(userId, encode(Type::NotifReadSync, sync), connId);
            return QJsonObject{{key("ids"), toJson(r.changed)}, {key("unread"), r.unread}};
        });
}

void NotificationCenter::onReadThread(Conn &c, const Frame &f)
{
    const QString service = f.str(key("service"));
    const QString thread = f.str(key("threadKey"));
    if (thread.trimmed().isEmpty())
        return m_ctx.conns.send(c, error(f.id(), s(Err::BadValue),
                                         s("'threadKey' must be 1 to 128 characters, not blank"),
                                         s("threadKey")));
    const qint64 userId = c.userId;
    const qint64 device = m_ctx.auth->tokenOf(c.id);
    m_ctx.request<ReadResult>(
        this, c, f,
        [=](Store &st) {
            const qint64 t = now();
            ReadResult r;
            const QList<qint64> ids = st.unreadInThread(userId, service, thread, t);
            if (!ids.isEmpty())
                r.changed = st.markRead(userId, ids, t, device);
            r.unread = st.unreadCount(userId, t);
            return r;
        },
        [this, userId](quint64 connId, ReadResult &r) {
            if (!r.changed.isEmpty())
                m_ctx.cluster->toUserEverywhere(
                    userId,
                    encode(Type::NotifReadSync,
                           {{key("ids"), toJson(r.changed)}, {key("unread"), r.unread}}),
                    connId);
            return QJsonObject{{key("ids"), toJson(r.changed)}, {key("unread"), r.unread}};
        });
}

void NotificationCenter::onAction(Conn &c, const Frame &f)
{
    if (!m_ctx.db.writable())
        return m_ctx.conns.send(c,
                                error(f.id(), s(Err::Unavailable),
                                      s("storage cannot take writes right now; try again later")));
    const qint64 userId = c.userId;
    const qint64 notif = f.integer(key("notification"));
    const QString action = f.str(key("action"));
    const quint64 connId = c.id;
    const qint64 device = m_ctx.auth->tokenOf(c.id);
    const QJsonValue id = f.id();
    m_ctx.db.run<ActResult>(
        [=](Store &st) -> StoreResult<ActResult> {
            auto r = st.act(userId, notif, action, now(), device);
            if (const StoreError *e = std::get_if<StoreError>(&r))
                return *e;
            return ActResult{std::get<Store::ActionResult>(r), st.unreadCount(userId, now())};
        },
        this,
        [=, this](StoreResult<ActResult> r) {
            Conn *c = m_ctx.conns.find(connId);
            if (const StoreError *e = std::get_if<StoreError>(&r)) {
                if (c)
                    m_ctx.replyError(*c, id, *e);
                return;
            }
            const ActResult &a = std::get<ActResult>(r);
            const QJsonObject resolved = wire::toJson(a.action.resolved);
            if (!a.action.won) {
                if (c)
                    m_ctx.conns.send(
                        *c, error(id, s(Err::Conflict),
                                  a.action.resolved.action.isEmpty()
                                      ? QStringLiteral("already resolved by %1: %2")
                                            .arg(a.action.resolved.by, a.action.resolved.text)
                                      : QStringLiteral("already resolved: %1 by %2")
                                            .arg(a.action.resolved.action, a.action.resolved.by),
                                  s("notification")));
                return;
            }
            if (c)
                m_ctx.conns.send(*c, result(id, {{key("notification"), notif},
                                                 {key("action"), action},
                                                 {key("resolved"), resolved},
                                                 {key("unread"), a.unread}}));
            const QByteArray frame =
                encode(Type::NotifResolved, {{key("notification"), notif},
                                             {key("action"), resolved.value(key("action"))},
                                             {key("by"), resolved.value(key("by"))},
                                             {key("at"), resolved.value(key("at"))},
                                             {key("changeSeq"), a.action.changeSeq}});
            // Every recipient's devices here, and one bus event (not one per person) for the rest.
            for (qint64 u : a.action.recipientIds)
                m_ctx.conns.toUser(u, frame);
            m_ctx.cluster->publishToUsers(a.action.recipientIds, frame);
            m_ctx.cluster->toUserEverywhere(
                userId,
                encode(Type::NotifReadSync,
                       {{key("ids"), QJsonArray{notif}}, {key("unread"), a.unread}}),
                connId);
            Q_EMIT webhookQueued();
        });
}

} // namespace herald
