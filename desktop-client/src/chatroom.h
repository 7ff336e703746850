// One conversation (room or direct message): its messages, members, typing and unread state.
#pragma once

#include "messagemodel.h"
#include "readreceipts.h"
#include "userlistmodel.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

#include <functional>

class Connection;

/** @brief A room or direct message the person can read and write. */
class ChatRoom : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Get rooms from Session.room() or the room list")
    /** @brief Server name: "general", or "dm:alice:bob". */
    Q_PROPERTY(QString name READ name CONSTANT)
    /** @brief What to call it: the title, or the other person's name for a direct message. */
    Q_PROPERTY(QString displayName READ displayName NOTIFY infoChanged)
    /** @brief public, private or dm. */
    Q_PROPERTY(QString kind READ kind NOTIFY infoChanged)
    /** @brief The other person of a direct message. */
    Q_PROPERTY(QString peer READ peer NOTIFY infoChanged)
    /** @brief The other person's presence in a direct message: online, away or offline. */
    Q_PROPERTY(QString peerStatus READ peerStatus NOTIFY peerStatusChanged)
    Q_PROPERTY(bool isMember READ isMember NOTIFY infoChanged)
    /** @brief Members online now. */
    Q_PROPERTY(int onlineCount READ onlineCount NOTIFY infoChanged)
    Q_PROPERTY(int memberCount READ memberCount NOTIFY infoChanged)
    /** @brief Messages from others the person has not seen. */
    Q_PROPERTY(int unreadCount READ unreadCount NOTIFY unreadCountChanged)
    /** @brief Unread messages that mention the person (or @room). */
    Q_PROPERTY(int mentionCount READ mentionCount NOTIFY unreadCountChanged)
    /** @brief "bob is typing…", or empty. */
    Q_PROPERTY(QString typingText READ typingText NOTIFY typingChanged)
    Q_PROPERTY(MessageModel *messages READ messages CONSTANT)
    Q_PROPERTY(UserListModel *members READ members CONSTANT)
    /** @brief How far the other members have read (read receipts). */
    Q_PROPERTY(ReadReceipts *receipts READ receipts CONSTANT)
    /** @brief Older history exists on the server. */
    Q_PROPERTY(bool hasMoreHistory READ hasMoreHistory NOTIFY historyChanged)
    Q_PROPERTY(bool loadingHistory READ loadingHistory NOTIFY historyChanged)
    /** @brief The emoji a message can be reacted to with, in the order to offer them. */
    Q_PROPERTY(QStringList reactionEmoji READ reactionEmoji CONSTANT)
    /** @brief A window shows this conversation and has focus: arriving messages count as read. */
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)

public:
    ChatRoom(const QString &name, Connection *connection, QObject *parent = nullptr);

    /** @brief Applies a room object from hello, room.list, room.join or dm.open. */
    void applyInfo(const QJsonObject &room);
    /** @brief A message frame; returns false for a duplicate. */
    bool handleMessage(const QJsonObject &message);
    /** @brief msg.edited, msg.deleted or msg.reaction (live or replayed by resume): applied to
     *  the message it concerns; it is never unread. Returns false for one already seen. */
    bool handleChange(const QString &type, const QJsonObject &change);
    void handleTyping(const QString &user);
    void handlePresence(const QJsonArray &users, int online);
    void handleMember(const QString &user, const QString &event);
    /** @brief room.receipt: another member has read up to @p seq (chatroomreceipts.cpp). */
    void handleReceipt(const QString &user, qint64 seq);
    /** @brief How far someone who read up to @p seq got, as the member list says it: "Seen the
     *  latest", "Read up to 10:42" (the time of the last message they read), or "Read earlier
     *  messages" when that message is not loaded. */
    [[nodiscard]] QString readText(qint64 seq) const;
    /** @brief Loads every message after @p seq (a hole, or a resume the server cut short). */
    void fetchAfter(qint64 seq);
    /** @brief Sends again what was pending when the link dropped (same clientId: no duplicates). */
    void resendPending();
    void setSelf(const QString &self);
    void setDisplayNames(std::function<QString(const QString &)> lookup);
    /** @brief Where the person had read up to, restored from settings (servers without read
     *  positions). */
    void setReadSeq(qint64 seq);
    /** @brief The server's read position and unread count (hello, resume, or room.readMarker
     *  from another device): it counted the messages up to @p countedUpTo, so those arriving
     *  later (a resume) are not counted again. */
    void applyServerRead(qint64 seq, qint64 unread, qint64 countedUpTo, qint64 mentions = -1);
    /** @brief The same from a server object with seq (or readSeq), unread, lastSeq and
     *  mentions (absent on servers that do not count mentions: kept within unread). */
    void applyServerRead(const QJsonObject &read, const QString &seqKey);
    /** @brief Tells the server this device's read position when it is ahead of what was sent. */
    void sendReadPosition();

    Q_INVOKABLE void send(const QString &text);
    /** @brief Sends a message carrying an uploaded @p file (FileUploader), with an optional
     *  @p caption; pending and resent after a reconnect like any message. */
    void sendFile(const FileAttachment &file, const QString &caption);
    /** @brief Loads the page of history before the oldest message held (or the latest page). */
    Q_INVOKABLE void loadOlder();
    /** @brief Loads members and the latest history if not yet done; called when a window opens. */
    Q_INVOKABLE void open();
    Q_INVOKABLE void markRead();
    /** @brief Brings message @p seq (a search hit) and RevealContext messages before it into
     *  the history, paging back from the oldest held so no hole opens, then emits revealed(). */
    Q_INVOKABLE void reveal(qint64 seq);
    /** @brief The composer changed: tells the others, at most every few seconds. */
    Q_INVOKABLE void userTyping();
    Q_INVOKABLE void loadMembers();
    Q_INVOKABLE void retry(const QString &clientId);
    /** @brief Edits one of the person's own messages (msg.edit); blank text is not sent. */
    Q_INVOKABLE void editMessage(qint64 seq, const QString &text);
    /** @brief Deletes one of the person's own messages (msg.delete). */
    Q_INVOKABLE void deleteMessage(qint64 seq);
    /** @brief Adds the person's reaction, or takes it back when they had it (msg.react). */
    Q_INVOKABLE void toggleReaction(qint64 seq, const QString &emoji);

    [[nodiscard]] QString name() const { return m_name; }
    [[nodiscard]] QString displayName() const;
    [[nodiscard]] QString title() const { return m_title; }
    [[nodiscard]] QString kind() const { return m_kind; }
    [[nodiscard]] QString peer() const { return m_peer; }
    [[nodiscard]] QString peerStatus() const { return m_peerStatus; }
    void setPeerStatus(const QString &status);
    /** @brief When the newest message held was sent (invalid: none yet). */
    [[nodiscard]] QDateTime lastMessageTime() const;
    [[nodiscard]] bool isMember() const { return m_member; }
    [[nodiscard]] int onlineCount() const { return m_online; }
    [[nodiscard]] int memberCount() const { return m_memberCount; }
    [[nodiscard]] int unreadCount() const { return m_unread; }
    [[nodiscard]] int mentionCount() const { return m_mentions; }
    /** @brief The signed-in person's login name. */
    [[nodiscard]] QString self() const { return m_self; }
    [[nodiscard]] QString typingText() const;
    [[nodiscard]] MessageModel *messages() { return &m_messages; }
    [[nodiscard]] UserListModel *members() { return &m_members; }
    [[nodiscard]] ReadReceipts *receipts() { return &m_receipts; }
    [[nodiscard]] bool hasMoreHistory() const { return m_hasMore; }
    [[nodiscard]] bool loadingHistory() const { return m_loading; }
    [[nodiscard]] bool active() const { return m_active; }
    void setActive(bool active);
    /** @brief The newest sequence known for this room: what resume asks "since". */
    [[nodiscard]] qint64 lastSeq() const { return m_lastSeq; }
    [[nodiscard]] qint64 readSeq() const { return m_readSeq; }
    [[nodiscard]] static QStringList reactionEmoji();
    /** @brief The link the room talks over (its HTTP credential too), or nullptr. */
    [[nodiscard]] Connection *connection() const;

