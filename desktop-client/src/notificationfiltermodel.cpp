#include "notificationfiltermodel.h"
#include "notificationmodel.h"

NotificationFilterModel::NotificationFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    // Rows flip between read and unread after the fact: re-filter on data changes.
    setDynamicSortFilter(true);
    setFilterRole(NotificationModel::ReadRole);
}

void NotificationFilterModel::setUnreadOnly(bool unreadOnly)
{
    if (m_unreadOnly == unreadOnly)
        return;
    m_unreadOnly = unreadOnly;
    invalidateFilter();
    Q_EMIT unreadOnlyChanged();
}

bool NotificationFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_unreadOnly)
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    return !index.data(NotificationModel::ReadRole).toBool();
}
