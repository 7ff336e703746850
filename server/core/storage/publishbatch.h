#pragma once

#include "rows.h"

#include <QList>
#include <QString>

#include <optional>
#include <variant>
#include <vector>

namespace herald {

class SqlConnection;

/**
 * @brief The publishes of one storage batch whose rows wait for the batch's end (PostgreSQL,
 * docs/cluster-storage.md, "Cluster publishes", design 1).
 *
 * A publish job on the storage thread does everything that needs no id in its own savepoint
 * (validation, the idempotency lookup, named people, the audience, the escalation steps) and
 * leaves a Pending here. Right before the batch's COMMIT, write() takes all their ids from the
 * `counters` row 'notifications' in one statement and writes the notification rows, their inbox
 * rows, audit rows and escalation steps with one set-based statement each. The counter row is
 * thus locked only for that tail and the commit, not for the whole batch, and ids stay strictly
 * increasing in commit order (taken under the row lock, held to the commit).
 *
 * After the commit, result(slot) answers each job. A publish of a key already pending in the
 * batch is answered as that notification (a duplicate); a key that another node stored after the
 * job's lookup is answered with the stored one, the id taken for it left as a gap.
 */
class PublishBatch
{
public:
    /** @brief One escalation step with its people by id, ready to store. */
    struct Step
    {
        qint64 dueAt = 0;
        bool remind = false;
        QList<qint64> groups;
        QList<qint64> users;
    };
    /** @brief A publish without its id: the notification row's values and what refers to it. */
    struct Pending
    {
        qint64 serviceId = 0;
        QString idem; // empty: none
        QString title, body, priority, category, link, actions, source, threadKey;
        qint64 createdAt = 0;
        std::optional<qint64> expiresAt;
        std::optional<qint64> audienceId;
        QList<Step> steps;
        QList<qint64> personal; // inbox rows (named people outside the audience)
        QList<qint64> userIds;  // every recipient, sorted
        int duplicateOf = -1;   // the slot of the same key earlier in this batch
    };

    explicit PublishBatch(SqlConnection &db)
        : m_db(db)
    {
    }

    /** @brief Rows wait for write() while on (set by the storage thread for its batches). */
    void setDeferred(bool on) { m_deferred = on; }
    [[nodiscard]] bool deferred() const { return m_deferred; }
    /** @brief Forgets every pending publish and result (a new transaction or attempt). */
    void clear();
    [[nodiscard]] int size() const { return static_cast<int>(m_pending.size()); }
    /** @brief Drops the publishes from slot `from` on (their job's savepoint was rolled back). */
    void truncate(int from);
    /** @brief Keeps p; returns the slot its job's result refers to. */
    int add(Pending p);
    /** @brief The slot of a pending publish of this service with this key, or -1. */
    [[nodiscard]] int find(qint64 serviceId, const QString &idem) const;
    /** @brief Writes every pending publish (call right before COMMIT). On failure the
     *  transaction must be rolled back (and the batch run again). */
    std::optional<StoreError> write();
    /** @brief The answer of slot `slot` once write() succeeded. */
    [[nodiscard]] PublishResult result(int slot) const;

private:
    std::optional<StoreError> writeInbox(const std::vector<int> &stored);
    std::optional<StoreError> writeAudit(const std::vector<int> &stored);
    std::optional<StoreError> writeSteps(const std::vector<int> &stored);
    std::optional<StoreError> readBack(const std::vector<int> &stored);
    std::variant<qint64, StoreError> earlier(const Pending &p);

    SqlConnection &m_db;
    bool m_deferred = false;
    std::vector<Pending> m_pending;
    std::vector<PublishResult> m_results; // by slot, after write()
};

} // namespace herald
