#include "hub.h"

#include "connections.h"
#include "database.h"
#include "hubcontext.h"

#include "features/audittrail.h"
#include "features/authentication.h"
#include "features/clusterlink.h"
#include "features/delivery.h"
#include "features/escalationscheduler.h"
#include "features/filestore.h"
#include "features/messagechanges.h"
#include "features/messagesearch.h"
#include "features/messaging.h"
#include "features/notificationcenter.h"
#include "features/presencetracker.h"
#include "features/readreceipts.h"
#include "features/receipts.h"
#include "features/retention.h"
#include "features/roomdirectory.h"
#include "features/roomnotifications.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcHub, "herald.hub")

namespace herald {

using namespace proto;
using namespace feature;

namespace {
constexpr int MaxEarlyFrames = 32;

/** @brief Everything the hub keeps in memory from storage: people, rooms, tokens. */
struct Snapshot
{
    QList<UserRow> users;
    QList<RoomRow> rooms;
    QList<TokenRow> tokens;
};
StoreResult<Snapshot> readSnapshot(Store &st)
{
    return Snapshot{st.users(), st.rooms(), st.allTokens()};
}
} // namespace

Hub::Hub(const Config &config, Database *db, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_db(db)
    , m_conns(std::make_unique<Connections>(m_stats))
    , m_ctx(new HubContext{m_config, *db, *m_conns, m_stats})
{
    m_limits.maxFrameBytes = config.maxFrameBytes;
    m_auth = std::make_unique<Authentication>(*m_ctx);
    m_directory = std::make_unique<RoomDirectory>(*m_ctx);
    m_messaging = std::make_unique<Messaging>(*m_ctx);
    m_roomNotifications = std::make_unique<RoomNotifications>(*m_ctx);
    m_readReceipts = std::make_unique<ReadReceipts>(*m_ctx);
    m_messageChanges = std::make_unique<MessageChanges>(*m_ctx);
    m_search = std::make_unique<MessageSearch>(*m_ctx);
    m_delivery = std::make_unique<Delivery>(*m_ctx);
    m_presence = std::make_unique<PresenceTracker>(*m_ctx);
    m_notifications = std::make_unique<NotificationCenter>(*m_ctx);
    m_receipts = std::make_unique<Receipts>(*m_ctx);
    m_audit = std::make_unique<AuditTrail>(*m_ctx);
    m_files = std::make_unique<FileStore>(*m_ctx);
    m_ctx->files = m_files.get();
    m_retention = std::make_unique<Retention>(*m_ctx);
    m_cluster = std::make_unique<ClusterLink>(*m_ctx);
    m_escalations = std::make_unique<EscalationScheduler>(*m_ctx);
    m_ctx->auth = m_auth.get();
    m_ctx->directory = m_directory.get();
    m_ctx->messaging = m_messaging.get();
    m_ctx->delivery = m_delivery.get();
    m_ctx->presence = m_presence.get();
    m_ctx->notifications = m_notifications.get();
    m_ctx->cluster = m_cluster.get();
    m_ctx->readReceipts = m_readReceipts.get();
    m_ctx->reload = [this](std::function<void()> done, bool tellOthers) {
        reloadState(std::move(done), tellOthers);
    };
    m_ctx->text = [this](quint64 conn, const QByteArray &frame) { text(conn, frame); };
    connect(m_notifications.get(), &NotificationCenter::webhookQueued, this, &Hub::webhookQueued);
    connect(m_notifications.get(), &NotificationCenter::delivered, this, &Hub::delivered);
    connect(m_receipts.get(), &Receipts::webhookQueued, this, &Hub::webhookQueued);
    connect(m_escalations.get(), &EscalationScheduler::webhookQueued, this, &Hub::webhookQueued);
    m_sweepTimer.setInterval(1000);
    connect(&m_sweepTimer, &QTimer::timeout, this, &Hub::sweep);
    m_sweepTimer.start();
}

Hub::~Hub() = default;

QString Hub::load()
{
    const StoreResult<Snapshot> r = m_db->runSync<Snapshot>(readSnapshot);
    if (const StoreError *e = std::get_if<StoreError>(&r))
        return e->message;
    const Snapshot &snapshot = std::get<Snapshot>(r);
    m_directory->load(snapshot.users, snapshot.rooms);
    m_auth->setTokens(snapshot.tokens);
    return {};
}

void Hub::setBus(Bus *bus, const QByteArray &nodeId)
{
    m_cluster->setBus(bus, nodeId);
}

bool Hub::storageWritable() const
{
    return m_db->writable();
}

QString Hub::busState() const
{
    return m_cluster->state();
}

int Hub::connectionCount() const
{
    return m_conns->size();
}

int Hub::onlineCount() const
{
    return m_presence->onlineCount();
}

QStringList Hub::onlineUsers() const
{
    QStringList out;
    for (qint64 userId : m_conns->users())
        out << m_directory->nameOf(userId);
    out.sort();
    return out;
}

// ------------------------------------------------------------------ connections

quint64 Hub::open(Peer *peer, const QString &bearerToken)
{
    const quint64 id = m_conns->open(peer, now(), m_config.messagesBurst).id;
    // Authenticate on the next turn of the event loop: the edge must know the id first, in
    // case a failure closes the connection at once.
    if (!bearerToken.isEmpty())
        QMetaObject::invokeMethod(
            this,
            [this, id, bearerToken] {
                if (Conn *c = m_conns->find(id); c && !c->closing)
                    m_auth->authenticate(*c, bearerToken);
            },
            Qt::QueuedConnection);
    return id;
}

void Hub::closeAll(int code, const QString &reason)
{
    const QList<quint64> ids = m_conns->ids();
    for (quint64 id : ids)
        if (Conn *c = m_conns->find(id))
            m_conns->close(*c, code, reason);
    m_auth->flushUses(); // storage runs every queued job before it closes
    m_messaging->writeOutReadMarks();
}

void Hub::closed(quint64 id)
{
    Conn *c = m_conns->find(id);
    if (!c)
        return;
    // Logged as connects are: who, from where, and why it ended (never the token).
    if (c->userId) {
        const QString address = c->peer ? c->peer->address() : QString();
        const RoomDirectory::User *u = m_directory->user(c->userId);
        if (c->closeCode)
            qCInfo(lcHub).noquote() << "disconnected" << (u ? u->name : QString()) << "from"
                                    << address << "with close code" << c->closeCode;
        else
            qCInfo(lcHub).noquote() << "disconnected" << (u ? u->name : QString()) << "from"
                                    << address << "(closed by the client or the network)";
    }
    c->peer = nullptr; // never touched again
    c->closing = true;
    // Removal is deferred so that no caller iterating connections sees one vanish under it.
    QMetaObject::invokeMethod(
        this,
        [this, id] {
            if (!m_conns->find(id))
                return;
            const qint64 userId = m_conns->remove(id);
            // What the features kept about the connection goes with it.
            m_auth->connectionClosed(id);
            m_messaging->connectionClosed(id);
            m_delivery->connectionClosed(id);
            m_presence->connectionClosed(id, userId);
        },
        Qt::QueuedConnection);
}

void Hub::activity(quint64 id)
{
    if (Conn *c = m_conns->find(id))
        c->lastSeen = now();
}

void Hub::slowConsumer(quint64 id)
{
    if (Conn *c = m_conns->find(id))
        m_conns->close(*c, Close::SlowConsumer, s("outbound queue full: reconnect and resume"));
}

void Hub::binary(quint64 id)
{
    if (Conn *c = m_conns->find(id))
        m_conns->close(*c, Close::UnsupportedData,
                       s("binary frames are not supported; send JSON text"));
}

void Hub::sweep()
{
    const qint64 t = now();
    const QList<quint64> pending(m_conns->unauthenticated().begin(),
                                 m_conns->unauthenticated().end());
    for (quint64 id : pending) {
        Conn *c = m_conns->find(id);
        if (c && !c->authed && t - c->openedAt > m_config.authTimeout * 1000LL) {
            ++m_stats.authFailures;
            qCInfo(lcHub).noquote()
                << "auth timeout from" << (c->peer ? c->peer->address() : QString());
            m_conns->close(*c, Close::AuthTimeout, s("no auth within the deadline"));
        }
    }
    const bool pingNow = t - m_lastPing >= m_config.heartbeatInterval * 1000LL;
    if (pingNow)
        m_lastPing = t;
    m_conns->forEach([&](Conn &c) {
        if (!c.peer || c.closing)
            return;
        if (t - c.lastSeen > m_config.heartbeatTimeout * 1000LL)
            return m_conns->close(c, Close::IdleTimeout,
                                  s("no traffic within the heartbeat timeout"));
        if (pingNow)
            c.peer->ping();
    });
    if (t - m_lastSessionRefresh >= 60 * 1000) {
        m_lastSessionRefresh = t;
        m_auth->refreshOpenSessions();
    }
}

// ------------------------------------------------------------------ frames

bool Hub::rateOk(Conn &c)
{
    const qint64 t = now();
    c.bucket = std::min<double>(m_config.messagesBurst,
                                c.bucket + (t - c.bucketAt) * m_config.messagesPerSecond / 1000.0);
    c.bucketAt = t;
    if (c.bucket >= 1) {
        c.bucket -= 1;
        c.rateStrikes = 0;
        return true;
    }
    return false;
}

void Hub::text(quint64 id, const QByteArray &bytes)
{
    Conn *cp = m_conns->find(id);
    if (!cp || cp->closing)
        return;
    Conn &c = *cp;
    ++m_stats.framesIn;
    c.lastSeen = now();
    if (c.authPending) {
        if (c.early.size() >= MaxEarlyFrames)
            return m_conns->close(c, Close::PolicyViolation,
                                  s("too many frames before auth completed"));
        c.early << bytes;
        return;
    }
    DecodeResult r = decode(bytes, Direction::ClientToServer, m_limits);
    if (!rateOk(c)) {
        if (++c.rateStrikes > m_config.messagesBurst)
            return m_conns->close(c, Close::RateLimited, s("message rate exceeded"));
        m_conns->send(c, error(r.ok() ? r.frame->id() : r.error.id, s(Err::RateLimited),
                               QStringLiteral("slow down: at most %1 frames per second")
                                   .arg(m_config.messagesPerSecond)));
        return;
    }
    if (!r.ok()) {
        m_conns->send(c, error(r.error));
        if (++c.badFrames > m_config.maxBadFrames)
            m_conns->close(c, Close::PolicyViolation, s("too many invalid frames"));
        return;
    }
    const Frame &f = *r.frame;
    if (!c.authed) {
        if (f.type != Type::Auth) {
            m_conns->send(c, error(f.id(), s(Err::Unauthorized), s("authenticate first")));
            return m_conns->close(c, Close::AuthFailed, s("authenticate first"));
        }
        return m_auth->authenticate(c, f.str(key("token")));
    }
    m_delivery->frameArrived(c.id, f.type == Type::Resume);
    dispatch(c, f);
}

void Hub::dispatch(Conn &c, const Frame &f)
{
    const QString &t = f.type;
    if (t == Type::Ping)
        return m_conns->send(c, encode(Type::Pong, {{key("id"), f.id()}}));
    if (t == Type::MsgSend)
        return m_messaging->onSend(c, f);
    if (t == Type::TypingSend)
        return m_messaging->onTyping(c, f);
    if (t == Type::Auth)
        return m_conns->send(c, error(f.id(), s(Err::Conflict), s("already authenticated")));
    if (t == Type::RoomList)
        return m_directory->onRoomList(c, f);
    if (t == Type::RoomCreate)
        return m_directory->onRoomCreate(c, f);
    if (t == Type::RoomJoin)
        return m_directory->onRoomJoin(c, f);
    if (t == Type::RoomLeave)
        return m_directory->onRoomLeave(c, f);
    if (t == Type::RoomInvite)
        return m_directory->onRoomInvite(c, f);
    if (t == Type::RoomMembers)
        return m_directory->onRoomMembers(c, f);
    if (t == Type::RoomRead)
        return m_messaging->onRead(c, f);
    if (t == Type::RoomNotify)
        return m_roomNotifications->onNotify(c, f);
    if (t == Type::ReceiptsSet)
        return m_readReceipts->onSet(c, f);
    if (t == Type::RoomHistory)
        return m_messaging->onRoomHistory(c, f);
    if (t == Type::MsgEdit)
        return m_messageChanges->onEdit(c, f);
    if (t == Type::MsgDelete)
        return m_messageChanges->onDelete(c, f);
    if (t == Type::MsgReact)
        return m_messageChanges->onReact(c, f);
    if (t == Type::RoomSearch)
        return m_search->onSearch(c, f);
    if (t == Type::DmOpen)
        return m_directory->onDmOpen(c, f);
    if (t == Type::Resume)
        return m_delivery->onResume(c, f);
    if (t == Type::UserList)
        return m_directory->onUserList(c, f);
    if (t == Type::PresenceSet)
        return m_presence->onPresenceSet(c, f);
    if (t == Type::NotifList)
        return m_notifications->onList(c, f);
    if (t == Type::NotifRead)
        return m_notifications->onRead(c, f, false);
    if (t == Type::NotifReadAll)
        return m_notifications->onRead(c, f, true);
    if (t == Type::NotifReadThread)
        return m_notifications->onReadThread(c, f);
    if (t == Type::NotifAction)
        return m_notifications->onAction(c, f);
    if (t == Type::NotifAck)
        return m_receipts->onAck(c, f);
    m_conns->send(c,
                  error(f.id(), s(Err::UnknownType), QStringLiteral("'%1' is not handled").arg(t)));
}

// ------------------------------------------------------------------ admin and the edge's calls

void Hub::reload(std::function<void()> done)
{
    reloadState(std::move(done), true);
}

void Hub::reloadState(std::function<void()> done, bool tellOthers)
{
    if (tellOthers)
        m_cluster->structureChanged();
    ++m_stats.stateReloads;
    m_db->run<Snapshot>(readSnapshot, this, [this, done](StoreResult<Snapshot> r) {
        if (const StoreError *e = std::get_if<StoreError>(&r)) {
            // Nothing read is not "nothing stored": keep what is known rather than end every
            // session and drop every room.
            qCWarning(lcHub).noquote() << "reload failed:" << e->message;
        } else {
            const Snapshot &snapshot = std::get<Snapshot>(r);
            m_directory->apply(snapshot.users, snapshot.rooms);
            m_auth->setTokens(snapshot.tokens);
            QSet<qint64> people;
            for (const UserRow &u : snapshot.users)
                people.insert(u.id);
            // Connections whose token or user is no longer good are closed with their code.
            m_auth->endInvalidSessions(people);
        }
        if (done)
            done();
    });
}

void Hub::login(const QString &username, const QString &password, Reply done)
{
    m_auth->login(username, password, std::move(done));
}

qint64 Hub::serviceForToken(const QString &token, const QString &from)
{
    return m_auth->serviceForToken(token, from);
}

void Hub::personForToken(const QString &token, const QString &from,
                         std::function<void(qint64)> done)
{
    m_auth->personForToken(token, from, std::move(done));
}

FileStore *Hub::files() const
{
    return m_files.get();
}

void Hub::logout(const QString &token, Reply done)
{
    m_auth->logout(token, std::move(done));
}

void Hub::publish(qint64 serviceId, const PublishRequest &request, Reply done)
{
    m_notifications->publish(serviceId, request, std::move(done));
}

void Hub::notificationForService(qint64 id, qint64 serviceId, Reply done)
{
    m_notifications->notificationForService(id, serviceId, std::move(done));
}

void Hub::updateNotification(qint64 serviceId, qint64 id, const NotificationPatch &patch,
                             Reply done)
{
    m_notifications->update(serviceId, id, patch, std::move(done));
}

void Hub::retractNotification(qint64 serviceId, qint64 id, Reply done)
{
    m_notifications->retract(serviceId, id, std::move(done));
}

void Hub::notificationReceipts(qint64 serviceId, qint64 id, qint64 afterUser, int limit, Reply done)
{
    m_receipts->receipts(serviceId, id, afterUser, limit, std::move(done));
}

void Hub::notificationAudit(qint64 serviceId, qint64 id, qint64 afterId, int limit, Reply done)
{
    m_audit->trail(serviceId, id, afterId, limit, std::move(done));
}

} // namespace herald
