// The tray icon: the badge is really drawn, the colour follows the connection, the menu and
// tooltip follow the session.
#include "session.h"
#include "trayicon.h"

#include <QApplication>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
bool isBadgeRed(const QColor &c)
{
    return c.red() > 180 && c.green() < 90 && c.blue() < 90;
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
        session.toasts()->setDoNotDisturb(true);
        QVERIFY(tray.toolTip().contains(u"Do not disturb"_s));
        session.toasts()->setDoNotDisturb(false);
    }
};

QTEST_MAIN(TestTrayIcon)
#include "tst_trayicon.moc"
