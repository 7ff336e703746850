// One conversation's messages in sequence order, with the person's own unconfirmed messages
// (local echoes) after them until the server gives them a sequence.
#pragma once

#include <QAbstractListModel>
#include <QDateTime>
#include <QJsonObject>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

#include <functional>

/** @brief Chat messages ascending by seq; pending local echoes at the end. */
class MessageModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by a ChatRoom")

public:
    enum Roles {
        SeqRole = Qt::UserRole + 1,
        AuthorRole,        ///< login name of the sender
        AuthorDisplayRole, ///< human name of the sender
        TextRole,
        TimeRole,       ///< QDateTime
        StateRole,      ///< "pending", "sent", "failed"
        OwnRole,        ///< sent by the signed-in person
        ShowHeaderRole, ///< first of a run by the same author: show name and time
        ClientIdRole,
        MentionsMeRole, ///< names the signed-in person, or @room
    };
    Q_ENUM(Roles)

    enum class State { Pending, Sent, Failed };

    struct Message
    {
        qint64 seq = 0; // 0 while pending
        QString from;
        QString text;
        QDateTime ts;
        QString clientId;
        State state = State::Sent;
        QStringList mentions{};    // login names the server recorded as mentioned
        bool mentionsRoom = false; // an @room the server honoured

        [[nodiscard]] bool mentionsUser(const QString &user) const
        {
            return mentionsRoom || (!user.isEmpty() && mentions.contains(user));
        }
    };

    explicit MessageModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] static Message fromJson(const QJsonObject &message);
    /** @brief Adds a server message in seq order; a duplicate seq is dropped (returns false). */
    bool insertMessage(const Message &message);
    void addPending(const Message &message);
    /** @brief The server stored a pending message under @p seq. */
    void markSent(const QString &clientId, qint64 seq, const QDateTime &ts);
    void markFailed(const QString &clientId);
    /** @brief A failed message is being sent again. */
    void markPending(const QString &clientId);
    /** @brief Pending messages, oldest first, to send again after a reconnect. */
    [[nodiscard]] QList<Message> pending() const;
    void clear();

    [[nodiscard]] qint64 firstSeq() const;
    [[nodiscard]] qint64 lastSeq() const;
    [[nodiscard]] int confirmedCount() const { return m_confirmed; }
    [[nodiscard]] const Message &at(int row) const { return m_rows.at(row); }
    [[nodiscard]] bool contains(qint64 seq) const;

    void setSelf(const QString &name) { m_self = name; }
    void setDisplayNames(std::function<QString(const QString &)> lookup)
    {
        m_displayName = std::move(lookup);
    }
    /** @brief Display names became known (the people list came): the headers say them. */
    void refreshNames();

private:
    [[nodiscard]] int pendingRow(const QString &clientId) const;
    [[nodiscard]] bool startsRun(int row) const;
    void touchNext(int row);
    void setPendingState(const QString &clientId, State state);

    QList<Message> m_rows; // [0, m_confirmed) ascending by seq, then pending
    int m_confirmed = 0;
    QString m_self;
    std::function<QString(const QString &)> m_displayName;
};
