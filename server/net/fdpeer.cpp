#include "fdpeer.h"

#include "core/hub.h"
#include "ioworker.h"

#include <QSocketNotifier>
#include <QTimer>
#include <QTimerEvent>

#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace herald {

namespace {
constexpr int CloseWaitMs = 2000;     // after our close frame, how long the client has to close
constexpr int FrameDeadlineMs = 5000; // silence in the middle of a frame (as QtWebSockets)
constexpr int ReadRounds = 4; // recv() calls per readiness, so one sender cannot starve others
} // namespace

FdPeer::FdPeer(int fd, QString address, QByteArray early, Hub *hub, qint64 outboundCap,
               qint64 maxMessage, std::function<void()> released)
    : m_fd(fd)
    , m_address(std::move(address))
    , m_early(std::move(early))
    , m_reader(maxMessage)
    , m_cap(outboundCap)
    , m_released(std::move(released))
{
    m_hub = hub;
}

FdPeer::~FdPeer()
{
    // Server shutdown deletes peers that are still open (the hub already sent them 1001).
    closeDescriptor();
}

void FdPeer::start(const QString &bearerToken, IoWorker *worker)
{
    m_id = m_hub->open(this, bearerToken);
    if (!worker)
        return run();
    m_worker = worker;
    moveToThread(worker->thread());
    attach(); // frames the hub queues from now on reach it, even before run() runs over there
    QMetaObject::invokeMethod(this, &FdPeer::run, Qt::QueuedConnection);
}

void FdPeer::run()
{
    m_readable = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_readable, &QSocketNotifier::activated, this, &FdPeer::readable);
    if (!m_early.isEmpty()) {
        std::vector<ws::Event> events;
        m_reader.feed(m_early.constData(), m_early.size(), events);
        m_early = QByteArray();
        handle(events);
    }
}

void FdPeer::readable()
{
    static thread_local char buffer[64 * 1024];
    std::vector<ws::Event> events;
    bool eof = false;
    for (int round = 0; round < ReadRounds && !eof; ++round) {
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            m_reader.feed(buffer, n, events); // a stopped reader drops what still comes
            if (size_t(n) < sizeof buffer)
                break;
        } else if (n < 0 && errno == EINTR) {
            --round;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            eof = true; // 0: the client closed; < 0: reset or another error
        }
    }
    handle(events);
    if (eof)
        return end();
    // The deadline is for silence inside a frame: it starts again with every read that ends
    // inside one (a steady stream of frames rarely ends a read on a frame boundary).
    if (m_reader.midFrame())
        m_frameDeadline.start(FrameDeadlineMs, this);
    else
        m_frameDeadline.stop();
}

bool FdPeer::event(QEvent *event)
{
    // start() moves the peer to its network thread before it has a timer of its own (run()
    // starts them there). Qt would still scan every timer of the old thread for this object's
    // (QObject::event, ThreadChange): on the main thread that is one request deadline per
    // pending socket, so a connect storm paid for it once per connection, linearly in the
    // storm's size (docs/performance.md, regression check on b3b2f73).
    if (event->type() == QEvent::ThreadChange && !m_frameDeadline.isActive())
        return true;
    return IoPeer::event(event);
}

void FdPeer::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_frameDeadline.timerId())
        return IoPeer::timerEvent(event);
    m_frameDeadline.stop();
    closeNow(1001, QStringLiteral("nothing more came for 5 s in the middle of a frame"));
}

void FdPeer::handle(const std::vector<ws::Event> &events)
{
    if (m_ended)
        return;
    const quint64 id = m_id;
    for (const ws::Event &e : events) {
        switch (e.kind) {
        case ws::Event::Text:
            if (!m_closeSent)
                toHub([id, bytes = e.payload](Hub *h) { h->text(id, bytes); });
            break;
        case ws::Event::Binary:
            if (!m_closeSent)
                toHub([id](Hub *h) { h->binary(id); });
            break;
        case ws::Event::Ping:
            if (!m_closeSent)
                ws::appendFrame(m_out, ws::Pong, e.payload);
            break;
        case ws::Event::Pong:
            toHub([id](Hub *h) { h->activity(id); });
            break;
        case ws::Event::Close:
            if (m_closeSent) { // the answer to ours: the closing handshake is complete
                flush();
                return end();
            }
            sendClose(e.code ? e.code : 1000, {}); // echo the client's code
            break;
        case ws::Event::Fail:
            sendClose(e.code, e.reason);
            break;
        }
    }
    flush();
    checkCap(); // pongs to a ping flood count against the bound too
}

