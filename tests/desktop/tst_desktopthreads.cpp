// Threads on the desktop, fed with decoded frames (no server): the notification centre's entries
// (NotificationThreadModel over the unread filter and NotificationModel, all three under
// QAbstractItemModelTester) group a service's notifications with the same threadKey into one
// entry with a count and the newest title, read stays per notification, "mark thread read"
// reads the thread; and a burst of one thread is one toast that counts ("2 more from erp").
#include "notificationfiltermodel.h"
#include "notificationmodel.h"
#include "notificationthreadmodel.h"
#include "toastmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
namespace proto = herald::proto;
using Tester = QAbstractItemModelTester;

namespace {
proto::Frame frame(const QString &type, const QJsonObject &body)
{
    const auto decoded =
        proto::decode(proto::encode(type, body), proto::Direction::ServerToClient, {1 << 20, 16});
    if (!decoded.ok())
        qFatal("bad test frame %s: %s", qPrintable(type), qPrintable(decoded.error.message));
    return *decoded.frame;
}

QJsonObject notification(qint64 id, const QString &title, const QString &service,
                         const QString &threadKey, bool read = false)
{
    return {{u"id"_s, id},
            {u"title"_s, title},
            {u"body"_s, QString()},
            {u"priority"_s, u"normal"_s},
            {u"category"_s, QString()},
            {u"link"_s, QString()},
            {u"actions"_s, QJsonArray()},
            {u"source"_s, QJsonObject{{u"service"_s, service}}},
            {u"threadKey"_s, threadKey.isEmpty() ? QJsonValue() : QJsonValue(threadKey)},
            {u"createdAt"_s, qint64(1700000000000LL + id)},
            {u"expiresAt"_s, QJsonValue()},
            {u"read"_s, read},
            {u"resolved"_s, QJsonValue()}};
}

QList<qint64> column(const QAbstractItemModel &model, int role)
{
    QList<qint64> out;
    for (int i = 0; i < model.rowCount(); ++i)
        out << model.index(i, 0).data(role).toLongLong();
    return out;
}
} // namespace

