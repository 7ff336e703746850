// The desktop client core over TLS: with the company CA it connects to a wss:// server whose
// certificate that CA signed (generated here with openssl), and without it it refuses.
#include "../server/testkit.h"
#include "connection.h"
#include "core/hub.h"

#include <QStandardPaths>

using namespace testkit;

namespace {
bool openssl(const QString &dir, const QStringList &args)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.start(QStringLiteral("openssl"), args);
    return p.waitForFinished(30000) && p.exitCode() == 0;
}
} // namespace

class TestTls : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QSKIP("openssl not installed");
        const QString d = m_pki.path();
        QVERIFY(
            openssl(d, {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                        QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                        QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"),
                        QStringLiteral("ca.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                        QStringLiteral("-subj"), QStringLiteral("/CN=Company Test CA")}));
        QVERIFY(openssl(d, {QStringLiteral("req"), QStringLiteral("-newkey"),
                            QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                            QStringLiteral("-keyout"), QStringLiteral("server.key"),
                            QStringLiteral("-out"), QStringLiteral("server.csr"),
                            QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1")}));
        QFile ext(d + QStringLiteral("/ext.cnf"));
        QVERIFY(ext.open(QIODevice::WriteOnly));
        ext.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        ext.close();
        QVERIFY(openssl(d, {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                            QStringLiteral("server.csr"), QStringLiteral("-CA"),
                            QStringLiteral("ca.pem"), QStringLiteral("-CAkey"),
                            QStringLiteral("ca.key"), QStringLiteral("-CAcreateserial"),
                            QStringLiteral("-out"), QStringLiteral("server.pem"),
                            QStringLiteral("-days"), QStringLiteral("2"),
                            QStringLiteral("-extfile"), QStringLiteral("ext.cnf")}));
        Seed seed(m_data.path());
        seed.user(QStringLiteral("alice"));
        m_token = seed.token(QStringLiteral("alice"));
    }

    void connectsWithTheCompanyCa()
    {
        LocalServer s(m_data.path(), tlsConfig());
        Connection c;
        c.setServer(QStringLiteral("https://127.0.0.1:%1").arg(s.server->port()));
        c.setToken(m_token);
        c.setCaFile(m_pki.path() + QStringLiteral("/ca.pem"));
        c.open();
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), Connection::Connected, 10000);
        c.close();
    }

    void refusesWithoutIt()
    {
        LocalServer s(m_data.path(), tlsConfig());
        Connection c;
        c.setServer(QStringLiteral("https://127.0.0.1:%1").arg(s.server->port()));
        c.setToken(m_token);
        c.open();
        QTRY_VERIFY_WITH_TIMEOUT(
            c.state() == Connection::Waiting || c.state() == Connection::Disconnected, 10000);
        QVERIFY(c.state() != Connection::Connected);
        QTest::qWait(500);
        QCOMPARE(s.server->hub()->connectionCount(), 0);
        QVERIFY2(!c.lastError().isEmpty(), "a refused certificate should say why");
        c.close();
    }

    void tlsConfigurationAddsTheCa()
    {
        const int system =
            static_cast<int>(QSslConfiguration::defaultConfiguration().caCertificates().size());
        const QSslConfiguration tls =
            Connection::tlsConfiguration(m_pki.path() + QStringLiteral("/ca.pem"));
        QCOMPARE(static_cast<int>(tls.caCertificates().size()), system + 1);
        QCOMPARE(tls.peerVerifyMode(), QSslSocket::VerifyPeer);
        QCOMPARE(static_cast<int>(Connection::tlsConfiguration(QString()).caCertificates().size()),
                 system);
    }

private:
    herald::Config tlsConfig() const
    {
        herald::Config cfg;
        cfg.tlsCert = m_pki.path() + QStringLiteral("/server.pem");
        cfg.tlsKey = m_pki.path() + QStringLiteral("/server.key");
        return cfg;
    }
    QTemporaryDir m_pki;
    QTemporaryDir m_data;
    QString m_token;
};

QTEST_MAIN(TestTls)
#include "tst_tls.moc"
