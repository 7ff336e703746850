// RoomDirectory (server/core/features/roomdirectory.*) through the hub and a recording peer:
// creating, listing, joining, inviting to and leaving rooms, DMs, the people list, and what a
// reload brings in from storage.
#include "hubkit.h"

using namespace herald;
using namespace hubkit;

namespace {
/** The names of the rooms in a room.list answer. */
QStringList names(const QJsonObject &answer)
{
    QStringList out;
    for (const QJsonValue &r : data(answer).value(QLatin1String("rooms")).toArray())
        out << r.toObject().value(QLatin1String("name")).toString();
    out.sort();
    return out;
}
/** Member events of a room: "user event" each. */
QStringList memberEvents(const RecordingPeer &p, const char *room)
{
    QStringList out;
    for (const QJsonObject &m : p.of("member"))
        if (m.value(QLatin1String("room")).toString() == QLatin1String(room))
            out << m.value(QLatin1String("user")).toString() + QLatin1Char(' ') +
                       m.value(QLatin1String("event")).toString();
    return out;
}
} // namespace

class TestRoomDirectory : public QObject
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
        m_general =
            m_w->room(QStringLiteral("general"), {QStringLiteral("alice"), QStringLiteral("bob")});
        QVERIFY(m_w->start());
        QVERIFY((m_a = m_w->live(m_alice, m_tokens[0])));
        QVERIFY((m_b = m_w->live(m_bob, m_tokens[1])));
    }
    void cleanup()
    {
        m_w.reset();
        m_tokens.clear();
        m_alice = {};
        m_bob = {};
    }

    void createListAndJoin()
    {
        RecordingPeer alice2;
        QVERIFY(m_w->live(alice2, m_tokens[0]));
        const QJsonObject created = m_w->request(
            m_alice, m_a, R"({"type":"room.create","id":"c","name":"design","title":"Design"})");
        const QJsonObject room = data(created).value(QLatin1String("room")).toObject();
        QCOMPARE(room.value(QLatin1String("name")), QStringLiteral("design"));
        QCOMPARE(room.value(QLatin1String("title")), QStringLiteral("Design"));
        QCOMPARE(room.value(QLatin1String("kind")), QStringLiteral("public"));
        QVERIFY(room.value(QLatin1String("member")).toBool());
        QCOMPARE(room.value(QLatin1String("members")).toInt(), 1);
        // the creator's other device learns of it; the one that asked got the answer instead
        QTRY_COMPARE(memberEvents(alice2, "design"), QStringList{QStringLiteral("alice joined")});
        QVERIFY(memberEvents(m_alice, "design").isEmpty());
        QCOMPARE(names(m_w->request(m_bob, m_b, R"({"type":"room.list","id":"l"})")),
                 (QStringList{QStringLiteral("design"), QStringLiteral("general")}));
        const QJsonObject joined =
            m_w->request(m_bob, m_b, R"({"type":"room.join","id":"j","room":"design"})");
        QCOMPARE(
            data(joined).value(QLatin1String("room")).toObject().value(QLatin1String("members")),
            2);
        QTRY_COMPARE(memberEvents(m_alice, "design"), QStringList{QStringLiteral("bob joined")});
        // joining again answers with the room, without another event
        m_w->request(m_bob, m_b, R"({"type":"room.join","id":"j2","room":"design"})");
        QCOMPARE(data(m_bob.answer(QStringLiteral("j2")))
                     .value(QLatin1String("room"))
                     .toObject()
                     .value(QLatin1String("member")),
                 true);
        m_w->settle();
        QCOMPARE(memberEvents(m_alice, "design").size(), 1);
    }

    void privateRoomsNeedAnInvite()
    {
        m_w->request(m_alice, m_a,
                     R"({"type":"room.create","id":"c","name":"secret","private":true})");
        QCOMPARE(code(m_w->request(m_bob, m_b, R"({"type":"room.join","id":"j","room":"secret"})")),
                 QStringLiteral("forbidden"));
        QCOMPARE(
            code(m_w->request(m_bob, m_b, R"({"type":"room.members","id":"m","room":"secret"})")),
            QStringLiteral("forbidden"));
        QCOMPARE(names(m_w->request(m_bob, m_b, R"({"type":"room.list","id":"l"})")),
                 QStringList{QStringLiteral("general")});
        const QJsonObject invited = m_w->request(
            m_alice, m_a, R"({"type":"room.invite","id":"i","room":"secret","user":"bob"})");
        QCOMPARE(invited.value(QLatin1String("type")), QStringLiteral("result"));
        QTRY_COMPARE(memberEvents(m_bob, "secret"), QStringList{QStringLiteral("bob joined")});
        const QJsonObject info = m_bob.of("member").last().value(QLatin1String("info")).toObject();
        QVERIFY(info.value(QLatin1String("member")).toBool());
        QCOMPARE(info.value(QLatin1String("kind")), QStringLiteral("private"));
        const QJsonObject members =
            m_w->request(m_bob, m_b, R"({"type":"room.members","id":"m2","room":"secret"})");
        QCOMPARE(data(members).value(QLatin1String("members")).toArray().size(), 2);
    }

    void leavingTellsTheLeaversDevicesAndTheRoom()
    {
        RecordingPeer bob2;
        QVERIFY(m_w->live(bob2, m_tokens[1]));
        const QJsonObject left =
            m_w->request(m_bob, m_b, R"({"type":"room.leave","id":"x","room":"general"})");
        QCOMPARE(left.value(QLatin1String("type")), QStringLiteral("result"));
        QTRY_COMPARE(memberEvents(m_alice, "general"), QStringList{QStringLiteral("bob left")});
        QTRY_COMPARE(memberEvents(bob2, "general"), QStringList{QStringLiteral("bob left")});
        QCOMPARE(
            code(m_w->request(m_bob, m_b, R"({"type":"room.leave","id":"y","room":"general"})")),
            QStringLiteral("not_found"));
    }

    void dmIsOpenedOnce()
    {
        const QJsonObject dm =
            m_w->request(m_alice, m_a, R"({"type":"dm.open","id":"d","user":"bob"})");
        const QJsonObject room = data(dm).value(QLatin1String("room")).toObject();
        QCOMPARE(room.value(QLatin1String("kind")), QStringLiteral("dm"));
        QCOMPARE(room.value(QLatin1String("title")), QStringLiteral("bob"));
        QTRY_COMPARE(m_bob.of("member").size(), 1);
        const QJsonObject info = m_bob.of("member").first().value(QLatin1String("info")).toObject();
        QCOMPARE(info.value(QLatin1String("title")), QStringLiteral("alice")); // as bob sees it
        const QJsonObject again =
            m_w->request(m_bob, m_b, R"({"type":"dm.open","id":"d2","user":"alice"})");
        QCOMPARE(data(again).value(QLatin1String("room")).toObject().value(QLatin1String("name")),
                 room.value(QLatin1String("name")));
        m_w->settle();
        QCOMPARE(m_bob.of("member").size(), 1);
        QJsonObject invite = json(R"({"type":"room.invite","id":"i","user":"carol"})");
        invite.insert(QStringLiteral("room"), room.value(QLatin1String("name")));
        QCOMPARE(code(m_w->request(m_alice, m_a, frame(invite))), QStringLiteral("forbidden"));
    }

    void peopleAndMembersCarryTheirStatus()
    {
        const QJsonObject users = m_w->request(m_alice, m_a, R"({"type":"user.list","id":"u"})");
        QHash<QString, QString> status;
        for (const QJsonValue &u : data(users).value(QLatin1String("users")).toArray())
            status.insert(u.toObject().value(QLatin1String("name")).toString(),
                          u.toObject().value(QLatin1String("status")).toString());
        QCOMPARE(status.value(QStringLiteral("alice")), QStringLiteral("online"));
        QCOMPARE(status.value(QStringLiteral("carol")), QStringLiteral("offline"));
        const QJsonObject members =
            m_w->request(m_alice, m_a, R"({"type":"room.members","id":"m","room":"general"})");
        QCOMPARE(data(members).value(QLatin1String("online")).toInt(), 2);
        QCOMPARE(data(members).value(QLatin1String("members")).toArray().size(), 2);
    }

    void unknownNamesAreNotFound()
    {
        QCOMPARE(code(m_w->request(m_alice, m_a, R"({"type":"room.join","id":"1","room":"nope"})")),
                 QStringLiteral("not_found"));
        QCOMPARE(
            code(m_w->request(m_alice, m_a,
                              R"({"type":"room.invite","id":"2","room":"general","user":"x"})")),
            QStringLiteral("not_found"));
        QCOMPARE(code(m_w->request(m_alice, m_a, R"({"type":"dm.open","id":"3","user":"x"})")),
                 QStringLiteral("not_found"));
        QCOMPARE(
            code(m_w->request(m_alice, m_a, R"({"type":"room.create","id":"4","name":"general"})")),
            QStringLiteral("conflict"));
    }

    void reloadBringsInWhatStorageHolds()
    {
        const qint64 carol = m_w->store.user(QStringLiteral("carol"))->id;
        QVERIFY(!m_w->store.addMember(m_general, carol));
        m_w->room(QStringLiteral("later"), {QStringLiteral("alice")});
        bool done = false;
        m_w->hub->reload([&done] { done = true; });
        QTRY_VERIFY(done);
        QCOMPARE(memberEvents(m_alice, "general"), QStringList{QStringLiteral("carol joined")});
        QCOMPARE(memberEvents(m_alice, "later"), QStringList{QStringLiteral("alice joined")});
        QCOMPARE(names(m_w->request(m_alice, m_a, R"({"type":"room.list","id":"l"})")),
                 (QStringList{QStringLiteral("general"), QStringLiteral("later")}));
        // a room deleted in storage is left by its members
        QVERIFY(!m_w->store.deleteRoom(QStringLiteral("later")));
        done = false;
        m_w->hub->reload([&done] { done = true; });
        QTRY_VERIFY(done);
        QCOMPARE(memberEvents(m_alice, "later"),
                 (QStringList{QStringLiteral("alice joined"), QStringLiteral("alice left")}));
        QCOMPARE(names(m_w->request(m_alice, m_a, R"({"type":"room.list","id":"l2"})")),
                 QStringList{QStringLiteral("general")});
    }

private:
    std::unique_ptr<World> m_w;
    QStringList m_tokens;
    RecordingPeer m_alice, m_bob;
    quint64 m_a = 0, m_b = 0;
    qint64 m_general = 0;
};

QTEST_GUILESS_MAIN(TestRoomDirectory)
#include "tst_roomdirectory.moc"
