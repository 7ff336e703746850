#pragma once

#include "core/hubcontext.h"
#include "core/storage/roomnotifyrepository.h"

#include <QJsonObject>
#include <QObject>

namespace herald {

/**
 * @brief Notification levels per person and room: room.notify stores what a person's devices
 * alert for in a room (all, mentions, none; optionally until a time), answers it, and tells
 * their other connections on every node (room.notifySync); hello carries the choices in force.
 * The defaults are not stored: clients apply them (all in DMs, mentions in rooms).
 */
class RoomNotifications : public QObject
{
    Q_OBJECT
public:
    explicit RoomNotifications(HubContext &ctx, QObject *parent = nullptr);

    /** @brief room.notify {room, level, until}: level all, mentions, none, or default (removes
     *  the choice); until (ms since the epoch) in the future, or absent. */
    void onNotify(Conn &c, const proto::Frame &f);

    /** @brief {level, until} as a hello room object carries it ("notify"). */
    [[nodiscard]] static QJsonObject toJson(const RoomNotifyLevel &level);

private:
    HubContext &m_ctx;
};

} // namespace herald
