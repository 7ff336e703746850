// Authentication (server/core/features/authentication.*) through the hub and a recording peer:
// tokens at the handshake and in an auth frame, hello, frames that wait for it, the token
// cache, ending sessions, the per-person cap, password login and service tokens; sessions
// that end (signing out, idle expiry on the server's clock moved by the test) and the record of
// each token's last use.
#include "hubkit.h"

#include "core/clock.h"

#include <QSignalSpy>

using namespace herald;
using namespace hubkit;

class TestAuthentication : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_w = std::make_unique<World>();
        m_w->user(QStringLiteral("alice"), QStringLiteral("alice-password"));
        m_w->user(QStringLiteral("bob"));
        m_alice = m_w->token(QStringLiteral("alice"));
        m_bob = m_w->token(QStringLiteral("bob"));
        m_w->room(QStringLiteral("general"), {QStringLiteral("alice"), QStringLiteral("bob")});
    }
    void cleanup()
    {
        m_w.reset();
        clock::setTestOffset(0);
    }

    void bearerTokenGetsHello()
    {
        QVERIFY(m_w->start());
        RecordingPeer a;
        QVERIFY(m_w->connect(a, m_alice));
        const QJsonObject hello = a.of("hello").first();
        QCOMPARE(hello.value(QLatin1String("protocol")).toInt(), proto::Version);
        QCOMPARE(hello.value(QLatin1String("user")).toObject().value(QLatin1String("name")),
                 QStringLiteral("alice"));
        QCOMPARE(hello.value(QLatin1String("online")).toInt(), 1);
        const QJsonArray rooms = hello.value(QLatin1String("rooms")).toArray();
        QCOMPARE(rooms.size(), 1);
        QCOMPARE(rooms.first().toObject().value(QLatin1String("name")), QStringLiteral("general"));
        QVERIFY(rooms.first().toObject().value(QLatin1String("member")).toBool());
        QCOMPARE(hello.value(QLatin1String("unread")).toInt(), 0);
        QCOMPARE(m_w->hub->connectionCount(), 1);
    }

    void authFrameAuthenticates()
    {
        QVERIFY(m_w->start());
        RecordingPeer b;
        const quint64 cb = m_w->hub->open(&b, QString());
        m_w->hub->text(cb,
                       QByteArray("{\"type\":\"auth\",\"token\":\"") + m_bob.toLatin1() + "\"}");
        QTRY_COMPARE(b.of("hello").size(), 1);
        QCOMPARE(b.closedWith, 0);
        // a second auth frame is refused, the connection stays
        m_w->hub->text(cb, QByteArray("{\"type\":\"auth\",\"id\":\"again\",\"token\":\"") +
                               m_bob.toLatin1() + "\"}");
        QTRY_COMPARE(code(b.answer(QStringLiteral("again"))), QStringLiteral("conflict"));
        QCOMPARE(b.closedWith, 0);
    }

    void firstFrameMustBeAuth()
    {
        QVERIFY(m_w->start());
        RecordingPeer p;
        const quint64 c = m_w->hub->open(&p, QString());
        m_w->hub->text(c, frame(R"({"type":"ping","id":"p"})"));
        QCOMPARE(p.closedWith, proto::Close::AuthFailed);
        QCOMPARE(code(p.of("error").first()), QStringLiteral("unauthorized"));
        QVERIFY(p.of("pong").isEmpty());
    }

    void badTokensClose()
    {
        QVERIFY(m_w->start());
        RecordingPeer malformed, wrongSecret;
        m_w->hub->open(&malformed, QStringLiteral("nope"));
        QString forged = m_alice;
        forged.chop(4);
        forged += QStringLiteral("AAAA");
        m_w->hub->open(&wrongSecret, forged);
        QTRY_COMPARE(malformed.closedWith, proto::Close::AuthFailed);
        QTRY_COMPARE(wrongSecret.closedWith, proto::Close::AuthFailed);
        QVERIFY(malformed.of("hello").isEmpty());
        QVERIFY(wrongSecret.of("hello").isEmpty());
        QCOMPARE(m_w->hub->stats().authFailures, 2u);
    }

    void framesBeforeHelloFollowIt()
    {
        QVERIFY(m_w->start());
        RecordingPeer a;
        const quint64 ca = m_w->hub->open(&a, m_alice);
        // The token check starts on the next turn of the event loop; from then on frames wait.
        QCoreApplication::processEvents();
        m_w->hub->text(ca, frame(R"({"type":"ping","id":"early"})"));
        QTRY_COMPARE(a.of("pong").size(), 1);
        QCOMPARE(a.closedWith, 0);
        QVERIFY(a.types().indexOf(QStringLiteral("hello")) <
                a.types().indexOf(QStringLiteral("pong")));
    }

    void tokenIssuedAfterLoadIsFoundInStorage()
    {
        QVERIFY(m_w->start());
        const QString fresh = m_w->token(QStringLiteral("bob")); // heraldctl, server running
        RecordingPeer b;
        QVERIFY(m_w->connect(b, fresh));
        QCOMPARE(b.of("hello")
                     .first()
                     .value(QLatin1String("user"))
                     .toObject()
                     .value(QLatin1String("name")),
                 QStringLiteral("bob"));
    }

    void revokedTokenEndsTheSession()
    {
        QVERIFY(m_w->start());
        RecordingPeer a, b;
        QVERIFY(m_w->connect(a, m_alice));
        QVERIFY(m_w->connect(b, m_bob));
        QByteArray secret;
        QVERIFY(!m_w->store.revokeToken(crypto::parseToken(m_alice, &secret)));
        bool reloaded = false;
        m_w->hub->reload([&reloaded] { reloaded = true; });
        QTRY_VERIFY(reloaded);
        QCOMPARE(a.closedWith, proto::Close::TokenRevoked);
        QCOMPARE(a.of("error").last().value(QLatin1String("message")),
                 QStringLiteral("token revoked"));
        QCOMPARE(b.closedWith, 0);
        RecordingPeer again;
        m_w->hub->open(&again, m_alice);
        QTRY_COMPARE(again.closedWith, proto::Close::AuthFailed);
    }

    void disabledPersonIsClosedAndKeptOut()
    {
        QVERIFY(m_w->start());
        RecordingPeer b;
        QVERIFY(m_w->connect(b, m_bob));
        QVERIFY(!m_w->store.setDisabled(QStringLiteral("bob"), true));
        m_w->hub->reload();
        QTRY_COMPARE(b.closedWith, proto::Close::UserDisabled);
        RecordingPeer again;
        m_w->hub->open(&again, m_bob);
        QTRY_COMPARE(again.closedWith, proto::Close::UserDisabled);
        QVERIFY(again.of("hello").isEmpty());
    }

    void connectionsPerPersonAreCapped()
    {
        Config cfg = World::defaults();
        cfg.maxConnectionsPerUser = 2;
        QVERIFY(m_w->start(cfg));
        RecordingPeer p1, p2, p3;
        // opened together: the ones still waiting for hello count too
        m_w->hub->open(&p1, m_bob);
        m_w->hub->open(&p2, m_bob);
        m_w->hub->open(&p3, m_bob);
        QTRY_COMPARE(p3.closedWith, proto::Close::TooManyConnections);
        QTRY_COMPARE(p1.of("hello").size(), 1);
        QTRY_COMPARE(p2.of("hello").size(), 1);
        QCOMPARE(code(p3.of("error").first()), QStringLiteral("rate_limited"));
    }

    void authTimeoutCloses()
    {
        Config cfg = World::defaults();
        cfg.authTimeout = 1;
        QVERIFY(m_w->start(cfg));
        RecordingPeer silent;
        m_w->hub->open(&silent, QString());
        QTRY_COMPARE_WITH_TIMEOUT(silent.closedWith, proto::Close::AuthTimeout, 5000);
    }

    void loginIssuesASessionToken()
    {
        QVERIFY(m_w->start());
        QJsonObject wrong, right, unknown;
        m_w->hub->login(QStringLiteral("alice"), QStringLiteral("guess"),
                        [&wrong](const QJsonObject &r) { wrong = r; });
        m_w->hub->login(QStringLiteral("nobody"), QStringLiteral("guess"),
                        [&unknown](const QJsonObject &r) { unknown = r; });
        m_w->hub->login(QStringLiteral("alice"), QStringLiteral("alice-password"),
                        [&right](const QJsonObject &r) { right = r; });
        QTRY_VERIFY_WITH_TIMEOUT(!wrong.isEmpty() && !right.isEmpty() && !unknown.isEmpty(), 20000);
        QCOMPARE(wrong.value(QLatin1String("error")), QStringLiteral("unauthorized"));
        QCOMPARE(unknown.value(QLatin1String("error")), QStringLiteral("unauthorized"));
        QVERIFY(!right.contains(QLatin1String("error")));
        QCOMPARE(right.value(QLatin1String("user")).toObject().value(QLatin1String("name")),
                 QStringLiteral("alice"));
        // the session token works at once, from the cache
        RecordingPeer a;
        QVERIFY(m_w->connect(a, right.value(QLatin1String("token")).toString()));
    }

    void serviceTokensAreForPublishersOnly()
    {
        qint64 service = 0;
        const QString token = m_w->service(QStringLiteral("erp"), &service);
        QVERIFY(m_w->start());
        QCOMPARE(m_w->hub->serviceForToken(token, QStringLiteral("10.1.2.3")), service);
        QCOMPARE(m_w->hub->serviceForToken(m_alice), 0);
        QCOMPARE(m_w->hub->serviceForToken(QStringLiteral("hrd_1_nope")), 0);
        RecordingPeer p;
        m_w->hub->open(&p, token); // not a person: cannot open a connection
        QTRY_COMPARE(p.closedWith, proto::Close::AuthFailed);
        // the publisher's use is recorded, with its address
        QTRY_COMPARE(tokenRow(token).lastUsedFrom, QStringLiteral("10.1.2.3"));
        QVERIFY(tokenRow(token).lastUsedAt > 0);
        // service tokens do not expire when idle
        clock::setTestOffset(400 * Day);
        QCOMPARE(m_w->hub->serviceForToken(token), service);
    }

    void useIsRecordedAtMostOnceAMinute()
    {
        QVERIFY(m_w->start());
        QCOMPARE(tokenRow(m_alice).lastUsedAt, 0);
        const qint64 before = clock::nowMs();
        RecordingPeer a;
        QVERIFY(m_w->connect(a, m_alice));
        QTRY_VERIFY(tokenRow(m_alice).lastUsedAt >= before);
        const TokenRow first = tokenRow(m_alice);
        QCOMPARE(first.lastUsedFrom, QStringLiteral("test")); // the peer's address
        QVERIFY(first.lastUsedAt <= clock::nowMs());
        // used again within the minute: no second write
        QTest::qWait(20);
        RecordingPeer again;
        QVERIFY(m_w->connect(again, m_alice));
        QTest::qWait(1300); // past the batching delay
        m_w->settle();
        QCOMPARE(tokenRow(m_alice).lastUsedAt, first.lastUsedAt);
        // two minutes later it is written again
        clock::setTestOffset(2 * 60 * 1000);
        RecordingPeer later;
        QVERIFY(m_w->connect(later, m_alice));
        QTRY_VERIFY(tokenRow(m_alice).lastUsedAt >= first.lastUsedAt + 2 * 60 * 1000);
    }

    void shutdownWritesPendingUses()
    {
        QVERIFY(m_w->start());
        RecordingPeer a;
        QVERIFY(m_w->connect(a, m_alice));
        QCOMPARE(tokenRow(m_alice).lastUsedAt, 0); // batched: not written yet
        m_w->hub->closeAll(proto::Close::GoingAway, QStringLiteral("shutting down"));
        m_w->settle();
        QVERIFY(tokenRow(m_alice).lastUsedAt > 0);
    }

    void idleSessionsExpire()
    {
        Config cfg = World::defaults();
        cfg.sessionIdleDays = 30;
        QVERIFY(m_w->start(cfg));
        const QString session = login();
        QVERIFY(!session.isEmpty());
        RecordingPeer first;
        QVERIFY(m_w->connect(first, session));
        // used within the window: accepted, and the use moves the window
        clock::setTestOffset(29 * Day);
        RecordingPeer day29;
        QVERIFY(m_w->connect(day29, session));
        QTRY_VERIFY(tokenRow(session).lastUsedAt >= QDateTime::currentMSecsSinceEpoch() + 28 * Day);
        clock::setTestOffset(58 * Day);
        RecordingPeer day58;
        QVERIFY(m_w->connect(day58, session));
        // idle for more than 30 days: refused with 4010, in a header and in an auth frame
        clock::setTestOffset(89 * Day);
        RecordingPeer day89;
        QVERIFY(!m_w->connect(day89, session));
        QCOMPARE(day89.closedWith, proto::Close::SessionExpired);
        QCOMPARE(code(day89.of("error").first()), QStringLiteral("unauthorized"));
        QCOMPARE(day89.of("error").first().value(QLatin1String("message")),
                 QStringLiteral("session expired"));
        RecordingPeer frame;
        const quint64 c = m_w->hub->open(&frame, QString());
        m_w->hub->text(c,
                       QByteArray("{\"type\":\"auth\",\"token\":\"") + session.toLatin1() + "\"}");
        QTRY_COMPARE(frame.closedWith, proto::Close::SessionExpired);
        QVERIFY(frame.of("hello").isEmpty());
        // personal tokens do not expire when idle
        RecordingPeer personal;
        QVERIFY(m_w->connect(personal, m_alice));
        // an expired session cannot sign out either
        QCOMPARE(code(logout(session)), QStringLiteral("unauthorized"));
    }

    void anotherNodesUseKeepsASessionAlive()
    {
        Config cfg = World::defaults();
        cfg.sessionIdleDays = 30;
        QVERIFY(m_w->start(cfg));
        const QString session = login();
        // another node recorded a use 20 days on; this node's cache does not know it
        QByteArray secret;
        const qint64 id = crypto::parseToken(session, &secret);
        QVERIFY(!m_w->store.recordTokenUses(
            {TokenUse{id, clock::nowMs() + 20 * Day, QStringLiteral("10.9.9.9")}}));
        clock::setTestOffset(40 * Day);
        RecordingPeer p;
        QVERIFY(m_w->connect(p, session)); // storage is asked before refusing
        clock::setTestOffset(40 * Day + 31 * Day);
        RecordingPeer late;
        QVERIFY(!m_w->connect(late, session));
        QCOMPARE(late.closedWith, proto::Close::SessionExpired);
    }

    void sessionsNeverExpireWithZeroDays()
    {
        Config cfg = World::defaults();
        cfg.sessionIdleDays = 0;
        QVERIFY(m_w->start(cfg));
        const QString session = login();
        clock::setTestOffset(3650 * Day);
        RecordingPeer p;
        QVERIFY(m_w->connect(p, session));
    }

    void openConnectionsKeepTheirSessionAlive()
    {
        Config cfg = World::defaults();
        cfg.heartbeatTimeout = 1000 * 24 * 3600; // the jump below must not look like silence
        QVERIFY(m_w->start(cfg));
        const QString session = login();
        RecordingPeer p;
        QVERIFY(m_w->connect(p, session));
        QTRY_VERIFY(tokenRow(session).lastUsedAt > 0);
        const qint64 first = tokenRow(session).lastUsedAt;
        clock::setTestOffset(2 * 3600 * 1000); // two hours on, still connected
        QTRY_VERIFY_WITH_TIMEOUT(tokenRow(session).lastUsedAt >= first + 2 * 3600 * 1000, 5000);
        QCOMPARE(p.closedWith, 0);
    }

    void logoutRevokesAndClosesThatTokensConnections()
    {
        QVERIFY(m_w->start());
        const QString session = login();
        RecordingPeer s1, s2, personal, bob;
        QVERIFY(m_w->connect(s1, session));
        QVERIFY(m_w->connect(s2, session));
        QVERIFY(m_w->connect(personal, m_alice));
        QVERIFY(m_w->connect(bob, m_bob));
        const QJsonObject out = logout(session);
        QCOMPARE(out.value(QLatin1String("status")).toString(), QStringLiteral("signed out"));
        QTRY_COMPARE(s1.closedWith, proto::Close::TokenRevoked);
        QTRY_COMPARE(s2.closedWith, proto::Close::TokenRevoked);
        QCOMPARE(personal.closedWith, 0); // alice's other token stays
        QCOMPARE(bob.closedWith, 0);
        QVERIFY(tokenRow(session).revoked);
        // the signed-out token no longer authenticates
        RecordingPeer again;
        QVERIFY(!m_w->connect(again, session));
        QCOMPARE(again.closedWith, proto::Close::AuthFailed);
        // twice, garbage, a forged secret, a service token: unauthorized
        QCOMPARE(code(logout(session)), QStringLiteral("unauthorized"));
        QCOMPARE(code(logout(QStringLiteral("nope"))), QStringLiteral("unauthorized"));
        QCOMPARE(code(logout(QString())), QStringLiteral("unauthorized"));
        QString forged = m_bob;
        forged.chop(4);
        forged += QStringLiteral("AAAA");
        QCOMPARE(code(logout(forged)), QStringLiteral("unauthorized"));
        QCOMPARE(bob.closedWith, 0);
        const QString service = m_w->service(QStringLiteral("erp"));
        QCOMPARE(code(logout(service)), QStringLiteral("unauthorized"));
        QVERIFY(!tokenRow(service).revoked);
    }

