#pragma once

#include <QByteArray>

#include <vector>

/**
 * RFC 6455 on the server side, without a transport: a reader that turns the bytes a client sent
 * into messages and control frames (checking every rule a server must check), and the framing of
 * what the server sends. FdPeer drives it from a socket; tests drive it directly.
 */
namespace herald::ws {

enum Op : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA
};

/** @brief Writes the header of an unmasked, final server frame into `out` (at most 10 bytes);
 *  returns its length. */
int frameHeader(char *out, quint8 opcode, quint64 payloadSize);
/** @brief Appends one unmasked, final server frame. */
void appendFrame(QByteArray &out, quint8 opcode, const char *payload, qsizetype size);
inline void appendFrame(QByteArray &out, quint8 opcode, const QByteArray &payload)
{
    appendFrame(out, opcode, payload.constData(), payload.size());
}
/** @brief A close frame's payload: the code and as much of the reason as fits in 123 bytes,
 *  cut at a code point boundary. */
[[nodiscard]] QByteArray closePayload(int code, const QByteArray &reasonUtf8);
/** @brief Close codes a peer may send (RFC 6455 7.4, the IANA registry, 3000-4999). */
[[nodiscard]] bool validCloseCode(int code);

/** @brief Incremental UTF-8 check (RFC 3629: no overlong forms, surrogates or code points past
 *  U+10FFFF), so that a bad byte fails a fragmented message at once and a code point may span
 *  fragments. */
class Utf8Check
{
public:
    /** @brief False at the first byte that cannot be part of valid UTF-8. */
    bool feed(const char *data, qsizetype size);
    /** @brief True when no code point is left unfinished. */
    [[nodiscard]] bool complete() const { return m_need == 0; }
    void reset() { *this = Utf8Check(); }

private:
    int m_need = 0;            // continuation bytes still due
    unsigned char m_lo = 0x80; // range of the next continuation byte
    unsigned char m_hi = 0xBF;
};

struct Event
{
    enum Kind { Text, Binary, Ping, Pong, Close, Fail };
    Kind kind;
    QByteArray payload; // Text, Binary: the whole message; Ping, Pong: the payload
    int code = 0;       // Close: the peer's code (0: none given); Fail: the code to close with
    QByteArray reason;  // Close: the peer's reason; Fail: what was wrong
};

/**
 * @brief Reads client frames. Holds bytes only while a frame is incomplete or a message is
 * fragmented; an idle connection's reader holds nothing. After a Close or Fail event it reads no
 * further.
 */
class FrameReader
{
public:
    explicit FrameReader(qint64 maxMessage)
        : m_max(maxMessage)
    {
    }
    void feed(const char *data, qsizetype size, std::vector<Event> &out);
    [[nodiscard]] bool stopped() const { return m_stopped; }
    /** @brief True while a frame has begun and not fully arrived. */
    [[nodiscard]] bool midFrame() const { return !m_in.isEmpty(); }
    /** @brief Bytes held for an incomplete frame or a fragmented message. */
    [[nodiscard]] qsizetype held() const { return m_in.size() + m_message.size(); }

private:
    // One frame from the start of data: > 0 bytes used, 0 incomplete, -1 stopped.
    qsizetype parse(const unsigned char *p, qsizetype size, std::vector<Event> &out);
    qsizetype fail(std::vector<Event> &out, int code, const char *why);

    qint64 m_max;
    QByteArray m_in;        // the start of a frame that has not fully arrived
    QByteArray m_message;   // the fragments of a message so far
    quint8 m_messageOp = 0; // Text or Binary while a fragmented message is open
    Utf8Check m_utf8;
    bool m_stopped = false;
};

} // namespace herald::ws
