// herald-bench worker: one process, one epoll loop, thousands of simulated people.
//
// Each person is one non-blocking TCP socket with a hand-written WebSocket client (masked
// frames, ping/pong, close) speaking Herald's protocol: bearer token at the handshake, hello,
// resume, msg.send. Hot-path frames (message, notification) are read with substring scans, not
// a JSON parser; only hello and result frames are parsed with QJsonDocument.
//
// The controller drives a worker through stdin (one command a line) and reads JSON events from
// its stdout. Every person checks what it receives: each room's messages must arrive exactly
// once and in sequence order, each notification exactly once and in id order.
#pragma once

#include "common.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace bench::worker {

/** @brief Where a person's connection is. */
enum State : uint8_t { Idle, Connecting, Handshake, Open, Closed, Failed };

/** @brief A person's position in one of its rooms. */
struct RoomPos
{
    std::string name;
    int64_t last = 0;   // last sequence seen in order
    int64_t target = 0; // server's lastSeq at the latest hello (resume: catch up to this)
};

/** @brief One simulated person: its socket, buffers, rooms and timings. */
struct Conn
{
    int fd = -1;
    State state = Idle;
    bool helloSeen = false;
    bool inBatch = false;
    bool resuming = false;
    bool caughtUp = false;
    uint8_t fragOp = 0;
    std::string token;
    std::string src;
    std::string name; // user name, from hello (chat mode checks its mentions)
    std::string in;
    std::string out;
    std::string frag;
    std::vector<RoomPos> rooms;
    int64_t tConnect = 0;
    int64_t tHello = 0;
    int64_t tCaught = 0;
    int64_t lastNotif = 0;
    int64_t notifCount = 0;
    int64_t notifSum = 0; // of the ids received (personal notifications: checked per device)
    int64_t resumeMsgs = 0;
    int closeCode = 0;
    // chat mode with a read interval: when the last room.read went, and the newest position
    // read since then that waits for the interval to pass (0: none).
    int64_t readSentNs = 0;
    int64_t readPending = 0;
    std::string readRoom;
};

/** @brief What the worker's people received, in total. */
struct Counters
{
    int64_t framesIn = 0;
    int64_t bytesIn = 0;
    int64_t messages = 0;   // message frames in order (deliveries)
    int64_t duplicates = 0; // seq <= last seen
    int64_t gaps = 0;       // times a seq skipped ahead
    int64_t lost = 0;       // sequence numbers skipped
    int64_t unknownRoom = 0;
    int64_t notifications = 0;
    int64_t notifDuplicates = 0; // id <= last seen
    int64_t notifGaps = 0;       // id skipped ahead of last+1 (after the first)
    int64_t errors = 0;          // error frames
    int64_t otherFrames = 0;
    int64_t pings = 0;
    int64_t unexpectedCloses = 0;
    int64_t expectedCloses = 0;
    int64_t failed = 0;
    int64_t acks = 0;
    int64_t sendErrors = 0;
    int64_t receiptAnswers = 0; // results of notif.ack (receipts on)
    // chat mode: room.read after every message, and the mentions of each message checked
    int64_t readsSent = 0;
    int64_t readAnswers = 0;      // results of room.read
    int64_t mentionsExpected = 0; // messages whose text names this person with @name
    int64_t mentionsMissing = 0;  // ... whose mentions do not list them
    int64_t mentionsExtra = 0;    // messages that list them without the text naming them
};

/** @brief The worker process: its people, their checks, and the controller's commands. */
class Worker
{
public:
    Worker(uint16_t port, std::vector<std::pair<std::string, std::string>> people)
        : m_port(port)
    {
        m_conns.resize(people.size());
        for (size_t i = 0; i < people.size(); ++i) {
            m_conns[i].token = std::move(people[i].first);
            m_conns[i].src = std::move(people[i].second);
        }
        m_buf.resize(1 << 18);
        m_seed = uint32_t(getpid()) * 2654435761u + uint32_t(nowNs());
    }

