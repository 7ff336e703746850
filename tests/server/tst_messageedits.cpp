// Editing, deleting and reacting to chat messages, against a real server on port 0: every
// member's connections get msg.edited / msg.deleted / msg.reaction at once; each change takes
// the room's next sequence, so a resume from before it replays it exactly once, in order;
// room.history shows messages in their current state (edited, deleted, reactions) without the
// change records; unread counts never count changes; chat admins (chat_admins) delete anyone's
// message; every bad request is refused with its code and field and changes nothing; retention
// purges messages with their change records and reactions and leaves the numbering consistent.
#include "testkit.h"

#include <herald/protocol.h>

using namespace testkit;

namespace {

QJsonObject data(const QJsonObject &result)
{
    return result.value(QLatin1String("data")).toObject();
}

QJsonObject roomOf(const QJsonObject &hello, const QString &name)
{
    for (const QJsonValue &v : hello.value(QLatin1String("rooms")).toArray())
        if (v.toObject().value(QLatin1String("name")).toString() == name)
            return v.toObject();
    return {};
}

qint64 num(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toInteger();
}

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

const QString General = QStringLiteral("general");
const QString ThumbsUp = QStringLiteral("\U0001F44D");
const QString Rocket = QStringLiteral("\U0001F680");

} // namespace

