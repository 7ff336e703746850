// The transport-free core driven directly, for the hub's and its modules' unit tests: a Peer
// that records what the hub sends it, a Bus that records what is published on it (and lets a
// test play another node), and a hub on a real Database in a temporary directory, seeded
// through the Store as heraldctl does.
#pragma once

#include "core/bus.h"
#include "core/busevent.h"
#include "core/database.h"
#include "core/hub.h"
#include "core/store.h"

#include <herald/protocol.h>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace hubkit {

using namespace herald;

/** A Peer that keeps every frame the hub sends it, parsed. */
struct RecordingPeer : Peer
{
    void send(const QByteArray &frame) override
    {
        frames << QJsonDocument::fromJson(frame).object();
    }
    void close(int code, const QString &) override { closedWith = code; }
    void ping() override { ++pings; }
    [[nodiscard]] QString address() const override { return QStringLiteral("test"); }
    QList<QJsonObject> of(const char *type) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &f : frames)
            if (f.value(QLatin1String("type")).toString() == QLatin1String(type))
                out << f;
        return out;
    }
    /** The answer (result or error) to the request with this id; empty while there is none. */
    QJsonObject answer(const QString &id) const
    {
        for (const QJsonObject &f : frames)
            if (f.value(QLatin1String("id")).toString() == id &&
                (f.value(QLatin1String("type")).toString() == QLatin1String("result") ||
                 f.value(QLatin1String("type")).toString() == QLatin1String("error")))
                return f;
        return {};
    }
    /** The types of every frame so far, in order. */
    QStringList types() const
    {
        QStringList out;
        for (const QJsonObject &f : frames)
            out << f.value(QLatin1String("type")).toString();
        return out;
    }
    QList<QJsonObject> frames;
    int closedWith = 0;
    int pings = 0;
};

inline QByteArray frame(const char *json)
{
    return QByteArray(json);
}

