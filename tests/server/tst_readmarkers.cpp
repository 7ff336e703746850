// Read positions in chat rooms, against a real server on port 0: a person's read position
// (room.read) is kept by the server, never moves backwards, reaches their other devices at once
// (room.readMarker) and not other people's; hello and resume carry each room's position and the
// number of messages of others after it; a new member starts with everything read; bad input is
// refused with the field and changes nothing.
#include "testkit.h"

using namespace testkit;

namespace {

QJsonObject roomOf(const QJsonObject &hello, const QString &name)
{
    for (const QJsonValue &v : hello.value(QLatin1String("rooms")).toArray())
        if (v.toObject().value(QLatin1String("name")).toString() == name)
            return v.toObject();
    return {};
}

QJsonObject data(const QJsonObject &result)
{
    return result.value(QLatin1String("data")).toObject();
}

} // namespace

class TestReadMarkers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        m_tokens =
            seed.people({QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")});
        m_alice2 = seed.token(QStringLiteral("alice"));
        seed.room(QStringLiteral("general"), {QStringLiteral("alice"), QStringLiteral("bob")});
        seed.room(QStringLiteral("lobby"), {QStringLiteral("bob")});
        m_server = std::make_unique<LocalServer>(m_dir->path());
    }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
    }

    void positionsSyncAcrossDevicesAndCountOthersMessages()
    {
        Client bob;
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        {
            Client a1;
            QVERIFY(a1.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
            const QJsonObject general =
                roomOf(a1.all(QStringLiteral("hello")).first(), QStringLiteral("general"));
            QCOMPARE(general.value(QLatin1String("readSeq")).toInteger(), 0);
            QCOMPARE(general.value(QLatin1String("unread")).toInteger(), 0);
            // alice's own message is not unread for her
            QCOMPARE(send(a1, 1, QStringLiteral("morning")), 1);
        }
        for (int i = 2; i <= 4; ++i)
            QCOMPARE(send(bob, i, QStringLiteral("n%1").arg(i)), i);
        Client a1, a2;
        QVERIFY(a1.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(a2.open(m_server->wsUrl(), m_alice2));
        QJsonObject general =
            roomOf(a1.all(QStringLiteral("hello")).first(), QStringLiteral("general"));
        QCOMPARE(general.value(QLatin1String("readSeq")).toInteger(), 0);
        QCOMPARE(general.value(QLatin1String("unread")).toInteger(), 3);
        // Read up to 3 on the first device: the answer, and the marker on the second only.
        const QJsonObject r = read(a1, QStringLiteral("general"), 3);
        QCOMPARE(r.value(QLatin1String("type")).toString(), QStringLiteral("result"));
        QCOMPARE(data(r).value(QLatin1String("seq")).toInteger(), 3);
        QCOMPARE(data(r).value(QLatin1String("unread")).toInteger(), 1);
        QCOMPARE(data(r).value(QLatin1String("lastSeq")).toInteger(), 4);
        const QJsonObject marker = a2.waitFor(QStringLiteral("room.readMarker"));
        QCOMPARE(marker.value(QLatin1String("room")).toString(), QStringLiteral("general"));
        QCOMPARE(marker.value(QLatin1String("seq")).toInteger(), 3);
        QCOMPARE(marker.value(QLatin1String("unread")).toInteger(), 1);
        QCOMPARE(marker.value(QLatin1String("lastSeq")).toInteger(), 4);
        QTest::qWait(200);
        QVERIFY(a1.all(QStringLiteral("room.readMarker")).isEmpty());
        QVERIFY(bob.all(QStringLiteral("room.readMarker")).isEmpty());
        // Never backwards (a slower device reports an older position), never past the end.
        QCOMPARE(
            data(read(a2, QStringLiteral("general"), 1)).value(QLatin1String("seq")).toInteger(),
            3);
        QCOMPARE(
            data(read(a2, QStringLiteral("general"), 999)).value(QLatin1String("seq")).toInteger(),
            4);
        QCOMPARE(a1.waitFor(QStringLiteral("room.readMarker"))
                     .value(QLatin1String("unread"))
                     .toInteger(),
                 0);
        // It outlives the server.
        m_server.reset();
        m_server = std::make_unique<LocalServer>(m_dir->path());
        Client a3;
        QVERIFY(a3.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        general = roomOf(a3.all(QStringLiteral("hello")).first(), QStringLiteral("general"));
        QCOMPARE(general.value(QLatin1String("readSeq")).toInteger(), 4);
        QCOMPARE(general.value(QLatin1String("unread")).toInteger(), 0);
    }

    void resumeCarriesPositions()
    {
        Client a, bob;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(send(bob, 1, QStringLiteral("one")), 1);
        a.ws.close();
        QVERIFY(a.waitClosed());
        QCOMPARE(send(bob, 2, QStringLiteral("two")), 2);
        Client other; // alice on another device reads while the first is away
        QVERIFY(other.open(m_server->wsUrl(), m_alice2));
        QCOMPARE(data(read(other, QStringLiteral("general"), 1))
                     .value(QLatin1String("unread"))
                     .toInteger(),
                 1);
        Client back;
        QVERIFY(back.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const QJsonObject res =
            back.request(QStringLiteral("resume"),
                         {{QStringLiteral("rooms"), QJsonObject{{QStringLiteral("general"), 1}}}});
        const QJsonObject reads = data(res).value(QLatin1String("reads")).toObject();
        const QJsonObject general = reads.value(QLatin1String("general")).toObject();
        QCOMPARE(general.value(QLatin1String("seq")).toInteger(), 1);
        QCOMPARE(general.value(QLatin1String("unread")).toInteger(), 1);
    }

    void newMembersStartRead()
    {
        Client bob;
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        for (int i = 1; i <= 3; ++i)
            send(bob, i, QStringLiteral("before carol"), QStringLiteral("lobby"));
        Client carol;
        QVERIFY(carol.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
        QCOMPARE(carol
                     .request(QStringLiteral("room.join"),
                              {{QStringLiteral("room"), QStringLiteral("lobby")}})
                     .value(QLatin1String("type"))
                     .toString(),
                 QStringLiteral("result"));
        send(bob, 4, QStringLiteral("after carol"), QStringLiteral("lobby"));
        QTRY_COMPARE(carol.all(QStringLiteral("message")).size(), 1);
        Client again;
        QVERIFY(again.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
        const QJsonObject lobby =
            roomOf(again.all(QStringLiteral("hello")).first(), QStringLiteral("lobby"));
        QCOMPARE(lobby.value(QLatin1String("readSeq")).toInteger(), 3);
        QCOMPARE(lobby.value(QLatin1String("unread")).toInteger(), 1);
    }

    void badReadsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");
        QTest::newRow("not a member")
            << QByteArray(R"J({"type":"room.read","id":"x","room":"lobby","seq":1})J")
            << "forbidden"
            << "room";
        QTest::newRow("no such room")
            << QByteArray(R"J({"type":"room.read","id":"x","room":"nope","seq":1})J") << "not_found"
            << "room";
        QTest::newRow("negative")
            << QByteArray(R"J({"type":"room.read","id":"x","room":"general","seq":-1})J")
            << "bad_value"
            << "seq";
        QTest::newRow("2^53")
            << QByteArray(
                   R"J({"type":"room.read","id":"x","room":"general","seq":9007199254740992})J")
            << "bad_value"
            << "seq";
        QTest::newRow("text")
            << QByteArray(R"J({"type":"room.read","id":"x","room":"general","seq":"3"})J")
            << "wrong_type"
            << "seq";
        QTest::newRow("no seq") << QByteArray(R"J({"type":"room.read","id":"x","room":"general"})J")
                                << "missing_field"
                                << "seq";
    }
    void badReadsAreRefused()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, code);
        QFETCH(QString, field);
        Client a;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        a.sendRaw(frame);
        const QJsonObject e = a.waitFor(QStringLiteral("error"));
        QCOMPARE(e.value(QLatin1String("code")).toString(), code);
        QCOMPARE(e.value(QLatin1String("field")).toString(), field);
        // Nothing moved.
        Client again;
        QVERIFY(again.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QCOMPARE(roomOf(again.all(QStringLiteral("hello")).first(), QStringLiteral("general"))
                     .value(QLatin1String("readSeq"))
                     .toInteger(),
                 0);
    }

private:
    static qint64 send(Client &c, int n, const QString &text,
                       const QString &room = QStringLiteral("general"))
    {
        const QJsonObject r = c.request(QStringLiteral("msg.send"),
                                        {{QStringLiteral("room"), room},
                                         {QStringLiteral("clientId"), QStringLiteral("c%1").arg(n)},
                                         {QStringLiteral("text"), text}});
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
    QString m_alice2;
};

QTEST_MAIN(TestReadMarkers)
#include "tst_readmarkers.moc"
