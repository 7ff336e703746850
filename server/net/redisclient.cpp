#include "redisclient.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>
#include <QSocketNotifier>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

Q_LOGGING_CATEGORY(lcRedis, "herald.redis")

namespace herald {

namespace {
struct Pending
{
    RedisClient::Reply done;
    QPointer<QObject> owner;
};
} // namespace

RedisClient::RedisClient(QString host, quint16 port, QObject *parent)
    : QObject(parent)
    , m_host(std::move(host))
    , m_port(port)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &RedisClient::connectNow);
    m_connectTimeout.setSingleShot(true);
    m_connectTimeout.setInterval(3000);
    connect(&m_connectTimeout, &QTimer::timeout, this, [this] {
        dropContext();
        scheduleReconnect(QStringLiteral("connect timed out"));
    });
    // A server that stops answering (network cut without RST) is noticed within 2 intervals.
    m_ping.setInterval(2000);
    connect(&m_ping, &QTimer::timeout, this, [this] {
        if (!m_connected)
            return;
        if (!m_channels.isEmpty()) {
            // A subscribed connection takes no PING here: it must hear something (the bus
            // publishes a heartbeat) within the silence timeout instead.
            if (m_silenceMs > 0 && m_lastMessage.elapsed() > m_silenceMs) {
                dropContext();
                scheduleReconnect(QStringLiteral("subscription silent"));
            }
            return;
        }
        if (m_pingOutstanding) {
            dropContext();
            scheduleReconnect(QStringLiteral("no answer to PING"));
            return;
        }
        m_pingOutstanding = true;
        command({QByteArrayLiteral("PING")},
                [this](const QVariant &, bool) { m_pingOutstanding = false; });
    });
}

RedisClient::~RedisClient()
{
    dropContext();
}

void RedisClient::start()
{
    connectNow();
}

QVariant RedisClient::toVariant(const void *r)
{
    const auto *reply = static_cast<const redisReply *>(r);
    if (!reply)
        return {};
    switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
        return QByteArray(reply->str, static_cast<qsizetype>(reply->len));
    case REDIS_REPLY_INTEGER:
        return QVariant::fromValue<qint64>(reply->integer);
    case REDIS_REPLY_ARRAY: {
        QVariantList list;
        for (size_t i = 0; i < reply->elements; ++i)
            list << toVariant(reply->element[i]);
        return list;
    }
    default:
        return {};
    }
}

void RedisClient::connectNow()
{
    dropContext();
    m_ctx = redisAsyncConnect(m_host.toUtf8().constData(), m_port);
    if (!m_ctx || m_ctx->err) {
        const QString why =
            m_ctx ? QString::fromUtf8(m_ctx->errstr) : QStringLiteral("out of memory");
        if (m_ctx)
            redisAsyncFree(m_ctx);
        m_ctx = nullptr;
        return scheduleReconnect(why);
    }
    m_ctx->data = this;
    m_ctx->ev.data = this;
    m_ctx->ev.addRead = &RedisClient::addRead;
    m_ctx->ev.delRead = &RedisClient::delRead;
    m_ctx->ev.addWrite = &RedisClient::addWrite;
    m_ctx->ev.delWrite = &RedisClient::delWrite;
    m_ctx->ev.cleanup = &RedisClient::cleanup;
    redisAsyncSetConnectCallback(m_ctx, [](const redisAsyncContext *c, int status) {
        auto *self = static_cast<RedisClient *>(c->data);
        if (!self)
            return;
        self->m_connectTimeout.stop();
        if (status != REDIS_OK) {
            // hiredis frees the context after this callback.
            self->m_ctx = nullptr; // hiredis frees it; cleanup() drops the notifiers
            return self->scheduleReconnect(QString::fromUtf8(c->errstr));
        }
        self->onConnected();
    });
    redisAsyncSetDisconnectCallback(m_ctx, [](const redisAsyncContext *c, int) {
        auto *self = static_cast<RedisClient *>(c->data);
        if (!self)
            return;
        self->m_ctx =
            nullptr; // freed by hiredis after this callback; cleanup() drops the notifiers
        const bool was = self->m_connected;
        self->m_connected = false;
        if (was)
            Q_EMIT self->disconnected(QString::fromUtf8(c->errstr));
        self->scheduleReconnect(QString::fromUtf8(c->errstr));
    });
    m_connectTimeout.start();
}

void RedisClient::onConnected()
{
    m_connected = true;
    m_attempt = 0;
    m_pingOutstanding = false;
    m_lastMessage.start();
    m_ping.start();
    qCInfo(lcRedis).noquote() << "connected to" << m_host << m_port;
    const QSet<QByteArray> channels = m_channels;
    m_channels.clear();
    for (const QByteArray &c : channels)
        subscribe(c);
    Q_EMIT connected();
}

void RedisClient::scheduleReconnect(const QString &why)
{
    m_connected = false;
    m_ping.stop();
    // Exponential backoff with full jitter: 100 ms up to 5 s.
    const int cap = std::min(5000, 100 << std::min(m_attempt, 6));
    ++m_attempt;
    const int delay = 50 + static_cast<int>(QRandomGenerator::global()->bounded(cap));
    if (m_attempt == 1 || m_attempt % 20 == 0)
        qCWarning(lcRedis).noquote()
            << "redis" << m_host << m_port << "unavailable:" << why << "- retrying";
    m_retry.start(delay);
}

