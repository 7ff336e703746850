// Session: one signed-in person's connection, turned into the models the views show (rooms,
// people, notifications, toasts). Over 600 lines because it is the one place every server frame
// the desktop handles is dispatched (hello, resume, messages and their changes, presence and
// away, notifications and their changes); sign-in and sign-out live in sessionsignin.cpp, the
// wiring of chat alerts in sessionalerts.cpp, the read-receipts choice in sessionreceipts.cpp. The
// next feature's frames should get a file of their own the same way rather than grow this one.
#include "session.h"
#include "chatroom.h"

#include <QJSEngine>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QPointer>

using namespace Qt::StringLiterals;
namespace proto = herald::proto;

namespace {
QPointer<Session> s_instance;

QString peerOf(const QString &dmName, const QString &self)
{
    // "dm:<a>:<b>" with the names sorted: the peer is whichever is not us.
    const QStringList parts = dmName.split(u':');
    if (parts.size() != 3)
        return {};
    return parts.at(1) == self ? parts.at(2) : parts.at(1);
}
} // namespace

Session::Session(QObject *parent)
    : QObject(parent)
    , m_language(&m_settings)
{
    m_language.apply();
    m_names.setLookup([this](const QString &user) {
        const QString listed = m_people.indexOf(user) >= 0 ? m_people.displayName(user) : QString();
        return listed.isEmpty() ? m_settings.knownDisplayName(user) : listed;
    });
    m_notifications.setNames(&m_names);
    m_toasts.setNames(&m_names);
    connect(&m_language, &Language::changed, this, [this] {
        m_notifications.retranslate();
        m_rooms.retranslate();
    });
    m_notifications.setConnection(&m_connection);
    m_receipts.setConnection(&m_connection);
    // Away after the person's idle time (the desktop's, or Herald's own windows'), back on input.
    m_idle.setThresholdMs(qint64(m_settings.awayAfterMinutes()) * 60 * 1000);
    connect(&m_settings, &Settings::awayAfterMinutesChanged, this,
            [this] { m_idle.setThresholdMs(qint64(m_settings.awayAfterMinutes()) * 60 * 1000); });
    connect(&m_idle, &IdleMonitor::idleChanged, this, [this] {
        if (!m_awayByHand)
            sendPresence();
    });
    m_idle.start();
    connect(&m_connection, &Connection::frameReceived, this, &Session::onFrame);
    connect(&m_connection, &Connection::stateChanged, this, &Session::updateStatus);
    connect(&m_connection, &Connection::authRejected, this, &Session::onAuthRejected);
    connect(&m_notifications, &NotificationModel::unreadCountChanged, this,
            &Session::unreadCountChanged);

    // Notifications pop up (natively or as toasts); what the person does there goes back to the
    // model.
    connect(&m_notifications, &NotificationModel::arrived, this, &Session::present);
    // A reminder (a step of its escalation) pops up again, read or not.
    connect(&m_notifications, &NotificationModel::reminded, this, &Session::present);
    // Receipts for the publishing service: reached this device, shown on screen.
    connect(&m_notifications, &NotificationModel::arrived, this,
            [this](const Notification &n) { m_receipts.delivered(n.id); });
    connect(&m_notifications, &NotificationModel::updated, &m_toasts, &ToastModel::update);
    connect(&m_notifications, &NotificationModel::updated, this, [this](const Notification &n) {
        if (m_notifier && (n.read || n.isResolved()))
            m_notifier->withdraw(n.id); // handled on another device, or here
    });
    // Changed or withdrawn by its service: the bubble changes in place or closes.
    connect(&m_notifications, &NotificationModel::replaced, this, [this](const Notification &n) {
        if (m_notifier && !n.read && !n.isResolved())
            m_notifier->replace(n);
    });
    connect(&m_notifications, &NotificationModel::retracted, &m_toasts, &ToastModel::retract);
    connect(&m_notifications, &NotificationModel::retracted, this, [this](qint64 id) {
        if (m_notifier)
            m_notifier->withdraw(id);
    });
    connect(&m_notifications, &NotificationModel::actionFinished, &m_toasts,
            &ToastModel::finishAction);
    connect(&m_notifications, &NotificationModel::actionFinished, this,
            [this](qint64 id, bool ok, const QString &text) {
                if (m_notifier)
                    m_notifier->finish(id, ok, text);
            });
    connect(&m_toasts, &ToastModel::actionRequested, &m_notifications, &NotificationModel::act);
    connect(&m_toasts, &ToastModel::linkRequested, &m_notifications, &NotificationModel::openLink);
    // Seen in the opened notification centre: the receipt, without a sound.
    connect(&m_notifications, &NotificationModel::shown, this,
            [this](qint64 id) { m_receipts.seen(id); });
    connect(&m_toasts, &ToastModel::toastShown, this, [this](qint64 id, const QString &priority) {
        if (id > 0) // a notification's (chat messages' toasts have negative ids)
            m_receipts.seen(id);
        if (m_settings.sound())
            Q_EMIT soundRequested(priority);
    });
    connect(&m_settings, &Settings::nativeNotificationsChanged, this,
            &Session::nativeNotificationsChanged);
    setNotifier(std::make_unique<DesktopNotifier>());
    m_toasts.setDoNotDisturb(m_settings.doNotDisturb());
    connect(&m_settings, &Settings::doNotDisturbChanged, this,
            [this] { m_toasts.setDoNotDisturb(m_settings.doNotDisturb()); });
    connect(&m_toasts, &ToastModel::doNotDisturbChanged, this,
            [this] { m_settings.setDoNotDisturb(m_toasts.doNotDisturb()); });
    wireMessageAlerts();

    connect(&m_credentials, &CredentialStore::backendChanged, this, [this] {
        m_settings.setCredentialsInFile(m_credentials.backend() == CredentialStore::Backend::File);
    });
    connect(&m_credentials, &CredentialStore::loaded, this,
            [this](const QString &user, const QString &token) {
                if (m_status != SigningIn || !m_token.isEmpty())
                    return; // signed in some other way meanwhile
                if (token.isEmpty()) {
                    setStatus(SignedOut);
                    return;
                }
                m_credentialSaved = true; // it came from the store
                start(m_settings.server(), token, user, false);
            });
}

