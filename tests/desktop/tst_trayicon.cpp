// The tray icon: the badge is really drawn, the colour follows the connection, the menu and
// tooltip follow the session.
#include "chatroom.h"
#include "session.h"
#include "trayicon.h"

#include <QAction>
#include <QApplication>
#include <QJsonArray>
#include <QMenu>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
bool isBadgeRed(const QColor &c)
{
    return c.red() > 180 && c.green() < 90 && c.blue() < 90;
}

herald::proto::Frame frame(const QString &type, const QJsonObject &body)
{
    const auto decoded = herald::proto::decode(
        herald::proto::encode(type, body), herald::proto::Direction::ServerToClient, {1 << 20, 16});
    if (!decoded.ok())
        qFatal("bad test frame %s", qPrintable(type));
    return *decoded.frame;
}

QJsonObject message(const QString &room, qint64 seq, const QString &from, qint64 ts)
{
    return {
        {u"room"_s, room}, {u"seq"_s, seq}, {u"from"_s, from}, {u"text"_s, u"hi"_s}, {u"ts"_s, ts}};
}

QStringList unreadChatEntries(const TrayIcon &tray)
{
    QStringList texts;
    const QList<QAction *> actions = tray.menu()->actions();
    for (const QAction *a : actions)
        if (a->objectName() == u"unreadChat"_s)
            texts << a->text();
    return texts;
}

int redPixels(const QImage &image)
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            n += isBadgeRed(image.pixelColor(x, y)) ? 1 : 0;
    return n;
}
} // namespace

