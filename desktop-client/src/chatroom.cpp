// ChatRoom: sending (text and files) with local echoes, arrivals with unread and mention counts,
// edits, deletions and reactions, history paging and reveal, members and typing. Over 500 lines:
// the arrival, read-position and history paths share the room's sequence state and stay together.
#include "chatroom.h"
#include "connection.h"

#include <QDateTime>
#include <QJsonArray>

#include <QUuid>

using namespace Qt::StringLiterals;
namespace proto = herald::proto;

namespace {
constexpr int HistoryPage = 50;
constexpr int GapPage = 200;
/** @brief Messages loaded before a revealed one (ChatRoom::reveal), so it is seen in context. */
constexpr qint64 RevealContext = 10;
constexpr int TypingShownMs = 6000;
constexpr int TypingResendMs = 3000;
} // namespace

ChatRoom::ChatRoom(const QString &name, Connection *connection, QObject *parent)
    : QObject(parent)
    , m_name(name)
    , m_connection(connection)
{
    m_typingTimer.setInterval(1000);
    connect(&m_typingTimer, &QTimer::timeout, this, &ChatRoom::expireTyping);
    m_readTimer.setSingleShot(true);
    connect(&m_readTimer, &QTimer::timeout, this, &ChatRoom::sendReadPosition);
    connect(&m_receipts, &ReadReceipts::changed, this, &ChatRoom::refreshReceipts);
    // A newer message changes who has "seen the latest".
    connect(&m_messages, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_receipts.count() > 0)
            refreshReceipts();
    });
}

void ChatRoom::setSelf(const QString &self)
{
    m_self = self;
    m_messages.setSelf(self);
    m_members.setSelf(self);
    m_receipts.setSelf(self);
}

void ChatRoom::setDisplayNames(std::function<QString(const QString &)> lookup)
{
    m_displayName = lookup;
    m_messages.setDisplayNames(std::move(lookup));
}

void ChatRoom::setReadSeq(qint64 seq)
{
    m_readSeq = seq;
    if (m_baselineSet)
        setUnread(int(std::max<qint64>(0, m_lastSeq - m_readSeq)), m_mentions);
}

QString ChatRoom::displayName() const
{
    if (m_kind == u"dm"_s && !m_peer.isEmpty())
        return m_displayName ? m_displayName(m_peer) : m_peer;
    return m_title.isEmpty() ? m_name : m_title;
}

void ChatRoom::setPeerStatus(const QString &status)
{
    if (status.isEmpty() || status == m_peerStatus)
        return;
    m_peerStatus = status;
    Q_EMIT peerStatusChanged();
}

QDateTime ChatRoom::lastMessageTime() const
{
    const int confirmed = m_messages.confirmedCount();
    return confirmed > 0 ? m_messages.at(confirmed - 1).ts : QDateTime();
}

void ChatRoom::applyInfo(const QJsonObject &room)
{
    m_title = room.value("title"_L1).toString(m_title);
    m_kind = room.value("kind"_L1).toString(m_kind.isEmpty() ? u"public"_s : m_kind);
    m_peer = room.value("peer"_L1).toString(m_peer);
    m_member = room.value("member"_L1).toBool(m_member);
    m_online = room.value("online"_L1).toInt(m_online);
    m_memberCount = room.value("members"_L1).toInt(m_memberCount);
    // Only the first sight sets the baseline: later room objects (a reconnect's hello) would
    // jump past messages the resume is about to deliver.
    if (room.contains("readSeq"_L1)) {
        // The server keeps the read position for all of this person's devices.
        applyServerRead(room, u"readSeq"_s);
        if (!m_baselineSet) {
            m_baselineSet = true;
            m_lastSeq = std::max(m_lastSeq, qint64(room.value("lastSeq"_L1).toDouble()));
        }
    } else if (!m_baselineSet && room.contains("lastSeq"_L1)) {
        m_baselineSet = true;
        m_lastSeq = std::max(m_lastSeq, qint64(room.value("lastSeq"_L1).toDouble()));
        if (m_readSeq < 0) {
            m_readSeq = m_lastSeq;
            Q_EMIT readSeqChanged(m_readSeq);
        }
        setUnread(int(std::max<qint64>(0, m_lastSeq - m_readSeq)), m_mentions);
    }
    Q_EMIT infoChanged();
}

