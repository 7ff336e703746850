// Native notifications against a notification server on a private session bus (ctest runs this
// under dbus-run-session): Notify carries title, body, source, urgency and the actions; a click
// on an action reaches the real herald-server as the notification's action; read on another
// device withdraws it (CloseNotification); a server that leaves mid-session hands what it showed
// back to Herald's own toasts; without a server, or when the person says so, Herald's toasts.
// A direct message is a bubble (sender, "Direct message", text) whose click opens the
// conversation, withdrawn when the conversation is read.
#include "chatroom.h"
#include "desktopnotifier.h"
#include "fakenotificationserver.h"
#include "heraldfixture.h"
#include "session.h"

#include <QDBusConnection>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;

class TestDbusNotify : public QObject
{
    Q_OBJECT

private:
    fixture::Server m_server;
    fixture::Http m_http;
    QString m_serviceToken;
    QString m_aliceToken;
    QString m_bobToken;

    qint64 publish(const QString &title, const QString &priority, const QString &threadKey = {})
    {
        QJsonObject body{
            {u"recipients"_s, QJsonObject{{u"users"_s, QJsonArray{u"alice"_s}}}},
            {u"title"_s, title},
            {u"body"_s, u"3 laptops, 4,200 EUR"_s},
            {u"priority"_s, priority},
            {u"category"_s, u"purchasing"_s},
            {u"source"_s, QJsonObject{{u"display"_s, u"ERP"_s}}},
            {u"actions"_s,
             QJsonArray{QJsonObject{{u"id"_s, u"approve"_s}, {u"label"_s, u"Approve"_s}},
                        QJsonObject{{u"id"_s, u"reject"_s}, {u"label"_s, u"Reject"_s}}}}};
        if (!threadKey.isEmpty())
            body.insert(u"threadKey"_s, threadKey);
        return m_http.publish(m_server.url(), m_serviceToken, body);
    }

    std::unique_ptr<Session> signedIn()
    {
        auto session = std::make_unique<Session>(nullptr);
        session->setRememberCredentials(false);
        QSignalSpy ready(session.get(), &Session::ready);
        session->connectWithToken(m_server.url(), m_aliceToken);
        if (!ready.wait(15000))
            return {};
        return session;
    }

    QJsonObject resolvedOnServer(qint64 id)
    {
        return m_http
            .send("GET", QUrl(m_server.url() + u"/api/v1/notifications/%1"_s.arg(id)), {},
                  m_serviceToken)
            .json.value("resolved"_L1)
            .toObject();
    }

    /** bob signed in on @p bob, with his DM with alice open; null on failure. */
    ChatRoom *directMessageFromBob(Session &bob)
    {
        bob.setRememberCredentials(false);
        QSignalSpy ready(&bob, &Session::ready);
        bob.connectWithToken(m_server.url(), m_bobToken);
        if (!ready.wait(15000))
            return nullptr;
        QSignalSpy opened(&bob, &Session::roomOpenRequested);
        bob.openDirectMessage(u"alice"_s);
        if (!opened.wait(10000))
            return nullptr;
        return opened.at(0).at(0).value<ChatRoom *>();
    }

