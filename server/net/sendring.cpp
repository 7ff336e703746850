#include "sendring.h"

#include "iopeer.h"

#include <QLoggingCategory>
#include <QtGlobal>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>

#ifdef HERALD_HAVE_URING
#include <liburing.h>
#endif

namespace herald {

struct SendRing::Ring
{
#ifdef HERALD_HAVE_URING
    io_uring ring{};
    std::vector<IoPeer *> inFlight;
#endif
};

SendRing::SendRing(bool enabled)
    : m_state(enabled ? State::Untried : State::Unavailable)
{
}

Q_LOGGING_CATEGORY(lcSendRing, "herald.io")

SendRing::~SendRing()
{
    close();
}

void SendRing::close()
{
#ifdef HERALD_HAVE_URING
    if (m_state == State::Open)
        io_uring_queue_exit(&m_ring->ring);
#endif
    if (m_state == State::Open)
        m_state = State::Unavailable;
    m_ring.reset();
}

bool SendRing::open()
{
    if (m_state != State::Untried)
        return m_state == State::Open;
    m_state = State::Unavailable;
#ifdef HERALD_HAVE_URING
    m_ring = std::make_unique<Ring>();
    // SUBMIT_ALL: a send that cannot even start completes with its error instead of leaving the
    // ones after it unsubmitted (kernel 5.18; older ones refuse the flag, and sends go the old
    // way).
    if (const int e = io_uring_queue_init(Entries, &m_ring->ring, IORING_SETUP_SUBMIT_ALL);
        e != 0) {
        m_ring.reset();
        qCInfo(lcSendRing).noquote()
            << "io_uring is not available (" << std::strerror(-e) << "): one send() per connection";
        return false;
    }
    m_state = State::Open;
    m_ring->inFlight.reserve(Entries);
    return true;
#else
    return false;
#endif
}

void SendRing::flush(const std::vector<IoPeer *> &peers)
{
    if (!open()) {
        for (IoPeer *p : peers)
            p->flush();
        return;
    }
#ifdef HERALD_HAVE_URING
    io_uring *ring = &m_ring->ring;
    std::vector<IoPeer *> &inFlight = m_ring->inFlight;
    size_t next = 0;
    while (next < peers.size()) {
        inFlight.clear();
        for (; next < peers.size() && inFlight.size() < Entries; ++next) {
            IoPeer *p = peers[next];
            IoPeer::Pending out;
            if (!p->pendingSend(&out)) {
                p->flush(); // writes its own way, waits for the kernel, or has nothing
                continue;
            }
            io_uring_sqe *sqe = io_uring_get_sqe(ring); // never null: the ring is empty here
            io_uring_prep_send(sqe, out.fd, out.data, out.size, MSG_NOSIGNAL | MSG_DONTWAIT);
            io_uring_sqe_set_data64(sqe, inFlight.size());
            inFlight.push_back(p);
        }
        if (inFlight.empty())
            continue;
        const auto queued = unsigned(inFlight.size());
        int submitted;
        do
            submitted = io_uring_submit_and_wait(ring, queued);
        while (submitted == -EINTR);
        if (submitted < 0) {
            // Nothing was submitted: these peers, and every later batch, send their own way.
            qCWarning(lcSendRing).noquote()
                << "io_uring submission failed (" << std::strerror(-submitted)
                << "): one send() per connection from now on";
            const std::vector<IoPeer *> unsent = std::move(inFlight);
            close(); // frees the ring and inFlight
            for (IoPeer *p : unsent)
                p->flush();
            for (; next < peers.size(); ++next)
                peers[next]->flush();
            return;
        }
        for (auto total = unsigned(submitted); total < queued;) { // defensive: see SUBMIT_ALL
            const int more = io_uring_submit(ring);
            if (more < 0 && more != -EINTR)
                qFatal("io_uring_submit: %s", std::strerror(-more));
            total += unsigned(std::max(more, 0));
        }
        // Each completion is handed to its peer, which may end (deleteLater) but is not deleted.
        for (unsigned seen = 0; seen < queued;) {
            io_uring_cqe *cqe = nullptr;
            const int e = io_uring_wait_cqe(ring, &cqe);
            if (e == -EINTR)
                continue;
            if (e < 0)
                qFatal("io_uring_wait_cqe: %s", std::strerror(-e)); // submitted sends own buffers
            const auto index = size_t(io_uring_cqe_get_data64(cqe));
            const int result = cqe->res;
            io_uring_cqe_seen(ring, cqe);
            ++seen;
            inFlight[index]->sendDone(result);
        }
    }
#endif
}

} // namespace herald
