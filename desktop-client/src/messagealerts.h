// Alerts for chat messages: which arriving message raises a toast (a direct message, a mention
// of me), the person's per-conversation choice (all / mentions / nothing, optionally until a
// time) kept in sync through the server (room.notify, room.notifySync, hello), and what each
// conversation adds to the tray badge.
#pragma once

#include "messagemodel.h"
#include "notification.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

#include <optional>

class ChatRoom;
class Connection;
class DisplayNames;

/** @brief Decides which chat messages alert, and keeps the per-conversation alert levels. */
class MessageAlerts : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by Session")
    /** @brief Bumped whenever a level changes (or a timed one runs out): bindings re-read. */
    Q_PROPERTY(int revision READ revision NOTIFY levelsChanged)

public:
    /** @brief What a conversation alerts for. */
    enum class Level { All, Mentions, None };
    /** @brief What an arriving message comes to, and why. */
    enum class Outcome {
        Toast,        ///< pops up (and plays the sound)
        Quiet,        ///< a room message without a mention under "mentions": counted only
        Muted,        ///< the conversation is set to "nothing"
        Own,          ///< sent by the person (from another device, say)
        Focused,      ///< the person is reading that conversation right now
        DoNotDisturb, ///< do not disturb is on
    };
    Q_ENUM(Outcome)

    /** @brief A stored choice: the level, and when it ends (invalid: never). */
    struct Choice
    {
        Level level = Level::All;
        QDateTime until;
    };
    /** @brief What the decision needs to know about one message. */
    struct Incoming
    {
        QString room;
        bool direct = false;
        QString from;
        bool mentionsMe = false;
        bool focused = false; // its chat window is shown and has focus
    };

    explicit MessageAlerts(QObject *parent = nullptr);

    [[nodiscard]] static QString levelName(Level level);
    [[nodiscard]] static std::optional<Level> levelFromName(const QString &name);
    [[nodiscard]] static Level defaultLevel(bool direct)
    {
        return direct ? Level::All : Level::Mentions;
    }
    /** @brief 08:00 of the day after @p now, local time ("until tomorrow"). */
    [[nodiscard]] static QDateTime tomorrowMorning(const QDateTime &now);

    /** @brief The level in force at @p now: the stored choice until it ends, else the default. */
    [[nodiscard]] Level
    effectiveLevel(const QString &room, bool direct,
                   const QDateTime &now = QDateTime::currentDateTimeUtc()) const;
    [[nodiscard]] Outcome decide(const Incoming &message,
                                 const QDateTime &now = QDateTime::currentDateTimeUtc()) const;
    /** @brief What a conversation adds to the tray badge: its unread messages under "all", its
     *  unread mentions under "mentions", nothing when muted. */
    [[nodiscard]] int badgeOf(const ChatRoom *room) const;

    /** @brief Who "I" am (own messages, mentions) and everyone's display name. */
    void setNames(const DisplayNames *names) { m_names = names; }
    void setDoNotDisturb(bool dnd) { m_dnd = dnd; }
    [[nodiscard]] bool doNotDisturb() const { return m_dnd; }
    void setConnection(Connection *connection) { m_connection = connection; }

    /** @brief The stored choice of a conversation, if any. */
    [[nodiscard]] std::optional<Choice> choice(const QString &room) const;
    /** @brief Stores (or, with nothing, forgets) a choice here only: what the server said. */
    void setChoice(const QString &room, const std::optional<Choice> &choice);
    /** @brief hello: every room object carries its "notify" when a choice is stored, so a room
     *  without one has none (cleared on another device while this one was away). */
    void applyHelloRooms(const QJsonArray &rooms);
    /** @brief A room.notify answer or a room.notifySync event: {room, level, until}. */
    void applyNotify(const QJsonObject &object);

    /** @brief The level in force: "all", "mentions" or "none". */
    Q_INVOKABLE QString levelOf(const QString &room, bool direct) const;
    /** @brief The stored choice's level, or "default". */
    Q_INVOKABLE QString choiceOf(const QString &room) const;
    /** @brief When the stored choice ends (invalid: never, or no choice). */
    Q_INVOKABLE QDateTime untilOf(const QString &room) const;
    /** @brief The person picks a level ("all", "mentions", "none", "default"), until @p untilMs
     *  (ms since the epoch; 0: no end): applied at once, sent to the server (room.notify),
     *  which tells the person's other devices. An error puts the old choice back. */
    Q_INVOKABLE void setLevel(const QString &room, const QString &level, qint64 untilMs = 0);
    /** @brief "Mute for 1 hour" and the like. */
    Q_INVOKABLE void muteFor(const QString &room, int minutes);
    /** @brief "Until tomorrow": muted until 08:00 tomorrow. */
    Q_INVOKABLE void muteUntilTomorrow(const QString &room);

    /** @brief A new message arrived in @p room: when it alerts, raised() gets its toast. */
    void consider(ChatRoom *room, const MessageModel::Message &message);
    /** @brief The conversation of a message toast (empty: not one of ours). */
    [[nodiscard]] QString roomOfToast(qint64 id) const { return m_toastRooms.value(id); }
    /** @brief The conversation was read (here or elsewhere): its toasts go. */
    void roomRead(const QString &room);
    /** @brief Signed out: forgets choices and toasts. */
    void clear();

    [[nodiscard]] int revision() const { return m_revision; }

Q_SIGNALS:
    void levelsChanged();
    /** @brief A message alerts: show this toast (its id is negative, never a notification's). */
    void raised(const Notification &toast);
    /** @brief A toast raised earlier is no longer needed (its conversation was read). */
    void withdrawn(qint64 id);
    /** @brief The server refused a level change. */
    void levelRefused(const QString &room, const QString &message);

private:
    void changed();
    void scheduleExpiry();

    QHash<QString, Choice> m_choices;
    QHash<qint64, QString> m_toastRooms; // toast id -> room
    QPointer<Connection> m_connection;
    QTimer m_expiry; // fires when the next timed choice ends
    const DisplayNames *m_names = nullptr;
    qint64 m_nextToastId = -1;
    int m_revision = 0;
    bool m_dnd = false;
};
