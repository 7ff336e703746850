#include "readmarkwriter.h"

#include <herald/protocol.h>

#include <QHash>

#include <memory>

namespace herald {

ReadMarkWriter::ReadMarkWriter(Database &db, QObject *parent)
    : QObject(parent)
    , m_db(db)
{
}

ReadMarkWriter::~ReadMarkWriter()
{
    writeOutNow();
}

void ReadMarkWriter::writeOutNow()
{
    // Positions asked for while the last flush was in flight are still written; nobody is left
    // to answer. After the flush in flight on the one storage thread, so in the order asked.
    if (m_pending.empty())
        return;
    std::vector<Write> rows = std::move(m_pending);
    m_pending.clear();
    m_pendingDone.clear();
    m_rows += qint64(rows.size());
    ++m_flushes;
    m_db.run<Outcomes>([rows = std::move(rows)](Store &st) { return store(st, rows); }, nullptr,
                       {});
}

void ReadMarkWriter::write(qint64 userId, qint64 roomId, qint64 seq, qint64 now,
                           Database::Done<ReadMark> done)
{
    m_pending.push_back(Write{userId, roomId, seq, now});
    m_pendingDone.push_back(std::move(done));
    if (!m_inFlight)
        flush();
}

void ReadMarkWriter::flush()
{
    if (m_pending.empty())
        return;
    // Coalesce here, on the hub thread: one row per (person, room), at the highest seq asked.
    auto batch = std::make_shared<Flush>();
    batch->done = std::move(m_pendingDone);
    std::vector<Write> rows;
    QHash<QPair<qint64, qint64>, size_t> index;
    batch->row.reserve(m_pending.size());
    for (size_t i = 0; i < m_pending.size(); ++i) {
        const Write &w = m_pending[i];
        const auto key = qMakePair(w.userId, w.roomId);
        auto it = index.constFind(key);
        if (it == index.constEnd()) {
            it = index.insert(key, rows.size());
            rows.push_back(w);
            batch->mover.push_back(i);
        } else if (w.seq >= rows[*it].seq) {
            rows[*it].seq = w.seq;
            rows[*it].now = w.now;
            batch->mover[*it] = i;
        }
        batch->row.push_back(*it);
    }
    m_pending.clear();
    m_pendingDone.clear();
    m_inFlight = true;
    ++m_flushes;
    m_rows += static_cast<qint64>(rows.size());
    m_db.run<Outcomes>([rows = std::move(rows)](Store &st) { return store(st, rows); }, this,
                       [this, batch](StoreResult<Outcomes> r) {
                           m_inFlight = false;
                           finished(*batch, std::move(r));
                           flush(); // what came in meanwhile: the next window
                       });
}

void ReadMarkWriter::finished(const Flush &batch, StoreResult<Outcomes> r)
{
    const StoreError *failed = std::get_if<StoreError>(&r);
    for (size_t i = 0; i < batch.done.size(); ++i) {
        if (!batch.done[i])
            continue;
        if (failed) {
            batch.done[i](*failed);
            continue;
        }
        const size_t row = batch.row[i];
        StoreResult<ReadMark> one = std::get<Outcomes>(r)[row];
        if (ReadMark *mark = std::get_if<ReadMark>(&one))
            mark->moved = mark->moved && batch.mover[row] == i;
        batch.done[i](std::move(one));
    }
}

StoreResult<ReadMarkWriter::Outcomes> ReadMarkWriter::store(Store &st,
                                                            const std::vector<Write> &rows)
{
    Outcomes out;
    out.reserve(rows.size());
    for (const Write &w : rows) {
        auto r = st.setReadMark(w.userId, w.roomId, w.seq, w.now);
        // Not a member: that request's answer. Anything else is storage failing: the whole
        // flush fails (and is rolled back) as one job, so that Database sees it.
        if (const StoreError *e = std::get_if<StoreError>(&r);
            e && e->code != QLatin1String(proto::Err::Forbidden))
            return *e;
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace herald
