// heraldctl against a real data directory, with and without a running server.
#include "testkit.h"

using namespace testkit;

namespace {
struct Run
{
    int code;
    QString out;
    QString err;
};
Run ctl(const QString &dir, const QStringList &args, const QByteArray &input = {})
{
    QProcess p;
    p.start(ServerProcess::binary("heraldctl"),
            QStringList{QStringLiteral("--data-dir"), dir} + args);
    p.waitForStarted();
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(30000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}
} // namespace

class TestHeraldctl : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void usersTokensRoomsGroups()
    {
        QTemporaryDir d;
        const QString dir = d.path();
        QCOMPARE(ctl(dir, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice"),
                           QStringLiteral("--display"), QStringLiteral("Alice A.")})
                     .code,
                 0);
        QCOMPARE(ctl(dir,
                     {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("bob"),
                      QStringLiteral("--password-stdin")},
                     "bobs-password\n")
                     .code,
                 0);
        const Run list = ctl(dir, {QStringLiteral("user"), QStringLiteral("list")});
        QVERIFY(list.out.contains(QStringLiteral("alice\tAlice A.")));
        QVERIFY(list.out.contains(QStringLiteral("bob")));
        const Run dup =
            ctl(dir, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice")});
        QCOMPARE(dup.code, 1);
        QVERIFY(dup.err.contains(QStringLiteral("already exists")));
        QCOMPARE(
            ctl(dir, {QStringLiteral("user"), QStringLiteral("disable"), QStringLiteral("bob")})
                .code,
            0);
        QVERIFY(ctl(dir, {QStringLiteral("user"), QStringLiteral("list")})
                    .out.contains(QStringLiteral("bob\tbob\tdisabled")));
        QCOMPARE(ctl(dir, {QStringLiteral("user"), QStringLiteral("enable"), QStringLiteral("bob")})
                     .code,
                 0);
        const Run pw =
            ctl(dir, {QStringLiteral("user"), QStringLiteral("passwd"), QStringLiteral("alice"),
                      QStringLiteral("--password"), QStringLiteral("short")});
        QCOMPARE(pw.code, 1);
        QVERIFY(pw.err.contains(QStringLiteral("at least 8")));

        const Run token =
            ctl(dir, {QStringLiteral("token"), QStringLiteral("issue"), QStringLiteral("alice"),
                      QStringLiteral("--label"), QStringLiteral("laptop")});
        QCOMPARE(token.code, 0);
        QVERIFY(token.out.trimmed().startsWith(QStringLiteral("hrd_")));
        QVERIFY(token.err.contains(QStringLiteral("shown once")));
        const Run tokens =
            ctl(dir, {QStringLiteral("token"), QStringLiteral("list"), QStringLiteral("alice")});
        QVERIFY(tokens.out.contains(QStringLiteral("laptop")));
        QVERIFY(!tokens.out.contains(token.out.trimmed())); // never shown again

        QCOMPARE(ctl(dir, {QStringLiteral("room"), QStringLiteral("create"), QStringLiteral("ops"),
                           QStringLiteral("--private"), QStringLiteral("--title"),
                           QStringLiteral("Operations")})
                     .code,
                 0);
        QCOMPARE(ctl(dir, {QStringLiteral("room"), QStringLiteral("add-member"),
                           QStringLiteral("ops"), QStringLiteral("alice")})
                     .code,
                 0);
        QVERIFY(ctl(dir, {QStringLiteral("room"), QStringLiteral("list")})
                    .out.contains(QStringLiteral("ops\tprivate\t1 members")));
        QCOMPARE(ctl(dir, {QStringLiteral("room"), QStringLiteral("remove-member"),
                           QStringLiteral("ops"), QStringLiteral("alice")})
                     .code,
                 0);
        QCOMPARE(ctl(dir, {QStringLiteral("room"), QStringLiteral("delete"), QStringLiteral("ops")})
                     .code,
                 0);
        QVERIFY(!ctl(dir, {QStringLiteral("room"), QStringLiteral("list")})
                     .out.contains(QStringLiteral("ops")));

        QCOMPARE(ctl(dir, {QStringLiteral("group"), QStringLiteral("create"),
                           QStringLiteral("approvers")})
                     .code,
                 0);
        QCOMPARE(ctl(dir, {QStringLiteral("group"), QStringLiteral("add"),
                           QStringLiteral("approvers"), QStringLiteral("alice")})
                     .code,
                 0);
        QVERIFY(ctl(dir, {QStringLiteral("group"), QStringLiteral("list")})
                    .out.contains(QStringLiteral("approvers\t1 members")));

        const Run svc =
            ctl(dir, {QStringLiteral("service"), QStringLiteral("add"), QStringLiteral("erp"),
                      QStringLiteral("--webhook"), QStringLiteral("https://erp.example.com/hook")});
        QCOMPARE(svc.code, 0);
        QVERIFY(svc.out.contains(QStringLiteral("webhook secret (shown once)")));
        QVERIFY(ctl(dir, {QStringLiteral("token"), QStringLiteral("issue-service"),
                          QStringLiteral("erp")})
                    .out.startsWith(QStringLiteral("hrd_")));
        QVERIFY(ctl(dir, {QStringLiteral("service"), QStringLiteral("list")})
                    .out.contains(QStringLiteral("erp\thttps://erp.example.com/hook\tsigned")));
        // no server running: notify stores into the backlog
        const Run n =
            ctl(dir, {QStringLiteral("notify"), QStringLiteral("--to"), QStringLiteral("alice"),
                      QStringLiteral("--title"), QStringLiteral("Hello")});
        QCOMPARE(n.code, 0);
        QVERIFY(n.out.contains(QStringLiteral("no server running")));
        Store st;
        QVERIFY(!st.open(dir));
        QCOMPARE(st.unreadCount(st.user(QStringLiteral("alice"))->id,
                                QDateTime::currentMSecsSinceEpoch()),
                 1);
    }

