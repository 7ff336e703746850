// Notifications their service changes after publishing (docs/protocol.md, "Changes of a
// notification"): the centre model and the toasts under QAbstractItemModelTester, fed with
// decoded notif.updated / notif.retracted frames; then whole sessions against a real
// herald-server: live, and a device that was offline while the service resolved, retracted and
// edited, which must show the final state after it resumes.
#include "heraldfixture.h"

#include "notificationmodel.h"
#include "session.h"
#include "toastmodel.h"

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

QJsonObject notification(qint64 id, const QString &title, bool read = false)
{
    return {{u"id"_s, id},
            {u"title"_s, title},
            {u"body"_s, QString(u"body of "_s + title)},
            {u"priority"_s, u"high"_s},
            {u"category"_s, u"purchase"_s},
            {u"link"_s, u"https://erp.example.com/po/%1"_s.arg(id)},
            {u"actions"_s,
             QJsonArray{QJsonObject{{u"id"_s, u"approve"_s}, {u"label"_s, u"Approve"_s}},
                        QJsonObject{{u"id"_s, u"escalate"_s}, {u"label"_s, u"Escalate"_s}}}},
            {u"source"_s, QJsonObject{{u"service"_s, u"erp"_s}}},
            {u"createdAt"_s, qint64(1700000000000LL + id)},
            {u"expiresAt"_s, QJsonValue(QJsonValue::Null)},
            {u"read"_s, read},
            {u"resolved"_s, QJsonValue(QJsonValue::Null)}};
}

/** The notif.updated frame: the object without `read`, as the server sends it. */
proto::Frame updated(QJsonObject n, qint64 changeSeq)
{
    n.remove(u"read"_s);
    return frame(proto::Type::NotifUpdated, {{u"notification"_s, n}, {u"changeSeq"_s, changeSeq}});
}

QJsonObject bySource(const QString &text)
{
    return {{u"action"_s, QJsonValue(QJsonValue::Null)},
            {u"by"_s, u"erp"_s},
            {u"at"_s, qint64(1700000900000LL)},
            {u"text"_s, text},
            {u"source"_s, true}};
}

QJsonObject hello(const QJsonArray &notifications, qint64 changes)
{
    return {{u"unread"_s, int(notifications.size())},
            {u"notifSeq"_s, 5},
            {u"notifChanges"_s, changes},
            {u"notifications"_s, notifications}};
}
} // namespace

class TestNotificationChanges : public QObject
{
    Q_OBJECT

private:
    fixture::Server m_server;
    fixture::Http m_http;
    QString m_serviceToken;
    QString m_aliceToken;

    std::unique_ptr<Session> signedIn(const QString &server)
    {
        auto session = std::make_unique<Session>(nullptr);
        session->setRememberCredentials(false);
        session->connection()->backoff().setLimits(std::chrono::milliseconds(200),
                                                   std::chrono::milliseconds(1000),
                                                   std::chrono::milliseconds(50));
        QSignalSpy ready(session.get(), &Session::ready);
        session->connectWithToken(server, m_aliceToken);
        if (!ready.wait(10000) || session->status() != Session::Online)
            return nullptr;
        return session;
    }

    qint64 publish(const QString &title)
    {
        const QJsonObject body{
            {u"recipients"_s, QJsonObject{{u"users"_s, QJsonArray{u"alice"_s}}}},
            {u"title"_s, title},
            {u"body"_s, u"3 laptops, 4,200 EUR"_s},
            {u"priority"_s, u"high"_s},
            {u"category"_s, u"purchase"_s},
            {u"actions"_s,
             QJsonArray{QJsonObject{{u"id"_s, u"approve"_s}, {u"label"_s, u"Approve"_s}},
                        QJsonObject{{u"id"_s, u"reject"_s}, {u"label"_s, u"Reject"_s}}}}};
        return m_http.publish(m_server.url(), m_serviceToken, body);
    }

    int change(const QByteArray &verb, qint64 id, const QJsonObject &body = {})
    {
        return m_http
            .send(verb, QUrl(m_server.url() + u"/api/v1/notifications/%1"_s.arg(id)), body,
                  m_serviceToken)
            .status;
    }

