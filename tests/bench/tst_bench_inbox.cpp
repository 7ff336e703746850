// What storing one notification costs the storage thread: a notification to a group of 10,000
// people and to everyone (19,000), each published in a transaction of its own and committed
// (SQLite, WAL, synchronous=FULL), as the storage thread does with a batch of one.
//
// Reports, per case, the CPU time of the publishing thread per notification (median, mean,
// p90, max), its wall time, and the rows it changed (SQLite's total_changes()). Label bench:
// not a pass/fail test of speed, a repeatable measurement:
//
//   build/dev/tests/bin/tst_bench_inbox
//   (sizes: HERALD_BENCH_PEOPLE=19000 HERALD_BENCH_GROUP=10000 HERALD_BENCH_COUNT=40)
//
// The sizes default to those of issue 16 (19,000 people, a group of 10,000, 40 publishes per
// case after 5 not measured); HERALD_BENCH_SMOKE=1 makes them tiny (CTest's run).
#include "core/store.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <ctime>
#include <functional>

using namespace herald;

namespace {

double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double wallMs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

int envInt(const char *name, int fallback)
{
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok && v > 0 ? v : fallback;
}

qint64 totalChanges(const Store &st)
{
    QSqlQuery q(st.connection());
    if (!q.exec(QStringLiteral("SELECT total_changes()")) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

struct Stats
{
    double median = 0, mean = 0, p90 = 0, max = 0;
};

Stats stats(QList<double> v)
{
    Stats s;
    if (v.isEmpty())
        return s;
    std::sort(v.begin(), v.end());
    s.median = v[v.size() / 2];
    s.p90 = v[std::min<qsizetype>(v.size() - 1, v.size() * 9 / 10)];
    s.max = v.last();
    for (double x : v)
        s.mean += x;
    s.mean /= static_cast<double>(v.size());
    return s;
}

} // namespace

class BenchInbox : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        const bool smoke = qEnvironmentVariableIntValue("HERALD_BENCH_SMOKE") != 0;
        m_people = envInt("HERALD_BENCH_PEOPLE", smoke ? 300 : 19000);
        m_groupSize = std::min(m_people, envInt("HERALD_BENCH_GROUP", smoke ? 200 : 10000));
        m_count = envInt("HERALD_BENCH_COUNT", smoke ? 3 : 40);
        QVERIFY(m_dir.isValid());
        QVERIFY(!m_store.open(m_dir.path()));
        QVERIFY(std::holds_alternative<qint64>(m_store.createGroup(QStringLiteral("big"))));
        QVERIFY(m_store.begin());
        for (int i = 0; i < m_people; ++i) {
            const QString name = QStringLiteral("p%1").arg(i);
            QVERIFY(std::holds_alternative<qint64>(m_store.createUser(name, {}, {})));
            if (i < m_groupSize)
                QVERIFY(!m_store.setGroupMember(QStringLiteral("big"), name, true));
        }
        QVERIFY(m_store.commit());
        m_service = std::get<qint64>(m_store.createService(QStringLiteral("erp"), {}, {}));
        qInfo("%d people, group 'big' of %d, %d publishes per case (5 more not measured)", m_people,
              m_groupSize, m_count);
    }

    void groupOf10000() { measure(QStringLiteral("group"), false); }
    void everyone() { measure(QStringLiteral("everyone"), false); }
    /** The worst case for shared audiences: the group changed before every publish. */
    void groupChangedBeforeEach() { measure(QStringLiteral("group"), true); }

    /** What one member's reads cost once the cases above stored their notifications (about
     *  135 to the group, 45 to everyone): what hello, notif.list, notif.read and
     *  notif.readAll run. */
    void readsOfOneMember()
    {
        const qint64 u = m_store.user(QStringLiteral("p1"))->id;
        const qint64 newest = m_store.lastNotificationId(u);
        bool more = false;
        const auto time = [this](const char *what, const std::function<void()> &call) {
            QList<double> cpu;
            for (int i = 0; i < m_count + 5; ++i) {
                QVERIFY(m_store.begin());
                const double c0 = threadCpuMs();
                call();
                const double c1 = threadCpuMs();
                m_store.rollback(); // every call sees the same state
                if (i >= 5)
                    cpu << c1 - c0;
            }
            const Stats c = stats(cpu);
            qInfo("%s: CPU median %.3f ms, p90 %.3f", what, c.median, c.p90);
        };
        qInfo("p1 has %lld unread, newest %lld",
              static_cast<long long>(m_store.unreadCount(u, 2000)), static_cast<long long>(newest));
        time("unreadCount", [&] { m_store.unreadCount(u, 2000); });
        time("lastNotificationId", [&] { m_store.lastNotificationId(u); });
        time("notifications(unread, 50) (hello)",
             [&] { m_store.notifications(u, 0, 0, 50, true, 2000, &more); });
        time("notifications(all, 50)",
             [&] { m_store.notifications(u, 0, 0, 50, false, 2000, &more); });
        time("notifications(before newest-60, 50)",
             [&] { m_store.notifications(u, newest - 60, 0, 50, false, 2000, &more); });
        time("markRead(one)", [&] { m_store.markRead(u, {newest - 3}, 2000); });
        time("markAllRead", [&] { m_store.markAllRead(u, 2000); });
    }

private:
    void measure(const QString &to, bool changeFirst)
    {
        PublishRequest req;
        if (to == QLatin1String("everyone"))
            req.to.everyone = true;
        else
            req.to.groups = {QStringLiteral("big")};
        req.title = QStringLiteral("All hands at 3");
        QList<double> cpu, wall, rows;
        qint64 recipients = 0;
        for (int i = 0; i < m_count + 5; ++i) {
            if (changeFirst) {
                // one person leaves or comes back: the group's membership changed
                QVERIFY(!m_store.setGroupMember(QStringLiteral("big"), QStringLiteral("p0"),
                                                i % 2 == 1));
            }
            const qint64 changes = totalChanges(m_store);
            const double c0 = threadCpuMs();
            const double w0 = wallMs();
            QVERIFY(m_store.begin());
            auto r = m_store.publish(m_service, req, 1000 + i);
            QVERIFY(std::holds_alternative<PublishResult>(r));
            QVERIFY(m_store.commit());
            const double c1 = threadCpuMs();
            const double w1 = wallMs();
            recipients = std::get<PublishResult>(r).userIds.size();
            if (i < 5)
                continue;
            cpu << c1 - c0;
            wall << w1 - w0;
            rows << static_cast<double>(totalChanges(m_store) - changes);
        }
        const Stats c = stats(cpu), w = stats(wall), n = stats(rows);
        qInfo("%s%s: %lld recipients; CPU per notification: median %.2f ms, mean %.2f, p90 %.2f, "
              "max %.2f; wall median %.2f ms, p90 %.2f; rows changed median %.0f",
              qPrintable(to), changeFirst ? " (changed before each)" : "",
              static_cast<long long>(recipients), c.median, c.mean, c.p90, c.max, w.median, w.p90,
              n.median);
    }

    QTemporaryDir m_dir;
    Store m_store;
    qint64 m_service = 0;
    int m_people = 0;
    int m_groupSize = 0;
    int m_count = 0;
};

QTEST_GUILESS_MAIN(BenchInbox)
#include "tst_bench_inbox.moc"