void Session::setNotifier(std::unique_ptr<DesktopNotifier> notifier)
{
    m_notifier = std::move(notifier);
    if (!m_notifier)
        return;
    connect(m_notifier.get(), &DesktopNotifier::availableChanged, this,
            &Session::nativeNotificationsChanged);
    connect(m_notifier.get(), &DesktopNotifier::actionInvoked, &m_notifications,
            &NotificationModel::act);
    connect(m_notifier.get(), &DesktopNotifier::activated, this, [this](qint64 id) {
        // A chat message's bubble opens its conversation.
        if (ChatRoom *room = m_roomObjects.value(m_alerts.roomOfToast(id)))
            Q_EMIT roomOpenRequested(room);
        else if (id > 0)
            Q_EMIT notificationActivated(id);
    });
    wireBubbleReplies();
    // Refused, or its server left while it was up: Herald's own toast, so nothing is lost.
    connect(m_notifier.get(), &DesktopNotifier::failed, this, [this](const Notification &n) {
        const Notification *now = m_notifications.find(n.id);
        m_toasts.show(now ? *now : n);
    });
    Q_EMIT nativeNotificationsChanged();
}

bool Session::nativeNotifications() const
{
    return m_notifier && m_notifier->available() && m_settings.nativeNotifications();
}

void Session::present(const Notification &n)
{
    if ((n.read && n.reminderStep == 0) || n.isResolved() || n.isExpired())
        return;
    // Do not disturb, the queue and the on-screen limit are the toast model's to decide.
    if (!nativeNotifications() || (m_toasts.doNotDisturb() && n.priority != u"urgent"_s)) {
        m_toasts.show(n);
        return;
    }
    if (n.reminderStep > 0) {
        Notification reminder = n;
        reminder.title = tr("Reminder: %1").arg(n.title);
        m_notifier->show(reminder);
    } else {
        m_notifier->show(n);
    }
    m_receipts.seen(n.id);
    if (m_settings.sound())
        Q_EMIT soundRequested(n.priority);
}

