// A file a chat message carries: what the server says of it ({"id","name","size","type"} on
// message frames, history, resume and search), typed for the models and the transfer classes.
#pragma once

#include <QImageReader>
#include <QJsonObject>
#include <QLocale>
#include <QString>

/** @brief A chat message's file: its content id (SHA-256, hex), name, size and media type. */
struct FileAttachment
{
    QString id;   // 64 hex digits: the SHA-256 of its bytes, and its name on the server
    QString name; // as the sender's file was called
    qint64 size = 0;
    QString type; // media type, e.g. "image/png"

    bool operator==(const FileAttachment &) const = default;

    [[nodiscard]] bool isEmpty() const { return id.isEmpty(); }

    /** @brief An image this machine can decode: shown as a preview instead of a file chip. */
    [[nodiscard]] bool isImage() const
    {
        return type.startsWith(QLatin1String("image/")) &&
               QImageReader::supportedMimeTypes().contains(type.toLatin1());
    }

    /** @brief A well-formed content id: exactly 64 lower-case hex digits (it names a file in
     *  the cache, so nothing else may pass). */
    [[nodiscard]] static bool isValidId(const QString &id)
    {
        if (id.size() != 64)
            return false;
        for (const QChar c : id)
            if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
                return false;
        return true;
    }

    /** @brief "2.4 MB", "512 KB", "12 bytes": a size for people, in the current locale. */
    [[nodiscard]] static QString formatSize(qint64 bytes)
    {
        return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
    }

    /** @brief From a message's "file" object; empty when absent or without a valid id. */
    [[nodiscard]] static FileAttachment fromJson(const QJsonObject &o)
    {
        FileAttachment f;
        const QString id = o.value(QLatin1String("id")).toString();
        if (!isValidId(id))
            return f;
        f.id = id;
        f.name = o.value(QLatin1String("name")).toString();
        f.size = qint64(o.value(QLatin1String("size")).toDouble());
        f.type = o.value(QLatin1String("type")).toString();
        return f;
    }
};