    void clearErrorsForBadArguments_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("nothing") << QStringList{} << 2 << QStringLiteral("no command");
        QTest::newRow("unknown") << QStringList{QStringLiteral("frobnicate")} << 2
                                 << QStringLiteral("unknown command");
        QTest::newRow("user verb") << QStringList{QStringLiteral("user"), QStringLiteral("explode")}
                                   << 2 << QStringLiteral("unknown command 'user explode'");
        QTest::newRow("missing name") << QStringList{QStringLiteral("user"), QStringLiteral("add")}
                                      << 2 << QStringLiteral("needs a NAME");
        QTest::newRow("extra arg")
            << QStringList{QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("x")} << 2
            << QStringLiteral("unexpected argument");
        QTest::newRow("bad name") << QStringList{QStringLiteral("user"), QStringLiteral("add"),
                                                 QStringLiteral("Bad Name")}
                                  << 1 << QStringLiteral("user name must be");
        QTest::newRow("unknown option")
            << QStringList{QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("--frob")}
            << 2 << QStringLiteral("unknown option --frob");
        QTest::newRow("option value")
            << QStringList{QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("x"),
                           QStringLiteral("--display")}
            << 2 << QStringLiteral("needs a value");
        QTest::newRow("revoke id")
            << QStringList{QStringLiteral("token"), QStringLiteral("revoke"), QStringLiteral("abc")}
            << 2 << QStringLiteral("must be a number");
        QTest::newRow("no user") << QStringList{QStringLiteral("token"), QStringLiteral("issue"),
                                                QStringLiteral("ghost")}
                                 << 1 << QStringLiteral("no user 'ghost'");
        QTest::newRow("no room") << QStringList{QStringLiteral("room"), QStringLiteral("delete"),
                                                QStringLiteral("ghost")}
                                 << 1 << QStringLiteral("no room 'ghost'");
        QTest::newRow("bad webhook")
            << QStringList{QStringLiteral("service"), QStringLiteral("add"), QStringLiteral("x"),
                           QStringLiteral("--webhook"), QStringLiteral("ftp://x")}
            << 1 << QStringLiteral("http or https");
        QTest::newRow("notify no title")
            << QStringList{QStringLiteral("notify"), QStringLiteral("--to"), QStringLiteral("a")}
            << 2 << QStringLiteral("--title");
        QTest::newRow("notify prio")
            << QStringList{QStringLiteral("notify"), QStringLiteral("--to"),
                           QStringLiteral("a"),      QStringLiteral("--title"),
                           QStringLiteral("t"),      QStringLiteral("--priority"),
                           QStringLiteral("asap")}
            << 2 << QStringLiteral("--priority");
        QTest::newRow("status without server")
            << QStringList{QStringLiteral("status")} << 1 << QStringLiteral("no server is running");
    }
    void clearErrorsForBadArguments()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        QTemporaryDir d;
        const Run r = ctl(d.path(), args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void liveServer()
    {
        QTemporaryDir d;
        const QString dir = d.path();
        ctl(dir, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice")});
        const QString token =
            ctl(dir, {QStringLiteral("token"), QStringLiteral("issue"), QStringLiteral("alice")})
                .out.trimmed();
        ServerProcess p;
        QVERIFY(p.start(dir));
        Client c;
        QVERIFY(c.open(p.wsUrl(), token));
        const Run online = ctl(dir, {QStringLiteral("online")});
        QCOMPARE(online.code, 0);
        QVERIFY(online.out.contains(QStringLiteral("alice")));
        QVERIFY(online.out.contains(QStringLiteral("1 online")));
        const Run status = ctl(dir, {QStringLiteral("status")});
        QVERIFY(status.out.contains(QStringLiteral("version      " HERALD_VERSION)));
        QVERIFY(status.out.contains(QStringLiteral("connections  1")));
        // notify goes through the server: delivered live
        QCOMPARE(
            ctl(dir, {QStringLiteral("notify"), QStringLiteral("--to"), QStringLiteral("alice"),
                      QStringLiteral("--title"), QStringLiteral("Deploy done"),
                      QStringLiteral("--action"), QStringLiteral("ack:OK")})
                .code,
            0);
        QCOMPARE(c.waitFor(QStringLiteral("notification"))
                     .value(QLatin1String("notification"))
                     .toObject()
                     .value(QLatin1String("title"))
                     .toString(),
                 QStringLiteral("Deploy done"));
        // a room created and filled from the CLI shows up for the live client
        ctl(dir, {QStringLiteral("room"), QStringLiteral("create"), QStringLiteral("news")});
        ctl(dir, {QStringLiteral("room"), QStringLiteral("add-member"), QStringLiteral("news"),
                  QStringLiteral("alice")});
        QVERIFY(!c.waitFor(QStringLiteral("member")).isEmpty());
        QCOMPARE(c.request(QStringLiteral("msg.send"),
                           {{QStringLiteral("room"), QStringLiteral("news")},
                            {QStringLiteral("clientId"), QStringLiteral("1")},
                            {QStringLiteral("text"), QStringLiteral("hi")}})
                     .value(QLatin1String("type"))
                     .toString(),
                 QStringLiteral("result"));
        // revoking the token closes the live connection with 4003
        QByteArray secret;
        const qint64 id = herald::crypto::parseToken(token, &secret);
        QCOMPARE(
            ctl(dir, {QStringLiteral("token"), QStringLiteral("revoke"), QString::number(id)}).code,
            0);
        QVERIFY(c.waitClosed());
        QVERIFY2(c.closeCode == herald::proto::Close::TokenRevoked,
                 qPrintable(c.ws.closeReason() + QString::number(c.closeCode) +
                            QString::fromUtf8(QJsonDocument(c.frames.last()).toJson())));
    }
};

QTEST_MAIN(TestHeraldctl)
#include "tst_heraldctl.moc"
