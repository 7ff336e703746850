// Files in chat end to end, against a real herald-server on port 0 (file_max_bytes set low):
// alice's FileUploader posts a file with her session's token and sends the message that
// carries it; bob's session receives the message with the file's meta and his AttachmentCache
// downloads exactly those bytes (a pasted image the same way, shown as an image). A file over
// the server's limit is refused with a message and sends nothing; once the limit is known it is
// refused before any byte goes out. Someone outside the room cannot download it. A cache with
// room for one file makes room for the next by dropping the one used longest ago.
#include "heraldfixture.h"

#include "attachmentcache.h"
#include "chatroom.h"
#include "credentialstore.h"
#include "fileuploader.h"
#include "session.h"

#include <QCryptographicHash>
#include <QImage>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 Limit = 100000; // the server's file_max_bytes in this test

QString idOf(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QByteArray randomBytes(qsizetype n)
{
    QByteArray bytes(n, Qt::Uninitialized);
    for (char &c : bytes)
        c = char(QRandomGenerator::global()->bounded(256));
    return bytes;
}

/** The row of the message carrying file @p id, or -1. */
int rowWithFile(MessageModel *model, const QString &id)
{
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->index(row).data(MessageModel::FileIdRole).toString() == id)
            return row;
    return -1;
}
} // namespace

class TestFileTransfer : public QObject
{
    Q_OBJECT

private:
    fixture::Server m_server;
    QHash<QString, QString> m_tokens;
    QTemporaryDir m_files;

    std::unique_ptr<Session> signIn(const QString &user)
    {
        auto session = std::make_unique<Session>(nullptr);
        session->setRememberCredentials(false);
        session->attachments()->setDirectory(m_files.path() + u"/cache-"_s + user);
        session->connectWithToken(m_server.url(), m_tokens.value(user));
        return session;
    }

    /** Waits until each of them is online and has the room "general" (false after 10 s). */
    static bool inGeneral(std::initializer_list<Session *> people)
    {
        return QTest::qWaitFor(
            [&] {
                for (Session *p : people)
                    if (p->status() != Session::Online || !p->room(u"general"_s))
                        return false;
                return true;
            },
            10000);
    }

