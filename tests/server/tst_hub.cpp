// The transport-free core driven directly: a Peer that records what the hub sends.
#include "core/hub.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace herald;

namespace {
struct RecordingPeer : Peer
{
    void send(const QByteArray &frame) override
    {
        frames << QJsonDocument::fromJson(frame).object();
    }
    void close(int code, const QString &) override { closedWith = code; }
    void ping() override { ++pings; }
    [[nodiscard]] QString address() const override { return QStringLiteral("test"); }
    QList<QJsonObject> of(const char *type) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &f : frames)
            if (f.value(QLatin1String("type")).toString() == QLatin1String(type))
                out << f;
        return out;
    }
    QList<QJsonObject> frames;
    int closedWith = 0;
    int pings = 0;
};
QByteArray frame(const char *json)
{
    return QByteArray(json);
}
} // namespace

class TestHub : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        {
            Store st;
            QVERIFY(!st.open(m_dir->path()));
            const qint64 a = std::get<qint64>(st.createUser(QStringLiteral("alice"), {}, {}));
            const qint64 b = std::get<qint64>(st.createUser(QStringLiteral("bob"), {}, {}));
            m_alice = std::get<QString>(st.issueToken(a, 0, QStringLiteral("user"), {}));
            m_bob = std::get<QString>(st.issueToken(b, 0, QStringLiteral("user"), {}));
            const qint64 r = std::get<qint64>(
                st.createRoom(QStringLiteral("general"), {}, QStringLiteral("public")));
            st.addMember(r, a);
            st.addMember(r, b);
        }
        m_db = std::make_unique<Database>();
        QVERIFY(m_db->open(m_dir->path()).isEmpty());
        Config cfg;
        cfg.presenceCoalesceMs = 20;
        m_hub = std::make_unique<Hub>(cfg, m_db.get());
        QVERIFY(m_hub->load().isEmpty());
    }
    void cleanup()
    {
        m_hub.reset();
        m_db.reset();
        m_dir.reset();
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
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<Hub> m_hub;
    QString m_alice, m_bob;
};

QTEST_MAIN(TestHub)
#include "tst_hub.moc"
