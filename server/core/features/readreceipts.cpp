#include "readreceipts.h"

#include "core/config.h"
#include "core/store.h"

#include "clusterlink.h"
#include "roomdirectory.h"

namespace herald {

using namespace proto;
using namespace feature;

ReadReceipts::ReadReceipts(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
}

void ReadReceipts::onSet(Conn &c, const Frame &f)
{
    // The decoder has checked that send is there and is a boolean (missing_field, wrong_type).
    const bool send = f.body.value(key("send")).toBool();
    if (!m_ctx.db.writable())
        return m_ctx.conns.send(c,
                                error(f.id(), s(Err::Unavailable),
                                      s("storage cannot take writes right now; try again later")));
    const qint64 userId = c.userId;
    m_ctx.request<bool>(
        this, c, f, [=](Store &st) { return st.setSendingReceipts(userId, send); },
        [this, userId](quint64 connId, bool &stored) -> StoreResult<QJsonObject> {
            const QJsonObject body{{key("send"), stored}};
            m_ctx.cluster->toUserEverywhere(userId, encode(Type::ReceiptsSync, body), connId);
            return body;
        });
}

bool ReadReceipts::live(qint64 roomId) const
{
    const RoomDirectory::Room *room = m_ctx.directory->room(roomId);
    return room && (room->kind == QLatin1String("dm") ||
                    room->members.size() <= m_ctx.config.receiptRoomMaxMembers);
}

void ReadReceipts::positionMoved(qint64 roomId, qint64 userId, qint64 seq)
{
    // Whether the person lets others see it is asked only where a receipt would go out.
    if (!live(roomId))
        return;
    m_ctx.db.run<bool>(
        [userId](Store &st) -> StoreResult<bool> { return st.sendsReceipts(userId); }, this,
        [this, roomId, userId, seq](StoreResult<bool> sends) {
            if (const bool *yes = std::get_if<bool>(&sends); yes && *yes)
                broadcast(roomId, userId, seq);
        });
}

void ReadReceipts::broadcast(qint64 roomId, qint64 userId, qint64 seq)
{
    const RoomDirectory::Room *room = m_ctx.directory->room(roomId);
    if (!room || !live(roomId))
        return;
    // Serialized once, the same bytes for every other member's connections.
    const QByteArray frame =
        encode(Type::RoomReceipt, {{key("room"), room->name},
                                   {key("user"), m_ctx.directory->nameOf(userId)},
                                   {key("seq"), seq}});
    QList<qint64> others;
    for (qint64 m : room->members)
        if (m != userId) {
            m_ctx.conns.toUser(m, frame);
            others << m;
        }
    m_ctx.cluster->publishToUsers(others, frame);
}

} // namespace herald