void RedisClient::dropContext()
{
    m_connectTimeout.stop();
    if (!m_ctx)
        return;
    redisAsyncContext *ctx = m_ctx;
    m_ctx = nullptr;
    ctx->data = nullptr; // no callbacks into us from here on
    const bool was = m_connected;
    m_connected = false;
    redisAsyncFree(ctx); // runs pending callbacks with a null reply, then cleanup()
    delete m_read;
    delete m_write;
    m_read = m_write = nullptr;
    if (was)
        Q_EMIT disconnected(QStringLiteral("dropped"));
}

void RedisClient::command(const QList<QByteArray> &argv, Reply done)
{
    if (!m_ctx || !m_connected) {
        if (done)
            done(QVariant(), false);
        return;
    }
    std::vector<const char *> args;
    std::vector<size_t> lens;
    for (const QByteArray &a : argv) {
        args.push_back(a.constData());
        lens.push_back(static_cast<size_t>(a.size()));
    }
    auto *pending = new Pending{std::move(done), this};
    const int rc = redisAsyncCommandArgv(
        m_ctx,
        [](redisAsyncContext *, void *r, void *priv) {
            std::unique_ptr<Pending> p(static_cast<Pending *>(priv));
            if (!p->done || !p->owner)
                return;
            const auto *reply = static_cast<const redisReply *>(r);
            p->done(toVariant(r), reply && reply->type != REDIS_REPLY_ERROR);
        },
        pending, static_cast<int>(args.size()), args.data(), lens.data());
    if (rc != REDIS_OK) {
        std::unique_ptr<Pending> p(pending);
        if (p->done)
            p->done(QVariant(), false);
    }
}

void RedisClient::subscribe(const QByteArray &channel)
{
    if (m_channels.contains(channel))
        return;
    m_channels.insert(channel);
    if (!m_ctx || !m_connected)
        return; // subscribed on (re)connect
    const char *args[] = {"SUBSCRIBE", channel.constData()};
    const size_t lens[] = {9, static_cast<size_t>(channel.size())};
    // hiredis keeps this callback for the subscription and calls it for every message.
    redisAsyncCommandArgv(
        m_ctx,
        [](redisAsyncContext *c, void *r, void *) {
            auto *self = static_cast<RedisClient *>(c->data);
            const auto *reply = static_cast<const redisReply *>(r);
            if (!self || !reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3)
                return;
            const redisReply *kind = reply->element[0];
            self->m_lastMessage.start();
            if (kind->type == REDIS_REPLY_STRING &&
                QByteArray(kind->str, static_cast<qsizetype>(kind->len)) == "message")
                Q_EMIT self->message(QByteArray(reply->element[1]->str,
                                                static_cast<qsizetype>(reply->element[1]->len)),
                                     QByteArray(reply->element[2]->str,
                                                static_cast<qsizetype>(reply->element[2]->len)));
        },
        nullptr, 2, args, lens);
}

void RedisClient::unsubscribe(const QByteArray &channel)
{
    if (!m_channels.remove(channel) || !m_ctx || !m_connected)
        return;
    const char *args[] = {"UNSUBSCRIBE", channel.constData()};
    const size_t lens[] = {11, static_cast<size_t>(channel.size())};
    redisAsyncCommandArgv(m_ctx, nullptr, nullptr, 2, args, lens);
}

// ---- event hooks hiredis calls

void RedisClient::addRead(void *p)
{
    auto *self = static_cast<RedisClient *>(p);
    if (!self->m_read) {
        self->m_read = new QSocketNotifier(self->m_ctx->c.fd, QSocketNotifier::Read, self);
        connect(self->m_read, &QSocketNotifier::activated, self, [self] {
            if (self->m_ctx)
                redisAsyncHandleRead(self->m_ctx);
        });
    }
    self->m_read->setEnabled(true);
}

void RedisClient::delRead(void *p)
{
    auto *self = static_cast<RedisClient *>(p);
    if (self->m_read)
        self->m_read->setEnabled(false);
}

void RedisClient::addWrite(void *p)
{
    auto *self = static_cast<RedisClient *>(p);
    if (!self->m_write) {
        self->m_write = new QSocketNotifier(self->m_ctx->c.fd, QSocketNotifier::Write, self);
        connect(self->m_write, &QSocketNotifier::activated, self, [self] {
            if (self->m_ctx)
                redisAsyncHandleWrite(self->m_ctx);
        });
    }
    self->m_write->setEnabled(true);
}

void RedisClient::delWrite(void *p)
{
    auto *self = static_cast<RedisClient *>(p);
    if (self->m_write)
        self->m_write->setEnabled(false);
}

void RedisClient::cleanup(void *p)
{
    // Called from redisAsyncFree or after a disconnect: the fd is about to close.
    auto *self = static_cast<RedisClient *>(p);
    if (self->m_read) {
        self->m_read->setEnabled(false);
        self->m_read->deleteLater();
        self->m_read = nullptr;
    }
    if (self->m_write) {
        self->m_write->setEnabled(false);
        self->m_write->deleteLater();
        self->m_write = nullptr;
    }
}

} // namespace herald