void FdPeer::send(const QByteArray &payload)
{
    sendVia(payload);
}

void FdPeer::write(const QByteArray &payload)
{
    if (m_ended || m_closeSent)
        return;
    if (m_outAt > 0 && m_outAt * 2 > m_out.size()) { // drop what the kernel already took
        m_out.remove(0, m_outAt);
        m_outAt = 0;
    }
    ws::appendFrame(m_out, ws::Text, payload);
    checkCap();
}

void FdPeer::flush()
{
    while (!m_ended && m_outAt < m_out.size()) {
        const ssize_t n = ::send(m_fd, m_out.constData() + m_outAt, size_t(m_out.size() - m_outAt),
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            m_outAt += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return wantWrite(true);
        } else {
            return end(); // the client is gone (reset, broken pipe)
        }
    }
    if (m_ended)
        return;
    m_out = QByteArray(); // an idle connection keeps no buffer
    m_outAt = 0;
    wantWrite(false);
    if (m_closeSent && !m_shutdown) {
        // Our close frame is out: FIN after it, then read (and drop) until the client closes.
        m_shutdown = true;
        ::shutdown(m_fd, SHUT_WR);
    }
}

bool FdPeer::pendingSend(Pending *out)
{
    if (m_ended || m_outAt >= m_out.size() || (m_writable && m_writable->isEnabled()))
        return false; // nothing to send, or the kernel's buffer was full: its notifier flushes
    out->fd = m_fd;
    out->data = m_out.constData() + m_outAt;
    out->size = size_t(m_out.size() - m_outAt);
    return true;
}

void FdPeer::sendDone(int result)
{
    if (result > 0) {
        m_outAt += result;
        return flush(); // the rest, if the kernel took only part; else the end of the batch
    }
    if (result == -EAGAIN || result == -EWOULDBLOCK)
        return wantWrite(true);
    if (result == -EINTR || result == 0)
        return flush(); // try again the usual way
    end();              // the client is gone (reset, broken pipe)
}

void FdPeer::wantWrite(bool on)
{
    if (!m_writable) {
        if (!on)
            return;
        m_writable = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
        connect(m_writable, &QSocketNotifier::activated, this, &FdPeer::flush);
    }
    m_writable->setEnabled(on);
}

void FdPeer::checkCap()
{
    if (m_overCap || m_out.size() - m_outAt <= m_cap)
        return;
    m_overCap = true;
    const quint64 id = m_id;
    toHub([id](Hub *h) { h->slowConsumer(id); });
}

void FdPeer::close(int code, const QString &reason)
{
    closeVia(code, reason);
}

void FdPeer::closeNow(int code, const QString &reason)
{
    if (m_ended || m_closeSent)
        return;
    // A client that does not read would never see a close frame behind its backlog: cut it off.
    if (m_out.size() - m_outAt > m_cap)
        return abortNow();
    sendClose(code, reason.toUtf8());
    flush();
}

void FdPeer::sendClose(int code, const QByteArray &reason)
{
    if (m_closeSent)
        return;
    ws::appendFrame(m_out, ws::Close, ws::closePayload(code, reason));
    m_closeSent = true;
    QTimer::singleShot(CloseWaitMs, this, &FdPeer::end);
}

void FdPeer::ping()
{
    if (m_worker && QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(this, &FdPeer::ping, Qt::QueuedConnection);
        return;
    }
    if (m_ended || m_closeSent)
        return;
    ws::appendFrame(m_out, ws::Ping, QByteArray());
    flush();
    checkCap();
}

void FdPeer::abortNow()
{
    if (m_fd >= 0) {
        const linger reset{1, 0}; // close with a reset: drop the backlog at once
        ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
    end();
}

void FdPeer::closeDescriptor()
{
    m_frameDeadline.stop();
    for (QSocketNotifier *n : {m_readable, m_writable})
        if (n) {
            n->setEnabled(false);
            n->deleteLater(); // may be inside its own activated() just now
        }
    m_readable = m_writable = nullptr;
    if (m_fd < 0)
        return;
    ::close(m_fd);
    m_fd = -1;
    m_out = QByteArray();
    m_outAt = 0;
    if (m_released)
        std::exchange(m_released, nullptr)();
}

void FdPeer::end()
{
    if (m_ended)
        return;
    m_ended = true;
    closeDescriptor();
    reportClosed();
}

} // namespace herald