    QUrl writeFile(const QString &name, const QByteArray &bytes)
    {
        QFile f(m_files.path() + u'/' + name);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            return {};
        return QUrl::fromLocalFile(f.fileName());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"HeraldTest"_s);
        QCoreApplication::setApplicationName(u"tst_filetransfer"_s);
        QSettings().clear();
        QFile::remove(CredentialStore::fallbackPath());
        qputenv("HERALD_CREDENTIAL_STORE", "file");
        if (!m_server.binariesExist())
            QSKIP("herald-server or heraldctl is not built");
        const auto ctl = [this](const QStringList &args) { return m_server.ctl(args).has_value(); };
        for (const QString &user : {u"alice"_s, u"bob"_s, u"carol"_s})
            QVERIFY(ctl({u"user"_s, u"add"_s, user, u"--password"_s, u"password-"_s + user}));
        QVERIFY(ctl({u"room"_s, u"create"_s, u"general"_s}));
        for (const QString &user : {u"alice"_s, u"bob"_s})
            QVERIFY(ctl({u"room"_s, u"add-member"_s, u"general"_s, user}));
        for (const QString &user : {u"alice"_s, u"bob"_s, u"carol"_s}) {
            m_tokens.insert(user, m_server.ctl({u"token"_s, u"issue"_s, user}).value_or(QString()));
            QVERIFY(!m_tokens.value(user).isEmpty());
        }
        m_server.args = {u"--set"_s, u"file_max_bytes=%1"_s.arg(Limit)};
        QVERIFY(m_server.start());
    }

    void fileGoesFromAliceToBob()
    {
        auto alice = signIn(u"alice"_s);
        auto bob = signIn(u"bob"_s);
        QVERIFY(inGeneral({alice.get(), bob.get()}));
        ChatRoom *room = alice->room(u"general"_s);
        MessageModel *bobs = bob->room(u"general"_s)->messages();

        // A name that needs percent-encoding in the query.
        const QString name = u"Q3 report & notes+1 €.pdf"_s;
        const QByteArray bytes = randomBytes(60000);
        const QString id = idOf(bytes);
        FileUploader uploader;
        uploader.setRoom(room);
        QSignalSpy uploaded(&uploader, &FileUploader::uploaded);
        QSignalSpy progress(&uploader, &FileUploader::progressChanged);
        QVERIFY(uploader.uploadFile(writeFile(name, bytes), u"the numbers"_s));
        QVERIFY(uploader.busy());
        QVERIFY(uploaded.wait(15000));
        QVERIFY(uploader.errorMessage().isEmpty());
        QVERIFY(!uploader.busy());
        QVERIFY(progress.count() >= 2);
        QCOMPARE(uploader.bytesSent(), qint64(bytes.size()));
        const FileAttachment sent = uploaded.first().first().value<FileAttachment>();
        QCOMPARE(sent.id, id);

        // Bob's conversation gets the message with the file's meta.
        QTRY_VERIFY_WITH_TIMEOUT(rowWithFile(bobs, id) >= 0, 10000);
        const QModelIndex got = bobs->index(rowWithFile(bobs, id));
        QCOMPARE(got.data(MessageModel::FileNameRole).toString(), name);
        QCOMPARE(got.data(MessageModel::FileSizeRole).toLongLong(), qint64(bytes.size()));
        QCOMPARE(got.data(MessageModel::FileTypeRole).toString(), u"application/pdf"_s);
        QCOMPARE(got.data(MessageModel::IsImageRole).toBool(), false);
        QCOMPARE(got.data(MessageModel::TextRole).toString(), u"the numbers"_s);
        QCOMPARE(got.data(MessageModel::AuthorRole).toString(), u"alice"_s);
        // Alice's own echo is confirmed, with the file.
        MessageModel *alices = room->messages();
        QTRY_COMPARE(
            alices->index(rowWithFile(alices, id)).data(MessageModel::StateRole).toString(),
            u"sent"_s);

        // Bob downloads exactly those bytes into his cache.
        AttachmentCache *cache = bob->attachments();
        QVERIFY(cache->localUrl(id).isEmpty());
        QSignalSpy fetched(cache, &AttachmentCache::fetched);
        QSignalSpy failed(cache, &AttachmentCache::fetchFailed);
        cache->fetch(id, name);
        QVERIFY(cache->isFetching(id));
        QVERIFY(fetched.wait(15000));
        QCOMPARE(failed.count(), 0);
        const QUrl local = fetched.first().at(1).toUrl();
        QCOMPARE(local, cache->localUrl(id));
        QVERIFY(local.toLocalFile().endsWith(u'/' + name));
        QFile file(local.toLocalFile());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), bytes);
        file.close();

        // Save as: a copy where bob chose.
        QSignalSpy saved(cache, &AttachmentCache::saved);
        const QUrl target = QUrl::fromLocalFile(m_files.path() + u"/saved by bob.pdf"_s);
        cache->saveAs(id, u"report.pdf"_s, target);
        QVERIFY(saved.wait(5000));
        QFile copy(target.toLocalFile());
        QVERIFY(copy.open(QIODevice::ReadOnly));
        QCOMPARE(copy.readAll(), bytes);

        // Carol is not in the room: the server does not hand it to her.
        auto carol = signIn(u"carol"_s);
        QTRY_COMPARE_WITH_TIMEOUT(carol->status(), Session::Online, 10000);
        QSignalSpy carolFailed(carol->attachments(), &AttachmentCache::fetchFailed);
        carol->attachments()->fetch(id, u"report.pdf"_s);
        QVERIFY(carolFailed.wait(10000));
        QCOMPARE(carolFailed.first().at(1).toString(), u"This file is not available."_s);
        QVERIFY(carol->attachments()->localUrl(id).isEmpty());

        // Signing out empties bob's cache.
        bob->signOut();
        QVERIFY(cache->localUrl(id).isEmpty());
    }

    void pastedImageArrivesAsAnImage()
    {
        auto alice = signIn(u"alice"_s);
        auto bob = signIn(u"bob"_s);
        QVERIFY(inGeneral({alice.get(), bob.get()}));
        QImage image(64, 48, QImage::Format_RGB32);
        image.fill(Qt::darkCyan);
        FileUploader uploader;
        uploader.setRoom(alice->room(u"general"_s));
        QSignalSpy uploaded(&uploader, &FileUploader::uploaded);
        QVERIFY(uploader.uploadImage(image, u"pasted.png"_s));
        QVERIFY(uploaded.wait(15000));
        const QString id = uploaded.first().first().value<FileAttachment>().id;
        MessageModel *bobs = bob->room(u"general"_s)->messages();
        QTRY_VERIFY_WITH_TIMEOUT(rowWithFile(bobs, id) >= 0, 10000);
        const QModelIndex got = bobs->index(rowWithFile(bobs, id));
        QCOMPARE(got.data(MessageModel::FileTypeRole).toString(), u"image/png"_s);
        QCOMPARE(got.data(MessageModel::IsImageRole).toBool(), true);
        QVERIFY(got.data(MessageModel::TextRole).toString().isEmpty()); // no caption
        QSignalSpy fetched(bob->attachments(), &AttachmentCache::fetched);
        bob->attachments()->fetch(id, u"pasted.png"_s);
        QVERIFY(fetched.wait(15000));
        const QImage shown(fetched.first().at(1).toUrl().toLocalFile());
        QCOMPARE(shown.size(), QSize(64, 48));
        QCOMPARE(shown.pixelColor(10, 10), QColor(Qt::darkCyan));
    }

    void aFullCacheMakesRoomForTheNewFile()
    {
        auto alice = signIn(u"alice"_s);
        auto bob = signIn(u"bob"_s);
        QVERIFY(inGeneral({alice.get(), bob.get()}));
        FileUploader uploader;
        uploader.setRoom(alice->room(u"general"_s));
        QSignalSpy uploaded(&uploader, &FileUploader::uploaded);
        QList<QByteArray> files;
        QStringList ids;
        for (int i = 0; i < 2; ++i) {
            files << randomBytes(30000);
            QVERIFY(uploader.uploadFile(writeFile(u"part%1.bin"_s.arg(i), files.last()), {}));
            QVERIFY(uploaded.wait(15000));
            ids << uploaded.last().first().value<FileAttachment>().id;
        }
        // Room for one of them: the second download pushes out the first.
        AttachmentCache *cache = bob->attachments();
        cache->setLimit(45000);
        QSignalSpy fetched(cache, &AttachmentCache::fetched);
        cache->fetch(ids[0], u"part0.bin"_s);
        QVERIFY(fetched.wait(15000));
        cache->fetch(ids[1], u"part1.bin"_s);
        QTRY_COMPARE_WITH_TIMEOUT(fetched.count(), 2, 15000);
        QVERIFY(cache->localUrl(ids[0]).isEmpty());
        QFile second(cache->localUrl(ids[1]).toLocalFile());
        QVERIFY(second.open(QIODevice::ReadOnly));
        QCOMPARE(second.readAll(), files[1]);
        QCOMPARE(cache->heldBytes(), qint64(30000));
        // Needed again: downloaded again, whole.
        cache->fetch(ids[0], u"part0.bin"_s);
        QTRY_COMPARE_WITH_TIMEOUT(fetched.count(), 3, 15000);
        QFile first(fetched.last().at(1).toUrl().toLocalFile());
        QVERIFY(first.open(QIODevice::ReadOnly));
        QCOMPARE(first.readAll(), files[0]);
        QVERIFY(cache->localUrl(ids[1]).isEmpty());
    }

    void overTheLimitSendsNothing()
    {
        auto alice = signIn(u"alice"_s);
        auto bob = signIn(u"bob"_s);
        QVERIFY(inGeneral({alice.get(), bob.get()}));
        ChatRoom *room = alice->room(u"general"_s);
        room->open();
        bob->room(u"general"_s)->open();
        QTest::qWait(1000); // both hold the history
        const int alicesBefore = room->messages()->rowCount();
        const int bobsBefore = bob->room(u"general"_s)->messages()->rowCount();

        FileUploader uploader;
        uploader.setRoom(room);
        QSignalSpy failed(&uploader, &FileUploader::failed);
        QSignalSpy uploaded(&uploader, &FileUploader::uploaded);
        const QByteArray big = randomBytes(Limit + 50000);
        // The limit is not known here yet: the server refuses it (413).
        QVERIFY(uploader.uploadFile(writeFile(u"big.bin"_s, big), u"too big"_s));
        QVERIFY(failed.wait(15000));
        QCOMPARE(uploaded.count(), 0);
        QVERIFY2(uploader.errorMessage().startsWith(u"big.bin is too large"_s),
                 qPrintable(uploader.errorMessage()));
        QVERIFY(!uploader.busy());

        // Known limit (taught by the refusal, or set): refused before a byte goes out.
        if (uploader.maxBytes() == 0)
            uploader.setMaxBytes(Limit);
        QVERIFY(!uploader.uploadFile(writeFile(u"big.bin"_s, big)));
        QVERIFY(uploader.errorMessage().startsWith(u"big.bin is too large to send"_s));
        QCOMPARE(failed.count(), 2);

        QTest::qWait(1000);
        QCOMPARE(room->messages()->rowCount(), alicesBefore);
        QCOMPARE(room->messages()->pending().size(), 0);
        QCOMPARE(bob->room(u"general"_s)->messages()->rowCount(), bobsBefore);
    }

    void cancelStopsTheUpload()
    {
        auto alice = signIn(u"alice"_s);
        QVERIFY(inGeneral({alice.get()}));
        ChatRoom *room = alice->room(u"general"_s);
        room->open();
        QTest::qWait(500);
        const int before = room->messages()->rowCount();
        FileUploader uploader;
        uploader.setRoom(room);
        QSignalSpy uploaded(&uploader, &FileUploader::uploaded);
        QVERIFY(uploader.uploadFile(writeFile(u"cancelled.bin"_s, randomBytes(80000))));
        uploader.cancel();
        QVERIFY(!uploader.busy());
        QTest::qWait(1500);
        QCOMPARE(uploaded.count(), 0);
        QCOMPARE(room->messages()->rowCount(), before);
    }
};

QTEST_MAIN(TestFileTransfer)
#include "tst_filetransfer.moc"
