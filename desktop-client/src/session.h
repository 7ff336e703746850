// The signed-in person's view of the server: sign-in, the connection, and the models the
// windows show. It routes each server event to the model it concerns.
#pragma once

#include "attachmentcache.h"
#include "connection.h"
#include "credentialstore.h"
#include "desktopnotifier.h"
#include "displaynames.h"
#include "idlemonitor.h"
#include "language.h"
#include "messagealerts.h"
#include "notificationmodel.h"
#include "receiptsender.h"
#include "roomlistmodel.h"
#include "settings.h"
#include "toastmodel.h"
#include "userlistmodel.h"

#include <QHash>
#include <QNetworkAccessManager>
#include <QObject>
#include <QtQml/qqmlregistration.h>

class ChatRoom;
class QQmlEngine;
class QJSEngine;

/** @brief Sign-in, connection and all models of one person on one server. */
class Session : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    /** @brief Signed out, signing in, online, or reconnecting. */
    Q_PROPERTY(Status status READ status NOTIFY statusChanged)
    /** @brief Why the person was signed out or sign-in failed, in words. */
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorMessageChanged)
    Q_PROPERTY(QString server READ server NOTIFY userChanged)
    Q_PROPERTY(QString userName READ userName NOTIFY userChanged)
    Q_PROPERTY(QString userDisplayName READ userDisplayName NOTIFY userChanged)
    /** @brief People online on the server. */
    Q_PROPERTY(int onlineCount READ onlineCount NOTIFY onlineCountChanged)
    /** @brief Unread notifications. */
    Q_PROPERTY(int unreadCount READ unreadCount NOTIFY unreadCountChanged)
    /** @brief The tray badge: unread notifications, plus unread direct messages and mentions
     *  (as each conversation's alert level says). */
    Q_PROPERTY(int badgeCount READ badgeCount NOTIFY badgeCountChanged)
    /** @brief Which chat messages pop up, and each conversation's alert level. */
    Q_PROPERTY(MessageAlerts *alerts READ alerts CONSTANT)
    Q_PROPERTY(Connection *connection READ connection CONSTANT)
    Q_PROPERTY(Settings *settings READ settings CONSTANT)
    Q_PROPERTY(NotificationModel *notifications READ notifications CONSTANT)
    Q_PROPERTY(ToastModel *toasts READ toasts CONSTANT)
    Q_PROPERTY(RoomListModel *rooms READ rooms CONSTANT)
    Q_PROPERTY(UserListModel *people READ people CONSTANT)
    Q_PROPERTY(Language *language READ language CONSTANT)
    /** @brief Chat messages' files on this machine: previews, open, save as. */
    Q_PROPERTY(AttachmentCache *attachments READ attachments CONSTANT)
    /** @brief The desktop's notification server, when the session has one. */
    Q_PROPERTY(DesktopNotifier *notifier READ notifier CONSTANT)
    /** @brief Notifications go through the desktop's notification server (else Herald's toasts). */
    Q_PROPERTY(bool nativeNotifications READ nativeNotifications NOTIFY nativeNotificationsChanged)
    /** @brief Others see how far this person has read (read receipts). Kept on the server for
     *  all their devices: from hello, receipts.sync; setting it sends receipts.set. */
    Q_PROPERTY(bool sendReadReceipts READ sendReadReceipts WRITE setSendReadReceipts NOTIFY
                   sendReadReceiptsChanged)

