// Every list model under QAbstractItemModelTester, fed with decoded frames (no server): the
// model starts empty, then rows arrive, change, move and go the way the protocol makes them.
#include "chatroom.h"
#include "displaynames.h"
#include "messagemodel.h"
#include "notificationfiltermodel.h"
#include "notificationmodel.h"
#include "roomlistmodel.h"
#include "session.h"
#include "toastmodel.h"
#include "userlistmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;
namespace proto = herald::proto;
using Tester = QAbstractItemModelTester;

namespace {
proto::Frame frame(const QString &type, const QJsonObject &body)
{
    // Through the real decoder, so the test frames are valid protocol.
    const auto decoded =
        proto::decode(proto::encode(type, body), proto::Direction::ServerToClient, {1 << 20, 16});
    if (!decoded.ok())
        qFatal("bad test frame %s: %s", qPrintable(type), qPrintable(decoded.error.message));
    return *decoded.frame;
}

QJsonObject notification(qint64 id, const QString &title, const QString &priority = u"normal"_s,
                         bool read = false)
{
    return {{u"id"_s, id},
            {u"title"_s, title},
            {u"body"_s, QString(u"body of "_s + title)},
            {u"priority"_s, priority},
            {u"category"_s, u"orders"_s},
            {u"link"_s, u"https://example.com/%1"_s.arg(id)},
            {u"actions"_s,
             QJsonArray{QJsonObject{{u"id"_s, u"approve"_s}, {u"label"_s, u"Approve"_s}}}},
            {u"source"_s, QJsonObject{{u"service"_s, u"erp"_s}}},
            {u"createdAt"_s, qint64(1700000000000LL + id)},
            {u"expiresAt"_s, QJsonValue(QJsonValue::Null)},
            {u"read"_s, read},
            {u"resolved"_s, QJsonValue(QJsonValue::Null)}};
}

QJsonObject message(const QString &room, qint64 seq, const QString &from, const QString &text,
                    const QString &clientId = {})
{
    QJsonObject m{{u"room"_s, room},
                  {u"seq"_s, seq},
                  {u"from"_s, from},
                  {u"text"_s, text},
                  {u"ts"_s, qint64(1700000000000LL + seq * 1000)}};
    if (!clientId.isEmpty())
        m.insert(u"clientId"_s, clientId);
    return m;
}

QList<qint64> ids(const QAbstractItemModel &model, int role)
{
    QList<qint64> list;
    for (int i = 0; i < model.rowCount(); ++i)
        list << model.index(i, 0).data(role).toLongLong();
    return list;
}
} // namespace

class TestModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"HeraldTest"_s);
        QCoreApplication::setApplicationName(u"tst_models"_s);
        QSettings().clear();
        qputenv("HERALD_CREDENTIAL_STORE", "file");
    }

    void notificationModel()
    {
        NotificationModel model;
        Tester tester(&model, Tester::FailureReportingMode::Fatal);
        QSignalSpy arrived(&model, &NotificationModel::arrived);
        QCOMPARE(model.rowCount(), 0);

        const QJsonObject hello{{u"unread"_s, 2},
                                {u"notifSeq"_s, 5},
                                {u"notifications"_s, QJsonArray{notification(5, u"five"_s),
                                                                notification(3, u"three"_s)}}};
        model.handleHello(hello, false);
        QCOMPARE(ids(model, NotificationModel::IdRole), (QList<qint64>{5, 3}));
        QCOMPARE(model.unreadCount(), 2);
        QCOMPARE(model.lastId(), 5);
        QCOMPARE(arrived.count(), 0); // the hello's backlog does not toast

        model.handleFrame(frame(proto::Type::Notification,
                                {{u"notification"_s, notification(7, u"seven"_s, u"urgent"_s)}}));
        model.handleFrame(
            frame(proto::Type::Notification, {{u"notification"_s, notification(4, u"four"_s)}}));
        model.handleFrame(frame(proto::Type::Notification,
                                {{u"notification"_s, notification(7, u"seven again"_s)}}));
        QCOMPARE(ids(model, NotificationModel::IdRole),
                 (QList<qint64>{7, 5, 4, 3})); // newest first, no duplicate
        QCOMPARE(arrived.count(), 2);
        QCOMPARE(model.unreadCount(), 4);
        QCOMPARE(model.lastId(), 7);
        const QModelIndex seven = model.index(0);
        QCOMPARE(seven.data(NotificationModel::TitleRole).toString(), u"seven"_s);
        QCOMPARE(seven.data(NotificationModel::PriorityRole).toString(), u"urgent"_s);
        QCOMPARE(seven.data(NotificationModel::SourceRole).toString(), u"erp"_s);
        QCOMPARE(seven.data(NotificationModel::CreatedAtRole).toDateTime().toMSecsSinceEpoch(),
                 1700000000007);
        QCOMPARE(seven.data(NotificationModel::ActionsRole)
                     .toList()
                     .first()
                     .toMap()
                     .value(u"label"_s)
                     .toString(),
                 u"Approve"_s);

        // Another device read two of them.
        model.handleFrame(
            frame(proto::Type::NotifReadSync, {{u"ids"_s, QJsonArray{5, 4}}, {u"unread"_s, 2}}));
        QCOMPARE(model.unreadCount(), 2);
        QVERIFY(model.index(1).data(NotificationModel::ReadRole).toBool());
        QVERIFY(model.index(2).data(NotificationModel::ReadRole).toBool());
        QVERIFY(!model.index(0).data(NotificationModel::ReadRole).toBool());

        // Someone acted on one.
        QSignalSpy updated(&model, &NotificationModel::updated);
        model.handleFrame(frame(proto::Type::NotifResolved, {{u"notification"_s, 7},
                                                             {u"action"_s, u"approve"_s},
                                                             {u"by"_s, u"bob"_s},
                                                             {u"at"_s, qint64(1700000001000LL)}}));
        QCOMPARE(updated.count(), 1);
        QVERIFY(model.index(0).data(NotificationModel::ResolvedRole).toBool());
        QCOMPARE(model.index(0).data(NotificationModel::ResolutionRole).toString(),
                 u"Approved by bob"_s); // no names known: the login name

        // The unread-only view follows read changes.
        NotificationFilterModel unread;
        Tester filterTester(&unread, Tester::FailureReportingMode::Fatal);
        unread.setSourceModel(&model);
        QCOMPARE(unread.rowCount(), 4);
        unread.setUnreadOnly(true);
        QCOMPARE(ids(unread, NotificationModel::IdRole), (QList<qint64>{7, 3}));
        model.handleFrame(frame(proto::Type::NotifReadSync, {{u"all"_s, true}, {u"unread"_s, 0}}));
        QCOMPARE(unread.rowCount(), 0);
        QCOMPARE(model.unreadCount(), 0);
        model.handleFrame(frame(proto::Type::NotifUnread, {{u"count"_s, 9}}));
        QCOMPARE(model.unreadCount(), 9);

        // Marking read without a connection is refused and leaves it unread.
        model.handleFrame(
            frame(proto::Type::Notification, {{u"notification"_s, notification(8, u"eight"_s)}}));
        QCOMPARE(unread.rowCount(), 1);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(unread.rowCount(), 0);
        QCOMPARE(model.lastId(), 0);
    }

    void resolutionInPastTenseWithDisplayNames()
    {
        DisplayNames names;
        names.setSelf(u"alice"_s);
        names.setLookup(
            [](const QString &user) { return user == u"bob"_s ? u"Bob Builder"_s : QString(); });
        const auto resolved = [](const QString &action, const QString &by) {
            QJsonObject o = notification(1, u"one"_s);
            o.insert(
                u"actions"_s,
                QJsonArray{QJsonObject{{u"id"_s, u"approve"_s}, {u"label"_s, u"Approve"_s}},
                           QJsonObject{{u"id"_s, u"escalate"_s}, {u"label"_s, u"Escalate"_s}}});
            o.insert(u"resolved"_s, QJsonObject{{u"action"_s, action},
                                                {u"by"_s, by},
                                                {u"at"_s, qint64(1700000000000)}});
            return Notification::fromJson(o);
        };
        QCOMPARE(resolved(u"approve"_s, u"alice"_s).resolutionText(&names), u"Approved by you"_s);
        QCOMPARE(resolved(u"approve"_s, u"bob"_s).resolutionText(&names),
                 u"Approved by Bob Builder"_s);
        QCOMPARE(resolved(u"reject"_s, u"bob"_s).resolutionText(&names),
                 u"Rejected by Bob Builder"_s);
        QCOMPARE(resolved(u"reject"_s, u"carol"_s).resolutionText(&names),
                 u"Rejected by carol"_s); // no display name known
        QCOMPARE(resolved(u"ack"_s, u"alice"_s).resolutionText(&names), u"Acknowledged by you"_s);
        QCOMPARE(resolved(u"approve"_s, QString()).resolutionText(&names), u"Approved"_s);
        // A publisher's own action: its label, quoted, rather than a guessed past tense.
        QCOMPARE(resolved(u"escalate"_s, u"bob"_s).resolutionText(&names),
                 u"Bob Builder chose “Escalate”"_s);
        QCOMPARE(resolved(u"escalate"_s, u"alice"_s).resolutionText(&names),
                 u"You chose “Escalate”"_s);
        QCOMPARE(resolved(u"approve"_s, u"bob"_s).resolutionText(), u"Approved by bob"_s);

        // The notification model and the toasts say it the same way.
        NotificationModel model;
        Tester tester(&model, Tester::FailureReportingMode::Fatal);
        model.setNames(&names);
        model.handleHello({{u"unread"_s, 1},
                           {u"notifSeq"_s, 5},
                           {u"notifications"_s, QJsonArray{notification(5, u"five"_s)}}},
                          false);
        model.handleFrame(frame(proto::Type::NotifResolved, {{u"notification"_s, 5},
                                                             {u"action"_s, u"approve"_s},
                                                             {u"by"_s, u"bob"_s},
                                                             {u"at"_s, qint64(1700000001000LL)}}));
        QCOMPARE(model.index(0).data(NotificationModel::ResolutionRole).toString(),
                 u"Approved by Bob Builder"_s);

        ToastModel toasts;
        Tester toastTester(&toasts, Tester::FailureReportingMode::Fatal);
        toasts.setNames(&names);
        toasts.show(Notification::fromJson(notification(6, u"six"_s)));
        Notification six = Notification::fromJson(notification(6, u"six"_s));
        six.applyResolved({{u"action"_s, u"reject"_s}, {u"by"_s, u"alice"_s}, {u"at"_s, 1}});
        toasts.update(six);
        QCOMPARE(toasts.index(0).data(ToastModel::StateRole).toString(), u"done"_s);
        QCOMPARE(toasts.index(0).data(ToastModel::ResultRole).toString(), u"Rejected by you"_s);
    }

    void originNamesServiceAndCategory()
    {
        QJsonObject o = notification(1, u"one"_s);
        o.insert(u"category"_s, u"purchasing"_s);
        o.insert(u"source"_s, QJsonObject{{u"service"_s, u"erp"_s}, {u"display"_s, u"ERP"_s}});
        QCOMPARE(Notification::fromJson(o).origin(), u"ERP · Purchasing"_s);
        // The server sends the service's name only: said to be a service, not a person.
        o.insert(u"source"_s, QJsonObject{{u"service"_s, u"erp"_s}});
        QCOMPARE(Notification::fromJson(o).origin(), u"erp (service) · Purchasing"_s);
        o.insert(u"category"_s, QString());
        QCOMPARE(Notification::fromJson(o).origin(), u"erp (service)"_s);

        NotificationModel model;
        Tester tester(&model, Tester::FailureReportingMode::Fatal);
        model.handleFrame(
            frame(proto::Type::Notification, {{u"notification"_s, notification(2, u"two"_s)}}));
        QCOMPARE(model.index(0).data(NotificationModel::OriginRole).toString(),
                 u"erp (service) · Orders"_s);
    }

    void reconnectHelloDoesNotSwallowResume()
    {
        NotificationModel model;
        Tester tester(&model, Tester::FailureReportingMode::Fatal);
        model.handleHello({{u"unread"_s, 1},
                           {u"notifSeq"_s, 2},
                           {u"notifications"_s, QJsonArray{notification(2, u"two"_s)}}},
                          false);
        QSignalSpy arrived(&model, &NotificationModel::arrived);
        // While offline 3 arrived; the reconnect's hello lists it, the resume then delivers it.
        model.handleHello({{u"unread"_s, 2},
                           {u"notifSeq"_s, 3},
                           {u"notifications"_s, QJsonArray{notification(3, u"three"_s)}}},
                          true);
        QCOMPARE(model.rowCount(), 1);
        model.handleFrame(
            frame(proto::Type::Notification, {{u"notification"_s, notification(3, u"three"_s)}}));
        QCOMPARE(arrived.count(), 1);
        QCOMPARE(model.rowCount(), 2);
    }

    void toastLimitsAndQueue()
    {
        ToastModel toasts;
        Tester tester(&toasts, Tester::FailureReportingMode::Fatal);
        QSignalSpy shown(&toasts, &ToastModel::toastShown);
        for (int i = 1; i <= 5; ++i)
            toasts.show(Notification::fromJson(notification(i, u"n%1"_s.arg(i))));
        QCOMPARE(toasts.rowCount(), 3);
        QCOMPARE(toasts.overflowCount(), 2); // "+2 more"
        QCOMPARE(shown.count(), 3);
        toasts.show(Notification::fromJson(notification(3, u"again"_s)));
        QCOMPARE(toasts.overflowCount(), 2); // no duplicates, shown or queued

        // An urgent one jumps the queue.
        toasts.show(Notification::fromJson(notification(6, u"fire"_s, u"urgent"_s)));
        QCOMPARE(toasts.overflowCount(), 3);
        toasts.dismiss(1);
        QCOMPARE(ids(toasts, ToastModel::NotificationIdRole), (QList<qint64>{2, 3, 6}));
        QCOMPARE(toasts.overflowCount(), 2);
        QCOMPARE(toasts.index(2).data(ToastModel::TimeoutRole).toInt(), 0); // urgent stays

        // Read elsewhere: the toast goes; resolved elsewhere: the outcome shows first.
        Notification read = Notification::fromJson(notification(2, u"n2"_s));
        read.read = true;
        toasts.update(read);
        QCOMPARE(ids(toasts, ToastModel::NotificationIdRole), (QList<qint64>{3, 6, 4}));
        Notification resolved = Notification::fromJson(notification(3, u"n3"_s));
        resolved.applyResolved({{u"action"_s, u"approve"_s}, {u"by"_s, u"bob"_s}, {u"at"_s, 1}});
        toasts.update(resolved);
        QCOMPARE(toasts.index(0).data(ToastModel::StateRole).toString(), u"done"_s);
        QCOMPARE(toasts.index(0).data(ToastModel::ResultRole).toString(), u"Approved by bob"_s);

        // Actions: pending, then the answer.
        QSignalSpy requested(&toasts, &ToastModel::actionRequested);
        toasts.trigger(6, u"approve"_s);
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.at(0).at(1).toString(), u"approve"_s);
        QCOMPARE(toasts.index(1).data(ToastModel::StateRole).toString(), u"pending"_s);
        toasts.trigger(6, u"approve"_s); // a double click sends once
        QCOMPARE(requested.count(), 1);
        toasts.finishAction(6, false, u"Already handled: Reject by carol"_s);
        QCOMPARE(toasts.index(1).data(ToastModel::StateRole).toString(), u"failed"_s);

        // Settled toasts leave after a few seconds, the queue moves up.
        QTRY_COMPARE_WITH_TIMEOUT(toasts.isShown(6), false, 6000);
        QVERIFY(!toasts.isShown(3));
        QCOMPARE(toasts.overflowCount(), 0);
        QCOMPARE(ids(toasts, ToastModel::NotificationIdRole), (QList<qint64>{4, 5}));
    }

    void toastTimeoutsByPriority()
    {
        ToastModel toasts;
        Tester tester(&toasts, Tester::FailureReportingMode::Fatal);
        QCOMPARE(toasts.timeoutFor(u"low"_s), 5000);
        QCOMPARE(toasts.timeoutFor(u"normal"_s), 8000);
        QCOMPARE(toasts.timeoutFor(u"high"_s), 20000);
        QCOMPARE(toasts.timeoutFor(u"urgent"_s), 0);
        toasts.setTimeoutFor(u"low"_s, 100);
        toasts.setTimeoutFor(u"normal"_s, 300);
        toasts.show(Notification::fromJson(notification(1, u"low"_s, u"low"_s)));
        toasts.show(Notification::fromJson(notification(2, u"normal"_s, u"normal"_s)));
        toasts.show(Notification::fromJson(notification(3, u"urgent"_s, u"urgent"_s)));
        toasts.hold(2, true); // the pointer rests on it
        QTRY_VERIFY(!toasts.isShown(1));
        QTest::qWait(500);
        QVERIFY(toasts.isShown(2));
        toasts.hold(2, false);
        QTRY_VERIFY_WITH_TIMEOUT(!toasts.isShown(2), 5000);
        QTest::qWait(200);
        QVERIFY(toasts.isShown(3)); // urgent stays until handled
        toasts.dismiss(3);
        QCOMPARE(toasts.rowCount(), 0);

        // Expired, read or resolved notifications never toast.
        Notification old = Notification::fromJson(notification(9, u"old"_s));
        old.expiresAt = QDateTime::currentDateTimeUtc().addSecs(-5);
        toasts.show(old);
        QCOMPARE(toasts.rowCount(), 0);
    }

    void doNotDisturbLetsOnlyUrgentThrough()
    {
        ToastModel toasts;
        Tester tester(&toasts, Tester::FailureReportingMode::Fatal);
        toasts.show(Notification::fromJson(notification(1, u"before"_s)));
        toasts.show(Notification::fromJson(notification(2, u"urgent before"_s, u"urgent"_s)));
        toasts.setDoNotDisturb(true);
        QCOMPARE(ids(toasts, ToastModel::NotificationIdRole), (QList<qint64>{2})); // quiet now
        toasts.show(Notification::fromJson(notification(3, u"quiet"_s, u"high"_s)));
        toasts.show(Notification::fromJson(notification(4, u"loud"_s, u"urgent"_s)));
        QCOMPARE(ids(toasts, ToastModel::NotificationIdRole), (QList<qint64>{2, 4}));
        QCOMPARE(toasts.suppressedCount(), 1);
        toasts.setDoNotDisturb(false);
        QCOMPARE(toasts.suppressedCount(), 0);
        toasts.show(Notification::fromJson(notification(5, u"normal again"_s)));
        QCOMPARE(toasts.rowCount(), 3);
        toasts.setMaxVisible(1);
        QCOMPARE(toasts.rowCount(), 1);
        QCOMPARE(toasts.overflowCount(), 2);
    }

    void messageHeadersFollowNames()
    {
        MessageModel model;
        Tester tester(&model, Tester::FailureReportingMode::Fatal);
        QHash<QString, QString> names;
        model.setDisplayNames([&names](const QString &user) { return names.value(user, user); });
        QVERIFY(model.insertMessage(
            MessageModel::fromJson(message(u"general"_s, 1, u"bob"_s, u"hi"_s))));
        QCOMPARE(model.index(0).data(MessageModel::AuthorDisplayRole).toString(), u"bob"_s);
        // The people list arrives: the header says the display name, and the view is told.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        names.insert(u"bob"_s, u"Bob Builder"_s);
        model.refreshNames();
        QCOMPARE(changed.count(), 1);
        QVERIFY(changed.at(0).at(2).value<QList<int>>().contains(MessageModel::AuthorDisplayRole));
        QCOMPARE(model.index(0).data(MessageModel::AuthorDisplayRole).toString(), u"Bob Builder"_s);
    }

    void messageModel()
    {
        MessageModel model;
        Tester tester(&model, Tester::FailureReportingMode::Fatal);
        model.setSelf(u"alice"_s);
        QVERIFY(
            model.insertMessage(MessageModel::fromJson(message(u"r"_s, 10, u"bob"_s, u"ten"_s))));
        QVERIFY(model.insertMessage(
            MessageModel::fromJson(message(u"r"_s, 12, u"bob"_s, u"twelve"_s))));
        QVERIFY(model.insertMessage(
            MessageModel::fromJson(message(u"r"_s, 11, u"carol"_s, u"eleven"_s))));
        QVERIFY(!model.insertMessage(
            MessageModel::fromJson(message(u"r"_s, 11, u"carol"_s, u"eleven"_s))));
        QCOMPARE(ids(model, MessageModel::SeqRole), (QList<qint64>{10, 11, 12}));
        QVERIFY(model.index(0).data(MessageModel::ShowHeaderRole).toBool());
        QVERIFY(model.index(1).data(MessageModel::ShowHeaderRole).toBool()); // carol after bob
        QVERIFY(model.index(2).data(MessageModel::ShowHeaderRole).toBool()); // bob after carol

        // Two local echoes: one confirmed by the result first, one by its message frame first.
        MessageModel::Message a{0,       u"alice"_s, u"first"_s, QDateTime::currentDateTimeUtc(),
                                u"c1"_s, {}};
        MessageModel::Message b{0,       u"alice"_s, u"second"_s, QDateTime::currentDateTimeUtc(),
                                u"c2"_s, {}};
        model.addPending(a);
        model.addPending(b);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.index(3).data(MessageModel::StateRole).toString(), u"pending"_s);
        QVERIFY(model.index(3).data(MessageModel::OwnRole).toBool());
        QCOMPARE(model.pending().size(), 2);
        model.markSent(u"c1"_s, 13, {});
        QVERIFY(model.insertMessage(
            MessageModel::fromJson(message(u"r"_s, 14, u"alice"_s, u"second"_s, u"c2"_s))));
        QVERIFY(!model.insertMessage(
            MessageModel::fromJson(message(u"r"_s, 13, u"alice"_s, u"first"_s, u"c1"_s))));
        model.markSent(u"c2"_s, 14, {}); // the late result changes nothing
        QCOMPARE(ids(model, MessageModel::SeqRole), (QList<qint64>{10, 11, 12, 13, 14}));
        QCOMPARE(model.index(4).data(MessageModel::StateRole).toString(), u"sent"_s);
        QVERIFY(model.pending().isEmpty());

        // A failed message can be retried.
        model.addPending({0, u"alice"_s, u"third"_s, QDateTime::currentDateTimeUtc(), u"c3"_s, {}});
        model.markFailed(u"c3"_s);
        QCOMPARE(model.index(5).data(MessageModel::StateRole).toString(), u"failed"_s);
        QVERIFY(model.pending().isEmpty());
        model.markPending(u"c3"_s);
        QCOMPARE(model.pending().size(), 1);

        // Older history goes in front, the pending echo stays last.
        QVERIFY(
            model.insertMessage(MessageModel::fromJson(message(u"r"_s, 9, u"bob"_s, u"nine"_s))));
        QCOMPARE(model.firstSeq(), 9);
        QCOMPARE(model.lastSeq(), 14);
        QCOMPARE(model.index(0).data(MessageModel::TextRole).toString(), u"nine"_s);
        QVERIFY(!model.index(1).data(MessageModel::ShowHeaderRole).toBool()); // bob, bob
        QCOMPARE(model.index(model.rowCount() - 1).data(MessageModel::TextRole).toString(),
                 u"third"_s);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void userListModel()
    {
        UserListModel people;
        Tester tester(&people, Tester::FailureReportingMode::Fatal);
        people.setSelf(u"alice"_s);
        people.setUsers(QJsonArray{
            QJsonObject{
                {u"name"_s, u"zed"_s}, {u"display"_s, u"Zed"_s}, {u"status"_s, u"offline"_s}},
            QJsonObject{
                {u"name"_s, u"alice"_s}, {u"display"_s, u"Alice"_s}, {u"status"_s, u"online"_s}},
            QJsonObject{{u"name"_s, u"bob"_s}, {u"status"_s, u"away"_s}}});
        QCOMPARE(people.rowCount(), 3);
        QCOMPARE(people.index(0).data(UserListModel::NameRole).toString(), u"alice"_s);
        QCOMPARE(people.index(1).data(UserListModel::DisplayNameRole).toString(),
                 u"bob"_s); // no display: the name
        QVERIFY(people.index(0).data(UserListModel::SelfRole).toBool());
        QCOMPARE(people.onlineCount(), 2);
        QVERIFY(people.setStatus(u"zed"_s, u"online"_s));
        QVERIFY(!people.setStatus(u"nobody"_s, u"online"_s));
        QCOMPARE(people.onlineCount(), 3);
        people.addUser({u"carol"_s, u"Carol"_s, {}});
        QCOMPARE(people.index(2).data(UserListModel::NameRole).toString(), u"carol"_s);
        QCOMPARE(people.status(u"carol"_s), u"offline"_s);
        people.removeUser(u"bob"_s);
        QCOMPARE(people.rowCount(), 3);
        QCOMPARE(people.displayName(u"zed"_s), u"Zed"_s);
        QCOMPARE(people.displayName(u"ghost"_s), u"ghost"_s);
        people.clear();
        QCOMPARE(people.rowCount(), 0);
    }

    void chatRoomAndRoomList()
    {
        RoomListModel list;
        Tester tester(&list, Tester::FailureReportingMode::Fatal);
        ChatRoom general(u"general"_s, nullptr);
        ChatRoom random(u"random"_s, nullptr);
        ChatRoom dm(u"dm:alice:bob"_s, nullptr);
        ChatRoom lobby(u"lobby"_s, nullptr);
        for (ChatRoom *r : {&general, &random, &dm, &lobby})
            r->setSelf(u"alice"_s);
        general.setReadSeq(38);
        general.applyInfo({{u"name"_s, u"general"_s},
                           {u"title"_s, u"General"_s},
                           {u"kind"_s, u"public"_s},
                           {u"lastSeq"_s, 41},
                           {u"online"_s, 3},
                           {u"members"_s, 12}});
        random.applyInfo({{u"name"_s, u"random"_s}, {u"title"_s, u"Random"_s}, {u"lastSeq"_s, 5}});
        dm.applyInfo({{u"name"_s, u"dm:alice:bob"_s},
                      {u"kind"_s, u"dm"_s},
                      {u"peer"_s, u"bob"_s},
                      {u"lastSeq"_s, 2}});
        lobby.applyInfo({{u"name"_s, u"lobby"_s},
                         {u"title"_s, u"Lobby"_s},
                         {u"member"_s, false},
                         {u"lastSeq"_s, 0}});
        for (ChatRoom *r : {&lobby, &dm, &random, &general})
            list.addRoom(r);
        QCOMPARE(list.rowCount(), 4);
        QStringList order;
        for (int i = 0; i < list.rowCount(); ++i)
            order << list.index(i).data(RoomListModel::NameRole).toString();
        QCOMPARE(order, (QStringList{u"general"_s, u"random"_s, u"dm:alice:bob"_s, u"lobby"_s}));
        QCOMPARE(list.index(0).data(RoomListModel::SectionRole).toString(), u"Rooms"_s);
        QCOMPARE(list.index(2).data(RoomListModel::SectionRole).toString(), u"Direct messages"_s);
        QCOMPARE(list.index(3).data(RoomListModel::SectionRole).toString(), u"Other rooms"_s);
        QCOMPARE(list.index(0).data(RoomListModel::UnreadRole).toInt(), 3); // 41 - 38
        QCOMPARE(list.index(0).data(RoomListModel::OnlineRole).toInt(), 3);
        QCOMPARE(random.unreadCount(), 0); // first sight: nothing unread
        QCOMPARE(list.totalUnread(), 3);

        // Arrivals: counted unless from us or already known; a window that is looking reads them.
        QSignalSpy unreadChanged(&list, &RoomListModel::totalUnreadChanged);
        QVERIFY(random.handleMessage(message(u"random"_s, 6, u"bob"_s, u"hi"_s)));
        QVERIFY(!random.handleMessage(message(u"random"_s, 6, u"bob"_s, u"hi"_s)));
        QVERIFY(random.handleMessage(message(u"random"_s, 7, u"alice"_s, u"mine"_s)));
        QCOMPARE(random.unreadCount(), 0); // our own message marks the room read
        QVERIFY(random.handleMessage(message(u"random"_s, 8, u"bob"_s, u"there?"_s)));
        QCOMPARE(random.unreadCount(), 1);
        QCOMPARE(list.totalUnread(), 4);
        QVERIFY(unreadChanged.count() >= 2);
        random.setActive(true);
        QCOMPARE(random.unreadCount(), 0);
        QCOMPARE(random.readSeq(), 8);
        QVERIFY(random.handleMessage(message(u"random"_s, 9, u"bob"_s, u"seen"_s)));
        QCOMPARE(random.unreadCount(), 0);
        QCOMPARE(random.lastSeq(), 9);

        // Typing and presence.
        random.handleTyping(u"bob"_s);
        random.handleTyping(u"alice"_s); // ourselves: ignored
        QCOMPARE(random.typingText(), u"bob is typing…"_s);
        random.handleTyping(u"carol"_s);
        QCOMPARE(random.typingText(), u"bob and carol are typing…"_s);
        QVERIFY(random.handleMessage(message(u"random"_s, 10, u"bob"_s, u"done typing"_s)));
        QCOMPARE(random.typingText(), u"carol is typing…"_s);
        random.handlePresence(
            QJsonArray{QJsonObject{{u"user"_s, u"bob"_s}, {u"status"_s, u"away"_s}}}, 7);
        QCOMPARE(random.onlineCount(), 7);
        QCOMPARE(list.index(1).data(RoomListModel::OnlineRole).toInt(), 7);

        // Joining the lobby moves it up into "Rooms".
        lobby.applyInfo({{u"member"_s, true}});
        QCOMPARE(list.index(1).data(RoomListModel::NameRole).toString(), u"lobby"_s);
        list.removeRoom(u"lobby"_s);
        QCOMPARE(list.rowCount(), 3);
        {
            ChatRoom temporary(u"temp"_s, nullptr);
            temporary.applyInfo({{u"title"_s, u"Temp"_s}});
            list.addRoom(&temporary);
            QCOMPARE(list.rowCount(), 4);
        }
        QCOMPARE(list.rowCount(), 3); // a destroyed room leaves the list
        list.clear();
        QCOMPARE(list.rowCount(), 0);
    }

    void sessionKnowsPeopleAndWhatIsUnread()
    {
        // A name seen in an earlier run: the same right away, before the people list comes.
        {
            Settings settings;
            settings.rememberDisplayName(u"bob"_s, u"Bob Builder"_s);
        }
        Session session(nullptr);
        session.setRememberCredentials(false);
        QCOMPARE(session.displayNameOf(u"bob"_s), u"Bob Builder"_s);
        QCOMPARE(session.displayNameOf(u"zed"_s), u"zed"_s);
        session.injectFrame(frame(
            proto::Type::Hello,
            {{u"protocol"_s, 1},
             {u"user"_s, QJsonObject{{u"name"_s, u"alice"_s}, {u"display"_s, u"Alice Martin"_s}}},
             {u"online"_s, 2},
             {u"unread"_s, 0},
             {u"heartbeat"_s, 30},
             {u"rooms"_s, QJsonArray{QJsonObject{{u"name"_s, u"general"_s},
                                                 {u"kind"_s, u"public"_s},
                                                 {u"lastSeq"_s, 0}},
                                     QJsonObject{{u"name"_s, u"dm:alice:bob"_s},
                                                 {u"kind"_s, u"dm"_s},
                                                 {u"peer"_s, u"bob"_s},
                                                 {u"lastSeq"_s, 0}}}},
             {u"notifications"_s, QJsonArray{}},
             {u"notifSeq"_s, 0}}));
        ChatRoom *dm = session.room(u"dm:alice:bob"_s);
        QVERIFY(dm);
        QCOMPARE(dm->displayName(), u"Bob Builder"_s);
        QCOMPARE(dm->peerStatus(), u"offline"_s);
        QCOMPARE(session.unreadTarget(), QString());

        // The other person's presence, for the DM window's header.
        session.injectFrame(frame(
            proto::Type::Presence,
            {{u"room"_s, u"dm:alice:bob"_s},
             {u"users"_s, QJsonArray{QJsonObject{{u"user"_s, u"bob"_s}, {u"status"_s, u"away"_s}}}},
             {u"online"_s, 2}}));
        QCOMPARE(dm->peerStatus(), u"away"_s);

        // Unread: the conversation whose newest message is newest wins over an older notification.
        session.injectFrame(
            frame(proto::Type::Message, message(u"general"_s, 1, u"carol"_s, u"old news"_s)));
        session.injectFrame(
            frame(proto::Type::Notification, {{u"notification"_s, notification(3, u"three"_s)}}));
        QCOMPARE(session.unreadTarget(), u"room"_s); // general at ts+1 s > notification at ts+3 ms
        session.injectFrame(
            frame(proto::Type::Message, message(u"dm:alice:bob"_s, 2, u"bob"_s, u"lunch?"_s)));
        QCOMPARE(session.newestUnreadRoom(), dm);
        dm->markRead();
        QCOMPARE(session.newestUnreadRoom(), session.room(u"general"_s));
        session.room(u"general"_s)->markRead();
        QCOMPARE(session.newestUnreadRoom(), nullptr);
        QCOMPARE(session.unreadTarget(), u"notifications"_s);
        session.notifications()->handleFrame(
            frame(proto::Type::NotifReadSync, {{u"all"_s, true}, {u"unread"_s, 0}}));
        QCOMPARE(session.unreadTarget(), QString());
        QSettings().clear(); // read markers and names: the next test starts afresh
    }

    void sessionRoutesFrames()
    {
        // No server: frames injected as if they came over the wire.
        Session session(nullptr);
        session.setRememberCredentials(false);
        Tester rooms(session.rooms(), Tester::FailureReportingMode::Fatal);
        Tester notifications(session.notifications(), Tester::FailureReportingMode::Fatal);
        Tester toasts(session.toasts(), Tester::FailureReportingMode::Fatal);
        Tester people(session.people(), Tester::FailureReportingMode::Fatal);
        QSignalSpy sound(&session, &Session::soundRequested);
        session.settings()->setSound(true);

        session.injectFrame(
            frame(proto::Type::Hello,
                  {{u"protocol"_s, 1},
                   {u"user"_s, QJsonObject{{u"name"_s, u"alice"_s}, {u"display"_s, u"Alice"_s}}},
                   {u"online"_s, 3},
                   {u"unread"_s, 1},
                   {u"heartbeat"_s, 30},
                   {u"rooms"_s, QJsonArray{QJsonObject{{u"name"_s, u"general"_s},
                                                       {u"title"_s, u"General"_s},
                                                       {u"kind"_s, u"public"_s},
                                                       {u"lastSeq"_s, 4},
                                                       {u"online"_s, 2},
                                                       {u"members"_s, 5}}}},
                   {u"notifications"_s, QJsonArray{notification(1, u"one"_s)}},
                   {u"notifSeq"_s, 1}}));
        QCOMPARE(session.userName(), u"alice"_s);
        QCOMPARE(session.onlineCount(), 3);
        QCOMPARE(session.unreadCount(), 1);
        QCOMPARE(session.rooms()->rowCount(), 1);
        ChatRoom *general = session.room(u"general"_s);
        QVERIFY(general);
        QCOMPARE(general->displayName(), u"General"_s);

        session.injectFrame(frame(proto::Type::Online, {{u"count"_s, 5}}));
        QCOMPARE(session.onlineCount(), 5);
        session.injectFrame(
            frame(proto::Type::Message, message(u"general"_s, 5, u"bob"_s, u"hello"_s)));
        QCOMPARE(general->messages()->rowCount(), 1);
        QCOMPARE(general->unreadCount(), 1);
        session.injectFrame(
            frame(proto::Type::Message, message(u"dm:alice:carol"_s, 1, u"carol"_s, u"psst"_s)));
        ChatRoom *dm = session.room(u"dm:alice:carol"_s);
        QVERIFY(dm);
        QCOMPARE(dm->peer(), u"carol"_s);
        QCOMPARE(dm->kind(), u"dm"_s);
        QCOMPARE(dm->unreadCount(), 1);
        QCOMPARE(session.rooms()->rowCount(), 2);
        QCOMPARE(session.toasts()->rowCount(), 1); // a direct message pops up (MessageAlerts)
        QCOMPARE(sound.count(), 1);

        session.injectFrame(frame(proto::Type::Notification,
                                  {{u"notification"_s, notification(2, u"two"_s, u"high"_s)}}));
        QCOMPARE(session.notifications()->rowCount(), 2);
        QCOMPARE(session.unreadCount(), 2);
        QVERIFY(session.toasts()->isShown(2)); // the toast request
        QCOMPARE(sound.count(), 2);
        session.injectFrame(
            frame(proto::Type::Member,
                  {{u"room"_s, u"general"_s}, {u"user"_s, u"dave"_s}, {u"event"_s, u"joined"_s}}));
        QCOMPARE(general->memberCount(), 6);

        // Do not disturb is a setting, and the toasts follow it.
        session.settings()->setDoNotDisturb(true);
        QVERIFY(session.toasts()->doNotDisturb());
        QVERIFY(!session.toasts()->isShown(2));
        session.injectFrame(
            frame(proto::Type::Notification, {{u"notification"_s, notification(3, u"three"_s)}}));
        QVERIFY(!session.toasts()->isShown(3));
        QCOMPARE(session.unreadCount(), 3); // the badge keeps counting
        session.toasts()->setDoNotDisturb(false);
        QVERIFY(!session.settings()->doNotDisturb());

        session.signOut();
        QCOMPARE(session.status(), Session::SignedOut);
        QCOMPARE(session.rooms()->rowCount(), 0);
        QCOMPARE(session.notifications()->rowCount(), 0);
        QCOMPARE(session.toasts()->rowCount(), 0);
    }
};

QTEST_MAIN(TestModels)
#include "tst_models.moc"
