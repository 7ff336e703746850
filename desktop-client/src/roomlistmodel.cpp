#include "roomlistmodel.h"
#include "chatroom.h"

using namespace Qt::StringLiterals;

namespace {
int sectionRank(const ChatRoom *room)
{
    if (!room->isMember())
        return 2;
    return room->kind() == u"dm"_s ? 1 : 0;
}

QString sectionName(const ChatRoom *room)
{
    switch (sectionRank(room)) {
    case 0:
        return RoomListModel::tr("Rooms");
    case 1:
        return RoomListModel::tr("Direct messages");
    default:
        return RoomListModel::tr("Other rooms");
    }
}
} // namespace

RoomListModel::RoomListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int RoomListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rooms.size());
}

QVariant RoomListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ChatRoom *room = m_rooms.at(index.row());
    if (!room)
        return {};
    switch (role) {
    case RoomRole:
        return QVariant::fromValue(const_cast<ChatRoom *>(room));
    case NameRole:
        return room->name();
    case Qt::DisplayRole:
    case DisplayNameRole:
        return room->displayName();
    case KindRole:
        return room->kind();
    case PeerRole:
        return room->peer();
    case UnreadRole:
        return room->unreadCount();
    case OnlineRole:
        return room->onlineCount();
    case MembersRole:
        return room->memberCount();
    case IsMemberRole:
        return room->isMember();
    case SectionRole:
        return sectionName(room);
    case PeerStatusRole:
        return room->peerStatus();
    default:
        return {};
    }
}

QHash<int, QByteArray> RoomListModel::roleNames() const
{
    return {{RoomRole, "room"},
            {NameRole, "name"},
            {DisplayNameRole, "displayName"},
            {KindRole, "kind"},
            {PeerRole, "peer"},
            {UnreadRole, "unread"},
            {OnlineRole, "online"},
            {MembersRole, "members"},
            {IsMemberRole, "isMember"},
            {SectionRole, "section"},
            {PeerStatusRole, "peerStatus"}};
}

bool RoomListModel::lessThan(const ChatRoom *a, const ChatRoom *b) const
{
    const int ra = sectionRank(a);
    const int rb = sectionRank(b);
    if (ra != rb)
        return ra < rb;
    const int byName = a->displayName().compare(b->displayName(), Qt::CaseInsensitive);
    return byName != 0 ? byName < 0 : a->name() < b->name();
}

int RoomListModel::indexOf(const ChatRoom *room) const
{
    for (int i = 0; i < m_rooms.size(); ++i)
        if (m_rooms.at(i) == room)
            return i;
    return -1;
}

void RoomListModel::addRoom(ChatRoom *room)
{
    if (!room || indexOf(room) >= 0)
        return;
    int row = 0;
    while (row < m_rooms.size() && m_rooms.at(row) && lessThan(m_rooms.at(row), room))
        ++row;
    beginInsertRows({}, row, row);
    m_rooms.insert(row, room);
    endInsertRows();
    connect(room, &ChatRoom::infoChanged, this, [this, room] { roomChanged(room); });
    connect(room, &ChatRoom::peerStatusChanged, this, [this, room] { roomChanged(room); });
    connect(room, &ChatRoom::unreadCountChanged, this, [this, room] {
        roomChanged(room);
        Q_EMIT totalUnreadChanged();
    });
    connect(room, &QObject::destroyed, this, [this] {
        // The QPointer is already null here: drop whichever row lost its room.
        for (int i = 0; i < m_rooms.size(); ++i) {
            if (m_rooms.at(i).isNull()) {
                beginRemoveRows({}, i, i);
                m_rooms.removeAt(i);
                endRemoveRows();
                return;
            }
        }
    });
    Q_EMIT totalUnreadChanged();
}

void RoomListModel::roomChanged(ChatRoom *room)
{
    const int row = indexOf(room);
    if (row < 0)
        return;
    // A changed title or membership can move the row to keep the order.
    int target = 0;
    for (int i = 0; i < m_rooms.size(); ++i)
        if (i != row && m_rooms.at(i) && lessThan(m_rooms.at(i), room))
            ++target;
    if (target != row) {
        beginMoveRows({}, row, row, {}, target > row ? target + 1 : target);
        m_rooms.move(row, target);
        endMoveRows();
    }
    const QModelIndex i = index(target);
    Q_EMIT dataChanged(i, i);
}

void RoomListModel::removeRoom(const QString &name)
{
    for (int i = 0; i < m_rooms.size(); ++i) {
        if (m_rooms.at(i) && m_rooms.at(i)->name() == name) {
            m_rooms.at(i)->disconnect(this);
            beginRemoveRows({}, i, i);
            m_rooms.removeAt(i);
            endRemoveRows();
            Q_EMIT totalUnreadChanged();
            return;
        }
    }
}

void RoomListModel::clear()
{
    beginResetModel();
    for (const auto &room : std::as_const(m_rooms))
        if (room)
            room->disconnect(this);
    m_rooms.clear();
    endResetModel();
    Q_EMIT totalUnreadChanged();
}

void RoomListModel::retranslate()
{
    if (!m_rooms.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_rooms.size()) - 1), {SectionRole});
}

ChatRoom *RoomListModel::room(const QString &name) const
{
    for (const auto &room : m_rooms)
        if (room && room->name() == name)
            return room;
    return nullptr;
}

QList<ChatRoom *> RoomListModel::rooms() const
{
    QList<ChatRoom *> list;
    for (const auto &room : m_rooms)
        if (room)
            list.append(room);
    return list;
}

int RoomListModel::totalUnread() const
{
    int total = 0;
    for (const auto &room : m_rooms)
        if (room && room->isMember())
            total += room->unreadCount();
    return total;
}
