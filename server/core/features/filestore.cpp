#include "filestore.h"

#include "core/config.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <cstdio>

Q_LOGGING_CATEGORY(lcFiles, "herald.files")

namespace herald {

using namespace feature;

namespace {
const char TempDir[] = "tmp";
/** @brief A temporary file untouched this long belongs to no upload any more (a crash). */
constexpr qint64 StaleTempMs = 24LL * 3600 * 1000;
} // namespace

FileStore::Upload::~Upload()
{
    if (m_taken)
        return;
    m_file.close();
    m_file.remove();
}

bool FileStore::Upload::write(const char *data, qint64 n)
{
    if (n <= 0)
        return true;
    m_hash.addData(QByteArrayView(data, n));
    m_size += n;
    return m_file.write(data, n) == n;
}

FileStore::FileStore(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
    , m_root(directory(ctx.config))
{
}

QString FileStore::directory(const Config &config)
{
    if (!config.filesDir.isEmpty())
        return QDir(config.filesDir).absolutePath();
    return QDir(config.dataDir.isEmpty() ? QStringLiteral(".") : config.dataDir)
        .absoluteFilePath(QStringLiteral("files"));
}

QString FileStore::pathOf(const QString &root, const QString &id)
{
    return root + QLatin1Char('/') + id.left(2) + QLatin1Char('/') + id;
}

bool FileStore::isFileId(const QString &id)
{
    if (id.size() != 64)
        return false;
    for (const QChar c : id)
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
              (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    return true;
}

bool FileStore::isValidName(const QString &name)
{
    if (name.isEmpty() || name.size() > 255)
        return false;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        // Bidirectional embeddings, overrides and isolates count as control characters: they
        // make "invoice\u202Efdp.exe" look like "invoiceexe.pdf".
        const bool bidi = (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069) ||
                          u == 0x200e || u == 0x200f || u == 0x061c;
        if (c == QLatin1Char('/') || c.category() == QChar::Other_Control ||
            c.category() == QChar::Other_Surrogate || bidi)
            return false;
    }
    return true;
}

bool FileStore::isValidType(const QString &type)
{
    static const QRegularExpression mediaType(QStringLiteral(
        "^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
        "(\\s*;\\s*[\\x21-\\x7e]+(\\s+[\\x21-\\x7e]+)*)*$"));
    return type.size() <= 255 && mediaType.match(type).hasMatch();
}

std::unique_ptr<FileStore::Upload> FileStore::begin(QString *error)
{
    const QString dir = m_root + QLatin1Char('/') + QLatin1String(TempDir);
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create %1").arg(dir);
        return nullptr;
    }
    const QString name =
        QString::number(QRandomGenerator::system()->generate64(), 16) + QStringLiteral(".part");
    std::unique_ptr<Upload> upload(new Upload(dir + QLatin1Char('/') + name));
    if (!upload->m_file.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
        *error = upload->m_file.errorString();
        upload->m_taken = true; // nothing to remove: it was never created
        return nullptr;
    }
    return upload;
}

void FileStore::finish(std::unique_ptr<Upload> upload, qint64 userId, const QString &type,
                       QObject *context, std::function<void(StoreResult<FileRow>)> done)
{
    upload->m_file.close();
    if (upload->m_file.error() != QFileDevice::NoError)
        return done(storeError(
            proto::Err::Internal,
            QStringLiteral("cannot write the file: %1").arg(upload->m_file.errorString())));
    upload->m_taken = true; // from here the storage job moves it, or done removes it
    const QString temp = upload->m_file.fileName();
    FileRow row;
    row.id = QString::fromLatin1(upload->m_hash.result().toHex());
    row.size = upload->m_size;
    row.type = type;
    const QString target = pathOf(row.id);
    m_ctx.db.run<FileRow>(
        [row, userId, temp, target](Store &st) {
            return st.recordUpload(row, userId, now(), [&]() -> std::optional<StoreError> {
                // The same bytes are there already (named by their hash): keep those.
                if (QFileInfo::exists(target)) {
                    QFile::remove(temp);
                    return {};
                }
                QDir().mkpath(QFileInfo(target).path());
                // rename(2): atomic, and within files_dir (one file system).
                if (std::rename(QFile::encodeName(temp).constData(),
                                QFile::encodeName(target).constData()) != 0 &&
                    !QFileInfo::exists(target))
                    return storeError(proto::Err::Internal,
                                      QStringLiteral("cannot move the upload into the store"));
                return {};
            });
        },
        this, // not context: the temporary file is cleared up even when the asker is gone
        [temp, asker = QPointer<QObject>(context), done = std::move(done)](StoreResult<FileRow> r) {
            if (std::holds_alternative<StoreError>(r))
                QFile::remove(temp); // nothing was stored: nothing stays
            if (asker)
                done(std::move(r));
        });
}

void FileStore::readable(const QString &id, qint64 userId, QObject *context,
                         std::function<void(std::optional<ReadableFile>)> done)
{
    const QString path = pathOf(id);
    m_ctx.db.run<std::optional<ReadableFile>>(
        [id, userId](Store &st) { return st.readableFile(id, userId); }, context,
        [path, done = std::move(done)](StoreResult<std::optional<ReadableFile>> r) {
            auto *found = std::get_if<std::optional<ReadableFile>>(&r);
            if (!found || !*found || !QFileInfo::exists(path))
                return done(std::nullopt);
            done(**found);
        });
}

std::variant<qint64, StoreError> FileStore::purgeBatch(Store &st, const QString &root,
                                                       qint64 orphanBefore, int batch)
{
    auto removed = st.purgeFiles(orphanBefore, batch, [&root](const QString &id) {
        const QString path = pathOf(root, id);
        if (!QFile::remove(path) && QFileInfo::exists(path))
            qCWarning(lcFiles).noquote() << "cannot remove" << path;
    });
    // Temporary files of uploads a crash interrupted (real time: the files' own).
    const QDateTime stale =
        QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch() - StaleTempMs);
    const QDir temp(root + QLatin1Char('/') + QLatin1String(TempDir));
    for (const QFileInfo &f : temp.entryInfoList(QDir::Files | QDir::Hidden))
        if (f.lastModified() < stale)
            QFile::remove(f.absoluteFilePath());
    return removed;
}

} // namespace herald
