// Files of chat messages on the desktop, without a server: MessageModel's file roles under
// QAbstractItemModelTester (from message frames, a pending message that carries a file, a
// deletion that takes the file away), the content id that names cache files (nothing else
// passes), the cache refusing ids it could not hold, the cache keeping to its size limit by
// dropping what was used longest ago, and the uploader's refusals before anything
// goes out (an empty file, a file over the known limit, no connection): an error in words and
// no message sent.
#include "attachmentcache.h"
#include "chatroom.h"
#include "fileattachment.h"
#include "fileuploader.h"
#include "messagemodel.h"

#include <QAbstractItemModelTester>
#include <QCryptographicHash>
#include <QDir>
#include <QImage>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Tester = QAbstractItemModelTester;

namespace {
QString idOf(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QJsonObject message(qint64 seq, const QString &from, const QString &text, const QJsonObject &file)
{
    QJsonObject m{{u"type"_s, u"message"_s}, {u"room"_s, u"general"_s},
                  {u"seq"_s, seq},           {u"from"_s, from},
                  {u"text"_s, text},         {u"ts"_s, 1700000000000LL + seq}};
    if (!file.isEmpty())
        m.insert(u"file"_s, file);
    return m;
}
} // namespace

class TestAttachments : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void fileRolesUnderTester()
    {
        MessageModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        model.setSelf(u"alice"_s);
        const QString png = idOf("png bytes");
        const QString pdf = idOf("pdf bytes");
        QVERIFY(
            model.insertMessage(MessageModel::fromJson(message(1, u"bob"_s, {},
                                                               {{u"id"_s, png},
                                                                {u"name"_s, u"shot.png"_s},
                                                                {u"size"_s, 9},
                                                                {u"type"_s, u"image/png"_s}}))));
        QVERIFY(model.insertMessage(
            MessageModel::fromJson(message(2, u"bob"_s, u"the report"_s,
                                           {{u"id"_s, pdf},
                                            {u"name"_s, u"report.pdf"_s},
                                            {u"size"_s, 3 * 1024 * 1024},
                                            {u"type"_s, u"application/pdf"_s}}))));
        QVERIFY(model.insertMessage(MessageModel::fromJson(message(3, u"bob"_s, u"plain"_s, {}))));
        // A file object with an id that is not a content id is no file at all.
        QVERIFY(model.insertMessage(MessageModel::fromJson(message(
            4, u"bob"_s, u"odd"_s, {{u"id"_s, u"../../etc/passwd"_s}, {u"name"_s, u"x"_s}}))));
        QCOMPARE(model.rowCount(), 4);

        const QHash<int, QByteArray> roles = model.roleNames();
        for (const char *name : {"fileId", "fileName", "fileSize", "fileType", "isImage"})
            QVERIFY2(roles.values().contains(QByteArray(name)), name);

        const QModelIndex image = model.index(0);
        QCOMPARE(image.data(MessageModel::FileIdRole).toString(), png);
        QCOMPARE(image.data(MessageModel::FileNameRole).toString(), u"shot.png"_s);
        QCOMPARE(image.data(MessageModel::FileSizeRole).toLongLong(), 9);
        QCOMPARE(image.data(MessageModel::FileTypeRole).toString(), u"image/png"_s);
        QCOMPARE(image.data(MessageModel::IsImageRole).toBool(), true);
        QCOMPARE(image.data(MessageModel::TextRole).toString(), QString()); // no caption

        const QModelIndex other = model.index(1);
        QCOMPARE(other.data(MessageModel::FileNameRole).toString(), u"report.pdf"_s);
        QCOMPARE(other.data(MessageModel::FileSizeRole).toLongLong(), 3 * 1024 * 1024);
        QCOMPARE(other.data(MessageModel::IsImageRole).toBool(), false);
        QCOMPARE(other.data(MessageModel::TextRole).toString(), u"the report"_s);

        for (int row : {2, 3}) {
            QVERIFY(model.index(row).data(MessageModel::FileIdRole).toString().isEmpty());
            QCOMPARE(model.index(row).data(MessageModel::IsImageRole).toBool(), false);
        }

