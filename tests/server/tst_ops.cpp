// Operations: /metrics counters move with traffic and can be restricted; TLS (wss/https) with a
// CA and a server certificate generated at test time.
#include "testkit.h"

#include <QSslConfiguration>
#include <QSslSocket>
#include <QStandardPaths>

using namespace testkit;

namespace {
double metric(const QByteArray &text, const QByteArray &name)
{
    for (const QByteArray &line : text.split('\n'))
        if (line.startsWith(QByteArray(name).append(' ')))
            return line.mid(name.size() + 1).toDouble();
    return -1;
}

bool run(const QString &dir, const QStringList &args)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.start(QStringLiteral("openssl"), args);
    return p.waitForFinished(30000) && p.exitCode() == 0;
}
} // namespace

class TestOps : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        seed.user(QStringLiteral("alice"));
        m_alice = seed.token(QStringLiteral("alice"));
        m_service = seed.service(QStringLiteral("erp"));
    }
    void cleanup() { m_dir.reset(); }

    void metricsMoveWithTraffic()
    {
        herald::Config cfg;
        LocalServer s(m_dir->path(), cfg);
        Http http;
        const QByteArray before = http.get(s.httpUrl(QStringLiteral("/metrics"))).body;
        QCOMPARE(metric(before, "herald_connections"), 0.0);
        QCOMPARE(metric(before, "herald_notifications_published_total"), 0.0);
        QVERIFY(before.contains("# TYPE herald_delivery_latency_seconds histogram"));
        Client c;
        QVERIFY(c.open(s.wsUrl(), m_alice));
        c.send(QStringLiteral("ping"), {{QStringLiteral("id"), 1}});
        QVERIFY(!c.waitFor(QStringLiteral("pong")).isEmpty());
        QCOMPARE(http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")),
                           {{QStringLiteral("recipients"),
                             QJsonObject{
                                 {QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}}},
                            {QStringLiteral("title"), QStringLiteral("t")}},
                           m_service)
                     .status,
                 201);
        QVERIFY(!c.waitFor(QStringLiteral("notification")).isEmpty());
        Client bad;
        bad.open(s.wsUrl(), QStringLiteral("hrd_1_nope"));
        QVERIFY(bad.waitClosed());
        const QByteArray after = http.get(s.httpUrl(QStringLiteral("/metrics"))).body;
        QCOMPARE(metric(after, "herald_connections"), 1.0);
        QCOMPARE(metric(after, "herald_online_people"), 1.0);
        QVERIFY(metric(after, "herald_frames_in_total") >= 1);
        QVERIFY(metric(after, "herald_frames_out_total") >= 3); // hello, pong, notification
        QCOMPARE(metric(after, "herald_notifications_published_total"), 1.0);
        QCOMPARE(metric(after, "herald_notifications_delivered_total"), 1.0);
        QCOMPARE(metric(after, "herald_auth_failures_total"), 1.0);
        QCOMPARE(metric(after, "herald_delivery_latency_seconds_count"), 1.0);
    }

    void metricsCanBeRestricted()
    {
        herald::Config cfg;
        cfg.metricsToken = QStringLiteral("scrape-me");
        LocalServer s(m_dir->path(), cfg);
        Http http;
        QCOMPARE(http.get(s.httpUrl(QStringLiteral("/metrics"))).status, 401);
        QCOMPARE(http.get(s.httpUrl(QStringLiteral("/metrics")), QStringLiteral("wrong")).status,
                 401);
        const auto ok =
            http.get(s.httpUrl(QStringLiteral("/metrics")), QStringLiteral("scrape-me"));
        QCOMPARE(ok.status, 200);
        QVERIFY(ok.body.contains("herald_connections"));
        QCOMPARE(http.get(s.httpUrl(QStringLiteral("/healthz"))).status, 200); // health stays open
    }

    void tlsWithCompanyCa()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QSKIP("openssl not installed");
        QTemporaryDir pki;
        const QString d = pki.path();
        QVERIFY(run(d, {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                        QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                        QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"),
                        QStringLiteral("ca.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                        QStringLiteral("-subj"), QStringLiteral("/CN=Herald Test CA")}));
        QVERIFY(run(d, {QStringLiteral("req"), QStringLiteral("-newkey"),
                        QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                        QStringLiteral("-keyout"), QStringLiteral("server.key"),
                        QStringLiteral("-out"), QStringLiteral("server.csr"),
                        QStringLiteral("-subj"), QStringLiteral("/CN=localhost")}));
        QFile ext(d + QStringLiteral("/ext.cnf"));
        QVERIFY(ext.open(QIODevice::WriteOnly));
        ext.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        ext.close();
        QVERIFY(
            run(d, {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                    QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
                    QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                    QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                    QStringLiteral("server.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                    QStringLiteral("-extfile"), QStringLiteral("ext.cnf")}));
        herald::Config cfg;
        cfg.tlsCert = d + QStringLiteral("/server.pem");
        cfg.tlsKey = d + QStringLiteral("/server.key");
        LocalServer s(m_dir->path(), cfg);
        const QUrl wss(QStringLiteral("wss://127.0.0.1:%1/ws").arg(s.server->port()));

        // with the company CA: connects and authenticates
        QSslConfiguration withCa = QSslConfiguration::defaultConfiguration();
        withCa.setCaCertificates(QSslCertificate::fromPath(d + QStringLiteral("/ca.pem")));
        Client good;
        good.ws.setSslConfiguration(withCa);
        QVERIFY(good.open(wss, m_alice));
        QCOMPARE(good.request(QStringLiteral("room.list")).value(QLatin1String("type")).toString(),
                 QStringLiteral("result"));

        // without it: the certificate is refused
        Client refused;
        bool sslError = false;
        connect(&refused.ws, &QWebSocket::sslErrors, this,
                [&sslError](const QList<QSslError> &) { sslError = true; });
        QVERIFY(!refused.open(wss, m_alice));
        QVERIFY(sslError);

        // https for the API, with the same CA
        QNetworkAccessManager nam;
        QNetworkRequest req(
            QUrl(QStringLiteral("https://127.0.0.1:%1/healthz").arg(s.server->port())));
        req.setSslConfiguration(withCa);
        QNetworkReply *reply = nam.get(req);
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(10000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();
        // plain HTTP on a TLS port gets nothing useful
        Http plain;
        QVERIFY(plain.get(s.httpUrl(QStringLiteral("/healthz"))).status != 200);
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_alice, m_service;
};

QTEST_MAIN(TestOps)
#include "tst_ops.moc"
