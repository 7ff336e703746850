#include "attachmentcache.h"
#include "connection.h"
#include "fileattachment.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QStandardPaths>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAttachments, "herald.attachments")

AttachmentCache::AttachmentCache(Connection *connection, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_directory(QStandardPaths::writableLocation(QStandardPaths::CacheLocation) +
                  u"/attachments"_s)
{
}

AttachmentCache::~AttachmentCache()
{
    for (Download &d : m_downloads) {
        if (d.reply) {
            d.reply->disconnect(this);
            d.reply->abort();
        }
        if (d.file)
            d.file->remove();
    }
}

QString AttachmentCache::safeName(const QString &name)
{
    // Only the last part of the name, never a path, never hidden: it is a file in our folder.
    QString base = QFileInfo(name).fileName();
    base.replace(u'\\', u'_');
    while (base.startsWith(u'.'))
        base.remove(0, 1);
    return base.isEmpty() ? u"file"_s : base.left(180);
}

QString AttachmentCache::localPath(const QString &id) const
{
    if (!FileAttachment::isValidId(id))
        return {};
    const QDir dir(m_directory + u'/' + id);
    const QStringList files = dir.entryList(QDir::Files);
    if (files.isEmpty())
        return {};
    // Asked for is used: the modification time says when, for trim().
    QFile file(dir.filePath(files.first()));
    if (file.open(QIODevice::ReadOnly))
        file.setFileTime(QDateTime::currentDateTimeUtc(), QFileDevice::FileModificationTime);
    return file.fileName();
}

void AttachmentCache::setLimit(qint64 bytes)
{
    m_limit = qMax<qint64>(0, bytes);
    trim();
}

namespace {
struct Held
{
    QString id;
    qint64 bytes = 0;
    QDateTime used;
};
QList<Held> heldIn(const QString &directory)
{
    QList<Held> held;
    const QDir root(directory);
    for (const QString &id : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (!FileAttachment::isValidId(id))
            continue;
        Held h{id, 0, {}};
        for (const QFileInfo &f : QDir(root.filePath(id)).entryInfoList(QDir::Files)) {
            h.bytes += f.size();
            h.used = qMax(h.used, f.lastModified());
        }
        held << h;
    }
    return held;
}
qint64 bytesOf(const QList<Held> &held)
{
    qint64 total = 0;
    for (const Held &h : held)
        total += h.bytes;
    return total;
}
} // namespace

qint64 AttachmentCache::heldBytes() const
{
    return bytesOf(heldIn(m_directory));
}

void AttachmentCache::trim(const QString &keep)
{
    QList<Held> held = heldIn(m_directory);
    qint64 total = bytesOf(held);
    if (total <= m_limit)
        return;
    std::sort(held.begin(), held.end(), [](const Held &a, const Held &b) {
        return a.used != b.used ? a.used < b.used : a.id < b.id;
    });
    for (const Held &h : std::as_const(held)) {
        if (total <= m_limit)
            break;
        if (h.id == keep || m_downloads.contains(h.id))
            continue;
        if (QDir(m_directory + u'/' + h.id).removeRecursively())
            total -= h.bytes;
    }
    qCInfo(lcAttachments) << "cache trimmed to" << total << "bytes, limit" << m_limit;
}

QString AttachmentCache::formatSize(qint64 bytes)
{
    return FileAttachment::formatSize(bytes);
}

QUrl AttachmentCache::localUrl(const QString &id) const
{
    const QString path = localPath(id);
    return path.isEmpty() ? QUrl() : QUrl::fromLocalFile(path);
}

void AttachmentCache::fetch(const QString &id, const QString &name)
{
    whenHeld(id, name,
             [this, id](const QString &path) { Q_EMIT fetched(id, QUrl::fromLocalFile(path)); });
}

void AttachmentCache::open(const QString &id, const QString &name)
{
    whenHeld(id, name, [this, id](const QString &path) {
        if (!QDesktopServices::openUrl(QUrl::fromLocalFile(path)))
            Q_EMIT fetchFailed(id, tr("No application opens %1.").arg(QFileInfo(path).fileName()));
    });
}

void AttachmentCache::saveAs(const QString &id, const QString &name, const QUrl &target)
{
    if (!target.isLocalFile()) {
        Q_EMIT fetchFailed(id, tr("Choose a folder on this computer."));
        return;
    }
    whenHeld(id, name, [this, id, target](const QString &path) {
        const QString to = target.toLocalFile();
        // The save dialog asked before replacing a file.
        if (QFileInfo::exists(to))
            QFile::remove(to);
        if (QFile::copy(path, to))
            Q_EMIT saved(id, target);
        else
            Q_EMIT fetchFailed(id, tr("Cannot save to %1.").arg(to));
    });
}

void AttachmentCache::whenHeld(const QString &id, const QString &name,
                               std::function<void(const QString &)> then)
{
    if (!FileAttachment::isValidId(id)) {
        // Asynchronous like every other answer, so callers connect first.
        QTimer::singleShot(0, this, [this, id] { Q_EMIT fetchFailed(id, tr("No such file.")); });
        return;
    }
    if (const QString path = localPath(id); !path.isEmpty()) {
        QTimer::singleShot(0, this, [then = std::move(then), path] { then(path); });
        return;
    }
    if (auto it = m_downloads.find(id); it != m_downloads.end()) {
        it->then.append(std::move(then));
        return;
    }
    if (!m_connection || m_connection->server().isEmpty()) {
        QTimer::singleShot(0, this, [this, id] {
            Q_EMIT fetchFailed(id, tr("Not connected. Try again when the connection is back."));
        });
        return;
    }
    if (!QDir().mkpath(m_directory)) {
        QTimer::singleShot(0, this, [this, id] {
            Q_EMIT fetchFailed(id, tr("Cannot write to %1.").arg(m_directory));
        });
        return;
    }
    Download d;
    d.name = safeName(name);
    d.then.append(std::move(then));
    d.file = std::make_shared<QFile>(m_directory + u'/' + id + u".part"_s);
    if (!d.file->open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        QTimer::singleShot(0, this, [this, id] {
            Q_EMIT fetchFailed(id, tr("Cannot write to %1.").arg(m_directory));
        });
        return;
    }
    d.hash = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
    QNetworkRequest request = m_connection->apiRequest(u"/api/v1/files/"_s + id);
    request.setTransferTimeout(30000);
    QNetworkReply *reply = m_network.get(request);
    d.reply = reply;
    m_downloads.insert(id, d);
    // Written as it comes: a large file never sits in memory whole.
    connect(reply, &QNetworkReply::readyRead, this, [this, id, reply] {
        auto it = m_downloads.find(id);
        if (it == m_downloads.end())
            return;
        if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
            return; // an error body: read at the end
        const QByteArray chunk = reply->readAll();
        it->hash->addData(chunk);
        if (it->file->write(chunk) != chunk.size())
            reply->abort();
    });
    connect(reply, &QNetworkReply::downloadProgress, this,
            [this, id](qint64 received, qint64 total) { Q_EMIT progress(id, received, total); });
    connect(reply, &QNetworkReply::finished, this, [this, id] { finishDownload(id); });
}

void AttachmentCache::finishDownload(const QString &id)
{
    auto it = m_downloads.find(id);
    if (it == m_downloads.end())
        return;
    QNetworkReply *reply = it->reply;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200) {
        const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
        qCInfo(lcAttachments) << "download of" << id << "failed:" << status
                              << answer.value("error"_L1).toString() << reply->error();
        if (status == 404)
            return fail(id, tr("This file is not available."));
        if (status == 0)
            return fail(id, tr("The download failed: %1").arg(reply->errorString()));
        return fail(id, tr("The download failed (HTTP %1).").arg(status));
    }
    const QByteArray rest = reply->readAll();
    it->hash->addData(rest);
    it->file->write(rest);
    it->file->close();
    // The id is the content's SHA-256: what came must be exactly that file.
    if (QString::fromLatin1(it->hash->result().toHex()) != id || it->file->error())
        return fail(id, tr("The download was damaged. Try again."));
    const QString dir = m_directory + u'/' + id;
    const QString path = dir + u'/' + it->name;
    if (!QDir().mkpath(dir))
        return fail(id, tr("Cannot write to %1.").arg(m_directory));
    if (QFile::exists(path))
        it->file->remove(); // held already (two downloads raced): keep the one there
    else if (!it->file->rename(path))
        return fail(id, tr("Cannot write to %1.").arg(m_directory));
    const QList<std::function<void(const QString &)>> then = std::move(it->then);
    m_downloads.erase(it);
    trim(id);
    for (const auto &f : then)
        f(path);
}

void AttachmentCache::fail(const QString &id, const QString &message)
{
    auto it = m_downloads.find(id);
    if (it != m_downloads.end()) {
        it->file->close();
        it->file->remove();
        m_downloads.erase(it);
    }
    Q_EMIT fetchFailed(id, message);
}

void AttachmentCache::clear()
{
    for (Download &d : m_downloads) {
        if (d.reply) {
            d.reply->disconnect(this);
            d.reply->abort();
            d.reply->deleteLater();
        }
        d.file->close();
        d.file->remove();
    }
    m_downloads.clear();
    QDir(m_directory).removeRecursively();
}