bool ChatRoom::handleMessage(const QJsonObject &object)
{
    const MessageModel::Message m = MessageModel::fromJson(object);
    if (m.seq <= 0)
        return false;
    if (!m_baselineSet) {
        // First sight of this room is a message (a new DM): everything before it counts as read.
        m_baselineSet = true;
        if (m_readSeq < 0)
            m_readSeq = m.seq - 1;
        m_lastSeq = std::max(m_lastSeq, m.seq - 1);
    }
    const qint64 knownBefore = m_lastSeq;
    const qint64 heldLast = heldSeq();
    m_lastSeq = std::max(m_lastSeq, m.seq);
    if (!m_messages.insertMessage(m))
        return false;
    if (m_typing.remove(m.from) > 0)
        Q_EMIT typingChanged();
    if (m.from == m_self) {
        if (m.seq > m_readSeq && m.seq == m_lastSeq)
            markRead();
    } else if (m.seq > std::max(knownBefore, m_countedUpTo)) {
        if (m_active)
            markRead();
        else
            setUnread(m_unread + 1, m_mentions + (m.mentionsUser(m_self) ? 1 : 0));
        Q_EMIT messageArrived(m);
    }
    // Never show a hole: a message beyond the newest held one means some were missed.
    if (heldLast > 0 && m.seq > heldLast + 1)
        fetchAfter(heldLast);
    return true;
}

bool ChatRoom::handleChange(const QString &type, const QJsonObject &change)
{
    const qint64 seq = qint64(change.value("seq"_L1).toDouble());
    const qint64 target = qint64(change.value("target"_L1).toDouble());
    if (seq <= 0 || target <= 0 || seq <= m_changeSeq || m_messages.contains(seq))
        return false;
    const qint64 knownBefore = m_lastSeq;
    const qint64 heldLast = heldSeq();
    m_lastSeq = std::max(m_lastSeq, seq);
    m_changeSeq = seq;
    if (type == proto::Type::MsgEdited) {
        m_messages.applyEdit(target, change.value("text"_L1).toString(),
                             QDateTime::fromMSecsSinceEpoch(
                                 qint64(change.value("editedAt"_L1).toDouble()), Qt::UTC));
    } else if (type == proto::Type::MsgDeleted) {
        const int row = m_messages.rowOf(target);
        // An unread message of someone else that goes no longer counts (the server's counts
        // leave deleted messages out; those up to m_countedUpTo were counted without it).
        const bool wasUnread = row >= 0 && m_messages.at(row).from != m_self &&
                               !m_messages.at(row).deleted && target > m_readSeq &&
                               seq > std::max(knownBefore, m_countedUpTo);
        const bool mentionedMe = wasUnread && m_messages.at(row).mentionsUser(m_self);
        if (m_messages.applyDelete(target) && wasUnread && m_unread > 0)
            setUnread(m_unread - 1, m_mentions - (mentionedMe ? 1 : 0));
    } else if (type == proto::Type::MsgReaction) {
        m_messages.applyReaction(target, change.value("emoji"_L1).toString(),
                                 change.value("by"_L1).toString(), change.value("on"_L1).toBool());
    }
    if (heldLast > 0 && seq > heldLast + 1)
        fetchAfter(heldLast); // a hole: messages come with their changes applied
    return true;
}

Connection *ChatRoom::connection() const
{
    return m_connection;
}

QStringList ChatRoom::reactionEmoji()
{
    return proto::reactionEmoji();
}

void ChatRoom::requestChange(const QString &type, QJsonObject body)
{
    if (!m_connection || m_connection->state() != Connection::Connected) {
        Q_EMIT changeFailed(tr("Not connected. Try again when the connection is back."));
        return;
    }
    body.insert(u"room"_s, m_name);
    // The change itself arrives as msg.edited / msg.deleted / msg.reaction, like everyone's.
    m_connection->request(type, body, [this](const Reply &reply) {
        if (reply.ok || reply.code == u"disconnected"_s)
            return;
        if (reply.code == u"forbidden"_s)
            Q_EMIT changeFailed(tr("You can only change your own messages."));
        else if (reply.code == u"gone"_s)
            Q_EMIT changeFailed(tr("That message was deleted."));
        else if (reply.code == u"not_found"_s)
            Q_EMIT changeFailed(tr("That message is no longer there."));
        else
            Q_EMIT changeFailed(reply.message);
    });
}