class TestDesktopThreads : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void centreGroupsByThread()
    {
        NotificationModel model;
        NotificationFilterModel filter;
        filter.setSourceModel(&model);
        NotificationThreadModel threads;
        threads.setSourceModel(&filter);
        Tester t1(&model, Tester::FailureReportingMode::Fatal);
        Tester t2(&filter, Tester::FailureReportingMode::Fatal);
        Tester t3(&threads, Tester::FailureReportingMode::Fatal);
        QVERIFY(threads.roleNames().values().contains("threadCount"));
        QVERIFY(threads.roleNames().values().contains("title"));

        model.handleHello({{u"unread"_s, 4},
                           {u"notifSeq"_s, 4},
                           {u"notifications"_s,
                            QJsonArray{notification(4, u"Build 12 failed"_s, u"ci"_s, u"disk"_s),
                                       notification(3, u"Disk 93%"_s, u"monitor"_s, u"disk"_s),
                                       notification(2, u"Backup done"_s, u"monitor"_s, {}),
                                       notification(1, u"Disk 91%"_s, u"monitor"_s, u"disk"_s)}}},
                          false);
        // The same key from another service is another thread; no key stands alone.
        QCOMPARE(column(threads, NotificationModel::IdRole), (QList<qint64>{4, 3, 2}));
        QCOMPARE(column(threads, NotificationThreadModel::ThreadCountRole),
                 (QList<qint64>{1, 2, 1}));
        QCOMPARE(threads.index(1).data(NotificationModel::TitleRole).toString(), u"Disk 93%"_s);
        QCOMPARE(threads.index(1).data(NotificationThreadModel::ThreadUnreadRole).toInt(), 2);

        // A new one of the thread: the entry moves to the top with the newest title.
        model.handleFrame(
            frame(proto::Type::Notification,
                  {{u"notification"_s, notification(5, u"Disk 97%"_s, u"monitor"_s, u"disk"_s)}}));
        QCOMPARE(column(threads, NotificationModel::IdRole), (QList<qint64>{5, 4, 2}));
        QCOMPARE(threads.index(0).data(NotificationModel::TitleRole).toString(), u"Disk 97%"_s);
        QCOMPARE(threads.index(0).data(NotificationThreadModel::ThreadCountRole).toInt(), 3);
        QCOMPARE(threads.index(0).data(NotificationThreadModel::ThreadUnreadRole).toInt(), 3);

        // Read stays per notification: the newest only.
        model.markRead(5);
        QCOMPARE(threads.index(0).data(NotificationModel::ReadRole).toBool(), true);
        QCOMPARE(threads.index(0).data(NotificationThreadModel::ThreadUnreadRole).toInt(), 2);
        QVERIFY(!model.find(3)->read);

        // The unread tab groups the unread ones: the thread's two older ones.
        filter.setUnreadOnly(true);
        QCOMPARE(column(threads, NotificationModel::IdRole), (QList<qint64>{4, 3, 2}));
        QCOMPARE(threads.index(1).data(NotificationThreadModel::ThreadCountRole).toInt(), 2);

        // Mark thread read: every one of it, only it.
        model.markThreadRead(u"monitor"_s, u"disk"_s);
        QVERIFY(model.find(3)->read && model.find(1)->read);
        QVERIFY(!model.find(4)->read && !model.find(2)->read);
        QCOMPARE(column(threads, NotificationModel::IdRole), (QList<qint64>{4, 2}));
        filter.setUnreadOnly(false);
        QCOMPARE(column(threads, NotificationModel::IdRole), (QList<qint64>{5, 4, 2}));
        QCOMPARE(threads.index(0).data(NotificationThreadModel::ThreadUnreadRole).toInt(), 0);

        // Another device read ci's; its service withdrew the newest of the thread.
        model.handleFrame(
            frame(proto::Type::NotifReadSync, {{u"ids"_s, QJsonArray{4}}, {u"unread"_s, 1}}));
        QCOMPARE(threads.index(1).data(NotificationModel::ReadRole).toBool(), true);
        model.handleFrame(
            frame(proto::Type::NotifRetracted, {{u"notification"_s, 5}, {u"changeSeq"_s, 1}}));
        QCOMPARE(column(threads, NotificationModel::IdRole), (QList<qint64>{4, 3, 2}));
        QCOMPARE(threads.index(1).data(NotificationThreadModel::ThreadCountRole).toInt(), 2);
        QCOMPARE(threads.index(1).data(NotificationModel::TitleRole).toString(), u"Disk 93%"_s);

        model.clear();
        QCOMPARE(threads.rowCount(), 0);
    }

    void burstOfOneThreadIsOneToast()
    {
        ToastModel toasts;
        Tester tester(&toasts, Tester::FailureReportingMode::Fatal);
        QSignalSpy shown(&toasts, &ToastModel::toastShown);
        toasts.show(Notification::fromJson(notification(1, u"Disk 91%"_s, u"monitor"_s, u"d"_s)));
        toasts.show(Notification::fromJson(notification(2, u"Backup"_s, u"monitor"_s, {})));
        for (int i = 3; i <= 7; ++i)
            toasts.show(Notification::fromJson(
                notification(i, u"Disk %1"_s.arg(90 + i), u"monitor"_s, u"d"_s)));
        QCOMPARE(toasts.rowCount(), 2);
        QCOMPARE(toasts.overflowCount(), 0);
        QCOMPARE(shown.count(), 2); // one sound for the burst
        // The thread's toast shows the newest, and counts the rest.
        QCOMPARE(toasts.index(0).data(ToastModel::NotificationIdRole).toLongLong(), 7);
        QCOMPARE(toasts.index(0).data(ToastModel::TitleRole).toString(), u"Disk 97"_s);
        QCOMPARE(toasts.index(0).data(ToastModel::MoreRole).toInt(), 5);
        QCOMPARE(toasts.index(0).data(ToastModel::MoreTextRole).toString(),
                 u"5 more from monitor"_s);
        QVERIFY(toasts.index(1).data(ToastModel::MoreTextRole).toString().isEmpty());
        // Another service's thread of the same key is a toast of its own.
        toasts.show(Notification::fromJson(notification(8, u"Build"_s, u"ci"_s, u"d"_s)));
        QCOMPARE(toasts.rowCount(), 3);
        // A toast busy with an action is left alone: the next of its thread queues.
        toasts.trigger(7, u"approve"_s);
        toasts.show(Notification::fromJson(notification(9, u"Disk 99"_s, u"monitor"_s, u"d"_s)));
        QCOMPARE(toasts.rowCount(), 3);
        QCOMPARE(toasts.overflowCount(), 1);
        // ...and a later one of the thread joins the queued one instead of queueing again.
        toasts.show(Notification::fromJson(notification(10, u"Disk 100"_s, u"monitor"_s, u"d"_s)));
        QCOMPARE(toasts.overflowCount(), 1);
        toasts.dismiss(2);
        QCOMPARE(toasts.index(2).data(ToastModel::NotificationIdRole).toLongLong(), 10);
        QCOMPARE(toasts.index(2).data(ToastModel::MoreRole).toInt(), 1);
        // Dismissing the thread's toast by its newest id takes it away.
        toasts.dismiss(10);
        QCOMPARE(toasts.rowCount(), 2);
    }
};

QTEST_MAIN(TestDesktopThreads)
#include "tst_desktopthreads.moc"