private:
    static constexpr qint64 Day = 24LL * 3600 * 1000;

    TokenRow tokenRow(const QString &token)
    {
        QByteArray secret;
        return m_w->store.token(crypto::parseToken(token, &secret)).value_or(TokenRow{});
    }
    /** Alice's password login through the hub: a session token (empty on failure). */
    QString login()
    {
        QJsonObject reply;
        m_w->hub->login(QStringLiteral("alice"), QStringLiteral("alice-password"),
                        [&reply](const QJsonObject &r) { reply = r; });
        if (!QTest::qWaitFor([&] { return !reply.isEmpty(); }, 10000))
            return {};
        return reply.value(QLatin1String("token")).toString();
    }
    /** Signing out through the hub: {status} or {error, message}; "code" of an error. */
    QJsonObject logout(const QString &token)
    {
        QJsonObject reply;
        m_w->hub->logout(token, [&reply](const QJsonObject &r) { reply = r; });
        [[maybe_unused]] const bool answered =
            QTest::qWaitFor([&] { return !reply.isEmpty(); }, 10000);
        if (reply.contains(QLatin1String("error")))
            return {{QStringLiteral("code"), reply.value(QLatin1String("error"))},
                    {QStringLiteral("message"), reply.value(QLatin1String("message"))}};
        return reply;
    }

    std::unique_ptr<World> m_w;
    QString m_alice, m_bob;
};

QTEST_GUILESS_MAIN(TestAuthentication)
#include "tst_authentication.moc"
