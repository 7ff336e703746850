// Retention (schema version 9): purging notifications and chat messages past their time, in
// batches. See retentionrepository.h.
#include "retentionrepository.h"

#include "audiences.h"
#include "auditrepository.h"
#include "sqlconnection.h"

#include <herald/protocol.h>

#include <limits>

namespace herald {

using sql::err;

namespace {

constexpr qint64 Day = 24LL * 3600 * 1000;

/** @brief The SQL of "this notification is done" (one placeholder: now). Done: acted on or
 *  resolved, retracted, expired, or read by every recipient (personal rows and the members of
 *  its audience, by the read watermark or on its own). */
const char *const Done =
    "(n.resolved_at IS NOT NULL OR n.retracted_at IS NOT NULL"
    " OR (n.expires_at IS NOT NULL AND n.expires_at <= ?)"
    " OR (NOT EXISTS (SELECT 1 FROM inbox i WHERE i.notif_id=n.id AND i.read_at IS NULL)"
    " AND (n.audience_id IS NULL OR NOT EXISTS (SELECT 1 FROM audience_members am"
    " LEFT JOIN read_marks rm ON rm.user_id=am.user_id WHERE am.audience_id=n.audience_id"
    " AND COALESCE(rm.read_upto, 0) < n.id AND NOT EXISTS (SELECT 1 FROM audience_reads r"
    " WHERE r.user_id=am.user_id AND r.notif_id=n.id)))))";

qint64 cutoff(qint64 now, int days)
{
    return days > 0 ? now - days * Day : std::numeric_limits<qint64>::min();
}

} // namespace

std::variant<PurgeCounts, StoreError> RetentionRepository::purgeBatch(const RetentionPolicy &policy,
                                                                      qint64 now, int batch)
{
    return run(policy, now, batch, false);
}

std::variant<PurgeCounts, StoreError> RetentionRepository::dryRun(const RetentionPolicy &policy,
                                                                  qint64 now)
{
    return run(policy, now, 0, true);
}

std::variant<PurgeCounts, StoreError> RetentionRepository::run(const RetentionPolicy &policy,
                                                               qint64 now, int batch, bool dryRun)
{
    PurgeCounts counts;
    if (policy.keepsAll())
        return counts;
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    const qint64 readBefore = cutoff(now, policy.readDays);
    const qint64 unreadBefore = cutoff(now, policy.unreadDays);
    // ---- notifications: done ones past retain_read_days, then any past retain_unread_days.
    QList<qint64> ids;
    const auto collect = [&](const QString &where, const QVariantList &binds,
                             qint64 &counter) -> std::optional<StoreError> {
        QSqlQuery q =
            m_db.prepare((dryRun ? QStringLiteral("SELECT COUNT(*) FROM notifications n WHERE ")
                                 : QStringLiteral("SELECT n.id FROM notifications n WHERE ")) +
                         where + (dryRun ? QString() : QStringLiteral(" ORDER BY n.id LIMIT ?")));
        for (const QVariant &v : binds)
            q.addBindValue(v);
        if (!dryRun)
            q.addBindValue(batch - static_cast<int>(ids.size()));
        if (!m_db.exec(q))
            return sql::error(q);
        while (q.next()) {
            if (dryRun) {
                counter += q.value(0).toLongLong();
            } else {
                ids << q.value(0).toLongLong();
                ++counter;
            }
        }
        return {};
    };
    const QString done = QString::fromLatin1(Done);
    if (policy.readDays > 0)
        if (auto e = collect(QStringLiteral("n.created_at < ? AND ") + done, {readBefore, now},
                             counts.readNotifications))
            return *e;
    if (policy.unreadDays > 0 && (dryRun || ids.size() < batch)) {
        // Those the first rule took are left out (in a dry run they were counted there).
        QString where = QStringLiteral("n.created_at < ?");
        QVariantList binds{unreadBefore};
        if (policy.readDays > 0) {
            where += QStringLiteral(" AND NOT (n.created_at < ? AND ") + done + QStringLiteral(")");
            binds << readBefore << now;
        }
        if (auto e = collect(where, binds, counts.unreadNotifications))
            return *e;
    }
    if (!ids.isEmpty()) {
        const QString in = QString::fromLatin1(audiences::idsFromJson(m_db.isPostgres()));
        const QString json = sql::idsJson(ids);
        if (auto e = AuditRepository::recordEach(m_db, ids, now, "purged",
                                                 AuditRepository::Actor::System, 0))
            return *e;
        for (const char *sqlText :
             {"DELETE FROM inbox WHERE notif_id IN (",
              "DELETE FROM audience_reads WHERE notif_id IN (",
              "DELETE FROM receipts WHERE notif_id IN (", "DELETE FROM notifications WHERE id IN (",
              // after the notification's row, as an escalation step
              // takes them (the same order: no deadlock between them)
              "DELETE FROM escalation_steps WHERE notif_id IN ("}) {
            QSqlQuery d = m_db.prepare(QLatin1String(sqlText) + in + QStringLiteral(")"));
            d.addBindValue(json);
            if (!m_db.exec(d))
                return sql::error(d);
        }
        // Audiences that changed since (stale) and that no notification refers to any more.
        QSqlQuery a =
            m_db.prepare("SELECT a.id FROM audiences a WHERE a.stale=1 AND NOT EXISTS"
                         " (SELECT 1 FROM notifications n WHERE n.audience_id=a.id) LIMIT 100");
        if (!m_db.exec(a))
            return sql::error(a);
        QList<qint64> unused;
        while (a.next())
            unused << a.value(0).toLongLong();
        a.finish();
        if (!unused.isEmpty()) {
            for (const char *sqlText : {"DELETE FROM audience_members WHERE audience_id IN (",
                                        "DELETE FROM audience_groups WHERE audience_id IN (",
                                        "DELETE FROM audiences WHERE id IN ("}) {
                QSqlQuery d = m_db.prepare(QLatin1String(sqlText) + in + QStringLiteral(")"));
                d.addBindValue(sql::idsJson(unused));
                if (!m_db.exec(d))
                    return sql::error(d);
            }
        }
    }
    // ---- messages: from the oldest of each room, as far as every older one is past its time.
    QSqlQuery rooms = m_db.prepare(
        "SELECT id, COALESCE(retain_days, ?) FROM rooms WHERE COALESCE(retain_days, ?) > 0");
    rooms.addBindValue(policy.messageDays);
    rooms.addBindValue(policy.messageDays);
    if (!m_db.exec(rooms))
        return sql::error(rooms);
    QList<std::pair<qint64, int>> roomDays;
    while (rooms.next())
        roomDays.append({rooms.value(0).toLongLong(), rooms.value(1).toInt()});
    rooms.finish();
    constexpr int Walk = 1000;
    for (const auto &[roomId, days] : std::as_const(roomDays)) {
        const qint64 before = cutoff(now, days);
        qint64 upto = 0;
        qint64 count = 0;
        qint64 rowsPast = 0; // messages and change records (schema version 14)
        qint64 after = 0;
        for (bool reachedKept = false; !reachedKept;) {
            const qint64 want = dryRun ? Walk : std::min<qint64>(Walk, batch - rowsPast);
            if (want <= 0)
                break;
            QSqlQuery m = m_db.prepare(
                "SELECT seq, ts, kind FROM messages WHERE room_id=? AND seq > ? ORDER BY seq"
                " LIMIT ?");
            m.addBindValue(roomId);
            m.addBindValue(after);
            m.addBindValue(want);
            if (!m_db.exec(m))
                return sql::error(m);
            qint64 rows = 0;
            while (m.next()) {
                ++rows;
                if (m.value(1).toLongLong() >= before) {
                    reachedKept = true;
                    break;
                }
                upto = after = m.value(0).toLongLong();
                ++rowsPast;
                if (m.value(2).toInt() == 0) // change records (edits, ...) are not messages
                    ++count;
            }
            if (rows < want)
                break; // the room's end
        }
        if (rowsPast == 0)
            continue;
        ++counts.rooms;
        counts.messages += count;
        if (!dryRun) {
            // Reactions go with their messages; a change record past the cut whose message went
            // stays (a resume replays it; clients ignore a change of a message they do not have).
            for (const char *sqlText :
                 {"DELETE FROM message_reactions WHERE room_id=? AND seq <= ?",
                  "DELETE FROM messages WHERE room_id=? AND seq <= ?"}) {
                QSqlQuery d = m_db.prepare(sqlText);
                d.addBindValue(roomId);
                d.addBindValue(upto);
                if (!m_db.exec(d))
                    return sql::error(d);
            }
            QSqlQuery mark = m_db.prepare("UPDATE rooms SET purged_upto=? WHERE id=?");
            mark.addBindValue(upto);
            mark.addBindValue(roomId);
            if (!m_db.exec(mark))
                return sql::error(mark);
        }
    }
    if (dryRun) {
        tx.rollback();
        return counts;
    }
    if (!tx.commit())
        return sql::error(tx.error());
    return counts;
}

std::optional<StoreError> RetentionRepository::setRoomRetention(const QString &room,
                                                                std::optional<int> days)
{
    QSqlQuery q = m_db.prepare("UPDATE rooms SET retain_days=? WHERE name=?");
    q.addBindValue(days ? QVariant(*days) : QVariant(QMetaType(QMetaType::Int)));
    q.addBindValue(room);
    if (!m_db.exec(q))
        return sql::error(q);
    if (q.numRowsAffected() != 1)
        return err(proto::Err::NotFound, QStringLiteral("no room '%1'").arg(room),
                   QStringLiteral("room"));
    return {};
}

} // namespace herald
