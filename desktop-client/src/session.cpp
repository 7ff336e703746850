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
{
    m_notifications.setConnection(&m_connection);
    connect(&m_connection, &Connection::frameReceived, this, &Session::onFrame);
    connect(&m_connection, &Connection::stateChanged, this, &Session::updateStatus);
    connect(&m_connection, &Connection::authRejected, this, &Session::onAuthRejected);
    connect(&m_notifications, &NotificationModel::unreadCountChanged, this,
            &Session::unreadCountChanged);

    // Notifications become toasts; what the person does on a toast goes back to the model.
    connect(&m_notifications, &NotificationModel::arrived, &m_toasts, &ToastModel::show);
    connect(&m_notifications, &NotificationModel::updated, &m_toasts, &ToastModel::update);
    connect(&m_notifications, &NotificationModel::actionFinished, &m_toasts,
            &ToastModel::finishAction);
    connect(&m_toasts, &ToastModel::actionRequested, &m_notifications, &NotificationModel::act);
    connect(&m_toasts, &ToastModel::linkRequested, &m_notifications, &NotificationModel::openLink);
    connect(&m_toasts, &ToastModel::toastShown, this, [this] {
        if (m_settings.sound())
            Q_EMIT soundRequested();
    });
    m_toasts.setDoNotDisturb(m_settings.doNotDisturb());
    connect(&m_settings, &Settings::doNotDisturbChanged, this,
            [this] { m_toasts.setDoNotDisturb(m_settings.doNotDisturb()); });
    connect(&m_toasts, &ToastModel::doNotDisturbChanged, this,
            [this] { m_settings.setDoNotDisturb(m_toasts.doNotDisturb()); });

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

Session *Session::create(QQmlEngine *, QJSEngine *)
{
    if (!s_instance)
        s_instance = new Session(nullptr); // QML tests: the engine owns it
    else
        QJSEngine::setObjectOwnership(s_instance, QJSEngine::CppOwnership);
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

void Session::signIn(const QString &server, const QString &username, const QString &password)
{
    const QUrl base = Connection::httpUrl(server);
    if (!base.isValid() || base.isEmpty()) {
        setError(u"Enter the server address, like https://herald.example.com"_s);
        return;
    }
    if (username.trimmed().isEmpty() || password.isEmpty()) {
        setError(u"Enter your user name and password."_s);
        return;
    }
    m_connection.close();
    resetData();
    setError({});
    m_token.clear();
    setStatus(SigningIn);
    QUrl url = base;
    url.setPath(u"/api/v1/login"_s);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    request.setTransferTimeout(15000);
    request.setSslConfiguration(Connection::tlsConfiguration(m_settings.caFile()));
    const QJsonObject body{{u"username"_s, username.trimmed()}, {u"password"_s, password}};
    QNetworkReply *reply =
        m_network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    connect(reply, &QNetworkReply::finished, this, [this, reply, server] {
        reply->deleteLater();
        if (m_status != SigningIn || !m_token.isEmpty())
            return;
        const int httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
        if (httpStatus == 200 && !answer.value("token"_L1).toString().isEmpty()) {
            m_credentialSaved = false;
            start(server, answer.value("token"_L1).toString(),
                  answer.value("user"_L1).toObject().value("name"_L1).toString(), true);
            return;
        }
        if (httpStatus == 401)
            setError(u"Wrong user name or password."_s);
        else if (httpStatus == 0)
            setError(u"Cannot reach the server: %1"_s.arg(reply->errorString()));
        else
            setError(answer.value("error"_L1)
                         .toObject()
                         .value("message"_L1)
                         .toString(u"The server refused the sign-in (HTTP %1)."_s.arg(httpStatus)));
        setStatus(SignedOut);
    });
}

void Session::signInWithToken(const QString &server, const QString &token)
{
    const QUrl base = Connection::httpUrl(server);
    if (!base.isValid() || base.isEmpty()) {
        setError(u"Enter the server address, like https://herald.example.com"_s);
        return;
    }
    if (token.trimmed().isEmpty()) {
        setError(u"Paste a token."_s);
        return;
    }
    m_connection.close();
    resetData();
    setError({});
    m_credentialSaved = false;
    start(server, token.trimmed(), {}, true);
}

void Session::connectWithToken(const QString &server, const QString &token)
{
    m_connection.close();
    resetData();
    setError({});
    m_credentialSaved = false;
    start(server, token.trimmed(), {}, false);
}

void Session::restore()
{
    if (m_settings.server().isEmpty()) {
        setStatus(SignedOut);
        return;
    }
    m_token.clear();
    setStatus(SigningIn);
    m_credentials.load(m_settings.server());
}

void Session::start(const QString &server, const QString &token, const QString &user,
                    bool interactive)
{
    m_interactive = interactive;
    m_server = Connection::httpUrl(server).toString();
    m_token = token;
    if (!user.isEmpty() && user != m_userName) {
        m_userName = user;
        Q_EMIT userChanged();
    }
    m_hadHello = false;
    m_settings.setServer(m_server);
    m_connection.setServer(m_server);
    m_connection.setToken(m_token);
    m_connection.setCaFile(m_settings.caFile());
    setStatus(SigningIn);
    m_connection.open();
}

void Session::signOut()
{
    m_connection.close();
    if (!m_server.isEmpty())
        m_credentials.remove(m_server);
    m_token.clear();
    resetData();
    setError({});
    setStatus(SignedOut);
}

void Session::onAuthRejected(int code, const QString &)
{
    QString message;
    switch (code) {
    case proto::Close::TokenRevoked:
        message = u"Your session was revoked. Please sign in again."_s;
        break;
    case proto::Close::UserDisabled:
        message = u"Your account is disabled. Contact your administrator."_s;
        break;
    default:
        message = m_hadHello ? u"The server no longer accepts your sign-in. Please sign in again."_s
                             : u"The server did not accept the sign-in. Please sign in again."_s;
        break;
    }
    // A refused token is useless: forget it so the next start asks instead of failing again.
    if (!m_server.isEmpty())
        m_credentials.remove(m_server);
    m_token.clear();
    resetData();
    setError(message);
    setStatus(SignedOut);
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
            setError(u"Cannot connect to the server: %1"_s.arg(why));
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
    m_notifications.clear();
    m_rooms.clear();
    const auto rooms = std::exchange(m_roomObjects, {});
    for (ChatRoom *room : rooms)
        room->deleteLater();
    m_people.clear();
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
    } else if (type == proto::Type::Typing) {
        if (ChatRoom *room = m_roomObjects.value(roomName))
            room->handleTyping(frame.str("user"_L1));
    } else if (type == proto::Type::Presence) {
        const QJsonArray users = frame.body.value("users"_L1).toArray();
        if (ChatRoom *room = m_roomObjects.value(roomName))
            room->handlePresence(users, int(frame.integer("online"_L1)));
        for (const QJsonValue &v : users)
            m_people.setStatus(v.toObject().value("user"_L1).toString(),
                               v.toObject().value("status"_L1).toString());
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
               type == proto::Type::NotifReadSync || type == proto::Type::NotifResolved) {
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
    m_settings.setLastUser(m_userName);
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

    const QJsonArray rooms = frame.body.value("rooms"_L1).toArray();
    for (const QJsonValue &v : rooms) {
        QJsonObject info = v.toObject();
        if (!info.contains("member"_L1))
            info.insert(u"member"_s, true);
        ensureRoom(info);
    }
    m_notifications.handleHello(frame.body, reconnect);
    m_hadHello = true;
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
        room->setDisplayNames([this](const QString &user) { return m_people.displayName(user); });
        room->setReadSeq(m_settings.readSeq(m_userName, name));
        connect(room, &ChatRoom::readSeqChanged, this,
                [this, name](qint64 seq) { m_settings.setReadSeq(m_userName, name, seq); });
        m_roomObjects.insert(name, room);
        room->applyInfo(info);
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
        m_people.setUsers(reply.data.value("users"_L1).toArray());
        // Direct messages are named after the other person: their names may just have arrived.
        for (ChatRoom *room : std::as_const(m_roomObjects))
            if (room->kind() == u"dm"_s)
                Q_EMIT room->infoChanged();
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
    m_connection.request(proto::Type::PresenceSet, {{u"status"_s, away ? u"away"_s : u"online"_s}});
}
