// The person's notifications, newest first: the hello's unread ones, live ones, and the
// backlog paged in from the server as the view scrolls.
#pragma once

#include "notification.h"

#include <herald/protocol.h>

#include <QAbstractListModel>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

class Connection;
class DisplayNames;

/** @brief Notifications newest first, kept in step with the server and the person's other devices.
 */
class NotificationModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by Session")
    /** @brief The server's count of unread notifications. */
    Q_PROPERTY(int unreadCount READ unreadCount NOTIFY unreadCountChanged)
    /** @brief A backlog page is being fetched. */
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    /** @brief The server has older notifications than the model holds. */
    Q_PROPERTY(bool hasMore READ hasMore NOTIFY loadingChanged)

public:
    enum Roles {
        IdRole = Qt::UserRole + 1, ///< server id (int)
        TitleRole,
        BodyRole,
        PriorityRole, ///< low, normal, high, urgent
        CategoryRole,
        LinkRole,
        SourceRole,    ///< publishing service (its name)
        OriginRole,    ///< "ERP · Purchasing": service display name and category
        ActionsRole,   ///< list of {id, label}
        CreatedAtRole, ///< QDateTime
        ReadRole,
        ResolvedRole,   ///< bool: someone acted on it
        ResolutionRole, ///< "Approved by you", "Rejected by Bob Builder"
        PendingActionRole,
        ActionErrorRole,
        ExpiredRole,
        ThreadKeyRole, ///< the publisher's thread key (empty: none)
        ThreadRole,    ///< which entry it is shown in: Notification::threadId()
    };
    Q_ENUM(Roles)

    explicit NotificationModel(QObject *parent = nullptr);

    void setConnection(Connection *connection);
    /** @brief Who "you" are and everyone's display name, for the resolution text. */
    void setNames(const DisplayNames *names) { m_names = names; }
    /** @brief The language changed: texts the model makes are made again. */
    void retranslate();

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;
    [[nodiscard]] bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    /** @brief Seeds from the hello: its unread list and counts (no toasts for these). */
    void handleHello(const QJsonObject &hello, bool reconnect);
    /** @brief notification, notif.unread, notif.readSync, notif.resolved, notif.updated,
     *  notif.retracted. */
    void handleFrame(const herald::proto::Frame &frame);
    /** @brief Pages older notifications in (the view reached the end). */
    Q_INVOKABLE void loadMore() { fetchMore({}); }
    /** @brief Re-reads the newest page to pick up read and resolved state. */
    Q_INVOKABLE void refresh();
    void clear();
    void setUnreadCount(int count);

    Q_INVOKABLE void markRead(qint64 id);
    Q_INVOKABLE void markAllRead();
    /** @brief Marks every notification of one thread read (notif.readThread): at once here,
     *  then as the server says. */
    Q_INVOKABLE void markThreadRead(const QString &service, const QString &threadKey);
    /** @brief Sends an action (approve, reject, ...); the row shows it pending, then the outcome.
     */
    Q_INVOKABLE void act(qint64 id, const QString &action);
    /** @brief Opens the notification's link in the browser and marks it read. */
    Q_INVOKABLE void openLink(qint64 id);
    /** @brief The notification centre has it on screen in the active window: emits shown()
     *  (once per id and sign-in is ReceiptSender's to ensure). */
    Q_INVOKABLE void noteShown(qint64 id) { Q_EMIT shown(id); }

    [[nodiscard]] int unreadCount() const { return m_unread; }
    [[nodiscard]] bool loading() const { return m_loading; }
    [[nodiscard]] bool hasMore() const { return m_hasMore; }
    /** @brief The newest id seen: what resume asks "since". */
    [[nodiscard]] qint64 lastId() const { return m_lastId; }
    /** @brief The highest change number seen (hello.notifChanges, then every changeSeq): what
     *  resume asks for as notifChanges. */
    [[nodiscard]] qint64 lastChange() const { return m_lastChange; }
    /** @brief The server numbers changes (its hello said so): resume may ask for them. */
    [[nodiscard]] bool changesKnown() const { return m_changesKnown; }
    /** @brief A resume's answer moved the change cursor. */
    void setLastChange(qint64 changeSeq);
    [[nodiscard]] const Notification *find(qint64 id) const;
    [[nodiscard]] int indexOf(qint64 id) const;

Q_SIGNALS:
    void unreadCountChanged();
    void loadingChanged();
    /** @brief A notification arrived live or through resume: a toast candidate. */
    void arrived(const Notification &notification);
    /** @brief A row's read, resolved or action state changed. */
    void updated(const Notification &notification);
    /** @brief Its service changed it (notif.updated): what is on screen shows the new state. */
    void replaced(const Notification &notification);
    /** @brief Its service withdrew it (notif.retracted): the row is gone, so must its toast be. */
    void retracted(qint64 id);
    /** @brief A step of its escalation reminds the person (notif.reminder): a toast again,
     *  marked as a reminder (reminderStep set), with the state this client holds. */
    void reminded(const Notification &notification);
    /** @brief An action the person sent got its answer. */
    void actionFinished(qint64 id, bool ok, const QString &text);
    /** @brief The notification centre showed it on screen (noteShown): a `seen` receipt. */
    void shown(qint64 id);

private:
    /** @brief Inserts or updates by id; returns true when the row is new. */
    bool merge(const Notification &notification);
    /** @brief A notification new to this client (live, resumed, or racing a page): row + toast. */
    void arrive(const Notification &notification);
    void changed(int row);
    void markLocallyRead(const QList<qint64> &ids);
    void noteChange(qint64 changeSeq);
    void requestPage(qint64 before);

    QList<Notification> m_rows; // descending id
    QPointer<Connection> m_connection;
    const DisplayNames *m_names = nullptr;
    qint64 m_lastId = 0;
    qint64 m_lastChange = 0;
    bool m_changesKnown = false;
    qint64 m_oldestListed = 0; // smallest id a notif.list page returned (0: none yet)
    int m_unread = 0;
    bool m_loading = false;
    bool m_hasMore = false;
};