void ChatRoom::editMessage(qint64 seq, const QString &text)
{
    const QString trimmed = text.trimmed();
    const int row = m_messages.rowOf(seq);
    if (trimmed.isEmpty() || row < 0 || m_messages.at(row).text == trimmed)
        return;
    requestChange(proto::Type::MsgEdit, {{u"seq"_s, seq}, {u"text"_s, trimmed}});
}

void ChatRoom::deleteMessage(qint64 seq)
{
    if (m_messages.rowOf(seq) >= 0)
        requestChange(proto::Type::MsgDelete, {{u"seq"_s, seq}});
}

void ChatRoom::toggleReaction(qint64 seq, const QString &emoji)
{
    const int row = m_messages.rowOf(seq);
    if (row < 0 || !proto::reactionEmoji().contains(emoji))
        return;
    bool mine = false;
    for (const MessageModel::Reaction &r : m_messages.at(row).reactions)
        if (r.emoji == emoji)
            mine = r.people.contains(m_self);
    requestChange(proto::Type::MsgReact, {{u"seq"_s, seq}, {u"emoji"_s, emoji}, {u"on"_s, !mine}});
}

void ChatRoom::fetchAfter(qint64 after)
{
    // Everything after a sequence, page by page, through the normal arrival path (dedup,
    // unread, read marker); used for holes and for rooms a resume could not finish.
    if (!m_connection)
        return;
    const QJsonObject body{{u"room"_s, m_name}, {u"after"_s, after}, {u"limit"_s, GapPage}};
    m_connection->request(proto::Type::RoomHistory, body, [this](const Reply &reply) {
        if (!reply.ok)
            return;
        const QJsonArray list = reply.data.value("messages"_L1).toArray();
        qint64 last = 0;
        for (const QJsonValue &v : list) {
            handleMessage(v.toObject());
            last = std::max(last, qint64(v.toObject().value("seq"_L1).toDouble()));
        }
        if (reply.data.value("hasMore"_L1).toBool() && last > 0)
            fetchAfter(last);
    });
}

void ChatRoom::setUnread(int unread, int mentions)
{
    mentions = std::clamp(mentions, 0, unread); // a mention is one of the unread messages
    if (m_unread == unread && m_mentions == mentions)
        return;
    m_unread = unread;
    m_mentions = mentions;
    Q_EMIT unreadCountChanged();
}

void ChatRoom::markRead()
{
    if (m_readSeq != m_lastSeq) {
        m_readSeq = m_lastSeq;
        Q_EMIT readSeqChanged(m_readSeq);
    }
    setUnread(0, 0);
    sendReadPosition();
}

void ChatRoom::sendReadPosition()
{
    // Tell the server, which tells this person's other devices (room.readMarker); its answer
    // brings the count of what came after.
    if (m_readSeq <= m_sentReadSeq || !m_connection ||
        m_connection->state() != Connection::Connected)
        return;
    if (m_sinceReadSent.isValid() && m_sinceReadSent.elapsed() < ReadIntervalMs) {
        if (!m_readTimer.isActive())
            m_readTimer.start(int(ReadIntervalMs - m_sinceReadSent.elapsed()));
        return;
    }
    m_sinceReadSent.start();
    m_sentReadSeq = m_readSeq;
    m_connection->request(proto::Type::RoomRead, {{u"room"_s, m_name}, {u"seq"_s, m_readSeq}},
                          [this](const Reply &reply) {
                              if (reply.ok)
                                  applyServerRead(reply.data, u"seq"_s);
                          });
}

void ChatRoom::applyServerRead(const QJsonObject &read, const QString &seqKey)
{
    applyServerRead(
        qint64(read.value(seqKey).toDouble()), qint64(read.value("unread"_L1).toDouble()),
        qint64(read.value("lastSeq"_L1).toDouble()),
        read.contains("mentions"_L1) ? qint64(read.value("mentions"_L1).toDouble()) : -1);
}

