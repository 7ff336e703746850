// Read receipts, against a real server on port 0: when a member's read position moves forward,
// the other members of a DM or small room get room.receipt (on none of the reader's own
// devices, which get room.readMarker); a room over receipt_room_max_members gets no live
// receipts, but room.members still carries each member's readSeq; a person who turned receipts
// off (receipts.set, synced to their devices, in hello) sends none and has no readSeq there;
// bad input is refused with the field and changes nothing.
#include "testkit.h"

using namespace testkit;

namespace {

QJsonObject data(const QJsonObject &result)
{
    return result.value(QLatin1String("data")).toObject();
}

/** room.members as seen by c: member name -> their entry. */
QHash<QString, QJsonObject> members(Client &c, const QString &room)
{
    QHash<QString, QJsonObject> out;
    const QJsonObject r =
        c.request(QStringLiteral("room.members"), {{QStringLiteral("room"), room}});
    for (const QJsonValue &v : data(r).value(QLatin1String("members")).toArray())
        out.insert(v.toObject().value(QLatin1String("name")).toString(), v.toObject());
    return out;
}

} // namespace

class TestReadReceipts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        m_tokens = seed.people({QStringLiteral("alice"), QStringLiteral("bob"),
                                QStringLiteral("carol"), QStringLiteral("dave")});
        m_bob2 = seed.token(QStringLiteral("bob"));
        m_dm = std::get<herald::RoomRow>(
                   seed.store.openDm(seed.store.user(QStringLiteral("alice"))->id,
                                     seed.store.user(QStringLiteral("bob"))->id))
                   .name;
        seed.room(QStringLiteral("team"),
                  {QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")});
        seed.room(QStringLiteral("big"), {QStringLiteral("alice"), QStringLiteral("bob"),
                                          QStringLiteral("carol"), QStringLiteral("dave")});
        herald::Config config;
        config.receiptRoomMaxMembers = 3; // team is within it, big is over it
        m_server = std::make_unique<LocalServer>(m_dir->path(), config);
    }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
    }

    void dmReceiptReachesTheOtherPersonOnly()
    {
        Client alice, bob, bob2;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QVERIFY(bob2.open(m_server->wsUrl(), m_bob2));
        QCOMPARE(alice.all(QStringLiteral("hello")).first().value(QLatin1String("receipts")),
                 QJsonValue(true));
        QCOMPARE(send(alice, 1, m_dm), 1);
        QCOMPARE(send(alice, 2, m_dm), 2);
        QCOMPARE(data(read(bob, m_dm, 1)).value(QLatin1String("seq")).toInteger(), 1);
        const QJsonObject receipt = alice.waitFor(QStringLiteral("room.receipt"));
        QCOMPARE(receipt.value(QLatin1String("room")).toString(), m_dm);
        QCOMPARE(receipt.value(QLatin1String("user")).toString(), QStringLiteral("bob"));
        QCOMPARE(receipt.value(QLatin1String("seq")).toInteger(), 1);
        // bob's other device gets the marker, not a receipt; neither of his does.
        QVERIFY(!bob2.waitFor(QStringLiteral("room.readMarker")).isEmpty());
        // The same position again moves nothing: no second receipt.
        read(bob2, m_dm, 1);
        QCOMPARE(data(read(bob2, m_dm, 2)).value(QLatin1String("seq")).toInteger(), 2);
        QCOMPARE(
            alice.waitFor(QStringLiteral("room.receipt")).value(QLatin1String("seq")).toInteger(),
            2);
        QTest::qWait(200);
        QCOMPARE(alice.all(QStringLiteral("room.receipt")).size(), 2);
        QVERIFY(bob.all(QStringLiteral("room.receipt")).isEmpty());
        QVERIFY(bob2.all(QStringLiteral("room.receipt")).isEmpty());
        // room.members carries the positions.
        const auto list = members(alice, m_dm);
        QCOMPARE(list.value(QStringLiteral("bob")).value(QLatin1String("readSeq")).toInteger(), 2);
        QCOMPARE(list.value(QStringLiteral("alice")).value(QLatin1String("readSeq")).toInteger(),
                 0);
    }

    void smallRoomGetsLiveReceipts()
    {
        Client alice, bob, carol;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QVERIFY(carol.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
        QCOMPARE(send(alice, 1, QStringLiteral("team")), 1);
        read(bob, QStringLiteral("team"), 1);
        for (Client *c : {&alice, &carol}) {
            const QJsonObject r = c->waitFor(QStringLiteral("room.receipt"));
            QCOMPARE(r.value(QLatin1String("user")).toString(), QStringLiteral("bob"));
            QCOMPARE(r.value(QLatin1String("room")).toString(), QStringLiteral("team"));
            QCOMPARE(r.value(QLatin1String("seq")).toInteger(), 1);
        }
    }

    void largeRoomHasPositionsOnlyOnRequest()
    {
        Client alice, bob;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(send(alice, 1, QStringLiteral("big")), 1);
        QCOMPARE(data(read(bob, QStringLiteral("big"), 1)).value(QLatin1String("seq")).toInteger(),
                 1);
        QTest::qWait(300);
        QVERIFY(alice.all(QStringLiteral("room.receipt")).isEmpty());
        const auto list = members(alice, QStringLiteral("big"));
        QCOMPARE(list.size(), 4);
        QCOMPARE(list.value(QStringLiteral("bob")).value(QLatin1String("readSeq")).toInteger(), 1);
        QCOMPARE(list.value(QStringLiteral("dave")).value(QLatin1String("readSeq")).toInteger(), 0);
    }

    void optedOutSendsNoneAndIsLeftOut()
    {
        Client alice, bob, bob2;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QVERIFY(bob2.open(m_server->wsUrl(), m_bob2));
        const QJsonObject off =
            bob.request(QStringLiteral("receipts.set"), {{QStringLiteral("send"), false}});
        QCOMPARE(off.value(QLatin1String("type")).toString(), QStringLiteral("result"));
        QCOMPARE(data(off).value(QLatin1String("send")), QJsonValue(false));
        // Synced to bob's other device (not the one that asked), and in his next hello.
        QCOMPARE(bob2.waitFor(QStringLiteral("receipts.sync")).value(QLatin1String("send")),
                 QJsonValue(false));
        QVERIFY(bob.all(QStringLiteral("receipts.sync")).isEmpty());
        Client bob3;
        QVERIFY(bob3.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(bob3.all(QStringLiteral("hello")).first().value(QLatin1String("receipts")),
                 QJsonValue(false));
        // Reads still move his position (his devices follow) but send no receipt.
        QCOMPARE(send(alice, 1, m_dm), 1);
        QCOMPARE(send(alice, 2, QStringLiteral("team")), 1);
        read(bob, m_dm, 1);
        read(bob, QStringLiteral("team"), 1);
        QVERIFY(!bob2.waitFor(QStringLiteral("room.readMarker")).isEmpty());
        QTest::qWait(300);
        QVERIFY(alice.all(QStringLiteral("room.receipt")).isEmpty());
        QVERIFY(
            !members(alice, m_dm).value(QStringLiteral("bob")).contains(QLatin1String("readSeq")));
        QVERIFY(members(alice, QStringLiteral("team"))
                    .value(QStringLiteral("alice"))
                    .contains(QLatin1String("readSeq")));
        // On again: receipts flow from the next read on.
        QCOMPARE(data(bob.request(QStringLiteral("receipts.set"), {{QStringLiteral("send"), true}}))
                     .value(QLatin1String("send")),
                 QJsonValue(true));
        QCOMPARE(send(alice, 3, m_dm), 2);
        read(bob, m_dm, 2);
        QCOMPARE(
            alice.waitFor(QStringLiteral("room.receipt")).value(QLatin1String("seq")).toInteger(),
            2);
        QCOMPARE(members(alice, m_dm)
                     .value(QStringLiteral("bob"))
                     .value(QLatin1String("readSeq"))
                     .toInteger(),
                 2);
    }

    void badSettingsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");
        QTest::newRow("text") << QByteArray(R"J({"type":"receipts.set","id":"x","send":"no"})J")
                              << "wrong_type"
                              << "send";
        QTest::newRow("number") << QByteArray(R"J({"type":"receipts.set","id":"x","send":0})J")
                                << "wrong_type"
                                << "send";
        QTest::newRow("null") << QByteArray(R"J({"type":"receipts.set","id":"x","send":null})J")
                              << "wrong_type"
                              << "send";
        QTest::newRow("missing") << QByteArray(R"J({"type":"receipts.set","id":"x"})J")
                                 << "missing_field"
                                 << "send";
    }
    void badSettingsAreRefused()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, code);
        QFETCH(QString, field);
        Client bob;
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        bob.sendRaw(frame);
        const QJsonObject e = bob.waitFor(QStringLiteral("error"));
        QCOMPARE(e.value(QLatin1String("code")).toString(), code);
        QCOMPARE(e.value(QLatin1String("field")).toString(), field);
        // Nothing changed: still sending.
        Client again;
        QVERIFY(again.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(again.all(QStringLiteral("hello")).first().value(QLatin1String("receipts")),
                 QJsonValue(true));
    }

private:
    static qint64 send(Client &c, int n, const QString &room)
    {
        const QJsonObject r = c.request(QStringLiteral("msg.send"),
                                        {{QStringLiteral("room"), room},
                                         {QStringLiteral("clientId"), QStringLiteral("c%1").arg(n)},
                                         {QStringLiteral("text"), QStringLiteral("hi %1").arg(n)}});
        return data(r).value(QLatin1String("seq")).toInteger();
    }
    static QJsonObject read(Client &c, const QString &room, qint64 seq)
    {
        return c.request(QStringLiteral("room.read"),
                         {{QStringLiteral("room"), room}, {QStringLiteral("seq"), seq}});
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LocalServer> m_server;
    QHash<QString, QString> m_tokens;
    QString m_bob2;
    QString m_dm;
};

QTEST_MAIN(TestReadReceipts)
#include "tst_readreceipts.moc"
