#include "userlistmodel.h"

#include <QDateTime>
#include <QJsonObject>

#include <utility>

using namespace Qt::StringLiterals;

UserListModel::UserListModel(QObject *parent)
    : QAbstractListModel(parent)
{
    connect(this, &QAbstractItemModel::rowsInserted, this, &UserListModel::onlineCountChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &UserListModel::onlineCountChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &UserListModel::onlineCountChanged);
}

int UserListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_users.size());
}

QVariant UserListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const User &u = m_users.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case DisplayNameRole:
        return u.display;
    case NameRole:
        return u.name;
    case StatusRole:
        return u.status;
    case SelfRole:
        return u.name == m_self;
    case SinceRole:
        return u.status == u"away"_s && u.since > 0
                   ? QVariant(QDateTime::fromMSecsSinceEpoch(u.since))
                   : QVariant();
    case ReadRole:
        return m_readTexts.value(u.name);
    default:
        return {};
    }
}

QHash<int, QByteArray> UserListModel::roleNames() const
{
    return {{NameRole, "name"},     {DisplayNameRole, "displayName"},
            {StatusRole, "status"}, {SelfRole, "isSelf"},
            {SinceRole, "since"},   {ReadRole, "readText"}};
}

int UserListModel::insertPosition(const User &user) const
{
    const auto key = [](const User &u) { return u.display.toCaseFolded(); };
    const auto it = std::lower_bound(m_users.cbegin(), m_users.cend(), user,
                                     [&](const User &a, const User &b) { return key(a) < key(b); });
    return int(it - m_users.cbegin());
}

void UserListModel::setUsers(const QJsonArray &users)
{
    beginResetModel();
    m_users.clear();
    for (const QJsonValue &v : users) {
        const QJsonObject o = v.toObject();
        User u{o.value("name"_L1).toString(), o.value("display"_L1).toString(),
               o.value("status"_L1).toString(u"offline"_s), qint64(o.value("since"_L1).toDouble())};
        if (u.name.isEmpty())
            continue;
        if (u.display.isEmpty())
            u.display = u.name;
        m_users.insert(insertPosition(u), u);
    }
    endResetModel();
}

void UserListModel::addUser(const User &user)
{
    if (user.name.isEmpty() || indexOf(user.name) >= 0)
        return;
    User u = user;
    if (u.display.isEmpty())
        u.display = u.name;
    if (u.status.isEmpty())
        u.status = u"offline"_s;
    const int row = insertPosition(u);
    beginInsertRows({}, row, row);
    m_users.insert(row, u);
    endInsertRows();
}

void UserListModel::removeUser(const QString &name)
{
    const int row = indexOf(name);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_users.removeAt(row);
    endRemoveRows();
}

bool UserListModel::setStatus(const QString &name, const QString &status, qint64 since)
{
    const int row = indexOf(name);
    if (row < 0)
        return false;
    User &u = m_users[row];
    const bool statusMoved = u.status != status;
    if (statusMoved || u.since != since) {
        u.status = status;
        u.since = since;
        const QModelIndex i = index(row);
        Q_EMIT dataChanged(i, i, {StatusRole, SinceRole});
        if (statusMoved)
            Q_EMIT onlineCountChanged();
    }
    return true;
}

bool UserListModel::setStatus(const QJsonObject &entry)
{
    const QString name = entry.value("user"_L1).toString(entry.value("name"_L1).toString());
    return setStatus(name, entry.value("status"_L1).toString(),
                     qint64(entry.value("since"_L1).toDouble()));
}

void UserListModel::clear()
{
    beginResetModel();
    m_users.clear();
    endResetModel();
}

int UserListModel::onlineCount() const
{
    return int(std::count_if(m_users.cbegin(), m_users.cend(),
                             [](const User &u) { return u.status != u"offline"_s; }));
}

int UserListModel::indexOf(const QString &name) const
{
    for (int i = 0; i < m_users.size(); ++i)
        if (m_users.at(i).name == name)
            return i;
    return -1;
}

QString UserListModel::displayName(const QString &name) const
{
    const int row = indexOf(name);
    return row < 0 ? name : m_users.at(row).display;
}

QString UserListModel::status(const QString &name) const
{
    const int row = indexOf(name);
    return row < 0 ? u"offline"_s : m_users.at(row).status;
}

void UserListModel::setReadTexts(const QHash<QString, QString> &texts)
{
    const QHash<QString, QString> before = std::exchange(m_readTexts, texts);
    for (int row = 0; row < m_users.size(); ++row) {
        const QString &name = m_users.at(row).name;
        if (before.value(name) != texts.value(name)) {
            const QModelIndex i = index(row);
            Q_EMIT dataChanged(i, i, {ReadRole});
        }
    }
}
