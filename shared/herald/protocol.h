// Herald wire protocol: one JSON object per WebSocket text frame, with a "type".
// See docs/protocol.md; tests/shared/tst_protocol.cpp keeps the two in step.
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace herald::proto {

/** @brief Version of the protocol spoken by this build. */
inline constexpr int Version = 1;
/** @brief WebSocket subprotocol negotiated at the handshake. */
inline constexpr char Subprotocol[] = "herald.v1";

/** @brief Default limits the decoder enforces (the server may configure others). */
struct Limits
{
    qsizetype maxFrameBytes = 64 * 1024;
    int maxDepth = 8;
};

/** @brief Close codes the server uses, as documented in docs/protocol.md. */
namespace Close {
inline constexpr int Normal = 1000;        // orderly close (sent by clients; the server does not)
inline constexpr int GoingAway = 1001;     // server shutting down
inline constexpr int ProtocolError = 1002; // broken WebSocket framing (QtWebSockets closes itself)
inline constexpr int UnsupportedData = 1003; // binary frame
inline constexpr int InvalidPayload =
    1007; // text frame that is not UTF-8 (QtWebSockets closes itself)
inline constexpr int PolicyViolation =
    1008;                           // too many invalid frames, or too many before auth completed
inline constexpr int TooBig = 1009; // frame or message over max_frame_bytes (QtWebSockets)
inline constexpr int AuthFailed = 4001;   // bad or unknown token, or a first frame that is not auth
inline constexpr int AuthTimeout = 4002;  // no auth within the deadline
inline constexpr int TokenRevoked = 4003; // token revoked while connected
inline constexpr int UserDisabled = 4004; // account disabled while connected
inline constexpr int TooManyConnections = 4005; // per-user connection cap reached
inline constexpr int SlowConsumer = 4006;       // outbound queue over its cap: resume by sequence
inline constexpr int IdleTimeout = 4007;        // no traffic (not even pong) within the timeout
inline constexpr int RateLimited = 4008;        // kept sending past the message rate
inline constexpr int Unavailable = 4009;    // server cannot serve this connection now (reserved)
inline constexpr int SessionExpired = 4010; // session token unused for session_idle_days
} // namespace Close

/** @brief Stable machine error codes carried in "error" frames and HTTP JSON errors. */
namespace Err {
inline constexpr char BadJson[] = "bad_json";
inline constexpr char NotObject[] = "not_object";
inline constexpr char UnknownType[] = "unknown_type";
inline constexpr char MissingField[] = "missing_field";
inline constexpr char WrongType[] = "wrong_type";
inline constexpr char TooLong[] = "too_long";
inline constexpr char TooMany[] = "too_many";
inline constexpr char BadUtf8[] = "bad_utf8";
inline constexpr char TooDeep[] = "too_deep";
inline constexpr char TooLarge[] = "too_large";
inline constexpr char BadValue[] = "bad_value";
inline constexpr char Unauthorized[] = "unauthorized";
inline constexpr char Forbidden[] = "forbidden";
inline constexpr char NotFound[] = "not_found";
inline constexpr char Conflict[] = "conflict";
inline constexpr char Gone[] = "gone";
inline constexpr char RateLimited[] = "rate_limited";
inline constexpr char Unavailable[] = "unavailable";
inline constexpr char Internal[] = "internal";
} // namespace Err

/** @brief Every Close:: constant as (code, name), in ascending order: docs and tests enumerate
 * these. */
const QList<std::pair<int, QString>> &closeCodes();
/** @brief Every Err:: constant's value, in declaration order: docs and tests enumerate these. */
const QStringList &errorCodes();

/** @brief Who sends a frame type. */
enum class Direction { ClientToServer, ServerToClient };

/** @brief What a field must hold. */
enum class Kind {
    String,     ///< JSON string, max = length in UTF-16 code units (0: no bound)
    Int,        ///< non-negative integer <= 2^53-1, max = largest value (0: no bound)
    Bool,       ///< JSON bool
    Id,         ///< request id: string (max UTF-16 code units) or integer within +-(2^53-1)
    StringList, ///< array of strings, max = items (each string <= 256 code units)
    IntList,    ///< array of non-negative integers, max = items
    SeqMap, ///< object of name (<= 140 code units) -> non-negative integer sequence, max = entries
    Object, ///< any JSON object (server payloads)
    Array,  ///< any JSON array (server payloads)
};

struct FieldSpec
{
    QString name;
    Kind kind;
    bool required;
    qint64 max; // meaning depends on kind, see Kind
};

struct MessageSpec
{
    QString type;
    Direction direction;
    QList<FieldSpec> fields;
    QString summary;
};

/** @brief Every frame type of the protocol, both directions. */
const QList<MessageSpec> &schema();
const MessageSpec *findSpec(const QString &type);

/** @brief Frame type names. */
namespace Type {
// client -> server
inline const QString Auth = QStringLiteral("auth");
inline const QString Ping = QStringLiteral("ping");
inline const QString PresenceSet = QStringLiteral("presence.set");
inline const QString UserList = QStringLiteral("user.list");
inline const QString RoomList = QStringLiteral("room.list");
inline const QString RoomCreate = QStringLiteral("room.create");
inline const QString RoomJoin = QStringLiteral("room.join");
inline const QString RoomLeave = QStringLiteral("room.leave");
inline const QString RoomInvite = QStringLiteral("room.invite");
inline const QString RoomMembers = QStringLiteral("room.members");
inline const QString RoomHistory = QStringLiteral("room.history");
inline const QString DmOpen = QStringLiteral("dm.open");
inline const QString MsgSend = QStringLiteral("msg.send");
inline const QString RoomRead = QStringLiteral("room.read");
inline const QString RoomNotify = QStringLiteral("room.notify");
inline const QString MsgEdit = QStringLiteral("msg.edit");
inline const QString MsgDelete = QStringLiteral("msg.delete");
inline const QString MsgReact = QStringLiteral("msg.react");
inline const QString RoomSearch = QStringLiteral("room.search");
inline const QString TypingSend = QStringLiteral("typing.send");
inline const QString Resume = QStringLiteral("resume");
inline const QString NotifList = QStringLiteral("notif.list");
inline const QString NotifRead = QStringLiteral("notif.read");
inline const QString NotifReadAll = QStringLiteral("notif.readAll");
inline const QString NotifReadThread = QStringLiteral("notif.readThread");
inline const QString NotifAction = QStringLiteral("notif.action");
inline const QString NotifAck = QStringLiteral("notif.ack");
inline const QString ReceiptsSet = QStringLiteral("receipts.set");
// server -> client
inline const QString Hello = QStringLiteral("hello");
inline const QString Result = QStringLiteral("result");
inline const QString Error = QStringLiteral("error");
inline const QString Pong = QStringLiteral("pong");
inline const QString Message = QStringLiteral("message");
inline const QString Typing = QStringLiteral("typing");
inline const QString Presence = QStringLiteral("presence");
inline const QString Online = QStringLiteral("online");
inline const QString Member = QStringLiteral("member");
inline const QString Notification = QStringLiteral("notification");
inline const QString NotifUnread = QStringLiteral("notif.unread");
inline const QString NotifReadSync = QStringLiteral("notif.readSync");
inline const QString NotifResolved = QStringLiteral("notif.resolved");
inline const QString NotifUpdated = QStringLiteral("notif.updated");
inline const QString NotifRetracted = QStringLiteral("notif.retracted");
inline const QString RoomReadMarker = QStringLiteral("room.readMarker");
inline const QString RoomNotifySync = QStringLiteral("room.notifySync");
inline const QString RoomReceipt = QStringLiteral("room.receipt");
inline const QString ReceiptsSync = QStringLiteral("receipts.sync");
inline const QString NotifReminder = QStringLiteral("notif.reminder");
inline const QString MsgEdited = QStringLiteral("msg.edited");
inline const QString MsgDeleted = QStringLiteral("msg.deleted");
inline const QString MsgReaction = QStringLiteral("msg.reaction");
} // namespace Type

/** @brief The largest integer a JSON number holds exactly (2^53-1); every integer field of the
 *  protocol and the HTTP API stays within 0..MaxSafeInteger (request ids within +-). */
inline constexpr qint64 MaxSafeInteger = 9007199254740991LL;

/** @brief The value as an integer when it is a JSON number that is integral, finite and within
 *  +-MaxSafeInteger (so converting it cannot overflow); nothing otherwise. -0 is 0. */
std::optional<qint64> toSafeInteger(const QJsonValue &v);
/** @brief Decimal text (optional leading '-', digits only, no spaces) within +-MaxSafeInteger as
 *  an integer; nothing otherwise. For command lines, configuration and environment values. */
std::optional<qint64> parseSafeInteger(QStringView text);

/** @brief Where JSON text escapes half a surrogate pair ("\ud800" not followed by a low half, or
 *  a low half alone). Qt's parser does not refuse these: it pairs a lone high half with whatever
 *  follows, which changes the text. Returns the top-level field that holds the first one (its
 *  key, or empty when it is not inside an object member), or nothing when there is none. */
std::optional<QString> loneSurrogateField(const QByteArray &json);

/** @brief A decoded, validated frame. */
struct Frame
{
    QString type;
    QJsonObject body;

    [[nodiscard]] QJsonValue id() const { return body.value(QLatin1String("id")); }
    [[nodiscard]] QString str(QLatin1String key) const { return body.value(key).toString(); }
    [[nodiscard]] qint64 integer(QLatin1String key, qint64 fallback = 0) const
    {
        return toSafeInteger(body.value(key)).value_or(fallback);
    }
    [[nodiscard]] bool has(QLatin1String key) const { return body.contains(key); }
};

/** @brief A decode failure: a stable code, the field it concerns, and a human message. */
struct DecodeError
{
    QString code;                                      // one of Err::*
    QString field;                                     // empty when the whole frame is at fault
    QString message;                                   // human readable
    QJsonValue id = QJsonValue(QJsonValue::Undefined); // the request id when it could be read
                                                       // (string <= 64 or integer), else undefined
};

struct DecodeResult
{
    std::optional<Frame> frame;
    DecodeError error;
    [[nodiscard]] bool ok() const { return frame.has_value(); }
};

/**
 * @brief Strictly decodes one frame: size, UTF-8, nesting depth, JSON object, known type
 * for the expected direction, required fields, field types and sizes. Unknown fields are ignored;
 * an optional field that is null counts as absent and is left out of the decoded body.
 */
DecodeResult decode(const QByteArray &bytes, Direction expected, const Limits &limits = {});

/** @brief Serializes a frame (type first is not guaranteed; JSON objects are unordered). */
QByteArray encode(const QString &type, QJsonObject body);
QByteArray encode(const Frame &frame);

/** @brief Builds the common server frames. */
QByteArray result(const QJsonValue &id, const QJsonObject &data = {});
QByteArray error(const QJsonValue &id, const QString &code, const QString &message,
                 const QString &field = {});
QByteArray error(const DecodeError &e);

/** @brief Validates a name used for rooms, users and groups: [a-z0-9._-], 1..64, not starting with
 * '-'/'.'. */
bool isValidName(const QString &name);

/** @brief The longest chat message text, in UTF-16 code units (msg.send, msg.edit). */
inline constexpr qsizetype MessageTextMax = 4000;
/** @brief The emoji a chat message can be reacted to with (msg.react), in the order clients
 *  offer them. */
const QStringList &reactionEmoji();

} // namespace herald::proto