ChatRoom *Session::newestUnreadRoom() const
{
    ChatRoom *best = nullptr;
    for (ChatRoom *room : std::as_const(m_roomObjects)) {
        if (!room->isMember() || room->unreadCount() == 0)
            continue;
        if (!best || room->lastMessageTime() > best->lastMessageTime())
            best = room;
    }
    return best;
}

QString Session::unreadTarget() const
{
    const ChatRoom *room = newestUnreadRoom();
    QDateTime newestNotification;
    for (int i = 0; i < m_notifications.rowCount(); ++i) {
        const QModelIndex index = m_notifications.index(i);
        if (!index.data(NotificationModel::ReadRole).toBool()) {
            newestNotification = index.data(NotificationModel::CreatedAtRole).toDateTime();
            break; // newest first
        }
    }
    if (room && (!newestNotification.isValid() || room->lastMessageTime() >= newestNotification))
        return u"room"_s;
    if (newestNotification.isValid() || m_notifications.unreadCount() > 0)
        return u"notifications"_s;
    return {};
}

void Session::updatePeerStatus()
{
    for (ChatRoom *room : std::as_const(m_roomObjects))
        if (room->kind() == u"dm"_s && m_people.indexOf(room->peer()) >= 0)
            room->setPeerStatus(m_people.status(room->peer()));
}

Session::~Session()
{
    // Windows may still hold rooms: let them go before the connection does.
    m_rooms.clear();
    qDeleteAll(m_roomObjects);
}

void Session::setInstance(Session *session)
{
    s_instance = session;
}

Session *Session::create(QQmlEngine *engine, QJSEngine *)
{
    if (!s_instance)
        s_instance = new Session(nullptr); // QML tests: the engine owns it
    else
        QJSEngine::setObjectOwnership(s_instance, QJSEngine::CppOwnership);
    s_instance->m_language.addEngine(engine);
    return s_instance;
}

void Session::setStatus(Status status)
{
    if (m_status == status)
        return;
    m_status = status;
    Q_EMIT statusChanged();
}

void Session::setError(const QString &message)
{
    if (m_error == message)
        return;
    m_error = message;
    Q_EMIT errorMessageChanged();
}

void Session::updateStatus()
{
    if (m_token.isEmpty())
        return; // signed out or signing in with a password: status is set explicitly
    switch (m_connection.state()) {
    case Connection::Connected:
        setStatus(Online);
        break;
    case Connection::Connecting:
        setStatus(m_hadHello ? Reconnecting : SigningIn);
        break;
    case Connection::Waiting:
        if (m_interactive && !m_hadHello) {
            // First try from the form failed: say why there instead of retrying in the dark.
            const QString why = m_connection.lastError();
            m_connection.close();
            m_token.clear();
            setError(tr("Cannot connect to the server: %1").arg(why));
            setStatus(SignedOut);
            break;
        }
        setStatus(Reconnecting);
        break;
    case Connection::Disconnected:
        if (!m_connection.lastError().isEmpty() && m_status != SignedOut) {
            setError(m_connection.lastError());
            setStatus(SignedOut);
        }
        break;
    }
}

void Session::resetData()
{
    m_toasts.clear();
    m_alerts.clear();
    m_receipts.reset();
    if (m_notifier)
        m_notifier->withdrawAll();
    m_notifications.clear();
    m_rooms.clear();
    const auto rooms = std::exchange(m_roomObjects, {});
    for (ChatRoom *room : rooms)
        room->deleteLater();
    m_people.clear();
    updateBadge();
    m_hadHello = false;
    if (m_onlineCount != 0) {
        m_onlineCount = 0;
        Q_EMIT onlineCountChanged();
    }
    if (!m_userName.isEmpty() || !m_userDisplay.isEmpty()) {
        m_userName.clear();
        m_userDisplay.clear();
        Q_EMIT userChanged();
    }
}

