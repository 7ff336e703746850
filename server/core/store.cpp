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
    , m_search(*m_db)
{
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
