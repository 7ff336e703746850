#include "roomnotifications.h"

#include "clusterlink.h"
#include "roomdirectory.h"

namespace herald {

using namespace proto;
using namespace feature;

namespace {
const QString Default = QStringLiteral("default");

bool isLevel(const QString &level)
{
    return level == QLatin1String("all") || level == QLatin1String("mentions") ||
           level == QLatin1String("none");
}
} // namespace

RoomNotifications::RoomNotifications(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
}

QJsonObject RoomNotifications::toJson(const RoomNotifyLevel &level)
{
    return {{key("level"), level.level.isEmpty() ? Default : level.level},
            {key("until"), level.until ? QJsonValue(*level.until) : QJsonValue()}};
}

void RoomNotifications::onNotify(Conn &c, const Frame &f)
{
    const RoomDirectory::Room *room = m_ctx.directory->memberRoom(c, f);
    if (!room)
        return;
    const QString level = f.str(key("level"));
    if (level != Default && !isLevel(level))
        return m_ctx.conns.send(c, error(f.id(), s(Err::BadValue),
                                         s("level must be all, mentions, none or default"),
                                         s("level")));
    RoomNotifyLevel want;
    if (level != Default) { // default removes the choice, its time with it
        want.level = level;
        const QJsonValue until = f.body.value(key("until"));
        if (!until.isUndefined() && !until.isNull()) {
            want.until = f.integer(key("until"));
            if (*want.until <= now())
                return m_ctx.conns.send(c, error(f.id(), s(Err::BadValue),
                                                 s("until must be in the future (ms since the "
                                                   "epoch)"),
                                                 s("until")));
        }
    }
    if (!m_ctx.db.writable())
        return m_ctx.conns.send(c,
                                error(f.id(), s(Err::Unavailable),
                                      s("storage cannot take writes right now; try again later")));
    const qint64 roomId = room->id;
    const QString name = room->name;
    const qint64 userId = c.userId;
    m_ctx.request<RoomNotifyLevel>(
        this, c, f, [=](Store &st) { return st.setNotifyLevel(userId, roomId, want); },
        [this, name, userId](quint64 connId, RoomNotifyLevel &stored) -> StoreResult<QJsonObject> {
            QJsonObject body = toJson(stored);
            body.insert(key("room"), name);
            m_ctx.cluster->toUserEverywhere(userId, encode(Type::RoomNotifySync, body), connId);
            return body;
        });
}

} // namespace herald
