#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QVariant>

#include <functional>

struct redisAsyncContext;
class QSocketNotifier;

namespace herald {

/**
 * @brief A small asynchronous Redis client on hiredis, driven by QSocketNotifier.
 *
 * Written instead of hiredis' own Qt adapter (bookworm's 0.14.1 has a use-after-free in its
 * destructor and neither reconnects nor times out): this one reconnects with exponential
 * backoff, checks the connection with PING, times out a connect or a silent server, and
 * re-subscribes its channels after every reconnect. Use one client for commands and another
 * for subscriptions (Redis puts a subscribed connection into a mode without other commands).
 */
class RedisClient : public QObject
{
    Q_OBJECT
public:
    RedisClient(QString host, quint16 port, QObject *parent = nullptr);
    ~RedisClient() override;

    void start();
    [[nodiscard]] bool isConnected() const { return m_connected; }

    /** @brief A reply: a string/status as QByteArray, an integer as qint64, an array as
     *  QVariantList, nil as an invalid QVariant; ok is false for errors and lost connections. */
    using Reply = std::function<void(const QVariant &reply, bool ok)>;
    void command(const QList<QByteArray> &argv, Reply done = {});
    /** @brief Subscribes (now, or as soon as connected, and again after every reconnect). */
    void subscribe(const QByteArray &channel);
    void unsubscribe(const QByteArray &channel);
    /** @brief For a subscribing client: reconnect when no message arrived for this long. */
    void setSilenceTimeout(int ms) { m_silenceMs = ms; }

    static QVariant toVariant(const void *redisReply);

Q_SIGNALS:
    void connected();
    void disconnected(const QString &why);
    void message(const QByteArray &channel, const QByteArray &payload);

private:
    void connectNow();
    void scheduleReconnect(const QString &why);
    void onConnected();
    void dropContext();
    static void addRead(void *p);
    static void delRead(void *p);
    static void addWrite(void *p);
    static void delWrite(void *p);
    static void cleanup(void *p);

    QString m_host;
    quint16 m_port;
    redisAsyncContext *m_ctx = nullptr;
    QSocketNotifier *m_read = nullptr;
    QSocketNotifier *m_write = nullptr;
    bool m_connected = false;
    int m_attempt = 0;
    QTimer m_retry;
    QTimer m_connectTimeout;
    QTimer m_ping;
    bool m_pingOutstanding = false;
    QSet<QByteArray> m_channels;
    QElapsedTimer m_lastMessage;
    int m_silenceMs = 0;
};

} // namespace herald
