// Threads: a publisher's threadKey groups its notifications. Against a real server on port 0
// with real WebSocket devices: the key travels with every notification (live frame, list, the
// service's GET), notif.readThread reads exactly one thread of one person (personal and group
// notifications alike) and every device of theirs learns the new unread count, and bad keys are
// refused by name.
#include "testkit.h"

using namespace testkit;

namespace {

QString errorCode(const Http::Response &r)
{
    return r.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString();
}

QString errorField(const Http::Response &r)
{
    return r.json.value(QLatin1String("error")).toObject().value(QLatin1String("field")).toString();
}

QList<qint64> idsOf(const QJsonValue &array)
{
    QList<qint64> out;
    for (const QJsonValue &v : array.toArray())
        out << v.toInteger();
    return out;
}

} // namespace

class TestThreads : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        m_tokens = seed.people({QStringLiteral("alice"), QStringLiteral("bob")});
        seed.group(QStringLiteral("oncall"), {QStringLiteral("alice"), QStringLiteral("bob")});
        m_monitor = seed.service(QStringLiteral("monitor"));
        m_ci = seed.service(QStringLiteral("ci"));
        m_server = std::make_unique<LocalServer>(m_dir->path());
    }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
    }

    void threadKeyRoundTrip()
    {
        Client a;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const qint64 id =
            publish(m_monitor, QStringLiteral("Disk 91% on db-2"), QStringLiteral("db-2-disk"));
        const qint64 plain = publish(m_monitor, QStringLiteral("Backup done"), QString());
        QVERIFY(id > 0 && plain > id);
        // Live.
        const QJsonObject live = a.waitFor(QStringLiteral("notification"));
        QCOMPARE(live.value(QLatin1String("notification"))
                     .toObject()
                     .value(QLatin1String("id"))
                     .toInteger(),
                 id);
        QCOMPARE(live.value(QLatin1String("notification"))
                     .toObject()
                     .value(QLatin1String("threadKey"))
                     .toString(),
                 QStringLiteral("db-2-disk"));
        const QJsonObject livePlain = a.waitFor(QStringLiteral("notification"));
        QVERIFY(livePlain.value(QLatin1String("notification"))
                    .toObject()
                    .value(QLatin1String("threadKey"))
                    .isNull());
        // The list.
        const QJsonArray list = a.request(QStringLiteral("notif.list"))
                                    .value(QLatin1String("data"))
                                    .toObject()
                                    .value(QLatin1String("notifications"))
                                    .toArray();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list.at(1).toObject().value(QLatin1String("threadKey")).toString(),
                 QStringLiteral("db-2-disk"));
        QVERIFY(list.at(0).toObject().value(QLatin1String("threadKey")).isNull());
        // The service's view.
        const auto got = m_http.get(
            m_server->httpUrl(QStringLiteral("/api/v1/notifications/%1").arg(id)), m_monitor);
        QCOMPARE(got.status, 200);
        QCOMPARE(got.json.value(QLatin1String("threadKey")).toString(),
                 QStringLiteral("db-2-disk"));
        // A new device's hello carries it too.
        Client a2;
        QVERIFY(a2.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const QJsonArray hello = a2.all(QStringLiteral("hello"))
                                     .value(0)
                                     .value(QLatin1String("notifications"))
                                     .toArray();
        bool found = false;
        for (const QJsonValue &v : hello)
            if (v.toObject().value(QLatin1String("id")).toInteger() == id)
                found = v.toObject().value(QLatin1String("threadKey")).toString() ==
                        QLatin1String("db-2-disk");
        QVERIFY2(found, "the hello's notification lacks its threadKey");
    }

    void readThreadReadsOneThreadOfOnePerson()
    {
        Client a1, a2, b;
        QVERIFY(a1.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(a2.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        const QString disk = QStringLiteral("db-2-disk");
        QList<qint64> thread;
        thread << publish(m_monitor, QStringLiteral("Disk 91%"), disk);
        const qint64 cpu = publish(m_monitor, QStringLiteral("CPU 99%"), QStringLiteral("cpu"));
        thread << publish(m_monitor, QStringLiteral("Disk 93%"), disk);
        const qint64 plain = publish(m_monitor, QStringLiteral("Backup done"), QString());
        // The same key from another service is another thread.
        const qint64 other = publish(m_ci, QStringLiteral("Build 12 failed"), disk);
        // A group notification (an audience) of the thread, read through the other path.
        thread << publish(m_monitor, QStringLiteral("Disk 97%"), disk, /*group*/ true);
        for (qint64 id : {cpu, plain, other})
            QVERIFY(id > 0);
        for (Client *c : {&a1, &a2, &b})
            for (int i = 0; i < 6; ++i)
                QVERIFY(!c->waitFor(QStringLiteral("notification")).isEmpty());
        // Read one of the thread by itself first: it is not read again.
        const QJsonObject one = a1.request(QStringLiteral("notif.read"),
                                           {{QStringLiteral("ids"), QJsonArray{thread[0]}}});
        QCOMPARE(
            one.value(QLatin1String("data")).toObject().value(QLatin1String("unread")).toInteger(),
            5);
        QVERIFY(!a2.waitFor(QStringLiteral("notif.readSync")).isEmpty());

        const QJsonObject r = a1.request(QStringLiteral("notif.readThread"),
                                         {{QStringLiteral("service"), QStringLiteral("monitor")},
                                          {QStringLiteral("threadKey"), disk}});
        QCOMPARE(r.value(QLatin1String("type")).toString(), QStringLiteral("result"));
        const QJsonObject data = r.value(QLatin1String("data")).toObject();
        QCOMPARE(idsOf(data.value(QLatin1String("ids"))), (QList<qint64>{thread[1], thread[2]}));
        QCOMPARE(data.value(QLatin1String("unread")).toInteger(), 3); // cpu, plain, ci's
        // Alice's other device follows.
        const QJsonObject sync = a2.waitFor(QStringLiteral("notif.readSync"));
        QVERIFY2(!sync.isEmpty(), "the other device got no notif.readSync");
        QCOMPARE(idsOf(sync.value(QLatin1String("ids"))), (QList<qint64>{thread[1], thread[2]}));
        QCOMPARE(sync.value(QLatin1String("unread")).toInteger(), 3);
        // Only that thread: the list says which are read.
        const QJsonArray list = a1.request(QStringLiteral("notif.list"))
                                    .value(QLatin1String("data"))
                                    .toObject()
                                    .value(QLatin1String("notifications"))
                                    .toArray();
        QCOMPARE(list.size(), 6);
        for (const QJsonValue &v : list) {
            const QJsonObject n = v.toObject();
            QCOMPARE(n.value(QLatin1String("read")).toBool(),
                     thread.contains(n.value(QLatin1String("id")).toInteger()));
        }
        // Only that person: Bob's count is untouched, and he got no sync.
        QTest::qWait(100);
        QVERIFY(b.all(QStringLiteral("notif.readSync")).isEmpty());
        Client b2;
        QVERIFY(b2.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(
            b2.all(QStringLiteral("hello")).value(0).value(QLatin1String("unread")).toInteger(), 6);
        // A new device of Alice's starts with the lower count.
        Client a3;
        QVERIFY(a3.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QCOMPARE(
            a3.all(QStringLiteral("hello")).value(0).value(QLatin1String("unread")).toInteger(), 3);
        // Each read is recorded as a read of its own, by Alice.
        const auto audit = m_http.get(
            m_server->httpUrl(QStringLiteral("/api/v1/notifications/%1/audit").arg(thread[2])),
            m_monitor);
        QCOMPARE(audit.status, 200);
        int reads = 0;
        for (const QJsonValue &v : audit.json.value(QLatin1String("audit")).toArray())
            if (v.toObject().value(QLatin1String("event")).toString() == QLatin1String("read")) {
                ++reads;
                QCOMPARE(v.toObject().value(QLatin1String("actor")).toString(),
                         QStringLiteral("alice"));
            }
        QCOMPARE(reads, 1);
        // Again: nothing left to read, nothing to tell.
        a2.clear();
        const QJsonObject again =
            a1.request(QStringLiteral("notif.readThread"),
                       {{QStringLiteral("service"), QStringLiteral("monitor")},
                        {QStringLiteral("threadKey"), disk}});
        QVERIFY(again.value(QLatin1String("data"))
                    .toObject()
                    .value(QLatin1String("ids"))
                    .toArray()
                    .isEmpty());
        QCOMPARE(again.value(QLatin1String("data"))
                     .toObject()
                     .value(QLatin1String("unread"))
                     .toInteger(),
                 3);
        QTest::qWait(100);
        QVERIFY(a2.all(QStringLiteral("notif.readSync")).isEmpty());
        // A thread that does not exist reads nothing.
        const QJsonObject none = a1.request(QStringLiteral("notif.readThread"),
                                            {{QStringLiteral("service"), QStringLiteral("nosuch")},
                                             {QStringLiteral("threadKey"), disk}});
        QCOMPARE(none.value(QLatin1String("type")).toString(), QStringLiteral("result"));
        QCOMPARE(
            none.value(QLatin1String("data")).toObject().value(QLatin1String("unread")).toInteger(),
            3);
    }

    void badThreadKeyRefused_data()
    {
        QTest::addColumn<QJsonValue>("key");
        QTest::newRow("empty") << QJsonValue(QString());
        QTest::newRow("blank") << QJsonValue(QStringLiteral("   "));
        QTest::newRow("too long") << QJsonValue(QString(129, QLatin1Char('k')));
        QTest::newRow("number") << QJsonValue(7);
        QTest::newRow("object") << QJsonValue(QJsonObject{{QStringLiteral("a"), 1}});
    }
    void badThreadKeyRefused()
    {
        QFETCH(QJsonValue, key);
        const auto r = m_http.post(
            m_server->httpUrl(QStringLiteral("/api/v1/notifications")),
            {{QStringLiteral("recipients"),
              QJsonObject{{QStringLiteral("users"), QJsonArray{QStringLiteral("alice")}}}},
             {QStringLiteral("title"), QStringLiteral("x")},
             {QStringLiteral("threadKey"), key}},
            m_monitor);
        QCOMPARE(r.status, 400);
        QCOMPARE(errorCode(r), QStringLiteral("bad_value"));
        QCOMPARE(errorField(r), QStringLiteral("threadKey"));
    }

    void longestThreadKeyAndBadReadThread()
    {
        const QString longest(128, QLatin1Char('k'));
        QVERIFY(publish(m_monitor, QStringLiteral("x"), longest) > 0);
        Client a;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const QJsonObject blank = a.request(QStringLiteral("notif.readThread"),
                                            {{QStringLiteral("service"), QStringLiteral("monitor")},
                                             {QStringLiteral("threadKey"), QStringLiteral("  ")}});
        QCOMPARE(blank.value(QLatin1String("type")).toString(), QStringLiteral("error"));
        QCOMPARE(blank.value(QLatin1String("code")).toString(), QStringLiteral("bad_value"));
        QCOMPARE(blank.value(QLatin1String("field")).toString(), QStringLiteral("threadKey"));
        const QJsonObject missing =
            a.request(QStringLiteral("notif.readThread"),
                      QJsonObject{{QStringLiteral("service"), QStringLiteral("monitor")}});
        QCOMPARE(missing.value(QLatin1String("type")).toString(), QStringLiteral("error"));
        QCOMPARE(missing.value(QLatin1String("field")).toString(), QStringLiteral("threadKey"));
        const QJsonObject tooLong =
            a.request(QStringLiteral("notif.readThread"),
                      {{QStringLiteral("service"), QStringLiteral("monitor")},
                       {QStringLiteral("threadKey"), QString(longest + QLatin1Char('k'))}});
        QCOMPARE(tooLong.value(QLatin1String("type")).toString(), QStringLiteral("error"));
        // Nothing was read by the refused requests; the longest key reads its thread.
        const QJsonObject ok = a.request(QStringLiteral("notif.readThread"),
                                         {{QStringLiteral("service"), QStringLiteral("monitor")},
                                          {QStringLiteral("threadKey"), longest}});
        QCOMPARE(
            idsOf(ok.value(QLatin1String("data")).toObject().value(QLatin1String("ids"))).size(),
            1);
        QCOMPARE(
            ok.value(QLatin1String("data")).toObject().value(QLatin1String("unread")).toInteger(),
            0);
    }

private:
    /** Publishes to alice and bob (or the oncall group); returns the id. */
    qint64 publish(const QString &token, const QString &title, const QString &threadKey,
                   bool group = false)
    {
        QJsonObject body{
            {QStringLiteral("recipients"),
             group ? QJsonObject{{QStringLiteral("groups"), QJsonArray{QStringLiteral("oncall")}}}
                   : QJsonObject{{QStringLiteral("users"),
                                  QJsonArray{QStringLiteral("alice"), QStringLiteral("bob")}}}},
            {QStringLiteral("title"), title}};
        if (!threadKey.isEmpty())
            body.insert(QStringLiteral("threadKey"), threadKey);
        const auto r =
            m_http.post(m_server->httpUrl(QStringLiteral("/api/v1/notifications")), body, token);
        if (r.status != 201)
            qWarning() << "publish failed:" << r.status << r.body;
        return r.json.value(QLatin1String("id")).toInteger();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LocalServer> m_server;
    QHash<QString, QString> m_tokens;
    QString m_monitor;
    QString m_ci;
    Http m_http;
};

QTEST_MAIN(TestThreads)
#include "tst_threads.moc"
