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
    , m_readReceipts(*m_db)
    , m_search(*m_db)
{
}

std::variant<StoredMessage, StoreError> Store::storeMessage(qint64 roomId, qint64 senderId,
                                                            const QString &clientId,
                                                            const QString &text, qint64 ts,
                                                            const MentionSet &mentions)
{
    Atomic tx(*m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    auto stored = m_rooms.storeMessage(roomId, senderId, clientId, text, ts);
    const StoredMessage *m = std::get_if<StoredMessage>(&stored);
    if (!m)
        return stored;
    // A retry's earlier copy keeps the mentions it was stored with.
    if (!m->duplicate && !mentions.isEmpty())
        if (auto e = m_mentions.record(roomId, m->seq, mentions))
            return *e;
    if (!tx.commit())
        return sql::error(tx.error());
    return stored;
}

QList<MessageRow> Store::history(qint64 roomId, qint64 before, qint64 after, int limit,
                                 bool *hasMore, bool oldestFirst)
{
    QList<MessageRow> rows = m_rooms.history(roomId, before, after, limit, hasMore, oldestFirst);
    m_mentions.attach(roomId, rows);
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
