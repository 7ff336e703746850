// NotificationCenter (server/core/features/notificationcenter.*) through the hub and a
// recording peer: publishing (answered, then fanned out once), idempotency, the inbox, read
// state synced to one's other devices, actions (the first wins) and a service reading back
// its own notifications.
#include "hubkit.h"

#include <QSignalSpy>

using namespace herald;
using namespace hubkit;

namespace {
QStringList titles(const RecordingPeer &p)
{
    QStringList out;
    for (const QJsonObject &f : p.of("notification"))
        out << f.value(QLatin1String("notification"))
                   .toObject()
                   .value(QLatin1String("title"))
                   .toString();
    return out;
}
} // namespace

class TestNotificationCenter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_w = std::make_unique<World>();
        for (const char *name : {"alice", "bob"}) {
            m_w->user(QLatin1String(name));
            m_tokens << m_w->token(QLatin1String(name));
        }
        m_w->service(QStringLiteral("erp"), &m_erp);
        m_w->service(QStringLiteral("crm"), &m_crm);
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

    void publishIsAnsweredThenFannedOut()
    {
        QSignalSpy delivered(m_w->hub.get(), &Hub::delivered);
        const QJsonObject reply =
            m_w->publish(m_erp, R"({"recipients":{"users":["bob"]},"title":"Invoice"})");
        QVERIFY(reply.value(QLatin1String("id")).toInteger() > 0);
        QCOMPARE(reply.value(QLatin1String("duplicate")), false);
        QCOMPARE(reply.value(QLatin1String("recipients")).toInt(), 1);
        QTRY_COMPARE(titles(m_bob), QStringList{QStringLiteral("Invoice")});
        m_w->settle();
        QVERIFY(titles(m_alice).isEmpty());
        QCOMPARE(delivered.size(), 1);
        QCOMPARE(m_w->hub->stats().notificationsPublished, 1u);
        QCOMPARE(m_w->hub->stats().notificationsDelivered, 1u);
    }

    void theSameKeyIsPublishedOnce()
    {
        const char *json =
            R"({"recipients":{"users":["bob"]},"title":"Once","idempotencyKey":"k-1"})";
        const QJsonObject first = m_w->publish(m_erp, json);
        const QJsonObject again = m_w->publish(m_erp, json);
        QCOMPARE(again.value(QLatin1String("duplicate")), true);
        QCOMPARE(again.value(QLatin1String("id")), first.value(QLatin1String("id")));
        m_w->settle();
        QCOMPARE(titles(m_bob), QStringList{QStringLiteral("Once")});
        QCOMPARE(m_w->hub->stats().notificationsPublished, 1u);
    }

    void inboxAndReadStateAcrossDevices()
    {
        RecordingPeer bob2;
        QVERIFY(m_w->live(bob2, m_tokens[1]));
        const qint64 first =
            m_w->publish(m_erp, R"({"recipients":{"users":["bob"]},"title":"one"})")
                .value(QLatin1String("id"))
                .toInteger();
        m_w->publish(m_erp, R"({"recipients":{"users":["bob"]},"title":"two"})");
        const QJsonObject list = m_w->request(m_bob, m_b, R"({"type":"notif.list","id":"l"})");
        QCOMPARE(data(list).value(QLatin1String("notifications")).toArray().size(), 2);
        QCOMPARE(data(list).value(QLatin1String("hasMore")), false);
        const QJsonObject read = m_w->request(
            m_bob, m_b,
            QStringLiteral(R"({"type":"notif.read","id":"r","ids":[%1]})").arg(first).toUtf8());
        QCOMPARE(data(read).value(QLatin1String("ids")).toArray(), QJsonArray{first});
        QCOMPARE(data(read).value(QLatin1String("unread")).toInt(), 1);
        QTRY_COMPARE(bob2.of("notif.readSync").size(), 1);
        QCOMPARE(bob2.of("notif.readSync").first().value(QLatin1String("ids")).toArray(),
                 QJsonArray{first});
        QVERIFY(m_bob.of("notif.readSync").isEmpty()); // the device that asked has the answer
        // reading it again changes nothing, and tells no one
        m_w->request(
            m_bob, m_b,
            QStringLiteral(R"({"type":"notif.read","id":"r2","ids":[%1]})").arg(first).toUtf8());
        m_w->settle();
        QCOMPARE(bob2.of("notif.readSync").size(), 1);
        const QJsonObject all = m_w->request(m_bob, m_b, R"({"type":"notif.readAll","id":"a"})");
        QCOMPARE(data(all).value(QLatin1String("unread")).toInt(), 0);
        QTRY_COMPARE(bob2.of("notif.readSync").size(), 2);
        QCOMPARE(bob2.of("notif.readSync").last().value(QLatin1String("all")), true);
        const QJsonObject unread =
            m_w->request(m_bob, m_b, R"({"type":"notif.list","id":"u","unread":true})");
        QVERIFY(data(unread).value(QLatin1String("notifications")).toArray().isEmpty());
    }

    void theFirstActionWins()
    {
        QSignalSpy queued(m_w->hub.get(), &Hub::webhookQueued);
        const qint64 id =
            m_w->publish(m_erp, R"({"recipients":{"users":["alice","bob"]},"title":"Approve?",)"
                                R"("actions":[{"id":"approve","label":"Approve"},)"
                                R"({"id":"reject","label":"Reject"}]})")
                .value(QLatin1String("id"))
                .toInteger();
        QVERIFY(id > 0);
        const QJsonObject won = m_w->request(
            m_alice, m_a,
            QStringLiteral(
                R"({"type":"notif.action","id":"x","notification":%1,"action":"approve"})")
                .arg(id)
                .toUtf8());
        QCOMPARE(
            data(won).value(QLatin1String("resolved")).toObject().value(QLatin1String("action")),
            QStringLiteral("approve"));
        QTRY_COMPARE(m_bob.of("notif.resolved").size(), 1);
        QCOMPARE(m_bob.of("notif.resolved").first().value(QLatin1String("by")),
                 QStringLiteral("alice"));
        const QJsonObject late = m_w->request(
            m_bob, m_b,
            QStringLiteral(
                R"({"type":"notif.action","id":"y","notification":%1,"action":"reject"})")
                .arg(id)
                .toUtf8());
        QCOMPARE(code(late), QStringLiteral("conflict"));
        QVERIFY(late.value(QLatin1String("message")).toString().contains(QLatin1String("approve")));
        QCOMPARE(queued.size(), 1);
        QCOMPARE(code(m_w->request(
                     m_bob, m_b,
                     R"({"type":"notif.action","id":"z","notification":999,"action":"approve"})")),
                 QStringLiteral("not_found"));
    }

    void aServiceReadsBackOnlyItsOwn()
    {
        const QJsonObject reply =
            m_w->publish(m_erp, R"({"recipients":{"users":["bob"]},"title":"Mine"})");
        const qint64 id = reply.value(QLatin1String("id")).toInteger();
        QJsonObject own, other;
        m_w->hub->notificationForService(id, m_erp, [&own](const QJsonObject &r) { own = r; });
        m_w->hub->notificationForService(id, m_crm, [&other](const QJsonObject &r) { other = r; });
        QTRY_VERIFY(!own.isEmpty() && !other.isEmpty());
        QCOMPARE(own.value(QLatin1String("title")), QStringLiteral("Mine"));
        QCOMPARE(other.value(QLatin1String("error")), QStringLiteral("not_found"));
    }

    void refusedRequestsAreNotStored()
    {
        const QJsonObject nobody =
            m_w->publish(m_erp, R"({"recipients":{"users":["ghost"]},"title":"x"})");
        QVERIFY(nobody.contains(QLatin1String("error")));
        m_w->settle();
        QCOMPARE(m_w->hub->stats().notificationsPublished, 0u);
        QVERIFY(titles(m_bob).isEmpty());
    }

private:
    std::unique_ptr<World> m_w;
    QStringList m_tokens;
    RecordingPeer m_alice, m_bob;
    quint64 m_a = 0, m_b = 0;
    qint64 m_erp = 0, m_crm = 0;
};

QTEST_GUILESS_MAIN(TestNotificationCenter)
#include "tst_notificationcenter.moc"
