// The protocol's frame table. docs/protocol.md documents every entry; a test keeps them in step.
#include "herald/protocol.h"

namespace herald::proto {

namespace {
using D = Direction;
using K = Kind;

FieldSpec req(const char *name, Kind kind, qint64 max = 0)
{
    return {QString::fromLatin1(name), kind, true, max};
}
FieldSpec opt(const char *name, Kind kind, qint64 max = 0)
{
    return {QString::fromLatin1(name), kind, false, max};
}

constexpr qint64 NameMax = 64;
constexpr qint64 IdMax = 64;
constexpr qint64 RoomMax = 140;               // "dm:<a>:<b>" for direct messages
constexpr qint64 SeqMax = 9007199254740991LL; // largest integer a JSON double holds exactly
constexpr qint64 EditTextBound = 64 * 1024;   // msg.edit: too_long only past a frame's size

QList<MessageSpec> buildSchema()
{
    const FieldSpec id = req("id", K::Id, IdMax);
    const FieldSpec optId = opt("id", K::Id, IdMax);
    const FieldSpec room = req("room", K::String, RoomMax);
    return {
        // ---- client -> server
        {Type::Auth,
         D::ClientToServer,
         {optId, req("token", K::String, 512)},
         QStringLiteral("Authenticate with a token (first frame, when no header was sent).")},
        {Type::Ping, D::ClientToServer, {id}, QStringLiteral("Application-level ping.")},
        {Type::PresenceSet,
         D::ClientToServer,
         {optId, req("status", K::String, 16), opt("idle", K::Int, SeqMax)},
         QStringLiteral("Set this connection's status: online or away (idle for how long).")},
        {Type::UserList,
         D::ClientToServer,
         {id},
         QStringLiteral("List people with their presence.")},
        {Type::RoomList,
         D::ClientToServer,
         {id},
         QStringLiteral("List rooms the person is in, and public rooms they may join.")},
        {Type::RoomCreate,
         D::ClientToServer,
         {id, req("name", K::String, NameMax), opt("title", K::String, 200),
          opt("private", K::Bool)},
         QStringLiteral("Create a room; the creator becomes a member.")},
        {Type::RoomJoin, D::ClientToServer, {id, room}, QStringLiteral("Join a public room.")},
        {Type::RoomLeave, D::ClientToServer, {id, room}, QStringLiteral("Leave a room.")},
        {Type::RoomInvite,
         D::ClientToServer,
         {id, room, req("user", K::String, NameMax)},
         QStringLiteral("Add a person to a room the sender is a member of.")},
        {Type::RoomMembers,
         D::ClientToServer,
         {id, room},
         QStringLiteral("List a room's members with presence.")},
        {Type::RoomHistory,
         D::ClientToServer,
         {id, room, opt("before", K::Int, SeqMax), opt("after", K::Int, SeqMax),
          opt("limit", K::Int, 200)},
         QStringLiteral("Page a room's history by sequence.")},
        {Type::DmOpen,
         D::ClientToServer,
         {id, req("user", K::String, NameMax)},
         QStringLiteral("Open (or find) the direct-message room with a person.")},
        {Type::MsgSend,
         D::ClientToServer,
         {id, room, req("clientId", K::String, IdMax), opt("text", K::String, 4000),
          opt("file", K::Object)},
         QStringLiteral("Send a chat message (text, a file uploaded before, or both); clientId "
                        "makes retries safe.")},
        {Type::RoomRead,
         D::ClientToServer,
         {id, room, req("seq", K::Int, SeqMax)},
         QStringLiteral("Move the person's read position in a room (all their devices follow).")},
        {Type::RoomNotify,
         D::ClientToServer,
         {id, room, req("level", K::String, 16), opt("until", K::Int, SeqMax)},
         QStringLiteral("Set what the person's devices alert for in a room: all, mentions, none "
                        "(until a time), or default.")},
        {Type::MsgEdit,
         D::ClientToServer,
         // A loose bound here: the server answers bad_value (field text) past MessageTextMax.
         {id, room, req("seq", K::Int, SeqMax), req("text", K::String, EditTextBound)},
         QStringLiteral("Edit one's own chat message (seq): it takes the room's next sequence.")},
        {Type::MsgDelete,
         D::ClientToServer,
         {id, room, req("seq", K::Int, SeqMax)},
         QStringLiteral("Delete one's own chat message (chat admins: anyone's).")},
        {Type::MsgReact,
         D::ClientToServer,
         {id, room, req("seq", K::Int, SeqMax), req("emoji", K::String, 16), req("on", K::Bool)},
         QStringLiteral("Add (on) or take back one's reaction to a chat message.")},
        {Type::RoomSearch,
         D::ClientToServer,
         // query: up to 256 characters, checked by the server (bad_value, not too_long); the
         // decoder's bound only keeps absurd sizes out (too_long past it)
         {id, req("query", K::String, 16384), opt("room", K::String, RoomMax),
          opt("before", K::String, 64), opt("limit", K::Int, 50)},
         QStringLiteral("Search the messages of the person's rooms, newest first.")},
        {Type::TypingSend,
         D::ClientToServer,
         {room},
         QStringLiteral("Tell a room's members the sender is typing (ephemeral).")},
        {Type::Resume,
         D::ClientToServer,
         {id, opt("rooms", K::SeqMap, 1000), opt("notifications", K::Int, SeqMax),
          opt("notifChanges", K::Int, SeqMax)},
         QStringLiteral("After a reconnect: get everything past the last sequences seen.")},
        {Type::NotifList,
         D::ClientToServer,
         {id, opt("before", K::Int, SeqMax), opt("limit", K::Int, 200), opt("unread", K::Bool)},
         QStringLiteral("Page the notification backlog, newest first.")},
        {Type::NotifRead,
         D::ClientToServer,
         {id, req("ids", K::IntList, 500)},
         QStringLiteral("Mark notifications read.")},
        {Type::NotifReadAll,
         D::ClientToServer,
         {id},
         QStringLiteral("Mark every notification read.")},
        {Type::NotifReadThread,
         D::ClientToServer,
         {id, req("service", K::String, NameMax), req("threadKey", K::String, 128)},
         QStringLiteral("Mark every unread notification of one thread (a service's threadKey) "
                        "read.")},
        {Type::NotifAction,
         D::ClientToServer,
         {id, req("notification", K::Int, SeqMax), req("action", K::String, NameMax)},
         QStringLiteral("Act on a notification (approve, reject, ...); first action wins.")},
        {Type::NotifAck,
         D::ClientToServer,
         {id, req("ids", K::IntList, 500), req("state", K::String, 16)},
         QStringLiteral("Acknowledge notifications as delivered or seen on this device.")},

        // ---- server -> client
        {Type::Hello,
         D::ServerToClient,
         {req("protocol", K::Int), req("user", K::Object), req("online", K::Int),
          req("unread", K::Int), req("heartbeat", K::Int), opt("server", K::String, 200),
          opt("rooms", K::Array), opt("notifications", K::Array), opt("notifSeq", K::Int),
          opt("notifChanges", K::Int)},
         QStringLiteral("Sent once authenticated.")},
        {Type::Result,
         D::ServerToClient,
         {id, opt("data", K::Object)},
         QStringLiteral("Successful answer to the request with the same id.")},
        {Type::Error,
         D::ServerToClient,
         {optId, req("code", K::String, 64), req("message", K::String, 1000),
          opt("field", K::String, 64)},
         QStringLiteral("Failed request (with its id) or a problem with the connection.")},
        {Type::Pong, D::ServerToClient, {id}, QStringLiteral("Answer to ping.")},
        {Type::Message,
         D::ServerToClient,
         {room, req("seq", K::Int), req("from", K::String, NameMax), req("text", K::String, 4000),
          req("ts", K::Int), opt("clientId", K::String, IdMax),
          opt("mentions", K::StringList, 2000), opt("mentionsRoom", K::Bool), opt("edited", K::Int),
          opt("deleted", K::Bool), opt("file", K::Object), opt("reactions", K::Array)},
         QStringLiteral("A chat message in a room the person is in.")},
        {Type::MsgEdited,
         D::ServerToClient,
         {room, req("seq", K::Int), req("target", K::Int), req("text", K::String, 4000),
          req("editedAt", K::Int), req("by", K::String, NameMax)},
         QStringLiteral("A chat message (target) was edited; the change has its own seq.")},
        {Type::MsgDeleted,
         D::ServerToClient,
         {room, req("seq", K::Int), req("target", K::Int), req("by", K::String, NameMax),
          req("ts", K::Int)},
         QStringLiteral("A chat message (target) was deleted; the change has its own seq.")},
        {Type::MsgReaction,
         D::ServerToClient,
         {room, req("seq", K::Int), req("target", K::Int), req("emoji", K::String, 16),
          req("by", K::String, NameMax), req("on", K::Bool), req("ts", K::Int)},
         QStringLiteral("Someone reacted to a chat message (target), or took it back.")},
        {Type::Typing,
         D::ServerToClient,
         {room, req("user", K::String, NameMax)},
         QStringLiteral("Someone is typing in a room.")},
        {Type::Presence,
         D::ServerToClient,
         {room, req("users", K::Array), req("online", K::Int)},
         QStringLiteral("Presence changes of a room's members, with the room's online count.")},
        {Type::Online,
         D::ServerToClient,
         {req("count", K::Int)},
         QStringLiteral("How many people are online on the server.")},
        {Type::Member,
         D::ServerToClient,
         {room, req("user", K::String, NameMax), req("event", K::String, 16),
          opt("info", K::Object)},
         QStringLiteral("Someone joined or left a room (event: joined, left).")},
        {Type::Notification,
         D::ServerToClient,
         {req("notification", K::Object)},
         QStringLiteral("A new notification for the person.")},
        {Type::NotifUnread,
         D::ServerToClient,
         {req("count", K::Int)},
         QStringLiteral("The person's unread notification count changed.")},
        {Type::RoomReadMarker,
         D::ServerToClient,
         {room, req("seq", K::Int), req("unread", K::Int), req("lastSeq", K::Int),
          opt("mentions", K::Int)},
         QStringLiteral("The person's read position in a room moved (on one of their devices).")},
        {Type::RoomNotifySync,
         D::ServerToClient,
         {room, req("level", K::String, 16), opt("until", K::Int)},
         QStringLiteral("The person's notification level in a room changed (on one of their "
                        "devices).")},
        {Type::NotifReadSync,
         D::ServerToClient,
         {opt("ids", K::IntList, 100000), opt("all", K::Bool), req("unread", K::Int)},
         QStringLiteral("Notifications were marked read on one of the person's devices.")},
        {Type::NotifResolved,
         D::ServerToClient,
         {req("notification", K::Int), req("action", K::String, NameMax),
          req("by", K::String, NameMax), req("at", K::Int), opt("changeSeq", K::Int)},
         QStringLiteral("A notification was acted on; its actions are settled.")},
        {Type::NotifUpdated,
         D::ServerToClient,
         {req("notification", K::Object), req("changeSeq", K::Int)},
         QStringLiteral("A notification changed (its service updated or resolved it): replace "
                        "it.")},
        {Type::NotifRetracted,
         D::ServerToClient,
         {req("notification", K::Int), req("changeSeq", K::Int)},
         QStringLiteral("A notification was withdrawn by its service: remove it.")},
        {Type::NotifReminder,
         D::ServerToClient,
         {req("notification", K::Object), req("reminder", K::Bool), req("step", K::Int)},
         QStringLiteral("A reminder of a notification the person has (a step of its "
                        "escalation): show it again.")},
    };
}
} // namespace

const QList<MessageSpec> &schema()
{
    static const QList<MessageSpec> table = buildSchema();
    return table;
}

const MessageSpec *findSpec(const QString &type)
{
    for (const MessageSpec &spec : schema())
        if (spec.type == type)
            return &spec;
    return nullptr;
}

} // namespace herald::proto
