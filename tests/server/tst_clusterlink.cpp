// ClusterLink (server/core/features/clusterlink.*) through the hub, a recording peer and a
// recording bus that plays the other nodes: what this node publishes, other nodes' events
// applied through Delivery's cursors (gaps filled from storage, nothing twice), subscriptions
// that follow who is connected, presence on the bus, and the resync that catches lost events.
#include "hubkit.h"

using namespace herald;
using namespace hubkit;

namespace {
QList<qint64> seqs(const RecordingPeer &p)
{
    QList<qint64> out;
    for (const QJsonObject &m : p.of("message"))
        out << m.value(QLatin1String("seq")).toInteger();
    return out;
}
QList<qint64> notificationIds(const RecordingPeer &p)
{
    QList<qint64> out;
    for (const QJsonObject &f : p.of("notification"))
        out << f.value(QLatin1String("notification"))
                   .toObject()
                   .value(QLatin1String("id"))
                   .toInteger();
    return out;
}
} // namespace

class TestClusterLink : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_w = std::make_unique<World>();
        m_aliceId = m_w->user(QStringLiteral("alice"));
        m_bobId = m_w->user(QStringLiteral("bob"));
        m_carolId = m_w->user(QStringLiteral("carol"));
        m_aliceToken = m_w->token(QStringLiteral("alice"));
        m_bobToken = m_w->token(QStringLiteral("bob"));
        m_general =
            m_w->room(QStringLiteral("general"), {QStringLiteral("alice"), QStringLiteral("bob")});
        m_w->service(QStringLiteral("erp"), &m_service);
        m_bus = std::make_unique<RecordingBus>();
        QVERIFY(m_w->start());
        m_w->hub->setBus(m_bus.get(), "node-a");
        m_channel = "herald:room:" + QByteArray::number(m_general);
    }
    void cleanup()
    {
        m_w.reset();
        m_bus.reset();
    }

    void thisNodesEventsArePublished()
    {
        QCOMPARE(m_w->hub->busState(), QStringLiteral("up"));
        RecordingPeer alice;
        const quint64 a = m_w->live(alice, m_aliceToken);
        m_w->request(alice, a,
                     R"({"type":"msg.send","id":"1","room":"general","clientId":"c","text":"hi"})");
        QCOMPARE(m_bus->on(m_channel).size(), 1);
        const BusEvent m = m_bus->on(m_channel).first();
        QCOMPARE(m.kind, BusEvent::Kind::RoomMessage);
        QCOMPARE(m.seq, 1);
        QCOMPARE(m.node, QByteArray("node-a"));
        // the frame travels as the bytes the members got, not re-encoded
        QCOMPARE(QJsonDocument::fromJson(m.frame).object().value(QLatin1String("text")),
                 QStringLiteral("hi"));
        m_w->publish(m_service, R"({"recipients":{"users":["bob"]},"title":"t"})");
        m_w->request(alice, a, R"({"type":"room.create","id":"2","name":"design"})");
        QList<BusEvent::Kind> kinds;
        for (const BusEvent &e : m_bus->on("herald:all"))
            kinds << e.kind;
        // A new room is one typed change, not a request that every node reload everything.
        QCOMPARE(kinds, (QList<BusEvent::Kind>{BusEvent::Kind::Notification,
                                               BusEvent::Kind::RoomUpserted}));
        QCOMPARE(m_bus->on("herald:all").first().users, QList<qint64>{m_bobId});
        const BusEvent room = m_bus->on("herald:all").last();
        QCOMPARE(room.name, QStringLiteral("design"));
        QCOMPARE(room.users, QList<qint64>{m_aliceId});
    }

    void otherNodesMessagesArriveInOrderOnce()
    {
        RecordingPeer bob;
        QVERIFY(m_w->live(bob, m_bobToken));
        auto store = [&](int n) {
            const StoredMessage m = std::get<StoredMessage>(m_w->store.storeMessage(
                m_general, m_aliceId, QString::number(n), QStringLiteral("elsewhere"), n));
            return m.seq;
        };
        auto event = [&](qint64 seq) {
            m_bus->deliver(m_channel,
                           BusEvent::roomMessage(
                               m_general, seq,
                               QStringLiteral(R"({"type":"message","room":"general","seq":%1})")
                                   .arg(seq)
                                   .toUtf8()));
        };
        event(store(1));
        QCOMPARE(seqs(bob), QList<qint64>{1});
        const qint64 two = store(2);
        const qint64 three = store(3);
        event(three); // two's event is lost (or late): the gap is filled from storage
        QTRY_COMPARE(seqs(bob), (QList<qint64>{1, 2, 3}));
        QCOMPARE(bob.of("message").at(1).value(QLatin1String("text")), QStringLiteral("elsewhere"));
        event(two); // late: already delivered
        event(three);
        m_w->settle();
        QCOMPARE(seqs(bob), (QList<qint64>{1, 2, 3}));
        // this node's own events coming back from the bus are not delivered again
        m_bus->deliver(m_channel,
                       BusEvent::roomMessage(m_general, 4, R"({"type":"message","seq":4})"),
                       "node-a");
        QCOMPARE(seqs(bob), (QList<qint64>{1, 2, 3}));
    }

    void notificationGapsAreFilledFromStorage()
    {
        RecordingPeer bob;
        QVERIFY(m_w->live(bob, m_bobToken));
        QList<qint64> ids;
        for (int i = 0; i < 2; ++i) {
            PublishRequest req;
            req.to.users = {QStringLiteral("bob")};
            req.title = QString::number(i);
            ids << std::get<PublishResult>(
                       m_w->store.publish(m_service, req, QDateTime::currentMSecsSinceEpoch()))
                       .id;
        }
        // only the second one's event arrives
        m_bus->deliver("herald:all",
                       BusEvent::notification(ids.last(), {m_bobId}, R"({"type":"notification"})"));
        QTRY_COMPARE(notificationIds(bob), ids);
    }

    void personEventsAndReloads()
    {
        RecordingPeer alice, bob;
        QVERIFY(m_w->live(alice, m_aliceToken));
        QVERIFY(m_w->live(bob, m_bobToken));
        m_bus->deliver("herald:all",
                       BusEvent::toUsers({m_bobId}, R"({"type":"typing","user":"x"})"));
        QCOMPARE(bob.of("typing").size(), 1);
        QVERIFY(alice.of("typing").isEmpty());
        QVERIFY(!m_w->store.addMember(m_general, m_carolId)); // another node's change
        m_bus->deliver("herald:all", BusEvent::reload());
        QTRY_COMPARE(alice.of("member").size(), 1);
        QCOMPARE(alice.of("member").first().value(QLatin1String("user")), QStringLiteral("carol"));
        // a reload asked for by another node is not asked of the others again
        for (const BusEvent &e : m_bus->on("herald:all"))
            QVERIFY(e.kind != BusEvent::Kind::Reload);
    }

    void roomChangesAreAppliedOneAtATime()
    {
        RecordingPeer alice, bob;
        QVERIFY(m_w->live(alice, m_aliceToken));
        QVERIFY(m_w->live(bob, m_bobToken));
        const quint64 reloadsBefore = m_w->hub->stats().stateReloads;
        // Another node created a room with alice and bob in it (as stored there).
        const qint64 design = std::get<qint64>(m_w->store.createRoom(
            QStringLiteral("design"), QStringLiteral("D"), QStringLiteral("public")));
        m_bus->deliver("herald:all",
                       BusEvent::roomUpserted(design, QStringLiteral("design"), QStringLiteral("D"),
                                              QStringLiteral("public"), 0, {m_aliceId, m_bobId}));
        QTRY_VERIFY(!bob.of("member").isEmpty());
        // carol joined there, then left; bob's devices here see both
        m_bus->deliver("herald:all", BusEvent::memberJoined(design, m_carolId));
        m_bus->deliver("herald:all", BusEvent::memberLeft(design, m_carolId));
        QStringList events;
        for (const QJsonObject &f : bob.of("member"))
            if (f.value(QLatin1String("user")) == QStringLiteral("carol"))
                events << f.value(QLatin1String("event")).toString();
        QCOMPARE(events, (QStringList{QStringLiteral("joined"), QStringLiteral("left")}));
        // a membership this node already has is not announced again
        const qsizetype before = bob.of("member").size();
        m_bus->deliver("herald:all", BusEvent::memberJoined(design, m_bobId));
        QCOMPARE(bob.of("member").size(), before);
        // and none of it made this node re-read everything
        m_w->settle();
        QCOMPARE(m_w->hub->stats().stateReloads, reloadsBefore);
        // a change naming a room this node has never heard of falls back to a full reload
        m_bus->deliver("herald:all", BusEvent::memberJoined(987654, m_bobId));
        QCOMPARE(m_w->hub->stats().stateReloads, reloadsBefore + 1);
    }

    void malformedBusEventsAreDroppedAndCounted()
    {
        RecordingPeer bob;
        QVERIFY(m_w->live(bob, m_bobToken));
        const qsizetype frames = bob.frames.size();
        for (const QByteArray &junk :
             {QByteArray(), QByteArray("{\"k\":\"reload\",\"n\":\"x\"}"), QByteArray("HB\x01")})
            m_bus->deliverRaw("herald:all", junk);
        QCOMPARE(m_w->hub->stats().busEventsRefused, quint64(3));
        QCOMPARE(m_w->hub->stats().stateReloads, quint64(0));
        QCOMPARE(bob.frames.size(), frames);
    }

    void subscriptionsAndPresenceFollowWhoIsConnected()
    {
        QVERIFY(m_bus->subscribed.contains("herald:all"));
        QVERIFY(!m_bus->subscribed.contains(m_channel));
        RecordingPeer alice;
        const quint64 a = m_w->live(alice, m_aliceToken);
        QTRY_VERIFY(m_bus->subscribed.contains(m_channel));
        QTRY_VERIFY(m_bus->announcedOn.contains(m_aliceId));
        m_w->hub->closed(a);
        QTRY_VERIFY(!m_bus->subscribed.contains(m_channel));
        QTRY_VERIFY(m_bus->announcedOff.contains(m_aliceId));
    }

    void peopleOnlineElsewhereAreOnline()
    {
        RecordingPeer alice;
        const quint64 a = m_w->live(alice, m_aliceToken);
        m_bus->remoteOnline = {m_carolId};
        auto carol = [&] {
            alice.frames.clear();
            const QJsonObject users = m_w->request(alice, a, R"({"type":"user.list","id":"u"})");
            for (const QJsonValue &u : data(users).value(QLatin1String("users")).toArray())
                if (u.toObject().value(QLatin1String("name")).toString() == QLatin1String("carol"))
                    return u.toObject().value(QLatin1String("status")).toString();
            return QString();
        };
        QCOMPARE(carol(), QStringLiteral("offline"));
        QTRY_COMPARE_WITH_TIMEOUT(carol(), QStringLiteral("online"), 5000); // read every 2 s
        QCOMPARE(m_w->hub->onlineCount(), 2);
    }

    void resyncCatchesWhatTheBusLost()
    {
        RecordingPeer bob;
        QVERIFY(m_w->live(bob, m_bobToken));
        QTRY_VERIFY(m_bus->subscribed.contains(m_channel)); // positions of listened rooms only
        QVERIFY(std::holds_alternative<StoredMessage>(m_w->store.storeMessage(
            m_general, m_aliceId, QStringLiteral("lost"), QStringLiteral("never published"), 1)));
        QTRY_COMPARE_WITH_TIMEOUT(seqs(bob), QList<qint64>{1}, 6000); // every 3 s
        // and after the bus comes back, at once
        QVERIFY(std::holds_alternative<StoredMessage>(m_w->store.storeMessage(
            m_general, m_aliceId, QStringLiteral("lost2"), QStringLiteral("never published"), 2)));
        Q_EMIT m_bus->up();
        QTRY_COMPARE_WITH_TIMEOUT(seqs(bob), (QList<qint64>{1, 2}), 1000);
    }

private:
    std::unique_ptr<World> m_w;
    std::unique_ptr<RecordingBus> m_bus;
    QByteArray m_channel;
    qint64 m_aliceId = 0, m_bobId = 0, m_carolId = 0, m_general = 0, m_service = 0;
    QString m_aliceToken, m_bobToken;
};

QTEST_GUILESS_MAIN(TestClusterLink)
#include "tst_clusterlink.moc"