    int run();

private:
    // ---- plumbing
    void post(const QJsonObject &o)
    {
        const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
        size_t off = 0;
        while (off < size_t(line.size())) {
            const ssize_t n = ::write(1, line.constData() + off, size_t(line.size()) - off);
            if (n <= 0) {
                if (errno == EINTR)
                    continue;
                _exit(3);
            }
            off += size_t(n);
        }
    }
    void fail(Conn &c, const std::string &why)
    {
        if (c.state == Failed || c.state == Closed)
            return;
        if (c.fd >= 0)
            ::close(c.fd);
        c.fd = -1;
        c.state = Failed;
        ++m_c.failed;
        if (m_reasons.size() < 20 || m_reasons.count(why))
            ++m_reasons[why];
        m_dirty = true;
    }
    void closed(Conn &c, int code)
    {
        if (c.fd >= 0)
            ::close(c.fd);
        c.fd = -1;
        c.closeCode = code;
        if (m_expectClose) {
            c.state = Closed;
            ++m_c.expectedCloses;
        } else {
            ++m_c.unexpectedCloses;
            fail(c, "closed by server with " + std::to_string(code));
        }
        m_dirty = true;
    }
    void startConnect(uint32_t i);
    void onWritable(uint32_t i);
    void onReadable(uint32_t i);
    void flush(Conn &c, uint32_t i);
    void sendFrame(Conn &c, uint32_t i, uint8_t op, const char *data, size_t len);
    void sendText(Conn &c, uint32_t i, const std::string &s)
    {
        sendFrame(c, i, 0x1, s.data(), s.size());
    }
    size_t parseFrames(Conn &c, uint32_t i, const char *p, size_t n);
    void onText(Conn &c, uint32_t i, const char *p, size_t n);
    void onMessage(Conn &c, uint32_t i, const char *p, size_t n);
    void onNotification(Conn &c, uint32_t i, const char *p, size_t n);
    void onHello(Conn &c, uint32_t i, const char *p, size_t n);
    void onResult(Conn &c, const char *p, size_t n);
    void sendRead(Conn &c, uint32_t i, std::string_view room, int64_t seq);
    void sendWaitingReads();
    void chatChecks(Conn &c, uint32_t i, std::string_view room, int64_t seq, const char *p,
                    size_t n);
    void command(const std::string &line);
    void checkBatches();
    void senderTick();
    QJsonObject report(const QJsonObject &expect);

    uint16_t m_port;
    std::vector<Conn> m_conns;
    std::vector<char> m_buf;
    int m_ep = -1;
    int m_timer = -1;
    uint32_t m_seed;
    Counters m_c;
    std::map<std::string, int64_t> m_reasons;
    Histogram m_latency;      // live message latency (send timestamp in text -> receipt)
    Histogram m_helloLatency; // command time -> hello
    Histogram m_catchUp;      // resume command time -> caught up
    Histogram m_resumeHello;  // resume command time -> hello on the new connection
    Histogram m_ackLatency;   // sender: send -> result
    std::unordered_map<int64_t, std::pair<int64_t, int64_t>>
        m_notifSeen; // id -> count, last receipt ns
    bool m_expectClose = false;
    bool m_dirty = false;
    // batches
    bool m_connectPending = false;
    int64_t m_connectT0 = 0;
    bool m_resumePending = false;
    int64_t m_resumeT0 = 0;
    // sender
    bool m_sending = false;
    std::string m_sendRoom;
    double m_sendRate = 0;
    int64_t m_sendCount = 0;
    int64_t m_sent = 0;
    int64_t m_sendT0 = 0;
    int64_t m_sendDoneAt = 0;
    int64_t m_sendBatches = 0;
    std::string m_sendBatch; // clientId prefix of this send command (the first: none)
    std::unordered_map<int64_t, int64_t> m_sentAt; // request number -> ns
    std::string m_stdin;
    bool m_quit = false;
    int64_t m_lastMsgNs = 0;
    char m_fault = 0; // 'd' drop, 'u' duplicate
    // personal notifications: each device gets only its own, so ids only have to increase
    bool m_notifSparse = false;
    bool m_receipts = false; // acknowledge each notification as delivered and seen, as the desktop
    bool m_chat = false;     // chat mode: mark each message read (room.read), check its mentions
    int64_t m_readIntervalNs = 0; // chat mode: at most one room.read per person per interval
    int64_t m_readSweepNs = 0;    // when the waiting read positions were last looked at
    int64_t m_mentionCount = 0;   // sender: @names per message, out of m_mentionPool people m0...
    int64_t m_mentionPool = 0;
    int64_t m_faultCount = 0;

public:
    void setFault(const char *f)
    {
        if (f && !strcmp(f, "drop"))
            m_fault = 'd';
        else if (f && !strcmp(f, "dup"))
            m_fault = 'u';
    }
};

} // namespace bench::worker