public:
    enum Status {
        SignedOut,    ///< no credential: show the sign-in form
        SigningIn,    ///< login request or first connection under way
        Online,       ///< connected
        Reconnecting, ///< signed in, the link is down, retrying
    };
    Q_ENUM(Status)

    // No default argument on purpose: Qt 6.4 builds a default-constructible QML singleton with
    // `new`, ignoring create(); this way QML gets the application's instance.
    explicit Session(QObject *parent);
    ~Session() override;

    /** @brief The application's instance, handed to QML as the singleton. */
    static void setInstance(Session *session);
    static Session *create(QQmlEngine *engine, QJSEngine *);

    /** @brief Signs in with a name and password (POST /api/v1/login), then connects. */
    Q_INVOKABLE void signIn(const QString &server, const QString &username,
                            const QString &password);
    /** @brief Signs in with a token someone pasted (or --token); connects directly. */
    Q_INVOKABLE void signInWithToken(const QString &server, const QString &token);
    /** @brief Signs in with a token from the command line or a test: keeps retrying while the
     *  server is unreachable instead of returning to the form. */
    void connectWithToken(const QString &server, const QString &token);
    /** @brief Signs in silently with the stored credential, if any. */
    Q_INVOKABLE void restore();
    /** @brief Disconnects, asks the server to revoke the token (best effort: never waits for
     *  it) and forgets the stored credential. */
    Q_INVOKABLE void signOut();

    /** @brief The conversation with this server name, or nullptr. */
    Q_INVOKABLE ChatRoom *room(const QString &name) const;
    /** @brief Opens (or creates) the direct message with a person; emits roomOpenRequested. */
    Q_INVOKABLE void openDirectMessage(const QString &user);
    /** @brief Joins a public room; emits roomOpenRequested. */
    Q_INVOKABLE void joinRoom(const QString &name);
    Q_INVOKABLE void refreshPeople();
    /** @brief The person says they are away (or back); idleness cannot undo it. */
    Q_INVOKABLE void setAway(bool away);
    [[nodiscard]] bool sendReadReceipts() const { return m_sendReceipts; }
    /** @brief Tells the server (receipts.set); back to what it was if the server refuses. */
    void setSendReadReceipts(bool send);
    [[nodiscard]] IdleMonitor *idleMonitor() { return &m_idle; }

    /** @brief The joined conversation with unread messages whose newest message is newest. */
    Q_INVOKABLE ChatRoom *newestUnreadRoom() const;
    /** @brief Where a click on the tray icon should go: "room", "notifications" or "". */
    [[nodiscard]] QString unreadTarget() const;
    /** @brief Display name of a login name (the people list, or the one seen last time). */
    Q_INVOKABLE QString displayNameOf(const QString &user) const { return m_names.of(user); }

    /** @brief Feeds one server frame as if it came over the wire (QML tests, demos). */
    void injectFrame(const herald::proto::Frame &frame) { onFrame(frame); }
    /** @brief Keeps the credential out of the store (tests that run several sessions). */
    void setRememberCredentials(bool remember) { m_remember = remember; }

    [[nodiscard]] Status status() const { return m_status; }
    [[nodiscard]] QString errorMessage() const { return m_error; }
    [[nodiscard]] QString server() const { return m_server; }
    [[nodiscard]] QString userName() const { return m_userName; }
    [[nodiscard]] QString userDisplayName() const { return m_userDisplay; }
    [[nodiscard]] int onlineCount() const { return m_onlineCount; }
    [[nodiscard]] int unreadCount() const { return m_notifications.unreadCount(); }
    [[nodiscard]] int badgeCount() const { return m_badgeCount; }
    [[nodiscard]] MessageAlerts *alerts() { return &m_alerts; }
    [[nodiscard]] Connection *connection() { return &m_connection; }
    [[nodiscard]] Settings *settings() { return &m_settings; }
    [[nodiscard]] NotificationModel *notifications() { return &m_notifications; }
    [[nodiscard]] ToastModel *toasts() { return &m_toasts; }
    [[nodiscard]] RoomListModel *rooms() { return &m_rooms; }
    [[nodiscard]] UserListModel *people() { return &m_people; }
    [[nodiscard]] CredentialStore *credentials() { return &m_credentials; }
    [[nodiscard]] Language *language() { return &m_language; }
    [[nodiscard]] AttachmentCache *attachments() { return &m_attachments; }
    [[nodiscard]] DesktopNotifier *notifier() { return m_notifier.get(); }
    [[nodiscard]] bool nativeNotifications() const;
    [[nodiscard]] const DisplayNames &names() const { return m_names; }
    /** @brief Uses this notifier (tests: one on a private bus); the default watches the session
     *  bus. */
    void setNotifier(std::unique_ptr<DesktopNotifier> notifier);

