#include "messaging.h"

#include "core/config.h"
#include "core/wire.h"

#include "clusterlink.h"
#include "delivery.h"
#include "filestore.h"
#include "mentions.h"
#include "readmarkwriter.h"
#include "readreceipts.h"
#include "roomdirectory.h"

#include <QJsonArray>

namespace herald {

using namespace proto;
using namespace feature;

namespace {
constexpr int TypingIntervalMs = 2000;
} // namespace

Messaging::Messaging(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
    , m_readMarks(new ReadMarkWriter(ctx.db, this))
{
}

void Messaging::onSend(Conn &c, const Frame &f)
{
    const RoomDirectory::Room *room = m_ctx.directory->roomByName(f.str(key("room")));
    if (!room || !room->members.contains(c.userId))
        return m_ctx.conns.send(
            c, error(f.id(), s(Err::Forbidden), s("you are not a member of that room"), s("room")));
    if (!m_ctx.db.writable())
        return m_ctx.conns.send(c,
                                error(f.id(), s(Err::Unavailable),
                                      s("storage cannot take writes right now; try again later")));
    const QString text = f.str(key("text"));
    // A file (uploaded before with POST /api/v1/files): the text is then an optional caption.
    MessageFile file;
    if (f.body.contains(key("file"))) {
        const QJsonObject o = f.body.value(key("file")).toObject();
        file.id = o.value(key("id")).toString();
        file.name = o.value(key("name")).toString();
        if (!FileStore::isFileId(file.id))
            return m_ctx.conns.send(c, error(f.id(), s(Err::BadValue),
                                             s("file.id must be a file's id (64 hex digits) from "
                                               "POST /api/v1/files"),
                                             s("file.id")));
        if (!o.value(key("name")).isString() || !FileStore::isValidName(file.name))
            return m_ctx.conns.send(
                c, error(f.id(), s(Err::BadValue),
                         s("file.name must be 1-255 characters without '/' or control characters"),
                         s("file.name")));
    }
    if (file.isEmpty() && text.trimmed().isEmpty())
        return m_ctx.conns.send(
            c, error(f.id(), s(Err::BadValue), s("message text is empty"), s("text")));
    auto mentioned =
        Mentions::resolve(*m_ctx.directory, *room, text, m_ctx.config.mentionRoomMaxMembers);
    if (const StoreError *e = std::get_if<StoreError>(&mentioned))
        return m_ctx.replyError(c, f.id(), *e);
    const Mentions::Found mentions = std::get<Mentions::Found>(std::move(mentioned));
    const qint64 roomId = room->id;
    const qint64 userId = c.userId;
    const QString clientId = f.str(key("clientId"));
    const quint64 connId = c.id;
    const QJsonValue id = f.id();
    m_ctx.db.run<StoredMessage>(
        [=](Store &st) {
            return st.storeMessage(roomId, userId, clientId, text, now(), mentions.stored, file);
        },
        this,
        [=, this](StoreResult<StoredMessage> r) {
            Conn *c = m_ctx.conns.find(connId);
            if (const StoreError *e = std::get_if<StoreError>(&r)) {
                if (c)
                    m_ctx.replyError(*c, id, *e);
                return;
            }
            const RoomDirectory::Room *room = m_ctx.directory->room(roomId);
            if (!room)
                return;
            const StoredMessage &m = std::get<StoredMessage>(r);
            if (c)
                m_ctx.conns.send(*c, result(id, {{key("room"), room->name},
                                                 {key("seq"), m.seq},
                                                 {key("ts"), m.ts},
                                                 {key("duplicate"), m.duplicate}}));
            if (m.duplicate)
                return;
            ++m_ctx.stats.messagesStored;
            QJsonObject body{{key("room"), room->name},
                             {key("seq"), m.seq},
                             {key("from"), m_ctx.directory->nameOf(userId)},
                             {key("text"), text},
                             {key("ts"), m.ts},
                             {key("clientId"), clientId}};
            wire::addMentions(body, mentions.names, mentions.stored.everyone);
            if (!m.file.isEmpty())
                body.insert(key("file"), wire::toJson(m.file));
            // Serialized once, the same bytes for every connection of every member.
            const QByteArray frame = encode(Type::Message, body);
            m_ctx.cluster->publishMessage(roomId, m.seq, frame);
            m_ctx.delivery->roomEvent(roomId, m.seq, frame);
        });
}

void Messaging::onTyping(Conn &c, const Frame &f)
{
    const RoomDirectory::Room *room = m_ctx.directory->roomByName(f.str(key("room")));
    if (!room || !room->members.contains(c.userId))
        return; // ephemeral: nothing to answer
    const qint64 t = now();
    qint64 &last = m_typingAt[c.id][room->id];
    if (t - last < TypingIntervalMs)
        return; // rate-limited: at most one per interval per room
    last = t;
    const QByteArray frame =
        encode(Type::Typing,
               {{key("room"), room->name}, {key("user"), m_ctx.directory->nameOf(c.userId)}});
    QList<qint64> others;
    for (qint64 m : room->members)
        if (m != c.userId) {
            m_ctx.conns.toUser(m, frame);
            others << m;
        }
    m_ctx.cluster->publishToUsers(others, frame);
}

void Messaging::writeOutReadMarks()
{
    m_readMarks->writeOutNow();
}

void Messaging::onRead(Conn &c, const Frame &f)
{
    const RoomDirectory::Room *room = m_ctx.directory->memberRoom(c, f);
    if (!room)
        return;
    if (!m_ctx.db.writable())
        return m_ctx.conns.send(c,
                                error(f.id(), s(Err::Unavailable),
                                      s("storage cannot take writes right now; try again later")));
    const qint64 roomId = room->id;
    const QString name = room->name;
    const qint64 userId = c.userId;
    const qint64 seq = f.integer(key("seq"));
    // Coalesced with the other read positions of its flush window (ReadMarkWriter); answered,
    // as every request, only after the durable write.
    const quint64 connId = c.id;
    const QJsonValue id = f.id();
    m_readMarks->write(userId, roomId, seq, now(), [=, this](StoreResult<ReadMark> r) {
        Conn *c = m_ctx.conns.find(connId);
        const ReadMark *mark = std::get_if<ReadMark>(&r);
        if (!mark) {
            if (c)
                m_ctx.replyError(*c, id, std::get<StoreError>(r));
            return;
        }
        const QJsonObject body{{key("room"), name},
                               {key("seq"), mark->seq},
                               {key("unread"), mark->unread},
                               {key("mentions"), mark->mentions},
                               {key("lastSeq"), mark->lastSeq}};
        if (mark->moved) { // the other devices know where it is otherwise
            m_ctx.cluster->toUserEverywhere(userId, encode(Type::RoomReadMarker, body), connId);
            m_ctx.readReceipts->positionMoved(roomId, userId, mark->seq);
        }
        if (c)
            m_ctx.conns.send(*c, result(id, body));
    });
}

void Messaging::onRoomHistory(Conn &c, const Frame &f)
{
    const RoomDirectory::Room *room = m_ctx.directory->roomByName(f.str(key("room")));
    if (!room || !RoomDirectory::visible(*room, c.userId))
        return m_ctx.conns.send(c, error(f.id(), s(room ? Err::Forbidden : Err::NotFound),
                                         s("no such room"), s("room")));
    const qint64 roomId = room->id;
    const QString name = room->name;
    const qint64 before = f.integer(key("before"));
    const qint64 after = f.integer(key("after"));
    const int limit = static_cast<int>(f.integer(key("limit"), 50));
    m_ctx.request<MessagePage>(
        this, c, f,
        [=](Store &st) {
            MessagePage p;
            p.rows = st.history(roomId, before, after, std::max(1, limit), &p.more);
            return p;
        },
        [name](quint64, MessagePage &p) {
            return QJsonObject{{key("room"), name},
                               {key("messages"), wire::toJson(p.rows)},
                               {key("hasMore"), p.more}};
        });
}

} // namespace herald