        // Deleted: the file goes with the text, and the roles say so.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(model.applyDelete(2));
        QCOMPARE(changed.count(), 1);
        const QList<int> changedRoles = changed.first().at(2).value<QList<int>>();
        QVERIFY(changedRoles.contains(MessageModel::FileIdRole));
        QVERIFY(changedRoles.contains(MessageModel::IsImageRole));
        QVERIFY(model.index(1).data(MessageModel::FileIdRole).toString().isEmpty());
        QVERIFY(model.index(1).data(MessageModel::FileNameRole).toString().isEmpty());
    }

    void pendingFileMessageCarriesTheFile()
    {
        ChatRoom room(u"general"_s, nullptr);
        Tester tester(room.messages(), Tester::FailureReportingMode::QtTest);
        room.setSelf(u"alice"_s);
        const FileAttachment file{idOf("abc"), u"notes.txt"_s, 3, u"text/plain"_s};
        room.sendFile(file, u"  my notes  "_s);
        QCOMPARE(room.messages()->rowCount(), 1);
        const QModelIndex i = room.messages()->index(0);
        QCOMPARE(i.data(MessageModel::StateRole).toString(), u"pending"_s);
        QCOMPARE(i.data(MessageModel::FileIdRole).toString(), file.id);
        QCOMPARE(i.data(MessageModel::FileNameRole).toString(), u"notes.txt"_s);
        QCOMPARE(i.data(MessageModel::TextRole).toString(), u"my notes"_s);
        QCOMPARE(room.messages()->pending().first().file, file); // resent with it
        room.sendFile(FileAttachment{}, u"no file"_s);           // nothing to send
        QCOMPARE(room.messages()->rowCount(), 1);
    }

    void contentIdsOnly()
    {
        QVERIFY(FileAttachment::isValidId(idOf("x")));
        QVERIFY(!FileAttachment::isValidId(idOf("x").toUpper()));
        QVERIFY(!FileAttachment::isValidId(idOf("x").left(63)));
        QVERIFY(!FileAttachment::isValidId(u"../"_s + idOf("x").mid(3)));
        QVERIFY(!FileAttachment::isValidId({}));
        const auto image = [](const QString &type) {
            return FileAttachment{idOf("x"), u"f"_s, 1, type}.isImage();
        };
        QVERIFY(image(u"image/png"_s));
        QVERIFY(image(u"image/jpeg"_s));
        QVERIFY(!image(u"application/octet-stream"_s));
        QVERIFY(!image(u"image/x-unknown"_s));
        QVERIFY(!FileAttachment::formatSize(3 * 1024 * 1024).isEmpty());
        QVERIFY(FileAttachment::formatSize(3 * 1024 * 1024).contains(u"3"_s));
    }

    void cacheRefusesWhatItCannotHold()
    {
        QTemporaryDir dir;
        AttachmentCache cache(nullptr);
        cache.setDirectory(dir.path() + u"/attachments"_s);
        QVERIFY(cache.localUrl(u"../../x"_s).isEmpty());
        QVERIFY(cache.localUrl(idOf("never fetched")).isEmpty());
        QSignalSpy failed(&cache, &AttachmentCache::fetchFailed);
        QSignalSpy fetched(&cache, &AttachmentCache::fetched);
        cache.fetch(u"../../etc/passwd"_s, u"passwd"_s);
        QVERIFY(failed.wait(2000));
        QCOMPARE(failed.first().at(0).toString(), u"../../etc/passwd"_s);
        cache.fetch(idOf("y"), u"y.txt"_s); // no connection: a message, not a crash
        QTRY_COMPARE(failed.count(), 2);
        QVERIFY(!failed.last().at(1).toString().isEmpty());
        QCOMPARE(fetched.count(), 0);
        QVERIFY(!QFileInfo::exists(cache.directory() + u"/"_s + idOf("y")));

        // A file held is handed out at once, and clear() removes it.
        const QString held = idOf("held");
        QVERIFY(QDir().mkpath(cache.directory() + u'/' + held));
        QFile f(cache.directory() + u'/' + held + u"/held.txt"_s);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("held");
        f.close();
        QCOMPARE(cache.localUrl(held), QUrl::fromLocalFile(f.fileName()));
        cache.fetch(held, u"held.txt"_s);
        QVERIFY(fetched.wait(2000));
        QCOMPARE(fetched.first().at(1).toUrl(), QUrl::fromLocalFile(f.fileName()));
        cache.clear();
        QVERIFY(cache.localUrl(held).isEmpty());
        QVERIFY(!QFileInfo::exists(cache.directory()));
    }

