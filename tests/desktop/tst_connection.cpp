// Connection against a scripted local WebSocket server: the handshake carries the token and
// subprotocol, answers find their requests, auth refusals stop the retries, other closes
// reconnect with backoff.
#include "connection.h"
#include "session.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Qt::StringLiterals;
namespace proto = herald::proto;

class FakeServer : public QObject
{
public:
    FakeServer()
    {
        m_server.setSupportedSubprotocols({QString::fromLatin1(proto::Subprotocol)});
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            QWebSocket *ws = m_server.nextPendingConnection();
            ws->setParent(this);
            sockets << ws;
            authorization = ws->request().rawHeader("Authorization");
            subprotocol = ws->subprotocol();
            connect(ws, &QWebSocket::textMessageReceived, this, [this, ws](const QString &text) {
                const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
                received << o;
                if (o.value("type"_L1).toString() == u"ping"_s)
                    ws->sendTextMessage(QString::fromUtf8(
                        proto::encode(proto::Type::Pong, {{u"id"_s, o.value("id"_L1)}})));
                if (o.value("type"_L1).toString() == u"user.list"_s)
                    ws->sendTextMessage(QString::fromUtf8(
                        proto::result(o.value("id"_L1), {{u"users"_s, QJsonArray{}}})));
                if (o.value("type"_L1).toString() == u"room.join"_s)
                    ws->sendTextMessage(QString::fromUtf8(proto::error(
                        o.value("id"_L1), u"forbidden"_s, u"private room"_s, u"room"_s)));
            });
            if (sendHello)
                ws->sendTextMessage(QString::fromUtf8(proto::encode(
                    proto::Type::Hello, {{u"protocol"_s, 1},
                                         {u"user"_s, QJsonObject{{u"name"_s, u"alice"_s}}},
                                         {u"online"_s, 1},
                                         {u"unread"_s, 0},
                                         {u"heartbeat"_s, 30}})));
        });
    }
    [[nodiscard]] QString url() const { return u"127.0.0.1:%1"_s.arg(m_server.serverPort()); }
    void closeLast(QWebSocketProtocol::CloseCode code) { sockets.last()->close(code, u"bye"_s); }

    QWebSocketServer m_server{u"fake"_s, QWebSocketServer::NonSecureMode};
    QList<QWebSocket *> sockets;
    QList<QJsonObject> received;
    QByteArray authorization;
    QString subprotocol;
    bool sendHello = true;
};

class TestConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"HeraldTest"_s);
        QCoreApplication::setApplicationName(u"tst_connection"_s);
    }

    void urls_data()
    {
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("ws");
        QTest::addColumn<QString>("http");
        QTest::newRow("host:port")
            << u"chat.example.com:8470"_s << u"ws://chat.example.com:8470/ws"_s
            << u"http://chat.example.com:8470"_s;
        QTest::newRow("https") << u" https://herald.example.com/ "_s
                               << u"wss://herald.example.com/ws"_s
                               << u"https://herald.example.com"_s;
        QTest::newRow("ws") << u"ws://10.0.0.5:1234/ws"_s << u"ws://10.0.0.5:1234/ws"_s
                            << u"http://10.0.0.5:1234"_s;
        QTest::newRow("wss") << u"wss://h.example/ws"_s << u"wss://h.example/ws"_s
                             << u"https://h.example"_s;
        QTest::newRow("empty") << QString() << QString() << QString();
        QTest::newRow("ftp") << u"ftp://h.example"_s << QString() << QString();
    }
    void urls()
    {
        QFETCH(QString, server);
        QFETCH(QString, ws);
        QFETCH(QString, http);
        QCOMPARE(Connection::webSocketUrl(server).toString(), ws);
        QCOMPARE(Connection::httpUrl(server).toString(), http);
    }

    void handshakeAndRequests()
    {
        FakeServer server;
        Connection connection;
        QSignalSpy frames(&connection, &Connection::frameReceived);
        connection.setServer(server.url());
        connection.setToken(u"hrd_1_secret"_s);
        connection.open();
        QCOMPARE(connection.state(), Connection::Connecting);
        QTRY_COMPARE(connection.state(), Connection::Connected);
        QCOMPARE(server.authorization, QByteArray("Bearer hrd_1_secret"));
        QCOMPARE(server.subprotocol, u"herald.v1"_s);
        QCOMPARE(frames.count(), 1);
        QCOMPARE(frames.at(0).at(0).value<proto::Frame>().type, proto::Type::Hello);

        Reply ok;
        Reply failed;
        int answers = 0;
        connection.request(proto::Type::UserList, {}, [&](const Reply &r) {
            ok = r;
            ++answers;
        });
        connection.request(proto::Type::RoomJoin, {{u"room"_s, u"x"_s}}, [&](const Reply &r) {
            failed = r;
            ++answers;
        });
        QTRY_COMPARE(answers, 2);
        QVERIFY(ok.ok);
        QVERIFY(ok.data.contains("users"_L1));
        QVERIFY(!failed.ok);
        QCOMPARE(failed.code, u"forbidden"_s);
        QCOMPARE(failed.message, u"private room"_s);
        QCOMPARE(server.received.first().value("id"_L1).toString(), u"1"_s); // string ids

        // Typing has no answer and is not sent when offline.
        connection.send(proto::Type::TypingSend, {{u"room"_s, u"general"_s}});
        QTRY_COMPARE(server.received.size(), 3);
    }

    void authRefusalStopsRetrying_data()
    {
        QTest::addColumn<int>("code");
        QTest::newRow("auth failed") << 4001;
        QTest::newRow("revoked") << 4003;
        QTest::newRow("disabled") << 4004;
    }
    void authRefusalStopsRetrying()
    {
        QFETCH(int, code);
        FakeServer server;
        Connection connection;
        QSignalSpy rejected(&connection, &Connection::authRejected);
        connection.setServer(server.url());
        connection.setToken(u"hrd_1_x"_s);
        connection.open();
        QTRY_COMPARE(connection.state(), Connection::Connected);
        bool failedPending = false;
        connection.request(proto::Type::RoomList, {},
                           [&](const Reply &r) { failedPending = r.code == u"disconnected"_s; });
        server.closeLast(QWebSocketProtocol::CloseCode(code));
        QTRY_COMPARE(rejected.count(), 1);
        QCOMPARE(rejected.at(0).at(0).toInt(), code);
        QCOMPARE(connection.state(), Connection::Disconnected);
        QVERIFY(failedPending);
        QTest::qWait(1500);
        QCOMPARE(server.sockets.size(), 1); // no second attempt
    }

    void otherClosesReconnect()
    {
        FakeServer server;
        Connection connection;
        connection.backoff().setLimits(std::chrono::milliseconds(100),
                                       std::chrono::milliseconds(400),
                                       std::chrono::milliseconds(20));
        QSignalSpy scheduled(&connection, &Connection::reconnectScheduled);
        connection.setServer(server.url());
        connection.open();
        QTRY_COMPARE(connection.state(), Connection::Connected);
        server.closeLast(QWebSocketProtocol::CloseCodeGoingAway); // 1001: server restarting
        QTRY_COMPARE(connection.state(), Connection::Waiting);
        QVERIFY(connection.retryAt() > 0);
        QCOMPARE(connection.lastError(), u"The server is restarting."_s);
        QTRY_COMPARE(connection.state(), Connection::Connected);
        QCOMPARE(server.sockets.size(), 2);
        QCOMPARE(scheduled.count(), 1);
        QVERIFY(scheduled.at(0).at(0).toInt() <= 100);

        // A connection that lasted resets the backoff: the next delay is from the bottom again.
        connection.setStableAfter(200);
        (void)connection.backoff().next();
        (void)connection.backoff().next();
        QTest::qWait(300);
        server.closeLast(QWebSocketProtocol::CloseCode(4006)); // slow consumer: resume
        QTRY_COMPARE(server.sockets.size(), 3);
        QCOMPARE(scheduled.count(), 2);
        QVERIFY(scheduled.at(1).at(0).toInt() <= 100);
        QTRY_COMPARE(connection.state(), Connection::Connected);

        // No hello in time: give up on that attempt and try again.
        server.sendHello = false;
        server.closeLast(QWebSocketProtocol::CloseCodeAbnormalDisconnection);
        QTRY_COMPARE(server.sockets.size(), 4);
        QCOMPARE(connection.state(), Connection::Connecting);

        connection.close();
        QCOMPARE(connection.state(), Connection::Disconnected);
        QTest::qWait(600);
        QCOMPARE(server.sockets.size(), 4);
    }

    void refusedReconnectSaysWhy()
    {
        auto server = std::make_unique<FakeServer>();
        Connection connection;
        connection.backoff().setLimits(std::chrono::milliseconds(100),
                                       std::chrono::milliseconds(300),
                                       std::chrono::milliseconds(20));
        connection.setServer(server->url());
        connection.open();
        QTRY_COMPARE(connection.state(), Connection::Connected);
        // The server goes away (1001) and nothing listens on its port any more.
        server->m_server.close();
        server->closeLast(QWebSocketProtocol::CloseCodeGoingAway);
        QTRY_COMPARE(connection.state(), Connection::Waiting);
        QCOMPARE(connection.lastError(), u"The server is restarting."_s);
        // The next attempt is refused: that is what the banner and the log say now.
        QTRY_VERIFY_WITH_TIMEOUT(connection.lastError().contains(u"refused"_s, Qt::CaseInsensitive),
                                 5000);
        connection.close();
    }

    void retryNowSkipsTheDelay()
    {
        Connection connection;
        connection.backoff().setLimits(std::chrono::milliseconds(60000),
                                       std::chrono::milliseconds(60000),
                                       std::chrono::milliseconds(60000));
        connection.setServer(u"127.0.0.1:1"_s); // nothing listens there
        connection.open();
        QTRY_COMPARE(connection.state(), Connection::Waiting);
        QVERIFY(connection.retryAt() - QDateTime::currentMSecsSinceEpoch() > 50000);
        FakeServer server;
        connection.setServer(server.url());
        connection.retryNow(); // as when the network comes back or the machine wakes
        QTRY_COMPARE(connection.state(), Connection::Connected);
    }

    void sessionShowsSignInWhenRevoked()
    {
        // The whole path a revoked token takes: close 4003, no retry, a clear message, the
        // stored credential forgotten.
        qputenv("HERALD_CREDENTIAL_STORE", "file");
        FakeServer server;
        Session session(nullptr);
        QSignalSpy saved(session.credentials(), &CredentialStore::saved);
        session.connectWithToken(server.url(), u"hrd_1_secret"_s);
        QTRY_COMPARE(session.status(), Session::Online);
        QCOMPARE(session.userName(), u"alice"_s);
        QTRY_COMPARE(saved.count(), 1);
        QCOMPARE(session.credentials()->backend(), CredentialStore::Backend::File);
        server.closeLast(QWebSocketProtocol::CloseCode(4003));
        QTRY_COMPARE(session.status(), Session::SignedOut);
        QCOMPARE(session.errorMessage(), u"Your session was revoked. Please sign in again."_s);
        QCOMPARE(session.credentials()->backend(), CredentialStore::Backend::None);
        QVERIFY(session.userName().isEmpty());
        QTest::qWait(500);
        QCOMPARE(server.sockets.size(), 1);

        // A disabled account says so.
        session.connectWithToken(server.url(), u"hrd_1_secret"_s);
        QTRY_COMPARE(session.status(), Session::Online);
        server.closeLast(QWebSocketProtocol::CloseCode(4004));
        QTRY_COMPARE(session.status(), Session::SignedOut);
        QVERIFY(session.errorMessage().contains(u"disabled"_s));
    }

    void requestsWhileOfflineFailAtOnce()
    {
        Connection connection;
        Reply reply;
        bool called = false;
        QVERIFY(connection
                    .request(proto::Type::RoomList, {},
                             [&](const Reply &r) {
                                 reply = r;
                                 called = true;
                             })
                    .isEmpty());
        QVERIFY(!called); // asynchronously, never inside request()
        QTRY_VERIFY(called);
        QCOMPARE(reply.code, u"disconnected"_s);
    }
};

QTEST_MAIN(TestConnection)
#include "tst_connection.moc"
