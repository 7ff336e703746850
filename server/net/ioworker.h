#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QThread>

#include "sendring.h"

#include <vector>

namespace herald {

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
    /** @p batchedSends: send through io_uring where the kernel allows (see SendRing). */
    explicit IoWorker(int index, bool batchedSends = true);
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
    void adopt(quint64 peerId, IoPeer *peer); // any thread (IoPeer::attach)
    void forget(quint64 peerId);              // the worker's thread (~IoPeer)
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
    bool m_wakeScheduled = false;        // under m_mutex
    QHash<quint64, IoPeer *> m_arriving; // under m_mutex: adopted, not yet in m_peers
    QHash<quint64, IoPeer *> m_peers;    // worker thread only
    SendRing m_ring;                     // worker thread only
};

} // namespace herald
