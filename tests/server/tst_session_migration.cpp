// A database made at schema version 3 (before sessions ended), opened by this server: it
// migrates in place (through version 4, which added the token columns), every token stays as it was
// (never used so far), the tokens still sign in, and from then on their use is recorded and idle
// sessions expire.
//
// tests/server/data/v3/herald.db was made by make-fixture.sh with a version-3 heraldctl and
// herald-server: alice (password) and bob, a personal token each, a revoked one of bob's, a
// service token, and a session token from POST /api/v1/login; tokens.txt holds them. SQLite
// only: the PostgreSQL steps are the same two ALTER TABLEs, run by tst_store under the cluster
// label on a fresh database.
#include "hubkit.h"
#include "storagefixture.h"

#include "core/clock.h"
#include "core/crypto.h"
#include "core/storage/schema.h"

#include <QFile>
#include <QSqlQuery>

using namespace herald;
using namespace hubkit;

namespace {

const QString FixtureDir = QStringLiteral(HERALD_SOURCE_DIR "/tests/server/data/v3/");
constexpr qint64 Day = 24LL * 3600 * 1000;

qint64 sqlValue(const QString &file, const QString &text)
{
    const QString name = QStringLiteral("peek");
    qint64 v = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(file);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(text) && q.next())
                v = q.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return v;
}

} // namespace

