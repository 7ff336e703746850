// The transport-free core driven directly: a Peer that records what the hub sends.
#include "hubkit.h"

#include "core/database.h"
#include "core/hub.h"
#include "core/store.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace herald;

using hubkit::frame;
using hubkit::RecordingPeer;

class TestHub : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_w = std::make_unique<hubkit::World>();
        m_w->user(QStringLiteral("alice"));
        m_w->user(QStringLiteral("bob"));
        m_alice = m_w->token(QStringLiteral("alice"));
        m_bob = m_w->token(QStringLiteral("bob"));
        m_w->room(QStringLiteral("general"), {QStringLiteral("alice"), QStringLiteral("bob")});
        Config cfg;
        cfg.presenceCoalesceMs = 20;
        QVERIFY(m_w->start(cfg));
        m_hub = m_w->hub.get();
    }
    void cleanup()
    {
        m_hub = nullptr;
        m_w.reset();
    }

    void disconnectsAreLoggedWithTheirCode()
    {
        RecordingPeer a, b;
        const quint64 ca = m_hub->open(&a, m_alice);
        const quint64 cb = m_hub->open(&b, m_bob);
        QTRY_COMPARE(a.of("hello").size(), 1);
        QTRY_COMPARE(b.of("hello").size(), 1);
        // closed by the server (a binary frame: 1003), then by the client
        QTest::ignoreMessage(QtInfoMsg,
                             QRegularExpression(QStringLiteral("disconnected alice from .* 1003")));
        m_hub->binary(ca);
        QCOMPARE(a.closedWith, 1003);
        m_hub->closed(ca);
        QTest::ignoreMessage(QtInfoMsg,
                             QRegularExpression(QStringLiteral("disconnected bob from .* client")));
        m_hub->closed(cb);
    }

    void authSendAndFanOut()
    {
        RecordingPeer a, b;
        const quint64 ca = m_hub->open(&a, m_alice);
        const quint64 cb = m_hub->open(&b, QString());
        m_hub->text(cb, QByteArray("{\"type\":\"auth\",\"token\":\"") + m_bob.toLatin1() + "\"}");
        QTRY_COMPARE(a.of("hello").size(), 1);
        QTRY_COMPARE(b.of("hello").size(), 1);
        m_hub->text(
            ca,
            frame(R"({"type":"msg.send","id":"1","room":"general","clientId":"c","text":"hi"})"));
        QTRY_COMPARE(b.of("message").size(), 1);
        QCOMPARE(a.of("result")
                     .first()
                     .value(QLatin1String("data"))
                     .toObject()
                     .value(QLatin1String("seq"))
                     .toInt(),
                 1);
        QCOMPARE(m_hub->stats().messagesStored, 1u);
        QTRY_COMPARE(m_hub->onlineCount(), 2);
        QTRY_VERIFY(!b.of("online").isEmpty());
    }

    void frameErrorsAnswerWithTheRequestId()
    {
        RecordingPeer a;
        const quint64 ca = m_hub->open(&a, m_alice);
        QTRY_COMPARE(a.of("hello").size(), 1);
        m_hub->text(ca, frame(R"({"type":"room.join","id":"j1"})"));
        QCOMPARE(a.of("error").last().value(QLatin1String("id")).toString(), QStringLiteral("j1"));
        QCOMPARE(a.of("error").last().value(QLatin1String("code")).toString(),
                 QStringLiteral("missing_field"));
        m_hub->binary(ca);
        QCOMPARE(a.closedWith, proto::Close::UnsupportedData);
    }

    void closedConnectionsGoOffline()
    {
        RecordingPeer a, b;
        const quint64 ca = m_hub->open(&a, m_alice);
        m_hub->open(&b, m_bob);
        QTRY_COMPARE(m_hub->onlineCount(), 2);
        m_hub->closed(ca);
        QTRY_COMPARE(m_hub->onlineCount(), 1);
        auto aliceStatus = [&b] {
            QString status;
            for (const QJsonObject &p : b.of("presence"))
                for (const QJsonValue &u : p.value(QLatin1String("users")).toArray())
                    if (u.toObject().value(QLatin1String("user")).toString() ==
                        QLatin1String("alice"))
                        status = u.toObject().value(QLatin1String("status")).toString();
            return status;
        };
        QTRY_COMPARE(aliceStatus(), QStringLiteral("offline"));
        QCOMPARE(m_hub->onlineUsers(), QStringList{QStringLiteral("bob")});
    }

private:
    std::unique_ptr<hubkit::World> m_w;
    Hub *m_hub = nullptr;
    QString m_alice, m_bob;
};

QTEST_MAIN(TestHub)
#include "tst_hub.moc"
