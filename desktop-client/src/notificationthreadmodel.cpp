#include "notificationthreadmodel.h"
#include "notificationmodel.h"

#include <QSet>

NotificationThreadModel::NotificationThreadModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

void NotificationThreadModel::setSourceModel(QAbstractItemModel *source)
{
    if (m_source == source)
        return;
    if (m_source)
        disconnect(m_source, nullptr, this, nullptr);
    beginResetModel();
    m_source = source;
    m_entries = group();
    endResetModel();
    if (m_source) {
        // Whatever the source did, the entries are worked out again and the difference applied.
        connect(m_source, &QAbstractItemModel::rowsInserted, this, &NotificationThreadModel::sync);
        connect(m_source, &QAbstractItemModel::rowsRemoved, this, &NotificationThreadModel::sync);
        connect(m_source, &QAbstractItemModel::rowsMoved, this, &NotificationThreadModel::sync);
        connect(m_source, &QAbstractItemModel::dataChanged, this, &NotificationThreadModel::sync);
        connect(m_source, &QAbstractItemModel::layoutChanged, this, &NotificationThreadModel::sync);
        connect(m_source, &QAbstractItemModel::modelReset, this, &NotificationThreadModel::sync);
    }
    Q_EMIT sourceModelChanged();
}

int NotificationThreadModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QVariant NotificationThreadModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
        !m_source)
        return {};
    const Entry &e = m_entries.at(index.row());
    if (role == ThreadCountRole)
        return int(e.rows.size());
    if (role == ThreadUnreadRole)
        return e.unread;
    return m_source->index(e.rows.first(), 0).data(role);
}

QHash<int, QByteArray> NotificationThreadModel::roleNames() const
{
    QHash<int, QByteArray> names =
        m_source ? m_source->roleNames() : NotificationModel().roleNames();
    names.insert(ThreadCountRole, "threadCount");
    names.insert(ThreadUnreadRole, "threadUnread");
    return names;
}

QList<NotificationThreadModel::Entry> NotificationThreadModel::group() const
{
    QList<Entry> out;
    if (!m_source)
        return out;
    QHash<QString, qsizetype> at;
    const int rows = m_source->rowCount();
    for (int row = 0; row < rows; ++row) {
        const QModelIndex i = m_source->index(row, 0);
        const QString thread = i.data(NotificationModel::ThreadRole).toString();
        const auto found = at.constFind(thread);
        Entry *e = nullptr;
        if (found == at.cend()) {
            at.insert(thread, out.size());
            out.append(Entry{thread, {}, 0});
            e = &out.last();
        } else {
            e = &out[*found];
        }
        e->rows.append(row);
        if (!i.data(NotificationModel::ReadRole).toBool())
            ++e->unread;
    }
    return out;
}

void NotificationThreadModel::sync()
{
    const QList<Entry> now = group();
    QSet<QString> kept;
    for (const Entry &e : now)
        kept.insert(e.thread);
    // Entries whose thread is gone, from the bottom up.
    for (int row = int(m_entries.size()) - 1; row >= 0; --row) {
        if (kept.contains(m_entries.at(row).thread))
            continue;
        beginRemoveRows({}, row, row);
        m_entries.removeAt(row);
        endRemoveRows();
    }
    // Then each place from the top: the entry that belongs there moves up, or is new.
    for (int row = 0; row < int(now.size()); ++row) {
        const QString &thread = now.at(row).thread;
        int from = -1;
        for (int j = row; j < int(m_entries.size()); ++j)
            if (m_entries.at(j).thread == thread) {
                from = j;
                break;
            }
        if (from < 0) {
            beginInsertRows({}, row, row);
            m_entries.insert(row, now.at(row));
            endInsertRows();
        } else if (from != row) {
            beginMoveRows({}, from, from, {}, row);
            m_entries.move(from, row);
            endMoveRows();
        }
    }
    // Every entry's rows shifted with the source: all of them read again.
    m_entries = now;
    if (!m_entries.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_entries.size()) - 1));
}