Q_SIGNALS:
    void infoChanged();
    void peerStatusChanged();
    void unreadCountChanged();
    void typingChanged();
    void historyChanged();
    void activeChanged();
    /** @brief The read marker moved (Session stores it). */
    void readSeqChanged(qint64 seq);
    /** @brief reveal() is done: the message is held (unless it is gone), show it. */
    void revealed(qint64 seq);
    /** @brief An edit, deletion or reaction was refused by the server (its message). */
    void changeFailed(const QString &message);
    /** @brief A new message from someone else arrived (not one of history or a duplicate). */
    void messageArrived(const MessageModel::Message &message);

private:
    void setUnread(int unread, int mentions);
    void expireTyping();
    void sendOne(const MessageModel::Message &message);
    void requestChange(const QString &type, QJsonObject body);
    /** @brief The newest sequence held: the last message's, or a later change's. */
    [[nodiscard]] qint64 heldSeq() const { return std::max(m_messages.lastSeq(), m_changeSeq); }
    void continueReveal();
    /** @brief The receipts or the messages changed: "Seen by" lines and the member list's read
     *  texts follow. */
    void refreshReceipts();

    QString m_name;
    QString m_title;
    QString m_kind;
    QString m_peer;
    QString m_peerStatus = QStringLiteral("offline");
    QString m_self;
    bool m_member = true;
    bool m_baselineSet = false;
    int m_online = 0;
    int m_memberCount = 0;
    int m_unread = 0;
    int m_mentions = 0;
    qint64 m_lastSeq = 0;
    qint64 m_readSeq = -1;    // -1: no marker yet (first sight: nothing is unread)
    qint64 m_countedUpTo = 0; // the server's unread count covers messages up to here
    qint64 m_sentReadSeq = 0; // the last position told to the server (room.read)
    // At most one room.read per ReadIntervalMs: the first of a burst goes at once, the newest
    // position of the rest when the interval is over (a busy room on screen reads on every
    // message; the server, the other devices and read receipts need only the latest).
    static constexpr int ReadIntervalMs = 1000;
    QElapsedTimer m_sinceReadSent;
    QTimer m_readTimer;
    qint64 m_changeSeq = 0; // the newest edit, deletion or reaction applied
    bool m_hasMore = true;
    bool m_loading = false;
    bool m_membersLoaded = false;
    bool m_active = false;
    qint64 m_revealSeq = 0;   // reveal() under way for this message (0: none)
    bool m_revealing = false; // its history request is out
    QPointer<Connection> m_connection;
    MessageModel m_messages;
    UserListModel m_members;
    ReadReceipts m_receipts;
    QHash<QString, qint64> m_typing; // user -> expiry (ms since epoch)
    QTimer m_typingTimer;
    QElapsedTimer m_sinceTypingSent;
    std::function<QString(const QString &)> m_displayName;
};