class TestSessionMigration : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (testkit::StorageFixture::postgres())
            QSKIP("the version-3 fixture is an SQLite file");
        QFile f(FixtureDir + QStringLiteral("tokens.txt"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        for (const QByteArray &line : f.readAll().split('\n')) {
            const QList<QByteArray> w = line.split(' ');
            if (w.size() == 3)
                m_tokens.insert(QString::fromLatin1(w[0] + ' ' + w[1]), QString::fromLatin1(w[2]));
        }
        QCOMPARE(m_tokens.size(), 5);
    }
    void init()
    {
        QVERIFY(m_dir.isValid());
        QFile::remove(m_dir.filePath(QStringLiteral("herald.db")));
        QVERIFY(QFile::copy(FixtureDir + QStringLiteral("herald.db"),
                            m_dir.filePath(QStringLiteral("herald.db"))));
        QFile::setPermissions(m_dir.filePath(QStringLiteral("herald.db")),
                              QFile::ReadOwner | QFile::WriteOwner);
    }
    void cleanup() { clock::setTestOffset(0); }

    void tokensSurviveTheMigration()
    {
        const QString file = m_dir.filePath(QStringLiteral("herald.db"));
        QCOMPARE(sqlValue(file, QStringLiteral("PRAGMA user_version")), 3);
        const qint64 sessionCreated =
            sqlValue(file, QStringLiteral("SELECT created_at FROM tokens WHERE kind='session'"));
        QVERIFY(sessionCreated > 0);
        {
            Store st;
            const auto e = st.open(m_dir.path());
            QVERIFY2(!e, e ? qPrintable(e->message) : "");
            const QList<TokenRow> alice = st.tokens(st.user(QStringLiteral("alice"))->id, 0);
            QCOMPARE(alice.size(), 2);
            QCOMPARE(alice[0].kind, QStringLiteral("user"));
            QCOMPARE(alice[0].label, QStringLiteral("laptop"));
            QCOMPARE(alice[1].kind, QStringLiteral("session"));
            QCOMPARE(alice[1].createdAt, sessionCreated);
            const QList<TokenRow> bob = st.tokens(st.user(QStringLiteral("bob"))->id, 0);
            QCOMPARE(bob.size(), 2);
            QVERIFY(!bob[0].revoked);
            QVERIFY(bob[1].revoked);
            for (const TokenRow &t : alice + bob) {
                QCOMPARE(t.lastUsedAt, 0); // never used, as far as version 3 knew
                QVERIFY(t.lastUsedFrom.isEmpty());
            }
            QCOMPARE(st.allTokens().size(), 4);
            // expiry counts from creation until the first use
            QVERIFY(!alice[1].idleExpired(30, sessionCreated + 30 * Day));
            QVERIFY(alice[1].idleExpired(30, sessionCreated + 30 * Day + 1));
            QVERIFY(!alice[1].idleExpired(0, sessionCreated + 3650 * Day));
            QVERIFY(!alice[0].idleExpired(30, sessionCreated + 3650 * Day));
            // the new columns take uses, and never move back
            QVERIFY(!st.recordTokenUses(
                {TokenUse{alice[1].id, sessionCreated + Day, QStringLiteral("192.0.2.7")}}));
            QVERIFY(!st.recordTokenUses(
                {TokenUse{alice[1].id, sessionCreated + 1, QStringLiteral("192.0.2.8")}}));
            QCOMPARE(st.token(alice[1].id)->lastUsedAt, sessionCreated + Day);
            QCOMPARE(st.token(alice[1].id)->lastUsedFrom, QStringLiteral("192.0.2.7"));
            // the use moved the window: 30 days after creation is 29 after the use
            QVERIFY(!st.token(alice[1].id)->idleExpired(30, sessionCreated + 30 * Day + 1));
        }
        QCOMPARE(sqlValue(file, QStringLiteral("PRAGMA user_version")),
                 herald::schema::currentVersion());
        QCOMPARE(Store::integrityCheck(m_dir.path()), QStringLiteral("ok"));
        // opening again is a no-op
        Store again;
        QVERIFY(!again.open(m_dir.path()));
        QCOMPARE(sqlValue(file, QStringLiteral("PRAGMA user_version")),
                 herald::schema::currentVersion());
    }

    void migratedTokensSignInAndSessionsExpire()
    {
        const qint64 sessionCreated =
            sqlValue(m_dir.filePath(QStringLiteral("herald.db")),
                     QStringLiteral("SELECT created_at FROM tokens WHERE kind='session'"));
        Database db;
        QVERIFY(db.open(m_dir.path()).isEmpty());
        Config cfg = World::defaults();
        cfg.sessionIdleDays = 30;
        Hub hub(cfg, &db);
        QVERIFY(hub.load().isEmpty());
        auto at = [](qint64 t) { clock::setTestOffset(t - QDateTime::currentMSecsSinceEpoch()); };
        auto connect = [&hub](RecordingPeer &p, const QString &token) {
            hub.open(&p, token);
            return QTest::qWaitFor([&] { return !p.of("hello").isEmpty() || p.closedWith; }) &&
                   !p.of("hello").isEmpty();
        };
        const QString session = m_tokens.value(QStringLiteral("session alice"));

        at(sessionCreated + 10 * Day);
        RecordingPeer alice, bob, revoked, session10;
        QVERIFY(connect(alice, m_tokens.value(QStringLiteral("user alice"))));
        QVERIFY(connect(bob, m_tokens.value(QStringLiteral("user bob"))));
        QVERIFY(!connect(revoked, m_tokens.value(QStringLiteral("revoked bob"))));
        QCOMPARE(revoked.closedWith, proto::Close::AuthFailed);
        QVERIFY(connect(session10, session));
        QVERIFY(hub.serviceForToken(m_tokens.value(QStringLiteral("service erp")),
                                    QStringLiteral("198.51.100.1")) > 0);
        // every use is written (within the batching delay), with where it came from
        Store st;
        QVERIFY(!st.open(m_dir.path()));
        QByteArray secret;
        const qint64 sessionId = crypto::parseToken(session, &secret);
        const qint64 serviceId =
            crypto::parseToken(m_tokens.value(QStringLiteral("service erp")), &secret);
        QTRY_VERIFY(st.token(sessionId)->lastUsedAt >= sessionCreated + 10 * Day);
        QCOMPARE(st.token(sessionId)->lastUsedFrom, QStringLiteral("test"));
        QTRY_COMPARE(st.token(serviceId)->lastUsedFrom, QStringLiteral("198.51.100.1"));

        // 31 days after that use the session is refused; the personal token is not
        at(sessionCreated + 41 * Day + 1000);
        RecordingPeer late, personal;
        QVERIFY(!connect(late, session));
        QCOMPARE(late.closedWith, proto::Close::SessionExpired);
        QVERIFY(connect(personal, m_tokens.value(QStringLiteral("user alice"))));
    }

private:
    QTemporaryDir m_dir;
    QHash<QString, QString> m_tokens; // "kind name" -> token
};

QTEST_GUILESS_MAIN(TestSessionMigration)
#include "tst_session_migration.moc"