Q_SIGNALS:
    void statusChanged();
    void errorMessageChanged();
    void userChanged();
    void onlineCountChanged();
    void unreadCountChanged();
    void badgeCountChanged();
    /** @brief The first hello of a sign-in, and each reconnect's resume, completed. */
    void ready();
    /** @brief A resume after a reconnect finished; rooms and notifications are caught up. */
    void resumed();
    /** @brief Show this conversation in a window. */
    void roomOpenRequested(ChatRoom *room);
    /** @brief A notification popped up and the settings ask for a sound. */
    void soundRequested(const QString &priority);
    /** @brief The person clicked a native notification: show it in the notification centre. */
    void notificationActivated(qint64 id);
    void nativeNotificationsChanged();
    void sendReadReceiptsChanged();
    /** @brief Signing out asked the server to revoke the token; revoked: it answered 200 (false
     *  also when the server could not be reached, which does not hold up signing out). */
    void signedOutOnServer(bool revoked);

private:
    void start(const QString &server, const QString &token, const QString &user, bool interactive);
    void setStatus(Status status);
    void setError(const QString &message);
    void updateStatus();
    void onFrame(const herald::proto::Frame &frame);
    void onHello(const herald::proto::Frame &frame);
    void onAuthRejected(int code, const QString &reason);
    /** @brief POST /api/v1/logout with the token, best effort, in the background. */
    void revokeOnServer(const QString &server, const QString &token);
    void resume(const QJsonObject &since);
    void afterCatchUp();
    void refreshRooms();
    ChatRoom *ensureRoom(const QJsonObject &info);
    void dropRoom(const QString &name);
    void resetData();
    /** @brief A new notification pops up: natively, as a toast, or not at all (do not disturb). */
    void present(const Notification &notification);
    void updatePeerStatus();
    /** @brief Tells the server online or away (by hand, or idle and since how long); greeted:
     *  inside the hello, before the connection counts as connected. */
    void sendPresence(bool greeted = false);
    void applySendReadReceipts(bool send);
    /** @brief A chat message alerts: natively or as a toast, with the sound. */
    void presentMessage(const Notification &toast);
    void updateBadge();
    /** @brief Routes alerts, toasts' Reply and Open, and native bubbles of chat messages. */
    void wireMessageAlerts();
    void wireBubbleReplies(); // sessionalerts.cpp: Reply in the desktop's bubbles

    Connection m_connection;
    Settings m_settings;
    CredentialStore m_credentials;
    NotificationModel m_notifications;
    ToastModel m_toasts;
    ReceiptSender m_receipts;
    RoomListModel m_rooms;
    UserListModel m_people;
    DisplayNames m_names;
    Language m_language;
    IdleMonitor m_idle;
    MessageAlerts m_alerts;
    std::unique_ptr<DesktopNotifier> m_notifier;
    QNetworkAccessManager m_network;
    AttachmentCache m_attachments{&m_connection};
    QHash<QString, ChatRoom *> m_roomObjects;
    Status m_status = SignedOut;
    QString m_error;
    QString m_server;
    QString m_token;
    QString m_userName;
    QString m_userDisplay;
    int m_onlineCount = 0;
    int m_badgeCount = 0;
    bool m_hadHello = false; // a hello arrived since sign-in: the next one is a reconnect
    bool m_credentialSaved = false;
    bool m_remember = true;
    bool m_awayByHand = false;
    bool m_sendReceipts = true; // the server's choice (hello, receipts.sync) or one being sent
    bool m_interactive = false; // the person is watching the form: report failures there
};
