// Native desktop notifications: the freedesktop Desktop Notifications protocol over D-Bus
// (org.freedesktop.Notifications), which GNOME Shell, KDE Plasma, xfce4-notifyd, dunst and
// mako implement. Their do-not-disturb and history then work for Herald too. A chat message's
// bubble has Reply: typed in the bubble where the server can (the "inline-reply" capability and
// NotificationReplied signal of KDE Plasma), else a button that opens the conversation.
#pragma once

#include "notification.h"

#include <QDBusConnection>
#include <QDBusServiceWatcher>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

/** @brief Shows notifications through the session's notification server, when it has one. */
class DesktopNotifier : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by Session")
    /** @brief A notification server is on the session bus (running or activatable). */
    Q_PROPERTY(bool available READ available NOTIFY availableChanged)
    /** @brief Its name and vendor, for the settings page ("" without one). */
    Q_PROPERTY(QString serverName READ serverName NOTIFY availableChanged)

public:
    static constexpr const char *Service = "org.freedesktop.Notifications";
    static constexpr const char *Path = "/org/freedesktop/Notifications";
    static constexpr const char *Interface = "org.freedesktop.Notifications";

    /** @brief Watches @p bus (the session bus; tests pass a private one). */
    explicit DesktopNotifier(const QDBusConnection &bus = QDBusConnection::sessionBus(),
                             QObject *parent = nullptr);

    [[nodiscard]] bool available() const { return m_available; }
    [[nodiscard]] QString serverName() const { return m_serverName; }
    [[nodiscard]] bool supportsActions() const { return m_capabilities.contains(u"actions"); }
    /** @brief Text can be typed into a bubble (KDE's "inline-reply" capability). */
    [[nodiscard]] bool supportsInlineReply() const
    {
        return m_capabilities.contains(u"inline-reply");
    }
    /** @brief Herald's notification is on screen through the server (or on its way there). */
    [[nodiscard]] bool isShown(qint64 id) const { return m_shown.contains(id); }

    /** @brief Urgency byte of the spec for a Herald priority: 0 low, 1 normal, 2 critical. */
    [[nodiscard]] static uchar urgencyFor(const QString &priority);

    /** @brief Sends Notify; failed() when the server refuses or is gone. */
    void show(const Notification &notification);
    /** @brief The action's answer: the notification shows the outcome instead of its buttons. */
    void finish(qint64 id, bool ok, const QString &text);
    /** @brief Its service changed it: Notify again with replaces_id, so the bubble on screen
     *  shows the new title, body and buttons in place. */
    void replace(const Notification &notification);
    /** @brief CloseNotification: read, resolved or retracted elsewhere. */
    void withdraw(qint64 id);
    /** @brief Withdraws every bubble (signed out: nothing of the account stays on screen). */
    void withdrawAll();

Q_SIGNALS:
    void availableChanged();
    /** @brief The person clicked one of its action buttons. */
    void actionInvoked(qint64 id, const QString &action);
    /** @brief The person clicked the notification itself. */
    void activated(qint64 id);
    /** @brief A chat message's Reply: @p text typed in the bubble, or empty when the server
     *  cannot take text there (the conversation should open for the answer). */
    void replied(qint64 id, const QString &text);
    /** @brief It left the screen (expired, dismissed, or closed by us). */
    void closed(qint64 id);
    /** @brief It could not be shown, or its server went away while it was up: show it another
     *  way so that it is not lost. */
    void failed(const Notification &notification);

private Q_SLOTS:
    // QtDBus delivers bus signals only to slots named by signature.
    void onActionInvoked(uint serverId, const QString &actionKey);
    void onNotificationClosed(uint serverId, uint reason);
    void onNotificationReplied(uint serverId, const QString &text);

private:
    struct Shown
    {
        Notification notification;
        uint serverId = 0; // 0 while Notify is on its way
        int more = 0;      // earlier notifications of its thread this bubble took over
    };

    void probe();
    void setAvailable(bool available);
    void serverGone();
    [[nodiscard]] qint64 heraldId(uint serverId) const;
    void notify(const Notification &n, uint replaces, const QString &body, bool withActions,
                int timeoutMs);

    QDBusConnection m_bus;
    QDBusServiceWatcher m_watcher;
    QHash<qint64, Shown> m_shown; // by Herald id
    // Acted on from a bubble, answer not yet here: kept even when the server closes the
    // bubble after the click (as most do), so the outcome can be shown.
    QHash<qint64, Shown> m_acting;
    // Closed by the server before its Notify answer reached us (a race on a busy bus).
    QList<uint> m_closedEarly;
    QStringList m_capabilities;
    QString m_serverName;
    bool m_available = false;
};
