#include "busevent.h"

#include <herald/protocol.h>

#include <QDataStream>
#include <QIODevice>

namespace herald {

namespace {

constexpr quint16 Magic = 0x4842; // "HB"
constexpr quint8 Version = 1;
constexpr qint64 MaxUsers = 1'000'000;
constexpr qint64 MaxText = 1024;
constexpr qint64 MaxNode = 256;

bool validId(qint64 v)
{
    return v >= 0 && v <= proto::MaxSafeInteger;
}

bool known(quint8 kind)
{
    return kind >= quint8(BusEvent::Kind::RoomMessage) &&
           kind <= quint8(BusEvent::Kind::NotificationChanged);
}

bool hasRoom(BusEvent::Kind k)
{
    return k == BusEvent::Kind::RoomMessage || k == BusEvent::Kind::RoomUpserted ||
           k == BusEvent::Kind::MemberJoined || k == BusEvent::Kind::MemberLeft;
}

bool hasUsers(BusEvent::Kind k)
{
    return k == BusEvent::Kind::Notification || k == BusEvent::Kind::ToUsers ||
           k == BusEvent::Kind::RoomUpserted || k == BusEvent::Kind::NotificationChanged;
}

bool hasFrame(BusEvent::Kind k)
{
    return k == BusEvent::Kind::RoomMessage || k == BusEvent::Kind::Notification ||
           k == BusEvent::Kind::ToUsers || k == BusEvent::Kind::NotificationChanged;
}

// Strings and byte arrays as a 32-bit length and raw bytes, refused past a cap.
void writeBytes(QDataStream &out, const QByteArray &b)
{
    out << quint32(b.size());
    out.writeRawData(b.constData(), int(b.size()));
}

bool readBytes(QDataStream &in, qint64 max, QByteArray *b)
{
    quint32 n = 0;
    in >> n;
    if (in.status() != QDataStream::Ok || qint64(n) > max)
        return false;
    b->resize(qsizetype(n));
    return in.readRawData(b->data(), int(n)) == int(n);
}

bool readText(QDataStream &in, QString *s)
{
    QByteArray b;
    if (!readBytes(in, MaxText, &b))
        return false;
    *s = QString::fromUtf8(b);
    return true;
}

} // namespace

QByteArray BusEvent::encode() const
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s.setVersion(QDataStream::Qt_6_0);
    s << Magic << Version << quint8(kind);
    writeBytes(s, node);
    if (hasRoom(kind))
        s << roomId;
    switch (kind) {
    case Kind::RoomMessage:
        s << seq;
        break;
    case Kind::Notification:
        s << id;
        break;
    case Kind::NotificationChanged:
        s << id << seq << quint8(recount ? 1 : 0);
        break;
    case Kind::RoomUpserted:
        writeBytes(s, name.toUtf8());
        writeBytes(s, title.toUtf8());
        writeBytes(s, roomKind.toUtf8());
        s << seq;
        break;
    case Kind::MemberJoined:
    case Kind::MemberLeft:
        s << userId;
        break;
    case Kind::ToUsers:
    case Kind::Reload:
        break;
    }
    if (hasUsers(kind)) {
        s << quint32(users.size());
        for (qint64 u : users)
            s << u;
    }
    // The frame is the rest of the event, byte for byte.
    if (hasFrame(kind))
        out += frame;
    return out;
}

std::optional<BusEvent> BusEvent::decode(const QByteArray &bytes)
{
    QDataStream in(bytes);
    in.setVersion(QDataStream::Qt_6_0);
    quint16 magic = 0;
    quint8 version = 0, kind = 0;
    in >> magic >> version >> kind;
    if (in.status() != QDataStream::Ok || magic != Magic || version != Version || !known(kind))
        return std::nullopt;
    BusEvent e;
    e.kind = Kind(kind);
    if (!readBytes(in, MaxNode, &e.node))
        return std::nullopt;
    if (hasRoom(e.kind))
        in >> e.roomId;
    switch (e.kind) {
    case Kind::RoomMessage:
        in >> e.seq;
        break;
    case Kind::Notification:
        in >> e.id;
        break;
    case Kind::NotificationChanged: {
        quint8 flag = 2;
        in >> e.id >> e.seq >> flag;
        if (flag > 1)
            return std::nullopt;
        e.recount = flag == 1;
        break;
    }
    case Kind::RoomUpserted:
        if (!readText(in, &e.name) || !readText(in, &e.title) || !readText(in, &e.roomKind))
            return std::nullopt;
        in >> e.seq;
        break;
    case Kind::MemberJoined:
    case Kind::MemberLeft:
        in >> e.userId;
        break;
    case Kind::ToUsers:
    case Kind::Reload:
        break;
    }
    if (hasUsers(e.kind)) {
        quint32 n = 0;
        in >> n;
        if (in.status() != QDataStream::Ok || qint64(n) > MaxUsers)
            return std::nullopt;
        e.users.reserve(qsizetype(n));
        for (quint32 i = 0; i < n; ++i) {
            qint64 u = 0;
            in >> u;
            if (!validId(u))
                return std::nullopt;
            e.users << u;
        }
    }
    if (in.status() != QDataStream::Ok || !validId(e.roomId) || !validId(e.seq) || !validId(e.id) ||
        !validId(e.userId))
        return std::nullopt;
    const qint64 rest = bytes.size() - in.device()->pos();
    if (hasFrame(e.kind))
        e.frame = bytes.right(rest);
    else if (rest != 0)
        return std::nullopt;
    return e;
}

BusEvent BusEvent::roomMessage(qint64 roomId, qint64 seq, const QByteArray &frame)
{
    return {.kind = Kind::RoomMessage, .roomId = roomId, .seq = seq, .frame = frame};
}

BusEvent BusEvent::notification(qint64 id, const QList<qint64> &users, const QByteArray &frame)
{
    return {.kind = Kind::Notification, .id = id, .users = users, .frame = frame};
}

BusEvent BusEvent::toUsers(const QList<qint64> &users, const QByteArray &frame)
{
    return {.kind = Kind::ToUsers, .users = users, .frame = frame};
}

BusEvent BusEvent::reload()
{
    return {.kind = Kind::Reload};
}

BusEvent BusEvent::roomUpserted(qint64 roomId, const QString &name, const QString &title,
                                const QString &roomKind, qint64 lastSeq,
                                const QList<qint64> &members)
{
    return {.kind = Kind::RoomUpserted,
            .roomId = roomId,
            .seq = lastSeq,
            .users = members,
            .name = name,
            .title = title,
            .roomKind = roomKind};
}

BusEvent BusEvent::memberJoined(qint64 roomId, qint64 userId)
{
    return {.kind = Kind::MemberJoined, .roomId = roomId, .userId = userId};
}

BusEvent BusEvent::memberLeft(qint64 roomId, qint64 userId)
{
    return {.kind = Kind::MemberLeft, .roomId = roomId, .userId = userId};
}

BusEvent BusEvent::notificationChanged(qint64 id, qint64 changeSeq, const QList<qint64> &users,
                                       bool recount, const QByteArray &frame)
{
    return {.kind = Kind::NotificationChanged,
            .seq = changeSeq,
            .id = id,
            .users = users,
            .recount = recount,
            .frame = frame};
}

} // namespace herald
