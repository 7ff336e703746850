// The sidebar: rooms the person is in, direct messages, then public rooms they could join.
#pragma once

#include <QAbstractListModel>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

class ChatRoom;

/** @brief ChatRoom objects grouped by section and sorted by name, with their unread counts. */
class RoomListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by Session")
    /** @brief Unread messages over all joined rooms. */
    Q_PROPERTY(int totalUnread READ totalUnread NOTIFY totalUnreadChanged)

public:
    enum Roles {
        RoomRole = Qt::UserRole + 1, ///< the ChatRoom object
        NameRole,
        DisplayNameRole,
        KindRole, ///< public, private, dm
        PeerRole,
        UnreadRole,
        OnlineRole,  ///< members online
        MembersRole, ///< member count
        IsMemberRole,
        SectionRole,    ///< "Rooms", "Direct messages", "Other rooms" (translated)
        PeerStatusRole, ///< presence of the other person of a direct message
    };
    Q_ENUM(Roles)

    explicit RoomListModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    /** @brief Adds a room (it is not owned); keeps the row in step with the room's signals. */
    void addRoom(ChatRoom *room);
    void removeRoom(const QString &name);
    void clear();
    /** @brief The language changed: the section names are said again. */
    void retranslate();
    [[nodiscard]] ChatRoom *room(const QString &name) const;
    [[nodiscard]] QList<ChatRoom *> rooms() const;
    [[nodiscard]] int totalUnread() const;

Q_SIGNALS:
    void totalUnreadChanged();

private:
    [[nodiscard]] int indexOf(const ChatRoom *room) const;
    [[nodiscard]] bool lessThan(const ChatRoom *a, const ChatRoom *b) const;
    void roomChanged(ChatRoom *room);

    QList<QPointer<ChatRoom>> m_rooms;
};