inline QByteArray frame(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

/** A Bus that records what the hub publishes and lets a test deliver other nodes' events. */
struct RecordingBus : Bus
{
    void start() override {}
    [[nodiscard]] bool isUp() const override { return connected; }
    void publish(const QByteArray &channel, const QByteArray &payload) override
    {
        const std::optional<BusEvent> e = BusEvent::decode(payload);
        if (!e)
            qFatal("hubkit: the hub published an event that does not decode");
        published << std::pair{channel, *e};
    }
    void subscribe(const QByteArray &channel) override { subscribed.insert(channel); }
    void unsubscribe(const QByteArray &channel) override { subscribed.remove(channel); }
    void announcePresence(const QList<qint64> &online, const QList<qint64> &offline, int) override
    {
        announcedOn << online;
        announcedOff << offline;
    }
    void readPresence(std::function<void(const QList<qint64> &)> done) override
    {
        done(remoteOnline);
    }
    /** An event as it arrives from the bus, from another node (or, when `node` says so, from
     *  this one). */
    void deliver(const QByteArray &channel, BusEvent event, const QByteArray &node = "other-node")
    {
        event.node = node;
        Q_EMIT received(channel, event.encode());
    }
    /** Bytes as they come off the bus, whatever they are. */
    void deliverRaw(const QByteArray &channel, const QByteArray &payload)
    {
        Q_EMIT received(channel, payload);
    }
    QList<BusEvent> on(const QByteArray &channel) const
    {
        QList<BusEvent> out;
        for (const auto &[c, e] : published)
            if (c == channel)
                out << e;
        return out;
    }
    bool connected = true;
    QList<std::pair<QByteArray, BusEvent>> published;
    QSet<QByteArray> subscribed;
    QList<qint64> announcedOn, announcedOff;
    QList<qint64> remoteOnline;
};

/**
 * A hub over a fresh database. Seed it through `store` (open on the same database, as
 * heraldctl would be), then start(); store stays usable while the hub runs.
 */
struct World
{
    World()
    {
        if (!dir.isValid() || store.open(dir.path()))
            qFatal("hubkit: cannot open a store in a temporary directory");
    }
    ~World()
    {
        hub.reset();
        db.reset();
    }
    qint64 user(const QString &name, const QString &password = {})
    {
        return std::get<qint64>(store.createUser(name, QString(), password));
    }
    QString token(const QString &name)
    {
        return std::get<QString>(store.issueToken(store.user(name)->id, 0, QStringLiteral("user"),
                                                  QStringLiteral("test")));
    }
    qint64 room(const QString &name, const QStringList &members,
                const QString &kind = QStringLiteral("public"))
    {
        const qint64 id = std::get<qint64>(store.createRoom(name, name.toUpper(), kind));
        for (const QString &m : members)
            store.addMember(id, store.user(m)->id);
        return id;
    }
    /** A service and its token; *id gets the service id. */
    QString service(const QString &name, qint64 *id = nullptr)
    {
        const qint64 s = std::get<qint64>(store.createService(name, QString(), QString()));
        if (id)
            *id = s;
        return std::get<QString>(
            store.issueToken(0, s, QStringLiteral("service"), QStringLiteral("test")));
    }
    bool start(Config cfg = defaults())
    {
        db = std::make_unique<Database>();
        if (!db->open(dir.path()).isEmpty())
            return false;
        hub = std::make_unique<Hub>(cfg, db.get());
        return hub->load().isEmpty();
    }
    static Config defaults()
    {
        Config cfg;
        cfg.presenceCoalesceMs = 20;
        cfg.messagesPerSecond = 1000;
        cfg.messagesBurst = 1000;
        return cfg;
    }
    /** Opens a connection with a bearer token and waits for its hello (0 if none came). */
    quint64 connect(RecordingPeer &peer, const QString &token)
    {
        const quint64 id = hub->open(&peer, token);
        if (!QTest::qWaitFor([&] { return !peer.of("hello").isEmpty() || peer.closedWith; }))
            return 0;
        return peer.of("hello").isEmpty() ? 0 : id;
    }
    /** connect(), then a ping: past its pong the connection's live frames are no longer held
     *  for a resume (see Delivery). */
    quint64 live(RecordingPeer &peer, const QString &token)
    {
        const quint64 id = connect(peer, token);
        if (!id)
            return 0;
        const qsizetype pongs = peer.of("pong").size();
        hub->text(id, frame(R"({"type":"ping","id":"live"})"));
        return QTest::qWaitFor([&] { return peer.of("pong").size() > pongs; }) ? id : 0;
    }
    /** Sends a request (JSON text with an "id") and waits for its answer (empty on timeout). */
    QJsonObject request(RecordingPeer &peer, quint64 conn, const QByteArray &json)
    {
        const QString id =
            QJsonDocument::fromJson(json).object().value(QLatin1String("id")).toString();
        hub->text(conn, json);
        [[maybe_unused]] const bool answered =
            QTest::qWaitFor([&] { return !peer.answer(id).isEmpty(); });
        return peer.answer(id);
    }
    /** Publishes through the one door (PublishRequest) as a service would; returns the reply
     *  ({id, duplicate, recipients} or {error, ...}), empty on timeout. */
    QJsonObject publish(qint64 serviceId, const QByteArray &json)
    {
        auto parsed = PublishRequest::parse(json, QDateTime::currentMSecsSinceEpoch());
        if (const auto *e = std::get_if<ValidationError>(&parsed))
            return {{QStringLiteral("error"), e->code}, {QStringLiteral("message"), e->message}};
        const PublishRequest &req = std::get<PublishRequest>(parsed);
        QJsonObject reply;
        hub->publish(serviceId, req, [&reply](const QJsonObject &r) { reply = r; });
        [[maybe_unused]] const bool answered = QTest::qWaitFor([&] { return !reply.isEmpty(); });
        return reply;
    }
    /** Waits until the storage thread has answered everything queued so far, and the answers
     *  have been handled. */
    void settle()
    {
        for (int i = 0; i < 3; ++i) {
            db->runSync<Ok>([](Store &) { return Ok{}; });
            QCoreApplication::processEvents();
        }
    }

    QTemporaryDir dir;
    Store store;
    std::unique_ptr<Database> db;
    std::unique_ptr<Hub> hub;
};

/** JSON text as an object (tests write frames as raw strings). */
inline QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}
inline QJsonObject data(const QJsonObject &answer)
{
    return answer.value(QLatin1String("data")).toObject();
}
inline QString code(const QJsonObject &answer)
{
    return answer.value(QLatin1String("code")).toString();
}

} // namespace hubkit
