// Crash and restart, in the style of the NATS chaos tests: a publisher sends numbered
// notifications over HTTP and a sender numbered chat messages over WebSocket, while the test
// kills the server with SIGKILL at random moments and restarts it on the same data directory,
// over and over. Receivers reconnect and resume by sequence. At the end, every notification
// and message that was acknowledged (201/200, or a result frame) is present exactly once at
// every recipient, in sequence order; the database passes PRAGMA integrity_check; and unread
// counts match what the receivers marked read.
//
// HERALD_CHAOS_CYCLES (default 20) and HERALD_CHAOS_SEED make longer or repeatable runs.
#include "../server/testkit.h"

#include <QRandomGenerator>
#include <QTcpServer>
#include <QTimer>

using namespace testkit;

namespace {

QRandomGenerator g_rand;
int between(int lo, int hi)
{
    return lo + int(g_rand.bounded(quint32(hi - lo + 1)));
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

/** A WebSocket connection that reconnects (with a short random pause) whenever it drops. */
class Actor : public QObject
{
public:
    Actor(const QString &name, const QUrl &url, const QString &token)
        : m_name(name)
        , m_url(url)
        , m_token(token)
    {
        m_retry.setSingleShot(true);
        connect(&m_retry, &QTimer::timeout, this, [this] { open(); });
        m_helloWatch.setSingleShot(true);
        connect(&m_helloWatch, &QTimer::timeout, this, [this] {
            if (m_ws)
                m_ws->abort(); // connected but never authenticated: try again
        });
    }
    ~Actor() override
    {
        if (m_ws)
            m_ws->disconnect(this); // its destructor must not call back into a half-destroyed actor
    }
    void start() { open(); }
    void halt()
    {
        m_running = false;
        m_retry.stop();
        if (m_ws)
            m_ws->close();
    }
    [[nodiscard]] bool online() const { return m_online; }
    [[nodiscard]] QString name() const { return m_name; }
    int connects = 0;

protected:
    virtual void onHello(const QJsonObject &hello) = 0;
    virtual void onFrame(const QJsonObject &frame) = 0;
    virtual void onDown() {}
    void send(const QJsonObject &o)
    {
        if (m_ws && m_online)
            m_ws->sendTextMessage(QString::fromUtf8(json(o)));
    }
    QString m_name;

private:
    void open()
    {
        if (!m_running)
            return;
        if (m_ws) {
            m_ws->disconnect(this);
            m_ws->abort();
            m_ws.release()->deleteLater();
        }
        m_ws = std::make_unique<QWebSocket>();
        connect(m_ws.get(), &QWebSocket::textMessageReceived, this, [this](const QString &t) {
            const QJsonObject o = QJsonDocument::fromJson(t.toUtf8()).object();
            if (o.value(QLatin1String("type")).toString() == QLatin1String("hello")) {
                m_helloWatch.stop();
                m_online = true;
                ++connects;
                onHello(o);
            } else {
                onFrame(o);
            }
        });
        connect(m_ws.get(), &QWebSocket::stateChanged, this,
                [this](QAbstractSocket::SocketState s) {
                    if (s != QAbstractSocket::UnconnectedState)
                        return;
                    const bool was = m_online;
                    m_online = false;
                    m_helloWatch.stop();
                    if (was)
                        onDown();
                    if (m_running && !m_retry.isActive())
                        m_retry.start(between(50, 250));
                });
        QNetworkRequest req(m_url);
        req.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());
        QWebSocketHandshakeOptions opts;
        opts.setSubprotocols({QString::fromLatin1(herald::proto::Subprotocol)});
        m_helloWatch.start(5000);
        m_ws->open(req, opts);
    }

    QUrl m_url;
    QString m_token;
    std::unique_ptr<QWebSocket> m_ws;
    QTimer m_retry;
    QTimer m_helloWatch;
    bool m_running = true;
    bool m_online = false;
};

/** Sends chat messages 1, 2, 3, ... one at a time; each is retried (same clientId) until acked. */
class Sender : public Actor
{
public:
    using Actor::Actor;
    void stopAfterCurrent() { m_stopping = true; }
    [[nodiscard]] bool idle() const { return m_stopping && !m_pending; }
    QHash<int, qint64> acked; // k -> seq
    int next = 1;

protected:
    void onHello(const QJsonObject &) override { sendCurrent(); }
    void onFrame(const QJsonObject &f) override
    {
        const QString id = f.value(QLatin1String("id")).toString();
        if (id != QStringLiteral("s%1").arg(next))
            return;
        if (f.value(QLatin1String("type")).toString() == QLatin1String("result")) {
            acked.insert(
                next,
                f.value(QLatin1String("data")).toObject().value(QLatin1String("seq")).toInteger());
            ++next;
            m_pending = false;
            if (!m_stopping)
                QTimer::singleShot(between(0, 3), this, [this] { sendCurrent(); });
        } else {
            QTimer::singleShot(50, this, [this] { sendCurrent(); }); // e.g. unavailable: again
        }
    }

private:
    void sendCurrent()
    {
        if (m_stopping && !m_pending)
            return;
        m_pending = true;
        send({{QStringLiteral("type"), QStringLiteral("msg.send")},
              {QStringLiteral("id"), QStringLiteral("s%1").arg(next)},
              {QStringLiteral("room"), QStringLiteral("general")},
              {QStringLiteral("clientId"), QStringLiteral("m-%1").arg(next)},
              {QStringLiteral("text"), QString::number(next)}});
    }
    bool m_stopping = false;
    bool m_pending = false;
};

/**
 * A careful client: keeps what it receives (deduplicated by seq and id), resumes after every
 * reconnect, and marks every third notification read. Live frames that arrive between hello
 * and the resume's result may also come again in the resume (the server fetches from storage
 * what was stored up to then), so they do not move the cursor: only the result and frames after
 * it do. A cursor moved by such a frame could skip what the resume had not delivered yet when
 * the server died.
 */
class Receiver : public Actor
{
public:
    using Actor::Actor;
    struct Stream
    {
        QHash<qint64, QString> items; // seq or id -> text or title
        int duplicates = 0;           // received again (dropped)
        int disorder = 0;             // arrived below something already seen
        qint64 cursor = 0;            // what the next resume asks after
        qint64 highest = 0;
        void take(qint64 seq, const QString &what, bool moveCursor)
        {
            if (items.contains(seq)) {
                ++duplicates;
                return;
            }
            if (seq < highest)
                ++disorder;
            items.insert(seq, what);
            highest = std::max(highest, seq);
            if (moveCursor)
                cursor = std::max(cursor, seq);
        }
    };
    Stream messages, notifications;
    QSet<qint64> readWanted, readAcked;
    int resumes = 0;
    int errors = 0;
    QString lastError;
    QStringList problems;
    /** What is still missing, for a failure message. */
    QString missing(const QHash<int, qint64> &messagesAcked,
                    const QHash<int, qint64> &notificationsAcked) const
    {
        int m = 0, n = 0, r = 0;
        for (qint64 seq : messagesAcked)
            m += !messages.items.contains(seq);
        for (qint64 id : notificationsAcked)
            n += !notifications.items.contains(id);
        for (qint64 id : readWanted)
            r += !readAcked.contains(id);
        return QStringLiteral("%1: %2 messages, %3 notifications, %4 reads missing; online %5, %6 "
                              "connects, %7 resumes, "
                              "cursors %8/%9, %10 errors (last: %11)")
            .arg(m_name)
            .arg(m)
            .arg(n)
            .arg(r)
            .arg(online())
            .arg(connects)
            .arg(resumes)
            .arg(messages.cursor)
            .arg(notifications.cursor)
            .arg(errors)
            .arg(lastError);
    }

protected:
    void onHello(const QJsonObject &) override
    {
        m_resumed = false;
        send({{QStringLiteral("type"), QStringLiteral("resume")},
              {QStringLiteral("id"), QStringLiteral("resume")},
              {QStringLiteral("rooms"), QJsonObject{{QStringLiteral("general"), messages.cursor}}},
              {QStringLiteral("notifications"), notifications.cursor}});
    }
    void onFrame(const QJsonObject &f) override
    {
        const QString type = f.value(QLatin1String("type")).toString();
        if (type == QLatin1String("message") &&
            f.value(QLatin1String("room")).toString() == QLatin1String("general")) {
            messages.take(f.value(QLatin1String("seq")).toInteger(),
                          f.value(QLatin1String("text")).toString(), m_resumed);
        } else if (type == QLatin1String("notification")) {
            const QJsonObject n = f.value(QLatin1String("notification")).toObject();
            const qint64 id = n.value(QLatin1String("id")).toInteger();
            const QString title = n.value(QLatin1String("title")).toString();
            notifications.take(id, title, m_resumed);
            if (title.mid(1).toInt() % 3 == 0 && !readAcked.contains(id)) {
                readWanted.insert(id);
                markRead(id);
            }
        } else if (type == QLatin1String("result")) {
            const QString id = f.value(QLatin1String("id")).toString();
            const QJsonObject data = f.value(QLatin1String("data")).toObject();
            if (id == QLatin1String("resume")) {
                ++resumes;
                m_resumed = true;
                if (data.contains(QLatin1String("truncated")) ||
                    data.contains(QLatin1String("notificationsTruncated")))
                    problems
                        << QStringLiteral(
                               "%1: resume was truncated (more missed than one resume returns)")
                               .arg(m_name);
                messages.cursor = std::max(messages.cursor, data.value(QLatin1String("rooms"))
                                                                .toObject()
                                                                .value(QLatin1String("general"))
                                                                .toInteger());
                notifications.cursor = std::max(
                    notifications.cursor, data.value(QLatin1String("notifications")).toInteger());
                for (qint64 r : std::as_const(readWanted)) // reads whose answer a crash ate
                    if (!readAcked.contains(r))
                        markRead(r);
            } else if (id.startsWith(QLatin1String("read-"))) {
                readAcked.insert(id.mid(5).toLongLong());
            }
        } else if (type == QLatin1String("error")) {
            // Not answered after all (for instance storage was busy restarting): ask again.
            const QString id = f.value(QLatin1String("id")).toString();
            ++errors;
            lastError = QString::fromUtf8(QJsonDocument(f).toJson(QJsonDocument::Compact));
            if (id == QLatin1String("resume"))
                QTimer::singleShot(200, this, [this] { onHello({}); });
            else if (id.startsWith(QLatin1String("read-")))
                QTimer::singleShot(200, this, [this, id] { markRead(id.mid(5).toLongLong()); });
        }
    }

private:
    void markRead(qint64 id)
    {
        send({{QStringLiteral("type"), QStringLiteral("notif.read")},
              {QStringLiteral("id"), QStringLiteral("read-%1").arg(id)},
              {QStringLiteral("ids"), QJsonArray{id}}});
    }
    bool m_resumed = false;
};

/** Publishes notifications 1, 2, 3, ... over HTTP, one at a time, each retried until 201/200. */
class Publisher : public QObject
{
public:
    Publisher(const QUrl &url, const QString &token, const QStringList &to)
        : m_url(url)
        , m_token(token)
        , m_to(to)
    {
    }
    void start() { post(); }
    void stopAfterCurrent() { m_stopping = true; }
    [[nodiscard]] bool idle() const { return m_stopping && !m_pending; }
    QHash<int, qint64> acked; // n -> notification id
    int next = 1;
    int retries = 0;

private:
    void post()
    {
        if (m_stopping && !m_pending)
            return;
        m_pending = true;
        QNetworkRequest req(m_url);
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        req.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());
        req.setTransferTimeout(3000);
        const QJsonObject body{
            {QStringLiteral("title"), QStringLiteral("N%1").arg(next)},
            {QStringLiteral("idempotencyKey"), QStringLiteral("n-%1").arg(next)},
            {QStringLiteral("recipients"),
             QJsonObject{{QStringLiteral("users"), QJsonArray::fromStringList(m_to)}}}};
        QNetworkReply *reply = m_nam.post(req, json(body));
        connect(reply, &QNetworkReply::finished, this, [this, reply] {
            reply->deleteLater();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 201 || status == 200) {
                acked.insert(next, QJsonDocument::fromJson(reply->readAll())
                                       .object()
                                       .value(QLatin1String("id"))
                                       .toInteger());
                ++next;
                m_pending = false;
                if (!m_stopping)
                    QTimer::singleShot(between(0, 3), this, [this] { post(); });
            } else {
                ++retries;
                QTimer::singleShot(100, this, [this] { post(); });
            }
        });
    }
    QNetworkAccessManager m_nam;
    QUrl m_url;
    QString m_token;
    QStringList m_to;
    bool m_stopping = false;
    bool m_pending = false;
};

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

} // namespace

