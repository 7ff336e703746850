#pragma once

#include "core/hubcontext.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QString>

namespace herald {

/**
 * @brief The room and member directory: the people (names, display names, disabled), the
 * rooms (public, private, DMs) and who is in which; the room requests that change or read them.
 *
 * A room's sequence cursor belongs to Delivery and its online count to PresenceTracker; both
 * are told here when rooms and memberships come and go.
 */
class RoomDirectory : public QObject
{
    Q_OBJECT
public:
    struct User
    {
        qint64 id = 0;
        QString name;
        QString display;
        bool disabled = false;
        QSet<qint64> rooms;
    };
    struct Room
    {
        qint64 id = 0;
        QString name;
        QString title;
        QString kind; // public, private, dm
        QSet<qint64> members;
    };

    explicit RoomDirectory(HubContext &ctx, QObject *parent = nullptr);

    /** @brief Replaces everything with what storage holds (startup). */
    void load(const QList<UserRow> &users, const QList<RoomRow> &rooms);
    /** @brief Applies what storage holds now (heraldctl or another node changed it): people
     *  added, renamed or disabled; rooms added and gone; membership. Members are told. */
    void apply(const QList<UserRow> &users, const QList<RoomRow> &rooms);
    /** @brief Applies one room as another node stored it (created, or a DM opened): added, its
     *  title and members brought in line, members told. False when it names a person this node
     *  does not know yet (then only re-reading everything helps). */
    bool applyRoom(const RoomRow &row);
    /** @brief Applies one membership change made on another node. False when the room or the
     *  person is not known here yet. */
    bool applyMembership(qint64 roomId, qint64 userId, bool joined);

    [[nodiscard]] const User *user(qint64 id) const
    {
        auto it = m_users.constFind(id);
        return it == m_users.constEnd() ? nullptr : &*it;
    }
    [[nodiscard]] qint64 userId(const QString &name) const { return m_userByName.value(name); }
    [[nodiscard]] QString nameOf(qint64 userId) const;
    [[nodiscard]] const QHash<qint64, User> &users() const { return m_users; }
    [[nodiscard]] const Room *room(qint64 id) const
    {
        auto it = m_rooms.constFind(id);
        return it == m_rooms.constEnd() ? nullptr : &*it;
    }
    [[nodiscard]] const Room *roomByName(const QString &name) const;
    /** @brief The frame's `room` when the sender is a member of it; otherwise answers the frame
     *  with not_found (no such room) or forbidden (field room) and returns nullptr. */
    const Room *memberRoom(Conn &c, const proto::Frame &f);
    /** @brief A room as a client sees it (a DM is titled after the other person). */
    [[nodiscard]] QJsonObject roomJson(const Room &room, qint64 forUser) const;
    /** @brief A room that is public, or has the person in it: the ones they may look into. */
    [[nodiscard]] static bool visible(const Room &room, qint64 userId)
    {
        return room.kind == QLatin1String("public") || room.members.contains(userId);
    }

    void onRoomList(Conn &c, const proto::Frame &f);
    void onRoomCreate(Conn &c, const proto::Frame &f);
    void onRoomJoin(Conn &c, const proto::Frame &f);
    void onRoomLeave(Conn &c, const proto::Frame &f);
    void onRoomInvite(Conn &c, const proto::Frame &f);
    void onRoomMembers(Conn &c, const proto::Frame &f);
    void onDmOpen(Conn &c, const proto::Frame &f);
    void onUserList(Conn &c, const proto::Frame &f);

private:
    Room &addRoom(const RoomRow &r);
    void addMember(Room &room, qint64 userId);
    void removeMember(Room &room, qint64 userId);
    /** @brief Adds or removes a member and tells the room (and the leaver) as a reload does. */
    void memberJoined(Room &room, qint64 userId);
    void memberLeft(Room &room, qint64 userId);
    /** @brief A join, invite or leave: stored, then applied here, told, and sent to the other
     *  nodes; the request is answered with answer(room). */
    void changeMembership(Conn &c, const proto::Frame &f, qint64 roomId, qint64 userId, bool join,
                          std::function<QJsonObject(const Room &)> answer);
    /** @brief A member event ("joined", "left"), with the room as the newcomer sees it (info). */
    QByteArray memberFrame(const Room &room, qint64 userId, const char *event,
                           const QJsonObject &info = {}) const;

    HubContext &m_ctx;
    QHash<qint64, User> m_users;
    QHash<QString, qint64> m_userByName;
    QHash<qint64, Room> m_rooms;
    QHash<QString, qint64> m_roomByName;
};

} // namespace herald
