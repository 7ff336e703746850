// "@na" in the composer: the room's members whose login or display name starts that way (and
// @room where it may be used), for the completion popup, and the text once one is picked.
#pragma once

#include <QAbstractListModel>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

class UserListModel;

/** @brief The completions of the @name being typed at the composer's cursor. */
class MentionCompleter : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    /** @brief Whom to offer: the conversation's members. */
    Q_PROPERTY(UserListModel *members READ members WRITE setMembers NOTIFY membersChanged)
    /** @brief Offer "@room" too (rooms; not direct messages). */
    Q_PROPERTY(bool allowRoom READ allowRoom WRITE setAllowRoom NOTIFY allowRoomChanged)
    /** @brief What follows the "@" before the cursor; empty when no mention is being typed. */
    Q_PROPERTY(QString query READ query NOTIFY queryChanged)
    /** @brief A mention is being typed and something matches: show the popup. */
    Q_PROPERTY(bool active READ active NOTIFY activeChanged)
    /** @brief The highlighted row (arrow keys move it; Enter or Tab takes it). */
    Q_PROPERTY(int currentIndex READ currentIndex WRITE setCurrentIndex NOTIFY currentIndexChanged)
    Q_PROPERTY(int count READ rowCount NOTIFY activeChanged)

public:
    enum Roles {
        NameRole = Qt::UserRole + 1, ///< login name ("room" for @room)
        DisplayNameRole,             ///< what to show: the display name, or "Everyone in the room"
        IsRoomRole,                  ///< the @room row
    };
    Q_ENUM(Roles)

    /** @brief At most this many rows. */
    static constexpr int MaxRows = 8;

    explicit MentionCompleter(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    /** @brief The composer's text or cursor changed. */
    Q_INVOKABLE void update(const QString &text, int cursorPosition);
    /** @brief The text with the @partial at the cursor replaced by row's "@name ". */
    Q_INVOKABLE QString completedText(int row) const;
    /** @brief Where the cursor goes in completedText(row): after the inserted space. */
    Q_INVOKABLE int completedCursor(int row) const;
    /** @brief Escape: no popup until the next "@". */
    Q_INVOKABLE void dismiss();
    /** @brief Moves the highlight by @p delta rows, wrapping around. */
    Q_INVOKABLE void move(int delta);

    [[nodiscard]] UserListModel *members() const { return m_members; }
    void setMembers(UserListModel *members);
    [[nodiscard]] bool allowRoom() const { return m_allowRoom; }
    void setAllowRoom(bool allow);
    [[nodiscard]] QString query() const { return m_query; }
    [[nodiscard]] bool active() const { return m_started >= 0 && !m_rows.isEmpty(); }
    [[nodiscard]] int currentIndex() const { return m_current; }
    void setCurrentIndex(int index);

Q_SIGNALS:
    void membersChanged();
    void allowRoomChanged();
    void queryChanged();
    void activeChanged();
    void currentIndexChanged();

private:
    struct Row
    {
        QString name;
        QString display;
        bool room = false;
    };
    void refilter();

    QPointer<UserListModel> m_members;
    QList<Row> m_rows;
    QString m_text;
    QString m_query;
    int m_cursor = 0;
    int m_started = -1; // where the "@" is, -1: no mention at the cursor
    int m_current = 0;
    bool m_allowRoom = false;
};
