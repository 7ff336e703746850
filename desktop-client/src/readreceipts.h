// Read receipts of one conversation: how far each other member has read.
#pragma once

#include <QHash>
#include <QJsonArray>
#include <QObject>
#include <QtQml/qqmlregistration.h>

/**
 * @brief How far the other members of one room or direct message have read (their read
 * positions, as the server hands them out): from room.members (readSeq), then room.receipt as
 * they read on. A position never moves backwards; members who do not send receipts have none.
 */
class ReadReceipts : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by a ChatRoom")
    /** @brief How many members have a known position. */
    Q_PROPERTY(int count READ count NOTIFY changed)

public:
    explicit ReadReceipts(QObject *parent = nullptr);

    /** @brief The signed-in person: their own position is not a receipt. */
    void setSelf(const QString &self) { m_self = self; }
    /** @brief room.members: [{name, readSeq?}]. Replaces what is known; a member without
     *  readSeq has turned receipts off and is forgotten. */
    void setMembers(const QJsonArray &members);
    /** @brief room.receipt: @p user has read up to @p seq. False when nothing moved. */
    bool apply(const QString &user, qint64 seq);
    /** @brief A member left. */
    void remove(const QString &user);
    void clear();

    /** @brief The member's read position, or -1 when unknown. */
    Q_INVOKABLE qint64 position(const QString &user) const { return m_positions.value(user, -1); }
    [[nodiscard]] const QHash<QString, qint64> &positions() const { return m_positions; }
    [[nodiscard]] int count() const { return int(m_positions.size()); }

Q_SIGNALS:
    void changed();

private:
    QHash<QString, qint64> m_positions;
    QString m_self;
};
