#pragma once

#include "core/hubcontext.h"
#include "core/storage/retentionrepository.h"

#include <QObject>
#include <QTimer>

namespace herald {

/**
 * @brief Retention: purges notifications and chat messages past retain_read_days,
 * retain_unread_days and retain_messages_days (and the rooms' own retention), in the background.
 * A pass starts a minute after the server does and then every IntervalMs; it runs batch after
 * batch (purge_batch rows, one transaction each) with the event loop in between, so live
 * traffic's storage jobs run between its batches, until a batch finds nothing. Then it removes
 * file attachments (schema version 16) that no message refers to any more: at once those whose
 * message was deleted or purged, after file_orphan_hours those never attached (FileStore's
 * purgeBatch: rows and bytes). With every key at 0 it never touches storage. On several nodes
 * each batch takes its own rows.
 */
class Retention : public QObject
{
    Q_OBJECT
public:
    static constexpr int FirstPassMs = 60 * 1000;
    static constexpr int IntervalMs = 10 * 60 * 1000;

    explicit Retention(HubContext &ctx, QObject *parent = nullptr);

    [[nodiscard]] RetentionPolicy policy() const;
    /** @brief Whether passes remove files (file_orphan_hours > 0; files whose message went are
     *  removed whenever a pass runs). */
    [[nodiscard]] bool purgesFiles() const;
    /** @brief Starts a pass now (nothing when one runs, or when everything is kept). */
    void purgeNow();
    [[nodiscard]] bool running() const { return m_running; }
    /** @brief What passes removed since the start (for /metrics). */
    [[nodiscard]] const PurgeCounts &purged() const { return m_purged; }

Q_SIGNALS:
    /** @brief A pass ended: what it removed in all, and whether a batch failed. */
    void passDone(const PurgeCounts &removed, bool failed);

private:
    void nextBatch();
    void nextFileBatch();

    HubContext &m_ctx;
    QTimer m_timer;
    bool m_running = false;
    PurgeCounts m_pass;
    PurgeCounts m_purged;
};

} // namespace herald

Q_DECLARE_METATYPE(herald::PurgeCounts)
