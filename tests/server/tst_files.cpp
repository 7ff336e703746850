// File attachments against a real server on port 0 with real storage: an upload
// (POST /api/v1/files) is stored once per content under files_dir by its SHA-256; over
// file_max_bytes it is refused (413) before the body is read; one cut off halfway, or with a bad
// token, leaves nothing behind; msg.send carries a file its sender uploaded to the other members
// (live, history, resume, search), who download the exact bytes (GET /api/v1/files/{id}) while
// anyone else gets the same 404 as for a file that does not exist; retention removes uploads
// never attached after file_orphan_hours and files whose message was deleted; a schema 15
// database migrates. Runs on PostgreSQL too (tests/cluster/CMakeLists.txt). A little over 500
// lines: the raw-socket and HTTP helpers at the end serve every case, and the cases share one
// server set-up.
#include "testkit.h"

#include "core/clock.h"
#include "core/features/retention.h"
#include "core/hub.h"
#include "core/storage/schema.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QSqlQuery>

using namespace testkit;

namespace {

constexpr qint64 Hour = 3600LL * 1000;
const QString General = QStringLiteral("general");

QString str(const QJsonObject &o, const char *k)
{
    return o.value(QLatin1String(k)).toString();
}
QJsonObject obj(const QJsonObject &o, const char *k)
{
    return o.value(QLatin1String(k)).toObject();
}
QString errorCode(const QJsonObject &o)
{
    return str(obj(o, "error"), "code");
}
QByteArray bytes(int n, char seed)
{
    QByteArray b(n, Qt::Uninitialized);
    for (int i = 0; i < n; ++i)
        b[i] = static_cast<char>((i * 31 + seed) & 0xff);
    return b;
}
QString sha256(const QByteArray &b)
{
    return QString::fromLatin1(QCryptographicHash::hash(b, QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestFiles : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        herald::clock::setTestOffset(0);
        m_dir = std::make_unique<QTemporaryDir>();
        Seed seed(m_dir->path());
        m_tokens =
            seed.people({QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")});
        seed.room(General, {QStringLiteral("alice"), QStringLiteral("bob")});
    }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
        herald::clock::setTestOffset(0);
    }

    void uploadIsStoredOnceByItsHash()
    {
        start();
        const QByteArray png = bytes(300000, 1);
        const auto r = upload(png, QStringLiteral("chart 1 – März.png"), "alice", "image/png");
        QCOMPARE(r.status, 201);
        QCOMPARE(str(r.json, "id"), sha256(png));
        QCOMPARE(str(r.json, "name"), QStringLiteral("chart 1 – März.png"));
        QCOMPARE(r.json.value(QLatin1String("size")).toInteger(), png.size());
        QCOMPARE(str(r.json, "type"), QStringLiteral("image/png"));
        const QString path =
            filesDir() + QLatin1Char('/') + sha256(png).left(2) + QLatin1Char('/') + sha256(png);
        QFile stored(path);
        QVERIFY2(stored.open(QIODevice::ReadOnly), qPrintable(path));
        QCOMPARE(stored.readAll(), png);
        // The same bytes again (another name, another person): still one file.
        const auto again = upload(png, QStringLiteral("copy.png"), "bob", "image/png");
        QCOMPARE(again.status, 201);
        QCOMPARE(str(again.json, "id"), sha256(png));
        QCOMPARE(storedFiles(), QStringList{path});
        QCOMPARE(tempFiles(), 0);
        // Without a Content-Type: application/octet-stream.
        const auto plain = rawUpload(bytes(10, 2), QStringLiteral("a.bin"),
                                     "Bearer " + m_tokens[QStringLiteral("alice")].toLatin1());
        QCOMPARE(plain.status, 201);
        QCOMPARE(str(plain.json, "type"), QStringLiteral("application/octet-stream"));
    }

    void uploadAfterAnotherRequestOnOneConnection()
    {
        start();
        // A client that keeps its connection (QNetworkAccessManager does) uploads on it.
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_server->server->port());
        QTRY_COMPARE(s.state(), QAbstractSocket::ConnectedState);
        s.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray in;
        QTRY_VERIFY((in += s.readAll()).contains("\r\n\r\n") && in.endsWith("}"));
        QCOMPARE(parse(in).status, 200);
        QVERIFY(in.contains("Connection: keep-alive"));
        const QByteArray body = bytes(70000, 12);
        s.write("POST /api/v1/files?name=kept.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                m_tokens[QStringLiteral("alice")].toLatin1() +
                "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        in.clear();
        QTRY_VERIFY((in += s.readAll()).endsWith("}"));
        const Reply r = parse(in);
        QCOMPARE(r.status, 201);
        QCOMPARE(str(r.json, "id"), sha256(body));
        QCOMPARE(storedFiles().size(), 1);
    }

    void badUploadsAreRefusedAndStoreNothing()
    {
        herald::Config config;
        config.fileMaxBytes = 1000;
        start(config);
        // Over file_max_bytes: 413 from Content-Length alone.
        const auto big = upload(bytes(5000, 3), QStringLiteral("big.bin"), "alice", {});
        QCOMPARE(big.status, 413);
        QCOMPARE(errorCode(big.json), QStringLiteral("too_large"));
        // A token that is not a person's session: 401.
        const auto bad = rawUpload(bytes(100, 4), QStringLiteral("x.bin"), "Bearer 7.nottoken");
        QCOMPARE(bad.status, 401);
        QCOMPARE(errorCode(bad.json), QStringLiteral("unauthorized"));
        QCOMPARE(rawUpload(bytes(100, 4), QStringLiteral("x.bin"), {}).status, 401);
        // Names: empty, with '/', with a control character, too long.
        for (const QString &name :
             {QString(), QStringLiteral("a/b"), QStringLiteral("a\nb"),
              QString(256, QLatin1Char('n')), QStringLiteral("invoice\u202Efdp.exe")}) {
            const auto r = upload(bytes(100, 5), name, "alice", {});
            QCOMPARE(r.status, 400);
            QCOMPARE(errorCode(r.json), QStringLiteral("bad_value"));
            QCOMPARE(str(obj(r.json, "error"), "field"), QStringLiteral("name"));
        }
        // No Content-Length (chunked): 411.
        const QByteArray chunked = "POST /api/v1/files?name=c.bin HTTP/1.1\r\nHost: x\r\n"
                                   "Authorization: Bearer " +
                                   m_tokens[QStringLiteral("alice")].toLatin1() +
                                   "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
        const auto length = raw(chunked);
        QCOMPARE(length.status, 411);
        QCOMPARE(errorCode(length.json), QStringLiteral("missing_field"));
        QCOMPARE(storedFiles(), QStringList());
        QCOMPARE(tempFiles(), 0);
    }

    void uploadCutOffHalfwayLeavesNothing()
    {
        start();
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_server->server->port());
        QTRY_COMPARE(s.state(), QAbstractSocket::ConnectedState);
        s.write("POST /api/v1/files?name=half.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                m_tokens[QStringLiteral("alice")].toLatin1() +
                "\r\nContent-Type: application/pdf\r\nContent-Length: 200000\r\n\r\n" +
                bytes(100000, 6));
        // The upload is under way (its temporary file took the first half), then the peer goes.
        QTRY_COMPARE_WITH_TIMEOUT(tempFiles(), 1, 5000);
        s.abort();
        QTRY_COMPARE_WITH_TIMEOUT(tempFiles(), 0, 5000);
        QCOMPARE(storedFiles(), QStringList());
        // Nothing was recorded either: that content cannot be attached.
        Client a;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const QJsonObject r = sendFile(a, 1, sha256(bytes(200000, 6)), QStringLiteral("half.bin"));
        QCOMPARE(str(r, "code"), QStringLiteral("not_found"));
    }

    void fileMessageReachesMembersWhoDownloadIt()
    {
        start();
        const QByteArray pdf = bytes(150000, 7);
        const auto up = upload(pdf, QStringLiteral("ignored.pdf"), "alice", "application/pdf");
        QCOMPARE(up.status, 201);
        const QString id = str(up.json, "id");
        Client a, b, c;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QVERIFY(c.open(m_server->wsUrl(), m_tokens[QStringLiteral("carol")]));
        // A file without a caption.
        const QJsonObject sent = sendFile(a, 1, id, QStringLiteral("report Q3.pdf"));
        QCOMPARE(str(sent, "type"), QStringLiteral("result"));
        const QJsonObject m = b.waitFor(QStringLiteral("message"));
        QCOMPARE(str(m, "text"), QString());
        const QJsonObject file = obj(m, "file");
        QCOMPARE(str(file, "id"), id);
        QCOMPARE(str(file, "name"), QStringLiteral("report Q3.pdf"));
        QCOMPARE(file.value(QLatin1String("size")).toInteger(), pdf.size());
        QCOMPARE(str(file, "type"), QStringLiteral("application/pdf"));
        // bob, a member, gets the exact bytes, offered under the message's name.
        const auto got = download(id, "bob");
        QCOMPARE(got.status, 200);
        QCOMPARE(got.body, pdf);
        QCOMPARE(got.headers.value("content-type"), QByteArray("application/pdf"));
        QCOMPARE(got.headers.value("content-length"), QByteArray::number(pdf.size()));
        QCOMPARE(got.headers.value("content-disposition"),
                 QByteArray("attachment; filename*=UTF-8''report%20Q3.pdf"));
        QCOMPARE(got.headers.value("cache-control"), QByteArray("private"));
        // carol is no member: the same 404 as for a file that does not exist.
        const auto notHers = download(id, "carol");
        const auto none = download(QString(64, QLatin1Char('0')), "carol");
        QCOMPARE(notHers.status, 404);
        QCOMPARE(none.status, 404);
        QCOMPARE(notHers.body, none.body);
        QCOMPARE(download(QStringLiteral("nothex"), "bob").status, 404);
        QCOMPARE(download(id, nullptr).status, 401);
        // With a caption; history, resume and search carry the file too.
        QCOMPARE(str(sendFile(a, 2, id, QStringLiteral("again.pdf"), QStringLiteral("the figures")),
                     "type"),
                 QStringLiteral("result"));
        const QJsonObject history =
            b.request(QStringLiteral("room.history"), {{QStringLiteral("room"), General}});
        const QJsonArray messages = obj(history, "data").value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(str(obj(messages.at(0).toObject(), "file"), "name"),
                 QStringLiteral("report Q3.pdf"));
        QCOMPARE(str(obj(messages.at(1).toObject(), "file"), "name"), QStringLiteral("again.pdf"));
        QCOMPARE(str(messages.at(1).toObject(), "text"), QStringLiteral("the figures"));
        Client back;
        QVERIFY(back.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(str(back.request(QStringLiteral("resume"),
                                  {{QStringLiteral("rooms"), QJsonObject{{General, 0}}}}),
                     "type"),
                 QStringLiteral("result"));
        const QJsonObject replayed = back.waitFor(QStringLiteral("message"));
        QCOMPARE(str(obj(replayed, "file"), "id"), id);
        const QJsonObject search = b.request(
            QStringLiteral("room.search"), {{QStringLiteral("query"), QStringLiteral("figures")}});
        const QJsonArray hits = obj(search, "data").value(QLatin1String("results")).toArray();
        QCOMPARE(hits.size(), 1);
        QCOMPARE(str(obj(hits.at(0).toObject(), "file"), "name"), QStringLiteral("again.pdf"));
        // A file message counts as unread like any other.
        const QJsonObject read =
            b.request(QStringLiteral("room.read"),
                      {{QStringLiteral("room"), General}, {QStringLiteral("seq"), 0}});
        QCOMPARE(obj(read, "data").value(QLatin1String("unread")).toInteger(), 2);
    }

    void badFileInSendIsRefusedAndStoresNothing()
    {
        start();
        const auto up = upload(bytes(1000, 8), QStringLiteral("mine.txt"), "alice", "text/plain");
        QCOMPARE(up.status, 201);
        const QString id = str(up.json, "id");
        Client a, b;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        // Never uploaded.
        QJsonObject e = sendFile(a, 1, QString(64, QLatin1Char('a')), QStringLiteral("x.txt"));
        QCOMPARE(str(e, "type"), QStringLiteral("error"));
        QCOMPARE(str(e, "code"), QStringLiteral("not_found"));
        QCOMPARE(str(e, "field"), QStringLiteral("file"));
        // Uploaded by someone else.
        e = sendFile(b, 2, id, QStringLiteral("x.txt"));
        QCOMPARE(str(e, "code"), QStringLiteral("not_found"));
        QCOMPARE(str(e, "field"), QStringLiteral("file"));
        // Malformed.
        e = sendFile(a, 3, QStringLiteral("xyz"), QStringLiteral("x.txt"));
        QCOMPARE(str(e, "code"), QStringLiteral("bad_value"));
        QCOMPARE(str(e, "field"), QStringLiteral("file.id"));
        e = sendFile(a, 4, id, QStringLiteral("a/b.txt"));
        QCOMPARE(str(e, "code"), QStringLiteral("bad_value"));
        QCOMPARE(str(e, "field"), QStringLiteral("file.name"));
        // Neither text nor file.
        e = a.request(QStringLiteral("msg.send"),
                      {{QStringLiteral("room"), General},
                       {QStringLiteral("clientId"), QStringLiteral("c5")}});
        QCOMPARE(str(e, "code"), QStringLiteral("bad_value"));
        QCOMPARE(str(e, "field"), QStringLiteral("text"));
        // Nothing was stored, no number taken: the next message is the room's first.
        const QJsonObject ok = a.request(QStringLiteral("msg.send"),
                                         {{QStringLiteral("room"), General},
                                          {QStringLiteral("clientId"), QStringLiteral("c6")},
                                          {QStringLiteral("text"), QStringLiteral("hi")}});
        QCOMPARE(obj(ok, "data").value(QLatin1String("seq")).toInteger(), 1);
        QCOMPARE(b.waitFor(QStringLiteral("message")).value(QLatin1String("seq")).toInteger(), 1);
        QTest::qWait(100);
        QCOMPARE(b.all(QStringLiteral("message")).size(), 1);
    }

    void retentionRemovesOrphansAndFilesOfDeletedMessages()
    {
        start(); // file_orphan_hours: 24 (the default)
        const QByteArray orphanBytes = bytes(2000, 9);
        const QByteArray sentBytes = bytes(3000, 10);
        QCOMPARE(upload(orphanBytes, QStringLiteral("o.bin"), "alice", {}).status, 201);
        QCOMPARE(upload(sentBytes, QStringLiteral("s.bin"), "alice", {}).status, 201);
        Client a;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QCOMPARE(str(sendFile(a, 1, sha256(sentBytes), QStringLiteral("s.bin")), "type"),
                 QStringLiteral("result"));
        QCOMPARE(purge().files, 0);
        QCOMPARE(storedFiles().size(), 2);
        QCOMPARE(download(sha256(sentBytes), "bob").status, 200);
        // The message goes: the file is nobody's to read any more, and the next pass removes it.
        QCOMPARE(str(a.request(QStringLiteral("msg.delete"),
                               {{QStringLiteral("room"), General}, {QStringLiteral("seq"), 1}}),
                     "type"),
                 QStringLiteral("result"));
        QCOMPARE(download(sha256(sentBytes), "bob").status, 404);
        QCOMPARE(purge().files, 1);
        QCOMPARE(storedFiles().size(), 1);
        QVERIFY(storedFiles().first().endsWith(sha256(orphanBytes)));
        QCOMPARE(download(sha256(sentBytes), "alice").status, 404);
        // The upload never attached stays for file_orphan_hours, then goes.
        herald::clock::setTestOffset(23 * Hour);
        QCOMPARE(purge().files, 0);
        QCOMPARE(download(sha256(orphanBytes), "alice").status, 200);
        herald::clock::setTestOffset(25 * Hour);
        QCOMPARE(purge().files, 1);
        QCOMPARE(storedFiles(), QStringList());
        QCOMPARE(download(sha256(orphanBytes), "alice").status, 404);
        QCOMPARE(str(sendFile(a, 2, sha256(orphanBytes), QStringLiteral("o.bin")), "code"),
                 QStringLiteral("not_found"));
    }

    void schema15DatabaseMigrates()
    {
        {
            // A database as version 15 left it: without the tables of version 16 (nor those of
            // later versions).
            Seed seed(m_dir->path());
            const qint64 room = seed.store.room(General)->id;
            QVERIFY(std::holds_alternative<herald::StoredMessage>(seed.store.storeMessage(
                room, seed.store.user(QStringLiteral("alice"))->id, QStringLiteral("old"),
                QStringLiteral("from before"), 1000)));
            QSqlQuery q(seed.store.connection());
            for (const char *drop : {"DROP TABLE receipt_settings", "DROP TABLE message_files",
                                     "DROP TABLE file_uploads", "DROP TABLE files"})
                QVERIFY(q.exec(QString::fromLatin1(drop)));
            QVERIFY(q.exec(seed.store.isPostgres()
                               ? QStringLiteral("UPDATE schema_version SET version=15")
                               : QStringLiteral("PRAGMA user_version=15")));
        }
        start();
        Client a, b;
        QVERIFY(a.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QVERIFY(b.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        const auto up = upload(bytes(500, 11), QStringLiteral("new.bin"), "alice", {});
        QCOMPARE(up.status, 201);
        QCOMPARE(str(sendFile(a, 2, str(up.json, "id"), QStringLiteral("new.bin")), "type"),
                 QStringLiteral("result"));
        const QJsonArray messages =
            obj(b.request(QStringLiteral("room.history"), {{QStringLiteral("room"), General}}),
                "data")
                .value(QLatin1String("messages"))
                .toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(str(messages.at(0).toObject(), "text"), QStringLiteral("from before"));
        QVERIFY(!messages.at(0).toObject().contains(QLatin1String("file")));
        QCOMPARE(str(obj(messages.at(1).toObject(), "file"), "name"), QStringLiteral("new.bin"));
        m_server.reset();
        Seed after(m_dir->path());
        QSqlQuery v(after.store.connection());
        QVERIFY(v.exec(after.store.isPostgres()
                           ? QStringLiteral("SELECT version FROM schema_version")
                           : QStringLiteral("PRAGMA user_version")));
        QVERIFY(v.next());
        QCOMPARE(v.value(0).toInt(), herald::schema::currentVersion());
        QVERIFY(herald::schema::currentVersion() >= 16);
    }

private:
    struct Reply
    {
        int status = 0;
        QJsonObject json;
        QByteArray body;
        QHash<QByteArray, QByteArray> headers; // lower-case names
    };

    void start(herald::Config config = {})
    {
        m_server = std::make_unique<LocalServer>(m_dir->path(), config);
    }
    QString filesDir() const { return m_dir->path() + QStringLiteral("/files"); }
    /** Every stored file (not temporary ones), by path. */
    QStringList storedFiles() const
    {
        QStringList out;
        QDirIterator it(filesDir(), QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            if (it.fileInfo().isFile() && !path.startsWith(filesDir() + QStringLiteral("/tmp/")))
                out << path;
        }
        out.sort();
        return out;
    }
    int tempFiles() const
    {
        return static_cast<int>(
            QDir(filesDir() + QStringLiteral("/tmp")).entryList(QDir::Files | QDir::Hidden).size());
    }

    /** A whole HTTP exchange on a raw socket (the answer closes the connection). The server
     *  runs on this thread: waits run the event loop. */
    Reply raw(const QByteArray &request)
    {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_server->server->port());
        QElapsedTimer t;
        t.start();
        while (s.state() != QAbstractSocket::ConnectedState && t.elapsed() < 5000)
            QTest::qWait(5);
        s.write(request);
        QByteArray in;
        while (s.state() == QAbstractSocket::ConnectedState && t.elapsed() < 10000) {
            QTest::qWait(5);
            in += s.readAll();
            const qsizetype end = in.indexOf("\r\n\r\n");
            if (end >= 0) {
                const QByteArray lengthField = "content-length: ";
                const qsizetype at = in.toLower().indexOf(lengthField);
                if (at >= 0 && at < end) {
                    const qint64 length = in.mid(at + lengthField.size(),
                                                 in.indexOf("\r\n", at) - at - lengthField.size())
                                              .toLongLong();
                    if (in.size() >= end + 4 + length)
                        break;
                }
            }
        }
        in += s.readAll();
        return parse(in);
    }
    static Reply parse(const QByteArray &in)
    {
        Reply r;
        const qsizetype end = in.indexOf("\r\n\r\n");
        if (end < 0)
            return r;
        const QList<QByteArray> lines = in.left(end).split('\n');
        r.status = lines.first().split(' ').value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            r.headers.insert(line.left(colon).toLower(), line.mid(colon + 1).trimmed());
        }
        r.body = in.mid(end + 4);
        r.json = QJsonDocument::fromJson(r.body).object();
        return r;
    }
    Reply rawUpload(const QByteArray &body, const QString &name, const QByteArray &authorization)
    {
        return raw(
            "POST /api/v1/files?name=" + QUrl::toPercentEncoding(name) +
            " HTTP/1.1\r\nHost: x\r\n" +
            (authorization.isEmpty() ? QByteArray() : "Authorization: " + authorization + "\r\n") +
            "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    }
    /** An upload as a client library sends it (QNetworkAccessManager). */
    Reply upload(const QByteArray &body, const QString &name, const char *who,
                 const QByteArray &type)
    {
        QUrl url = m_server->httpUrl(QStringLiteral("/api/v1/files"));
        url.setQuery(QStringLiteral("name=") + QString::fromLatin1(QUrl::toPercentEncoding(name)));
        QNetworkRequest req(url);
        req.setHeader(QNetworkRequest::ContentTypeHeader,
                      type.isEmpty() ? QByteArray("application/octet-stream") : type);
        req.setRawHeader("Authorization", "Bearer " + m_tokens[QLatin1String(who)].toLatin1());
        return finish(m_nam.post(req, body));
    }
    Reply download(const QString &id, const char *who)
    {
        QNetworkRequest req(m_server->httpUrl(QStringLiteral("/api/v1/files/") + id));
        if (who)
            req.setRawHeader("Authorization", "Bearer " + m_tokens[QLatin1String(who)].toLatin1());
        return finish(m_nam.get(req));
    }
    static Reply finish(QNetworkReply *reply)
    {
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(15000);
        Reply r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        r.json = QJsonDocument::fromJson(r.body).object();
        for (const auto &[name, value] : reply->rawHeaderPairs())
            r.headers.insert(name.toLower(), value);
        reply->deleteLater();
        return r;
    }
    QJsonObject sendFile(Client &c, int n, const QString &id, const QString &name,
                         const QString &caption = {})
    {
        QJsonObject body{{QStringLiteral("room"), General},
                         {QStringLiteral("clientId"), QStringLiteral("f%1").arg(n)},
                         {QStringLiteral("file"),
                          QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("name"), name}}}};
        if (!caption.isEmpty())
            body.insert(QStringLiteral("text"), caption);
        return c.request(QStringLiteral("msg.send"), body);
    }
    herald::PurgeCounts purge()
    {
        herald::Retention *r = m_server->server->hub()->retention();
        QSignalSpy done(r, &herald::Retention::passDone);
        r->purgeNow();
        if (!done.wait(20000))
            qFatal("no purge pass ended");
        if (done.first().at(1).toBool())
            qFatal("the purge pass failed");
        return done.first().at(0).value<herald::PurgeCounts>();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LocalServer> m_server;
    QHash<QString, QString> m_tokens;
    QNetworkAccessManager m_nam;
};

QTEST_GUILESS_MAIN(TestFiles)
#include "tst_files.moc"