void Session::onFrame(const proto::Frame &frame)
{
    const QString &type = frame.type;
    const QString roomName = frame.str("room"_L1);
    if (type == proto::Type::Hello) {
        onHello(frame);
    } else if (type == proto::Type::Message) {
        ChatRoom *room = m_roomObjects.value(roomName);
        if (!room) {
            // A conversation we did not know (someone opened a DM with us): learn it now.
            QJsonObject info{{u"name"_s, roomName}};
            if (roomName.startsWith(u"dm:"_s)) {
                info.insert(u"kind"_s, u"dm"_s);
                info.insert(u"peer"_s, peerOf(roomName, m_userName));
            }
            room = ensureRoom(info);
            refreshRooms();
        }
        room->handleMessage(frame.body);
    } else if (type == proto::Type::MsgEdited || type == proto::Type::MsgDeleted ||
               type == proto::Type::MsgReaction) {
        if (ChatRoom *room = m_roomObjects.value(roomName))
            room->handleChange(type, frame.body);
    } else if (type == proto::Type::RoomReceipt) {
        if (ChatRoom *room = m_roomObjects.value(roomName))
            room->handleReceipt(frame.str("user"_L1), frame.integer("seq"_L1, -1));
    } else if (type == proto::Type::ReceiptsSync) {
        applySendReadReceipts(frame.body.value("send"_L1).toBool(true));
    } else if (type == proto::Type::RoomNotifySync) {
        m_alerts.applyNotify(frame.body); // an alert level chosen on another device
    } else if (type == proto::Type::RoomReadMarker) {
        // Read on another of this person's devices.
        if (ChatRoom *room = m_roomObjects.value(roomName))
            room->applyServerRead(frame.body, u"seq"_s);
    } else if (type == proto::Type::Typing) {
        if (ChatRoom *room = m_roomObjects.value(roomName))
            room->handleTyping(frame.str("user"_L1));
    } else if (type == proto::Type::Presence) {
        const QJsonArray users = frame.body.value("users"_L1).toArray();
        if (ChatRoom *room = m_roomObjects.value(roomName))
            room->handlePresence(users, int(frame.integer("online"_L1)));
        for (const QJsonValue &v : users) {
            const QString user = v.toObject().value("user"_L1).toString();
            const QString status = v.toObject().value("status"_L1).toString();
            m_people.setStatus(v.toObject());
            // The other person of a direct message, listed in the people list or not yet.
            for (ChatRoom *dm : std::as_const(m_roomObjects))
                if (dm->kind() == u"dm"_s && dm->peer() == user)
                    dm->setPeerStatus(status);
        }
    } else if (type == proto::Type::Online) {
        const int count = int(frame.integer("count"_L1));
        if (count != m_onlineCount) {
            m_onlineCount = count;
            Q_EMIT onlineCountChanged();
        }
    } else if (type == proto::Type::Member) {
        const QString user = frame.str("user"_L1);
        if (user == m_userName) {
            refreshRooms(); // joined or left on another device, or invited
        } else if (ChatRoom *room = m_roomObjects.value(roomName)) {
            room->handleMember(user, frame.str("event"_L1));
        }
    } else if (type == proto::Type::Notification || type == proto::Type::NotifUnread ||
               type == proto::Type::NotifReadSync || type == proto::Type::NotifResolved ||
               type == proto::Type::NotifUpdated || type == proto::Type::NotifRetracted ||
               type == proto::Type::NotifReminder) {
        m_notifications.handleFrame(frame);
    }
}

