// Delivery (server/core/features/delivery.*) through the hub and a recording peer: live frames
// held after hello until the client's first frame, resume (what was missed first, then what
// was held, each once and in order), the resume's byte budget, and holds that end with their
// connection. Gap fill from storage on a cluster is in tst_clusterlink.
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
QByteArray send(int n)
{
    return QStringLiteral(R"({"type":"msg.send","id":"s%1","room":"general","clientId":"c%1",)"
                          R"("text":"message %1"})")
        .arg(n)
        .toUtf8();
}
} // namespace

class TestDelivery : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_w = std::make_unique<World>();
        m_w->user(QStringLiteral("alice"));
        m_bobId = m_w->user(QStringLiteral("bob"));
        m_aliceToken = m_w->token(QStringLiteral("alice"));
        m_bobToken = m_w->token(QStringLiteral("bob"));
        m_w->room(QStringLiteral("general"), {QStringLiteral("alice"), QStringLiteral("bob")});
        m_service = 0;
        m_w->service(QStringLiteral("erp"), &m_service);
    }
    void cleanup()
    {
        m_w.reset();
        m_alice = {};
    }

    void liveFramesWaitForTheFirstFrameAfterHello()
    {
        QVERIFY(m_w->start());
        QVERIFY((m_a = m_w->live(m_alice, m_aliceToken)));
        RecordingPeer bob;
        const quint64 b = m_w->connect(bob, m_bobToken);
        QVERIFY(b);
        m_w->request(m_alice, m_a, send(1));
        m_w->settle();
        QVERIFY(bob.of("message").isEmpty()); // held: a resume may be on its way
        m_w->hub->text(b, frame(R"({"type":"ping","id":"p"})"));
        QCOMPARE(seqs(bob), QList<qint64>{1});
        // what was held goes out before the answer to the frame that released it
        QVERIFY(bob.types().indexOf(QStringLiteral("message")) <
                bob.types().indexOf(QStringLiteral("pong")));
    }

    void theHoldEndsByItself()
    {
        QVERIFY(m_w->start());
        QVERIFY((m_a = m_w->live(m_alice, m_aliceToken)));
        RecordingPeer bob;
        QVERIFY(m_w->connect(bob, m_bobToken));
        m_w->request(m_alice, m_a, send(1));
        QTRY_COMPARE_WITH_TIMEOUT(seqs(bob), QList<qint64>{1}, 3000);
    }

    void resumeSendsWhatWasMissedThenWhatWasHeld()
    {
        QVERIFY(m_w->start());
        QVERIFY((m_a = m_w->live(m_alice, m_aliceToken)));
        for (int i = 1; i <= 3; ++i)
            m_w->request(m_alice, m_a, send(i));
        RecordingPeer bob;
        const quint64 b = m_w->connect(bob, m_bobToken);
        QVERIFY(b);
        m_w->request(m_alice, m_a, send(4)); // live, while bob's resume is on its way
        m_w->settle();
        const QJsonObject answer =
            m_w->request(bob, b, R"({"type":"resume","id":"r","rooms":{"general":1}})");
        QCOMPARE(seqs(bob), (QList<qint64>{2, 3, 4}));
        QCOMPARE(
            data(answer).value(QLatin1String("rooms")).toObject().value(QLatin1String("general")),
            4);
        QVERIFY(!data(answer).contains(QLatin1String("truncated")));
        // and later messages flow live
        m_w->request(m_alice, m_a, send(5));
        QTRY_COMPARE(seqs(bob), (QList<qint64>{2, 3, 4, 5}));
        m_w->settle();
        QCOMPARE(seqs(bob), (QList<qint64>{2, 3, 4, 5}));
    }

    void resumeCatchesUpNotifications()
    {
        QVERIFY(m_w->start());
        QList<qint64> ids;
        for (const char *json : {R"({"recipients":{"users":["bob"]},"title":"first"})",
                                 R"({"recipients":{"users":["bob"]},"title":"second"})"})
            ids << m_w->publish(m_service, json).value(QLatin1String("id")).toInteger();
        QVERIFY(ids.first() > 0 && ids.last() > ids.first());
        RecordingPeer bob;
        const quint64 b = m_w->connect(bob, m_bobToken);
        QVERIFY(b);
        QCOMPARE(bob.of("hello").first().value(QLatin1String("unread")).toInt(), 2);
        const QJsonObject answer = m_w->request(
            bob, b,
            QStringLiteral(R"({"type":"resume","id":"r","rooms":{},"notifications":%1})")
                .arg(ids.first())
                .toUtf8());
        QCOMPARE(bob.of("notification").size(), 1);
        QCOMPARE(bob.of("notification")
                     .first()
                     .value(QLatin1String("notification"))
                     .toObject()
                     .value(QLatin1String("title")),
                 QStringLiteral("second"));
        QCOMPARE(data(answer).value(QLatin1String("notifications")).toInteger(), ids.last());
        QCOMPARE(data(answer).value(QLatin1String("unread")).toInt(), 2);
        QCOMPARE(m_w->hub->stats().notificationsDelivered, 0u); // replayed, not live
    }

    void resumeStopsAtItsByteBudget()
    {
        Config cfg = World::defaults();
        cfg.outboundQueueBytes = 4000; // the resume may use half
        QVERIFY(m_w->start(cfg));
        QVERIFY((m_a = m_w->live(m_alice, m_aliceToken)));
        const QString text(300, QLatin1Char('x'));
        for (int i = 1; i <= 20; ++i)
            m_w->request(m_alice, m_a,
                         QStringLiteral(R"({"type":"msg.send","id":"s%1","room":"general",)"
                                        R"("clientId":"c%1","text":"%2"})")
                             .arg(i)
                             .arg(text)
                             .toUtf8());
        RecordingPeer bob;
        const quint64 b = m_w->connect(bob, m_bobToken);
        const QJsonObject answer =
            m_w->request(bob, b, R"({"type":"resume","id":"r","rooms":{"general":0}})");
        const QList<qint64> got = seqs(bob);
        QVERIFY2(got.size() > 1 && got.size() < 20, qPrintable(QString::number(got.size())));
        QCOMPARE(data(answer).value(QLatin1String("truncated")).toArray(),
                 QJsonArray{QStringLiteral("general")});
        QCOMPARE(
            data(answer).value(QLatin1String("rooms")).toObject().value(QLatin1String("general")),
            got.last());
    }

    void aHoldEndsWithItsConnection()
    {
        QVERIFY(m_w->start());
        QVERIFY((m_a = m_w->live(m_alice, m_aliceToken)));
        RecordingPeer held, live;
        const quint64 h = m_w->connect(held, m_bobToken);
        QVERIFY(m_w->live(live, m_bobToken));
        m_w->hub->closed(h);
        m_w->settle();
        QCOMPARE(m_w->hub->connectionCount(), 2);
        m_w->request(m_alice, m_a, send(1));
        m_w->settle();
        QCOMPARE(seqs(live), QList<qint64>{1}); // at once, not after a hold
        QVERIFY(held.of("message").isEmpty());
    }

private:
    std::unique_ptr<World> m_w;
    RecordingPeer m_alice;
    quint64 m_a = 0;
    qint64 m_bobId = 0;
    qint64 m_service = 0;
    QString m_aliceToken, m_bobToken;
};

QTEST_GUILESS_MAIN(TestDelivery)
#include "tst_delivery.moc"