class TestMessageEdits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        m_tokens = seed.people({QStringLiteral("alice"), QStringLiteral("bob"),
                                QStringLiteral("carol"), QStringLiteral("dave")});
        m_alice2 = seed.token(QStringLiteral("alice"));
        seed.room(General,
                  {QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")});
        seed.room(QStringLiteral("lobby"), {QStringLiteral("bob")});
        herald::Config config;
        config.chatAdmins = {QStringLiteral("carol")};
        m_server = std::make_unique<LocalServer>(m_dir->path(), config);
    }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
    }

    void editsAndDeletesReachEveryMemberLive()
    {
        Client a, a2, bob, dave;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(a2.open(m_server->wsUrl(), m_alice2));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QVERIFY(dave.open(m_server->wsUrl(), m_tokens[QStringLiteral("dave")]));
        QCOMPARE(send(a, 1, QStringLiteral("helo")), 1);
        const QJsonObject edited = edit(a, 1, QStringLiteral("hello"));
        QCOMPARE(str(edited, "type"), QStringLiteral("result"));
        QCOMPARE(num(data(edited), "seq"), 2);
        QCOMPARE(num(data(edited), "target"), 1);
        const qint64 editedAt = num(data(edited), "editedAt");
        QVERIFY(editedAt > 0);
        for (Client *c : {&bob, &a2, &a}) {
            const QJsonObject e = c->waitFor(QStringLiteral("msg.edited"));
            QCOMPARE(str(e, "room"), General);
            QCOMPARE(num(e, "seq"), 2);
            QCOMPARE(num(e, "target"), 1);
            QCOMPARE(str(e, "text"), QStringLiteral("hello"));
            QCOMPARE(num(e, "editedAt"), editedAt);
            QCOMPARE(str(e, "by"), QStringLiteral("alice"));
        }
        const QJsonObject deleted = del(a, 1);
        QCOMPARE(num(data(deleted), "seq"), 3);
        QCOMPARE(num(data(deleted), "target"), 1);
        for (Client *c : {&bob, &a2}) {
            const QJsonObject d = c->waitFor(QStringLiteral("msg.deleted"));
            QCOMPARE(num(d, "seq"), 3);
            QCOMPARE(num(d, "target"), 1);
            QCOMPARE(str(d, "by"), QStringLiteral("alice"));
            QVERIFY(num(d, "ts") >= editedAt);
        }
        QTest::qWait(200);
        QVERIFY(dave.all(QStringLiteral("msg.edited")).isEmpty()); // not a member
        QVERIFY(dave.all(QStringLiteral("msg.deleted")).isEmpty());
        QCOMPARE(bob.all(QStringLiteral("msg.edited")).size(), 1);
        QCOMPARE(bob.all(QStringLiteral("msg.deleted")).size(), 1);
    }

    void historyShowsCurrentStateWithoutChangeRecords()
    {
        Client a, bob;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(send(a, 1, QStringLiteral("one")), 1);
        QCOMPARE(send(bob, 2, QStringLiteral("two")), 2);
        QCOMPARE(send(a, 3, QStringLiteral("three")), 3);
        QCOMPARE(num(data(edit(a, 1, QStringLiteral("one, edited"))), "seq"), 4);
        QCOMPARE(num(data(del(a, 3)), "seq"), 5);
        QCOMPARE(num(data(react(bob, 1, ThumbsUp, true)), "seq"), 6);
        QCOMPARE(num(data(react(a, 1, ThumbsUp, true)), "seq"), 7);
        QCOMPARE(num(data(react(a, 2, Rocket, true)), "seq"), 8);
        QCOMPARE(num(data(react(a, 2, Rocket, false)), "seq"), 9);
        const QJsonObject h = data(history(bob, {}));
        const QJsonArray messages = h.value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 3);
        QCOMPARE(h.value(QLatin1String("hasMore")).toBool(), false);
        const QJsonObject one = messages.at(0).toObject();
        QCOMPARE(num(one, "seq"), 1);
        QCOMPARE(str(one, "text"), QStringLiteral("one, edited"));
        QVERIFY(num(one, "edited") > 0);
        QVERIFY(!one.contains(QLatin1String("deleted")));
        const QJsonArray reactions = one.value(QLatin1String("reactions")).toArray();
        QCOMPARE(reactions.size(), 1);
        QCOMPARE(str(reactions.at(0).toObject(), "emoji"), ThumbsUp);
        QCOMPARE(num(reactions.at(0).toObject(), "count"), 2);
        QCOMPARE(reactions.at(0).toObject().value(QLatin1String("people")).toArray(),
                 (QJsonArray{QStringLiteral("bob"), QStringLiteral("alice")}));
        const QJsonObject two = messages.at(1).toObject();
        QCOMPARE(num(two, "seq"), 2);
        QVERIFY(!two.contains(QLatin1String("edited")));
        QVERIFY(!two.contains(QLatin1String("reactions"))); // taken back
        const QJsonObject three = messages.at(2).toObject();
        QCOMPARE(num(three, "seq"), 3);
        QCOMPARE(three.value(QLatin1String("deleted")).toBool(), true);
        QCOMPARE(str(three, "text"), QString());
        // Paging by sequence across the change records: one message a page, no gaps, no repeats.
        QList<qint64> seen;
        qint64 before = 0;
        for (bool more = true; more;) {
            QJsonObject args{{QStringLiteral("limit"), 1}};
            if (before > 0)
                args.insert(QStringLiteral("before"), before);
            const QJsonObject page = data(history(bob, args));
            const QJsonArray list = page.value(QLatin1String("messages")).toArray();
            QCOMPARE(list.size(), 1);
            before = num(list.at(0).toObject(), "seq");
            seen.prepend(before);
            more = page.value(QLatin1String("hasMore")).toBool();
        }
        QCOMPARE(seen, (QList<qint64>{1, 2, 3}));
        // Forward from a sequence inside the changes: only what is a message after it.
        const QJsonArray after = data(history(bob, {{QStringLiteral("after"), 2}}))
                                     .value(QLatin1String("messages"))
                                     .toArray();
        QCOMPARE(after.size(), 1);
        QCOMPARE(num(after.at(0).toObject(), "seq"), 3);
    }

    void resumeReplaysChangesExactlyOnce()
    {
        Client a, bob;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(send(a, 1, QStringLiteral("first")), 1);
        QCOMPARE(send(a, 2, QStringLiteral("second")), 2);
        QVERIFY(!bob.waitFor(QStringLiteral("message"),
                             [](const QJsonObject &m) { return num(m, "seq") == 2; })
                     .isEmpty());
        bob.ws.close(); // away with cursor 2
        QVERIFY(bob.waitClosed());
        QCOMPARE(num(data(edit(a, 1, QStringLiteral("first!"))), "seq"), 3);
        QCOMPARE(send(a, 3, QStringLiteral("third")), 4);
        QCOMPARE(num(data(del(a, 2)), "seq"), 5);
        QCOMPARE(num(data(react(a, 1, ThumbsUp, true)), "seq"), 6);
        Client back;
        QVERIFY(back.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        const QJsonObject res = back.request(
            QStringLiteral("resume"), {{QStringLiteral("rooms"), QJsonObject{{General, 2}}}});
        QCOMPARE(str(res, "type"), QStringLiteral("result"));
        QCOMPARE(data(res).value(QLatin1String("rooms")).toObject().value(General).toInteger(), 6);
        // A change made while the resume is answered comes live, after it, once.
        QCOMPARE(num(data(edit(a, 4, QStringLiteral("third!"))), "seq"), 7);
        QVERIFY(!back.waitFor(QStringLiteral("msg.edited"),
                              [](const QJsonObject &e) { return num(e, "seq") == 7; })
                     .isEmpty());
        QTest::qWait(200);
        QList<std::pair<QString, qint64>> stream;
        for (const QJsonObject &f : back.frames) {
            const QString t = str(f, "type");
            if (t == QLatin1String("message") || t.startsWith(QLatin1String("msg.")))
                stream.append({t, num(f, "seq")});
        }
        const QList<std::pair<QString, qint64>> expected{{QStringLiteral("msg.edited"), 3},
                                                         {QStringLiteral("message"), 4},
                                                         {QStringLiteral("msg.deleted"), 5},
                                                         {QStringLiteral("msg.reaction"), 6},
                                                         {QStringLiteral("msg.edited"), 7}};
        QCOMPARE(stream, expected);
        const QJsonObject edit3 = back.all(QStringLiteral("msg.edited")).first();
        QCOMPARE(num(edit3, "target"), 1);
        QCOMPARE(str(edit3, "text"), QStringLiteral("first!"));
        const QJsonObject reaction = back.all(QStringLiteral("msg.reaction")).first();
        QCOMPARE(num(reaction, "target"), 1);
        QCOMPARE(str(reaction, "emoji"), ThumbsUp);
        QCOMPARE(reaction.value(QLatin1String("on")).toBool(), true);
        QCOMPARE(str(reaction, "by"), QStringLiteral("alice"));
        // From the start: the messages in their current state, then every change in order.
        Client fresh;
        QVERIFY(fresh.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        fresh.request(QStringLiteral("resume"),
                      {{QStringLiteral("rooms"), QJsonObject{{General, 0}}}});
        QList<qint64> seqs;
        for (const QJsonObject &f : fresh.frames)
            if (f.contains(QLatin1String("seq")) && str(f, "room") == General)
                seqs << num(f, "seq");
        QCOMPARE(seqs, (QList<qint64>{1, 2, 3, 4, 5, 6, 7}));
        const QJsonObject deletedOne = fresh.all(QStringLiteral("message")).at(1);
        QCOMPARE(deletedOne.value(QLatin1String("deleted")).toBool(), true);
        QCOMPARE(str(deletedOne, "text"), QString());
    }

    void changesAreNotUnread()
    {
        Client a, bob;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(send(a, 1, QStringLiteral("one")), 1);
        QCOMPARE(
            num(data(bob.request(QStringLiteral("room.read"),
                                 {{QStringLiteral("room"), General}, {QStringLiteral("seq"), 1}})),
                "unread"),
            0);
        edit(a, 1, QStringLiteral("one!"));
        react(a, 1, ThumbsUp, true);
        QCOMPARE(send(a, 2, QStringLiteral("two")), 4);
        QCOMPARE(send(a, 3, QStringLiteral("three")), 5);
        QCOMPARE(num(data(del(a, 4)), "seq"), 6);
        QCOMPARE(send(a, 4, QStringLiteral("four")), 7);
        edit(a, 7, QStringLiteral("four!"));
        Client again;
        QVERIFY(again.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        const QJsonObject general = roomOf(again.all(QStringLiteral("hello")).first(), General);
        QCOMPARE(num(general, "lastSeq"), 8);
        // The messages 5 and 7: no change counts, nor the deleted message 4.
        QCOMPARE(num(general, "unread"), 2);
        const QJsonObject r =
            data(again.request(QStringLiteral("room.read"),
                               {{QStringLiteral("room"), General}, {QStringLiteral("seq"), 5}}));
        QCOMPARE(num(r, "unread"), 1);
        QCOMPARE(num(r, "lastSeq"), 8);
        const QJsonObject rest =
            data(again.request(QStringLiteral("room.read"),
                               {{QStringLiteral("room"), General}, {QStringLiteral("seq"), 7}}));
        QCOMPARE(num(rest, "unread"), 0);
    }

    void reactionsToggleOncePerPerson()
    {
        Client a, bob;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(send(a, 1, QStringLiteral("ship it")), 1);
        const QJsonObject on = data(react(bob, 1, Rocket, true));
        QCOMPARE(num(on, "seq"), 2);
        QCOMPARE(on.value(QLatin1String("changed")).toBool(), true);
        const QJsonObject ev = a.waitFor(QStringLiteral("msg.reaction"));
        QCOMPARE(num(ev, "target"), 1);
        QCOMPARE(str(ev, "by"), QStringLiteral("bob"));
        QCOMPARE(ev.value(QLatin1String("on")).toBool(), true);
        // Again on: already so; no sequence, no event.
        const QJsonObject again = data(react(bob, 1, Rocket, true));
        QCOMPARE(again.value(QLatin1String("changed")).toBool(), false);
        QCOMPARE(num(again, "seq"), 0);
        QCOMPARE(num(data(react(bob, 1, Rocket, false)), "seq"), 3);
        QCOMPARE(a.waitFor(QStringLiteral("msg.reaction")).value(QLatin1String("on")).toBool(),
                 false);
        QTest::qWait(200);
        QCOMPARE(a.all(QStringLiteral("msg.reaction")).size(), 2);
        // Every emoji of the set is taken.
        for (const QString &emoji : herald::proto::reactionEmoji())
            QCOMPARE(data(react(a, 1, emoji, true)).value(QLatin1String("changed")).toBool(), true);
        const QJsonObject one =
            data(history(a, {})).value(QLatin1String("messages")).toArray().at(0).toObject();
        QCOMPARE(one.value(QLatin1String("reactions")).toArray().size(),
                 herald::proto::reactionEmoji().size());
    }

    void chatAdminsDeleteAnyMessage()
    {
        Client a, bob, carol;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QVERIFY(carol.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
        QCOMPARE(send(a, 1, QStringLiteral("oops")), 1);
        const QJsonObject refused = del(bob, 1);
        QCOMPARE(str(refused, "code"), QStringLiteral("forbidden"));
        QCOMPARE(str(refused, "field"), QStringLiteral("seq"));
        // An admin may delete, not edit, another person's message.
        QCOMPARE(str(edit(carol, 1, QStringLiteral("mine now")), "code"),
                 QStringLiteral("forbidden"));
        const QJsonObject done = data(del(carol, 1));
        QCOMPARE(num(done, "seq"), 2);
        const QJsonObject ev = a.waitFor(QStringLiteral("msg.deleted"));
        QCOMPARE(str(ev, "by"), QStringLiteral("carol"));
        QCOMPARE(num(ev, "target"), 1);
        QCOMPARE(str(del(carol, 1), "code"), QStringLiteral("gone"));
    }

    void badChangesAreRefusedAndChangeNothing_data()
    {
        QTest::addColumn<QString>("who");
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");
        // Set up: alice's message 1, bob's message 2, alice's message 3 deleted (seq 4).
        QTest::newRow("edit another's")
            << "alice"
            << QByteArray(
                   R"J({"type":"msg.edit","id":"x","room":"general","seq":2,"text":"mine"})J")
            << "forbidden"
            << "seq";
        QTest::newRow("delete another's")
            << "alice" << QByteArray(R"J({"type":"msg.delete","id":"x","room":"general","seq":2})J")
            << "forbidden"
            << "seq";
        QTest::newRow("edit unknown")
            << "alice"
            << QByteArray(R"J({"type":"msg.edit","id":"x","room":"general","seq":99,"text":"t"})J")
            << "not_found"
            << "seq";
        QTest::newRow("delete unknown")
            << "alice"
            << QByteArray(R"J({"type":"msg.delete","id":"x","room":"general","seq":99})J")
            << "not_found"
            << "seq";
        QTest::newRow("edit a change record")
            << "alice"
            << QByteArray(R"J({"type":"msg.edit","id":"x","room":"general","seq":4,"text":"t"})J")
            << "not_found"
            << "seq";
        QTest::newRow("edit deleted")
            << "alice"
            << QByteArray(
                   R"J({"type":"msg.edit","id":"x","room":"general","seq":3,"text":"back"})J")
            << "gone"
            << "seq";
        QTest::newRow("delete deleted")
            << "alice" << QByteArray(R"J({"type":"msg.delete","id":"x","room":"general","seq":3})J")
            << "gone"
            << "seq";
        QTest::newRow("react to deleted")
            << "bob"
            << QByteArray(
                   R"J({"type":"msg.react","id":"x","room":"general","seq":3,"emoji":"\ud83d\udc4d","on":true})J")
            << "gone"
            << "seq";
        QTest::newRow("blank text")
            << "alice"
            << QByteArray(
                   R"J({"type":"msg.edit","id":"x","room":"general","seq":1,"text":"  \n "})J")
            << "bad_value"
            << "text";
        QTest::newRow("text too long")
            << "alice"
            << QByteArray(R"J({"type":"msg.edit","id":"x","room":"general","seq":1,"text":")J") +
                   QByteArray(herald::proto::MessageTextMax + 1, 'a') + QByteArray(R"J("})J")
            << "bad_value"
            << "text";
        QTest::newRow("emoji outside the set")
            << "bob"
            << QByteArray(
                   R"J({"type":"msg.react","id":"x","room":"general","seq":1,"emoji":"x","on":true})J")
            << "bad_value"
            << "emoji";
        QTest::newRow("not a member")
            << "alice" << QByteArray(R"J({"type":"msg.delete","id":"x","room":"lobby","seq":1})J")
            << "forbidden"
            << "room";
        QTest::newRow("no such room")
            << "alice"
            << QByteArray(R"J({"type":"msg.edit","id":"x","room":"nope","seq":1,"text":"t"})J")
            << "not_found"
            << "room";
        QTest::newRow("seq missing")
            << "alice" << QByteArray(R"J({"type":"msg.delete","id":"x","room":"general"})J")
            << "missing_field"
            << "seq";
        QTest::newRow("on missing")
            << "bob"
            << QByteArray(
                   R"J({"type":"msg.react","id":"x","room":"general","seq":1,"emoji":"\ud83d\udc4d"})J")
            << "missing_field"
            << "on";
    }
    void badChangesAreRefusedAndChangeNothing()
    {
        QFETCH(QString, who);
        QFETCH(QByteArray, frame);
        QFETCH(QString, code);
        QFETCH(QString, field);
        Client a, bob;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(send(a, 1, QStringLiteral("alice's")), 1);
        QCOMPARE(send(bob, 2, QStringLiteral("bob's")), 2);
        QCOMPARE(send(a, 3, QStringLiteral("gone soon")), 3);
        QCOMPARE(num(data(del(a, 3)), "seq"), 4);
        const QJsonObject before = data(history(bob, {}));
        Client &c = who == QLatin1String("bob") ? bob : a;
        c.sendRaw(frame);
        const QJsonObject e = c.waitFor(QStringLiteral("error"));
        QCOMPARE(str(e, "code"), code);
        QCOMPARE(str(e, "field"), field);
        // Nothing changed: the same history, no sequence taken, no event.
        QCOMPARE(data(history(bob, {})), before);
        Client again;
        QVERIFY(again.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(num(roomOf(again.all(QStringLiteral("hello")).first(), General), "lastSeq"), 4);
        QTest::qWait(100);
        for (const QString &t : {QStringLiteral("msg.edited"), QStringLiteral("msg.reaction")})
            QVERIFY(bob.all(t).isEmpty());
        QCOMPARE(bob.all(QStringLiteral("msg.deleted")).size(), 1);
    }

    void retentionPurgesChangeRecordsAndReactions()
    {
        m_server.reset();
        constexpr qint64 Day = 24LL * 60 * 60 * 1000;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        {
            Seed seed(m_dir->path());
            const qint64 room = seed.store.room(General)->id;
            const qint64 alice = seed.store.user(QStringLiteral("alice"))->id;
            const qint64 bob = seed.store.user(QStringLiteral("bob"))->id;
            const qint64 old = now - 20 * Day;
            for (int i = 1; i <= 3; ++i)
                QVERIFY(std::holds_alternative<herald::StoredMessage>(
                    seed.store.storeMessage(room, alice, QStringLiteral("c%1").arg(i),
                                            QStringLiteral("m%1").arg(i), old + i)));
            // 4: edit of 1, 5: bob's reaction to 2, 6: deletion of 3, all old; 7: a new message,
            // 8: a recent edit of 1 (past the cut: it stays, its message goes).
            QVERIFY(std::holds_alternative<herald::MessageChange>(
                seed.store.editMessage(room, 1, alice, QStringLiteral("m1!"), old + 4)));
            QVERIFY(std::holds_alternative<herald::MessageChange>(
                seed.store.react(room, 2, bob, ThumbsUp, true, old + 5)));
            QVERIFY(std::holds_alternative<herald::MessageChange>(
                seed.store.deleteMessage(room, 3, alice, false, old + 6)));
            QVERIFY(std::holds_alternative<herald::StoredMessage>(seed.store.storeMessage(
                room, bob, QStringLiteral("c7"), QStringLiteral("new"), now)));
            QVERIFY(std::holds_alternative<herald::MessageChange>(
                seed.store.editMessage(room, 1, alice, QStringLiteral("m1!!"), now)));
            herald::RetentionPolicy policy;
            policy.messageDays = 7;
            const auto dry = seed.store.purgeDryRun(policy, now);
            QVERIFY(std::holds_alternative<herald::PurgeCounts>(dry));
            QCOMPARE(std::get<herald::PurgeCounts>(dry).messages, 3); // messages, not changes
            const auto purged = seed.store.purgeBatch(policy, now, 500);
            QVERIFY(std::holds_alternative<herald::PurgeCounts>(purged));
            QCOMPARE(std::get<herald::PurgeCounts>(purged).messages, 3);
            bool more = false;
            QList<qint64> left;
            for (const herald::MessageRow &m : seed.store.roomStream(room, 0, 100, &more))
                left << m.seq;
            QCOMPARE(left, (QList<qint64>{7, 8}));
            const QList<herald::MessageRow> h = seed.store.history(room, 0, 0, 100, &more);
            QCOMPARE(h.size(), 1);
            QCOMPARE(h.first().seq, 7);
            // A reaction to a purged message is gone with it: reacting again finds nothing.
            const auto again = seed.store.react(room, 2, bob, ThumbsUp, false, now);
            QCOMPARE(std::get<herald::StoreError>(again).code, QStringLiteral("not_found"));
        }
        QCOMPARE(herald::Store::integrityCheck(StorageFixture::forDirectory(m_dir->path())),
                 QStringLiteral("ok"));
    }

private:
    static qint64 send(Client &c, int n, const QString &text)
    {
        const QJsonObject r = c.request(QStringLiteral("msg.send"),
                                        {{QStringLiteral("room"), General},
                                         {QStringLiteral("clientId"), QStringLiteral("c%1").arg(n)},
                                         {QStringLiteral("text"), text}});
        return num(data(r), "seq");
    }
    static QJsonObject edit(Client &c, qint64 seq, const QString &text)
    {
        return c.request(QStringLiteral("msg.edit"), {{QStringLiteral("room"), General},
                                                      {QStringLiteral("seq"), seq},
                                                      {QStringLiteral("text"), text}});
    }
    static QJsonObject del(Client &c, qint64 seq)
    {
        return c.request(QStringLiteral("msg.delete"),
                         {{QStringLiteral("room"), General}, {QStringLiteral("seq"), seq}});
    }
    static QJsonObject react(Client &c, qint64 seq, const QString &emoji, bool on)
    {
        return c.request(QStringLiteral("msg.react"), {{QStringLiteral("room"), General},
                                                       {QStringLiteral("seq"), seq},
                                                       {QStringLiteral("emoji"), emoji},
                                                       {QStringLiteral("on"), on}});
    }
    static QJsonObject history(Client &c, QJsonObject args)
    {
        args.insert(QStringLiteral("room"), General);
        return c.request(QStringLiteral("room.history"), args);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LocalServer> m_server;
    QHash<QString, QString> m_tokens;
    QString m_alice2;
};

QTEST_MAIN(TestMessageEdits)
#include "tst_messageedits.moc"
