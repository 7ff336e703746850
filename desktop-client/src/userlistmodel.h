// People with presence: everyone on the server (the people list) or one room's members.
#pragma once

#include <QAbstractListModel>
#include <QJsonArray>
#include <QtQml/qqmlregistration.h>

/** @brief People sorted by display name, each with a presence status. */
class UserListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by Session or a ChatRoom")
    /** @brief How many listed people are online or away. */
    Q_PROPERTY(int onlineCount READ onlineCount NOTIFY onlineCountChanged)

public:
    enum Roles {
        NameRole = Qt::UserRole + 1, ///< login name
        DisplayNameRole,             ///< human name
        StatusRole,                  ///< online, away, offline
        SelfRole,                    ///< the signed-in person
        SinceRole,                   ///< away since when (a date), undefined unless away
        ReadRole, ///< in a room: how far they read ("Seen the latest", "Read up to 10:42"), or
                  ///< empty
    };
    Q_ENUM(Roles)

    struct User
    {
        QString name;
        QString display;
        QString status;
        qint64 since = 0; // away since, ms since the epoch
    };

    explicit UserListModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    /** @brief Replaces the list with [{name, display, status}] from the server. */
    void setUsers(const QJsonArray &users);
    void addUser(const User &user);
    void removeUser(const QString &name);
    /** @brief Returns true when the person is listed; since: away since (ms), 0 if unknown. */
    bool setStatus(const QString &name, const QString &status, qint64 since = 0);
    /** @brief The same from a presence or list entry {user|name, status, since?}. */
    bool setStatus(const QJsonObject &entry);
    void setSelf(const QString &name) { m_self = name; }
    /** @brief How far each member read, by login name (read receipts); others: empty. */
    void setReadTexts(const QHash<QString, QString> &texts);
    void clear();

    [[nodiscard]] int onlineCount() const;
    [[nodiscard]] int indexOf(const QString &name) const;
    [[nodiscard]] QString displayName(const QString &name) const;
    [[nodiscard]] QString status(const QString &name) const;

Q_SIGNALS:
    void onlineCountChanged();

private:
    [[nodiscard]] int insertPosition(const User &user) const;

    QList<User> m_users;
    QString m_self;
    QHash<QString, QString> m_readTexts;
};
