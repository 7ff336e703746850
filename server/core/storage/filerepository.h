#pragma once

#include "rows.h"

#include <QList>
#include <QString>

#include <functional>
#include <optional>
#include <variant>

namespace herald {

class SqlConnection;

/**
 * @brief The rows of file attachments (schema version 16): `files` (one per content, by its
 * SHA-256), `file_uploads` (who uploaded it) and `message_files` (the file a message carries,
 * under the name its sender gave it). The bytes are not here: FileStore
 * (core/features/filestore.h) keeps them in files_dir and hands this repository what to do with
 * them at the right moment (placeBytes, removeBytes), inside the transaction that changes the
 * rows, so that a row and its bytes come and go together.
 */
class FileRepository
{
public:
    explicit FileRepository(SqlConnection &db)
        : m_db(db)
    {
    }

    /** @brief An upload finished: records the file (or refreshes the row of the same bytes) and
     *  that userId uploaded it, then calls placeBytes (which moves the bytes into place; an
     *  error undoes the rows). Returns the file's row as stored. */
    std::variant<FileRow, StoreError>
    recordUpload(const FileRow &file, qint64 userId, qint64 now,
                 const std::function<std::optional<StoreError>()> &placeBytes);
    /** @brief Attaches file fileId to message seq of the room under `name`, in the message's
     *  transaction: not_found (field "file") unless senderId uploaded that file. Returns what a
     *  message frame carries of it. */
    std::variant<MessageFile, StoreError> attach(qint64 roomId, qint64 seq, qint64 senderId,
                                                 const QString &fileId, const QString &name);
    /** @brief Forgets the file of message seq (msg.delete); the file itself goes at the next
     *  retention pass when nothing else refers to it. */
    std::optional<StoreError> detach(qint64 roomId, qint64 seq);
    /** @brief Fills in the file of each message among rows (messages of one room; not deleted
     *  ones, not change records). */
    void fill(qint64 roomId, QList<MessageRow> &rows);
    /** @brief The file as person userId may download it: they uploaded it, or they are a member
     *  of a room where a message (not deleted) carries it. nullopt otherwise, and for an unknown
     *  file: the two are not told apart. */
    std::optional<ReadableFile> readable(const QString &fileId, qint64 userId);
    /** @brief One retention batch: removes (rows, and bytes through removeBytes) at most `batch`
     *  files that no message refers to and that either were attached once (their message was
     *  deleted or purged) or were uploaded before orphanBefore and never attached. Returns how
     *  many went. */
    std::variant<qint64, StoreError>
    purge(qint64 orphanBefore, int batch,
          const std::function<void(const QString &id)> &removeBytes);
    /** @brief How many files a purge would remove now (heraldctl's dry run). */
    std::variant<qint64, StoreError> purgeable(qint64 orphanBefore);

private:
    SqlConnection &m_db;
};

} // namespace herald