void Session::onHello(const proto::Frame &frame)
{
    const QJsonObject user = frame.body.value("user"_L1).toObject();
    const QString name = user.value("name"_L1).toString();
    if (m_hadHello && name != m_userName) {
        resetData(); // a different person on this token: nothing carries over
    }
    const bool reconnect = m_hadHello;
    if (name != m_userName || user.value("display"_L1).toString() != m_userDisplay) {
        m_userName = name;
        m_userDisplay = user.value("display"_L1).toString(name);
        Q_EMIT userChanged();
    }
    m_people.setSelf(m_userName);
    m_names.setSelf(m_userName);
    m_settings.setLastUser(m_userName);
    m_settings.rememberDisplayName(m_userName, m_userDisplay);
    const int online = int(frame.integer("online"_L1));
    if (online != m_onlineCount) {
        m_onlineCount = online;
        Q_EMIT onlineCountChanged();
    }

    // What we had seen, captured before the hello's newer numbers are applied.
    QJsonObject since;
    QJsonObject roomSeqs;
    for (ChatRoom *room : std::as_const(m_roomObjects))
        if (room->isMember())
            roomSeqs.insert(room->name(), room->lastSeq());
    since.insert(u"rooms"_s, roomSeqs);
    since.insert(u"notifications"_s, m_notifications.lastId());
    // And the changes since the last one seen: the final state of what this client shows.
    if (m_notifications.changesKnown())
        since.insert(u"notifChanges"_s, m_notifications.lastChange());

    const QJsonArray rooms = frame.body.value("rooms"_L1).toArray();
    m_alerts.applyHelloRooms(rooms);
    for (const QJsonValue &v : rooms) {
        QJsonObject info = v.toObject();
        if (!info.contains("member"_L1))
            info.insert(u"member"_s, true);
        ensureRoom(info);
    }
    m_notifications.handleHello(frame.body, reconnect);
    applySendReadReceipts(frame.body.value("receipts"_L1).toBool(true)); // absent: an older server
    for (const QJsonValue &v : frame.body.value("notifications"_L1).toArray())
        m_receipts.delivered(qint64(v.toObject().value("id"_L1).toDouble()));
    m_hadHello = true;
    if (m_awayByHand || m_idle.isIdle()) { // a new connection starts online
        sendPresence(true);
    }
    setError({});
    if (!m_credentialSaved && m_remember) {
        m_credentialSaved = true;
        m_credentials.save(m_server, m_userName, m_token);
    }
    updateStatus();
    if (reconnect)
        resume(since);
    else
        afterCatchUp();
}

void Session::resume(const QJsonObject &since)
{
    // The server answers with every missed message and notification as ordinary frames
    // (deduplicated by seq and id on arrival), then with this result.
    m_connection.request(proto::Type::Resume, since, [this](const Reply &reply) {
        if (reply.ok && reply.data.contains("unread"_L1))
            m_notifications.setUnreadCount(reply.data.value("unread"_L1).toInt());
        if (reply.ok && reply.data.contains("notifChanges"_L1))
            m_notifications.setLastChange(qint64(reply.data.value("notifChanges"_L1).toDouble()));
        // Read positions moved on other devices meanwhile; the missed messages just arrived.
        const QJsonObject reads = reply.data.value("reads"_L1).toObject();
        for (auto it = reads.begin(); it != reads.end(); ++it)
            if (ChatRoom *room = m_roomObjects.value(it.key()))
                room->applyServerRead(it.value().toObject(), u"seq"_s);
        // Rooms with more missed messages than the server sends in one resume: page the rest.
        const QJsonArray truncated = reply.data.value("truncated"_L1).toArray();
        const QJsonObject cursors = reply.data.value("rooms"_L1).toObject();
        for (const QJsonValue &v : truncated)
            if (ChatRoom *room = m_roomObjects.value(v.toString()))
                room->fetchAfter(qint64(cursors.value(v.toString()).toDouble()));
        if (reply.code == u"disconnected"_s)
            return; // the next hello resumes again
        afterCatchUp();
        Q_EMIT resumed();
    });
}

void Session::afterCatchUp()
{
    for (ChatRoom *room : std::as_const(m_roomObjects))
        room->resendPending();
    m_notifications.refresh();
    refreshRooms();
    refreshPeople();
    Q_EMIT ready();
}

