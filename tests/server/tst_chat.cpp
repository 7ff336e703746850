// Rooms and chat against a real server: membership, fan-out, dedup, history, resume, DMs.
#include "testkit.h"

#include "core/hub.h"

using namespace testkit;

namespace {
QJsonObject data(const QJsonObject &r)
{
    return r.value(QLatin1String("data")).toObject();
}
QString code(const QJsonObject &r)
{
    return r.value(QLatin1String("code")).toString();
}
} // namespace

class TestChat : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        m_tokens =
            seed.people({QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")});
        seed.room(QStringLiteral("general"), {QStringLiteral("alice"), QStringLiteral("bob")});
        seed.room(QStringLiteral("secret"), {QStringLiteral("alice")}, QStringLiteral("private"));
        m_server = std::make_unique<LocalServer>(m_dir->path());
    }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
    }

    void joinLeaveAndPrivateRooms()
    {
        Client carol;
        QVERIFY(carol.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
        const QJsonObject hello = carol.all(QStringLiteral("hello")).first();
        QCOMPARE(hello.value(QLatin1String("rooms")).toArray().size(), 0);
        // public room: listed and joinable
        const QJsonArray rooms = data(carol.request(QStringLiteral("room.list")))
                                     .value(QLatin1String("rooms"))
                                     .toArray();
        QCOMPARE(rooms.size(), 1);
        QCOMPARE(rooms.first().toObject().value(QLatin1String("name")).toString(),
                 QStringLiteral("general"));
        // private room: not listed, refused
        const QJsonObject refused = carol.request(
            QStringLiteral("room.join"), {{QStringLiteral("room"), QStringLiteral("secret")}});
        QCOMPARE(refused.value(QLatin1String("type")).toString(), QStringLiteral("error"));
        QCOMPARE(code(refused), QStringLiteral("forbidden"));
        QCOMPARE(code(carol.request(QStringLiteral("room.history"),
                                    {{QStringLiteral("room"), QStringLiteral("secret")}})),
                 QStringLiteral("forbidden"));
        QCOMPARE(code(carol.request(QStringLiteral("room.join"),
                                    {{QStringLiteral("room"), QStringLiteral("nope")}})),
                 QStringLiteral("not_found"));

        Client alice;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const QJsonObject joined = carol.request(
            QStringLiteral("room.join"), {{QStringLiteral("room"), QStringLiteral("general")}});
        QCOMPARE(data(joined)
                     .value(QLatin1String("room"))
                     .toObject()
                     .value(QLatin1String("member"))
                     .toBool(),
                 true);
        const QJsonObject ev = alice.waitFor(QStringLiteral("member"));
        QCOMPARE(ev.value(QLatin1String("user")).toString(), QStringLiteral("carol"));
        QCOMPARE(ev.value(QLatin1String("event")).toString(), QStringLiteral("joined"));
        // invited into the private room by a member
        QCOMPARE(alice
                     .request(QStringLiteral("room.invite"),
                              {{QStringLiteral("room"), QStringLiteral("secret")},
                               {QStringLiteral("user"), QStringLiteral("carol")}})
                     .value(QLatin1String("type"))
                     .toString(),
                 QStringLiteral("result"));
        QVERIFY(!carol
                     .waitFor(QStringLiteral("member"),
                              [](const QJsonObject &f) {
                                  return f.value(QLatin1String("room")).toString() ==
                                         QLatin1String("secret");
                              })
                     .isEmpty());
        QCOMPARE(carol
                     .request(QStringLiteral("room.history"),
                              {{QStringLiteral("room"), QStringLiteral("secret")}})
                     .value(QLatin1String("type"))
                     .toString(),
                 QStringLiteral("result"));
        // leave
        QCOMPARE(carol
                     .request(QStringLiteral("room.leave"),
                              {{QStringLiteral("room"), QStringLiteral("general")}})
                     .value(QLatin1String("type"))
                     .toString(),
                 QStringLiteral("result"));
        QCOMPARE(code(carol.request(QStringLiteral("msg.send"),
                                    {{QStringLiteral("room"), QStringLiteral("general")},
                                     {QStringLiteral("clientId"), QStringLiteral("x")},
                                     {QStringLiteral("text"), QStringLiteral("hi")}})),
                 QStringLiteral("forbidden"));
        // users can create rooms
        const QJsonObject created = carol.request(
            QStringLiteral("room.create"),
            {{QStringLiteral("name"), QStringLiteral("ops")}, {QStringLiteral("private"), true}});
        QCOMPARE(data(created)
                     .value(QLatin1String("room"))
                     .toObject()
                     .value(QLatin1String("kind"))
                     .toString(),
                 QStringLiteral("private"));
        QCOMPARE(code(carol.request(QStringLiteral("room.create"),
                                    {{QStringLiteral("name"), QStringLiteral("ops")}})),
                 QStringLiteral("conflict"));
        QCOMPARE(code(carol.request(QStringLiteral("room.create"),
                                    {{QStringLiteral("name"), QStringLiteral("Bad Name")}})),
                 QStringLiteral("bad_value"));
    }

    void deliveredToAllMemberConnectionsOnly()
    {
        Client a1, a2, bob, carol;
        QVERIFY(a1.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(a2.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QVERIFY(carol.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
        const QJsonObject ack = bob.request(
            QStringLiteral("msg.send"), {{QStringLiteral("room"), QStringLiteral("general")},
                                         {QStringLiteral("clientId"), QStringLiteral("b-1")},
                                         {QStringLiteral("text"), QStringLiteral("hello all")}});
        QCOMPARE(data(ack).value(QLatin1String("seq")).toInt(), 1);
        QCOMPARE(data(ack).value(QLatin1String("duplicate")).toBool(), false);
        for (Client *c : {&a1, &a2, &bob}) {
            const QJsonObject m = c->waitFor(QStringLiteral("message"));
            QCOMPARE(m.value(QLatin1String("text")).toString(), QStringLiteral("hello all"));
            QCOMPARE(m.value(QLatin1String("from")).toString(), QStringLiteral("bob"));
            QCOMPARE(m.value(QLatin1String("seq")).toInt(), 1);
            QCOMPARE(m.value(QLatin1String("clientId")).toString(), QStringLiteral("b-1"));
        }
        QTest::qWait(200);
        QVERIFY(carol.all(QStringLiteral("message")).isEmpty());
    }

    void retryWithSameClientIdIsStoredOnce()
    {
        Client bob, alice;
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const QJsonObject send{{QStringLiteral("room"), QStringLiteral("general")},
                               {QStringLiteral("clientId"), QStringLiteral("same")},
                               {QStringLiteral("text"), QStringLiteral("once")}};
        const QJsonObject first = bob.request(QStringLiteral("msg.send"), send);
        const QJsonObject retry = bob.request(QStringLiteral("msg.send"), send);
        QCOMPARE(data(retry).value(QLatin1String("seq")), data(first).value(QLatin1String("seq")));
        QCOMPARE(data(retry).value(QLatin1String("duplicate")).toBool(), true);
        QTRY_COMPARE(alice.all(QStringLiteral("message")).size(), 1);
        QTest::qWait(300); // and no second copy follows
        QCOMPARE(alice.all(QStringLiteral("message")).size(), 1);
        const QJsonArray hist =
            data(alice.request(QStringLiteral("room.history"),
                               {{QStringLiteral("room"), QStringLiteral("general")}}))
                .value(QLatin1String("messages"))
                .toArray();
        QCOMPARE(hist.size(), 1);
    }

    void historyPaging()
    {
        Client bob;
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        for (int i = 1; i <= 25; ++i)
            QCOMPARE(bob.request(QStringLiteral("msg.send"),
                                 {{QStringLiteral("room"), QStringLiteral("general")},
                                  {QStringLiteral("clientId"), QString::number(i)},
                                  {QStringLiteral("text"), QStringLiteral("m%1").arg(i)}})
                         .value(QLatin1String("type"))
                         .toString(),
                     QStringLiteral("result"));
        auto page = [&](QJsonObject q) {
            q.insert(QStringLiteral("room"), QStringLiteral("general"));
            return data(bob.request(QStringLiteral("room.history"), q));
        };
        QJsonObject newest = page({{QStringLiteral("limit"), 10}});
        QJsonArray msgs = newest.value(QLatin1String("messages")).toArray();
        QCOMPARE(msgs.size(), 10);
        QCOMPARE(msgs.first().toObject().value(QLatin1String("seq")).toInt(), 16);
        QCOMPARE(msgs.last().toObject().value(QLatin1String("seq")).toInt(), 25);
        QVERIFY(newest.value(QLatin1String("hasMore")).toBool());
        QJsonObject older = page({{QStringLiteral("limit"), 10}, {QStringLiteral("before"), 16}});
        msgs = older.value(QLatin1String("messages")).toArray();
        QCOMPARE(msgs.first().toObject().value(QLatin1String("seq")).toInt(), 6);
        QCOMPARE(msgs.last().toObject().value(QLatin1String("seq")).toInt(), 15);
        QJsonObject oldest = page({{QStringLiteral("limit"), 10}, {QStringLiteral("before"), 6}});
        QCOMPARE(oldest.value(QLatin1String("messages")).toArray().size(), 5);
        QVERIFY(!oldest.value(QLatin1String("hasMore")).toBool());
        QJsonObject after = page({{QStringLiteral("limit"), 3}, {QStringLiteral("after"), 20}});
        msgs = after.value(QLatin1String("messages")).toArray();
        QCOMPARE(msgs.size(), 3);
        QCOMPARE(msgs.first().toObject().value(QLatin1String("seq")).toInt(), 21);
    }

    void resumeAfterDisconnectGetsExactlyWhatWasMissed()
    {
        Client alice, bob;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        auto sendN = [&](int from, int to) {
            for (int i = from; i <= to; ++i)
                bob.send(QStringLiteral("msg.send"),
                         {{QStringLiteral("id"), i},
                          {QStringLiteral("room"), QStringLiteral("general")},
                          {QStringLiteral("clientId"), QStringLiteral("c%1").arg(i)},
                          {QStringLiteral("text"), QStringLiteral("n%1").arg(i)}});
        };
        sendN(1, 5);
        QTRY_COMPARE(alice.all(QStringLiteral("message")).size(), 5);
        const int lastSeen =
            alice.all(QStringLiteral("message")).last().value(QLatin1String("seq")).toInt();
        alice.ws.close();
        QVERIFY(alice.waitClosed());
        // 50 messages while alice is away (bob's rate allows 50 at once: the burst)
        sendN(6, 30);
        QTRY_COMPARE(bob.all(QStringLiteral("message")).size(), 30);
        QTest::qWait(1300); // let the rate bucket refill
        sendN(31, 55);
        QTRY_COMPARE(bob.all(QStringLiteral("message")).size(), 55);

        Client back;
        QVERIFY(back.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        // and more arrive while the resume is being served
        back.send(QStringLiteral("resume"),
                  {{QStringLiteral("id"), QStringLiteral("r")},
                   {QStringLiteral("rooms"), QJsonObject{{QStringLiteral("general"), lastSeen}}}});
        sendN(56, 60);
        const QJsonObject res = back.waitFor(QStringLiteral("result"), [](const QJsonObject &f) {
            return f.value(QLatin1String("id")).toString() == QLatin1String("r");
        });
        QVERIFY(!res.isEmpty());
        QTRY_VERIFY(back.all(QStringLiteral("message")).size() >= 55);
        QTest::qWait(300);
        const QList<QJsonObject> got = back.all(QStringLiteral("message"));
        QCOMPARE(got.size(), 55); // 6..60, each once
        for (int i = 0; i < got.size(); ++i)
            QCOMPARE(got[i].value(QLatin1String("seq")).toInt(), lastSeen + 1 + i);
    }

    void liveFramesAfterHelloWaitForTheResume()
    {
        Client bob;
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        for (int i = 1; i <= 5; ++i)
            QCOMPARE(bob.request(QStringLiteral("msg.send"),
                                 {{QStringLiteral("room"), QStringLiteral("general")},
                                  {QStringLiteral("clientId"), QString::number(i)},
                                  {QStringLiteral("text"), QString::number(i)}})
                         .value(QLatin1String("type"))
                         .toString(),
                     QStringLiteral("result"));
        // alice comes back having seen up to 2; a live message arrives before her resume does
        Client alice;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QCOMPARE(bob.request(QStringLiteral("msg.send"),
                             {{QStringLiteral("room"), QStringLiteral("general")},
                              {QStringLiteral("clientId"), QStringLiteral("6")},
                              {QStringLiteral("text"), QStringLiteral("6")}})
                     .value(QLatin1String("type"))
                     .toString(),
                 QStringLiteral("result"));
        QTest::qWait(100);
        const QJsonObject r =
            alice.request(QStringLiteral("resume"),
                          {{QStringLiteral("rooms"), QJsonObject{{QStringLiteral("general"), 2}}}});
        QCOMPARE(r.value(QLatin1String("data"))
                     .toObject()
                     .value(QLatin1String("rooms"))
                     .toObject()
                     .value(QLatin1String("general"))
                     .toInt(),
                 6);
        QList<int> seqs;
        for (const QJsonObject &m : alice.all(QStringLiteral("message")))
            seqs << m.value(QLatin1String("seq")).toInt();
        QCOMPARE(seqs,
                 (QList<int>{3, 4, 5, 6})); // in order, once: the live 6 waited for the resume
    }

    void directMessages()
    {
        Client alice, carol;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(carol.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
        const QJsonObject dm = data(alice.request(
            QStringLiteral("dm.open"), {{QStringLiteral("user"), QStringLiteral("carol")}}));
        const QString room =
            dm.value(QLatin1String("room")).toObject().value(QLatin1String("name")).toString();
        QCOMPARE(room, QStringLiteral("dm:alice:carol"));
        QCOMPARE(dm.value(QLatin1String("room")).toObject().value(QLatin1String("peer")).toString(),
                 QStringLiteral("carol"));
        QVERIFY(
            !carol.waitFor(QStringLiteral("member")).isEmpty()); // carol learns about the new DM
        // opening again finds the same room, from either side
        QCOMPARE(data(carol.request(QStringLiteral("dm.open"),
                                    {{QStringLiteral("user"), QStringLiteral("alice")}}))
                     .value(QLatin1String("room"))
                     .toObject()
                     .value(QLatin1String("name"))
                     .toString(),
                 room);
        alice.request(QStringLiteral("msg.send"),
                      {{QStringLiteral("room"), room},
                       {QStringLiteral("clientId"), QStringLiteral("d1")},
                       {QStringLiteral("text"), QStringLiteral("psst")}});
        QCOMPARE(carol.waitFor(QStringLiteral("message")).value(QLatin1String("text")).toString(),
                 QStringLiteral("psst"));
        Client bob;
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(code(bob.request(QStringLiteral("room.join"), {{QStringLiteral("room"), room}})),
                 QStringLiteral("forbidden"));
        QCOMPARE(
            code(bob.request(QStringLiteral("room.history"), {{QStringLiteral("room"), room}})),
            QStringLiteral("forbidden"));
        QCOMPARE(code(alice.request(QStringLiteral("dm.open"),
                                    {{QStringLiteral("user"), QStringLiteral("nobody")}})),
                 QStringLiteral("not_found"));
    }

    void typingIsRelayedAndRateLimited()
    {
        Client alice, bob;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        for (int i = 0; i < 5; ++i)
            alice.send(QStringLiteral("typing.send"),
                       {{QStringLiteral("room"), QStringLiteral("general")}});
        QCOMPARE(bob.waitFor(QStringLiteral("typing")).value(QLatin1String("user")).toString(),
                 QStringLiteral("alice"));
        QTest::qWait(300);
        QCOMPARE(bob.all(QStringLiteral("typing")).size(), 1);
        QVERIFY(alice.all(QStringLiteral("typing")).isEmpty());
    }

    void historyAndMembershipSurviveRestart()
    {
        {
            Client bob;
            QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
            bob.request(QStringLiteral("msg.send"),
                        {{QStringLiteral("room"), QStringLiteral("general")},
                         {QStringLiteral("clientId"), QStringLiteral("k")},
                         {QStringLiteral("text"), QStringLiteral("persist me")}});
            Client carol;
            QVERIFY(carol.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
            carol.request(QStringLiteral("room.join"),
                          {{QStringLiteral("room"), QStringLiteral("general")}});
        }
        m_server.reset();
        m_server = std::make_unique<LocalServer>(m_dir->path());
        Client carol;
        QVERIFY(carol.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
        const QJsonArray rooms =
            carol.all(QStringLiteral("hello")).first().value(QLatin1String("rooms")).toArray();
        QCOMPARE(rooms.size(), 1);
        QCOMPARE(rooms.first().toObject().value(QLatin1String("lastSeq")).toInt(), 1);
        const QJsonArray hist =
            data(carol.request(QStringLiteral("room.history"),
                               {{QStringLiteral("room"), QStringLiteral("general")}}))
                .value(QLatin1String("messages"))
                .toArray();
        QCOMPARE(hist.size(), 1);
        QCOMPARE(hist.first().toObject().value(QLatin1String("text")).toString(),
                 QStringLiteral("persist me"));
        const QJsonObject next =
            carol.request(QStringLiteral("msg.send"),
                          {{QStringLiteral("room"), QStringLiteral("general")},
                           {QStringLiteral("clientId"), QStringLiteral("k2")},
                           {QStringLiteral("text"), QStringLiteral("after restart")}});
        QCOMPARE(data(next).value(QLatin1String("seq")).toInt(), 2);
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LocalServer> m_server;
    QHash<QString, QString> m_tokens;
};

QTEST_MAIN(TestChat)
#include "tst_chat.moc"
