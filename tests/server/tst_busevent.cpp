// The typed cluster event: every kind round-trips with its frame byte for byte, and anything
// malformed (truncated header, wrong magic or version, unknown kind, trailing bytes, ids out of
// range, absurd counts) is refused, never half-read.
#include "core/busevent.h"

#include <QDataStream>
#include <QTest>

using namespace herald;

Q_DECLARE_METATYPE(herald::BusEvent)

namespace {
constexpr char FrameBytes[] = "{\"type\":\"message\",\"text\":\"a\\\"b\\\\c\"}\0\xff\n";
// A frame with a NUL, a byte that is not UTF-8 and a line break: the bus carries bytes.
const QByteArray Frame(FrameBytes, sizeof(FrameBytes) - 1);

BusEvent withNode(BusEvent e)
{
    e.node = "node-a";
    return e;
}

// The length of the header of an event (everything but its frame).
qsizetype headerSize(const BusEvent &e)
{
    return e.encode().size() - e.frame.size();
}
} // namespace

class TestBusEvent : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<BusEvent>("event");
        QTest::newRow("room message")
            << withNode(BusEvent::roomMessage(7, 9007199254740991LL, Frame));
        QTest::newRow("notification")
            << withNode(BusEvent::notification(42, {1, 2, 3, 9007199254740991LL}, Frame));
        QTest::newRow("notification to nobody") << withNode(BusEvent::notification(1, {}, Frame));
        QTest::newRow("to users") << withNode(BusEvent::toUsers({5}, Frame));
        QTest::newRow("to users, empty frame") << withNode(BusEvent::toUsers({5, 6}, QByteArray()));
        QTest::newRow("reload") << withNode(BusEvent::reload());
        QTest::newRow("room upserted") << withNode(BusEvent::roomUpserted(
            3, QStringLiteral("dm:alice:bob"), QStringLiteral("\u5ba1\u6279 \U0001F600"),
            QStringLiteral("dm"), 12, {1, 2}));
        QTest::newRow("member joined") << withNode(BusEvent::memberJoined(3, 4));
        QTest::newRow("member left") << withNode(BusEvent::memberLeft(3, 4));
        QTest::newRow("notification changed")
            << withNode(BusEvent::notificationChanged(42, 7, {1, 2}, false, Frame));
        QTest::newRow("notification retracted, recount")
            << withNode(BusEvent::notificationChanged(42, 9007199254740991LL, {1}, true, Frame));
    }
    void roundTrip()
    {
        QFETCH(BusEvent, event);
        const QByteArray bytes = event.encode();
        const std::optional<BusEvent> back = BusEvent::decode(bytes);
        QVERIFY(back.has_value());
        QCOMPARE(*back, event);
        // The frame travels as itself, not escaped: its bytes end the event.
        QVERIFY(bytes.endsWith(event.frame));
        // Every header cut short is refused.
        for (qsizetype n = 0; n < headerSize(event); ++n)
            QVERIFY2(!BusEvent::decode(bytes.left(n)).has_value(),
                     qPrintable(QStringLiteral("accepted the first %1 bytes").arg(n)));
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        const QByteArray good = withNode(BusEvent::memberJoined(3, 4)).encode();
        QByteArray wrongMagic = good;
        wrongMagic[0] = 'X';
        QByteArray wrongVersion = good;
        wrongVersion[2] = char(2);
        QByteArray unknownKind = good;
        unknownKind[3] = char(99);
        QByteArray kindZero = good;
        kindZero[3] = char(0);
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("JSON (the old format)") << QByteArray("{\"k\":\"reload\",\"n\":\"a\"}");
        QTest::newRow("wrong magic") << wrongMagic;
        QTest::newRow("wrong version") << wrongVersion;
        QTest::newRow("unknown kind") << unknownKind;
        QTest::newRow("kind 0") << kindZero;
        QTest::newRow("trailing bytes") << good + "x";
        QTest::newRow("trailing bytes after reload")
            << withNode(BusEvent::reload()).encode() + "{}";
        QTest::newRow("negative room") << withNode(BusEvent::memberJoined(-1, 4)).encode();
        QTest::newRow("user beyond 2^53-1")
            << withNode(BusEvent::memberLeft(1, 9007199254740992LL)).encode();
        QTest::newRow("seq beyond 2^53-1")
            << withNode(BusEvent::roomMessage(1, 9007199254740992LL, Frame)).encode();
        // The recount flag is one byte, 0 or 1: anything else is refused.
        QByteArray badFlag =
            withNode(BusEvent::notificationChanged(42, 7, {}, true, QByteArray())).encode();
        const qsizetype flagAt =
            headerSize(withNode(BusEvent::notificationChanged(42, 7, {}, true, QByteArray()))) - 5;
        badFlag[flagAt] = char(2);
        QTest::newRow("recount flag 2") << badFlag;
        QTest::newRow("change number beyond 2^53-1")
            << withNode(BusEvent::notificationChanged(1, 9007199254740992LL, {}, false, Frame))
                   .encode();
        QTest::newRow("negative recipient")
            << withNode(BusEvent::notification(1, {1, -2}, Frame)).encode();
        // A count of 2^32-1 recipients with none following: refused, not allocated.
        QByteArray hugeCount;
        {
            QDataStream s(&hugeCount, QIODevice::WriteOnly);
            s << quint16(0x4842) << quint8(1) << quint8(3) << quint32(0) << quint32(0xffffffff);
        }
        QTest::newRow("absurd recipient count") << hugeCount;
        QByteArray hugeNode;
        {
            QDataStream s(&hugeNode, QIODevice::WriteOnly);
            s << quint16(0x4842) << quint8(1) << quint8(4) << quint32(100000);
        }
        QTest::newRow("absurd node length") << hugeNode;
    }
    void recountFlagIsTheByteBeforeTheUsers()
    {
        // Pins the byte the "recount flag 2" row changes: 1 for true, 0 for false.
        const BusEvent on = withNode(BusEvent::notificationChanged(42, 7, {}, true, QByteArray()));
        const BusEvent off =
            withNode(BusEvent::notificationChanged(42, 7, {}, false, QByteArray()));
        QCOMPARE(on.encode().at(headerSize(on) - 5), char(1));
        QCOMPARE(off.encode().at(headerSize(off) - 5), char(0));
        QVERIFY(BusEvent::decode(on.encode())->recount);
        QVERIFY(!BusEvent::decode(off.encode())->recount);
    }

    void refused()
    {
        QFETCH(QByteArray, bytes);
        QVERIFY(!BusEvent::decode(bytes).has_value());
    }
};

QTEST_GUILESS_MAIN(TestBusEvent)
#include "tst_busevent.moc"
