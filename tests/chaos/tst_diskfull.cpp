// Out of disk, and a data directory that stops taking writes, under the real herald-server:
// new writes are refused with a clear error (HTTP 503 with a JSON body, an error frame for
// chat), what is stored keeps being served, the condition is logged once (then at most once a
// minute) rather than per request, and writes work again by themselves once space returns.
// Needs root: a small tmpfs mounted by the test, and chattr +i on an ext4-like filesystem.
// Without them the cases are skipped.
#include "../server/testkit.h"

#include <QDir>
#include <QFile>
#include <QScopeGuard>

#include <unistd.h>

using namespace testkit;

namespace {

bool run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    return p.waitForFinished(10000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

/** Fills a filesystem with one file until a write fails (bounded by maxBytes). */
qint64 fill(const QString &path, qint64 maxBytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return -1;
    const QByteArray chunk(64 * 1024, '\0');
    qint64 written = 0;
    while (written < maxBytes) {
        const qint64 n = f.write(chunk);
        if (n <= 0 || !f.flush())
            break;
        written += n;
    }
    // Also the last partial chunk.
    for (int size = 32 * 1024; size >= 512; size /= 2)
        while (f.write(chunk.left(size)) == size && f.flush())
            written += size;
    return written;
}

struct Fixture
{
    explicit Fixture(const QString &dataDir)
        : dir(dataDir)
    {
        Seed s(dir);
        s.user(QStringLiteral("alice"));
        s.user(QStringLiteral("bob"));
        alice = s.token(QStringLiteral("alice"));
        bob = s.token(QStringLiteral("bob"));
        s.room(QStringLiteral("general"), {QStringLiteral("alice"), QStringLiteral("bob")});
        service = s.service(QStringLiteral("ops"));
    }
    Http::Response publish(const ServerProcess &server, int n)
    {
        QJsonObject body{
            {QStringLiteral("title"), QStringLiteral("disk %1").arg(n)},
            {QStringLiteral("body"), QString(2000, QLatin1Char('x'))},
            {QStringLiteral("recipients"),
             QJsonObject{{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}}}};
        return http.post(server.httpUrl(QStringLiteral("/api/v1/notifications")), body, service);
    }
    QJsonObject chat(Client &c, const QString &clientId)
    {
        return c.request(QStringLiteral("msg.send"),
                         {{QStringLiteral("room"), QStringLiteral("general")},
                          {QStringLiteral("clientId"), clientId},
                          {QStringLiteral("text"), QStringLiteral("hello %1").arg(clientId)}});
    }
    QString dir, alice, bob, service;
    Http http;
};

int count(const QByteArray &log, const QByteArray &what)
{
    return int(log.count(what));
}

} // namespace

class TestDiskFull : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root (mount, chattr)");
    }

    void diskFull()
    {
        QTemporaryDir mnt;
        if (!run(QStringLiteral("mount"),
                 {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                  QStringLiteral("size=16m"), QStringLiteral("tmpfs"), mnt.path()}))
            QSKIP("cannot mount a tmpfs here");
        const auto unmount = qScopeGuard([&] {
            run(QStringLiteral("umount"), {QStringLiteral("-l"), mnt.path()});
        });
        Fixture fx(mnt.path());
        ServerProcess server;
        QVERIFY(server.start(fx.dir));
        Client alice;
        QVERIFY(alice.open(server.wsUrl(), fx.alice));
        QCOMPARE(fx.publish(server, 0).status, 201);
        const QJsonObject first = fx.chat(alice, QStringLiteral("c0"));
        QCOMPARE(first.value(QLatin1String("type")).toString(), QStringLiteral("result"));

        const QString filler = QDir(fx.dir).filePath(QStringLiteral("filler"));
        QVERIFY(fill(filler, 64LL * 1024 * 1024) > 0);
        // SQLite may still have room in pages it holds; writes fail once that is used up.
        Http::Response refused;
        int n = 1;
        for (; n < 400; ++n) {
            refused = fx.publish(server, n);
            if (refused.status != 201)
                break;
        }
        qInfo("first refused publish: #%d, status %d: %s", n, refused.status,
              refused.body.constData());
        QVERIFY(refused.status == 503 || refused.status == 507);
        QCOMPARE(refused.json.value(QLatin1String("error"))
                     .toObject()
                     .value(QLatin1String("code"))
                     .toString(),
                 QStringLiteral("unavailable"));
        const QJsonObject e = fx.chat(alice, QStringLiteral("c1"));
        QCOMPARE(e.value(QLatin1String("type")).toString(), QStringLiteral("error"));
        QCOMPARE(e.value(QLatin1String("code")).toString(), QStringLiteral("unavailable"));

        // What is stored is still served.
        QCOMPARE(fx.http.get(server.httpUrl(QStringLiteral("/api/v1/notifications/1")), fx.service)
                     .status,
                 200);
        QCOMPARE(fx.http.get(server.httpUrl(QStringLiteral("/healthz"))).status, 200);
        QCOMPARE(fx.http.get(server.httpUrl(QStringLiteral("/readyz"))).status, 503);
        Client bob;
        QVERIFY(bob.open(server.wsUrl(), fx.bob));
        const QJsonObject hist = bob.request(QStringLiteral("room.history"),
                                             {{QStringLiteral("room"), QStringLiteral("general")}});
        QCOMPARE(hist.value(QLatin1String("data"))
                     .toObject()
                     .value(QLatin1String("messages"))
                     .toArray()
                     .size(),
                 1);
        const QJsonObject list = alice.request(QStringLiteral("notif.list"), {});
        QVERIFY(list.value(QLatin1String("data"))
                    .toObject()
                    .value(QLatin1String("notifications"))
                    .toArray()
                    .size() >= 1);

        // Many refusals, one log line.
        for (int i = 0; i < 20; ++i)
            QVERIFY(fx.publish(server, 1000 + i).status != 201);
        QTest::qWait(300);
        const QByteArray log = server.proc->readAllStandardError();
        QCOMPARE(count(log, "storage refuses writes"), 1);

        // Space returns: writes work again without a restart.
        QVERIFY(QFile::remove(filler));
        QElapsedTimer t;
        t.start();
        int status = 0;
        while (t.elapsed() < 20000 && (status = fx.publish(server, 2000).status) != 201)
            QTest::qWait(250);
        QCOMPARE(status, 201);
        qInfo("writes work again %lld ms after the space returned", t.elapsed());
        QCOMPARE(fx.chat(alice, QStringLiteral("c2")).value(QLatin1String("type")).toString(),
                 QStringLiteral("result"));
        QCOMPARE(fx.http.get(server.httpUrl(QStringLiteral("/readyz"))).status, 200);
        QTest::qWait(300);
        QVERIFY(server.proc->readAllStandardError().contains("storage takes writes again"));
        QCOMPARE(server.terminate(), 0);
        QCOMPARE(Store::integrityCheck(fx.dir), QStringLiteral("ok"));
    }

    void readOnlyDataDirectory()
    {
        // chattr +i on the data directory and its files: existing descriptors cannot write
        // either, as when a filesystem turns read-only under a running server.
        QTemporaryDir dir;
        Fixture fx(dir.path());
        const QStringList files{dir.path(), dir.filePath(QStringLiteral("herald.db")),
                                dir.filePath(QStringLiteral("herald.db-wal"))};
        ServerProcess server;
        QVERIFY(server.start(fx.dir));
        Client alice;
        QVERIFY(alice.open(server.wsUrl(), fx.alice));
        QCOMPARE(fx.publish(server, 0).status, 201);
        QCOMPARE(fx.chat(alice, QStringLiteral("c0")).value(QLatin1String("type")).toString(),
                 QStringLiteral("result"));
        if (!run(QStringLiteral("chattr"), QStringList{QStringLiteral("+i")} + files))
            QSKIP("chattr +i does not work on this filesystem");
        const auto writable = qScopeGuard(
            [&] { run(QStringLiteral("chattr"), QStringList{QStringLiteral("-i")} + files); });

        const Http::Response refused = fx.publish(server, 1);
        QVERIFY2(refused.status == 503 || refused.status == 507, refused.body.constData());
        QCOMPARE(refused.json.value(QLatin1String("error"))
                     .toObject()
                     .value(QLatin1String("code"))
                     .toString(),
                 QStringLiteral("unavailable"));
        const QJsonObject e = fx.chat(alice, QStringLiteral("c1"));
        QCOMPARE(e.value(QLatin1String("code")).toString(), QStringLiteral("unavailable"));
        QCOMPARE(fx.http.get(server.httpUrl(QStringLiteral("/api/v1/notifications/1")), fx.service)
                     .status,
                 200);
        Client bob;
        QVERIFY(bob.open(server.wsUrl(), fx.bob));
        for (int i = 0; i < 20; ++i)
            QVERIFY(fx.publish(server, 100 + i).status != 201);
        QTest::qWait(300);
        QCOMPARE(count(server.proc->readAllStandardError(), "storage refuses writes"), 1);

        QVERIFY(run(QStringLiteral("chattr"), QStringList{QStringLiteral("-i")} + files));
        QElapsedTimer t;
        t.start();
        int status = 0;
        while (t.elapsed() < 20000 && (status = fx.publish(server, 200).status) != 201)
            QTest::qWait(250);
        QCOMPARE(status, 201);
        QCOMPARE(fx.chat(alice, QStringLiteral("c2")).value(QLatin1String("type")).toString(),
                 QStringLiteral("result"));
        QCOMPARE(server.terminate(), 0);
        QCOMPARE(Store::integrityCheck(fx.dir), QStringLiteral("ok"));
    }
};

QTEST_GUILESS_MAIN(TestDiskFull)
#include "tst_diskfull.moc"
