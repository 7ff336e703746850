#pragma once

#include "rows.h"
#include "settings.h"

#include <optional>

namespace herald {

class SqlConnection;

/** @brief The tables and their versions. Both backends carry the same version number and are
 *  brought up step by step, in one transaction, when a connection opens. */
namespace schema {
/** @brief The schema version this build creates and migrates to. */
int currentVersion();
/** @brief Creates or migrates the schema of a freshly opened connection. */
std::optional<StoreError> migrate(SqlConnection &c);
/** @brief "ok", or what is wrong: every room's messages are numbered 1..last_seq without gaps,
 *  and no notification id is ahead of its counter. */
QString consistencyCheck(SqlConnection &c);
/** @brief Opens the storage on a connection of its own: SQLite's integrity check (on SQLite),
 *  then consistencyCheck(). */
QString integrityCheck(const StorageSettings &settings);
} // namespace schema

} // namespace herald
