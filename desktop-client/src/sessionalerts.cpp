// Session: chat messages that alert (MessageAlerts decides), shown the way notifications are
// (Herald's toast, or the desktop's notification server), their Reply and Open, and the tray
// badge that counts them.
#include "chatroom.h"
#include "session.h"

using namespace Qt::StringLiterals;

void Session::wireMessageAlerts()
{
    m_alerts.setNames(&m_names);
    m_alerts.setConnection(&m_connection);
    m_alerts.setDoNotDisturb(m_settings.doNotDisturb());
    connect(&m_settings, &Settings::doNotDisturbChanged, this,
            [this] { m_alerts.setDoNotDisturb(m_settings.doNotDisturb()); });
    connect(&m_alerts, &MessageAlerts::raised, this, &Session::presentMessage);
    connect(&m_alerts, &MessageAlerts::withdrawn, this, [this](qint64 id) {
        m_toasts.withdraw(id);
        if (m_notifier)
            m_notifier->withdraw(id);
    });
    connect(&m_alerts, &MessageAlerts::levelsChanged, this, &Session::updateBadge);
    connect(&m_notifications, &NotificationModel::unreadCountChanged, this, &Session::updateBadge);
    // The toast's Reply goes through the conversation's own send path (pending echo, retry),
    // and reads the conversation, here and on the person's other devices.
    connect(&m_toasts, &ToastModel::replyRequested, this,
            [this](const QString &name, const QString &text) {
                if (ChatRoom *room = m_roomObjects.value(name)) {
                    room->send(text);
                    room->markRead(); // answered: what it answered has been read
                }
            });
    connect(&m_toasts, &ToastModel::roomRequested, this, [this](const QString &name) {
        if (ChatRoom *room = m_roomObjects.value(name))
            Q_EMIT roomOpenRequested(room);
    });
}

void Session::wireBubbleReplies()
{
    // A chat message's Reply in the desktop's bubble: text typed there goes as the toast's
    // Reply does (and reads the conversation); without text the conversation opens for it.
    connect(m_notifier.get(), &DesktopNotifier::replied, this,
            [this](qint64 id, const QString &text) {
                ChatRoom *room = m_roomObjects.value(m_alerts.roomOfToast(id));
                if (!room)
                    return;
                if (text.isEmpty()) {
                    Q_EMIT roomOpenRequested(room);
                    return;
                }
                room->send(text);
                room->markRead();
            });
}

void Session::presentMessage(const Notification &toast)
{
    // Do not disturb was MessageAlerts' to apply; a refused native bubble falls back to a toast
    // (DesktopNotifier::failed).
    if (nativeNotifications())
        m_notifier->show(toast);
    else
        m_toasts.show(toast);
    // Herald's own toast plays the sound when it goes on screen (toastShown); a bubble here.
    if (nativeNotifications() && m_settings.sound())
        Q_EMIT soundRequested(toast.priority);
}

void Session::updateBadge()
{
    int count = m_notifications.unreadCount();
    for (const ChatRoom *room : std::as_const(m_roomObjects))
        count += m_alerts.badgeOf(room);
    if (count == m_badgeCount)
        return;
    m_badgeCount = count;
    Q_EMIT badgeCountChanged();
}
