// Helpers for the abuse suite: a raw TCP client that speaks WebSocket and HTTP byte by byte
// (frames built by hand: masking, RSV bits, opcodes, length forms, fragments), the server as a
// separate process so that its RSS can be read from /proc, and the "a good client still gets
// through" check that runs after every case.
#pragma once

#include "../server/testkit.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QtEndian>

#include <optional>

namespace abuse {

using namespace testkit;

namespace Op {
inline constexpr int Continuation = 0x0;
inline constexpr int Text = 0x1;
inline constexpr int Binary = 0x2;
inline constexpr int Close = 0x8;
inline constexpr int Ping = 0x9;
inline constexpr int Pong = 0xA;
} // namespace Op

/** How a frame is put on the wire: everything a hostile client might vary. */
struct FrameSpec
{
    int opcode = Op::Text;
    QByteArray payload;
    bool fin = true;
    bool mask = true;
    int rsv = 0;           // the three RSV bits, 0..7
    int lengthForm = 0;    // 0: minimal, 16 or 64: that extended form whatever the length
    qint64 announced = -1; // >= 0: claim this payload length (the payload sent is unchanged)
};

inline QByteArray frame(const FrameSpec &f)
{
    QByteArray out;
    out.append(static_cast<char>((f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 0x0F)));
    const quint64 len = f.announced >= 0 ? static_cast<quint64>(f.announced)
                                         : static_cast<quint64>(f.payload.size());
    const char maskBit = f.mask ? char(0x80) : char(0);
    if (f.lengthForm == 64 || (f.lengthForm == 0 && len > 0xFFFF)) {
        out.append(static_cast<char>(maskBit | 127));
        char b[8];
        qToBigEndian<quint64>(len, b);
        out.append(b, 8);
    } else if (f.lengthForm == 16 || (f.lengthForm == 0 && len >= 126)) {
        out.append(static_cast<char>(maskBit | 126));
        char b[2];
        qToBigEndian<quint16>(static_cast<quint16>(len), b);
        out.append(b, 2);
    } else {
        out.append(static_cast<char>(maskBit | static_cast<char>(len)));
    }
    if (!f.mask)
        return out + f.payload;
    const quint32 key = QRandomGenerator::global()->generate() | 1u;
    char k[4];
    qToBigEndian<quint32>(key, k);
    out.append(k, 4);
    QByteArray p = f.payload;
    for (qsizetype i = 0; i < p.size(); ++i)
        p[i] = static_cast<char>(p[i] ^ k[i % 4]);
    return out + p;
}

inline QByteArray text(const QByteArray &payload, bool fin = true)
{
    return frame({Op::Text, payload, fin});
}
inline QByteArray cont(const QByteArray &payload, bool fin = true)
{
    return frame({Op::Continuation, payload, fin});
}
inline QByteArray ctrl(int opcode, const QByteArray &payload = {})
{
    return frame({opcode, payload});
}
inline QByteArray closePayload(int code, const QByteArray &reason = {})
{
    char b[2];
    qToBigEndian<quint16>(static_cast<quint16>(code), b);
    return QByteArray(b, 2) + reason;
}

/** A frame the server sent (server frames are never masked). */
struct Frame
{
    int opcode = -1;
    bool fin = true;
    QByteArray payload;
    [[nodiscard]] int closeCode() const
    {
        return payload.size() >= 2 ? qFromBigEndian<quint16>(payload.constData()) : 1005;
    }
    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(payload).object(); }
};

inline constexpr int NoClose = -1;    // still open when the wait ended
inline constexpr int Abnormal = 1006; // the connection ended without a close frame

/** A TCP client that does everything by hand, with blocking waits (the server is another process).
 */