class TestChaos : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void killAndRestart()
    {
        const quint32 seed = qEnvironmentVariableIsSet("HERALD_CHAOS_SEED")
                                 ? quint32(qEnvironmentVariableIntValue("HERALD_CHAOS_SEED"))
                                 : QRandomGenerator::system()->generate();
        g_rand.seed(seed);
        const int cycles = qEnvironmentVariableIsSet("HERALD_CHAOS_CYCLES")
                               ? qEnvironmentVariableIntValue("HERALD_CHAOS_CYCLES")
                               : 20;
        qInfo("chaos: %d kill/restart cycles, seed %u (HERALD_CHAOS_SEED repeats this run)", cycles,
              seed);

        QTemporaryDir dir;
        const QStringList people{QStringLiteral("alice"), QStringLiteral("bob"),
                                 QStringLiteral("carol")};
        QHash<QString, QString> tokens;
        QString serviceToken;
        {
            Seed s(dir.path());
            for (const QString &p : people + QStringList{QStringLiteral("sender")}) {
                s.user(p);
                tokens.insert(p, s.token(p));
            }
            s.room(QStringLiteral("general"), people + QStringList{QStringLiteral("sender")});
            serviceToken = s.service(QStringLiteral("chaos"));
        }
        const quint16 port = freePort();
        const QStringList args{QStringLiteral("--set"), QStringLiteral("messages_per_second=5000"),
                               QStringLiteral("--set"), QStringLiteral("messages_burst=5000")};
        ServerProcess server;
        QVERIFY(server.start(dir.path(), args, port));

        Publisher publisher(server.httpUrl(QStringLiteral("/api/v1/notifications")), serviceToken,
                            people);
        Sender sender(QStringLiteral("sender"), server.wsUrl(),
                      tokens.value(QStringLiteral("sender")));
        std::vector<std::unique_ptr<Receiver>> receivers;
        for (const QString &p : people)
            receivers.push_back(std::make_unique<Receiver>(p, server.wsUrl(), tokens.value(p)));
        for (auto &r : receivers)
            r->start();
        QTRY_VERIFY(std::all_of(receivers.cbegin(), receivers.cend(),
                                [](const auto &r) { return r->resumes > 0; }));
        sender.start();
        publisher.start();

        QElapsedTimer clock;
        clock.start();
        for (int cycle = 0; cycle < cycles; ++cycle) {
            QTest::qWait(between(1200, 3200));
            server.kill(); // SIGKILL: no goodbye, no flush beyond what was committed
            QTest::qWait(between(0, 300));
            bool up = false;
            for (int attempt = 0; attempt < 5 && !up;
                 ++attempt) // a busy machine: try again shortly
                up = server.start(dir.path(), args, port) || (QTest::qWait(200), false);
            QVERIFY2(up, qPrintable(QStringLiteral("restart %1 failed: %2")
                                        .arg(cycle + 1)
                                        .arg(QString::fromUtf8(
                                            server.proc->readAllStandardError().right(500)))));
        }
        QTest::qWait(1500);
        publisher.stopAfterCurrent();
        sender.stopAfterCurrent();
        const bool idle = QTest::qWaitFor([&] { return publisher.idle() && sender.idle(); }, 30000);
        QVERIFY2(idle, qPrintable(QStringLiteral("publisher idle %1, sender idle %2 (online %3)")
                                      .arg(publisher.idle())
                                      .arg(sender.idle())
                                      .arg(sender.online())));
        const qint64 lastSeq = sender.acked.value(sender.next - 1);
        qInfo("chaos: %d kills in %lld ms; %d messages and %d notifications acknowledged (%d "
              "publish retries)",
              cycles, clock.elapsed(), sender.next - 1, publisher.next - 1, publisher.retries);
        QVERIFY(sender.next > 50);
        QVERIFY(publisher.next > 50);
        // Everyone catches up: every acknowledged message and notification, every read acked.
        auto caughtUp = [&] {
            for (const auto &r : receivers) {
                for (qint64 seq : std::as_const(sender.acked))
                    if (!r->messages.items.contains(seq))
                        return false;
                for (qint64 id : std::as_const(publisher.acked))
                    if (!r->notifications.items.contains(id))
                        return false;
                for (qint64 id : std::as_const(r->readWanted))
                    if (!r->readAcked.contains(id))
                        return false;
            }
            return true;
        };
        if (!QTest::qWaitFor(caughtUp, 30000)) {
            QStringList why;
            for (const auto &r : receivers)
                why << r->missing(sender.acked, publisher.acked);
            QFAIL(qPrintable(why.join(QLatin1Char('\n'))));
        }

        // Messages: seq 1..last, each exactly once, each acked one with its own text.
        for (const auto &r : receivers) {
            QVERIFY2(r->problems.isEmpty(), qPrintable(r->problems.join(QLatin1Char('\n'))));
            QVERIFY2(
                r->connects > cycles,
                qPrintable(
                    QStringLiteral("%1 connected only %2 times").arg(r->name()).arg(r->connects)));
            qInfo("chaos: %s got %lld messages (%d again, %d ahead of older ones), %lld "
                  "notifications (%d again, %d ahead), %d resumes",
                  qPrintable(r->name()), qint64(r->messages.items.size()), r->messages.duplicates,
                  r->messages.disorder, qint64(r->notifications.items.size()),
                  r->notifications.duplicates, r->notifications.disorder, r->resumes);
            QCOMPARE(qint64(r->messages.items.size()), lastSeq); // no gap, nothing extra
            for (qint64 seq = 1; seq <= lastSeq; ++seq)
                QVERIFY2(r->messages.items.contains(seq),
                         qPrintable(QStringLiteral("gap: message %1 missing").arg(seq)));
            for (auto it = sender.acked.cbegin(); it != sender.acked.cend(); ++it)
                QCOMPARE(r->messages.items.value(it.value()), QString::number(it.key()));
            // Notifications: each acknowledged one exactly once, with its own title, and no other.
            QCOMPARE(qint64(r->notifications.items.size()), qint64(publisher.acked.size()));
            for (auto it = publisher.acked.cbegin(); it != publisher.acked.cend(); ++it)
                QCOMPARE(r->notifications.items.value(it.value()),
                         QStringLiteral("N%1").arg(it.key()));
        }
        // Every clientId was stored once: the acked seqs are distinct and cover 1..last.
        QSet<qint64> seqs;
        for (qint64 s : std::as_const(sender.acked))
            seqs.insert(s);
        QCOMPARE(qint64(seqs.size()), lastSeq);

        // One last SIGKILL, then the database must be sound.
        server.kill();
        QCOMPARE(Store::integrityCheck(dir.path()), QStringLiteral("ok"));
        // Unread counts: everything but what each person marked read (and saw acked).
        QVERIFY(server.start(dir.path(), args, port));
        for (std::size_t i = 0; i < receivers.size(); ++i) {
            receivers[i]->halt();
            Client c;
            QVERIFY(c.open(server.wsUrl(), tokens.value(people[int(i)])));
            const qint64 expected =
                qint64(publisher.acked.size()) - qint64(receivers[i]->readAcked.size());
            QCOMPARE(
                c.all(QStringLiteral("hello")).first().value(QLatin1String("unread")).toInteger(),
                expected);
        }
        sender.halt();
        QCOMPARE(server.terminate(), 0);
        QCOMPARE(Store::integrityCheck(dir.path()), QStringLiteral("ok"));
    }
};

QTEST_GUILESS_MAIN(TestChaos)
#include "tst_chaos.moc"
