#pragma once

#include "core/peer.h"

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QThread>
#include <QWebSocket>

#include <functional>
#include <memory>
#include <vector>

namespace herald {

class Hub;
class IoPeer;

/**
 * @brief A network thread: owns a share of the WebSocket connections and writes their frames.
 * The hub (on the main thread) serializes a frame once and hands the same bytes to each
 * recipient's worker through a locked outbox; each worker frames and writes on its own core.
 */
class IoWorker : public QObject
{
    Q_OBJECT
public:
    explicit IoWorker(int index);
    ~IoWorker() override;
    /** @brief Any thread: queue a frame for the connection with this id. */
    void enqueue(quint64 peerId, const QByteArray &payload);
    /** @brief Any thread: queue a close behind the frames queued before it. */
    void enqueueClose(quint64 peerId, int code, const QString &reason);
    [[nodiscard]] QThread *thread() { return &m_thread; }
    /** @brief Closes and deletes every connection it owns, then stops the thread. */
    void shutdown();

private:
    friend class IoPeer;
    void drain();
    struct Out
    {
        quint64 peer;
        QByteArray payload;
        int closeCode = 0; // not 0: close with this code (and the payload as the reason)
    };
    void push(Out out);

    QThread m_thread;
    QMutex m_mutex;
    std::vector<Out> m_outbox;
    bool m_wakeScheduled = false;     // under m_mutex
    QHash<quint64, IoPeer *> m_peers; // worker thread only
};

/** @brief A connection that an IoWorker writes: frames are queued with write(), and flush() ends
 *  each batch (one batch is every frame the hub handed over since the worker last woke). */
class IoPeer : public QObject, public Peer
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~IoPeer() override;
    /** @brief On the connection's own thread: frame and queue (or write) one payload. */
    virtual void write(const QByteArray &payload) = 0;
    /** @brief On the connection's own thread, after a batch of write()s. */
    virtual void flush() {}
    /** @brief On the connection's own thread: send a close frame after what was written. */
    virtual void closeNow(int code, const QString &reason) = 0;

protected:
    /** @brief On the worker's thread: the worker may now hand this peer its frames. */
    void attach();
    /** @brief Any thread: hand a frame to the worker (or write it, without one). */
    void sendVia(const QByteArray &payload);
    /** @brief Any thread: close after the frames handed over before (Peer::close). */
    void closeVia(int code, const QString &reason);
    /** @brief On the connection's thread, once: tell the hub it is closed, then delete this. */
    void reportClosed();
    /** @brief Any thread: run a call on the hub's thread. */
    void toHub(std::function<void(Hub *)> call);

    IoWorker *m_worker = nullptr;
    Hub *m_hub = nullptr;
    quint64 m_id = 0;

private:
    friend class IoWorker;
    bool m_batched = false; // worker thread: written to in the current batch
};

/**
 * @brief A WebSocket connection over TLS, through QWebSocket (plain connections are FdPeers).
 * Outgoing frames are framed here and written straight
 * to the TCP socket (server frames are unmasked, so the same payload goes to every peer), and the
 * socket's bytesToWrite() — which also counts QWebSocket's own pong replies — is the outbound
 * queue that the cap applies to.
 */
class WsPeer : public IoPeer
{
    Q_OBJECT
public:
    WsPeer(std::unique_ptr<QWebSocket> ws, QTcpSocket *tcp, Hub *hub, qint64 outboundCap,
           quint64 maxMessage, QObject *parent = nullptr);
    ~WsPeer() override;

    /** @brief Registers with the hub and starts reading; with a worker, the connection moves to
     *  that worker's thread first (call on the main thread). */
    void start(const QString &bearerToken, IoWorker *worker = nullptr);
    void send(const QByteArray &frame) override;
    void close(int code, const QString &reason) override;
    void ping() override;
    [[nodiscard]] QString address() const override { return m_address; }

    void write(const QByteArray &frame) override;

private:
    void run();
    void closeNow(int code, const QString &reason) override;

    std::unique_ptr<QWebSocket> m_ws;
    QPointer<QTcpSocket> m_tcp;
    qint64 m_cap;
    bool m_closing = false; // connection's own thread only
    bool m_ended = false;
    QString m_address;
};

} // namespace herald
