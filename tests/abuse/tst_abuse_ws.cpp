// WebSocket abuse: frames built by hand against the real herald-server process. The framing
// cases follow the Autobahn test suite and carry its case numbers; then Herald's own frame
// rules (bad JSON, wrong types, garbage floods), deadlines, the Origin allow-list and a ping
// flood that never reads. After every case a good client must still connect and get a message
// through, and the server's RSS must not have grown by more than 16 MiB.
#include "abusekit.h"

using namespace abuse;

namespace {
constexpr int MaxFrame = 65536;

QByteArray ping(const QByteArray &id)
{
    return "{\"type\":\"ping\",\"id\":\"" + id + "\"}";
}
QByteArray repeat(qsizetype n, char c = '*')
{
    return QByteArray(n, c);
}
// Splits a payload into fragments of `size` bytes (the first Text, the rest Continuation).
QByteArray fragments(const QByteArray &payload, qsizetype size)
{
    QByteArray out;
    for (qsizetype i = 0; i < payload.size() || i == 0; i += size) {
        const bool last = i + size >= payload.size();
        out += frame({i == 0 ? Op::Text : Op::Continuation, payload.mid(i, size), last});
    }
    return out;
}
} // namespace

class TestAbuseWs : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        asanForServers();
        QVERIFY(m_server.start(
            m_world.dir.path(),
            {QStringLiteral("--set"), QStringLiteral("max_frame_bytes=%1").arg(MaxFrame),
             QStringLiteral("--set"), QStringLiteral("outbound_queue_bytes=1048576"),
             QStringLiteral("--set"), QStringLiteral("origins=https://herald.example")}));
        // Warm up (first connections, storage, code paths) before the RSS baseline.
        for (int i = 0; i < 5; ++i)
            QCOMPARE(goodClientGetsThrough(m_server.wsUrl(), m_world.alice), QString());
        m_goodMessages = 5;
        QTest::qWait(200);
        m_baseline = rssKiB(m_server.proc->processId());
        QVERIFY(m_baseline > 0);
        qInfo("server RSS baseline: %lld KiB", m_baseline);
    }

    void cleanup()
    {
        QCOMPARE(m_server.proc->state(), QProcess::Running);
        QCOMPARE(goodClientGetsThrough(m_server.wsUrl(), m_world.alice), QString());
        ++m_goodMessages;
        // Nothing any case sent was stored: the room holds exactly the good clients' messages.
        Client probe;
        QVERIFY(probe.open(m_server.wsUrl(), m_world.bob));
        const QJsonArray rooms =
            probe.all(QStringLiteral("hello")).first().value(QLatin1String("rooms")).toArray();
        QCOMPARE(rooms.first().toObject().value(QLatin1String("lastSeq")).toInt(), m_goodMessages);
        const qint64 rss = rssKiB(m_server.proc->processId());
        QVERIFY2(rss - m_baseline <= rssBudgetKiB(),
                 qPrintable(QStringLiteral("server RSS grew by %1 KiB (baseline %2 KiB)")
                                .arg(rss - m_baseline)
                                .arg(m_baseline)));
    }

    // ---- framing, after the Autobahn test suite (case numbers in the row names)

    void autobahn_data()
    {
        QTest::addColumn<QByteArray>("bytes"); // sent after hello
        QTest::addColumn<int>("chunk");        // TCP write size (0: all at once)
        QTest::addColumn<QString>(
            "expect");                  // close:<code> | reply:<json type> | error:<code> | silent
        QTest::addColumn<int>("pongs"); // pong frames expected before that
        QTest::addColumn<QByteArray>("pongPayload");

        const QByteArray p = ping("p");
        // 1 Framing: text and binary messages
        QTest::newRow("1.1.1 text, empty payload")
            << text({}) << 0 << "error:bad_json" << 0 << QByteArray();
        QTest::newRow("1.1.2 text, 125 bytes")
            << text(repeat(125)) << 0 << "error:bad_json" << 0 << QByteArray();
        QTest::newRow("1.1.3 text, 126 bytes (16-bit length)")
            << text(repeat(126)) << 0 << "error:bad_json" << 0 << QByteArray();
        QTest::newRow("1.1.6 text, 65535 bytes")
            << text(repeat(65535)) << 0 << "error:bad_json" << 0 << QByteArray();
        QTest::newRow("1.1.7 text, 65536 bytes (64-bit length, at the cap)")
            << text(repeat(65536)) << 0 << "error:bad_json" << 0 << QByteArray();
        QTest::newRow("1.1.8 text, 65536 bytes in 997-byte writes")
            << text(repeat(65536)) << 997 << "error:bad_json" << 0 << QByteArray();
        QTest::newRow("1.2.1 binary, empty payload")
            << frame({Op::Binary, {}}) << 0 << "close:1003" << 0 << QByteArray();
        QTest::newRow("1.2.2 binary, 125 bytes")
            << frame({Op::Binary, repeat(125, '\xfe')}) << 0 << "close:1003" << 0 << QByteArray();
        QTest::newRow("1.2.6 binary, 65535 bytes")
            << frame({Op::Binary, repeat(65535, '\xfe')}) << 0 << "close:1003" << 0 << QByteArray();

        // 2 Pings and pongs
        QTest::newRow("2.1 ping, no payload")
            << ctrl(Op::Ping) << 0 << "silent" << 1 << QByteArray();
        QTest::newRow("2.2 ping, text payload")
            << ctrl(Op::Ping, "Hello, world!") << 0 << "silent" << 1 << QByteArray("Hello, world!");
        const QByteArray bin("\x00\xff\xfe\xfd\xfc\xfb\x00\xff", 8);
        QTest::newRow("2.3 ping, binary payload")
            << ctrl(Op::Ping, bin) << 0 << "silent" << 1 << bin;
        QTest::newRow("2.4 ping, 125 bytes")
            << ctrl(Op::Ping, repeat(125, '\xfe')) << 0 << "silent" << 1 << repeat(125, '\xfe');
        QTest::newRow("2.5 ping, 126 bytes")
            << ctrl(Op::Ping, repeat(126, '\xfe')) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("2.6 ping, 125 bytes in 1-byte writes")
            << ctrl(Op::Ping, repeat(125, '\xfe')) << 1 << "silent" << 1 << repeat(125, '\xfe');
        QTest::newRow("2.7 unsolicited pong, no payload")
            << ctrl(Op::Pong) << 0 << "silent" << 0 << QByteArray();
        QTest::newRow("2.8 unsolicited pong, payload")
            << ctrl(Op::Pong, "unsolicited") << 0 << "silent" << 0 << QByteArray();
        QTest::newRow("2.9 unsolicited pong, then ping")
            << ctrl(Op::Pong, "unsolicited") + ctrl(Op::Ping, "ping payload") << 0 << "silent" << 1
            << QByteArray("ping payload");
        QByteArray tenPings;
        for (int i = 0; i < 10; ++i)
            tenPings += ctrl(Op::Ping, "payload");
        QTest::newRow("2.10 10 pings") << tenPings << 0 << "silent" << 10 << QByteArray("payload");
        QTest::newRow("2.11 10 pings in 1-byte writes")
            << tenPings << 1 << "silent" << 10 << QByteArray("payload");

        // 3 Reserved bits
        QTest::newRow("3.1 text, RSV=1")
            << frame({Op::Text, p, true, true, 1}) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("3.2 text, then text RSV=2, then ping")
            << text(p) + frame({Op::Text, p, true, true, 2}) + ctrl(Op::Ping) << 0 << "close:1002"
            << 0 << QByteArray();
        QTest::newRow("3.3 text, then text RSV=3 (byte-wise), then ping")
            << text(p) + frame({Op::Text, p, true, true, 3}) + ctrl(Op::Ping) << 1 << "close:1002"
            << 0 << QByteArray();
        QTest::newRow("3.4 text RSV=4")
            << frame({Op::Text, p, true, true, 4}) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("3.5 binary RSV=5")
            << frame({Op::Binary, bin, true, true, 5}) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("3.6 ping RSV=6")
            << frame({Op::Ping, "x", true, true, 6}) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("3.7 close RSV=7") << frame({Op::Close, closePayload(1000), true, true, 7})
                                         << 0 << "close:1002" << 0 << QByteArray();

        // 4 Opcodes
        QTest::newRow("4.1.1 reserved data opcode 3")
            << frame({3, {}}) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("4.1.2 reserved data opcode 4, payload")
            << frame({4, "reserved"}) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("4.1.3 text, opcode 5, ping")
            << text(p) + frame({5, {}}) + ctrl(Op::Ping) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("4.1.4 text, opcode 6 with payload, ping")
            << text(p) + frame({6, "x"}) + ctrl(Op::Ping) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("4.1.5 text, opcode 7 with payload, ping")
            << text(p) + frame({7, "x"}) + ctrl(Op::Ping) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("4.2.1 reserved control opcode 11")
            << frame({11, {}}) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("4.2.2 reserved control opcode 12, payload")
            << frame({12, "reserved"}) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("4.2.3 text, opcode 13, ping")
            << text(p) + frame({13, {}}) + ctrl(Op::Ping) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("4.2.4 text, opcode 14 with payload, ping")
            << text(p) + frame({14, "x"}) + ctrl(Op::Ping) << 0 << "close:1002" << 0
            << QByteArray();
        QTest::newRow("4.2.5 text, opcode 15 with payload, ping")
            << text(p) + frame({15, "x"}) + ctrl(Op::Ping) << 0 << "close:1002" << 0
            << QByteArray();

        // 5 Fragmentation
        QTest::newRow("5.1 ping in 2 fragments")
            << frame({Op::Ping, "frag1", false}) + cont("frag2") << 0 << "close:1002" << 0
            << QByteArray();
        QTest::newRow("5.2 pong in 2 fragments")
            << frame({Op::Pong, "frag1", false}) + cont("frag2") << 0 << "close:1002" << 0
            << QByteArray();
        QTest::newRow("5.3 text in 2 fragments")
            << text(p.left(10), false) + cont(p.mid(10)) << 0 << "reply:pong" << 0 << QByteArray();
        QTest::newRow("5.4 text in 2 fragments, byte-wise")
            << text(p.left(10), false) + cont(p.mid(10)) << 1 << "reply:pong" << 0 << QByteArray();
        QTest::newRow("5.6 text in 2 fragments, ping in between")
            << text(p.left(10), false) + ctrl(Op::Ping, "between") + cont(p.mid(10)) << 0
            << "reply:pong" << 1 << QByteArray("between");
        QTest::newRow("5.7 text in 2 fragments, ping in between, byte-wise")
            << text(p.left(10), false) + ctrl(Op::Ping, "between") + cont(p.mid(10)) << 1
            << "reply:pong" << 1 << QByteArray("between");
        QTest::newRow("5.9 continuation (FIN) without a start")
            << cont("nothing to continue") << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("5.10 continuation (no FIN) without a start")
            << cont("nothing", false) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("5.15 message, then continuation without a start")
            << text(p.left(10), false) + cont(p.mid(10)) + cont("x", false) + text(p) << 0
            << "close:1002" << 0 << QByteArray();
        QTest::newRow("5.18 text start, then text instead of continuation")
            << text(p.left(10), false) + text(p.mid(10)) << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("5.19 text in 5 fragments, 2 pings in between")
            << text(p.left(4), false) + cont(p.mid(4, 4), false) + ctrl(Op::Ping, "a") +
                   cont(p.mid(8, 4), false) + ctrl(Op::Ping, "a") + cont(p.mid(12, 4), false) +
                   cont(p.mid(16))
            << 0 << "reply:pong" << 2 << QByteArray("a");

        // 6 UTF-8 handling (split across frames, invalid, fail fast)
        QTest::newRow("6.1.1 empty text in 3 empty fragments")
            << text({}, false) + cont({}, false) + cont({}) << 0 << "error:bad_json" << 0
            << QByteArray();
        QTest::newRow("6.1.3 3 fragments, first and last empty")
            << text({}, false) + cont(p, false) + cont({}) << 0 << "reply:pong" << 0
            << QByteArray();
        const QByteArray hello =
            ping("Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!");
        QTest::newRow("6.2.1 valid UTF-8 in one frame")
            << text(hello) << 0 << "reply:pong" << 0 << QByteArray();
        QTest::newRow("6.2.2 valid UTF-8 in 2 fragments at a code point")
            << text(hello.left(23), false) + cont(hello.mid(23)) << 0 << "reply:pong" << 0
            << QByteArray();
        QTest::newRow("6.2.3 valid UTF-8, one byte per fragment")
            << fragments(hello, 1) << 0 << "reply:pong" << 0 << QByteArray();
        const QByteArray kosme = ping("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5");
        QTest::newRow("6.2.4 \"kosme\" one byte per fragment")
            << fragments(kosme, 1) << 0 << "reply:pong" << 0 << QByteArray();
        const QByteArray badKosme("{\"type\":\"ping\",\"id\":"
                                  "\"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65"
                                  "\x64\x69\x74\x65\x64\"}");
        QTest::newRow("6.3.1 invalid UTF-8 (encoded surrogate)")
            << text(badKosme) << 0 << "close:1007" << 0 << QByteArray();
        QTest::newRow("6.3.2 invalid UTF-8, one byte per fragment")
            << fragments(badKosme, 1) << 0 << "close:1007" << 0 << QByteArray();
        QTest::newRow("6.4.1 fail fast: bad code point in fragment 2 of 3 (3 never sent)")
            << text("{\"type\":\"ping\",\"id\":\"", false) + cont("\xf4\x90\x80\x80", false) << 0
            << "close:1007" << 0 << QByteArray();
        QTest::newRow("6.4.2 fail fast: bad byte first in fragment 2")
            << text("{\"a\":\"\xce\xba", false) + cont("\x80\x80 more", false) << 0 << "close:1007"
            << 0 << QByteArray();
        QTest::newRow("6.5.5 4-byte UTF-8 (emoji) split across fragments")
            << fragments(ping("\xf0\x9f\x98\x80"), 3) << 0 << "reply:pong" << 0 << QByteArray();
        QTest::newRow("6.6.1 truncated 2-byte sequence at the end")
            << text("\xce") << 0 << "close:1007" << 0 << QByteArray();
        QTest::newRow("6.8.1 beyond U+10FFFF")
            << text("\xf8\x88\x80\x80\x80") << 0 << "close:1007" << 0 << QByteArray();
        QTest::newRow("6.9.1 overlong '/' (2 bytes)")
            << text("\xc0\xaf") << 0 << "close:1007" << 0 << QByteArray();
        QTest::newRow("6.9.2 overlong '/' (3 bytes)")
            << text("\xe0\x80\xaf") << 0 << "close:1007" << 0 << QByteArray();
        QTest::newRow("6.9.3 overlong '/' (4 bytes)")
            << text("\xf0\x80\x80\xaf") << 0 << "close:1007" << 0 << QByteArray();
        QTest::newRow("6.19.1 lone high surrogate U+D800")
            << text("\xed\xa0\x80") << 0 << "close:1007" << 0 << QByteArray();
        QTest::newRow("6.21.1 surrogate pair encoded as two 3-byte sequences")
            << text("\xed\xa0\x80\xed\xb0\x80") << 0 << "close:1007" << 0 << QByteArray();
        QTest::newRow("6.22.1 noncharacter U+FFFE is valid UTF-8")
            << text(ping("\xef\xbf\xbe")) << 0 << "reply:pong" << 0 << QByteArray();

        // 7 Close handling
        QTest::newRow("7.1.1 close 1000")
            << ctrl(Op::Close, closePayload(1000)) << 0 << "close:1000" << 0 << QByteArray();
        QTest::newRow("7.1.2 close twice")
            << ctrl(Op::Close, closePayload(1000)) + ctrl(Op::Close, closePayload(1000)) << 0
            << "close:1000" << 0 << QByteArray();
        QTest::newRow("7.1.3 close, then ping (no pong)")
            << ctrl(Op::Close, closePayload(1000)) + ctrl(Op::Ping, "late") << 0 << "close:1000"
            << 0 << QByteArray();
        QTest::newRow("7.1.4 close, then text (no answer)")
            << ctrl(Op::Close, closePayload(1000)) + text(p) << 0 << "close:1000" << 0
            << QByteArray();
        QTest::newRow("7.1.5 text fragment, then close")
            << text(p.left(5), false) + ctrl(Op::Close, closePayload(1000)) << 0 << "close:1000"
            << 0 << QByteArray();
        QTest::newRow("7.3.1 close, empty payload")
            << ctrl(Op::Close) << 0 << "close:1000" << 0 << QByteArray();
        QTest::newRow("7.3.2 close, 1-byte payload")
            << ctrl(Op::Close, "\x03") << 0 << "close:1002" << 0 << QByteArray();
        QTest::newRow("7.3.3 close 1000, no reason")
            << ctrl(Op::Close, closePayload(1000)) << 0 << "close:1000" << 0 << QByteArray();
        QTest::newRow("7.3.4 close 1000 with reason")
            << ctrl(Op::Close, closePayload(1000, "Hello World!")) << 0 << "close:1000" << 0
            << QByteArray();
        QTest::newRow("7.3.5 close 1000, 123-byte reason")
            << ctrl(Op::Close, closePayload(1000, repeat(123))) << 0 << "close:1000" << 0
            << QByteArray();
        QTest::newRow("7.3.6 close 1000, 124-byte reason (control frame over 125)")
            << ctrl(Op::Close, closePayload(1000, repeat(124))) << 0 << "close:1002" << 0
            << QByteArray();
        QTest::newRow("7.5.1 close, invalid UTF-8 reason")
            << ctrl(Op::Close, closePayload(1000, "\xce\xba\xe1\xbd\xb9\xed\xa0\x80")) << 0
            << "close:1007" << 0 << QByteArray();
        const int validCodes[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009,
                                  1010, 1011, 3000, 3999, 4000, 4999};
        for (int i = 0; i < int(std::size(validCodes)); ++i)
            QTest::addRow("7.7.%d close %d (valid, echoed)", i + 1, validCodes[i])
                << ctrl(Op::Close, closePayload(validCodes[i])) << 0
                << QStringLiteral("close:%1").arg(validCodes[i]) << 0 << QByteArray();
        const int invalidCodes[] = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000, 65535};
        for (int i = 0; i < int(std::size(invalidCodes)); ++i)
            QTest::addRow("7.9.%d close %d (invalid)", i + 1, invalidCodes[i])
                << ctrl(Op::Close, closePayload(invalidCodes[i])) << 0 << "close:1002" << 0
                << QByteArray();

        // 9 Limits (max_frame_bytes here: 65536)
        QTest::newRow("9.1.1 text one byte over the frame cap")
            << text(repeat(MaxFrame + 1)) << 0 << "close:1009" << 0 << QByteArray();
        QTest::newRow("9.1.6 frame announcing 1 GiB, 10 bytes sent")
            << frame({Op::Text, repeat(10), true, true, 0, 0, qint64(1) << 30}) << 0 << "close:1009"
            << 0 << QByteArray();
        QTest::newRow("9.1.6b frame announcing 2^63-1 bytes")
            << frame({Op::Text, repeat(10), true, true, 0, 64, std::numeric_limits<qint64>::max()})
            << 0 << "close:1009" << 0 << QByteArray();
        QTest::newRow("9.2.6 binary announcing 1 GiB")
            << frame({Op::Binary, repeat(10), true, true, 0, 0, qint64(1) << 30}) << 0
            << "close:1009" << 0 << QByteArray();
        QTest::newRow("9.4.x message over the cap from 17 fragments of 4 KiB")
            << fragments(repeat(17 * 4096), 4096) << 0 << "close:1009" << 0 << QByteArray();
        QTest::newRow("9.5.x message over the cap from 70000 one-byte fragments")
            << fragments(repeat(70000), 1) << 0 << "close:1009" << 0 << QByteArray();

        // RFC 6455 5.2 length encodings (no Autobahn number)
        QTest::newRow("rfc6455-5.2 16-bit length for 5 bytes")
            << frame({Op::Text, "hello", true, true, 0, 16}) << 0 << "close:1002" << 0
            << QByteArray();
        QTest::newRow("rfc6455-5.2 64-bit length for 200 bytes")
            << frame({Op::Text, repeat(200), true, true, 0, 64}) << 0 << "close:1002" << 0
            << QByteArray();
        QTest::newRow("rfc6455-5.2 64-bit length with the top bit set")
            << frame({Op::Text, repeat(10), true, true, 0, 64, qint64(-1)}) << 0 << "close:1002"
            << 0 << QByteArray();
        // RFC 6455 5.1: "a server MUST close the connection upon receiving a frame that is not
        // masked"
        QTest::newRow("rfc6455-5.1 unmasked text frame")
            << frame({Op::Text, p, true, false}) << 0 << "close:1002" << 0 << QByteArray();
    }

    void autobahn()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, chunk);
        QFETCH(QString, expect);
        QFETCH(int, pongs);
        QFETCH(QByteArray, pongPayload);
        Raw raw;
        QVERIFY(raw.openWs(m_server.port, m_world.mallory));
        if (chunk > 0)
            for (qsizetype i = 0; i < bytes.size(); i += chunk)
                raw.send(bytes.mid(i, chunk));
        else
            raw.send(bytes);

        const QString kind = expect.section(QLatin1Char(':'), 0, 0);
        const QString arg = expect.section(QLatin1Char(':'), 1);
        if (kind == QLatin1String("close")) {
            QCOMPARE(raw.waitClose(3000), arg.toInt());
            if (raw.closeFrame.opcode == Op::Close)
                QVERIFY(raw.waitDisconnected(3000)); // the server ends the TCP connection too
        } else {
            // The connection stays open: a Herald ping is answered after whatever came first.
            raw.send(text(ping("after")));
            const auto after = raw.waitText(QStringLiteral("pong"));
            QVERIFY2(after.has_value(), "the connection should still be open and answering");
            if (kind == QLatin1String("reply")) {
                bool replied = false;
                for (const Frame &f : std::as_const(raw.seen))
                    replied = replied || (f.opcode == Op::Text &&
                                          f.json().value(QLatin1String("type")).toString() == arg &&
                                          f.json().value(QLatin1String("id")).toString() !=
                                              QLatin1String("after"));
                QVERIFY2(
                    replied,
                    qPrintable(QStringLiteral("no %1 frame before the probe's answer").arg(arg)));
            } else if (kind == QLatin1String("error")) {
                QList<QJsonObject> errors;
                for (const Frame &f : std::as_const(raw.seen))
                    if (f.opcode == Op::Text &&
                        f.json().value(QLatin1String("type")).toString() == QLatin1String("error"))
                        errors << f.json();
                QCOMPARE(errors.size(), 1);
                QCOMPARE(errors.first().value(QLatin1String("code")).toString(), arg);
            }
        }
        int gotPongs = 0;
        for (const Frame &f : std::as_const(raw.seen))
            if (f.opcode == Op::Pong) {
                ++gotPongs;
                QCOMPARE(f.payload, pongPayload);
            }
        QCOMPARE(gotPongs, pongs);
    }

    // ---- Herald's own frame rules

    void heraldFrames_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("id"); // the id the error must carry (empty: none)
        QTest::addColumn<QString>("field");
        QTest::newRow("invalid JSON")
            << QByteArray("{\"type\":\"ping\",\"id\":\"j1\"") << "bad_json"
            << ""
            << "";
        QTest::newRow("JSON array")
            << QByteArray("[{\"type\":\"ping\",\"id\":\"a1\"}]") << "not_object"
            << ""
            << "";
        QTest::newRow("JSON number") << QByteArray("42") << "not_object"
                                     << ""
                                     << "";
        QTest::newRow("JSON string") << QByteArray("\"ping\"") << "not_object"
                                     << ""
                                     << "";
        QTest::newRow("JSON null") << QByteArray("null") << "not_object"
                                   << ""
                                   << "";
        QTest::newRow("deep nesting")
            << QByteArray("{\"type\":\"ping\",\"id\":\"d1\",\"x\":" + QByteArray(9, '[') +
                          QByteArray(9, ']') + "}")
            << "too_deep"
            << ""
            << "";
        QTest::newRow("very deep nesting")
            << QByteArray(30000, '[') + QByteArray(30000, ']') << "too_deep"
            << ""
            << "";
        QTest::newRow("unknown type")
            << QByteArray("{\"type\":\"room.destroy\",\"id\":\"u1\"}") << "unknown_type"
            << "u1"
            << "type";
        QTest::newRow("server frame type")
            << QByteArray("{\"type\":\"hello\",\"id\":\"u2\"}") << "unknown_type"
            << "u2"
            << "type";
        QTest::newRow("no type") << QByteArray("{\"id\":\"n1\"}") << "missing_field"
                                 << "n1"
                                 << "type";
        QTest::newRow("type not a string")
            << QByteArray("{\"type\":7,\"id\":\"n2\"}") << "wrong_type"
            << "n2"
            << "type";
        QTest::newRow("room is a number")
            << QByteArray("{\"type\":\"room.join\",\"id\":\"m1\",\"room\":7}") << "wrong_type"
            << "m1"
            << "room";
        QTest::newRow("text is an object")
            << QByteArray("{\"type\":\"msg.send\",\"id\":\"m2\",\"room\":\"general\",\"clientId\":"
                          "\"x\",\"text\":{}}")
            << "wrong_type"
            << "m2"
            << "text";
        QTest::newRow("text too long") << "{\"type\":\"msg.send\",\"id\":\"m3\",\"room\":"
                                          "\"general\",\"clientId\":\"x\",\"text\":\"" +
                                              repeat(4001, 'a') + "\"}"
                                       << "too_long"
                                       << "m3"
                                       << "text";
        QTest::newRow("negative sequence")
            << QByteArray(
                   "{\"type\":\"room.history\",\"id\":\"m4\",\"room\":\"general\",\"after\":-1}")
            << "bad_value"
            << "m4"
            << "after";
        QTest::newRow("integer beyond 2^53")
            << QByteArray("{\"type\":\"notif.read\",\"id\":\"m5\",\"ids\":[9007199254740993]}")
            << "bad_value"
            << "m5"
            << "ids";
        QTest::newRow("unescaped control character")
            << QByteArray("{\"type\":\"ping\",\"id\":\"c1\",\"x\":\"a\x01\"}") << "bad_json"
            << ""
            << "";
        QTest::newRow("escaped lone surrogate")
            << QByteArray("{\"type\":\"ping\",\"id\":\"s1\",\"x\":\"\\ud800\"}") << "bad_utf8"
            << "s1"
            << "x";
        // Qt's parser would pair a lone high half with the next character and store other text.
        const auto lone = [](const char *raw) -> QByteArray {
            return QByteArray("{\"type\":\"msg.send\",\"id\":\"s2\",\"room\":\"general\","
                              "\"clientId\":\"x\",\"text\":\"") +
                   raw + "\"}";
        };
        QTest::newRow("lone high half before a letter") << lone("a\\ud800z") << "bad_utf8"
                                                        << "s2"
                                                        << "text";
        QTest::newRow("lone high half at the end") << lone("a\\ud800") << "bad_utf8"
                                                   << "s2"
                                                   << "text";
        QTest::newRow("lone high half before an escape") << lone("\\ud800\\u0041") << "bad_utf8"
                                                         << "s2"
                                                         << "text";
        QTest::newRow("lone low half before a letter") << lone("\\udc00z") << "bad_utf8"
                                                       << "s2"
                                                       << "text";
        QTest::newRow("lone low half at the end") << lone("z\\udfff") << "bad_utf8"
                                                  << "s2"
                                                  << "text";
        QTest::newRow("lone low half before an escape") << lone("\\udc00\\n") << "bad_utf8"
                                                        << "s2"
                                                        << "text";
        QTest::newRow("blank message")
            << QByteArray("{\"type\":\"msg.send\",\"id\":\"b1\",\"room\":\"general\",\"clientId\":"
                          "\"x\",\"text\":\"  \"}")
            << "bad_value"
            << "b1"
            << "text";
        QTest::newRow("not a member")
            << QByteArray("{\"type\":\"msg.send\",\"id\":\"f1\",\"room\":\"nowhere\",\"clientId\":"
                          "\"x\",\"text\":\"hi\"}")
            << "forbidden"
            << "f1"
            << "room";
    }

    void heraldFrames()
    {
        QFETCH(QByteArray, payload);
        QFETCH(QString, code);
        QFETCH(QString, id);
        QFETCH(QString, field);
        Raw raw;
        QVERIFY(raw.openWs(m_server.port, m_world.mallory));
        raw.send(text(payload));
        const auto e = raw.waitText(QStringLiteral("error"));
        QVERIFY(e.has_value());
        QCOMPARE(e->value(QLatin1String("code")).toString(), code);
        QCOMPARE(e->value(QLatin1String("id")).toString(), id);
        QCOMPARE(e->value(QLatin1String("field")).toString(), field);
        // and the connection carries on
        raw.send(text(ping("alive")));
        QVERIFY(raw.waitText(QStringLiteral("pong")).has_value());
    }

    void garbageFloodCloses1008()
    {
        // max_bad_frames is 20 (the default): 20 errors, then the 21st invalid frame closes.
        Raw raw;
        QVERIFY(raw.openWs(m_server.port, m_world.mallory));
        QByteArray flood;
        for (int i = 0; i < 25; ++i)
            flood += text("{\"type\":\"ping\",\"id\":\"g" + QByteArray::number(i) + "\",\"x\":[");
        raw.send(flood);
        QCOMPARE(raw.waitClose(3000), 1008);
        int errors = 0;
        for (const Frame &f : std::as_const(raw.seen))
            if (f.opcode == Op::Text &&
                f.json().value(QLatin1String("code")).toString() == QLatin1String("bad_json"))
                ++errors;
        QCOMPARE(errors, 21);
    }

    void binaryAfterAuthCloses1003()
    {
        Raw raw;
        QVERIFY(raw.openWs(m_server.port, m_world.mallory));
        raw.send(frame({Op::Binary, ping("b")}));
        QCOMPARE(raw.waitClose(3000), 1003);
    }

    void framesBeforeAuth()
    {
        // No token: a frame other than auth gets unauthorized with its id, then 4001.
        Raw raw;
        QVERIFY(raw.openWs(m_server.port, QString()));
        raw.send(text(ping("early")));
        QCOMPARE(raw.waitClose(3000), 4001);
        QCOMPARE(raw.seen.first().json().value(QLatin1String("id")).toString(),
                 QStringLiteral("early"));
        // A bad token in an auth frame: 4001 as well.
        Raw bad;
        QVERIFY(bad.openWs(m_server.port, QString()));
        bad.send(text("{\"type\":\"auth\",\"token\":\"hrd_1_forged\"}"));
        QCOMPARE(bad.waitClose(3000), 4001);
    }

    void handshakeAndFramesInOneWrite()
    {
        // A client that does not wait for the 101 before its first frame is still served.
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        raw.send(
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" +
            text("{\"type\":\"auth\",\"token\":\"" + m_world.mallory.toLatin1() + "\"}"));
        QCOMPARE(Raw::status(raw.readHead()), 101);
        QVERIFY(raw.waitText(QStringLiteral("hello")).has_value());
    }

    void originAllowList_data()
    {
        QTest::addColumn<QByteArray>("origin");
        QTest::addColumn<int>("status");
        QTest::newRow("listed") << QByteArray("Origin: https://herald.example\r\n") << 101;
        QTest::newRow("not listed") << QByteArray("Origin: https://evil.example\r\n") << 403;
        QTest::newRow("lookalike")
            << QByteArray("Origin: https://herald.example.evil.example\r\n") << 403;
        QTest::newRow("null") << QByteArray("Origin: null\r\n") << 403;
        QTest::newRow("two origins")
            << QByteArray("Origin: https://herald.example\r\nOrigin: https://evil.example\r\n")
            << 400;
        QTest::newRow("none (not a browser)") << QByteArray() << 101;
    }
    void originAllowList()
    {
        QFETCH(QByteArray, origin);
        QFETCH(int, status);
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        raw.send(
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
            origin + "\r\n");
        const Raw::Answer a = raw.readAnswer();
        QCOMPARE(a.status, status);
        if (status == 403)
            QCOMPARE(a.errorCode(), QStringLiteral("bad_request"));
    }

    void pingFloodThatNeverReadsIsCut()
    {
        // Pongs are queued by QWebSocket itself; the outbound cap (1 MiB here) counts them.
        const double before = metric(m_server.httpUrl(QStringLiteral("/metrics")),
                                     "herald_outbound_queue_drops_total");
        Raw raw;
        QVERIFY(raw.openWs(m_server.port, m_world.mallory));
        raw.socket.setReadBufferSize(
            1); // stop reading: the kernel buffers fill, then the server's queue
        const QByteArray pings = [] {
            QByteArray b;
            for (int i = 0; i < 512; ++i)
                b += ctrl(Op::Ping, repeat(125, 'p'));
            return b;
        }();
        qint64 sent = 0;
        QElapsedTimer t;
        t.start();
        // At most 256 MiB of pings or 30 s; the server must cut us off long before.
        while (raw.socket.state() == QAbstractSocket::ConnectedState &&
               sent < 256LL * 1024 * 1024 && t.elapsed() < 30000) {
            if (raw.socket.bytesToWrite() < 4 * 1024 * 1024) {
                raw.socket.write(pings);
                sent += pings.size();
            }
            raw.socket.waitForBytesWritten(50);
        }
        qInfo("sent %lld bytes of pings in %lld ms", sent, t.elapsed());
        raw.socket.setReadBufferSize(0);
        QVERIFY(raw.waitDisconnected(10000));
        QTRY_VERIFY_WITH_TIMEOUT(metric(m_server.httpUrl(QStringLiteral("/metrics")),
                                        "herald_outbound_queue_drops_total") > before,
                                 5000);
    }

    void deadlines()
    {
        // A second server with short deadlines: auth 2 s, heartbeat every 1 s, silence 3 s.
        World world;
        ServerProcess quick;
        QVERIFY(quick.start(world.dir.path(),
                            {QStringLiteral("--set"), QStringLiteral("auth_timeout=2"),
                             QStringLiteral("--set"), QStringLiteral("heartbeat_interval=1"),
                             QStringLiteral("--set"), QStringLiteral("heartbeat_timeout=3")}));
        Raw noAuth, silent, alive, halfFrame;
        QVERIFY(noAuth.openWs(quick.port, QString()));
        // On the main server (long heartbeat): a frame announced as 100 bytes, 10 sent, then
        // silence. The server gives up on it after 5 s.
        QVERIFY(halfFrame.openWs(m_server.port, m_world.mallory));
        halfFrame.send(frame({Op::Text, repeat(100)}).left(16));
        halfFrame.answerPings = false; // a pong now would land inside the unfinished frame
        QVERIFY(silent.openWs(quick.port, world.mallory));
        QVERIFY(alive.openWs(quick.port, world.alice));
        // stream sends frames without a pause, every write ending inside a frame: the 5 s are
        // for silence in a frame, not for a stream that never ends on a frame boundary.
        Raw stream;
        QVERIFY(stream.openWs(m_server.port, m_world.mallory));
        const QByteArray ctrlPing = ctrl(Op::Ping, "s");
        int streamed = 0;
        stream.send(ctrlPing.left(3));
        QElapsedTimer t;
        t.start();
        // alive answers pings (readFrame does) and stays; silent never reads nor answers.
        while (t.elapsed() < 5500) {
            alive.readFrame(100);
            stream.send(ctrlPing.mid(3) +
                        ctrlPing.left(3)); // the rest of one, the start of the next
            ++streamed;
            QTest::qWait(50);
        }
        stream.send(ctrlPing.mid(3));
        ++streamed;
        QCOMPARE(halfFrame.waitClose(2000), 1001);
        QCOMPARE(noAuth.waitClose(1000), 4002);
        QCOMPARE(silent.waitClose(1000), 4007);
        alive.send(text(ping("still")));
        QVERIFY(alive.waitText(QStringLiteral("pong")).has_value());
        stream.send(text(ping("still")));
        QVERIFY2(stream.waitText(QStringLiteral("pong")).has_value(), "the stream was cut off");
        int pongs = 0;
        for (const Frame &f : std::as_const(stream.seen))
            pongs += f.opcode == Op::Pong ? 1 : 0;
        QVERIFY(streamed > 20);
        QCOMPARE(pongs, streamed);
        QCOMPARE(goodClientGetsThrough(quick.wsUrl(), world.bob), QString());
    }

private:
    World m_world;
    ServerProcess m_server;
    qint64 m_baseline = 0;
    int m_goodMessages = 0;
};

QTEST_GUILESS_MAIN(TestAbuseWs)
#include "tst_abuse_ws.moc"
