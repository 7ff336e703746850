// What the toast windows show: the policy (how many at once, for how long, what do not disturb
// lets through) lives here so the QML only draws rows.
#pragma once

#include "notification.h"

#include <QAbstractListModel>
#include <QHash>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

#include <memory>

class DisplayNames;

/** @brief The toasts on screen, oldest first, plus a queue of those waiting for room. */
class ToastModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    /** @brief How many toasts wait behind the visible ones ("+N more"). */
    Q_PROPERTY(int overflowCount READ overflowCount NOTIFY overflowCountChanged)
    /** @brief Only urgent toasts show while set; the badge keeps counting. */
    Q_PROPERTY(bool doNotDisturb READ doNotDisturb WRITE setDoNotDisturb NOTIFY doNotDisturbChanged)
    /** @brief How many toasts may be on screen at once. */
    Q_PROPERTY(int maxVisible READ maxVisible WRITE setMaxVisible NOTIFY maxVisibleChanged)
    /** @brief How many toasts do not disturb has held back since it was switched on. */
    Q_PROPERTY(int suppressedCount READ suppressedCount NOTIFY suppressedCountChanged)
    /** @brief Rows on screen. */
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Roles {
        NotificationIdRole = Qt::UserRole + 1,
        TitleRole,
        BodyRole,
        SourceRole,
        OriginRole, ///< "ERP · Purchasing"
        CreatedAtRole,
        PriorityRole,
        ActionsRole, ///< list of {id, label}
        LinkRole,
        StateRole,    ///< "", "pending", "done", "failed"
        ResultRole,   ///< what the action came to, in words
        TimeoutRole,  ///< auto-dismiss after this many ms (0: stays until handled)
        MoreRole,     ///< how many earlier notifications of its thread this toast stands for
        MoreTextRole, ///< "5 more from monitor" (empty when none)
        ReminderRole, ///< shown again by a step of its escalation ("Reminder")
        ChatRoomRole, ///< a chat message's toast: its conversation (Reply, Open); else empty
    };
    Q_ENUM(Roles)

    explicit ToastModel(QObject *parent = nullptr);
    ~ToastModel() override;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    /** @brief Asks for a toast; do not disturb, the on-screen limit and dedup decide what happens.
     *  One of a thread whose toast is up (or waiting) takes that toast over, counting the ones
     *  before it ("5 more from monitor"), instead of stacking another. */
    void show(const Notification &notification);
    /** @brief Tests and the QML test build toasts from plain maps (reminderStep: a reminder). */
    Q_INVOKABLE void showFromMap(const QVariantMap &notification);
    /** @brief A notification changed elsewhere (read, resolved, or its content by its service):
     *  its toast goes, shows why, or shows the new content in place. */
    void update(const Notification &notification);
    /** @brief Its service withdrew it: the toast (on screen or waiting) goes. */
    void retract(qint64 id);
    /** @brief No longer needed (its conversation was read): the toast goes, on screen or
     *  waiting, unless it is showing what the person did there ("Reply sent"). */
    void withdraw(qint64 id);
    /** @brief The answer to an action started from a toast. */
    void finishAction(qint64 id, bool ok, const QString &text);
    void clear();
    /** @brief Who "you" are and everyone's display name, for the outcome line. */
    void setNames(const DisplayNames *names) { m_names = names; }

    Q_INVOKABLE void dismiss(qint64 id);
    /** @brief The person clicked an action button. */
    Q_INVOKABLE void trigger(qint64 id, const QString &action);
    /** @brief The person clicked "Open". */
    Q_INVOKABLE void openLink(qint64 id);
    /** @brief The person answered a chat message's toast: the answer goes to its conversation,
     *  and the toast says so briefly. */
    Q_INVOKABLE void reply(qint64 id, const QString &text);
    /** @brief The person clicked "Open" on a chat message's toast. */
    Q_INVOKABLE void openRoom(qint64 id);
    /** @brief The pointer is over the toast: hold its timer. */
    Q_INVOKABLE void hold(qint64 id, bool held);

    /** @brief Auto-dismiss delay for a priority in ms; 0 means the toast stays. */
    [[nodiscard]] int timeoutFor(const QString &priority) const;
    void setTimeoutFor(const QString &priority, int ms) { m_timeouts.insert(priority, ms); }

    [[nodiscard]] int overflowCount() const { return int(m_queue.size()); }
    [[nodiscard]] bool doNotDisturb() const { return m_dnd; }
    void setDoNotDisturb(bool dnd);
    [[nodiscard]] int maxVisible() const { return m_maxVisible; }
    void setMaxVisible(int max);
    [[nodiscard]] int suppressedCount() const { return m_suppressed; }
    [[nodiscard]] bool isShown(qint64 id) const { return indexOf(id) >= 0; }

Q_SIGNALS:
    void overflowCountChanged();
    void doNotDisturbChanged();
    void maxVisibleChanged();
    void suppressedCountChanged();
    void countChanged();
    /** @brief A toast went on screen (for the sound, and for tests). */
    void toastShown(qint64 id, const QString &priority);
    /** @brief The person asked for an action on a notification. */
    void actionRequested(qint64 id, const QString &action);
    /** @brief The person asked to open a notification's link. */
    void linkRequested(qint64 id);
    /** @brief An answer typed into a chat message's toast, for @p room. */
    void replyRequested(const QString &room, const QString &text);
    /** @brief Show this conversation (a chat message's toast was opened). */
    void roomRequested(const QString &room);

private:
    // A timer may be destroyed from its own timeout (dismiss), so it goes through deleteLater().
    struct LaterDeleter
    {
        void operator()(QTimer *timer) const
        {
            timer->stop();
            timer->deleteLater();
        }
    };
    struct Toast
    {
        Notification notification;
        QString state;
        QString result;
        std::unique_ptr<QTimer, LaterDeleter> timer;
        int more = 0; // earlier notifications of its thread it took over
    };
    /** @brief A waiting toast and how many of its thread it stands for. */
    struct Queued
    {
        Notification notification;
        int more = 0;
    };

    [[nodiscard]] int indexOf(qint64 id) const;
    void promote();
    void append(const Notification &notification, int more = 0);
    /** @brief A notification of a thread whose toast is up or waiting joins that toast. */
    bool joinThread(const Notification &notification);
    void remove(int row);
    void startTimer(Toast &toast, int ms);
    void rowChanged(int row);

    std::vector<Toast> m_rows;
    QList<Queued> m_queue; // urgent first, then arrival order
    QHash<QString, int> m_timeouts;
    const DisplayNames *m_names = nullptr;
    int m_maxVisible = 3;
    int m_suppressed = 0;
    bool m_dnd = false;
};
