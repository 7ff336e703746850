// A network thread's batched sends: every connection's waiting bytes in one system call.
#pragma once

#include <memory>
#include <vector>

namespace herald {

class IoPeer;

/**
 * @brief Sends the bytes that wait for many connections through one io_uring submission
 * (`Entries` sends per `io_uring_enter`) instead of a `send()` each.
 *
 * The floor program measured it on this machine's loopback (docs/performance.md, "The floor"):
 * about a third less CPU per frame than a `send()` each. Each send is non-blocking
 * (`MSG_DONTWAIT`): what the kernel does not take at once completes as -EAGAIN, and the peer
 * waits for its socket to become writable as before. Built where liburing is installed; it falls
 * back to each peer's own `flush()` where io_uring is missing or refused (a kernel setting, a
 * sandbox) or the `io_uring` setting is 0. One per network thread, used only on that thread.
 */
class SendRing
{
public:
    static constexpr unsigned Entries = 256;

    /** @p enabled false: a send() each (the `io_uring` setting). */
    explicit SendRing(bool enabled = true);
    ~SendRing();
    SendRing(const SendRing &) = delete;
    SendRing &operator=(const SendRing &) = delete;

    /** Sends each peer's waiting bytes (those that write their own way are flushed). */
    void flush(const std::vector<IoPeer *> &peers);
    /** True once a ring works on this thread (after the first flush). */
    [[nodiscard]] bool inUse() const { return m_state == State::Open; }

private:
    enum class State { Untried, Open, Unavailable };
    bool open();
    void close();

    struct Ring; // io_uring's, where built with liburing (kept out of this header)
    State m_state = State::Untried;
    std::unique_ptr<Ring> m_ring;
};

} // namespace herald