class Raw
{
public:
    bool connectTo(quint16 port, const QHostAddress &from = QHostAddress())
    {
        if (!from.isNull() && !socket.bind(from))
            return false;
        socket.connectToHost(QHostAddress::LocalHost, port);
        return socket.waitForConnected(3000);
    }
    void send(const QByteArray &bytes)
    {
        if (socket.state() != QAbstractSocket::ConnectedState)
            return;
        socket.write(bytes);
        socket.flush();
        socket.waitForBytesWritten(2000);
    }
    /** Reads until the end of an HTTP head; returns the head (empty on timeout or close). */
    QByteArray readHead(int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        for (;;) {
            m_in += socket.readAll();
            const qsizetype end = m_in.indexOf("\r\n\r\n");
            if (end >= 0) {
                const QByteArray head = m_in.left(end + 4);
                m_in.remove(0, end + 4);
                return head;
            }
            if (t.elapsed() > timeoutMs || !waitRead(timeoutMs - int(t.elapsed())))
                return {};
        }
    }
    static int status(const QByteArray &head)
    {
        return head.startsWith("HTTP/1.1 ") ? head.mid(9, 3).toInt() : 0;
    }
    /** A whole HTTP answer: status and body (by Content-Length), or status 0. */
    struct Answer
    {
        int status = 0;
        QByteArray head;
        QByteArray body;
        [[nodiscard]] QString errorCode() const
        {
            return QJsonDocument::fromJson(body)
                .object()
                .value(QLatin1String("error"))
                .toObject()
                .value(QLatin1String("code"))
                .toString();
        }
    };
    Answer readAnswer(int timeoutMs = 5000)
    {
        Answer a;
        a.head = readHead(timeoutMs);
        a.status = status(a.head);
        const qsizetype cl = a.head.toLower().indexOf("content-length:");
        const qsizetype n =
            cl < 0
                ? 0
                : a.head.mid(cl + 15, a.head.indexOf("\r\n", cl) - cl - 15).trimmed().toLongLong();
        QElapsedTimer t;
        t.start();
        while (m_in.size() < n && t.elapsed() < timeoutMs) {
            m_in += socket.readAll();
            if (m_in.size() < n && !waitRead(timeoutMs - int(t.elapsed())))
                break;
        }
        a.body = m_in.left(n);
        m_in.remove(0, std::min<qsizetype>(n, m_in.size()));
        return a;
    }
    /** Opens a WebSocket with a bearer token and waits for hello. */
    bool openWs(quint16 port, const QString &token, const QByteArray &extraHeaders = {})
    {
        if (!connectTo(port))
            return false;
        send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
             "Sec-WebSocket-Protocol: herald.v1\r\n" +
             (token.isEmpty() ? QByteArray()
                              : "Authorization: Bearer " + token.toLatin1() + "\r\n") +
             extraHeaders + "\r\n");
        if (status(readHead()) != 101)
            return false;
        if (token.isEmpty())
            return true;
        return waitText(QStringLiteral("hello")).has_value();
    }
    /** The next frame from the server; pings from the server's heartbeat are answered and skipped.
     */
    std::optional<Frame> readFrame(int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        for (;;) {
            m_in += socket.readAll();
            if (auto f = parse()) {
                if (f->opcode == Op::Ping) {
                    if (answerPings)
                        send(frame({Op::Pong, f->payload}));
                    continue;
                }
                return f;
            }
            if (t.elapsed() > timeoutMs || !waitRead(timeoutMs - int(t.elapsed())))
                return std::nullopt;
        }
    }
    /** Waits for a text frame of a JSON type (other frames are kept in `seen`). */
    std::optional<QJsonObject> waitText(const QString &type, int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            auto f = readFrame(timeoutMs - int(t.elapsed()));
            if (!f)
                return std::nullopt;
            seen << *f;
            if (f->opcode == Op::Text && f->json().value(QLatin1String("type")).toString() == type)
                return f->json();
            if (f->opcode == Op::Close)
                return std::nullopt;
        }
        return std::nullopt;
    }
    /** Reads until the server's close frame: its code, Abnormal when the TCP connection ended
     *  without one, NoClose on timeout. Frames before it land in `seen`. */
    int waitClose(int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        for (;;) {
            auto f = readFrame(std::max(1, timeoutMs - int(t.elapsed())));
            if (!f)
                return socket.state() == QAbstractSocket::UnconnectedState || m_eof ? Abnormal
                                                                                    : NoClose;
            seen << *f;
            if (f->opcode == Op::Close) {
                closeFrame = *f;
                return f->closeCode();
            }
        }
    }
    /** True once the server has closed the TCP connection (within the time). */
    bool waitDisconnected(int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        while (!m_eof && socket.state() != QAbstractSocket::UnconnectedState) {
            m_in += socket.readAll();
            if (t.elapsed() > timeoutMs)
                return false;
            waitRead(std::min(200, timeoutMs));
        }
        return true;
    }
    /** Whether readFrame() answers the server's heartbeat pings (not in the middle of a frame). */
    bool answerPings = true;
    /** Frames that arrived (and were kept by waitText/waitClose). */
    QList<Frame> seen;
    Frame closeFrame;
    QTcpSocket socket;

