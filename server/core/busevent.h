#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace herald {

/**
 * @brief One event between cluster nodes, typed: what happened, the ids it concerns, and (for
 * events that reach clients) the frame already encoded once by the node it happened on.
 *
 * On the bus an event is a small binary header (magic, version, kind, sender node, the ids) and
 * then the frame bytes as they are, so a frame is never escaped inside another document and the
 * receiving node hands the same bytes to its connections. decode() refuses anything malformed
 * (wrong magic or version, unknown kind, truncated, trailing bytes, ids out of range).
 */
struct BusEvent
{
    enum class Kind : quint8 {
        RoomMessage = 1,         ///< roomId, seq, frame: a stored chat message
        Notification = 2,        ///< id, users, frame: a stored notification for these people
        ToUsers = 3,             ///< users, frame: an ephemeral frame for these people's devices
        Reload = 4,              ///< re-read everything (heraldctl changed people, rooms or tokens)
        RoomUpserted = 5,        ///< roomId, name, title, roomKind, seq (its last), users (members)
        MemberJoined = 6,        ///< roomId, userId
        MemberLeft = 7,          ///< roomId, userId
        NotificationChanged = 8, ///< id, seq (its change number), users, recount, frame: a
                                 ///< notification its service updated, resolved or retracted
    };

    Kind kind = Kind::Reload;
    QByteArray node{}; ///< the sending node (a node ignores its own events)
    qint64 roomId = 0;
    qint64 seq = 0;
    qint64 id = 0;
    qint64 userId = 0;
    QList<qint64> users{};
    QString name{};
    QString title{};
    QString roomKind{};
    bool recount = false; ///< NotificationChanged: the recipients' unread counts changed
    QByteArray frame{};

    [[nodiscard]] QByteArray encode() const;
    [[nodiscard]] static std::optional<BusEvent> decode(const QByteArray &bytes);

    static BusEvent roomMessage(qint64 roomId, qint64 seq, const QByteArray &frame);
    static BusEvent notification(qint64 id, const QList<qint64> &users, const QByteArray &frame);
    static BusEvent toUsers(const QList<qint64> &users, const QByteArray &frame);
    static BusEvent reload();
    static BusEvent roomUpserted(qint64 roomId, const QString &name, const QString &title,
                                 const QString &roomKind, qint64 lastSeq,
                                 const QList<qint64> &members);
    static BusEvent memberJoined(qint64 roomId, qint64 userId);
    static BusEvent memberLeft(qint64 roomId, qint64 userId);
    static BusEvent notificationChanged(qint64 id, qint64 changeSeq, const QList<qint64> &users,
                                        bool recount, const QByteArray &frame);

    friend bool operator==(const BusEvent &, const BusEvent &) = default;
};

} // namespace herald