void ChatRoom::applyServerRead(qint64 seq, qint64 unread, qint64 countedUpTo, qint64 mentions)
{
    m_countedUpTo = std::max(m_countedUpTo, countedUpTo);
    if (seq < m_readSeq) {
        // This device read further than the server knows (its room.read was lost with the
        // link): say it again; the answer brings the count.
        m_sentReadSeq = std::min(m_sentReadSeq, seq);
        sendReadPosition();
        return;
    }
    m_sentReadSeq = std::max(m_sentReadSeq, seq);
    if (seq != m_readSeq && seq >= 0) {
        m_readSeq = seq;
        Q_EMIT readSeqChanged(m_readSeq);
    }
    // Without the server's mention count, this device's own count stands (within unread).
    setUnread(int(std::clamp<qint64>(unread, 0, 100000)),
              mentions >= 0 ? int(std::clamp<qint64>(mentions, 0, 100000)) : m_mentions);
    if (m_active)
        markRead(); // on screen here: what arrived is read
}

void ChatRoom::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    if (m_active)
        markRead();
    Q_EMIT activeChanged();
}

void ChatRoom::send(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return;
    MessageModel::Message m;
    m.from = m_self;
    m.text = trimmed;
    m.ts = QDateTime::currentDateTimeUtc();
    m.clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_messages.addPending(m);
    sendOne(m);
}

void ChatRoom::sendFile(const FileAttachment &file, const QString &caption)
{
    if (file.isEmpty())
        return;
    MessageModel::Message m;
    m.from = m_self;
    m.text = caption.trimmed();
    m.ts = QDateTime::currentDateTimeUtc();
    m.clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m.file = file;
    m_messages.addPending(m);
    sendOne(m);
}

void ChatRoom::sendOne(const MessageModel::Message &m)
{
    if (!m_connection || m_connection->state() != Connection::Connected)
        return; // stays pending; resendPending() after the next resume
    QJsonObject body{{u"room"_s, m_name}, {u"clientId"_s, m.clientId}, {u"text"_s, m.text}};
    if (!m.file.isEmpty())
        body.insert(u"file"_s, QJsonObject{{u"id"_s, m.file.id}, {u"name"_s, m.file.name}});
    const QString clientId = m.clientId;
    m_connection->request(proto::Type::MsgSend, body, [this, clientId](const Reply &reply) {
        if (reply.ok) {
            const QDateTime ts = QDateTime::fromMSecsSinceEpoch(
                qint64(reply.data.value("ts"_L1).toDouble()), Qt::UTC);
            m_messages.markSent(clientId, qint64(reply.data.value("seq"_L1).toDouble()), ts);
        } else if (reply.code != u"disconnected"_s) {
            m_messages.markFailed(clientId);
        }
    });
}

void ChatRoom::resendPending()
{
    const QList<MessageModel::Message> pending = m_messages.pending();
    for (const MessageModel::Message &m : pending)
        sendOne(m);
}

void ChatRoom::retry(const QString &clientId)
{
    for (int i = m_messages.confirmedCount(); i < m_messages.rowCount(); ++i) {
        if (m_messages.at(i).clientId == clientId) {
            const MessageModel::Message m = m_messages.at(i);
            m_messages.markPending(clientId);
            sendOne(m);
            return;
        }
    }
}

void ChatRoom::loadOlder()
{
    if (m_loading || !m_hasMore || !m_connection || m_connection->state() != Connection::Connected)
        return;
    QJsonObject body{{u"room"_s, m_name}, {u"limit"_s, HistoryPage}};
    if (m_messages.firstSeq() > 0)
        body.insert(u"before"_s, m_messages.firstSeq());
    m_loading = true;
    Q_EMIT historyChanged();
    m_connection->request(proto::Type::RoomHistory, body, [this](const Reply &reply) {
        m_loading = false;
        if (reply.ok) {
            const QJsonArray list = reply.data.value("messages"_L1).toArray();
            for (const QJsonValue &v : list)
                handleMessage(v.toObject());
            m_hasMore = reply.data.value("hasMore"_L1).toBool();
        }
        Q_EMIT historyChanged();
    });
}

void ChatRoom::reveal(qint64 seq)
{
    if (seq <= 0)
        return;
    m_revealSeq = seq;
    continueReveal();
}

