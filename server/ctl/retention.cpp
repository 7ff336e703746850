// heraldctl purge and room retention: retention run by hand (or previewed), and a room's own
// message retention.
#include "ctl.h"

#include "core/clock.h"
#include "core/config.h"
#include "core/features/filestore.h"
#include "core/store.h"

#include <herald/protocol.h>

#include <limits>

namespace herald::ctl {

namespace {

/** @brief --NAME N (0..36500), else the config's value; false (and a message) when invalid. */
bool days(const Args &a, const char *name, int fallback, int *out)
{
    if (!a.has(name)) {
        *out = fallback;
        return true;
    }
    const std::optional<qint64> v = proto::parseSafeInteger(a.opt(name));
    if (!v || *v < 0 || *v > 36500) {
        usageError(QStringLiteral("--%1 must be a number of days from 0 to 36500, not '%2'")
                       .arg(QLatin1String(name), a.opt(name)));
        return false;
    }
    *out = static_cast<int>(*v);
    return true;
}

QString describe(const PurgeCounts &c, const RetentionPolicy &p)
{
    return QStringLiteral("%1 (%2 done, past retain_read_days=%3; %4 past retain_unread_days=%5) "
                          "and %6 in %7")
        .arg(counted(c.notifications(), "notification", "notifications"))
        .arg(c.readNotifications)
        .arg(p.readDays)
        .arg(c.unreadNotifications)
        .arg(p.unreadDays)
        .arg(counted(c.messages, "message", "messages"), counted(c.rooms, "room", "rooms"));
}

} // namespace

int purge(Context &c)
{
    if (c.p.size() != 1)
        return usageError(QStringLiteral("'purge' takes no words, only options"));
    const Config defaults;
    const Config &config = c.config ? *c.config : defaults;
    RetentionPolicy policy;
    if (!days(c.args, "read-days", config.retainReadDays, &policy.readDays) ||
        !days(c.args, "unread-days", config.retainUnreadDays, &policy.unreadDays) ||
        !days(c.args, "messages-days", config.retainMessagesDays, &policy.messageDays))
        return 2;
    const qint64 now = clock::nowMs();
    // File attachments nothing refers to (file_orphan_hours for those never sent; 0: kept).
    const qint64 orphanBefore = config.fileOrphanHours > 0
                                    ? now - config.fileOrphanHours * 3600LL * 1000
                                    : std::numeric_limits<qint64>::min();
    if (c.args.has("dry-run")) {
        auto r = c.st.purgeDryRun(policy, now);
        if (const StoreError *e = std::get_if<StoreError>(&r))
            return fail(*e);
        auto files = c.st.purgeableFiles(orphanBefore);
        if (const StoreError *e = std::get_if<StoreError>(&files))
            return fail(*e);
        out() << "would purge " << describe(std::get<PurgeCounts>(r), policy) << ", and "
              << counted(std::get<qint64>(files), "file", "files")
              << " no message carries (more may follow the messages purged)\n";
        return 0;
    }
    PurgeCounts all;
    for (;;) {
        auto r = c.st.purgeBatch(policy, now, config.purgeBatch);
        if (const StoreError *e = std::get_if<StoreError>(&r))
            return fail(*e);
        const PurgeCounts &b = std::get<PurgeCounts>(r);
        const qint64 rooms = std::max(all.rooms, b.rooms); // rooms that lost messages, once
        all += b;
        all.rooms = rooms;
        if (b.total() == 0)
            break;
    }
    const QString filesDir = FileStore::directory(config);
    for (;;) {
        auto r = FileStore::purgeBatch(c.st, filesDir, orphanBefore, config.purgeBatch);
        if (const StoreError *e = std::get_if<StoreError>(&r))
            return fail(*e);
        all.files += std::get<qint64>(r);
        if (std::get<qint64>(r) == 0)
            break;
    }
    out() << "purged " << describe(all, policy) << ", and " << counted(all.files, "file", "files")
          << '\n';
    return 0;
}

int roomRetention(Context &c)
{
    const QStringList &p = c.p;
    std::optional<int> value;
    if (p[3] != QLatin1String("default")) {
        const std::optional<qint64> v = proto::parseSafeInteger(p[3]);
        if (!v || *v < 0 || *v > 36500)
            return usageError(
                QStringLiteral("DAYS must be a number from 0 to 36500 or 'default', not '%1'")
                    .arg(p[3]));
        value = static_cast<int>(*v);
    }
    if (auto e = c.st.setRoomRetention(p[2], value))
        return fail(*e);
    if (!value)
        out() << "room " << p[2] << " keeps messages as retain_messages_days says\n";
    else if (*value == 0)
        out() << "room " << p[2] << " keeps its messages for ever\n";
    else
        out() << "room " << p[2] << " keeps messages for " << counted(*value, "day", "days")
              << '\n';
    return 0;
}

} // namespace herald::ctl
