// Files of chat messages on this machine: downloaded once with the session's token
// (GET /api/v1/files/<id>) into the application's cache directory, checked against their content
// id (SHA-256), and kept by id. Images are previewed from there; other files are opened with the
// desktop's application or saved where the person chooses. Signing out empties it. It holds at
// most limit() bytes: past that, the files used longest ago go first (a file's modification time
// is its last use: set when it arrives and each time it is shown, opened or saved).
#pragma once

#include <QHash>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

#include <functional>
#include <memory>

class Connection;
class QFile;
class QNetworkReply;
class QCryptographicHash;

/** @brief Downloads chat attachments into the cache and hands out their local files. */
class AttachmentCache : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by Session: Session.attachments")

public:
    explicit AttachmentCache(Connection *connection, QObject *parent = nullptr);
    ~AttachmentCache() override;

    /** @brief Where the files are kept (default: <cache location>/attachments). */
    void setDirectory(const QString &directory) { m_directory = directory; }
    [[nodiscard]] QString directory() const { return m_directory; }

    /** @brief What the cache holds at most, in bytes (default DefaultLimit); lowering it
     *  removes what no longer fits at once. */
    void setLimit(qint64 bytes);
    [[nodiscard]] qint64 limit() const { return m_limit; }
    /** @brief The bytes of the files held now. */
    [[nodiscard]] qint64 heldBytes() const;
    static constexpr qint64 DefaultLimit = 512LL * 1024 * 1024;

    /** @brief The local file of attachment @p id when it is held (empty URL otherwise); a use,
     *  for what goes first when the cache is full. */
    Q_INVOKABLE QUrl localUrl(const QString &id) const;
    /** @brief Downloads the attachment unless held; fetched() (at once when held) or
     *  fetchFailed() follows. @p name names the local file (for the application that opens
     *  it). */
    Q_INVOKABLE void fetch(const QString &id, const QString &name);
    /** @brief The download of @p id is under way. */
    Q_INVOKABLE bool isFetching(const QString &id) const { return m_downloads.contains(id); }
    /** @brief Opens the attachment with the desktop's application for its type (after
     *  fetching it). */
    Q_INVOKABLE void open(const QString &id, const QString &name);
    /** @brief Copies the attachment to @p target (a local file URL the person chose);
     *  saved() or fetchFailed() follows. */
    Q_INVOKABLE void saveAs(const QString &id, const QString &name, const QUrl &target);
    /** @brief "2.4 MB": a file's size for people (the file chips). */
    Q_INVOKABLE static QString formatSize(qint64 bytes);
    /** @brief Removes every file held (signing out: the next person sees none of them). */
    void clear();

Q_SIGNALS:
    void fetched(const QString &id, const QUrl &localUrl);
    void fetchFailed(const QString &id, const QString &message);
    /** @brief Bytes of a download so far (total: -1 when unknown). */
    void progress(const QString &id, qint64 received, qint64 total);
    void saved(const QString &id, const QUrl &target);

private:
    struct Download
    {
        QPointer<QNetworkReply> reply;
        std::shared_ptr<QFile> file; // <dir>/<id>.part while it comes
        std::shared_ptr<QCryptographicHash> hash;
        QString name;
        QList<std::function<void(const QString &)>> then; // each gets the local path
    };

    /** @brief Runs @p then with the local path once held; fetches first when needed. */
    void whenHeld(const QString &id, const QString &name,
                  std::function<void(const QString &)> then);
    void finishDownload(const QString &id);
    void fail(const QString &id, const QString &message);
    [[nodiscard]] QString localPath(const QString &id) const;
    /** @brief Removes the files used longest ago until what is held fits the limit; never
     *  @p keep (the file in use), nor a download under way. */
    void trim(const QString &keep = {});
    [[nodiscard]] static QString safeName(const QString &name);

    QPointer<Connection> m_connection;
    qint64 m_limit = DefaultLimit;
    QNetworkAccessManager m_network;
    QString m_directory;
    QHash<QString, Download> m_downloads;
};
