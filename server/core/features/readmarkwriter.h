#pragma once

#include "core/database.h"

#include <QObject>

#include <vector>

namespace herald {

/**
 * @brief Writes read positions (room.read) to storage, coalesced: one storage job per flush
 * window instead of one per request.
 *
 * A write that arrives while no flush is in flight starts one at once (no added latency when
 * quiet). Writes that arrive while a flush is in flight wait for it and then go together in the
 * next one, so that under load a whole window's reads cost one job (one savepoint, one hop back
 * to this thread) however many there are. In a flush the latest position per person and room
 * wins: each (person, room) is written once, at the highest seq asked for, and every request of
 * it is answered with the position stored. Each request's `done` runs after the flush's
 * transaction committed (the answer and room.readMarker never run ahead of the durable write);
 * `moved` is set for one request per (person, room) at most, the one that asked for the highest
 * seq, so that the other devices hear of the move once.
 *
 * A flush whose statements fail for storage reasons (disk full, lost connection) fails as one
 * job, every request with the same error, so that Database sees it as it saw single writes.
 */
class ReadMarkWriter : public QObject
{
    Q_OBJECT
public:
    explicit ReadMarkWriter(Database &db, QObject *parent = nullptr);
    ~ReadMarkWriter() override;

    /** @brief Moves userId's read position in roomId to seq (see Store::setReadMark); done gets
     *  the position stored, or why not, on this object's thread after the commit. */
    void write(qint64 userId, qint64 roomId, qint64 seq, qint64 now, Database::Done<ReadMark> done);

    /** @brief Queues the writes that wait for the flush in flight, now and unanswered: for a
     *  stop, before storage closes (Database::close() runs what is queued; what is queued after
     *  it is never written). The destructor does the same with what is still waiting. */
    void writeOutNow();

    /** @brief Flushes run (storage jobs), and read positions written in them after coalescing. */
    [[nodiscard]] qint64 flushes() const { return m_flushes; }
    [[nodiscard]] qint64 rowsWritten() const { return m_rows; }

private:
    struct Write
    {
        qint64 userId = 0;
        qint64 roomId = 0;
        qint64 seq = 0;
        qint64 now = 0;
    };
    /** @brief Per write of a flush: the stored position or the error, in the order written. */
    using Outcomes = std::vector<StoreResult<ReadMark>>;

    /** @brief One flush: its requests' callbacks, which row each request is, and which
     *  request of each row asked for its highest seq (the one that may report the move). */
    struct Flush
    {
        std::vector<Database::Done<ReadMark>> done;
        std::vector<size_t> row;
        std::vector<size_t> mover;
    };

    void flush();
    void finished(const Flush &batch, StoreResult<Outcomes> r);
    /** @brief Runs on the storage thread: each row of the flush, in one job. */
    static StoreResult<Outcomes> store(Store &st, const std::vector<Write> &rows);

    Database &m_db;
    std::vector<Write> m_pending;
    std::vector<Database::Done<ReadMark>> m_pendingDone;
    bool m_inFlight = false;
    qint64 m_flushes = 0;
    qint64 m_rows = 0;
};

} // namespace herald
