#pragma once

#include "core/peer.h"

#include <QObject>

#include <functional>

namespace herald {

class Hub;
class IoWorker;

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

    /** @brief Bytes waiting to be sent on a descriptor (for the worker's SendRing). */
    struct Pending
    {
        int fd = -1;
        const char *data = nullptr;
        size_t size = 0;
    };
    /** @brief On the worker's thread, after a batch of write()s: the bytes the worker may send
     *  for this peer in one batched system call, or false when the peer sends its own way (see
     *  flush()), waits for its socket to become writable, or has nothing to send. */
    virtual bool pendingSend(Pending *out)
    {
        Q_UNUSED(out);
        return false;
    }
    /** @brief The result of that send (bytes the kernel took, or -errno); the peer goes on as
     *  its flush() would (sends the rest, waits for writability, or ends on an error). */
    virtual void sendDone(int result) { Q_UNUSED(result); }

protected:
    /** @brief On the hub's thread, once the peer has moved to the worker's thread and before any
     *  frame can be queued for it: the worker hands it the frames queued from now on (even the
     *  ones it takes before the peer's own first event over there runs). */
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

} // namespace herald
