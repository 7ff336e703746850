// Mentions and notification levels in chat rooms, against a real server on port 0: msg.send
// records who a message mentions (@name of a member, @room within mention_room_max_members),
// the message frame and history carry it, and each person's count of unread mentions comes in
// hello, room.read, room.readMarker and resume, right for a person who was offline; room.notify
// keeps a person's level per room, synced to their other devices (room.notifySync) and sent in
// hello. Bad input is refused with the field and changes nothing.
#include "testkit.h"

#include "core/clock.h"

#include <QDateTime>

using namespace testkit;

namespace {

const QString Alice = QStringLiteral("alice");
const QString Bob = QStringLiteral("bob");
const QString Carol = QStringLiteral("carol");
const QString Dave = QStringLiteral("dave");
const QString General = QStringLiteral("general");
const QString Big = QStringLiteral("big");

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

QStringList names(const QJsonObject &message)
{
    QStringList out;
    for (const QJsonValue &v : message.value(QLatin1String("mentions")).toArray())
        out << v.toString();
    return out;
}

qint64 inAnHour()
{
    return QDateTime::currentMSecsSinceEpoch() + 3600 * 1000;
}

} // namespace

class TestMentions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        m_tokens = seed.people({Alice, Bob, Carol, Dave, QStringLiteral("erin")});
        m_alice2 = seed.token(Alice);
        seed.room(General, {Alice, Bob, Carol});
        seed.room(Big, {Alice, Bob, Carol, Dave});
        herald::Config config;
        config.mentionRoomMaxMembers = 3;
        m_server = std::make_unique<LocalServer>(m_dir->path(), config);
    }
    void cleanup()
    {
        herald::clock::setTestOffset(0);
        m_server.reset();
        m_dir.reset();
    }

    void mentionsAreRecordedAndCarried()
    {
        Client alice, bob;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[Alice]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[Bob]));
        // carol at the end of a sentence, bob twice, an address that is no mention, dave who is
        // not a member, someone who does not exist.
        QCOMPARE(send(alice, 1,
                      QStringLiteral("@carol, @bob: mail x@bob.example, ask @dave and @nobody; "
                                     "thanks @bob.")),
                 1);
        QCOMPARE(send(alice, 2, QStringLiteral("no mention here")), 2);
        const QJsonObject live = bob.waitFor(QStringLiteral("message"), [](const QJsonObject &m) {
            return m.value(QLatin1String("seq")).toInteger() == 1;
        });
        QCOMPARE(names(live), (QStringList{Bob, Carol}));
        QVERIFY(!live.contains(QLatin1String("mentionsRoom")));
        const QJsonObject plain = bob.waitFor(QStringLiteral("message"), [](const QJsonObject &m) {
            return m.value(QLatin1String("seq")).toInteger() == 2;
        });
        QVERIFY(!plain.contains(QLatin1String("mentions")));
        QVERIFY(!plain.contains(QLatin1String("mentionsRoom")));
        // History (and so resume and gap fill) says the same.
        const QJsonArray history =
            data(bob.request(QStringLiteral("room.history"), {{QStringLiteral("room"), General}}))
                .value(QLatin1String("messages"))
                .toArray();
        QCOMPARE(history.size(), 2);
        QCOMPARE(names(history[0].toObject()), (QStringList{Bob, Carol}));
        QVERIFY(!history[1].toObject().contains(QLatin1String("mentions")));
        const QJsonObject resumed = [&] {
            Client again;
            if (!again.open(m_server->wsUrl(), m_tokens[Carol]))
                return QJsonObject();
            again.request(QStringLiteral("resume"),
                          {{QStringLiteral("rooms"), QJsonObject{{General, 0}}}});
            return again.waitFor(QStringLiteral("message"));
        }();
        QCOMPARE(names(resumed), (QStringList{Bob, Carol}));
    }

    void notAMemberIsNoMention()
    {
        Client alice, dave;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[Alice]));
        QVERIFY(dave.open(m_server->wsUrl(), m_tokens[Dave]));
        QCOMPARE(send(alice, 1, QStringLiteral("@dave @erin hello")), 1);
        const QJsonObject h = data(
            alice.request(QStringLiteral("room.history"), {{QStringLiteral("room"), General}}));
        const QJsonObject m = h.value(QLatin1String("messages")).toArray().first().toObject();
        QVERIFY(!m.contains(QLatin1String("mentions")));
        QTest::qWait(100);
        QVERIFY(dave.all(QStringLiteral("message")).isEmpty());
    }

    void offlinePersonCountsMentionsUntilRead()
    {
        {
            Client alice;
            QVERIFY(alice.open(m_server->wsUrl(), m_tokens[Alice]));
            QCOMPARE(send(alice, 1, QStringLiteral("@bob please look")), 1);
            QCOMPARE(send(alice, 2, QStringLiteral("just chatting")), 2);
            QCOMPARE(send(alice, 3, QStringLiteral("@room lunch? @bob too")), 3); // counts once
            QCOMPARE(send(alice, 4, QStringLiteral("@carol only")), 4);
        }
        { // bob's own mention of himself is not for him to read
            Client bob;
            QVERIFY(bob.open(m_server->wsUrl(), m_tokens[Bob]));
            QCOMPARE(send(bob, 5, QStringLiteral("note to @bob")), 5);
            // ... and it does not move his read position: everything of alice's is still unread
        }
        Client b1, b2;
        QVERIFY(b1.open(m_server->wsUrl(), m_tokens[Bob]));
        const QJsonObject general = roomOf(b1.all(QStringLiteral("hello")).first(), General);
        QCOMPARE(general.value(QLatin1String("unread")).toInteger(), 4);
        QCOMPARE(general.value(QLatin1String("mentions")).toInteger(), 2);
        QVERIFY(b2.open(m_server->wsUrl(), m_tokens[Bob]));
        // carol's count: her name and @room.
        {
            Client carol;
            QVERIFY(carol.open(m_server->wsUrl(), m_tokens[Carol]));
            QCOMPARE(roomOf(carol.all(QStringLiteral("hello")).first(), General)
                         .value(QLatin1String("mentions"))
                         .toInteger(),
                     2);
        }
        // Reading past the first: one left, on the answer and on the other device.
        const QJsonObject r = read(b1, General, 1);
        QCOMPARE(data(r).value(QLatin1String("mentions")).toInteger(), 1);
        QCOMPARE(data(r).value(QLatin1String("unread")).toInteger(), 3);
        const QJsonObject marker = b2.waitFor(QStringLiteral("room.readMarker"));
        QCOMPARE(marker.value(QLatin1String("mentions")).toInteger(), 1);
        // Resume carries it too.
        const QJsonObject res = b2.request(QStringLiteral("resume"),
                                           {{QStringLiteral("rooms"), QJsonObject{{General, 5}}}});
        QCOMPARE(data(res)
                     .value(QLatin1String("reads"))
                     .toObject()
                     .value(General)
                     .toObject()
                     .value(QLatin1String("mentions"))
                     .toInteger(),
                 1);
        // Read to the end: none left, and the next hello says so.
        QCOMPARE(data(read(b1, General, 5)).value(QLatin1String("mentions")).toInteger(), 0);
        Client again;
        QVERIFY(again.open(m_server->wsUrl(), m_tokens[Bob]));
        QCOMPARE(roomOf(again.all(QStringLiteral("hello")).first(), General)
                     .value(QLatin1String("mentions"))
                     .toInteger(),
                 0);
    }

    void roomMentionWithinTheLimit()
    {
        Client alice, dave;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[Alice]));
        QVERIFY(dave.open(m_server->wsUrl(), m_tokens[Dave]));
        QCOMPARE(send(alice, 1, QStringLiteral("@room standup in 5")), 1); // 3 members: allowed
        const QJsonObject m =
            data(alice.request(QStringLiteral("room.history"), {{QStringLiteral("room"), General}}))
                .value(QLatin1String("messages"))
                .toArray()
                .first()
                .toObject();
        QCOMPARE(m.value(QLatin1String("mentionsRoom")).toBool(), true);
        QVERIFY(!m.contains(QLatin1String("mentions")));
        // dave joins later: the @room before his time is not his.
        QCOMPARE(dave.request(QStringLiteral("room.join"), {{QStringLiteral("room"), General}})
                     .value(QLatin1String("type"))
                     .toString(),
                 QStringLiteral("result"));
        Client again;
        QVERIFY(again.open(m_server->wsUrl(), m_tokens[Dave]));
        QCOMPARE(roomOf(again.all(QStringLiteral("hello")).first(), General)
                     .value(QLatin1String("mentions"))
                     .toInteger(),
                 0);
    }

    void roomMentionOverTheLimitIsRefused()
    {
        Client alice, bob;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[Alice]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[Bob]));
        const QJsonObject e =
            alice.request(QStringLiteral("msg.send"),
                          {{QStringLiteral("room"), Big},
                           {QStringLiteral("clientId"), QStringLiteral("x")},
                           {QStringLiteral("text"), QStringLiteral("@room everyone @bob")}});
        QCOMPARE(e.value(QLatin1String("type")).toString(), QStringLiteral("error"));
        QCOMPARE(e.value(QLatin1String("code")).toString(), QStringLiteral("bad_value"));
        QCOMPARE(e.value(QLatin1String("field")).toString(), QStringLiteral("text"));
        QVERIFY2(e.value(QLatin1String("message")).toString().contains(QLatin1String("3")),
                 qPrintable(e.value(QLatin1String("message")).toString()));
        // Nothing stored, nothing sent, the room's counter where it was.
        QTest::qWait(100);
        QVERIFY(bob.all(QStringLiteral("message")).isEmpty());
        QVERIFY(data(alice.request(QStringLiteral("room.history"), {{QStringLiteral("room"), Big}}))
                    .value(QLatin1String("messages"))
                    .toArray()
                    .isEmpty());
        Client again;
        QVERIFY(again.open(m_server->wsUrl(), m_tokens[Bob]));
        const QJsonObject big = roomOf(again.all(QStringLiteral("hello")).first(), Big);
        QCOMPARE(big.value(QLatin1String("lastSeq")).toInteger(), 0);
        QCOMPARE(big.value(QLatin1String("mentions")).toInteger(), 0);
        // The same words without @room go through, as message 1.
        QCOMPARE(send(alice, 2, QStringLiteral("everyone @bob"), Big), 1);
    }

    void notifyLevelSyncsAcrossDevices()
    {
        Client a1, a2, bob;
        QVERIFY(a1.open(m_server->wsUrl(), m_tokens[Alice]));
        QVERIFY(a2.open(m_server->wsUrl(), m_alice2));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[Bob]));
        QVERIFY(!roomOf(a1.all(QStringLiteral("hello")).first(), General)
                     .contains(QLatin1String("notify")));
        const qint64 until = inAnHour();
        const QJsonObject r = notify(a1, General, QStringLiteral("none"), until);
        QCOMPARE(r.value(QLatin1String("type")).toString(), QStringLiteral("result"));
        QCOMPARE(data(r), (QJsonObject{{QStringLiteral("room"), General},
                                       {QStringLiteral("level"), QStringLiteral("none")},
                                       {QStringLiteral("until"), until}}));
        const QJsonObject sync = a2.waitFor(QStringLiteral("room.notifySync"));
        QCOMPARE(sync.value(QLatin1String("room")).toString(), General);
        QCOMPARE(sync.value(QLatin1String("level")).toString(), QStringLiteral("none"));
        QCOMPARE(sync.value(QLatin1String("until")).toInteger(), until);
        QTest::qWait(100);
        QVERIFY(a1.all(QStringLiteral("room.notifySync")).isEmpty());
        QVERIFY(bob.all(QStringLiteral("room.notifySync")).isEmpty());
        QCOMPARE(hello(Alice).value(QLatin1String("notify")).toObject(),
                 (QJsonObject{{QStringLiteral("level"), QStringLiteral("none")},
                              {QStringLiteral("until"), until}}));
        QVERIFY(!hello(Bob).contains(QLatin1String("notify"))); // one person's choice only

        // Without until: until null.
        const QJsonObject all = notify(a2, General, QStringLiteral("all"));
        QVERIFY(data(all).value(QLatin1String("until")).isNull());
        QCOMPARE(
            a1.waitFor(QStringLiteral("room.notifySync")).value(QLatin1String("level")).toString(),
            QStringLiteral("all"));
        QCOMPARE(hello(Alice).value(QLatin1String("notify")).toObject(),
                 (QJsonObject{{QStringLiteral("level"), QStringLiteral("all")},
                              {QStringLiteral("until"), QJsonValue()}}));

        // default removes the choice.
        const QJsonObject back = notify(a1, General, QStringLiteral("default"));
        QCOMPARE(data(back).value(QLatin1String("level")).toString(), QStringLiteral("default"));
        QVERIFY(data(back).value(QLatin1String("until")).isNull());
        QTRY_COMPARE(a2.all(QStringLiteral("room.notifySync")).size(), 2);
        QCOMPARE(a2.all(QStringLiteral("room.notifySync"))
                     .last()
                     .value(QLatin1String("level"))
                     .toString(),
                 QStringLiteral("default"));
        QVERIFY(!hello(Alice).contains(QLatin1String("notify")));
    }

    void lapsedChoiceIsNotSent()
    {
        Client a;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[Alice]));
        const qint64 until = QDateTime::currentMSecsSinceEpoch() + 60 * 1000;
        QCOMPARE(notify(a, General, QStringLiteral("none"), until)
                     .value(QLatin1String("type"))
                     .toString(),
                 QStringLiteral("result"));
        QVERIFY(hello(Alice).contains(QLatin1String("notify")));
        herald::clock::setTestOffset(120 * 1000); // two minutes later, on the server's clock
        QVERIFY(!hello(Alice).contains(QLatin1String("notify")));
    }

    void badNotifyIsRefused_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");
        QTest::newRow("unknown level")
            << QByteArray(R"J({"type":"room.notify","id":"x","room":"general","level":"loud"})J")
            << "bad_value"
            << "level";
        QTest::newRow("no level") << QByteArray(
                                         R"J({"type":"room.notify","id":"x","room":"general"})J")
                                  << "missing_field"
                                  << "level";
        QTest::newRow("until in the past")
            << QByteArray(
                   R"J({"type":"room.notify","id":"x","room":"general","level":"none","until":1000})J")
            << "bad_value"
            << "until";
        QTest::newRow("until 2^53")
            << QByteArray(R"J({"type":"room.notify","id":"x","room":"general","level":"none",)J"
                          R"J("until":9007199254740992})J")
            << "bad_value"
            << "until";
        QTest::newRow("until negative")
            << QByteArray(
                   R"J({"type":"room.notify","id":"x","room":"general","level":"none","until":-5})J")
            << "bad_value"
            << "until";
        QTest::newRow("until text")
            << QByteArray(
                   R"J({"type":"room.notify","id":"x","room":"general","level":"none","until":"soon"})J")
            << "wrong_type"
            << "until";
        QTest::newRow("no such room")
            << QByteArray(R"J({"type":"room.notify","id":"x","room":"nobody","level":"none"})J")
            << "not_found"
            << "room";
    }
    void badNotifyIsRefused()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, code);
        QFETCH(QString, field);
        Client a;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[Alice]));
        a.sendRaw(frame);
        const QJsonObject e = a.waitFor(QStringLiteral("error"));
        QCOMPARE(e.value(QLatin1String("code")).toString(), code);
        QCOMPARE(e.value(QLatin1String("field")).toString(), field);
        QVERIFY(!hello(Alice).contains(QLatin1String("notify"))); // nothing stored
    }

    void notifyNeedsMembership()
    {
        Client erin;
        QVERIFY(erin.open(m_server->wsUrl(), m_tokens[QStringLiteral("erin")]));
        const QJsonObject e = notify(erin, General, QStringLiteral("none"));
        QCOMPARE(e.value(QLatin1String("code")).toString(), QStringLiteral("forbidden"));
        QCOMPARE(e.value(QLatin1String("field")).toString(), QStringLiteral("room"));
    }

private:
    static qint64 send(Client &c, int n, const QString &text, const QString &room = General)
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
    static QJsonObject notify(Client &c, const QString &room, const QString &level,
                              std::optional<qint64> until = {})
    {
        QJsonObject body{{QStringLiteral("room"), room}, {QStringLiteral("level"), level}};
        if (until)
            body.insert(QStringLiteral("until"), *until);
        return c.request(QStringLiteral("room.notify"), body);
    }
    /** The general room of a new connection's hello, for this person. */
    QJsonObject hello(const QString &person)
    {
        Client c;
        if (!c.open(m_server->wsUrl(), m_tokens[person]))
            return {};
        return roomOf(c.all(QStringLiteral("hello")).first(), General);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LocalServer> m_server;
    QHash<QString, QString> m_tokens;
    QString m_alice2;
};

QTEST_MAIN(TestMentions)
#include "tst_mentions.moc"
