// One door for publishing: the HTTP API and the control socket (behind `heraldctl notify`) run
// the same validation on the same JSON text and refuse an invalid notification with the same
// code, field and message.
#include "testkit.h"

#include <QLocalSocket>

using namespace testkit;

namespace {
QJsonObject viaControlSocket(const QString &dataDir, const QByteArray &body)
{
    // The server runs in this thread: wait with the event loop running, never blocking.
    QLocalSocket s;
    s.connectToServer(dataDir + QStringLiteral("/herald.sock"));
    if (!QTest::qWaitFor([&] { return s.state() == QLocalSocket::ConnectedState; }, 3000))
        return {{QStringLiteral("error"), QStringLiteral("no control socket")}};
    const QJsonObject req{{QStringLiteral("cmd"), QStringLiteral("publish")},
                          {QStringLiteral("body"), QString::fromUtf8(body)}};
    s.write(QJsonDocument(req).toJson(QJsonDocument::Compact) + '\n');
    QByteArray line;
    const bool answered = QTest::qWaitFor(
        [&] {
            line += s.readAll();
            return line.contains('\n');
        },
        10000);
    if (!answered)
        return {{QStringLiteral("error"), QStringLiteral("no answer")}};
    return QJsonDocument::fromJson(line).object();
}
} // namespace

class TestPublishDoor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        Seed seed(m_dir.path());
        seed.user(QStringLiteral("bob"));
        m_service = seed.service(QStringLiteral("erp"));
    }

    void sameErrorOnBothSides_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");
        const QByteArray to = "\"recipients\":{\"users\":[\"bob\"]}";
        QTest::newRow("expiresAt 1e300")
            << QByteArray("{\"title\":\"t\"," + to + ",\"expiresAt\":1e300}") << "bad_value"
            << "expiresAt";
        QTest::newRow("expiresAt 2^64")
            << QByteArray("{\"title\":\"t\"," + to + ",\"expiresAt\":18446744073709551616}")
            << "bad_value"
            << "expiresAt";
        QTest::newRow("lone surrogate in the title")
            << QByteArray("{\"title\":\"a\\ud800z\"," + to + "}") << "bad_utf8"
            << "title";
        QTest::newRow("unknown priority")
            << QByteArray("{\"title\":\"t\"," + to + ",\"priority\":\"asap\"}") << "bad_value"
            << "priority";
        QTest::newRow("no recipients") << QByteArray("{\"title\":\"t\"}") << "bad_value"
                                       << "recipients";
        QTest::newRow("ftp link") << QByteArray("{\"title\":\"t\"," + to + ",\"link\":\"ftp://x\"}")
                                  << "bad_value"
                                  << "link";
        QTest::newRow("not JSON") << QByteArray("{\"title\":") << "bad_json"
                                  << "";
        QTest::newRow("not an object") << QByteArray("[1]") << "not_object"
                                       << "";
    }
    void sameErrorOnBothSides()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        QFETCH(QString, field);
        LocalServer s(m_dir.path());
        Http http;
        const Http::Response r = http.request(
            "POST", s.httpUrl(QStringLiteral("/api/v1/notifications")), body, m_service);
        QCOMPARE(r.status, 400);
        const QJsonObject overHttp = r.json.value(QLatin1String("error")).toObject();
        QCOMPARE(overHttp.value(QLatin1String("code")).toString(), code);
        QCOMPARE(overHttp.value(QLatin1String("field")).toString(), field);

        const QJsonObject overControl = viaControlSocket(m_dir.path(), body);
        QCOMPARE(overControl.value(QLatin1String("error")).toString(), code);
        QCOMPARE(overControl.value(QLatin1String("field")).toString(), field);
        QCOMPARE(overControl.value(QLatin1String("message")).toString(),
                 overHttp.value(QLatin1String("message")).toString());
    }

    void validBodyThroughTheControlSocket()
    {
        LocalServer s(m_dir.path());
        const QJsonObject r = viaControlSocket(
            m_dir.path(), "{\"title\":\"from the CLI\",\"recipients\":{\"users\":[\"bob\"]}}");
        QVERIFY2(!r.contains(QLatin1String("error")),
                 QJsonDocument(r).toJson(QJsonDocument::Compact).constData());
        QVERIFY(r.value(QLatin1String("id")).toInteger() > 0);
        QCOMPARE(r.value(QLatin1String("recipients")).toInteger(), 1);
    }

private:
    QTemporaryDir m_dir;
    QString m_service;
};

QTEST_GUILESS_MAIN(TestPublishDoor)
#include "tst_publish_door.moc"