void ChatRoom::continueReveal()
{
    // Page back from the oldest message held (or from the newest, with none) down to the
    // context before the message: the history stays without a hole, and loadOlder() and live
    // messages go on from there as before.
    const qint64 seq = m_revealSeq;
    if (seq <= 0 || m_revealing)
        return;
    const qint64 floor = std::max<qint64>(0, seq - RevealContext - 1);
    const qint64 first = m_messages.firstSeq();
    if ((first > 0 && first <= floor + 1) || (first > 0 && !m_hasMore)) {
        m_revealSeq = 0;
        Q_EMIT revealed(seq);
        return;
    }
    if (!m_connection || m_connection->state() != Connection::Connected)
        return;
    QJsonObject body{{u"room"_s, m_name}, {u"after"_s, floor}, {u"limit"_s, GapPage}};
    if (first > 0)
        body.insert(u"before"_s, first);
    m_revealing = true;
    m_connection->request(proto::Type::RoomHistory, body, [this, seq, floor](const Reply &reply) {
        m_revealing = false;
        if (m_revealSeq != seq)
            return continueReveal(); // another reveal() replaced this one meanwhile
        const QJsonArray list = reply.data.value("messages"_L1).toArray();
        for (const QJsonValue &v : list)
            handleMessage(v.toObject());
        // Nothing more in the range: the message's context is held, or gone (purged).
        if (!reply.ok || list.isEmpty() || !reply.data.value("hasMore"_L1).toBool()) {
            if (reply.ok && floor == 0) {
                m_hasMore = false; // the whole history is held
                Q_EMIT historyChanged();
            }
            m_revealSeq = 0;
            Q_EMIT revealed(seq);
            return;
        }
        continueReveal();
    });
}

void ChatRoom::open()
{
    if (!m_membersLoaded)
        loadMembers();
    if (m_messages.confirmedCount() < HistoryPage && m_hasMore)
        loadOlder();
}

void ChatRoom::loadMembers()
{
    if (!m_connection || m_connection->state() != Connection::Connected)
        return;
    m_connection->request(proto::Type::RoomMembers, {{u"room"_s, m_name}},
                          [this](const Reply &reply) {
                              if (!reply.ok)
                                  return;
                              m_membersLoaded = true;
                              const QJsonArray members = reply.data.value("members"_L1).toArray();
                              m_members.setUsers(members);
                              m_memberCount = int(members.size());
                              m_receipts.setMembers(members); // their readSeq
                              refreshReceipts();
                              Q_EMIT infoChanged();
                          });
}

void ChatRoom::userTyping()
{
    if (m_sinceTypingSent.isValid() && m_sinceTypingSent.elapsed() < TypingResendMs)
        return;
    if (!m_connection || m_connection->state() != Connection::Connected)
        return;
    m_connection->send(proto::Type::TypingSend, {{u"room"_s, m_name}});
    m_sinceTypingSent.start();
}

void ChatRoom::handleTyping(const QString &user)
{
    if (user == m_self)
        return;
    m_typing.insert(user, QDateTime::currentMSecsSinceEpoch() + TypingShownMs);
    if (!m_typingTimer.isActive())
        m_typingTimer.start();
    Q_EMIT typingChanged();
}

void ChatRoom::expireTyping()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto removed = m_typing.removeIf([now](auto it) { return it.value() <= now; });
    if (m_typing.isEmpty())
        m_typingTimer.stop();
    if (removed > 0)
        Q_EMIT typingChanged();
}

QString ChatRoom::typingText() const
{
    QStringList names;
    for (auto it = m_typing.cbegin(); it != m_typing.cend(); ++it)
        names.append(m_displayName ? m_displayName(it.key()) : it.key());
    names.sort();
    switch (names.size()) {
    case 0:
        return {};
    case 1:
        return tr("%1 is typing…").arg(names.at(0));
    case 2:
        return tr("%1 and %2 are typing…").arg(names.at(0), names.at(1));
    default:
        return tr("Several people are typing…");
    }
}

void ChatRoom::handlePresence(const QJsonArray &users, int online)
{
    for (const QJsonValue &v : users) {
        m_members.setStatus(v.toObject());
    }
    m_online = online;
    Q_EMIT infoChanged();
}

void ChatRoom::handleMember(const QString &user, const QString &event)
{
    if (event == u"joined"_s) {
        if (m_members.indexOf(user) < 0) {
            m_members.addUser({user, m_displayName ? m_displayName(user) : user, u"online"_s});
            ++m_memberCount;
        }
    } else if (event == u"left"_s) {
        if (m_members.indexOf(user) >= 0 || !m_membersLoaded)
            m_memberCount = std::max(0, m_memberCount - 1);
        m_members.removeUser(user);
        m_receipts.remove(user);
    }
    Q_EMIT infoChanged();
}
