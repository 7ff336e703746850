// Password hashing (Argon2id through libsodium, with the rehash of older PBKDF2 hashes on sign-in)
// and the sign-in throttle per address and per account: the class driven with its own clock,
// then a real server on port 0 reached from several loopback addresses.
#include "testkit.h"

#include "core/crypto.h"
#include "core/features/loginthrottle.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpSocket>

using namespace testkit;
using herald::LoginThrottle;
namespace crypto = herald::crypto;

namespace {

/** The parameters part of a libsodium string: "$argon2id$v=19$m=65536,t=2,p=1$". */
QString argonParams(const QString &hash)
{
    return hash.section(QLatin1Char('$'), 0, 3);
}

/** POST /api/v1/login from a chosen loopback source address, without blocking the event loop
 *  (the server runs in this thread). */
Http::Response loginFrom(const QString &from, quint16 port, const QString &user,
                         const QString &password)
{
    Http::Response r;
    QTcpSocket sock;
    if (!sock.bind(QHostAddress(from)))
        return r;
    sock.connectToHost(QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&] { return sock.state() == QAbstractSocket::ConnectedState; }, 5000))
        return r;
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("username"), user},
                                                      {QStringLiteral("password"), password}})
                                .toJson(QJsonDocument::Compact);
    sock.write(
        "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Connection: close\r\nContent-Length: " +
        QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QByteArray all;
    const auto complete = [&] {
        all += sock.readAll();
        const qsizetype end = all.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const QByteArray head = all.left(end).toLower();
        const qsizetype cl = head.indexOf("content-length:");
        if (cl < 0)
            return sock.state() == QAbstractSocket::UnconnectedState;
        const qint64 length =
            head.mid(cl + 15, head.indexOf('\r', cl) - cl - 15).trimmed().toLongLong();
        return all.size() - end - 4 >= length;
    };
    if (!QTest::qWaitFor(complete, 20000))
        return r;
    r.status = all.mid(9, 3).toInt();
    r.body = all.mid(all.indexOf("\r\n\r\n") + 4);
    r.json = QJsonDocument::fromJson(r.body).object();
    return r;
}

} // namespace

