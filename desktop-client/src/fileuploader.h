// Sending a file into a conversation: a local file (the attach button, a drop) or an image
// pasted from the clipboard (encoded to PNG) goes to POST /api/v1/files with the session's
// token, with progress and cancel; once stored, the message that carries it is sent (msg.send
// with "file"). One upload at a time per composer.
#pragma once

#include "chatroom.h"
#include "fileattachment.h"

#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

class QImage;
class QIODevice;
class QNetworkReply;

/** @brief Uploads one file at a time for a ChatRoom and sends the message that carries it. */
class FileUploader : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    /** @brief The conversation the file goes to. */
    Q_PROPERTY(ChatRoom *room READ room WRITE setRoom NOTIFY roomChanged)
    /** @brief The largest file the server takes, in bytes, when known (0: unknown; the server's
     *  413 decides). Learnt from a refusal that names the limit. */
    Q_PROPERTY(qint64 maxBytes READ maxBytes WRITE setMaxBytes NOTIFY maxBytesChanged)
    /** @brief An upload is under way. */
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    /** @brief The file being uploaded (or the last one). */
    Q_PROPERTY(QString fileName READ fileName NOTIFY busyChanged)
    Q_PROPERTY(qint64 bytesSent READ bytesSent NOTIFY progressChanged)
    Q_PROPERTY(qint64 bytesTotal READ bytesTotal NOTIFY progressChanged)
    /** @brief 0..1 of the upload. */
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)
    /** @brief Why the last upload did not happen, in words (empty: none failed). */
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorMessageChanged)

public:
    explicit FileUploader(QObject *parent = nullptr);
    ~FileUploader() override;

    /** @brief Uploads a local file, then sends it with @p caption. False (and errorMessage)
     *  when it cannot start: busy, not a readable file, empty, over the known limit. */
    Q_INVOKABLE bool uploadFile(const QUrl &file, const QString &caption = {});
    /** @brief An image on the clipboard is uploaded as PNG with @p caption; false when the
     *  clipboard holds no image (the composer pastes text then). */
    Q_INVOKABLE bool pasteImage(const QString &caption = {});
    /** @brief Uploads @p image encoded as PNG under @p name. */
    bool uploadImage(const QImage &image, const QString &name, const QString &caption = {});
    /** @brief Stops the upload; nothing is sent. */
    Q_INVOKABLE void cancel();
    Q_INVOKABLE void clearError();

    [[nodiscard]] ChatRoom *room() const { return m_room; }
    void setRoom(ChatRoom *room);
    [[nodiscard]] qint64 maxBytes() const { return m_maxBytes; }
    void setMaxBytes(qint64 bytes);
    [[nodiscard]] bool busy() const { return !m_reply.isNull(); }
    [[nodiscard]] QString fileName() const { return m_name; }
    [[nodiscard]] qint64 bytesSent() const { return m_sent; }
    [[nodiscard]] qint64 bytesTotal() const { return m_total; }
    [[nodiscard]] double progress() const { return m_total > 0 ? double(m_sent) / m_total : 0; }
    [[nodiscard]] QString errorMessage() const { return m_error; }

Q_SIGNALS:
    void roomChanged();
    void maxBytesChanged();
    void busyChanged();
    void progressChanged();
    void errorMessageChanged();
    /** @brief The server stored the file and its message is on its way. */
    void uploaded(const FileAttachment &file);
    /** @brief The upload failed or was refused (errorMessage says why). */
    void failed(const QString &message);

private:
    bool start(QIODevice *body, qint64 size, const QString &name, const QString &type,
               const QString &caption);
    void finish();
    void setError(const QString &message);
    [[nodiscard]] QString tooLargeMessage(qint64 size) const;

    QPointer<ChatRoom> m_room;
    QNetworkAccessManager m_network;
    QPointer<QNetworkReply> m_reply;
    QString m_name;
    QString m_caption;
    qint64 m_sent = 0;
    qint64 m_total = 0;
    qint64 m_maxBytes = 0;
    QString m_error;
};