    static QVariant at(const NotificationModel *model, qint64 id, int role)
    {
        const int row = model->indexOf(id);
        return row < 0 ? QVariant() : model->index(row).data(role);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"HeraldTest"_s);
        QCoreApplication::setApplicationName(u"tst_notificationchanges"_s);
        QSettings().clear();
        qputenv("HERALD_CREDENTIAL_STORE", "file");
    }

    void updateReplacesTheRowInPlace()
    {
        NotificationModel model;
        Tester tester(&model, Tester::FailureReportingMode::Fatal);
        model.handleHello(
            hello({notification(5, u"five"_s, true), notification(3, u"three"_s)}, 40), false);
        QCOMPARE(model.lastChange(), 40);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy replaced(&model, &NotificationModel::replaced);

        QJsonObject five = notification(5, u"Approve PO-1183? (amended)"_s);
        five.insert(u"body"_s, u"2 monitors"_s);
        five.insert(u"actions"_s,
                    QJsonArray{QJsonObject{{u"id"_s, u"approve"_s}, {u"label"_s, u"Approve"_s}}});
        model.handleFrame(updated(five, 41));
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 0);
        QCOMPARE(replaced.count(), 1);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(at(&model, 5, NotificationModel::TitleRole).toString(),
                 u"Approve PO-1183? (amended)"_s);
        QCOMPARE(at(&model, 5, NotificationModel::BodyRole).toString(), u"2 monitors"_s);
        QCOMPARE(at(&model, 5, NotificationModel::ActionsRole).toList().size(), 1);
        QVERIFY(at(&model, 5, NotificationModel::ReadRole).toBool()); // still read here
        QVERIFY(!at(&model, 5, NotificationModel::ResolvedRole).toBool());
        QCOMPARE(model.lastChange(), 41);

        // One this client does not hold: nothing appears (a later page brings it).
        model.handleFrame(updated(notification(4, u"four"_s), 42));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(model.lastChange(), 42);
        // A change that arrives twice (live, then in a resume) is harmless; the cursor stays.
        model.handleFrame(updated(five, 41));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.lastChange(), 42);
    }

    void retractRemovesTheRow()
    {
        NotificationModel model;
        Tester tester(&model, Tester::FailureReportingMode::Fatal);
        model.handleHello(hello({notification(5, u"five"_s), notification(3, u"three"_s)}, 7),
                          false);
        QCOMPARE(model.unreadCount(), 2);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy retracted(&model, &NotificationModel::retracted);
        model.handleFrame(
            frame(proto::Type::NotifRetracted, {{u"notification"_s, 5}, {u"changeSeq"_s, 9}}));
        QCOMPARE(removed.count(), 1);
        QCOMPARE(retracted.count(), 1);
        QCOMPARE(retracted.at(0).at(0).toLongLong(), 5);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.indexOf(5), -1);
        QCOMPARE(model.lastChange(), 9);
        // The badge follows the server's count, which comes next.
        model.handleFrame(frame(proto::Type::NotifUnread, {{u"count"_s, 1}}));
        QCOMPARE(model.unreadCount(), 1);
        // Retracted again (a resume repeating it): nothing more goes.
        model.handleFrame(
            frame(proto::Type::NotifRetracted, {{u"notification"_s, 5}, {u"changeSeq"_s, 9}}));
        QCOMPARE(removed.count(), 1);
    }

    void resolutionBySourceAndByPerson()
    {
        NotificationModel model;
        Tester tester(&model, Tester::FailureReportingMode::Fatal);
        model.handleHello(hello({notification(5, u"five"_s), notification(3, u"three"_s)}, 7),
                          false);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        QJsonObject five = notification(5, u"five"_s);
        five.insert(u"resolved"_s, bySource(u"approved in SAP by bob"_s));
        model.handleFrame(updated(five, 8));
        QCOMPARE(changed.count(), 1);
        QVERIFY(at(&model, 5, NotificationModel::ResolvedRole).toBool());
        QCOMPARE(at(&model, 5, NotificationModel::ResolutionRole).toString(),
                 u"Resolved by erp: approved in SAP by bob"_s);

        // Without the source's words, and with a display name the publisher gave.
        QJsonObject bare = notification(5, u"five"_s);
        bare.insert(u"source"_s, QJsonObject{{u"service"_s, u"erp"_s}, {u"display"_s, u"ERP"_s}});
        bare.insert(u"resolved"_s, bySource(QString()));
        QCOMPARE(Notification::fromJson(bare).resolutionText(), u"Resolved by ERP"_s);

        // A person's action, reported in a notif.updated: the sentence, or the action's label.
        QJsonObject three = notification(3, u"three"_s);
        three.insert(u"resolved"_s, QJsonObject{{u"action"_s, u"escalate"_s},
                                                {u"by"_s, u"bob"_s},
                                                {u"at"_s, qint64(1700000950000LL)}});
        model.handleFrame(updated(three, 9));
        QVERIFY(at(&model, 3, NotificationModel::ResolvedRole).toBool());
        QCOMPARE(at(&model, 3, NotificationModel::ResolutionRole).toString(),
                 u"bob chose “Escalate”"_s);
        three.insert(u"resolved"_s, QJsonObject{{u"action"_s, u"approve"_s},
                                                {u"by"_s, u"bob"_s},
                                                {u"at"_s, qint64(1700000950000LL)}});
        model.handleFrame(updated(three, 10));
        QCOMPARE(at(&model, 3, NotificationModel::ResolutionRole).toString(), u"Approved by bob"_s);
        QCOMPARE(model.lastChange(), 10);

        // A page read before the resolution does not bring the buttons back.
        model.handleFrame(
            frame(proto::Type::Notification, {{u"notification"_s, notification(5, u"five"_s)}}));
        QVERIFY(at(&model, 5, NotificationModel::ResolvedRole).toBool());
    }

    void changeCursorFollowsHelloOnlyOnAFreshStart()
    {
        NotificationModel model;
        QVERIFY(!model.changesKnown());
        model.handleHello(hello({}, 40), false);
        QVERIFY(model.changesKnown());
        QCOMPARE(model.lastChange(), 40);
        // A reconnect's hello is newer; the resume must ask from what this client had.
        model.handleHello(hello({}, 55), true);
        QCOMPARE(model.lastChange(), 40);
        model.handleFrame(frame(proto::Type::NotifResolved, {{u"notification"_s, 9},
                                                             {u"action"_s, u"approve"_s},
                                                             {u"by"_s, u"bob"_s},
                                                             {u"at"_s, 1},
                                                             {u"changeSeq"_s, 44}}));
        QCOMPARE(model.lastChange(), 44);
        model.setLastChange(56); // the resume's answer
        QCOMPARE(model.lastChange(), 56);
        model.clear();
        QVERIFY(!model.changesKnown());
        QCOMPARE(model.lastChange(), 0);
    }

    void toastsFollowChanges()
    {
        ToastModel toasts;
        Tester tester(&toasts, Tester::FailureReportingMode::Fatal);
        toasts.setMaxVisible(1);
        toasts.show(Notification::fromJson(notification(5, u"five"_s)));
        toasts.show(Notification::fromJson(notification(6, u"six"_s))); // waits
        QCOMPARE(toasts.rowCount(), 1);
        QCOMPARE(toasts.overflowCount(), 1);
        QSignalSpy inserted(&toasts, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&toasts, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&toasts, &QAbstractItemModel::dataChanged);

        // Edited by its service: the toast changes in place.
        toasts.update(Notification::fromJson(notification(5, u"five (amended)"_s)));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(inserted.count() + removed.count(), 0);
        QCOMPARE(toasts.index(0).data(ToastModel::TitleRole).toString(), u"five (amended)"_s);

        // Resolved by its source: no buttons (the state is no longer ""), its words instead.
        QJsonObject five = notification(5, u"five (amended)"_s);
        five.insert(u"resolved"_s, bySource(u"approved in SAP by bob"_s));
        toasts.update(Notification::fromJson(five));
        QCOMPARE(toasts.index(0).data(ToastModel::StateRole).toString(), u"done"_s);
        QCOMPARE(toasts.index(0).data(ToastModel::ResultRole).toString(),
                 u"Resolved by erp: approved in SAP by bob"_s);

        // Retracted: the waiting one leaves the queue, the visible one the screen.
        toasts.retract(6);
        QCOMPARE(toasts.overflowCount(), 0);
        QCOMPARE(toasts.rowCount(), 1);
        toasts.retract(5);
        QCOMPARE(toasts.rowCount(), 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 0); // nothing was promoted in its place
    }

    void reminderShowsTheToastAgain()
    {
        NotificationModel model;
        Tester tester(&model, Tester::FailureReportingMode::Fatal);
        model.handleHello(hello({notification(5, u"five"_s, true)}, 40), false);
        QList<Notification> reminded;
        connect(&model, &NotificationModel::reminded, this,
                [&reminded](const Notification &n) { reminded << n; });
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QJsonObject five = notification(5, u"five (amended)"_s);
        five.remove(u"read"_s);
        model.handleFrame(
            frame(proto::Type::NotifReminder,
                  {{u"notification"_s, five}, {u"reminder"_s, true}, {u"step"_s, 2}}));
        QCOMPARE(reminded.count(), 1);
        const Notification n = reminded.first();
        QCOMPARE(n.reminderStep, 2);
        QVERIFY(n.read); // the state this client holds
        QCOMPARE(n.title, u"five (amended)"_s);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(at(&model, 5, NotificationModel::TitleRole).toString(), u"five (amended)"_s);

        // The toast: a read one shows again as a reminder; one on screen is marked in place.
        ToastModel toasts;
        Tester toastTester(&toasts, Tester::FailureReportingMode::Fatal);
        QSignalSpy shown(&toasts, &ToastModel::toastShown);
        toasts.show(Notification::fromJson(notification(5, u"five"_s, true)));
        QCOMPARE(toasts.rowCount(), 0); // read, no reminder: nothing
        toasts.show(n);
        QCOMPARE(toasts.rowCount(), 1);
        QVERIFY(toasts.index(0).data(ToastModel::ReminderRole).toBool());
        toasts.show(Notification::fromJson(notification(6, u"six"_s)));
        QCOMPARE(toasts.rowCount(), 2);
        QVERIFY(!toasts.index(1).data(ToastModel::ReminderRole).toBool());
        Notification six = Notification::fromJson(notification(6, u"six"_s));
        six.reminderStep = 1;
        toasts.show(six);
        QCOMPARE(toasts.rowCount(), 2); // not twice
        QVERIFY(toasts.index(1).data(ToastModel::ReminderRole).toBool());
        QCOMPARE(shown.count(), 3);
        QCOMPARE(toasts.roleNames().value(ToastModel::ReminderRole), QByteArray("reminder"));
    }

    void liveChangesAgainstServer()
    {
        if (!m_server.binariesExist())
            QSKIP("herald-server or heraldctl is not built");
        const auto ctl = [this](const QStringList &args) { return m_server.ctl(args).has_value(); };
        QVERIFY(ctl({u"user"_s, u"add"_s, u"alice"_s, u"--password"_s, u"password-a"_s}));
        QVERIFY(ctl({u"service"_s, u"add"_s, u"erp"_s}));
        m_serviceToken =
            m_server.ctl({u"token"_s, u"issue-service"_s, u"erp"_s}).value_or(QString());
        m_aliceToken = m_server.ctl({u"token"_s, u"issue"_s, u"alice"_s}).value_or(QString());
        QVERIFY(!m_serviceToken.isEmpty() && !m_aliceToken.isEmpty());
        QVERIFY(m_server.start());

        auto alice = signedIn(m_server.url());
        QVERIFY(alice);
        NotificationModel *model = alice->notifications();
        const qint64 request = publish(u"Approve PO-1183?"_s);
        const qint64 withdrawn = publish(u"Approve PO-1184?"_s);
        QVERIFY(request > 0 && withdrawn > 0);
        QTRY_VERIFY_WITH_TIMEOUT(
            alice->toasts()->isShown(request) && alice->toasts()->isShown(withdrawn), 10000);
        QTRY_COMPARE(alice->unreadCount(), 2);
        const qint64 cursor = model->lastChange();

        QCOMPARE(change("PATCH", request, {{u"resolved"_s, u"approved in SAP by bob"_s}}), 200);
        QTRY_VERIFY(at(model, request, NotificationModel::ResolvedRole).toBool());
        QCOMPARE(at(model, request, NotificationModel::ResolutionRole).toString(),
                 u"Resolved by erp: approved in SAP by bob"_s);
        const int row = [&] {
            for (int i = 0; i < alice->toasts()->rowCount(); ++i)
                if (alice->toasts()->index(i).data(ToastModel::NotificationIdRole).toLongLong() ==
                    request)
                    return i;
            return -1;
        }();
        QVERIFY(row >= 0);
        QCOMPARE(alice->toasts()->index(row).data(ToastModel::StateRole).toString(), u"done"_s);
        QCOMPARE(alice->toasts()->index(row).data(ToastModel::ResultRole).toString(),
                 u"Resolved by erp: approved in SAP by bob"_s);

        QCOMPARE(change("DELETE", withdrawn), 200);
        QTRY_COMPARE(model->indexOf(withdrawn), -1);
        QTRY_VERIFY(!alice->toasts()->isShown(withdrawn));
        QTRY_COMPARE(alice->unreadCount(), 1);
        QVERIFY(model->lastChange() >= cursor + 2);
    }

    void theDeviceSendsDeliveredAndSeenReceipts()
    {
        if (m_aliceToken.isEmpty())
            QSKIP("needs the server of liveChangesAgainstServer");
        auto alice = signedIn(m_server.url());
        QVERIFY(alice);
        const qint64 id = publish(u"Approve PO-3001?"_s);
        QVERIFY(id > 0);
        // The toast shows it (seen); its arrival was acknowledged (delivered); the publishing
        // service reads both from the receipts, with this device's token as the device.
        QTRY_VERIFY_WITH_TIMEOUT(alice->toasts()->isShown(id), 10000);
        QJsonObject mine;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const auto r = m_http.send(
                    "GET", QUrl(m_server.url() + u"/api/v1/notifications/%1/receipts"_s.arg(id)),
                    {}, m_serviceToken);
                const QJsonArray all = r.json.value(u"receipts"_s).toArray();
                mine = all.isEmpty() ? QJsonObject() : all.first().toObject();
                return mine.value(u"delivered"_s).isObject() && mine.value(u"seen"_s).isObject();
            }(),
            10000);
        QCOMPARE(mine.value(u"user"_s).toString(), u"alice"_s);
        const qint64 device = m_aliceToken.section(u'_', 1, 1).toLongLong();
        QCOMPARE(mine.value(u"delivered"_s).toObject().value(u"device"_s).toInteger(), device);
        QCOMPARE(mine.value(u"seen"_s).toObject().value(u"device"_s).toInteger(), device);
        QVERIFY(mine.value(u"read"_s).isNull());
    }

    void offlineDeviceResumesToTheFinalState()
    {
        if (m_aliceToken.isEmpty())
            QSKIP("needs the server of liveChangesAgainstServer");
        // Alice's device reaches the server through a relay the test cuts.
        fixture::Relay relay(m_server.port());
        auto alice = signedIn(relay.url());
        QVERIFY(alice);
        NotificationModel *model = alice->notifications();
        const qint64 resolved = publish(u"Approve PO-2001?"_s);
        const qint64 retracted = publish(u"Approve PO-2002?"_s);
        const qint64 edited = publish(u"Approve PO-2003?"_s);
        QVERIFY(resolved > 0 && retracted > 0 && edited > 0);
        QTRY_VERIFY_WITH_TIMEOUT(model->indexOf(edited) >= 0, 10000);
        QVERIFY(alice->toasts()->isShown(retracted));

        relay.setBlocked(true);
        QTRY_COMPARE_WITH_TIMEOUT(alice->status(), Session::Reconnecting, 10000);
        QCOMPARE(change("PATCH", resolved, {{u"resolved"_s, u"approved in SAP by bob"_s}}), 200);
        QCOMPARE(change("DELETE", retracted), 200);
        QCOMPARE(change("PATCH", edited, {{u"title"_s, u"Approve PO-2003? (2 monitors)"_s}}), 200);
        // Still the stale state while away.
        QVERIFY(!at(model, resolved, NotificationModel::ResolvedRole).toBool());
        QVERIFY(model->indexOf(retracted) >= 0);

        QSignalSpy resumed(alice.get(), &Session::resumed);
        relay.setBlocked(false);
        QVERIFY(resumed.wait(15000));
        QVERIFY(at(model, resolved, NotificationModel::ResolvedRole).toBool());
        QCOMPARE(at(model, resolved, NotificationModel::ResolutionRole).toString(),
                 u"Resolved by erp: approved in SAP by bob"_s);
        QCOMPARE(model->indexOf(retracted), -1); // only notifChanges can tell it is gone
        QVERIFY(!alice->toasts()->isShown(retracted));
        QCOMPARE(at(model, edited, NotificationModel::TitleRole).toString(),
                 u"Approve PO-2003? (2 monitors)"_s);
        QVERIFY(!at(model, edited, NotificationModel::ResolvedRole).toBool());

        // The same as a device that starts fresh now.
        auto fresh = signedIn(m_server.url());
        QVERIFY(fresh);
        QTRY_COMPARE(alice->unreadCount(), fresh->unreadCount());
        QCOMPARE(model->lastChange(), fresh->notifications()->lastChange());
    }
};

QTEST_MAIN(TestNotificationChanges)
#include "tst_notificationchanges.moc"
