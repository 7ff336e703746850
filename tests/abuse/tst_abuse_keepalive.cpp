// HTTP/1.1 keep-alive against the real herald-server process: many requests on one connection
// answered in order, every later request checked as strictly as the first (smuggling shapes,
// oversized heads and bodies, duplicate fields, a WebSocket upgrade), no pipelining (bytes of a
// next request before the answer: 400 and close), the idle timeout, the per-request deadline,
// keepalive_requests, `Connection: close` and HTTP/1.0.
#include "abusekit.h"

using namespace abuse;

namespace {

constexpr int IdleSeconds = 1;     // keepalive_timeout of the server under test
constexpr int DeadlineSeconds = 3; // request_timeout of the server under test

QByteArray get(const QByteArray &path, const QByteArray &extra = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n";
}

} // namespace

class TestAbuseKeepAlive : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        asanForServers();
        m_server.env = QProcessEnvironment::systemEnvironment();
        m_server.env.insert(QStringLiteral("HERALD_KEEPALIVE_TIMEOUT"),
                            QString::number(IdleSeconds));
        m_server.env.insert(QStringLiteral("HERALD_REQUEST_TIMEOUT"),
                            QString::number(DeadlineSeconds));
        QVERIFY(m_server.start(m_world.dir.path()));
        m_published = metric(m_server.httpUrl(QStringLiteral("/metrics")),
                             "herald_notifications_published_total");
        QCOMPARE(m_published, 0.0);
    }

    void cleanup()
    {
        QCOMPARE(m_server.proc->state(), QProcess::Running);
        QCOMPARE(goodClientGetsThrough(m_server.wsUrl(), m_world.alice), QString());
        // Only the publishes a case meant to make reached the publish route.
        QCOMPARE(metric(m_server.httpUrl(QStringLiteral("/metrics")),
                        "herald_notifications_published_total"),
                 m_published);
    }

    void twoRequestsInOrder()
    {
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        raw.send(get("/healthz"));
        const Raw::Answer a = raw.readAnswer();
        QCOMPARE(a.status, 200);
        QVERIFY2(a.head.contains("Connection: keep-alive"), a.head.constData());
        raw.send(get("/no/such/path"));
        const Raw::Answer b = raw.readAnswer();
        QCOMPARE(b.status, 404);
        QVERIFY(b.head.contains("Connection: keep-alive"));
        QCOMPARE(raw.socket.state(), QAbstractSocket::ConnectedState);
    }

    void publishesOnOneConnection()
    {
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        for (int i = 0; i < 3; ++i) {
            raw.send(publish("keep-" + QByteArray::number(i)));
            const Raw::Answer a = raw.readAnswer();
            QCOMPARE(a.status, 201);
            ++m_published;
        }
        // A chunked body on a later request is followed too.
        const QByteArray body = publishJson("chunked");
        raw.send("POST /api/v1/notifications HTTP/1.1\r\nHost: x\r\n" + auth() +
                 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                 QByteArray::number(body.size(), 16) + "\r\n" + body + "\r\n0\r\n\r\n");
        QCOMPARE(raw.readAnswer().status, 201);
        ++m_published;
    }

    void thousandRequestsThenClose()
    {
        // keepalive_requests is 1000 (the default): the 1000th answer closes the connection.
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        for (int i = 1; i <= 1000; ++i) {
            const bool odd = i % 2;
            raw.send(get(odd ? QByteArray("/healthz") : "/missing-" + QByteArray::number(i)));
            const Raw::Answer a = raw.readAnswer();
            QVERIFY2(a.status == (odd ? 200 : 404),
                     qPrintable(QStringLiteral("request %1").arg(i)));
            if (i < 1000)
                QVERIFY2(a.head.contains("Connection: keep-alive"),
                         qPrintable(QStringLiteral("request %1").arg(i)));
            else
                QVERIFY(a.head.contains("Connection: close"));
        }
        QVERIFY(raw.waitDisconnected(3000));
    }

    void secondRequestRefused_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        const QByteArray body = publishJson("smuggled");
        const QByteArray head = "POST /api/v1/notifications HTTP/1.1\r\nHost: x\r\n" + auth() +
                                "Content-Type: application/json\r\n";
        QTest::newRow("Content-Length with Transfer-Encoding")
            << QByteArray(head + "Content-Length: " + QByteArray::number(body.size()) +
                          "\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
            << 400;
        QTest::newRow("two Content-Length")
            << QByteArray(head + "Content-Length: " + QByteArray::number(body.size()) +
                          "\r\nContent-Length: 3\r\n\r\n" + body)
            << 400;
        QTest::newRow("Transfer-Encoding identity")
            << QByteArray(head + "Transfer-Encoding: identity\r\n\r\n" + body) << 400;
        QTest::newRow("bad chunk size")
            << QByteArray(head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body +
                          "\r\n0\r\n\r\n")
            << 400;
        QTest::newRow("duplicate Host") << get("/healthz", "Host: y\r\n") << 400;
        QTest::newRow("duplicate Authorization") << get("/healthz", auth() + auth()) << 400;
        QTest::newRow("bare LF") << QByteArray("GET /healthz HTTP/1.1\nHost: x\n\n") << 400;
        QTest::newRow("obsolete line folding") << get("/healthz", "X-A: 1\r\n b\r\n") << 400;
        QTest::newRow("bad method")
            << QByteArray("BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n") << 400;
        QTest::newRow("leading empty line") << QByteArray("\r\n" + get("/healthz")) << 400;
        QTest::newRow("oversized request line")
            << get("/healthz?" + QByteArray(9 * 1024, 'a')) << 414;
        QTest::newRow("oversized head")
            << get("/healthz", "X-Big: " + QByteArray(17 * 1024, 'a') + "\r\n") << 431;
        QByteArray many;
        for (int i = 0; i < 120; ++i)
            many += "X-H" + QByteArray::number(i) + ": 1\r\n";
        QTest::newRow("too many header fields") << get("/healthz", many) << 431;
        QTest::newRow("body over the publish cap")
            << QByteArray(head + "Content-Length: " + QByteArray::number(2 * 1024 * 1024) +
                          "\r\n\r\n")
            << 413;
        QTest::newRow("body over the cap of other routes")
            << QByteArray("POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n")
            << 413;
        QTest::newRow("WebSocket upgrade")
            << QByteArray("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
            << 400;
    }

    void secondRequestRefused()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        raw.send(get("/healthz"));
        QCOMPARE(raw.readAnswer().status, 200);
        raw.send(request);
        const Raw::Answer a = raw.readAnswer();
        QCOMPARE(a.status, status);
        QCOMPARE(a.errorCode(), QStringLiteral("bad_request"));
        QVERIFY(a.head.contains("Connection: close"));
        QVERIFY(raw.waitDisconnected(3000));
    }

    void slowSecondRequestRefused_data()
    {
        // The same shapes sent a line at a time: the front refuses each line as it ends, before
        // QtHttpServer (which reads a later head as it arrives) acts on it.
        QTest::addColumn<QList<QByteArray>>("pieces");
        QTest::addColumn<int>("status");
        QTest::newRow("bad method")
            << QList<QByteArray>{"BREW /healthz HTTP/1.1\r\n", "Host: x\r\n", "\r\n"} << 400;
        QTest::newRow("bad version")
            << QList<QByteArray>{"GET /healthz HTTP/2.0\r\n", "Host: x\r\n", "\r\n"} << 400;
        QTest::newRow("header without colon")
            << QList<QByteArray>{"GET /healthz HTTP/1.1\r\n", "Host x\r\n", "\r\n"} << 400;
        QTest::newRow("space before colon")
            << QList<QByteArray>{"GET /healthz HTTP/1.1\r\n", "Host : x\r\n", "\r\n"} << 400;
        QTest::newRow("duplicate Host")
            << QList<QByteArray>{"GET /healthz HTTP/1.1\r\n", "Host: x\r\n", "Host: y\r\n", "\r\n"}
            << 400;
        QList<QByteArray> many{"GET /healthz HTTP/1.1\r\n"};
        for (int i = 0; i < 120; ++i)
            many << "X-H" + QByteArray::number(i) + ": 1\r\n";
        many << "\r\n";
        QTest::newRow("too many header fields") << many << 431;
    }

    void slowSecondRequestRefused()
    {
        QFETCH(QList<QByteArray>, pieces);
        QFETCH(int, status);
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        raw.send(get("/healthz"));
        QCOMPARE(raw.readAnswer().status, 200);
        for (const QByteArray &piece : pieces) {
            raw.send(piece);
            QTest::qWait(pieces.size() > 10 ? 5 : 100);
            if (raw.socket.bytesAvailable() > 0 ||
                raw.socket.state() != QAbstractSocket::ConnectedState)
                break;
        }
        const Raw::Answer a = raw.readAnswer();
        QCOMPARE(a.status, status);
        QVERIFY(a.head.contains("Connection: close"));
        QVERIFY(raw.waitDisconnected(3000));
    }

    void slowSecondRequestAnswered()
    {
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        raw.send(get("/healthz"));
        QCOMPARE(raw.readAnswer().status, 200);
        for (const QByteArray piece :
             {"GET /heal", "thz HTTP/1.1\r\nHo", "st: x\r\n", "\r", "\n"}) {
            raw.send(piece);
            QTest::qWait(100);
        }
        const Raw::Answer a = raw.readAnswer();
        QCOMPARE(a.status, 200);
        QVERIFY(a.head.contains("Connection: keep-alive"));
    }

    void idleConnectionClosed()
    {
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        raw.send(get("/healthz"));
        QCOMPARE(raw.readAnswer().status, 200);
        QElapsedTimer t;
        t.start();
        QVERIFY(raw.waitDisconnected(IdleSeconds * 1000 + 3000));
        QVERIFY2(t.elapsed() >= IdleSeconds * 1000 - 200,
                 qPrintable(QStringLiteral("closed after %1 ms").arg(t.elapsed())));
    }

    void idleTimerRestartsAfterEachAnswer()
    {
        // Requests spaced below the idle timeout keep the connection open for longer than it.
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        for (int i = 0; i < 4; ++i) {
            raw.send(get("/healthz"));
            QCOMPARE(raw.readAnswer().status, 200);
            QTest::qWait(IdleSeconds * 1000 / 2);
        }
        QCOMPARE(raw.socket.state(), QAbstractSocket::ConnectedState);
    }

    void laterRequestHasItsOwnDeadline()
    {
        // The deadline counts from the later request's first byte (not from the connection's
        // start, and the idle timer stops): a head that never ends is cut at request_timeout.
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        raw.send(get("/healthz"));
        QCOMPARE(raw.readAnswer().status, 200);
        QTest::qWait(IdleSeconds * 1000 / 2);
        QElapsedTimer t;
        t.start();
        raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
        QVERIFY(raw.waitDisconnected(DeadlineSeconds * 1000 + 3000));
        QVERIFY2(t.elapsed() >= DeadlineSeconds * 1000 - 300,
                 qPrintable(QStringLiteral("cut after %1 ms").arg(t.elapsed())));
    }

    void connectionCloseHonoured()
    {
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        raw.send(get("/healthz"));
        QCOMPARE(raw.readAnswer().status, 200);
        raw.send(get("/healthz", "Connection: close\r\n"));
        const Raw::Answer a = raw.readAnswer();
        QCOMPARE(a.status, 200);
        QVERIFY(a.head.contains("Connection: close"));
        QVERIFY(raw.waitDisconnected(3000));
    }

    void http10Closes()
    {
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        raw.send("GET /healthz HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
        const Raw::Answer a = raw.readAnswer();
        QCOMPARE(a.status, 200);
        QVERIFY(a.head.contains("Connection: close"));
        QVERIFY(raw.waitDisconnected(3000));
    }

    void pipelinedRefused()
    {
        // Documented: bytes of a next request before the answer is written get 400 and close;
        // neither request is carried out.
        Raw raw;
        QVERIFY(raw.connectTo(m_server.port));
        raw.send(get("/healthz"));
        QCOMPARE(raw.readAnswer().status, 200);
        raw.send(publish("pipelined-1") + publish("pipelined-2"));
        const Raw::Answer a = raw.readAnswer();
        QCOMPARE(a.status, 400);
        QVERIFY(a.head.contains("Connection: close"));
        QVERIFY(raw.waitDisconnected(3000));
    }

    void upgradeAsFirstRequestStillWorks()
    {
        Raw raw;
        QVERIFY(raw.openWs(m_server.port, m_world.alice));
    }

private:
    QByteArray auth() const
    {
        return "Authorization: Bearer " + m_world.service.toLatin1() + "\r\n";
    }
    static QByteArray publishJson(const QByteArray &title)
    {
        return "{\"title\":\"" + title + "\",\"recipients\":{\"users\":[\"bob\"]}}";
    }
    QByteArray publish(const QByteArray &title) const
    {
        const QByteArray body = publishJson(title);
        return "POST /api/v1/notifications HTTP/1.1\r\nHost: x\r\n" + auth() +
               "Content-Type: application/json\r\nContent-Length: " +
               QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }

    World m_world;
    ServerProcess m_server;
    double m_published = 0;
};

QTEST_GUILESS_MAIN(TestAbuseKeepAlive)
#include "tst_abuse_keepalive.moc"
