// PresenceTracker (server/core/features/presencetracker.*) through the hub and a recording
// peer: a person's status from their connections, away, the online counts of rooms and of the
// server, and changes coalesced into few frames.
#include "hubkit.h"

using namespace herald;
using namespace hubkit;

namespace {
/** Every status announced for a person in presence frames, in order. */
QStringList statuses(const RecordingPeer &p, const char *user)
{
    QStringList out;
    for (const QJsonObject &f : p.of("presence"))
        for (const QJsonValue &u : f.value(QLatin1String("users")).toArray())
            if (u.toObject().value(QLatin1String("user")).toString() == QLatin1String(user))
                out << u.toObject().value(QLatin1String("status")).toString();
    return out;
}
int lastOnline(const RecordingPeer &p)
{
    const QList<QJsonObject> counts = p.of("online");
    return counts.isEmpty() ? -1 : counts.last().value(QLatin1String("count")).toInt();
}
} // namespace

class TestPresenceTracker : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_w = std::make_unique<World>();
        for (const char *name : {"alice", "bob", "carol"}) {
            m_w->user(QLatin1String(name));
            m_tokens << m_w->token(QLatin1String(name));
        }
        m_w->room(QStringLiteral("general"), {QStringLiteral("alice"), QStringLiteral("bob")});
    }
    void cleanup()
    {
        m_w.reset();
        m_tokens.clear();
    }

    void onlineWhileAnyConnectionIs()
    {
        QVERIFY(m_w->start());
        RecordingPeer alice, bob1, bob2;
        QVERIFY(m_w->live(alice, m_tokens[0]));
        QCOMPARE(m_w->hub->onlineCount(), 1);
        const quint64 b1 = m_w->live(bob1, m_tokens[1]);
        QVERIFY(m_w->live(bob2, m_tokens[1]));
        QCOMPARE(m_w->hub->onlineCount(), 2);
        QTRY_COMPARE(statuses(alice, "bob"), QStringList{QStringLiteral("online")});
        QTRY_COMPARE(lastOnline(alice), 2);
        QCOMPARE(alice.of("presence").last().value(QLatin1String("online")).toInt(), 2);
        m_w->hub->closed(b1);
        m_w->settle();
        QTest::qWait(60);
        QCOMPARE(m_w->hub->onlineCount(), 2); // bob still has a connection
        QCOMPARE(statuses(alice, "bob"), QStringList{QStringLiteral("online")});
        QCOMPARE(m_w->hub->onlineUsers(),
                 (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
    }

    void awayWhenEveryConnectionSaysSo()
    {
        QVERIFY(m_w->start());
        RecordingPeer alice, bob1, bob2;
        QVERIFY(m_w->live(alice, m_tokens[0]));
        const quint64 b1 = m_w->live(bob1, m_tokens[1]);
        const quint64 b2 = m_w->live(bob2, m_tokens[1]);
        QTRY_COMPARE(statuses(alice, "bob"), QStringList{QStringLiteral("online")});
        QCOMPARE(m_w->request(bob1, b1, R"({"type":"presence.set","id":"a","status":"away"})")
                     .value(QLatin1String("type")),
                 QStringLiteral("result"));
        QTest::qWait(60);
        QCOMPARE(statuses(alice, "bob"), QStringList{QStringLiteral("online")});
        m_w->request(bob2, b2, R"({"type":"presence.set","id":"a","status":"away"})");
        QTRY_COMPARE(statuses(alice, "bob"),
                     (QStringList{QStringLiteral("online"), QStringLiteral("away")}));
        QCOMPARE(m_w->hub->onlineCount(), 2); // away is still online for the count
        QCOMPARE(
            code(m_w->request(bob2, b2, R"({"type":"presence.set","id":"b","status":"busy"})")),
            QStringLiteral("bad_value"));
        // one away connection goes, the other is still away; then it is back
        m_w->hub->closed(b2);
        m_w->settle();
        m_w->request(bob1, b1, R"({"type":"presence.set","id":"o","status":"online"})");
        QTRY_COMPARE(statuses(alice, "bob"),
                     (QStringList{QStringLiteral("online"), QStringLiteral("away"),
                                  QStringLiteral("online")}));
    }

    void offlineWhenTheLastConnectionCloses()
    {
        QVERIFY(m_w->start());
        RecordingPeer alice, bob;
        QVERIFY(m_w->live(alice, m_tokens[0]));
        const quint64 b = m_w->live(bob, m_tokens[1]);
        QTRY_COMPARE(lastOnline(alice), 2);
        m_w->hub->closed(b);
        QTRY_COMPARE(statuses(alice, "bob").last(), QStringLiteral("offline"));
        QTRY_COMPARE(lastOnline(alice), 1);
        QCOMPARE(m_w->hub->onlineCount(), 1);
        QCOMPARE(m_w->hub->onlineUsers(), QStringList{QStringLiteral("alice")});
    }

    void aQuickReconnectIsNotAnnounced()
    {
        Config cfg = World::defaults();
        cfg.presenceCoalesceMs = 300;
        QVERIFY(m_w->start(cfg));
        RecordingPeer alice;
        QVERIFY(m_w->live(alice, m_tokens[0]));
        QTRY_COMPARE(lastOnline(alice), 1);
        RecordingPeer bob;
        const quint64 b = m_w->connect(bob, m_tokens[1]);
        QVERIFY(b);
        m_w->hub->closed(b); // gone again before the changes were announced
        QTest::qWait(600);
        QVERIFY(statuses(alice, "bob").isEmpty());
        QCOMPARE(lastOnline(alice), 1);
    }

    void aHelloInsideTheWindowIsCorrected()
    {
        // alice and bob are online and announced (count 2); both reconnect within one
        // coalescing window: alice's new hello counts bob out (1), bob comes back (2 again, as
        // announced before). Nobody else needs a frame, but the new alice connection does.
        Config cfg = World::defaults();
        cfg.presenceCoalesceMs = 300;
        QVERIFY(m_w->start(cfg));
        RecordingPeer alice, bob;
        const quint64 a = m_w->live(alice, m_tokens[0]);
        const quint64 b = m_w->live(bob, m_tokens[1]);
        QTRY_COMPARE(lastOnline(alice), 2);
        QTRY_COMPARE(alice.of("presence").last().value(QLatin1String("online")).toInt(), 2);
        m_w->hub->closed(a);
        m_w->hub->closed(b);
        RecordingPeer alice2, bob2;
        QVERIFY(m_w->live(alice2, m_tokens[0]));
        QCOMPARE(alice2.of("hello").first().value(QLatin1String("online")).toInt(), 1);
        QVERIFY(m_w->live(bob2, m_tokens[1]));
        QTRY_COMPARE(lastOnline(alice2), 2);
        QTRY_VERIFY(!alice2.of("presence").isEmpty());
        QCOMPARE(alice2.of("presence").last().value(QLatin1String("online")).toInt(), 2);
        QCOMPARE(m_w->hub->onlineCount(), 2);
    }

    void roomCountsFollowMembership()
    {
        QVERIFY(m_w->start());
        RecordingPeer alice, carol;
        const quint64 a = m_w->live(alice, m_tokens[0]);
        const quint64 c = m_w->live(carol, m_tokens[2]);
        auto online = [&] {
            alice.frames.clear();
            return data(m_w->request(alice, a,
                                     R"({"type":"room.members","id":"m","room":"general"})"))
                .value(QLatin1String("online"))
                .toInt();
        };
        QCOMPARE(online(), 1);
        m_w->request(carol, c, R"({"type":"room.join","id":"j","room":"general"})");
        QCOMPARE(online(), 2);
        m_w->request(carol, c, R"({"type":"room.leave","id":"l","room":"general"})");
        QCOMPARE(online(), 1);
        // and the room as hello and room.list show it
        const QJsonObject list = m_w->request(alice, a, R"({"type":"room.list","id":"r"})");
        QCOMPARE(data(list)
                     .value(QLatin1String("rooms"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("online")),
                 1);
    }

private:
    std::unique_ptr<World> m_w;
    QStringList m_tokens;
};

QTEST_GUILESS_MAIN(TestPresenceTracker)
#include "tst_presencetracker.moc"