    void cacheKeepsToItsLimitDroppingWhatWasUsedLongestAgo()
    {
        QTemporaryDir dir;
        AttachmentCache cache(nullptr);
        cache.setDirectory(dir.path() + u"/attachments"_s);
        QCOMPARE(cache.limit(), AttachmentCache::DefaultLimit);
        // Three files held, last used an hour apart (a file's modification time is its use).
        const QDateTime dayAgo = QDateTime::currentDateTimeUtc().addDays(-1);
        const auto hold = [&](const QByteArray &seed, int hoursAfter) {
            const QString id = idOf(seed);
            if (!QDir().mkpath(cache.directory() + u'/' + id))
                return QString();
            QFile f(cache.directory() + u'/' + id + u"/file.bin"_s);
            if (!f.open(QIODevice::WriteOnly) || f.write(QByteArray(40000, 'x')) != 40000 ||
                !f.setFileTime(dayAgo.addSecs(3600 * hoursAfter),
                               QFileDevice::FileModificationTime))
                return QString();
            return id;
        };
        const QString a = hold("a", 1), b = hold("b", 2), c = hold("c", 3);
        QVERIFY(!a.isEmpty() && !b.isEmpty() && !c.isEmpty());
        QCOMPARE(cache.heldBytes(), qint64(120000));
        QVERIFY(!cache.localUrl(a).isEmpty()); // a is shown now: used last
        cache.setLimit(100000);
        QVERIFY(cache.localUrl(b).isEmpty()); // used longest ago
        QCOMPARE(cache.heldBytes(), qint64(80000));
        cache.setLimit(50000);
        QVERIFY(cache.localUrl(c).isEmpty());
        QVERIFY(!cache.localUrl(a).isEmpty());
        QCOMPARE(cache.heldBytes(), qint64(40000));
        cache.setLimit(0);
        QCOMPARE(cache.heldBytes(), qint64(0));
        QVERIFY(cache.localUrl(a).isEmpty());
        QVERIFY(QFileInfo::exists(cache.directory())); // the folder stays, empty
    }

    void uploaderRefusesBeforeSending()
    {
        QTemporaryDir dir;
        ChatRoom room(u"general"_s, nullptr);
        room.setSelf(u"alice"_s);
        FileUploader uploader;
        uploader.setRoom(&room);
        QSignalSpy failed(&uploader, &FileUploader::failed);

        // Not a file.
        QVERIFY(!uploader.uploadFile(QUrl::fromLocalFile(dir.path() + u"/missing.pdf"_s)));
        QVERIFY(uploader.errorMessage().contains(u"missing.pdf"_s));

        // Empty.
        QFile empty(dir.path() + u"/empty.txt"_s);
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();
        QVERIFY(!uploader.uploadFile(QUrl::fromLocalFile(empty.fileName())));
        QCOMPARE(uploader.errorMessage(), u"empty.txt is empty."_s);

        // Over the known limit: refused here, in words that name both sizes.
        QFile big(dir.path() + u"/big.bin"_s);
        QVERIFY(big.open(QIODevice::WriteOnly));
        big.write(QByteArray(4096, 'x'));
        big.close();
        uploader.setMaxBytes(1024);
        failed.clear();
        QVERIFY(!uploader.uploadFile(QUrl::fromLocalFile(big.fileName()), u"caption"_s));
        QCOMPARE(failed.count(), 1);
        QVERIFY(uploader.errorMessage().startsWith(u"big.bin is too large to send"_s));
        QVERIFY(uploader.errorMessage().contains(FileAttachment::formatSize(1024)));
        QVERIFY(!uploader.busy());

        // Within the limit but not connected.
        uploader.setMaxBytes(0);
        QVERIFY(!uploader.uploadFile(QUrl::fromLocalFile(big.fileName())));
        QVERIFY(uploader.errorMessage().startsWith(u"Not connected"_s));
        QImage image(8, 8, QImage::Format_RGB32);
        image.fill(Qt::red);
        QVERIFY(!uploader.uploadImage(image, u"pasted.png"_s));
        QVERIFY(!uploader.busy());

        QCOMPARE(room.messages()->rowCount(), 0); // nothing was sent
        uploader.clearError();
        QVERIFY(uploader.errorMessage().isEmpty());
    }
};

QTEST_MAIN(TestAttachments)
#include "tst_attachments.moc"
