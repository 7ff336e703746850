#pragma once

#include "rows.h"

#include <QList>
#include <QString>

#include <optional>
#include <variant>

namespace herald {

class SqlConnection;

/**
 * @brief The audit trail of notifications (schema version 8, table `audit`): an append-only
 * record of every change of a notification's state, written in the transaction of the change,
 * so it survives what the change survives (a restart, kill -9) and is never written for a
 * change that rolled back.
 *
 * Who writes what: publish (published), PATCH (updated, resolved), DELETE (retracted), an
 * action (acted), a device's acknowledgement (delivered, seen: the first per person), a read
 * (read: per notification, also for "read all"), the expiry sweep (expired), a webhook that
 * gives up (undeliverable). Nothing updates or deletes a record.
 */
class AuditRepository
{
public:
    enum class Actor { Service, User, System };

    explicit AuditRepository(SqlConnection &db)
        : m_db(db)
    {
    }

    /** @brief Appends one record for notification notifId; actorId is the service's or the
     *  person's id (ignored for System), device a token id or 0, detail free text. Call in the
     *  transaction of the change. */
    static std::optional<StoreError> record(SqlConnection &db, qint64 notifId, qint64 at,
                                            const char *event, Actor actor, qint64 actorId,
                                            qint64 device = 0, const QString &detail = QString());
    /** @brief The same record for each of `ids`, in one statement. */
    static std::optional<StoreError> recordEach(SqlConnection &db, const QList<qint64> &ids,
                                                qint64 at, const char *event, Actor actor,
                                                qint64 actorId, qint64 device = 0);

    /** @brief Whether notification id was purged by retention (it has a `purged` record). */
    static bool purged(SqlConnection &db, qint64 id);
    bool wasPurged(qint64 id) { return purged(m_db, id); }
    /** @brief not_found for notification id, or `gone` when retention purged it. */
    static StoreError missing(SqlConnection &db, qint64 id);

    /** @brief The trail of notification id, oldest first, records after `afterId`, at most
     *  `limit`. serviceId 0 reads any notification's (heraldctl); otherwise not_found for an
     *  unknown id, forbidden for another service's. A purged notification's trail
     *  stays readable (its owner is the service its `published` record names). */
    std::variant<AuditPage, StoreError> trail(qint64 serviceId, qint64 id, qint64 afterId,
                                              int limit);
    /** @brief The expiry sweep: notifications whose expiry passed by `now` and were not noted
     *  yet get their `expired` record (at their expiry time), at most `limit` per call. Safe on
     *  several nodes at once: each notification is noted by the one that flips its flag.
     *  Returns how many were noted. */
    std::variant<int, StoreError> noteExpired(qint64 now, int limit);

private:
    SqlConnection &m_db;
};

} // namespace herald
