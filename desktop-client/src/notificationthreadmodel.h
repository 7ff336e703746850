// The notification centre's entries: one per thread (a service's threadKey), newest first.
#pragma once

#include <QAbstractListModel>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

/**
 * @brief Groups the rows of a notification model (NotificationModel, or a filter of it) by
 * thread: the notifications of one service with the same threadKey become one entry that shows
 * the newest of them, with how many there are and how many are unread. A notification without
 * a threadKey is an entry of its own, as before threads.
 *
 * Every role of the source is the newest notification's, so reading and acting stay per
 * notification; the entry's own roles are threadCount and threadUnread. The entries follow the
 * source with inserts, removals and moves (a thread with a new notification moves to the top),
 * so a view keeps its place and focus.
 */
class NotificationThreadModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    /** @brief The notifications to group, newest first (roles of NotificationModel). */
    Q_PROPERTY(QAbstractItemModel *sourceModel READ sourceModel WRITE setSourceModel NOTIFY
                   sourceModelChanged)

public:
    enum Roles {
        ThreadCountRole = Qt::UserRole + 100, ///< notifications in the entry
        ThreadUnreadRole,                     ///< unread ones among them
    };
    Q_ENUM(Roles)

    explicit NotificationThreadModel(QObject *parent = nullptr);

    [[nodiscard]] QAbstractItemModel *sourceModel() const { return m_source; }
    void setSourceModel(QAbstractItemModel *source);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void sourceModelChanged();

private:
    struct Entry
    {
        QString thread;  // NotificationModel::ThreadRole
        QList<int> rows; // source rows, newest first
        int unread = 0;
    };
    /** @brief The entries as the source holds them now. */
    [[nodiscard]] QList<Entry> group() const;
    /** @brief Brings the entries in step with the source: removals, inserts, moves, changes. */
    void sync();

    QPointer<QAbstractItemModel> m_source;
    QList<Entry> m_entries;
};
