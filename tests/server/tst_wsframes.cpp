// ws::FrameReader and ws::Utf8Check driven directly, without a socket: the RFC 6455 rules a
// server must check, byte by byte delivery, and that an idle reader holds no memory. The same
// rules are checked end to end against the server process in tests/abuse/tst_abuse_ws.cpp.
#include "net/wsframes.h"

#include <QTest>

using namespace herald;

namespace {
// A masked client frame.
QByteArray clientFrame(quint8 opcode, const QByteArray &payload, bool fin = true, quint8 rsv = 0)
{
    QByteArray out;
    out.append(char((fin ? 0x80 : 0) | (rsv << 4) | opcode));
    const qsizetype n = payload.size();
    if (n < 126) {
        out.append(char(0x80 | n));
    } else if (n <= 0xFFFF) {
        out.append(char(0x80 | 126));
        out.append(char(n >> 8));
        out.append(char(n));
    } else {
        out.append(char(0x80 | 127));
        for (int i = 7; i >= 0; --i)
            out.append(char(quint64(n) >> (8 * i)));
    }
    const char mask[4] = {'\x12', '\x34', '\x56', '\x78'};
    out.append(mask, 4);
    for (qsizetype i = 0; i < n; ++i)
        out.append(char(payload.at(i) ^ mask[i & 3]));
    return out;
}

std::vector<ws::Event> readAll(ws::FrameReader &reader, const QByteArray &bytes, int chunk = 0)
{
    std::vector<ws::Event> events;
    if (chunk <= 0)
        reader.feed(bytes.constData(), bytes.size(), events);
    else
        for (qsizetype i = 0; i < bytes.size(); i += chunk)
            reader.feed(bytes.constData() + i, std::min<qsizetype>(chunk, bytes.size() - i),
                        events);
    return events;
}
} // namespace

