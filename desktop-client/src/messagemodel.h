// One conversation's messages in sequence order, with the person's own unconfirmed messages
// (local echoes) after them until the server gives them a sequence. Edits, deletions and
// reactions (msg.edited, msg.deleted, msg.reaction, or a message's state in history) change
// the row of the message they concern. Read receipts (setReaders) mark, for each other member,
// the newest of the person's own messages they have read: "Seen by Bob" under it.
#pragma once

#include "fileattachment.h"

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
        EditedRole,     ///< edited after it was sent
        DeletedRole,    ///< deleted: no text, shown as "message deleted"
        ReactionsRole,  ///< [{emoji, count, mine, people}] (people: names, comma-separated)
        MentionsMeRole, ///< names the signed-in person, or @room
        SeenByRole,     ///< own message: display names of those for whom it is the newest of
                        ///< the person's messages they have read (read receipts)
        SeenTextRole,   ///< the same as a line: "Seen by Bob, Carol and 3 others", or empty
        FileIdRole,     ///< the attached file's content id (empty: no file)
        FileNameRole,   ///< its name
        FileSizeRole,   ///< its size in bytes (qint64)
        FileTypeRole,   ///< its media type
        IsImageRole,    ///< the file is an image this machine can show: a preview
    };
    Q_ENUM(Roles)

    enum class State { Pending, Sent, Failed };

    /** @brief The people who reacted to a message with one emoji, in the order they did. */
    struct Reaction
    {
        QString emoji;
        QStringList people;
        bool operator==(const Reaction &) const = default;
    };

    struct Message
    {
        qint64 seq = 0; // 0 while pending
        QString from;
        QString text;
        QDateTime ts;
        QString clientId;
        State state = State::Sent;
        QDateTime editedAt{}; // invalid: never edited
        bool deleted = false;
        QList<Reaction> reactions{};
        QStringList mentions{};    // login names the server recorded as mentioned
        bool mentionsRoom = false; // an @room the server honoured
        FileAttachment file{};     // empty: a text message

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
    /** @brief Adds a server message in seq order; a duplicate seq is dropped (returns false),
     *  after taking its state (edited, deleted, reactions: a resume or history tells it now). */
    bool insertMessage(const Message &message);
    /** @brief msg.edited: the message's new text; false when it is not held (or deleted). */
    bool applyEdit(qint64 seq, const QString &text, const QDateTime &at);
    /** @brief msg.deleted: no text, no reactions; false when it is not held. */
    bool applyDelete(qint64 seq);
    /** @brief msg.reaction: @p person added (on) or took back their @p emoji; doing it twice
     *  changes nothing. False when the message is not held or nothing changed. */
    bool applyReaction(qint64 seq, const QString &emoji, const QString &person, bool on);
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
    /** @brief The row of the held (confirmed) message with this sequence number, or -1. */
    Q_INVOKABLE int rowOf(qint64 seq) const;

    void setSelf(const QString &name) { m_self = name; }
    void setDisplayNames(std::function<QString(const QString &)> lookup)
    {
        m_displayName = std::move(lookup);
    }
    /** @brief Display names became known (the people list came): the headers say them. */
    void refreshNames();
    /** @brief The other members' read positions (login name -> seq): each is shown under the
     *  newest of the person's own messages at or before it. */
    void setReaders(const QHash<QString, qint64> &positions);
    /** @brief "Seen by Bob", "Seen by Bob and Carol", "Seen by Bob, Carol and 3 others"; empty
     *  for nobody. */
    [[nodiscard]] static QString seenText(const QStringList &names);

private:
    [[nodiscard]] int pendingRow(const QString &clientId) const;
    [[nodiscard]] bool startsRun(int row) const;
    void touchNext(int row);
    void setPendingState(const QString &clientId, State state);
    void changed(int row, const QList<int> &roles);
    /** @brief Puts each reader under the newest own message they have read (m_seenBy); tells
     *  the rows whose readers changed. */
    void placeReaders();
    [[nodiscard]] QStringList seenBy(qint64 seq) const;

    QList<Message> m_rows; // [0, m_confirmed) ascending by seq, then pending
    int m_confirmed = 0;
    QString m_self;
    std::function<QString(const QString &)> m_displayName;
    QHash<QString, qint64> m_readers;    // other members' read positions
    QHash<qint64, QStringList> m_seenBy; // own message seq -> who read up to it, not further
};
