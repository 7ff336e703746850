// The notification centre's "Unread" tab: the same rows, read ones filtered out.
#pragma once

#include <QSortFilterProxyModel>
#include <QtQml/qqmlregistration.h>

/** @brief Filters a NotificationModel down to unread rows when unreadOnly is set. */
class NotificationFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    QML_ELEMENT
    /** @brief Show only unread notifications. */
    Q_PROPERTY(bool unreadOnly READ unreadOnly WRITE setUnreadOnly NOTIFY unreadOnlyChanged)

public:
    explicit NotificationFilterModel(QObject *parent = nullptr);

    [[nodiscard]] bool unreadOnly() const { return m_unreadOnly; }
    void setUnreadOnly(bool unreadOnly);

Q_SIGNALS:
    void unreadOnlyChanged();

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow,
                                        const QModelIndex &sourceParent) const override;

private:
    bool m_unreadOnly = false;
};