class TestWsFrames : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void messagesArriveWholeInAnyChunking_data()
    {
        QTest::addColumn<int>("chunk");
        QTest::newRow("at once") << 0;
        QTest::newRow("byte by byte") << 1;
        QTest::newRow("7-byte pieces") << 7;
    }
    void messagesArriveWholeInAnyChunking()
    {
        QFETCH(int, chunk);
        ws::FrameReader reader(1 << 20);
        const QByteArray big(70000, 'x'); // 64-bit length
        const QByteArray mid(300, 'y');   // 16-bit length
        const QByteArray bytes = clientFrame(ws::Text, "{\"a\":1}") + clientFrame(ws::Ping, "p") +
                                 clientFrame(ws::Text, big) + clientFrame(ws::Text, "he", false) +
                                 clientFrame(ws::Pong, {}) + clientFrame(ws::Continuation, "llo") +
                                 clientFrame(ws::Binary, mid);
        const auto events = readAll(reader, bytes, chunk);
        QCOMPARE(events.size(), size_t(6));
        QCOMPARE(events[0].kind, ws::Event::Text);
        QCOMPARE(events[0].payload, QByteArray("{\"a\":1}"));
        QCOMPARE(events[1].kind, ws::Event::Ping);
        QCOMPARE(events[1].payload, QByteArray("p"));
        QCOMPARE(events[2].payload, big);
        QCOMPARE(events[3].kind, ws::Event::Pong); // control frames may sit between fragments
        QCOMPARE(events[4].payload, QByteArray("hello"));
        QCOMPARE(events[5].kind, ws::Event::Binary);
        QCOMPARE(events[5].payload, mid);
        QVERIFY(!reader.stopped());
        QCOMPARE(reader.held(), 0); // nothing kept once every frame is whole
    }

    void protocolErrors_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("code");
        QByteArray unmasked = clientFrame(ws::Text, "x");
        unmasked[1] = char(unmasked[1] & 0x7F);
        QTest::newRow("unmasked") << unmasked << 1002;
        QTest::newRow("rsv bit") << clientFrame(ws::Text, "x", true, 4) << 1002;
        QTest::newRow("opcode 3") << clientFrame(3, {}) << 1002;
        QTest::newRow("opcode 11") << clientFrame(11, {}) << 1002;
        QTest::newRow("fragmented ping") << clientFrame(ws::Ping, "a", false) << 1002;
        QTest::newRow("ping over 125") << clientFrame(ws::Ping, QByteArray(126, 'a')) << 1002;
        QTest::newRow("lone continuation") << clientFrame(ws::Continuation, "a") << 1002;
        QTest::newRow("text inside a message")
            << clientFrame(ws::Text, "a", false) + clientFrame(ws::Text, "b") << 1002;
        QByteArray longForm = clientFrame(ws::Text, QByteArray(200, 'a'));
        longForm.replace(1, 3, QByteArray("\xFE\x00\x05", 3)); // 16-bit form for 5 bytes
        QTest::newRow("16-bit length for 5 bytes") << longForm << 1002;
        QTest::newRow("over the cap") << clientFrame(ws::Text, QByteArray(101, 'a')) << 1009;
        QTest::newRow("fragments over the cap")
            << clientFrame(ws::Text, QByteArray(60, 'a'), false) +
                   clientFrame(ws::Continuation, QByteArray(41, 'a'))
            << 1009;
        QTest::newRow("surrogate") << clientFrame(ws::Text, "\xed\xa0\x80") << 1007;
        QTest::newRow("bad byte in fragment 1 fails at once")
            << clientFrame(ws::Text, "ok\xc0", false) << 1007;
        QTest::newRow("truncated at the end") << clientFrame(ws::Text, "\xce") << 1007;
        QTest::newRow("close, 1 byte") << clientFrame(ws::Close, "\x03") << 1002;
        QTest::newRow("close 1005") << clientFrame(ws::Close, QByteArray("\x03\xed", 2)) << 1002;
        QTest::newRow("close, bad reason")
            << clientFrame(ws::Close, QByteArray("\x03\xe8\xff", 3)) << 1007;
    }
    void protocolErrors()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, code);
        for (int chunk : {0, 1}) {
            ws::FrameReader reader(100);
            const auto events = readAll(reader, bytes + clientFrame(ws::Text, "after"), chunk);
            QVERIFY(!events.empty());
            QCOMPARE(events.back().kind, ws::Event::Fail);
            QCOMPARE(events.back().code, code);
            QVERIFY(reader.stopped()); // and "after" was not read
            QCOMPARE(reader.held(), 0);
        }
    }

    void announcedSizeFailsBeforeThePayload()
    {
        ws::FrameReader reader(65536);
        QByteArray head("\x81\xFF", 2); // text, masked, 64-bit length
        for (int i = 7; i >= 0; --i)
            head.append(char((quint64(1) << 30) >> (8 * i)));
        const auto events = readAll(reader, head);
        QCOMPARE(events.size(), size_t(1));
        QCOMPARE(events[0].code, 1009);
    }

    void closeIsTheLastEvent()
    {
        ws::FrameReader reader(100);
        const auto events = readAll(reader, clientFrame(ws::Close, QByteArray("\x0f\xa0"
                                                                              "bye",
                                                                              5)) +
                                                clientFrame(ws::Text, "late"));
        QCOMPARE(events.size(), size_t(1));
        QCOMPARE(events[0].kind, ws::Event::Close);
        QCOMPARE(events[0].code, 4000);
        QCOMPARE(events[0].reason, QByteArray("bye"));
        ws::FrameReader empty(100);
        const auto none = readAll(empty, clientFrame(ws::Close, {}));
        QCOMPARE(none[0].code, 0); // no code given
    }

    void utf8()
    {
        const QByteArray valid[] = {"plain",        "\xc2\xb5",
                                    "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                    "\xef\xbf\xbe", "\xf4\x8f\xbf\xbf"};
        for (const QByteArray &s : valid) {
            ws::Utf8Check whole;
            QVERIFY2(whole.feed(s.constData(), s.size()) && whole.complete(),
                     s.toHex().constData());
            ws::Utf8Check split; // one byte at a time: a code point may span fragments
            for (char c : s)
                QVERIFY(split.feed(&c, 1));
            QVERIFY(split.complete());
        }
        const QByteArray invalid[] = {
            "\x80",         "\xc0\xaf",         "\xe0\x80\xaf",         "\xf0\x80\x80\xaf",
            "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xce\x41"};
        for (const QByteArray &s : invalid) {
            ws::Utf8Check check;
            QVERIFY2(!check.feed(s.constData(), s.size()), s.toHex().constData());
        }
        ws::Utf8Check open;
        QVERIFY(open.feed("\xe2\x82", 2));
        QVERIFY(!open.complete());
    }

    void serverFrames()
    {
        QByteArray out;
        ws::appendFrame(out, ws::Text, QByteArray(5, 'a'));
        QCOMPARE(out.left(2), QByteArray("\x81\x05"));
        out.clear();
        ws::appendFrame(out, ws::Text, QByteArray(300, 'a'));
        QCOMPARE(out.left(4), QByteArray("\x81\x7e\x01\x2c", 4));
        QCOMPARE(out.size(), 304);
        out.clear();
        ws::appendFrame(out, ws::Text, QByteArray(70000, 'a'));
        QCOMPARE(out.left(10), QByteArray("\x81\x7f\x00\x00\x00\x00\x00\x01\x11\x70", 10));
        // A close reason is cut to 123 bytes, at a code point boundary.
        const QByteArray reason = QByteArray(122, 'r') + "\xe2\x82\xac";
        const QByteArray payload = ws::closePayload(4006, reason);
        QCOMPARE(payload.left(2), QByteArray("\x0f\xa6"));
        QCOMPARE(payload.mid(2), QByteArray(122, 'r'));
        QVERIFY(ws::validCloseCode(1000) && ws::validCloseCode(4999));
        QVERIFY(!ws::validCloseCode(1005) && !ws::validCloseCode(1015) &&
                !ws::validCloseCode(5000));
    }
};

QTEST_GUILESS_MAIN(TestWsFrames)
#include "tst_wsframes.moc"
