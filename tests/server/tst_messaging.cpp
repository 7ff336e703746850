// Messaging (server/core/features/messaging.*) through the hub and a recording peer: sending
// (acknowledged, stored once, fanned out to every member's connections), retries, refusals,
// typing notices and room history.
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
} // namespace

class TestMessaging : public QObject
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
        m_w->room(QStringLiteral("hidden"), {QStringLiteral("bob")}, QStringLiteral("private"));
        QVERIFY(m_w->start());
        QVERIFY((m_a = m_w->live(m_alice, m_tokens[0])));
        QVERIFY((m_b = m_w->live(m_bob, m_tokens[1])));
        QVERIFY((m_c = m_w->live(m_carol, m_tokens[2])));
    }
    void cleanup()
    {
        m_w.reset();
        m_tokens.clear();
        m_alice = {};
        m_bob = {};
        m_carol = {};
    }

    void sendIsAcknowledgedAndFannedOutOnce()
    {
        const QJsonObject ack = m_w->request(
            m_alice, m_a,
            R"({"type":"msg.send","id":"1","room":"general","clientId":"c1","text":"hi"})");
        QCOMPARE(ack.value(QLatin1String("type")), QStringLiteral("result"));
        QCOMPARE(data(ack).value(QLatin1String("seq")).toInteger(), 1);
        QCOMPARE(data(ack).value(QLatin1String("duplicate")), false);
        QTRY_COMPARE(seqs(m_bob), QList<qint64>{1});
        QTRY_COMPARE(seqs(m_alice), QList<qint64>{1}); // the sender's devices too
        const QJsonObject msg = m_bob.of("message").first();
        QCOMPARE(msg.value(QLatin1String("from")), QStringLiteral("alice"));
        QCOMPARE(msg.value(QLatin1String("text")), QStringLiteral("hi"));
        QCOMPARE(msg.value(QLatin1String("clientId")), QStringLiteral("c1"));
        QCOMPARE(msg.value(QLatin1String("ts")), data(ack).value(QLatin1String("ts")));
        m_w->settle();
        QVERIFY(m_carol.of("message").isEmpty()); // not a member
        QCOMPARE(m_w->hub->stats().messagesStored, 1u);
    }

    void aRetryIsADuplicate()
    {
        const char *send =
            R"({"type":"msg.send","id":"1","room":"general","clientId":"same","text":"once"})";
        m_w->request(m_alice, m_a, send);
        const QJsonObject retry = m_w->request(
            m_alice, m_a,
            R"({"type":"msg.send","id":"2","room":"general","clientId":"same","text":"once"})");
        QCOMPARE(data(retry).value(QLatin1String("duplicate")), true);
        QCOMPARE(data(retry).value(QLatin1String("seq")).toInteger(), 1);
        m_w->settle();
        QCOMPARE(seqs(m_bob), QList<qint64>{1});
        QCOMPARE(m_w->hub->stats().messagesStored, 1u);
    }

    void refusals()
    {
        QCOMPARE(code(m_w->request(
                     m_carol, m_c,
                     R"({"type":"msg.send","id":"1","room":"general","clientId":"c","text":"x"})")),
                 QStringLiteral("forbidden"));
        QCOMPARE(
            code(m_w->request(
                m_alice, m_a,
                R"({"type":"msg.send","id":"2","room":"general","clientId":"c","text":"  "})")),
            QStringLiteral("bad_value"));
        QCOMPARE(code(m_w->request(
                     m_alice, m_a,
                     R"({"type":"msg.send","id":"3","room":"nowhere","clientId":"c","text":"x"})")),
                 QStringLiteral("forbidden"));
        m_w->settle();
        QVERIFY(m_bob.of("message").isEmpty());
    }

    void typingGoesToTheOthersAtMostEveryTwoSeconds()
    {
        RecordingPeer alice2;
        QVERIFY((m_a2 = m_w->live(alice2, m_tokens[0])));
        m_w->hub->text(m_a, frame(R"({"type":"typing.send","room":"general"})"));
        m_w->hub->text(m_a, frame(R"({"type":"typing.send","room":"general"})"));
        QCOMPARE(m_bob.of("typing").size(), 1);
        QCOMPARE(m_bob.of("typing").first().value(QLatin1String("user")), QStringLiteral("alice"));
        QVERIFY(alice2.of("typing").isEmpty());
        QVERIFY(m_carol.of("typing").isEmpty());
        // not a member: nothing, not even an error (typing is ephemeral)
        m_w->hub->text(m_c, frame(R"({"type":"typing.send","room":"general"})"));
        QCOMPARE(m_bob.of("typing").size(), 1);
        // the interval is per connection: the same person's other device has its own
        m_w->hub->text(m_a2, frame(R"({"type":"typing.send","room":"general"})"));
        QCOMPARE(m_bob.of("typing").size(), 2);
        QVERIFY(m_carol.of("error").isEmpty());
    }

    void historyPagesByWhatMembersMaySee()
    {
        for (const char *send :
             {R"({"type":"msg.send","id":"1","room":"general","clientId":"a","text":"one"})",
              R"({"type":"msg.send","id":"2","room":"general","clientId":"b","text":"two"})",
              R"({"type":"msg.send","id":"3","room":"general","clientId":"c","text":"three"})"})
            m_w->request(m_alice, m_a, send);
        const QJsonObject page = m_w->request(
            m_bob, m_b, R"({"type":"room.history","id":"h","room":"general","limit":2})");
        const QJsonArray messages = data(page).value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.at(0).toObject().value(QLatin1String("text")), QStringLiteral("two"));
        QCOMPARE(messages.at(1).toObject().value(QLatin1String("text")), QStringLiteral("three"));
        QCOMPARE(data(page).value(QLatin1String("hasMore")), true);
        QCOMPARE(data(page).value(QLatin1String("room")), QStringLiteral("general"));
        // a public room's history is open to anyone; a private one only to its members
        QCOMPARE(m_w->request(m_carol, m_c, R"({"type":"room.history","id":"g","room":"general"})")
                     .value(QLatin1String("type")),
                 QStringLiteral("result"));
        QCOMPARE(
            code(m_w->request(m_alice, m_a, R"({"type":"room.history","id":"p","room":"hidden"})")),
            QStringLiteral("forbidden"));
    }

private:
    std::unique_ptr<World> m_w;
    QStringList m_tokens;
    RecordingPeer m_alice, m_bob, m_carol;
    quint64 m_a = 0, m_b = 0, m_c = 0, m_a2 = 0;
};

QTEST_GUILESS_MAIN(TestMessaging)
#include "tst_messaging.moc"
