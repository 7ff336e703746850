#include "fileuploader.h"
#include "connection.h"

#include <QBuffer>
#include <QClipboard>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QJsonDocument>
#include <QMimeDatabase>
#include <QNetworkReply>

using namespace Qt::StringLiterals;

FileUploader::FileUploader(QObject *parent)
    : QObject(parent)
{
}

FileUploader::~FileUploader()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
}

void FileUploader::setRoom(ChatRoom *room)
{
    if (m_room == room)
        return;
    cancel();
    m_room = room;
    Q_EMIT roomChanged();
}

void FileUploader::setMaxBytes(qint64 bytes)
{
    bytes = std::max<qint64>(0, bytes);
    if (m_maxBytes == bytes)
        return;
    m_maxBytes = bytes;
    Q_EMIT maxBytesChanged();
}

QString FileUploader::tooLargeMessage(qint64 size) const
{
    if (m_maxBytes > 0)
        return tr("%1 is too large to send (%2; the limit is %3).")
            .arg(m_name, FileAttachment::formatSize(size), FileAttachment::formatSize(m_maxBytes));
    return tr("%1 is too large for the server.").arg(m_name);
}

void FileUploader::setError(const QString &message)
{
    if (m_error == message)
        return;
    m_error = message;
    Q_EMIT errorMessageChanged();
}

void FileUploader::clearError()
{
    setError({});
}

bool FileUploader::uploadFile(const QUrl &file, const QString &caption)
{
    if (busy()) {
        setError(tr("Wait until the file being sent is done, or cancel it."));
        return false;
    }
    const QFileInfo info(file.toLocalFile());
    m_name = info.fileName();
    if (!file.isLocalFile() || !info.isFile()) {
        setError(tr("%1 is not a file that can be sent.").arg(file.toDisplayString()));
        return false;
    }
    auto body = std::make_unique<QFile>(info.filePath());
    if (!body->open(QIODevice::ReadOnly)) {
        setError(tr("Cannot read %1: %2").arg(m_name, body->errorString()));
        return false;
    }
    const QString type = QMimeDatabase().mimeTypeForFile(info).name();
    const qint64 size = body->size();
    if (start(body.get(), size, m_name, type, caption)) {
        body.release(); // owned by the reply now
        return true;
    }
    return false;
}

bool FileUploader::pasteImage(const QString &caption)
{
    const QClipboard *clipboard = QGuiApplication::clipboard();
    const QImage image = clipboard ? clipboard->image() : QImage();
    if (image.isNull())
        return false;
    // The name says when it was pasted; a pasted image has no name of its own.
    const QString name =
        u"image-%1.png"_s.arg(QDateTime::currentDateTime().toString(u"yyyyMMdd-HHmmss"_s));
    uploadImage(image, name, caption);
    return true; // the image was taken, even when it could not be sent (errorMessage says why)
}

bool FileUploader::uploadImage(const QImage &image, const QString &name, const QString &caption)
{
    if (busy()) {
        setError(tr("Wait until the file being sent is done, or cancel it."));
        return false;
    }
    m_name = name;
    auto body = std::make_unique<QBuffer>();
    body->open(QIODevice::ReadWrite);
    if (image.isNull() || !image.save(body.get(), "PNG")) {
        setError(tr("The image could not be encoded."));
        return false;
    }
    body->seek(0);
    if (start(body.get(), body->size(), name, u"image/png"_s, caption)) {
        body.release();
        return true;
    }
    return false;
}

bool FileUploader::start(QIODevice *body, qint64 size, const QString &name, const QString &type,
                         const QString &caption)
{
    if (size <= 0) {
        setError(tr("%1 is empty.").arg(name));
        Q_EMIT failed(m_error);
        return false;
    }
    if (m_maxBytes > 0 && size > m_maxBytes) {
        setError(tooLargeMessage(size));
        Q_EMIT failed(m_error);
        return false;
    }
    Connection *connection = m_room ? m_room->connection() : nullptr;
    if (!connection || connection->state() != Connection::Connected) {
        setError(tr("Not connected. Try again when the connection is back."));
        Q_EMIT failed(m_error);
        return false;
    }
    QUrlQuery query;
    query.setQuery(u"name="_s + QString::fromLatin1(QUrl::toPercentEncoding(name)));
    QNetworkRequest request = connection->apiRequest(u"/api/v1/files"_s, query);
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      type.isEmpty() ? u"application/octet-stream"_s : type);
    request.setHeader(QNetworkRequest::ContentLengthHeader, size);
    request.setTransferTimeout(30000); // no byte moved for 30 s: the link is gone
    setError({});
    m_caption = caption;
    m_sent = 0;
    m_total = size;
    m_reply = m_network.post(request, body);
    body->setParent(m_reply);
    connect(m_reply, &QNetworkReply::uploadProgress, this, [this](qint64 sent, qint64 total) {
        if (sent == 0 && total == 0)
            return; // the request is done with its body (not a step back to nothing)
        m_sent = sent;
        if (total > 0)
            m_total = total;
        Q_EMIT progressChanged();
    });
    connect(m_reply, &QNetworkReply::finished, this, &FileUploader::finish);
    Q_EMIT busyChanged();
    Q_EMIT progressChanged();
    return true;
}

void FileUploader::cancel()
{
    if (!m_reply)
        return;
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->disconnect(this);
    reply->abort();
    reply->deleteLater();
    m_sent = 0;
    Q_EMIT busyChanged();
    Q_EMIT progressChanged();
}

void FileUploader::finish()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    m_reply = nullptr;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
    const FileAttachment file = FileAttachment::fromJson(answer);
    QString message;
    if (status == 201 && !file.isEmpty()) {
        m_sent = m_total;
        Q_EMIT progressChanged();
        if (m_room)
            m_room->sendFile(file, m_caption);
    } else if (status == 413) {
        // The server is the authority; a refusal that names its limit teaches this one.
        const qint64 limit = qint64(answer.value("limit"_L1).toDouble());
        if (limit > 0)
            setMaxBytes(limit);
        message = tooLargeMessage(m_total);
    } else if (status == 401) {
        message = tr("The server did not accept your sign-in for %1.").arg(m_name);
    } else if (status >= 400 && !answer.value("message"_L1).toString().isEmpty()) {
        message = tr("%1 was not sent: %2").arg(m_name, answer.value("message"_L1).toString());
    } else if (status > 0) {
        message = tr("%1 was not sent (HTTP %2).").arg(m_name).arg(status);
    } else {
        message = tr("%1 was not sent: %2").arg(m_name, reply->errorString());
    }
    m_caption.clear();
    setError(message);
    Q_EMIT busyChanged();
    if (message.isEmpty())
        Q_EMIT uploaded(file);
    else
        Q_EMIT failed(message);
}
