// The browser client's files, served by the real server at / on the same port as the API and
// the WebSocket (server/net/webclient.cpp): each file of web/ byte for byte with its type and
// the security headers, HEAD, ETag revalidation, 404/405 JSON, and the upgrade path unharmed.
#include "testkit.h"

#include "net/webclient.h"

#include <QDir>

using namespace testkit;

class TestWebClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        seed.user(QStringLiteral("alice"));
        m_alice = seed.token(QStringLiteral("alice"));
        m_server = std::make_unique<LocalServer>(m_dir->path());
    }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
    }

    void everyFileOfWebIsServed()
    {
        const QDir web(QStringLiteral(HERALD_SOURCE_DIR "/web"));
        const QStringList files = web.entryList(QDir::Files);
        QVERIFY(files.contains(QStringLiteral("index.html")));
        QVERIFY(files.contains(QStringLiteral("app.js")));
        for (const QString &name : files) {
            QFile f(web.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const Reply r = fetch("GET", QLatin1Char('/') + name);
            QCOMPARE(r.status, 200);
            QCOMPARE(r.body, f.readAll());
            QVERIFY2(!r.header("content-type").startsWith("application/octet-stream"),
                     qPrintable(name));
            QCOMPARE(r.header("content-security-policy"),
                     herald::WebClient::contentSecurityPolicy());
            QCOMPARE(r.header("x-content-type-options"), QByteArray("nosniff"));
            QCOMPARE(r.header("referrer-policy"), QByteArray("no-referrer"));
            QCOMPARE(r.header("cache-control"), QByteArray("no-cache"));
        }
        const Reply index = fetch("GET", QStringLiteral("/"));
        QCOMPARE(index.status, 200);
        QCOMPARE(index.header("content-type"), QByteArray("text/html; charset=utf-8"));
        QCOMPARE(index.body, fetch("GET", QStringLiteral("/index.html")).body);
        QCOMPARE(fetch("GET", QStringLiteral("/app.js")).header("content-type"),
                 QByteArray("text/javascript; charset=utf-8")); // module scripts need it
    }

    void headAndRevalidation()
    {
        const Reply get = fetch("GET", QStringLiteral("/app.css"));
        const Reply head = fetch("HEAD", QStringLiteral("/app.css"));
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());
        QCOMPARE(head.header("content-length").toInt(), get.body.size());
        QCOMPARE(head.header("etag"), get.header("etag"));
        QVERIFY(!get.header("etag").isEmpty());
        QCOMPARE(fetch("GET", QStringLiteral("/app.css"), "\"nope\", " + get.header("etag")).status,
                 304);
        QCOMPARE(fetch("GET", QStringLiteral("/app.css"), "\"nope\"").status, 200);
    }

    void otherPathsAndMethods()
    {
        const Reply missing = fetch("GET", QStringLiteral("/secret.txt"));
        QCOMPARE(missing.status, 404);
        QCOMPARE(QJsonDocument::fromJson(missing.body)
                     .object()
                     .value(QLatin1String("error"))
                     .toObject()
                     .value(QLatin1String("code"))
                     .toString(),
                 QStringLiteral("not_found"));
        QCOMPARE(fetch("GET", QStringLiteral("/web/app.js")).status, 404);
        QCOMPARE(fetch("GET", QStringLiteral("/../server.conf")).status, 404);
        const Reply post = fetch("POST", QStringLiteral("/"));
        QCOMPARE(post.status, 405);
        QCOMPARE(post.header("allow"), QByteArray("GET, HEAD"));
        // The API around it is unchanged.
        QCOMPARE(fetch("GET", QStringLiteral("/healthz")).status, 200);
        QCOMPARE(fetch("GET", QStringLiteral("/api/v1/login")).status, 405);
        QCOMPARE(fetch("GET", QStringLiteral("/api/v1/nothing")).status, 404);
    }

    void webSocketOnTheSamePort()
    {
        QCOMPARE(fetch("GET", QStringLiteral("/")).status, 200);
        Client c;
        QVERIFY(c.open(m_server->wsUrl(), m_alice));
        QCOMPARE(fetch("GET", QStringLiteral("/app.js")).status, 200);
        QCOMPARE(c.request(QStringLiteral("room.list")).value(QLatin1String("type")).toString(),
                 QStringLiteral("result"));
    }

private:
    struct Reply
    {
        int status = 0;
        QByteArray head;
        QByteArray body;
        [[nodiscard]] QByteArray header(const QByteArray &name) const
        {
            for (const QByteArray &line : head.split('\n')) {
                const qsizetype colon = line.indexOf(':');
                if (colon > 0 && line.left(colon).trimmed().toLower() == name)
                    return line.mid(colon + 1).trimmed();
            }
            return {};
        }
    };

    /** One request on a raw socket with `Connection: close`, read to the close. */
    Reply fetch(const QByteArray &method, const QString &path, const QByteArray &ifNoneMatch = {})
    {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_server->server->port());
        if (!s.waitForConnected(3000))
            return {};
        QByteArray request =
            method + ' ' + path.toUtf8() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
        if (!ifNoneMatch.isEmpty())
            request += "If-None-Match: " + ifNoneMatch + "\r\n";
        if (method == "POST")
            request += "Content-Length: 0\r\n";
        s.write(request + "\r\n");
        QByteArray all;
        QElapsedTimer t;
        t.start();
        while (s.state() == QAbstractSocket::ConnectedState && t.elapsed() < 5000) {
            QTest::qWait(5);
            all += s.readAll();
        }
        all += s.readAll();
        Reply r;
        const qsizetype end = all.indexOf("\r\n\r\n");
        r.head = all.left(end);
        r.body = all.mid(end + 4);
        r.status = all.mid(9, 3).toInt();
        return r;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LocalServer> m_server;
    QString m_alice;
};

QTEST_GUILESS_MAIN(TestWebClient)
#include "tst_webclient.moc"
