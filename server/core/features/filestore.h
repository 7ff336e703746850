#pragma once

#include "core/hubcontext.h"

#include <QCryptographicHash>
#include <QFile>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace herald {

/**
 * @brief File attachments: the bytes on disk and the hub's side of uploads, downloads and
 * their removal (the rows: storage/filerepository.h; the HTTP routes: net/filehandler.h).
 *
 * The store is a directory, files_dir (default <data_dir>/files): each file is
 * <files_dir>/<first 2 hex>/<sha256 hex>, named by its content, so the same bytes uploaded twice
 * are one file. An upload streams into <files_dir>/tmp (hashed on the way) and is renamed into
 * place in the storage job that records its row; an upload that does not finish leaves nothing.
 * On several nodes every node must see the same files_dir (a shared volume).
 */
class FileStore : public QObject
{
    Q_OBJECT
public:
    /** @brief An upload being received: its bytes go to a temporary file as they arrive, hashed
     *  on the way. Its temporary file goes with it unless FileStore::finish took it. */
    class Upload
    {
    public:
        ~Upload();
        Upload(const Upload &) = delete;
        Upload &operator=(const Upload &) = delete;
        /** @brief Appends bytes; false when the disk refused them (see error()). */
        bool write(const char *data, qint64 n);
        [[nodiscard]] qint64 size() const { return m_size; }
        [[nodiscard]] QString error() const { return m_file.errorString(); }

    private:
        friend class FileStore;
        explicit Upload(const QString &path)
            : m_file(path)
        {
        }
        QFile m_file;
        QCryptographicHash m_hash{QCryptographicHash::Sha256};
        qint64 m_size = 0;
        bool m_taken = false;
    };

    explicit FileStore(HubContext &ctx, QObject *parent = nullptr);

    /** @brief files_dir, or <data_dir>/files when it is not set. */
    [[nodiscard]] static QString directory(const Config &config);
    [[nodiscard]] QString root() const { return m_root; }
    /** @brief Where the bytes of file id are (whether or not they exist). */
    [[nodiscard]] static QString pathOf(const QString &root, const QString &id);
    [[nodiscard]] QString pathOf(const QString &id) const { return pathOf(m_root, id); }
    /** @brief 64 lower-case hex digits (a SHA-256). */
    [[nodiscard]] static bool isFileId(const QString &id);
    /** @brief A file name as uploads and msg.send take it: 1 to 255 characters, no '/', no
     *  control characters (bidirectional controls included). */
    [[nodiscard]] static bool isValidName(const QString &name);
    /** @brief A media type as uploads take it (type/subtype, parameters allowed, at most 255
     *  printable ASCII characters). */
    [[nodiscard]] static bool isValidType(const QString &type);

    /** @brief Starts an upload (a new temporary file); nullptr and *error when the store cannot
     *  take one. */
    std::unique_ptr<Upload> begin(QString *error);
    /** @brief The whole body arrived: records the file for userId and moves its bytes into place
     *  (storage job); done gets the file's row, on context's thread. */
    void finish(std::unique_ptr<Upload> upload, qint64 userId, const QString &type,
                QObject *context, std::function<void(StoreResult<FileRow>)> done);
    /** @brief The file id as person userId may download it (see FileRepository::readable), or
     *  nullopt: for a file that does not exist, that is not theirs to read, or whose bytes are
     *  missing. */
    void readable(const QString &id, qint64 userId, QObject *context,
                  std::function<void(std::optional<ReadableFile>)> done);

    /** @brief A retention batch (run on the storage thread): files nothing refers to any more,
     *  rows and bytes (FileRepository::purge), and temporary files of uploads that never
     *  finished, left by a crash, older than orphanBefore. */
    static std::variant<qint64, StoreError> purgeBatch(Store &st, const QString &root,
                                                       qint64 orphanBefore, int batch);

private:
    HubContext &m_ctx;
    QString m_root;
};

} // namespace herald
