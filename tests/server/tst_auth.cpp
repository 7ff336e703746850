// Auth against a real server on port 0 with real QWebSocket clients.
#include "testkit.h"

#include "core/clock.h"
#include "core/crypto.h"
#include "core/hub.h"

using namespace testkit;
namespace Close = herald::proto::Close;

class TestAuth : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        seed.user(QStringLiteral("alice"), QStringLiteral("correct horse"));
        seed.user(QStringLiteral("bob"));
        m_alice = seed.token(QStringLiteral("alice"));
        m_bob = seed.token(QStringLiteral("bob"));
        m_service = seed.service(QStringLiteral("erp"));
    }
    void cleanup()
    {
        m_dir.reset();
        herald::clock::setTestOffset(0);
    }

    void bearerTokenGetsHello()
    {
        LocalServer s(m_dir->path());
        Client c;
        QVERIFY(c.open(s.wsUrl(), m_alice));
        const QJsonObject hello = c.all(QStringLiteral("hello")).first();
        QCOMPARE(hello.value(QLatin1String("protocol")).toInt(), herald::proto::Version);
        QCOMPARE(
            hello.value(QLatin1String("user")).toObject().value(QLatin1String("name")).toString(),
            QStringLiteral("alice"));
        QCOMPARE(c.ws.subprotocol(), QString::fromLatin1(herald::proto::Subprotocol));
    }

    void authFrameGetsHello()
    {
        LocalServer s(m_dir->path());
        Client c;
        QVERIFY(c.open(s.wsUrl(), QString(), false));
        c.send(QStringLiteral("auth"), {{QStringLiteral("token"), m_bob}});
        QVERIFY(!c.waitFor(QStringLiteral("hello")).isEmpty());
        c.send(QStringLiteral("ping"), {{QStringLiteral("id"), QStringLiteral("p1")}});
        QCOMPARE(c.waitFor(QStringLiteral("pong")).value(QLatin1String("id")).toString(),
                 QStringLiteral("p1"));
    }

    void invalidTokenCloses_data()
    {
        QTest::addColumn<QString>("token");
        QTest::newRow("garbage") << QStringLiteral("nonsense");
        QTest::newRow("wrong secret") << QStringLiteral("WRONG");
        QTest::newRow("unknown id") << QStringLiteral("hrd_999999_abcdef");
        QTest::newRow("service token") << QStringLiteral("SERVICE");
    }
    void invalidTokenCloses()
    {
        QFETCH(QString, token);
        if (token == QLatin1String("SERVICE"))
            token = m_service;
        if (token == QLatin1String("WRONG"))
            token = m_alice.left(m_alice.indexOf(QLatin1Char('_'), 4) + 1) + QStringLiteral("AAAA");
        LocalServer s(m_dir->path());
        Client c;
        QVERIFY(!c.open(s.wsUrl(), token));
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode, Close::AuthFailed);
        QCOMPARE(s.server->hub()->stats().authFailures, 1u);
    }

    void requestBeforeAuthCloses()
    {
        LocalServer s(m_dir->path());
        Client c;
        QVERIFY(c.open(s.wsUrl(), QString(), false));
        c.send(QStringLiteral("room.list"), {{QStringLiteral("id"), 1}});
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode, Close::AuthFailed);
        QCOMPARE(c.all(QStringLiteral("error")).first().value(QLatin1String("code")).toString(),
                 QStringLiteral("unauthorized"));
    }

    void authTimeout()
    {
        herald::Config cfg;
        cfg.authTimeout = 1;
        LocalServer s(m_dir->path(), cfg);
        Client c;
        QVERIFY(c.open(s.wsUrl(), QString(), false));
        QElapsedTimer t;
        t.start();
        QVERIFY(c.waitClosed(5000));
        QCOMPARE(c.closeCode, Close::AuthTimeout);
        QVERIFY(t.elapsed() >= 900);
    }

    void revokedWhileConnected()
    {
        LocalServer s(m_dir->path());
        Client a1, b;
        QVERIFY(a1.open(s.wsUrl(), m_alice));
        QVERIFY(b.open(s.wsUrl(), m_bob));
        {
            Store st;
            QVERIFY(!st.open(m_dir->path()));
            QByteArray secret;
            QVERIFY(!st.revokeToken(herald::crypto::parseToken(m_alice, &secret)));
        }
        s.server->hub()->reload(); // what heraldctl's control-socket poke triggers
        QVERIFY(a1.waitClosed());
        QCOMPARE(a1.closeCode, Close::TokenRevoked);
        QCOMPARE(b.ws.state(), QAbstractSocket::ConnectedState);
        Client again;
        QVERIFY(!again.open(s.wsUrl(), m_alice));
        QCOMPARE(again.closeCode, Close::AuthFailed);
    }

    void disabledWhileConnected()
    {
        LocalServer s(m_dir->path());
        Client a;
        QVERIFY(a.open(s.wsUrl(), m_alice));
        {
            Store st;
            QVERIFY(!st.open(m_dir->path()));
            QVERIFY(!st.setDisabled(QStringLiteral("alice"), true));
        }
        s.server->hub()->reload();
        QVERIFY(a.waitClosed());
        QCOMPARE(a.closeCode, Close::UserDisabled);
        Client again;
        QVERIFY(!again.open(s.wsUrl(), m_alice));
        QCOMPARE(again.closeCode, Close::UserDisabled);
    }

    void tokenIssuedAfterStartWorks()
    {
        LocalServer s(m_dir->path());
        QString fresh;
        {
            Seed seed(m_dir->path());
            fresh = seed.token(QStringLiteral("bob"));
        }
        Client c;
        QVERIFY(c.open(s.wsUrl(), fresh)); // not in memory yet: looked up in storage
    }

    void login()
    {
        LocalServer s(m_dir->path());
        Http http;
        auto ok = http.post(s.httpUrl(QStringLiteral("/api/v1/login")),
                            {{QStringLiteral("username"), QStringLiteral("alice")},
                             {QStringLiteral("password"), QStringLiteral("correct horse")}});
        QCOMPARE(ok.status, 200);
        const QString token = ok.json.value(QLatin1String("token")).toString();
        QVERIFY(token.startsWith(QLatin1String("hrd_")));
        Client c;
        QVERIFY(c.open(s.wsUrl(), token));

        auto bad = http.post(s.httpUrl(QStringLiteral("/api/v1/login")),
                             {{QStringLiteral("username"), QStringLiteral("alice")},
                              {QStringLiteral("password"), QStringLiteral("wrong")}});
        QCOMPARE(bad.status, 401);
        QCOMPARE(bad.json.value(QLatin1String("error"))
                     .toObject()
                     .value(QLatin1String("code"))
                     .toString(),
                 QStringLiteral("unauthorized"));
        auto nobody = http.post(s.httpUrl(QStringLiteral("/api/v1/login")),
                                {{QStringLiteral("username"), QStringLiteral("mallory")},
                                 {QStringLiteral("password"), QStringLiteral("x")}});
        QCOMPARE(nobody.status, 401);
        auto noPassword = http.post(s.httpUrl(QStringLiteral("/api/v1/login")),
                                    {{QStringLiteral("username"), QStringLiteral("bob")}});
        QCOMPARE(noPassword.status, 400);
        QCOMPARE(noPassword.json.value(QLatin1String("error"))
                     .toObject()
                     .value(QLatin1String("field"))
                     .toString(),
                 QStringLiteral("password"));
        auto notJson = http.request("POST", s.httpUrl(QStringLiteral("/api/v1/login")), "{nope");
        QCOMPARE(notJson.status, 400);
        // bob has no password at all: cannot log in with any
        auto bobLogin = http.post(s.httpUrl(QStringLiteral("/api/v1/login")),
                                  {{QStringLiteral("username"), QStringLiteral("bob")},
                                   {QStringLiteral("password"), QString()}});
        QCOMPARE(bobLogin.status, 400);
    }

    void logoutOverHttp()
    {
        LocalServer s(m_dir->path());
        Http http;
        const QString session = login(http, s);
        QVERIFY(!session.isEmpty());
        Client device, other;
        QVERIFY(device.open(s.wsUrl(), session));
        QVERIFY(other.open(s.wsUrl(), m_alice));
        // the use is recorded with the peer's address, without its port
        QTRY_COMPARE(tokenRow(session).lastUsedFrom, QStringLiteral("127.0.0.1"));

        const auto out = http.post(s.httpUrl(QStringLiteral("/api/v1/logout")), {}, session);
        QCOMPARE(out.status, 200);
        QCOMPARE(out.json.value(QLatin1String("status")).toString(), QStringLiteral("signed out"));
        QVERIFY(device.waitClosed());
        QCOMPARE(device.closeCode, Close::TokenRevoked);
        QCOMPARE(other.ws.state(), QAbstractSocket::ConnectedState);
        QVERIFY(tokenRow(session).revoked);
        Client again;
        QVERIFY(!again.open(s.wsUrl(), session));
        QCOMPARE(again.closeCode, Close::AuthFailed);

        // twice, without a token, with garbage: 401 with a JSON error
        for (const QString &token : {session, QString(), QStringLiteral("hrd_99_nope")}) {
            const auto r = http.post(s.httpUrl(QStringLiteral("/api/v1/logout")), {}, token);
            QCOMPARE(r.status, 401);
            QCOMPARE(r.json.value(QLatin1String("error"))
                         .toObject()
                         .value(QLatin1String("code"))
                         .toString(),
                     QStringLiteral("unauthorized"));
        }
        QCOMPARE(http.get(s.httpUrl(QStringLiteral("/api/v1/logout")), m_alice).status, 405);
        QCOMPARE(other.ws.state(), QAbstractSocket::ConnectedState);
    }

    void publisherUseIsRecordedNotEveryRequest()
    {
        LocalServer s(m_dir->path());
        Http http;
        const QJsonObject notice{
            {QStringLiteral("recipients"),
             QJsonObject{{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}}},
            {QStringLiteral("title"), QStringLiteral("build done")}};
        QCOMPARE(
            http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")), notice, m_service).status,
            201);
        QTRY_COMPARE(tokenRow(m_service).lastUsedFrom, QStringLiteral("127.0.0.1"));
        const qint64 first = tokenRow(m_service).lastUsedAt;
        QVERIFY(first > 0);
        // more requests within the minute: no more writes
        for (int i = 0; i < 5; ++i)
            QCOMPARE(
                http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")), notice, m_service)
                    .status,
                201);
        QTest::qWait(1300); // past the batching delay
        QCOMPARE(tokenRow(m_service).lastUsedAt, first);
        // service tokens do not expire when idle
        herald::clock::setTestOffset(400LL * 24 * 3600 * 1000);
        QCOMPARE(
            http.post(s.httpUrl(QStringLiteral("/api/v1/notifications")), notice, m_service).status,
            201);
        QTRY_VERIFY(tokenRow(m_service).lastUsedAt > first + 399LL * 24 * 3600 * 1000);
    }

    void expiredSessionIsRefused()
    {
        LocalServer s(m_dir->path()); // session_idle_days: 30 by default
        Http http;
        const QString session = login(http, s);
        Client fresh;
        QVERIFY(fresh.open(s.wsUrl(), session));
        herald::clock::setTestOffset(31LL * 24 * 3600 * 1000);
        Client late;
        QVERIFY(!late.open(s.wsUrl(), session));
        QCOMPARE(late.closeCode, Close::SessionExpired);
        QCOMPARE(late.all(QStringLiteral("error")).first().value(QLatin1String("message")),
                 QStringLiteral("session expired"));
        const auto r = http.post(s.httpUrl(QStringLiteral("/api/v1/logout")), {}, session);
        QCOMPARE(r.status, 401);
        QCOMPARE(r.json.value(QLatin1String("error")).toObject().value(QLatin1String("message")),
                 QStringLiteral("session expired"));
        Client personal; // tokens from heraldctl do not expire when idle
        QVERIFY(personal.open(s.wsUrl(), m_alice));
    }

    void passwordsAndTokensAreStoredHashed()
    {
        QFile db(m_dir->path() + QStringLiteral("/herald.db"));
        QVERIFY(db.open(QIODevice::ReadOnly));
        const QByteArray all = db.readAll();
        QVERIFY(!all.contains("correct horse"));
        QVERIFY(!all.contains(m_alice.mid(m_alice.indexOf(QLatin1Char('_'), 4) + 1).toLatin1()));
        QVERIFY(herald::crypto::verifyPassword(
            QStringLiteral("pw"), herald::crypto::legacyPbkdf2Hash(QStringLiteral("pw"), 1000)));
        QVERIFY(!herald::crypto::verifyPassword(
            QStringLiteral("pw2"), herald::crypto::legacyPbkdf2Hash(QStringLiteral("pw"), 1000)));
    }

private:
    QString login(Http &http, const LocalServer &s)
    {
        return http
            .post(s.httpUrl(QStringLiteral("/api/v1/login")),
                  {{QStringLiteral("username"), QStringLiteral("alice")},
                   {QStringLiteral("password"), QStringLiteral("correct horse")}})
            .json.value(QLatin1String("token"))
            .toString();
    }
    herald::TokenRow tokenRow(const QString &token)
    {
        Seed seed(m_dir->path()); // SQLite, or the test's PostgreSQL database
        QByteArray secret;
        return seed.store.token(herald::crypto::parseToken(token, &secret))
            .value_or(herald::TokenRow{});
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_alice, m_bob, m_service;
};

QTEST_MAIN(TestAuth)
#include "tst_auth.moc"
