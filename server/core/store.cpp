#include "store.h"

#include "storage/schema.h"
#include "storage/sqlconnection.h"

namespace herald {

Store::Store()
    : m_db(std::make_unique<SqlConnection>())
    , m_people(*m_db)
    , m_services(*m_db, m_people)
    , m_rooms(*m_db, m_people)
    , m_notifications(*m_db, m_people, m_services)
    , m_receipts(*m_db)
    , m_audit(*m_db)
    , m_retention(*m_db)
    , m_mentions(*m_db)
    , m_notify(*m_db)
    , m_search(*m_db)
    , m_files(*m_db)
{
}

std::variant<StoredMessage, StoreError>
Store::storeMessage(qint64 roomId, qint64 senderId, const QString &clientId, const QString &text,
                    qint64 ts, const MentionSet &mentions, const MessageFile &file)
{
    Atomic tx(*m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    auto stored = m_rooms.storeMessage(roomId, senderId, clientId, text, ts);
    StoredMessage *m = std::get_if<StoredMessage>(&stored);
    if (!m)
        return stored;
    // A retry's earlier copy keeps the mentions and the file it was stored with.
    if (!m->duplicate && !mentions.isEmpty())
        if (auto e = m_mentions.record(roomId, m->seq, mentions))
            return *e;
    if (!m->duplicate && !file.isEmpty()) {
        auto attached = m_files.attach(roomId, m->seq, senderId, file.id, file.name);
        if (const StoreError *e = std::get_if<StoreError>(&attached))
            return *e; // the transaction rolls back: no message, its number given back
        m->file = std::get<MessageFile>(attached);
    }
    if (!tx.commit())
        return sql::error(tx.error());
    return stored;
}

std::variant<MessageChange, StoreError> Store::deleteMessage(qint64 roomId, qint64 target,
                                                             qint64 userId, bool anyone, qint64 now)
{
    Atomic tx(*m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    auto change = m_rooms.deleteMessage(roomId, target, userId, anyone, now);
    if (std::holds_alternative<StoreError>(change))
        return change;
    if (auto e = m_files.detach(roomId, target))
        return *e;
    if (!tx.commit())
        return sql::error(tx.error());
    return change;
}

std::variant<SearchPage, StoreError> Store::searchMessages(qint64 userId, qint64 roomId,
                                                           const QStringList &words,
                                                           const SearchCursor &from, int limit)
{
    auto found = m_search.search(userId, roomId, words, from, limit);
    if (SearchPage *page = std::get_if<SearchPage>(&found))
        for (SearchHit &h : page->hits) {
            QList<MessageRow> one{h.message};
            m_files.fill(h.roomId, one);
            h.message.file = one.constFirst().file;
        }
    return found;
}

QList<MessageRow> Store::history(qint64 roomId, qint64 before, qint64 after, int limit,
                                 bool *hasMore, bool oldestFirst)
{
    QList<MessageRow> rows = m_rooms.history(roomId, before, after, limit, hasMore, oldestFirst);
    m_mentions.attach(roomId, rows);
    m_files.fill(roomId, rows);
    return rows;
}

Store::~Store() = default;

std::optional<StoreError> Store::open(const StorageSettings &settings)
{
    return m_db->open(settings);
}

std::optional<StoreError> Store::open(const Config &config)
{
    return open(StorageSettings::fromConfig(config));
}

std::optional<StoreError> Store::open(const QString &dataDir)
{
    return open(StorageSettings::sqlite(dataDir));
}

void Store::close()
{
    m_db->close();
}

QString Store::path() const
{
    return m_db->path();
}

bool Store::isOpen() const
{
    return m_db->isOpen();
}

bool Store::isPostgres() const
{
    return m_db->isPostgres();
}

const StorageSettings &Store::settings() const
{
    return m_db->settings();
}

QSqlDatabase Store::connection() const
{
    return m_db->database();
}

bool Store::reconnect()
{
    return m_db->reconnect();
}

bool Store::begin()
{
    return m_db->begin();
}

bool Store::commit()
{
    return m_db->commit();
}

void Store::rollback()
{
    m_db->rollback();
}

bool Store::savepoint()
{
    return m_db->savepoint();
}

bool Store::releaseSavepoint()
{
    return m_db->releaseSavepoint();
}

void Store::rollbackSavepoint()
{
    m_db->rollbackSavepoint();
}

QString Store::lastError() const
{
    return m_db->lastError();
}

bool Store::inTransaction() const
{
    return m_db->inTransaction();
}

bool Store::retryable() const
{
    return m_db->retryable();
}

bool Store::wroteInTransaction()
{
    return m_db->wroteInTransaction();
}

QString Store::integrityCheck(const QString &dataDir)
{
    return integrityCheck(StorageSettings::sqlite(dataDir));
}

QString Store::integrityCheck(const StorageSettings &settings)
{
    return schema::integrityCheck(settings);
}

} // namespace herald