private:
    bool waitRead(int ms)
    {
        if (ms <= 0)
            return false;
        if (socket.bytesAvailable() > 0)
            return true;
        if (socket.state() != QAbstractSocket::ConnectedState) {
            m_eof = true;
            return false;
        }
        const bool got = socket.waitForReadyRead(ms);
        if (!got && socket.state() != QAbstractSocket::ConnectedState)
            m_eof = true;
        return got || socket.bytesAvailable() > 0;
    }
    std::optional<Frame> parse()
    {
        if (m_in.size() < 2)
            return std::nullopt;
        const auto b0 = static_cast<quint8>(m_in[0]);
        const auto b1 = static_cast<quint8>(m_in[1]);
        qsizetype pos = 2;
        quint64 len = b1 & 0x7F;
        if (len == 126) {
            if (m_in.size() < 4)
                return std::nullopt;
            len = qFromBigEndian<quint16>(m_in.constData() + 2);
            pos = 4;
        } else if (len == 127) {
            if (m_in.size() < 10)
                return std::nullopt;
            len = qFromBigEndian<quint64>(m_in.constData() + 2);
            pos = 10;
        }
        if (quint64(m_in.size() - pos) < len)
            return std::nullopt;
        Frame f;
        f.opcode = b0 & 0x0F;
        f.fin = (b0 & 0x80) != 0;
        f.payload = m_in.mid(pos, static_cast<qsizetype>(len));
        m_in.remove(0, pos + static_cast<qsizetype>(len));
        return f;
    }
    QByteArray m_in;
    bool m_eof = false;
};

#if defined(__SANITIZE_ADDRESS__)
#define HERALD_ABUSE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HERALD_ABUSE_ASAN 1
#endif
#endif

/** How much the server's RSS may grow over the suite: 16 MiB; under AddressSanitizer 64 MiB
 *  (shadow memory), with the server's allocator quarantine made small (see asanForServers). */
inline qint64 rssBudgetKiB()
{
#ifdef HERALD_ABUSE_ASAN
    return 64 * 1024;
#else
    return 16 * 1024;
#endif
}
/** Under ASan, freed memory is held in a quarantine (256 MiB by default), which would look like
 *  growth: servers started from here get a small one. */
inline void asanForServers()
{
#ifdef HERALD_ABUSE_ASAN
    QByteArray options = qgetenv("ASAN_OPTIONS");
    qputenv("ASAN_OPTIONS", options + (options.isEmpty() ? "" : ":") + "quarantine_size_mb=8");
#endif
}

/** Resident set size of a process in KiB (from /proc), or -1. */
inline qint64 rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    return -1;
}

/** A Herald data directory with the people and room the suite uses. */
struct World
{
    World()
    {
        Seed seed(dir.path());
        for (const char *name : {"alice", "bob", "mallory"})
            seed.user(QString::fromLatin1(name));
        alice = seed.token(QStringLiteral("alice"));
        bob = seed.token(QStringLiteral("bob"));
        mallory = seed.token(QStringLiteral("mallory"));
        seed.room(QStringLiteral("general"),
                  {QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("mallory")});
        service = seed.service(QStringLiteral("abuse"));
    }
    QTemporaryDir dir;
    QString alice, bob, mallory, service;
};

/** A good client connects, sends a chat message and sees it come back; returns what failed. */
inline QString goodClientGetsThrough(const QUrl &url, const QString &token)
{
    static int n = 0;
    Client c;
    if (!c.open(url, token))
        return QStringLiteral("good client got no hello");
    const QString clientId = QStringLiteral("good-%1").arg(++n);
    const QJsonObject r = c.request(QStringLiteral("msg.send"),
                                    {{QStringLiteral("room"), QStringLiteral("general")},
                                     {QStringLiteral("clientId"), clientId},
                                     {QStringLiteral("text"), QStringLiteral("still here")}});
    if (r.value(QLatin1String("type")).toString() != QLatin1String("result"))
        return QStringLiteral("good client's message was not acknowledged: %1")
            .arg(QString::fromUtf8(QJsonDocument(r).toJson(QJsonDocument::Compact)));
    const QJsonObject m = c.waitFor(QStringLiteral("message"), [&](const QJsonObject &f) {
        return f.value(QLatin1String("clientId")).toString() == clientId;
    });
    if (m.isEmpty())
        return QStringLiteral("good client's message did not come back");
    c.ws.close();
    c.waitClosed(2000);
    return {};
}

/** Reads one counter from /metrics (-1 when missing). */
inline double metric(const QUrl &metricsUrl, const QByteArray &name)
{
    Http http;
    const Http::Response r = http.get(metricsUrl);
    for (const QByteArray &line : r.body.split('\n'))
        if (line.startsWith(QByteArray(name + ' ')))
            return line.mid(name.size() + 1).toDouble();
    return -1;
}

} // namespace abuse
