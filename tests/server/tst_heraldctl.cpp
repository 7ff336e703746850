// heraldctl against a real data directory, with and without a running server.
#include "testkit.h"

#include "core/crypto.h"

#include <QLocalServer>
#include <QLocalSocket>

using namespace testkit;

namespace {
struct Run
{
    int code;
    QString out;
    QString err;
};
Run ctl(const QString &dir, const QStringList &args, const QByteArray &input = {},
        const QProcessEnvironment &env = {})
{
    QProcess p;
    if (!env.isEmpty())
        p.setProcessEnvironment(env);
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
        // id, kind, created, state, last used, from, label
        const QStringList cols = tokens.out.trimmed().split(QLatin1Char('\t'));
        QCOMPARE(cols.size(), 7);
        QCOMPARE(cols[1], QStringLiteral("user"));
        QCOMPARE(cols[3], QStringLiteral("active"));
        QCOMPARE(cols[4], QStringLiteral("never"));
        QCOMPARE(cols[5], QStringLiteral("-"));
        QCOMPARE(cols[6], QStringLiteral("laptop"));

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
                    .out.contains(QStringLiteral("ops\tprivate\t1 member")));
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
                    .out.contains(QStringLiteral("approvers\t1 member")));

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
        // webhook events: acted by default, a list replaces it, unknown events are refused
        QVERIFY(ctl(dir, {QStringLiteral("service"), QStringLiteral("list")})
                    .out.contains(QStringLiteral("\tsigned\tevents acted\n")));
        const Run ev = ctl(dir, {QStringLiteral("service"), QStringLiteral("events"),
                                 QStringLiteral("erp"), QStringLiteral("delivered,seen,acted")});
        QCOMPARE(ev.code, 0);
        QVERIFY2(ev.out.contains(QStringLiteral("delivered,seen,acted")), qPrintable(ev.out));
        const Run badEvent = ctl(dir, {QStringLiteral("service"), QStringLiteral("events"),
                                       QStringLiteral("erp"), QStringLiteral("seen,opened")});
        QCOMPARE(badEvent.code, 1);
        QVERIFY2(badEvent.err.contains(QStringLiteral("unknown event 'opened'")),
                 qPrintable(badEvent.err));
        QCOMPARE(ctl(dir, {QStringLiteral("service"), QStringLiteral("events"),
                           QStringLiteral("nope"), QStringLiteral("seen")})
                     .code,
                 1);
        QCOMPARE(ctl(dir, {QStringLiteral("service"), QStringLiteral("events"),
                           QStringLiteral("erp"), QStringLiteral(",")})
                     .code,
                 2);
        QVERIFY(ctl(dir, {QStringLiteral("service"), QStringLiteral("list")})
                    .out.contains(QStringLiteral("\tsigned\tevents delivered,seen,acted\n")));
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
        // A token ID is decimal digits within 1..2^53-1: nothing else becomes some other id.
        for (const char *id :
             {"abc", "1e300", "1e3", "-0", "0", "-1", "9007199254740992", "9223372036854775808",
              "18446744073709551616", "18446744073709551617", "NaN", "inf", "0x10", "12abc", "",
              " 1", "+1", "1.0"})
            QTest::addRow("revoke id '%s'", id)
                << QStringList{QStringLiteral("token"), QStringLiteral("revoke"),
                               QString::fromLatin1(id)}
                << 2
                << QStringLiteral("token ID must be a number from 1 to 9007199254740991, not '%1'")
                       .arg(QLatin1String(id));
        QTest::newRow("revoke id 2^53-1")
            << QStringList{QStringLiteral("token"), QStringLiteral("revoke"),
                           QStringLiteral("9007199254740991")}
            << 1 << QStringLiteral("no token 9007199254740991");
        QTest::newRow("revoke id leading zeros")
            << QStringList{QStringLiteral("token"), QStringLiteral("revoke"), QStringLiteral("007")}
            << 1 << QStringLiteral("no token 7");
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

    // Numbers in the server's answer are checked too: a bad one is an error naming the field,
    // not a 0 or a wrapped value printed as if the server had said it.
    void badServerAnswers_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("answer");
        QTest::addColumn<QString>("message");
        const QStringList status{QStringLiteral("status")};
        const QStringList online{QStringLiteral("online")};
        const QStringList notify{QStringLiteral("notify"), QStringLiteral("--to"),
                                 QStringLiteral("alice"), QStringLiteral("--title"),
                                 QStringLiteral("t")};
        const auto statusAnswer = [](const char *uptime) -> QByteArray {
            return QByteArray(R"({"ok":true,"version":"1","uptime":)") + uptime +
                   R"(,"connections":1,"online":1,"users":[]})";
        };
        QTest::newRow("uptime 1e300")
            << status << statusAnswer("1e300")
            << QStringLiteral("the server's answer has 'uptime' 1e+300, not a whole number from 0 "
                              "to 9007199254740991");
        QTest::newRow("uptime 2^53") << status << statusAnswer("9007199254740992")
                                     << QStringLiteral("'uptime' 9007199254740992, not a whole");
        QTest::newRow("uptime 2^64") << status << statusAnswer("18446744073709551616")
                                     << QStringLiteral("'uptime' 18446744073709552000, not");
        QTest::newRow("uptime -1")
            << status << statusAnswer("-1") << QStringLiteral("'uptime' -1, not a whole number");
        QTest::newRow("uptime 2.5")
            << status << statusAnswer("2.5") << QStringLiteral("'uptime' 2.5, not a whole number");
        QTest::newRow("uptime text") << status << statusAnswer(R"("12")")
                                     << QStringLiteral(R"('uptime' "12", not a whole number)");
        QTest::newRow("uptime null") << status << statusAnswer("null")
                                     << QStringLiteral("'uptime' null, not a whole number");
        QTest::newRow("connections missing")
            << status << QByteArray(R"({"ok":true,"version":"1","uptime":5,"online":1})")
            << QStringLiteral("the server's answer has no 'connections'");
        QTest::newRow("no answer")
            << status << QByteArray("") << QStringLiteral("the server's answer has no 'uptime'");
        QTest::newRow("online 2^63")
            << online << QByteArray(R"({"ok":true,"online":9223372036854775808,"users":[]})")
            << QStringLiteral("'online' 9223372036854776000, not a whole number");
        QTest::newRow("notify id 1e300")
            << notify << QByteArray(R"({"id":1e300,"recipients":1})")
            << QStringLiteral("the server's answer has 'id' 1e+300, not a whole number");
        QTest::newRow("notify recipients -0.5")
            << notify << QByteArray(R"({"id":3,"recipients":-0.5})")
            << QStringLiteral("'recipients' -0.5, not a whole number");
    }
    void badServerAnswers()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, answer);
        QFETCH(QString, message);
        QTemporaryDir d;
        QLocalServer fake; // stands in for the server's control socket
        QVERIFY(fake.listen(d.filePath(QStringLiteral("herald.sock"))));
        QProcess p;
        p.start(ServerProcess::binary("heraldctl"),
                QStringList{QStringLiteral("--data-dir"), d.path()} + args);
        QVERIFY(fake.waitForNewConnection(30000));
        QLocalSocket *s = fake.nextPendingConnection();
        while (!s->canReadLine())
            QVERIFY(s->waitForReadyRead(10000));
        s->readLine();
        if (!answer.isEmpty())
            s->write(answer + '\n');
        s->flush();
        s->disconnectFromServer();
        QVERIFY(p.waitForFinished(30000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains(message), qPrintable(err));
        QCOMPARE(p.readAllStandardOutput(), QByteArray()); // nothing half-printed
    }

    void expiredSessionsAreListedAsExpired()
    {
        QTemporaryDir d;
        const QString dir = d.path();
        ctl(dir, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice")});
        {
            Seed seed(dir);
            QVERIFY(std::holds_alternative<QString>(
                seed.store.issueToken(seed.store.user(QStringLiteral("alice"))->id, 0,
                                      QStringLiteral("session"), QStringLiteral("login"))));
        }
        const QStringList now =
            ctl(dir, {QStringLiteral("token"), QStringLiteral("list"), QStringLiteral("alice")})
                .out.trimmed()
                .split(QLatin1Char('\t'));
        QCOMPARE(now.value(1), QStringLiteral("session"));
        QCOMPARE(now.value(3), QStringLiteral("active"));
        // 31 days on (the clock moved for the test), with the default session_idle_days of 30
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HERALD_TEST_CLOCK_OFFSET_MS"),
                   QString::number(31LL * 24 * 3600 * 1000));
        const QStringList later =
            ctl(dir, {QStringLiteral("token"), QStringLiteral("list"), QStringLiteral("alice")}, {},
                env)
                .out.trimmed()
                .split(QLatin1Char('\t'));
        QCOMPARE(later.value(3), QStringLiteral("expired"));
        QCOMPARE(later.value(4), QStringLiteral("never"));
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
        // token list: when the token was last used, and from where
        // (the server writes a use within a second of it)
        QStringList used;
        QTRY_VERIFY_WITH_TIMEOUT((used = ctl(dir, {QStringLiteral("token"), QStringLiteral("list"),
                                                   QStringLiteral("alice")})
                                             .out.section(QLatin1Char('\n'), 0, 0)
                                             .split(QLatin1Char('\t')))
                                         .value(4) != QLatin1String("never"),
                                 10000);
        QCOMPARE(used.size(), 7);
        QCOMPARE(used[3], QStringLiteral("active"));
        const QDateTime lastUsed = QDateTime::fromString(used[4], Qt::ISODate);
        QVERIFY2(lastUsed.isValid(), qPrintable(used[4]));
        QVERIFY(qAbs(lastUsed.secsTo(QDateTime::currentDateTime())) < 120);
        QCOMPARE(used[5], QStringLiteral("127.0.0.1"));
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