ChatRoom *Session::ensureRoom(const QJsonObject &info)
{
    const QString name = info.value("name"_L1).toString();
    if (name.isEmpty())
        return nullptr;
    ChatRoom *room = m_roomObjects.value(name);
    if (!room) {
        room = new ChatRoom(name, &m_connection, this);
        room->setSelf(m_userName);
        room->setDisplayNames([this](const QString &user) { return m_names.of(user); });
        room->setReadSeq(m_settings.readSeq(m_userName, name));
        connect(room, &ChatRoom::readSeqChanged, this,
                [this, name](qint64 seq) { m_settings.setReadSeq(m_userName, name, seq); });
        m_roomObjects.insert(name, room);
        connect(room, &ChatRoom::messageArrived, this,
                [this, room](const MessageModel::Message &m) { m_alerts.consider(room, m); });
        connect(room, &ChatRoom::unreadCountChanged, this, [this, room, name] {
            if (room->unreadCount() == 0)
                m_alerts.roomRead(name); // read here or on another device: its toasts go
            updateBadge();
        });
        room->applyInfo(info);
        if (room->kind() == u"dm"_s && m_people.indexOf(room->peer()) >= 0)
            room->setPeerStatus(m_people.status(room->peer()));
        m_rooms.addRoom(room);
    } else {
        room->applyInfo(info);
    }
    return room;
}

void Session::dropRoom(const QString &name)
{
    ChatRoom *room = m_roomObjects.take(name);
    if (!room)
        return;
    m_rooms.removeRoom(name);
    room->deleteLater();
    updateBadge();
}

void Session::refreshRooms()
{
    m_connection.request(proto::Type::RoomList, {}, [this](const Reply &reply) {
        if (!reply.ok)
            return;
        QSet<QString> listed;
        const QJsonArray rooms = reply.data.value("rooms"_L1).toArray();
        for (const QJsonValue &v : rooms) {
            const QJsonObject info = v.toObject();
            listed.insert(info.value("name"_L1).toString());
            ensureRoom(info);
        }
        const QStringList known = m_roomObjects.keys();
        for (const QString &name : known)
            if (!listed.contains(name))
                dropRoom(name);
    });
}

void Session::refreshPeople()
{
    m_connection.request(proto::Type::UserList, {}, [this](const Reply &reply) {
        if (!reply.ok)
            return;
        const QJsonArray users = reply.data.value("users"_L1).toArray();
        m_people.setUsers(users);
        // Remembered, so that after a restart people are named the same before this list comes.
        for (const QJsonValue &v : users)
            m_settings.rememberDisplayName(v.toObject().value("name"_L1).toString(),
                                           v.toObject().value("display"_L1).toString());
        // Direct messages are named after the other person: their names may just have arrived.
        updatePeerStatus();
        for (ChatRoom *room : std::as_const(m_roomObjects)) {
            room->messages()->refreshNames();
            if (room->kind() == u"dm"_s)
                Q_EMIT room->infoChanged();
        }
    });
}

ChatRoom *Session::room(const QString &name) const
{
    return m_roomObjects.value(name);
}

void Session::openDirectMessage(const QString &user)
{
    m_connection.request(proto::Type::DmOpen, {{u"user"_s, user}}, [this](const Reply &reply) {
        if (!reply.ok)
            return;
        QJsonObject info = reply.data.value("room"_L1).toObject();
        info.insert(u"member"_s, true);
        if (ChatRoom *room = ensureRoom(info))
            Q_EMIT roomOpenRequested(room);
    });
}

void Session::joinRoom(const QString &name)
{
    m_connection.request(proto::Type::RoomJoin, {{u"room"_s, name}}, [this](const Reply &reply) {
        if (!reply.ok)
            return;
        QJsonObject info = reply.data.value("room"_L1).toObject();
        info.insert(u"member"_s, true);
        if (ChatRoom *room = ensureRoom(info))
            Q_EMIT roomOpenRequested(room);
    });
}

void Session::setAway(bool away)
{
    m_awayByHand = away;
    sendPresence();
}

void Session::sendPresence(bool greeted)
{
    if (m_connection.state() != Connection::Connected && !greeted)
        return; // the next hello sends it
    const bool away = m_awayByHand || m_idle.isIdle();
    QJsonObject body{{u"status"_s, away ? u"away"_s : u"online"_s}};
    if (away && !m_awayByHand)
        body.insert(u"idle"_s, qint64(m_idle.idleMs()));
    m_connection.request(proto::Type::PresenceSet, body);
}
