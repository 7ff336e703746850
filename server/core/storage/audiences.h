#pragma once

#include "rows.h"

#include <QList>
#include <QString>

#include <optional>
#include <variant>

namespace herald {

class SqlConnection;

/**
 * @brief Audiences: the resolved recipients of notifications to groups or to everyone, stored
 * once and shared (schema version 3).
 *
 * An audience is an immutable snapshot of a recipient set: `audiences(id, source_key, stale)`
 * with its people in `audience_members(audience_id, user_id)`. Its source key names what it was
 * resolved from: `everyone`, or `g:` and the sorted group ids (`g:3`, `g:3,7`). A publish to the
 * same source reuses the current (not stale) audience, so it stores one notification row and
 * nothing per person; only a change of who that source reaches makes a new one.
 *
 * Anything that changes who a source reaches marks the source's current audiences stale (never
 * deletes them: older notifications keep their exact snapshot): a member added to or removed
 * from a group, a group deleted, a person created, disabled or enabled. `audience_groups` maps
 * each current audience to the groups it came from, for that.
 *
 * PostgreSQL, several nodes: a change locks what it changes (the group's row, `groups.version`
 * bumped; the `people` counter row for everyone) before it marks audiences stale, and a node
 * that builds a new audience takes the same rows first, so a change and a new snapshot of the
 * same source are ordered: either the snapshot sees the change, or the change sees the snapshot
 * (and marks it stale). Reusing a current audience takes no lock, exactly as resolving a group
 * at publish time read its members without one.
 */
namespace audiences {

/** @brief The members of this group changed (or it is about to be deleted). */
std::optional<StoreError> groupChanged(SqlConnection &db, qint64 groupId);
/** @brief This person was created, disabled or enabled: everyone, and every group they are in,
 *  reach someone else now. */
std::optional<StoreError> personChanged(SqlConnection &db, qint64 userId);

/** @brief The source key of a publish to everyone or to these groups (sorted, unique ids). */
QString sourceKey(bool everyone, const QList<qint64> &groupIds);

/** @brief `SELECT value FROM json_each(?)` or its PostgreSQL form: the ids of one bound JSON
 *  array (sql::idsJson), as a subquery. */
const char *idsFromJson(bool postgres);

} // namespace audiences

} // namespace herald
