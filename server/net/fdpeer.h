#pragma once

#include "iopeer.h"
#include "wsframes.h"

#include <QBasicTimer>

#include <functional>

class QSocketNotifier;

namespace herald {

/**
 * @brief A plain (not TLS) WebSocket connection served straight from its descriptor.
 *
 * The front answered the handshake and handed over the descriptor. This reads with recv() into
 * one buffer per thread, checks every frame with ws::FrameReader, and writes each batch of frames
 * the hub hands over with one send(); only what the kernel does not take is kept. So an idle
 * connection holds no buffer at all, where QTcpSocket and QWebSocket keep their 16 KiB ring-buffer
 * chunks for the life of the socket (docs/performance.md, finding 6).
 */
class FdPeer : public IoPeer
{
    Q_OBJECT
public:
    /** @param early bytes that arrived together with the handshake (read before the socket)
     *  @param released called once, on this peer's thread, when the descriptor is closed */
    FdPeer(int fd, QString address, QByteArray early, Hub *hub, qint64 outboundCap,
           qint64 maxMessage, std::function<void()> released);
    ~FdPeer() override;

    /** @brief On the main thread: registers with the hub, then moves to the worker and reads. */
    void start(const QString &bearerToken, IoWorker *worker);
    void send(const QByteArray &frame) override;
    void close(int code, const QString &reason) override;
    void ping() override;
    [[nodiscard]] QString address() const override { return m_address; }
    void write(const QByteArray &payload) override;
    void flush() override;
    bool pendingSend(Pending *out) override;
    void sendDone(int result) override;

protected:
    void timerEvent(QTimerEvent *event) override;
    bool event(QEvent *event) override;

private:
    void run();
    void readable();
    void handle(const std::vector<ws::Event> &events);
    void closeNow(int code, const QString &reason) override;
    void sendClose(int code, const QByteArray &reason);
    void wantWrite(bool on);
    void checkCap();
    void abortNow();
    void end();
    void closeDescriptor();

    int m_fd;
    QString m_address;
    QByteArray m_early;
    ws::FrameReader m_reader;
    QByteArray m_out; // framed, not yet taken by the kernel (from m_outAt)
    qsizetype m_outAt = 0;
    QSocketNotifier *m_readable = nullptr;
    QSocketNotifier *m_writable = nullptr; // only once the kernel's send buffer was full
    qint64 m_cap;
    std::function<void()> m_released;
    QBasicTimer m_frameDeadline; // runs while a frame has begun and not fully arrived
    bool m_closeSent = false;
    bool m_shutdown = false;
    bool m_overCap = false;
    bool m_ended = false;
};

} // namespace herald
