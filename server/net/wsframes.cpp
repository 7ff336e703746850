#include "wsframes.h"

#include <utility>

namespace herald::ws {

int frameHeader(char *out, quint8 opcode, quint64 len)
{
    out[0] = static_cast<char>(0x80 | opcode);
    if (len < 126) {
        out[1] = static_cast<char>(len);
        return 2;
    }
    if (len <= 0xFFFF) {
        out[1] = 126;
        out[2] = static_cast<char>(len >> 8);
        out[3] = static_cast<char>(len);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i)
        out[2 + i] = static_cast<char>(len >> (56 - 8 * i));
    return 10;
}

void appendFrame(QByteArray &out, quint8 opcode, const char *payload, qsizetype size)
{
    char header[10];
    // no exact reserve(): a backlog grows geometrically, not per frame
    out.append(header, frameHeader(header, opcode, static_cast<quint64>(size)));
    out.append(payload, size);
}

QByteArray closePayload(int code, const QByteArray &reasonUtf8)
{
    QByteArray out;
    out.append(static_cast<char>((code >> 8) & 0xFF));
    out.append(static_cast<char>(code & 0xFF));
    qsizetype n = std::min<qsizetype>(reasonUtf8.size(), 123);
    // Back up to the start of a code point (continuation bytes are 10xxxxxx).
    while (n < reasonUtf8.size() && n > 0 && (static_cast<uchar>(reasonUtf8.at(n)) & 0xC0) == 0x80)
        --n;
    out.append(reasonUtf8.constData(), n);
    return out;
}

bool validCloseCode(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

bool Utf8Check::feed(const char *data, qsizetype size)
{
    const auto *p = reinterpret_cast<const unsigned char *>(data);
    for (qsizetype i = 0; i < size; ++i) {
        const unsigned char c = p[i];
        if (m_need == 0) {
            if (c < 0x80)
                continue;
            m_lo = 0x80;
            m_hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                m_need = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                m_need = 2;
                if (c == 0xE0)
                    m_lo = 0xA0; // no overlong 3-byte forms
                else if (c == 0xED)
                    m_hi = 0x9F; // no surrogates
            } else if (c >= 0xF0 && c <= 0xF4) {
                m_need = 3;
                if (c == 0xF0)
                    m_lo = 0x90; // no overlong 4-byte forms
                else if (c == 0xF4)
                    m_hi = 0x8F; // nothing past U+10FFFF
            } else {
                return false; // 0x80-0xC1 (stray continuation, overlong 2-byte), 0xF5-0xFF
            }
            continue;
        }
        if (c < m_lo || c > m_hi)
            return false;
        m_lo = 0x80;
        m_hi = 0xBF;
        --m_need;
    }
    return true;
}

qsizetype FrameReader::fail(std::vector<Event> &out, int code, const char *why)
{
    out.push_back({Event::Fail, {}, code, QByteArray(why)});
    m_stopped = true;
    m_in = QByteArray();
    m_message = QByteArray();
    return -1;
}

qsizetype FrameReader::parse(const unsigned char *p, qsizetype size, std::vector<Event> &out)
{
    if (size < 2)
        return 0;
    const bool fin = (p[0] & 0x80) != 0;
    const quint8 op = p[0] & 0x0F;
    if ((p[0] & 0x70) != 0)
        return fail(out, 1002, "reserved bits set, and no extension was negotiated");
    if (op > Binary && op != Close && op != Ping && op != Pong)
        return fail(out, 1002, "reserved opcode");
    if ((p[1] & 0x80) == 0)
        return fail(out, 1002, "client frames must be masked");
    const bool control = (op & 0x8) != 0;
    quint64 len = p[1] & 0x7F;
    if (control && !fin)
        return fail(out, 1002, "fragmented control frame");
    if (control && len > 125)
        return fail(out, 1002, "control frame payload over 125 bytes");
    qsizetype header = 2;
    if (len == 126) {
        if (size < 4)
            return 0;
        len = (quint64(p[2]) << 8) | p[3];
        header = 4;
        if (len < 126)
            return fail(out, 1002, "frame length not in its shortest form");
    } else if (len == 127) {
        if (size < 10)
            return 0;
        len = 0;
        for (int i = 0; i < 8; ++i)
            len = (len << 8) | p[2 + i];
        header = 10;
        if (len >> 63)
            return fail(out, 1002, "64-bit frame length with its top bit set");
        if (len <= 0xFFFF)
            return fail(out, 1002, "frame length not in its shortest form");
    }
    if (!control) {
        if (op == Continuation && m_messageOp == 0)
            return fail(out, 1002, "continuation frame without a message to continue");
        if (op != Continuation && m_messageOp != 0)
            return fail(out, 1002, "new message before the fragmented one was finished");
        if (len > quint64(m_max) || quint64(m_message.size()) + len > quint64(m_max))
            return fail(out, 1009, "message too big");
    }
    // len is now at most m_max (data) or 125 (control): no overflow below.
    const auto total = static_cast<qsizetype>(header + 4 + qsizetype(len));
    if (size < total)
        return 0;
    const unsigned char *mask = p + header;
    QByteArray payload(reinterpret_cast<const char *>(p + header + 4), qsizetype(len));
    char *d = payload.data();
    for (qsizetype i = 0; i < qsizetype(len); ++i)
        d[i] = static_cast<char>(d[i] ^ mask[i & 3]);

    switch (op) {
    case Ping:
        out.push_back({Event::Ping, payload, 0, {}});
        return total;
    case Pong:
        out.push_back({Event::Pong, payload, 0, {}});
        return total;
    case Close: {
        if (len == 1)
            return fail(out, 1002, "close frame with a 1-byte payload");
        int code = 0;
        QByteArray reason;
        if (len >= 2) {
            code = (static_cast<uchar>(payload.at(0)) << 8) | static_cast<uchar>(payload.at(1));
            if (!validCloseCode(code))
                return fail(out, 1002, "invalid close code");
            reason = payload.mid(2);
            Utf8Check check;
            if (!check.feed(reason.constData(), reason.size()) || !check.complete())
                return fail(out, 1007, "close reason is not valid UTF-8");
        }
        out.push_back({Event::Close, {}, code, reason});
        m_stopped = true;
        m_in = QByteArray();
        m_message = QByteArray();
        return -1;
    }
    default:
        break;
    }
    if (op != Continuation) {
        m_messageOp = op;
        m_utf8.reset();
    }
    const bool text = m_messageOp == Text;
    if (text && !m_utf8.feed(payload.constData(), payload.size()))
        return fail(out, 1007, "text message is not valid UTF-8");
    if (!fin) {
        m_message.append(payload);
        return total;
    }
    if (text && !m_utf8.complete())
        return fail(out, 1007, "text message ends inside a UTF-8 sequence");
    if (!m_message.isEmpty()) {
        m_message.append(payload);
        payload = std::exchange(m_message, QByteArray());
    }
    out.push_back({text ? Event::Text : Event::Binary, std::move(payload), 0, {}});
    m_messageOp = 0;
    return total;
}

void FrameReader::feed(const char *data, qsizetype size, std::vector<Event> &out)
{
    if (m_stopped || size <= 0)
        return;
    const char *p = data;
    qsizetype n = size;
    if (!m_in.isEmpty()) {
        m_in.append(data, size);
        p = m_in.constData();
        n = m_in.size();
    }
    qsizetype at = 0;
    while (at < n) {
        const qsizetype used = parse(reinterpret_cast<const unsigned char *>(p + at), n - at, out);
        if (used < 0)
            return; // stopped: the buffers are already released
        if (used == 0)
            break;
        at += used;
    }
    if (at == n)
        m_in = QByteArray(); // nothing held: an idle connection keeps no buffer
    else if (p == m_in.constData())
        m_in.remove(0, at);
    else
        m_in = QByteArray(p + at, n - at);
}

} // namespace herald::ws