class TestPasswords : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void argon2idIsTheFormat()
    {
        const QString h = crypto::hashPassword(QStringLiteral("correct horse"));
        QVERIFY2(h.startsWith(QLatin1String("$argon2id$v=19$m=65536,t=2,p=1$")), qPrintable(h));
        QVERIFY(crypto::verifyPassword(QStringLiteral("correct horse"), h));
        QVERIFY(!crypto::verifyPassword(QStringLiteral("correct horsE"), h));
        QVERIFY(!crypto::verifyPassword(QString(), h));
        QVERIFY(!crypto::needsRehash(h));
        // Salted: the same password never gives the same string.
        QVERIFY(crypto::hashPassword(QStringLiteral("correct horse")) != h);
        // Non-ASCII passwords are hashed as UTF-8.
        const QString zh = crypto::hashPassword(QStringLiteral("密码-пароль"));
        QVERIFY(crypto::verifyPassword(QStringLiteral("密码-пароль"), zh));
        QVERIFY(!crypto::verifyPassword(QStringLiteral("密码"), zh));
    }

    void dummyHashHasTheRealParameters()
    {
        // An unknown name is checked against the dummy: same algorithm, same limits.
        QCOMPARE(argonParams(crypto::dummyPasswordHash()),
                 argonParams(crypto::hashPassword(QStringLiteral("x"))));
        QVERIFY(!crypto::needsRehash(crypto::dummyPasswordHash()));
    }

    void legacyPbkdf2StillVerifiesAndNeedsRehash()
    {
        const QString old = crypto::legacyPbkdf2Hash(QStringLiteral("pw"), 1000);
        QVERIFY(old.startsWith(QLatin1String("pbkdf2-sha256$1000$")));
        QVERIFY(crypto::verifyPassword(QStringLiteral("pw"), old));
        QVERIFY(!crypto::verifyPassword(QStringLiteral("pw2"), old));
        QVERIFY(crypto::needsRehash(old));
    }

    void malformedHashesAreRefused_data()
    {
        QTest::addColumn<QString>("hash");
        const QString good = crypto::hashPassword(QStringLiteral("pw"));
        QTest::newRow("empty") << QString();
        QTest::newRow("cut argon2id") << good.left(good.size() / 2);
        QTest::newRow("argon2i") << QString(good).replace(QLatin1String("argon2id"),
                                                          QLatin1String("argon2i"));
        QTest::newRow("too long") << good + QString(200, QLatin1Char('A'));
        QTest::newRow("pbkdf2 no key") << QStringLiteral("pbkdf2-sha256$1000$c2FsdA==$");
        QTest::newRow("pbkdf2 zero rounds") << QStringLiteral("pbkdf2-sha256$0$c2FsdA==$a2V5");
        QTest::newRow("pbkdf2 huge rounds")
            << QStringLiteral("pbkdf2-sha256$2147483647$c2FsdA==$a2V5");
        QTest::newRow("plain text") << QStringLiteral("pw");
    }
    void malformedHashesAreRefused()
    {
        QFETCH(QString, hash);
        QVERIFY(!crypto::verifyPassword(QStringLiteral("pw"), hash));
        QVERIFY(crypto::needsRehash(hash));
    }

    void throttleCountsAttemptsPerAddress()
    {
        LoginThrottle t; // 10 a minute per address
        qint64 now = 1'000'000;
        for (int i = 0; i < 10; ++i)
            QCOMPARE(t.admit(QStringLiteral("10.0.0.1"), QStringLiteral("u%1").arg(i), now + i),
                     LoginThrottle::Verdict::Allowed);
        QCOMPARE(t.admit(QStringLiteral("10.0.0.1"), QStringLiteral("other"), now + 10),
                 LoginThrottle::Verdict::AddressLimited);
        QCOMPARE(t.retryAfterMs(LoginThrottle::Verdict::AddressLimited, QStringLiteral("10.0.0.1"),
                                QStringLiteral("other"), now + 10),
                 60'000 - 10);
        // Another address is not affected; the window slides.
        QCOMPARE(t.admit(QStringLiteral("10.0.0.2"), QStringLiteral("u0"), now + 10),
                 LoginThrottle::Verdict::Allowed);
        QCOMPARE(t.admit(QStringLiteral("10.0.0.1"), QStringLiteral("other"), now + 59'999),
                 LoginThrottle::Verdict::AddressLimited);
        QCOMPARE(t.admit(QStringLiteral("10.0.0.1"), QStringLiteral("other"), now + 60'000),
                 LoginThrottle::Verdict::Allowed);
    }

    void throttleCountsFailuresPerAccountAcrossAddresses()
    {
        LoginThrottle t; // 10 failures in 15 minutes per account
        const qint64 start = 5'000'000;
        for (int i = 0; i < 10; ++i) {
            const QString from = QStringLiteral("10.1.0.%1").arg(i); // a different address each
            QCOMPARE(t.admit(from, QStringLiteral("alice"), start + i * 1000),
                     LoginThrottle::Verdict::Allowed);
            t.failed(QStringLiteral("alice"), start + i * 1000);
        }
        QCOMPARE(t.admit(QStringLiteral("10.2.0.1"), QStringLiteral("alice"), start + 20'000),
                 LoginThrottle::Verdict::AccountLimited);
        QCOMPARE(t.retryAfterMs(LoginThrottle::Verdict::AccountLimited, QStringLiteral("10.2.0.1"),
                                QStringLiteral("alice"), start + 20'000),
                 15 * 60'000 - 20'000);
        QCOMPARE(t.admit(QStringLiteral("10.2.0.1"), QStringLiteral("bob"), start + 20'000),
                 LoginThrottle::Verdict::Allowed);
        // The oldest failure leaves the window: one more try, which fails again.
        QCOMPARE(t.admit(QStringLiteral("10.2.0.1"), QStringLiteral("alice"), start + 15 * 60'000),
                 LoginThrottle::Verdict::Allowed);
        t.failed(QStringLiteral("alice"), start + 15 * 60'000);
        QCOMPARE(
            t.admit(QStringLiteral("10.2.0.2"), QStringLiteral("alice"), start + 15 * 60'000 + 1),
            LoginThrottle::Verdict::AccountLimited);
        // A success forgets the failures.
        t.succeeded(QStringLiteral("alice"));
        QCOMPARE(
            t.admit(QStringLiteral("10.2.0.3"), QStringLiteral("alice"), start + 15 * 60'000 + 2),
            LoginThrottle::Verdict::Allowed);
    }

    void throttleForgetsIdleEntries()
    {
        LoginThrottle::Limits limits;
        limits.maxTracked = 100;
        LoginThrottle t(limits);
        for (int i = 0; i < 1000; ++i) {
            QCOMPARE(t.admit(QStringLiteral("10.3.%1.%2").arg(i / 250).arg(i % 250),
                             QStringLiteral("n%1").arg(i), i * 61'000),
                     LoginThrottle::Verdict::Allowed);
            t.failed(QStringLiteral("n%1").arg(i), i * 61'000);
        }
        // Pruned as it went: an address seen 999 minutes ago is a fresh one now.
        QCOMPARE(t.admit(QStringLiteral("10.3.0.0"), QStringLiteral("n0"), 1000 * 61'000),
                 LoginThrottle::Verdict::Allowed);
    }

    void signInRehashesAnOldHash()
    {
        QTemporaryDir dir;
        {
            Seed seed(dir.path());
            seed.user(QStringLiteral("alice"), QStringLiteral("correct horse"));
        }
        // A database of an older release: alice's password is a PBKDF2 hash.
        setHash(dir.path(), QStringLiteral("alice"),
                crypto::legacyPbkdf2Hash(QStringLiteral("correct horse"), 1000));
        {
            LocalServer s(dir.path());
            Http http;
            const QUrl url = s.httpUrl(QStringLiteral("/api/v1/login"));
            const auto wrong =
                http.post(url, {{QStringLiteral("username"), QStringLiteral("alice")},
                                {QStringLiteral("password"), QStringLiteral("nope")}});
            QCOMPARE(wrong.status, 401);
            QVERIFY(hash(dir.path(), QStringLiteral("alice")).startsWith(QLatin1String("pbkdf2")));
            const auto ok =
                http.post(url, {{QStringLiteral("username"), QStringLiteral("alice")},
                                {QStringLiteral("password"), QStringLiteral("correct horse")}});
            QCOMPARE(ok.status, 200);
            QVERIFY(
                ok.json.value(QLatin1String("token")).toString().startsWith(QLatin1String("hrd_")));
            QTRY_VERIFY_WITH_TIMEOUT(
                hash(dir.path(), QStringLiteral("alice")).startsWith(QLatin1String("$argon2id$")),
                10000);
            QVERIFY(crypto::verifyPassword(QStringLiteral("correct horse"),
                                           hash(dir.path(), QStringLiteral("alice"))));
            // And the new hash signs in.
            const auto again =
                http.post(url, {{QStringLiteral("username"), QStringLiteral("alice")},
                                {QStringLiteral("password"), QStringLiteral("correct horse")}});
            QCOMPARE(again.status, 200);
        }
        QVERIFY(!rawFile(dir.path()).contains("correct horse"));
    }

    void serverThrottlesPerAccountAndPerAddress()
    {
        QTemporaryDir dir;
        {
            Seed seed(dir.path());
            seed.user(QStringLiteral("alice"), QStringLiteral("correct horse"));
            seed.user(QStringLiteral("bob"), QStringLiteral("battery staple"));
        }
        LocalServer s(dir.path());
        const quint16 port = s.server->port();
        // Ten wrong passwords for alice from two addresses (five each: no address limit).
        for (int i = 0; i < 10; ++i) {
            const auto r =
                loginFrom(i % 2 ? QStringLiteral("127.0.0.2") : QStringLiteral("127.0.0.3"), port,
                          QStringLiteral("alice"), QStringLiteral("guess%1").arg(i));
            QCOMPARE(r.status, 401);
        }
        // Now even the right password from a third address is refused, saying why.
        const auto limited = loginFrom(QStringLiteral("127.0.0.4"), port, QStringLiteral("alice"),
                                       QStringLiteral("correct horse"));
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.json.value(QLatin1String("error"))
                     .toObject()
                     .value(QLatin1String("code"))
                     .toString(),
                 QStringLiteral("rate_limited"));
        QVERIFY2(limited.json.value(QLatin1String("error"))
                     .toObject()
                     .value(QLatin1String("message"))
                     .toString()
                     .contains(QLatin1String("account")),
                 limited.body.constData());
        // The name is matched case-insensitively (names are lower case).
        QCOMPARE(loginFrom(QStringLiteral("127.0.0.4"), port, QStringLiteral("ALICE"),
                           QStringLiteral("correct horse"))
                     .status,
                 429);
        // Bob is not affected.
        QCOMPARE(loginFrom(QStringLiteral("127.0.0.4"), port, QStringLiteral("bob"),
                           QStringLiteral("battery staple"))
                     .status,
                 200);
        // Per address: ten attempts of any outcome from one address, the eleventh refused.
        for (int i = 0; i < 10; ++i)
            QCOMPARE(loginFrom(QStringLiteral("127.0.0.5"), port, QStringLiteral("u%1").arg(i),
                               QStringLiteral("whatever"))
                         .status,
                     401);
        const auto flood = loginFrom(QStringLiteral("127.0.0.5"), port, QStringLiteral("bob"),
                                     QStringLiteral("battery staple"));
        QCOMPARE(flood.status, 429);
        QVERIFY2(flood.json.value(QLatin1String("error"))
                     .toObject()
                     .value(QLatin1String("message"))
                     .toString()
                     .contains(QLatin1String("address")),
                 flood.body.constData());
        // Unknown names count like known ones: ten failures on a name nobody has lock it too.
        for (int i = 0; i < 10; ++i)
            QCOMPARE(loginFrom(QStringLiteral("127.0.1.%1").arg(i), port, QStringLiteral("ghost"),
                               QStringLiteral("x"))
                         .status,
                     401);
        QCOMPARE(loginFrom(QStringLiteral("127.0.2.1"), port, QStringLiteral("ghost"),
                           QStringLiteral("x"))
                     .status,
                 429);
    }

private:
    static QString connectionName() { return QStringLiteral("tst_passwords"); }
    static void withDb(const QString &dir, const std::function<void(QSqlDatabase &)> &use)
    {
        {
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName());
            db.setDatabaseName(dir + QStringLiteral("/herald.db"));
            QVERIFY(db.open());
            use(db);
            db.close();
        }
        QSqlDatabase::removeDatabase(connectionName());
    }
    static void setHash(const QString &dir, const QString &user, const QString &h)
    {
        withDb(dir, [&](QSqlDatabase &db) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("UPDATE users SET pw_hash=? WHERE name=?"));
            q.addBindValue(h);
            q.addBindValue(user);
            QVERIFY(q.exec());
            QCOMPARE(q.numRowsAffected(), 1);
        });
    }
    static QString hash(const QString &dir, const QString &user)
    {
        QString out;
        withDb(dir, [&](QSqlDatabase &db) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT pw_hash FROM users WHERE name=?"));
            q.addBindValue(user);
            if (q.exec() && q.next())
                out = q.value(0).toString();
        });
        return out;
    }
    static QByteArray rawFile(const QString &dir)
    {
        QByteArray all;
        for (const char *name : {"/herald.db", "/herald.db-wal"}) {
            QFile f(dir + QLatin1String(name));
            if (f.open(QIODevice::ReadOnly))
                all += f.readAll();
        }
        return all;
    }
};

QTEST_MAIN(TestPasswords)
#include "tst_passwords.moc"
