// Sessions that end, on the desktop, against real herald-server processes: signing out revokes
// the token on the server (and still signs out when the server is gone), and a session that
// expired on the server (its clock moved past session_idle_days) returns to the sign-in page
// with a message and no further connection attempt.
#include "heraldfixture.h"

#include "credentialstore.h"
#include "session.h"

#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;

class TestSessionEnd : public QObject
{
    Q_OBJECT

private:
    fixture::Server m_server;
    fixture::Http m_http;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"HeraldTest"_s);
        QCoreApplication::setApplicationName(u"tst_sessionend"_s);
        QSettings().clear();
        QFile::remove(CredentialStore::fallbackPath());
        qputenv("HERALD_CREDENTIAL_STORE", "file"); // no keychain daemon on CI machines
        if (!m_server.binariesExist())
            QSKIP("herald-server or heraldctl is not built");
        QVERIFY(m_server.ctl({u"user"_s, u"add"_s, u"bob"_s, u"--password"_s, u"password-b"_s}));
        QVERIFY(m_server.start());
    }

    void signOutRevokesTheTokenOnTheServer()
    {
        const fixture::Http::Response login =
            m_http.send("POST", QUrl(m_server.url() + u"/api/v1/login"_s),
                        {{u"username"_s, u"bob"_s}, {u"password"_s, u"password-b"_s}}, {});
        QCOMPARE(login.status, 200);
        const QString token = login.json.value("token"_L1).toString();
        Session bob(nullptr);
        bob.setRememberCredentials(false);
        bob.connectWithToken(m_server.url(), token);
        QTRY_COMPARE_WITH_TIMEOUT(bob.status(), Session::Online, 10000);
        QSignalSpy revoked(&bob, &Session::signedOutOnServer);
        bob.signOut();
        QCOMPARE(bob.status(), Session::SignedOut); // at once, not after the server answered
        QVERIFY(revoked.wait(10000) || revoked.count() == 1);
        QCOMPARE(revoked.first().first().toBool(), true);
        // The token no longer authenticates: not on the WebSocket, not for signing out again.
        Session again(nullptr);
        again.setRememberCredentials(false);
        again.connectWithToken(m_server.url(), token);
        QTRY_COMPARE_WITH_TIMEOUT(again.status(), Session::SignedOut, 10000);
        QCOMPARE(again.connection()->lastCloseCode(), 4001);
        QCOMPARE(m_http.send("POST", QUrl(m_server.url() + u"/api/v1/logout"_s), {}, token).status,
                 401);
    }

    void signOutWithTheServerGoneStillSignsOut()
    {
        fixture::Server gone;
        QVERIFY(gone.ctl({u"user"_s, u"add"_s, u"erin"_s, u"--password"_s, u"password-e"_s}));
        QVERIFY(gone.start());
        Session erin(nullptr);
        erin.setRememberCredentials(false);
        erin.signIn(gone.url(), u"erin"_s, u"password-e"_s);
        QTRY_COMPARE_WITH_TIMEOUT(erin.status(), Session::Online, 10000);
        gone.stop();
        QSignalSpy revoked(&erin, &Session::signedOutOnServer);
        erin.signOut();
        QCOMPARE(erin.status(), Session::SignedOut);
        QVERIFY(erin.errorMessage().isEmpty());
        QVERIFY(revoked.wait(15000) || revoked.count() == 1);
        QCOMPARE(revoked.first().first().toBool(), false); // unreachable: best effort only
        QCOMPARE(erin.status(), Session::SignedOut);
    }

    void expiredSessionReturnsToSignIn()
    {
        // A server of its own whose clock is moved past session_idle_days (30) on restart.
        fixture::Server expiring;
        QVERIFY(expiring.ctl({u"user"_s, u"add"_s, u"dave"_s, u"--password"_s, u"password-d"_s}));
        QVERIFY(expiring.start());
        Session dave(nullptr);
        dave.setRememberCredentials(false);
        dave.signIn(expiring.url(), u"dave"_s, u"password-d"_s);
        QTRY_COMPARE_WITH_TIMEOUT(dave.status(), Session::Online, 10000);
        QTest::qWait(1500); // the server records the session's use a second after it
        expiring.stop();
        expiring.env = QProcessEnvironment::systemEnvironment();
        expiring.env.insert(u"HERALD_TEST_CLOCK_OFFSET_MS"_s,
                            QString::number(31LL * 24 * 3600 * 1000));
        QVERIFY(expiring.start());
        dave.connection()->retryNow(); // the client was waiting to reconnect after 1001
        QTRY_COMPARE_WITH_TIMEOUT(dave.status(), Session::SignedOut, 15000);
        QCOMPARE(dave.connection()->lastCloseCode(), 4010);
        QCOMPARE(dave.errorMessage(),
                 u"Your session expired because it was not used for a long time. Please sign "
                 "in again."_s);
        // No further connection attempt: the state stays Disconnected, no retry is scheduled.
        QSignalSpy states(dave.connection(), &Connection::stateChanged);
        QSignalSpy retries(dave.connection(), &Connection::reconnectScheduled);
        QTest::qWait(2500);
        QCOMPARE(dave.connection()->state(), Connection::Disconnected);
        QCOMPARE(retries.count(), 0);
        QCOMPARE(states.count(), 0);
    }
};

QTEST_MAIN(TestSessionEnd)
#include "tst_sessionend.moc"
