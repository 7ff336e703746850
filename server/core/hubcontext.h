#pragma once

#include "clock.h"
#include "connections.h"
#include "database.h"

#include <herald/protocol.h>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>

#include <functional>

Q_DECLARE_LOGGING_CATEGORY(lcHub)

namespace herald {

struct Config;
class Authentication;
class RoomDirectory;
class Messaging;
class Delivery;
class PresenceTracker;
class NotificationCenter;
class ClusterLink;
class FileStore;

/**
 * @brief What every feature module gets from the hub: configuration, storage, the connection
 * table, the counters, and its sibling modules. The hub owns all of them and wires them up;
 * a module owns its own state and reaches the others' only through their methods.
 */
struct HubContext
{
    const Config &config;
    Database &db;
    Connections &conns;
    HubStats &stats;
    Authentication *auth = nullptr;
    RoomDirectory *directory = nullptr;
    Messaging *messaging = nullptr;
    Delivery *delivery = nullptr;
    PresenceTracker *presence = nullptr;
    NotificationCenter *notifications = nullptr;
    ClusterLink *cluster = nullptr;
    FileStore *files = nullptr;
    /** @brief Re-reads users, rooms and tokens (tellOthers: and asks the other nodes to). */
    std::function<void(std::function<void()> done, bool tellOthers)> reload = {};
    /** @brief Hands a frame to the hub's intake as if the peer had sent it just now. */
    std::function<void(quint64 conn, const QByteArray &frame)> text = {};

    void replyError(Conn &c, const QJsonValue &id, const StoreError &e)
    {
        conns.send(c, proto::error(id, e.code, e.message, e.field));
    }

    /**
     * @brief Runs a storage job for a client's request and answers it: with the job's error, or
     * with what `then` makes of its value. `then` runs even when the requester has gone
     * meanwhile (the state change it makes applies anyway); context is the module asking.
     */
    template<typename T>
    void request(QObject *context, Conn &c, const proto::Frame &f, Database::Job<T> job,
                 std::function<StoreResult<QJsonObject>(quint64 conn, T &value)> then)
    {
        const quint64 connId = c.id;
        const QJsonValue id = f.id();
        db.run<T>(std::move(job), context,
                  [this, connId, id, then = std::move(then)](StoreResult<T> r) {
                      Conn *c = conns.find(connId);
                      if (const StoreError *e = std::get_if<StoreError>(&r)) {
                          if (c)
                              replyError(*c, id, *e);
                          return;
                      }
                      const StoreResult<QJsonObject> data = then(connId, std::get<T>(r));
                      if (!c)
                          return;
                      if (const StoreError *e = std::get_if<StoreError>(&data))
                          replyError(*c, id, *e);
                      else
                          conns.send(*c, proto::result(id, std::get<QJsonObject>(data)));
                  });
    }
};

/** @brief A page of stored rows (typed: JSON is made on the hub thread, at the protocol edge)
 *  and whether more follow. */
template<class Row> struct Page
{
    QList<Row> rows;
    bool more = false;
};
using MessagePage = Page<MessageRow>;
using NotificationPage = Page<NotificationRow>;

/** @brief Small helpers the feature modules share. */
namespace feature {
inline qint64 now()
{
    return clock::nowMs();
}
inline QLatin1String key(const char *k)
{
    return QLatin1String(k);
}
inline QString s(const char *text)
{
    return QString::fromLatin1(text);
}
/** @brief An error as the HTTP API and the control socket answer it: {error, message, field}. */
inline QJsonObject errorJson(const StoreError &e)
{
    QJsonObject o{{QStringLiteral("error"), e.code}, {QStringLiteral("message"), e.message}};
    if (!e.field.isEmpty())
        o.insert(QStringLiteral("field"), e.field);
    return o;
}
} // namespace feature

} // namespace herald
