#include "messagechanges.h"

#include "core/config.h"
#include "core/wire.h"

#include "clusterlink.h"
#include "delivery.h"
#include "roomdirectory.h"

namespace herald {

using namespace proto;
using namespace feature;

MessageChanges::MessageChanges(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
}

std::optional<MessageChanges::Target> MessageChanges::roomFor(Conn &c, const Frame &f)
{
    const RoomDirectory::Room *room = m_ctx.directory->memberRoom(c, f);
    if (!room)
        return {};
    if (!m_ctx.db.writable()) {
        m_ctx.conns.send(c, error(f.id(), s(Err::Unavailable),
                                  s("storage cannot take writes right now; try again later")));
        return {};
    }
    return Target{room->id, room->name};
}

void MessageChanges::fanOut(qint64 roomId, const MessageRow &change)
{
    // The same bytes as a resume or gap fill makes of the stored record (wire::messageFrame).
    const QByteArray frame = wire::messageFrame(change);
    m_ctx.cluster->publishMessage(roomId, change.seq, frame);
    m_ctx.delivery->roomEvent(roomId, change.seq, frame);
}

void MessageChanges::onEdit(Conn &c, const Frame &f)
{
    const QString text = f.str(key("text"));
    if (text.trimmed().isEmpty() || text.size() > MessageTextMax)
        return m_ctx.conns.send(
            c, error(f.id(), s(Err::BadValue),
                     QStringLiteral("message text must be 1-%1 characters, not blank")
                         .arg(MessageTextMax),
                     s("text")));
    const auto room = roomFor(c, f);
    if (!room)
        return;
    const qint64 userId = c.userId;
    const qint64 target = f.integer(key("seq"));
    m_ctx.request<MessageChange>(
        this, c, f,
        [=, roomId = room->roomId](Store &st) {
            return st.editMessage(roomId, target, userId, text, now());
        },
        [this, room = *room, userId, text](quint64, MessageChange &ch) -> StoreResult<QJsonObject> {
            MessageRow change{room.room, ch.seq, m_ctx.directory->nameOf(userId), text, ch.ts, {}};
            change.kind = MessageRow::Edit;
            change.target = ch.target;
            fanOut(room.roomId, change);
            return QJsonObject{{key("room"), room.room},
                               {key("seq"), ch.seq},
                               {key("target"), ch.target},
                               {key("editedAt"), ch.ts}};
        });
}

void MessageChanges::onDelete(Conn &c, const Frame &f)
{
    const auto room = roomFor(c, f);
    if (!room)
        return;
    const qint64 userId = c.userId;
    const qint64 target = f.integer(key("seq"));
    // No admin role among people: the server's configuration names them (chat_admins).
    const bool anyone = m_ctx.config.chatAdmins.contains(m_ctx.directory->nameOf(userId));
    m_ctx.request<MessageChange>(
        this, c, f,
        [=, roomId = room->roomId](Store &st) {
            return st.deleteMessage(roomId, target, userId, anyone, now());
        },
        [this, room = *room, userId](quint64, MessageChange &ch) -> StoreResult<QJsonObject> {
            MessageRow change{room.room, ch.seq, m_ctx.directory->nameOf(userId), {}, ch.ts, {}};
            change.kind = MessageRow::Delete;
            change.target = ch.target;
            fanOut(room.roomId, change);
            return QJsonObject{{key("room"), room.room},
                               {key("seq"), ch.seq},
                               {key("target"), ch.target},
                               {key("ts"), ch.ts}};
        });
}

void MessageChanges::onReact(Conn &c, const Frame &f)
{
    const QString emoji = f.str(key("emoji"));
    if (!reactionEmoji().contains(emoji))
        return m_ctx.conns.send(c, error(f.id(), s(Err::BadValue),
                                         QStringLiteral("emoji must be one of %1")
                                             .arg(reactionEmoji().join(QLatin1Char(' '))),
                                         s("emoji")));
    const auto room = roomFor(c, f);
    if (!room)
        return;
    const qint64 userId = c.userId;
    const qint64 target = f.integer(key("seq"));
    const bool on = f.body.value(key("on")).toBool();
    m_ctx.request<MessageChange>(
        this, c, f,
        [=, roomId = room->roomId](Store &st) {
            return st.react(roomId, target, userId, emoji, on, now());
        },
        [this, room = *room, userId, emoji, on](quint64,
                                                MessageChange &ch) -> StoreResult<QJsonObject> {
            if (ch.seq > 0) {
                MessageRow change{room.room, ch.seq, m_ctx.directory->nameOf(userId),
                                  emoji,     ch.ts,  {}};
                change.kind = on ? MessageRow::ReactOn : MessageRow::ReactOff;
                change.target = ch.target;
                fanOut(room.roomId, change);
            }
            return QJsonObject{
                {key("room"), room.room}, {key("seq"), ch.seq}, {key("target"), ch.target},
                {key("emoji"), emoji},    {key("on"), on},      {key("changed"), ch.seq > 0}};
        });
}

} // namespace herald