class TestTrayIcon : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("HERALD_CREDENTIAL_STORE", "file");
    }

    void badgeText()
    {
        QCOMPARE(TrayIcon::badgeText(0), QString());
        QCOMPARE(TrayIcon::badgeText(-3), QString());
        QCOMPARE(TrayIcon::badgeText(7), u"7"_s);
        QCOMPARE(TrayIcon::badgeText(99), u"99"_s);
        QCOMPARE(TrayIcon::badgeText(100), u"99+"_s);
    }

    void badgeIsDrawn()
    {
        const QImage none = TrayIcon::render(64, TrayIcon::Look::Online, 0, false);
        const QImage some = TrayIcon::render(64, TrayIcon::Look::Online, 5, false);
        const QImage many = TrayIcon::render(64, TrayIcon::Look::Online, 250, false);
        QCOMPARE(none.size(), QSize(64, 64));
        QCOMPARE(redPixels(none), 0);
        QVERIFY(redPixels(some) > 100);
        QVERIFY(redPixels(many) > redPixels(some)); // "99+" is a wider pill
        // The badge sits in the top-right corner, and the count is written on it in white.
        QVERIFY(isBadgeRed(some.pixelColor(50, 6)));
        QVERIFY(!isBadgeRed(some.pixelColor(10, 58)));
        QVERIFY(some != none);
    }

    void colourFollowsConnection()
    {
        const QColor online =
            TrayIcon::render(32, TrayIcon::Look::Online, 0, false).pixelColor(6, 16);
        const QColor connecting =
            TrayIcon::render(32, TrayIcon::Look::Connecting, 0, false).pixelColor(6, 16);
        const QColor offline =
            TrayIcon::render(32, TrayIcon::Look::Offline, 0, false).pixelColor(6, 16);
        QVERIFY(online != connecting && connecting != offline && online != offline);
        QVERIFY(online.blue() > online.red());   // blue when online
        QCOMPARE(offline.red(), offline.blue()); // grey when offline
        QVERIFY(TrayIcon::render(32, TrayIcon::Look::Online, 0, true) !=
                TrayIcon::render(32, TrayIcon::Look::Online, 0, false)); // do not disturb shows
    }

    void followsSession()
    {
        Session session(nullptr);
        session.setRememberCredentials(false);
        TrayIcon tray;
        tray.setSession(&session);
        QVERIFY(tray.toolTip().contains(u"Signed out"_s));
        QCOMPARE(redPixels(tray.currentImage()), 0);
        session.notifications()->setUnreadCount(3);
        QVERIFY(redPixels(tray.currentImage()) > 0);
        QVERIFY(tray.toolTip().contains(u"3 unread notifications"_s));
        session.notifications()->setUnreadCount(1);
        QVERIFY(tray.toolTip().contains(u"1 unread notification"_s));
        QVERIFY(!tray.toolTip().contains(u"1 unread notifications"_s));
        session.toasts()->setDoNotDisturb(true);
        QVERIFY(tray.toolTip().contains(u"Do not disturb"_s));
        session.toasts()->setDoNotDisturb(false);
    }

    void clickOpensWhatIsUnreadAndMenuListsChats()
    {
        Session session(nullptr);
        session.setRememberCredentials(false);
        TrayIcon tray;
        tray.setSession(&session);
        session.injectFrame(
            frame(herald::proto::Type::Hello,
                  {{u"protocol"_s, 1},
                   {u"user"_s, QJsonObject{{u"name"_s, u"alice"_s}, {u"display"_s, u"Alice"_s}}},
                   {u"online"_s, 1},
                   {u"unread"_s, 0},
                   {u"heartbeat"_s, 30},
                   {u"rooms"_s, QJsonArray{QJsonObject{{u"name"_s, u"general"_s},
                                                       {u"title"_s, u"General"_s},
                                                       {u"kind"_s, u"public"_s},
                                                       {u"lastSeq"_s, 0}}}},
                   {u"notifications"_s, QJsonArray{}},
                   {u"notifSeq"_s, 0}}));
        QVERIFY(unreadChatEntries(tray).isEmpty());
        QSignalSpy room(&tray, &TrayIcon::roomRequested);
        QSignalSpy notifications(&tray, &TrayIcon::notificationsRequested);
        QSignalSpy plain(&tray, &TrayIcon::activated);
        tray.trigger();
        QCOMPARE(plain.count(), 1); // nothing unread: just the window

        // An unread DM from bob, newer than two messages in General.
        session.injectFrame(frame(herald::proto::Type::Message,
                                  message(u"general"_s, 1, u"bob"_s, qint64(1700000001000))));
        session.injectFrame(frame(herald::proto::Type::Message,
                                  message(u"general"_s, 2, u"carol"_s, qint64(1700000002000))));
        QCOMPARE(redPixels(tray.currentImage()), 0); // room messages without a mention: no badge
        session.injectFrame(frame(herald::proto::Type::Message,
                                  message(u"dm:alice:bob"_s, 1, u"bob"_s, qint64(1700000003000))));
        QVERIFY(redPixels(tray.currentImage()) > 0); // a direct message: the badge
        QCOMPARE(session.badgeCount(), 1);
        QCOMPARE(unreadChatEntries(tray),
                 (QStringList{u"bob (1 unread)"_s, u"General (2 unread)"_s}));
        tray.trigger();
        QCOMPARE(room.count(), 1);
        QCOMPARE(room.at(0).at(0).value<ChatRoom *>(), session.room(u"dm:alice:bob"_s));

        // The menu entry opens its conversation.
        for (QAction *a : tray.menu()->actions())
            if (a->objectName() == u"unreadChat"_s && a->data().toString() == u"general"_s)
                a->trigger();
        QCOMPARE(room.count(), 2);
        QCOMPARE(room.at(1).at(0).value<ChatRoom *>(), session.room(u"general"_s));

        // Read: gone from the menu; an unread notification is what a click shows next.
        session.room(u"dm:alice:bob"_s)->markRead();
        session.room(u"general"_s)->markRead();
        QVERIFY(unreadChatEntries(tray).isEmpty());
        QCOMPARE(redPixels(tray.currentImage()), 0);
        session.injectFrame(
            frame(herald::proto::Type::Notification,
                  {{u"notification"_s, QJsonObject{{u"id"_s, 4},
                                                   {u"title"_s, u"Order 4"_s},
                                                   {u"createdAt"_s, qint64(1700000004000)},
                                                   {u"read"_s, false}}}}));
        tray.trigger();
        QCOMPARE(notifications.count(), 1);
        QCOMPARE(room.count(), 2);
    }
};

QTEST_MAIN(TestTrayIcon)
#include "tst_trayicon.moc"