    static std::optional<NotifyCall> callFor(const NotificationServerThread &fake,
                                             const QString &summary, bool replacement = false)
    {
        const QList<NotifyCall> calls = fake.server().calls();
        for (const NotifyCall &c : calls)
            if (c.summary == summary && (c.replacesId != 0) == replacement)
                return c;
        return std::nullopt;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"HeraldTest"_s);
        QCoreApplication::setApplicationName(u"tst_dbusnotify"_s);
        QSettings().clear();
        qputenv("HERALD_CREDENTIAL_STORE", "file");
        if (!QDBusConnection::sessionBus().isConnected())
            QSKIP("no session bus: run under dbus-run-session (ctest does)");
        QVERIFY(m_server.binariesExist());
        const auto ctl = [this](const QStringList &args) { return m_server.ctl(args).has_value(); };
        QVERIFY(ctl({u"user"_s, u"add"_s, u"alice"_s, u"--display"_s, u"Alice Martin"_s,
                     u"--password"_s, u"password-a"_s}));
        QVERIFY(ctl({u"user"_s, u"add"_s, u"bob"_s, u"--display"_s, u"Bob Builder"_s,
                     u"--password"_s, u"password-b"_s}));
        QVERIFY(ctl({u"service"_s, u"add"_s, u"erp"_s}));
        m_serviceToken =
            m_server.ctl({u"token"_s, u"issue-service"_s, u"erp"_s}).value_or(QString());
        m_aliceToken = m_server.ctl({u"token"_s, u"issue"_s, u"alice"_s}).value_or(QString());
        m_bobToken = m_server.ctl({u"token"_s, u"issue"_s, u"bob"_s}).value_or(QString());
        QVERIFY(!m_serviceToken.isEmpty() && !m_aliceToken.isEmpty() && !m_bobToken.isEmpty());
        QVERIFY(m_server.start());
    }

    void urgencyFromPriority()
    {
        QCOMPARE(DesktopNotifier::urgencyFor(u"low"_s), uchar(0));
        QCOMPARE(DesktopNotifier::urgencyFor(u"normal"_s), uchar(1));
        QCOMPARE(DesktopNotifier::urgencyFor(u"high"_s), uchar(1));
        QCOMPARE(DesktopNotifier::urgencyFor(u"urgent"_s), uchar(2));
    }

    void withoutServerHeraldToastsShow()
    {
        auto alice = signedIn();
        QVERIFY(alice);
        QVERIFY(!alice->notifier()->available());
        QVERIFY(!alice->nativeNotifications());
        const qint64 id = publish(u"No server here"_s, u"normal"_s);
        QTRY_VERIFY_WITH_TIMEOUT(alice->toasts()->isShown(id), 10000);
    }

    void notifyActionCloseAndWithdraw()
    {
        NotificationServerThread fake;
        QVERIFY(fake.start());
        auto alice = signedIn();
        QVERIFY(alice);
        QTRY_VERIFY(alice->nativeNotifications());
        QCOMPARE(alice->notifier()->serverName(), u"fake-notification-server (Herald tests)"_s);

        // Notify: title, the source and body, urgency, the action buttons.
        const qint64 id = publish(u"Approve PO-1183?"_s, u"urgent"_s);
        QVERIFY(id > 0);
        std::optional<NotifyCall> call;
        QTRY_VERIFY_WITH_TIMEOUT((call = callFor(fake, u"Approve PO-1183?"_s)).has_value(), 10000);
        QCOMPARE(call->appName, u"Herald"_s);
        QVERIFY2(call->body.contains(u"ERP · Purchasing"_s), qPrintable(call->body));
        QVERIFY(call->body.contains(u"3 laptops, 4,200 EUR"_s));
        QCOMPARE(call->hints.value(u"urgency"_s).toInt(), 2);
        QCOMPARE(call->timeout, 0); // urgent stays until handled
        QCOMPARE(call->actions, (QStringList{u"default"_s, u"Open"_s, u"approve"_s, u"Approve"_s,
                                             u"reject"_s, u"Reject"_s}));
        QVERIFY(!alice->toasts()->isShown(id)); // not twice
        QTRY_VERIFY(alice->notifier()->isShown(id));

        // The person clicks Approve in the desktop's bubble: the server records it, by alice.
        fake.clickAction(call->id, u"approve"_s);
        QTRY_COMPARE_WITH_TIMEOUT(resolvedOnServer(id).value("action"_L1).toString(), u"approve"_s,
                                  10000);
        QCOMPARE(resolvedOnServer(id).value("by"_L1).toString(), u"alice"_s);
        // The bubble shows the outcome in its place, without buttons.
        std::optional<NotifyCall> outcome;
        QTRY_VERIFY_WITH_TIMEOUT((outcome = callFor(fake, u"Approve PO-1183?"_s, true)).has_value(),
                                 10000);
        QCOMPARE(outcome->replacesId, call->id);
        QVERIFY2(outcome->body.contains(u"Approved by you"_s), qPrintable(outcome->body));
        QVERIFY(outcome->actions.isEmpty());

        // Another one is read on another device: its bubble is withdrawn.
        const qint64 second = publish(u"Approve PO-1184?"_s, u"normal"_s);
        std::optional<NotifyCall> secondCall;
        QTRY_VERIFY_WITH_TIMEOUT((secondCall = callFor(fake, u"Approve PO-1184?"_s)).has_value(),
                                 10000);
        QCOMPARE(secondCall->hints.value(u"urgency"_s).toInt(), 1);
        QTRY_VERIFY(alice->notifier()->isShown(second));
        auto phone = signedIn();
        QVERIFY(phone);
        QTRY_VERIFY(phone->notifications()->find(second));
        phone->notifications()->markRead(second);
        QTRY_VERIFY_WITH_TIMEOUT(fake.server().closedByClient().contains(secondCall->id), 10000);
        QVERIFY(!alice->notifier()->isShown(second));
        phone.reset(); // its own notifier would show the next one too

        // The desktop closes one by itself (it expired there): Herald forgets it.
        const qint64 third = publish(u"Approve PO-1185?"_s, u"low"_s);
        std::optional<NotifyCall> thirdCall;
        QTRY_VERIFY_WITH_TIMEOUT((thirdCall = callFor(fake, u"Approve PO-1185?"_s)).has_value(),
                                 10000);
        QCOMPARE(thirdCall->hints.value(u"urgency"_s).toInt(), 0);
        QTRY_VERIFY(alice->notifier()->isShown(third));
        fake.expire(thirdCall->id); // possibly before its Notify answer reached Herald
        QTRY_VERIFY_WITH_TIMEOUT(!alice->notifier()->isShown(third), 10000);
        QVERIFY(!alice->toasts()->isShown(third));

        // Signing out leaves nothing of the account on screen.
        const qint64 fourth = publish(u"Approve PO-1187?"_s, u"urgent"_s);
        std::optional<NotifyCall> fourthCall;
        QTRY_VERIFY_WITH_TIMEOUT((fourthCall = callFor(fake, u"Approve PO-1187?"_s)).has_value(),
                                 10000);
        QTRY_VERIFY(alice->notifier()->isShown(fourth));
        alice->signOut();
        QTRY_VERIFY_WITH_TIMEOUT(fake.server().closedByClient().contains(fourthCall->id), 10000);
        // Signing out revokes the token (in the background): the next tests get a new one.
        m_aliceToken = m_server.ctl({u"token"_s, u"issue"_s, u"alice"_s}).value_or(QString());
        QVERIFY(!m_aliceToken.isEmpty());
    }

    void serviceEditsAndRetracts()
    {
        NotificationServerThread fake;
        QVERIFY(fake.start());
        auto alice = signedIn();
        QVERIFY(alice);
        QTRY_VERIFY(alice->nativeNotifications());
        const auto change = [this](const QByteArray &verb, qint64 id, const QJsonObject &body) {
            return m_http
                .send(verb, QUrl(m_server.url() + u"/api/v1/notifications/%1"_s.arg(id)), body,
                      m_serviceToken)
                .status;
        };

        // Edited by its service: the bubble is replaced in place, buttons and all.
        const qint64 id = publish(u"Approve PO-1190?"_s, u"normal"_s);
        std::optional<NotifyCall> call;
        QTRY_VERIFY_WITH_TIMEOUT((call = callFor(fake, u"Approve PO-1190?"_s)).has_value(), 10000);
        QTRY_VERIFY(alice->notifier()->isShown(id));
        QTest::qWait(200); // the Notify answer (its number) reaches Herald
        QCOMPARE(change("PATCH", id, {{u"title"_s, u"Approve PO-1190? (2 monitors)"_s}}), 200);
        std::optional<NotifyCall> edited;
        QTRY_VERIFY_WITH_TIMEOUT(
            (edited = callFor(fake, u"Approve PO-1190? (2 monitors)"_s, true)).has_value(), 10000);
        QCOMPARE(edited->replacesId, call->id);
        QCOMPARE(edited->actions, call->actions);

        // Retracted: the bubble is closed.
        QCOMPARE(change("DELETE", id, {}), 200);
        QTRY_VERIFY_WITH_TIMEOUT(fake.server().closedByClient().contains(call->id), 10000);
        QVERIFY(!alice->notifier()->isShown(id));
        QVERIFY(!alice->toasts()->isShown(id));

        // Resolved by its source: closed as well (the centre says how).
        const qint64 second = publish(u"Approve PO-1191?"_s, u"normal"_s);
        std::optional<NotifyCall> secondCall;
        QTRY_VERIFY_WITH_TIMEOUT((secondCall = callFor(fake, u"Approve PO-1191?"_s)).has_value(),
                                 10000);
        QTRY_VERIFY(alice->notifier()->isShown(second));
        QTest::qWait(200);
        QCOMPARE(change("PATCH", second, {{u"resolved"_s, u"approved in SAP by bob"_s}}), 200);
        QTRY_VERIFY_WITH_TIMEOUT(fake.server().closedByClient().contains(secondCall->id), 10000);
        // No sign-out here: it would revoke the token the next tests sign in with.
    }

    void burstOfOneThreadIsOneBubble()
    {
        NotificationServerThread fake;
        QVERIFY(fake.start());
        auto alice = signedIn();
        QVERIFY(alice);
        QTRY_VERIFY(alice->nativeNotifications());
        const qint64 first = publish(u"Order 1 of batch 7"_s, u"normal"_s, u"batch-7"_s);
        std::optional<NotifyCall> call;
        QTRY_VERIFY_WITH_TIMEOUT((call = callFor(fake, u"Order 1 of batch 7"_s)).has_value(),
                                 10000);
        QTRY_VERIFY(alice->notifier()->isShown(first));
        QTest::qWait(200); // the Notify answer (its number) reaches Herald
        publish(u"Order 2 of batch 7"_s, u"normal"_s, u"batch-7"_s);
        std::optional<NotifyCall> second;
        QTRY_VERIFY_WITH_TIMEOUT(
            (second = callFor(fake, u"Order 2 of batch 7"_s, true)).has_value(), 10000);
        QCOMPARE(second->replacesId, call->id); // the same bubble, not a second one
        QVERIFY2(second->body.endsWith(u"1 more from ERP"_s), qPrintable(second->body));
        QVERIFY(!alice->notifier()->isShown(first));
        // Another thread is a bubble of its own.
        publish(u"Order 1 of batch 8"_s, u"normal"_s, u"batch-8"_s);
        QTRY_VERIFY_WITH_TIMEOUT(callFor(fake, u"Order 1 of batch 8"_s).has_value(), 10000);
    }

    void serverLeavesMidSession()
    {
        NotificationServerThread fake;
        QVERIFY(fake.start());
        auto alice = signedIn();
        QVERIFY(alice);
        QTRY_VERIFY(alice->nativeNotifications());
        const qint64 id = publish(u"Shown natively, then the daemon dies"_s, u"high"_s);
        QTRY_VERIFY_WITH_TIMEOUT(alice->notifier()->isShown(id), 10000);
        QVERIFY(!alice->toasts()->isShown(id));

        // The notification daemon leaves: what it showed comes back as Herald's own toast.
        fake.leave();
        QTRY_VERIFY_WITH_TIMEOUT(!alice->nativeNotifications(), 10000);
        QTRY_VERIFY(alice->toasts()->isShown(id));
        // And the next one is a toast from the start.
        const qint64 next = publish(u"After the daemon left"_s, u"normal"_s);
        QTRY_VERIFY_WITH_TIMEOUT(alice->toasts()->isShown(next), 10000);

        // It comes back: native again.
        QVERIFY(fake.start());
        QTRY_VERIFY_WITH_TIMEOUT(alice->nativeNotifications(), 10000);
    }

    void personChoosesHeraldToasts()
    {
        NotificationServerThread fake;
        QVERIFY(fake.start());
        auto alice = signedIn();
        QVERIFY(alice);
        QTRY_VERIFY(alice->nativeNotifications());
        alice->settings()->setNativeNotifications(false);
        QVERIFY(!alice->nativeNotifications());
        const qint64 id = publish(u"Chosen: Herald's own"_s, u"normal"_s);
        QTRY_VERIFY_WITH_TIMEOUT(alice->toasts()->isShown(id), 10000);
        QVERIFY(!callFor(fake, u"Chosen: Herald's own"_s).has_value());
        alice->settings()->setNativeNotifications(true);
    }

    void directMessageIsABubbleThatOpensTheConversation()
    {
        NotificationServerThread fake;
        QVERIFY(fake.start());
        auto alice = signedIn();
        QVERIFY(alice);
        QTRY_VERIFY(alice->nativeNotifications());
        QTRY_VERIFY_WITH_TIMEOUT(alice->people()->indexOf(u"bob"_s) >= 0, 10000);
        Session bob(nullptr);
        ChatRoom *dm = directMessageFromBob(bob);
        QVERIFY(dm);

        // Sender as the summary, the conversation and the text as the body; no Herald toast.
        dm->send(u"Coffee at four?"_s);
        std::optional<NotifyCall> call;
        QTRY_VERIFY_WITH_TIMEOUT((call = callFor(fake, u"Bob Builder"_s)).has_value(), 10000);
        QCOMPARE(call->body, u"Direct message\nCoffee at four?"_s);
        QVERIFY(call->actions.contains(u"default"_s));
        QCOMPARE(alice->toasts()->rowCount(), 0);

        // A click on the bubble opens the conversation.
        QSignalSpy opened(alice.get(), &Session::roomOpenRequested);
        QTest::qWait(200); // the Notify answer (its number) reaches Herald
        fake.clickAction(call->id, u"default"_s);
        QVERIFY(opened.wait(10000));
        QCOMPARE(opened.at(0).at(0).value<ChatRoom *>(), alice->room(dm->name()));

        // Reply, where the bubble cannot take text, opens the conversation for the answer.
        QCOMPARE(call->actions.mid(2), (QStringList{u"reply"_s, u"Reply"_s}));
        fake.clickAction(call->id, u"reply"_s);
        QVERIFY(opened.wait(10000));
        QCOMPARE(opened.at(1).at(0).value<ChatRoom *>(), alice->room(dm->name()));

        // Read on this device: the bubble is withdrawn.
        alice->room(dm->name())->markRead();
        QTRY_VERIFY_WITH_TIMEOUT(fake.server().closedByClient().contains(call->id), 10000);
    }

    void directMessageBubbleInlineReplyReachesBob()
    {
        NotificationServerThread fake(
            {u"actions"_s, u"body"_s, u"inline-reply"_s}); // as KDE Plasma's
        QVERIFY(fake.start());
        auto alice = signedIn();
        QVERIFY(alice);
        QTRY_VERIFY(alice->nativeNotifications());
        QVERIFY(alice->notifier()->supportsInlineReply());
        QTRY_VERIFY_WITH_TIMEOUT(alice->people()->indexOf(u"bob"_s) >= 0, 10000);
        Session bob(nullptr);
        ChatRoom *dm = directMessageFromBob(bob);
        QVERIFY(dm);

        dm->send(u"Can you sign the PO?"_s);
        std::optional<NotifyCall> call;
        QTRY_VERIFY_WITH_TIMEOUT((call = callFor(fake, u"Bob Builder"_s)).has_value() &&
                                     call->body.endsWith(u"Can you sign the PO?"_s),
                                 10000);
        QCOMPARE(call->actions.mid(2), (QStringList{u"inline-reply"_s, u"Reply"_s}));
        QVERIFY(!call->hints.value(u"x-kde-reply-placeholder-text"_s).toString().isEmpty());

        // Typed in the bubble: bob gets the answer, and alice has read the conversation.
        QTest::qWait(200); // the Notify answer (its number) reaches Herald
        QSignalSpy opened(alice.get(), &Session::roomOpenRequested);
        fake.typeReply(call->id, u"Signed, thanks"_s);
        QTRY_VERIFY_WITH_TIMEOUT(
            dm->messages()->rowCount() > 0 &&
                dm->messages()
                        ->data(dm->messages()->index(dm->messages()->rowCount() - 1),
                               MessageModel::TextRole)
                        .toString() == u"Signed, thanks"_s,
            10000);
        ChatRoom *mine = alice->room(dm->name());
        QTRY_COMPARE_WITH_TIMEOUT(mine->unreadCount(), 0, 10000);
        QCOMPARE(opened.count(), 0); // answered in place: no window
        // A blank reply sends nothing.
        const int rows = dm->messages()->rowCount();
        fake.typeReply(call->id, u"  "_s);
        QTest::qWait(300);
        QCOMPARE(dm->messages()->rowCount(), rows);
    }

    void cleanupTestCase() { m_server.stop(); }
};

QTEST_MAIN(TestDbusNotify)
#include "tst_dbusnotify.moc"
