// Away when idle: the idle time from GNOME's idle monitor on a private session bus (ctest runs
// this under dbus-run-session), the screen lock's ActiveChanged, and without either the last
// input to Herald's own windows on a clock the test moves. Then the whole path: alice's app goes
// idle, bob's app shows her away since the moment she stopped, and back.
#include "heraldfixture.h"
#include "idlemonitor.h"
#include "session.h"

#include <QDBusConnection>
#include <QDateTime>
#include <QKeyEvent>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QWindow>

using namespace Qt::StringLiterals;

/** org.gnome.Mutter.IdleMonitor as GNOME Shell serves it: the session's idle time in ms. */
class IdleMonitorService : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.gnome.Mutter.IdleMonitor")
public:
    quint64 idle = 0;
public Q_SLOTS:
    quint64 GetIdletime() const { return idle; }
};

/** org.freedesktop.ScreenSaver's lock signal. */
class ScreenSaverService : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.ScreenSaver")
Q_SIGNALS:
    void ActiveChanged(bool active);
};

/** A second connection to the session bus that owns a well-known name, like a desktop would. */
struct BusService
{
    QDBusConnection bus;
    QString name;
    BusService(const QString &service, const QString &path, QObject *object)
        : bus(QDBusConnection::connectToBus(QDBusConnection::SessionBus, service))
        , name(service)
    {
        bus.registerObject(path, object,
                           QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals);
        bus.registerService(service);
    }
    ~BusService()
    {
        bus.unregisterService(name);
        QDBusConnection::disconnectFromBus(name);
    }
};

class TestIdleMonitor : public QObject
{
    Q_OBJECT

private:
    fixture::Server m_server;
    QString m_aliceToken;
    QString m_bobToken;

    std::unique_ptr<Session> signedIn(const QString &token)
    {
        auto session = std::make_unique<Session>(nullptr);
        session->setRememberCredentials(false);
        QSignalSpy ready(session.get(), &Session::ready);
        session->connectWithToken(m_server.url(), token);
        if (!ready.wait(15000))
            return {};
        return session;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"HeraldTest"_s);
        QCoreApplication::setApplicationName(u"tst_idlemonitor"_s);
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
        QVERIFY(ctl({u"room"_s, u"create"_s, u"general"_s}));
        for (const QString &user : {u"alice"_s, u"bob"_s})
            QVERIFY(ctl({u"room"_s, u"add-member"_s, u"general"_s, user}));
        m_aliceToken = m_server.ctl({u"token"_s, u"issue"_s, u"alice"_s}).value_or(QString());
        m_bobToken = m_server.ctl({u"token"_s, u"issue"_s, u"bob"_s}).value_or(QString());
        QVERIFY(!m_aliceToken.isEmpty() && !m_bobToken.isEmpty());
        QVERIFY(m_server.start());
    }

    void ownWindowsWithoutADesktopMonitor()
    {
        qint64 now = 1000000;
        IdleMonitor monitor;
        monitor.setClock([&now] { return now; });
        monitor.setThresholdMs(60000);
        monitor.start();
        QSignalSpy changed(&monitor, &IdleMonitor::idleChanged);
        now += 59000;
        monitor.check();
        QTRY_COMPARE(monitor.source(), IdleMonitor::Source::OwnWindows);
        QTest::qWait(100);
        QVERIFY(!monitor.isIdle());
        now += 2000; // 61 s without input
        monitor.check();
        QTRY_COMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).toBool(), true);
        QCOMPARE(changed.at(0).at(1).toLongLong(), 61000);
        // A key press in one of Herald's windows: back at once.
        QWindow window;
        QKeyEvent key(QEvent::KeyPress, Qt::Key_A, Qt::NoModifier, u"a"_s);
        QCoreApplication::sendEvent(&window, &key);
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.at(1).at(0).toBool(), false);
        // Never idle when the person says never.
        monitor.setThresholdMs(0);
        now += 3600000;
        monitor.check();
        QTest::qWait(200);
        QVERIFY(!monitor.isIdle());
    }

    void gnomeIdleMonitorAndTheScreenLock()
    {
        IdleMonitorService gnome;
        BusService gnomeBus(u"org.gnome.Mutter.IdleMonitor"_s,
                            u"/org/gnome/Mutter/IdleMonitor/Core"_s, &gnome);
        ScreenSaverService locker;
        BusService lockerBus(u"org.freedesktop.ScreenSaver"_s, u"/org/freedesktop/ScreenSaver"_s,
                             &locker);
        QVERIFY(gnomeBus.bus.isConnected() && lockerBus.bus.isConnected());

        IdleMonitor monitor;
        monitor.setClock([] { return qint64(0); }); // the own-windows count never says idle
        monitor.setThresholdMs(10 * 60000);
        monitor.start();
        QSignalSpy changed(&monitor, &IdleMonitor::idleChanged);
        QTRY_COMPARE(monitor.source(), IdleMonitor::Source::GnomeIdleMonitor);
        QVERIFY(!monitor.isIdle());
        gnome.idle = 11 * 60000; // the whole session: 11 minutes without input anywhere
        monitor.check();
        QTRY_COMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).toBool(), true);
        QCOMPARE(changed.at(0).at(1).toLongLong(), 11 * 60000);
        gnome.idle = 300;
        monitor.check();
        QTRY_COMPARE(changed.size(), 2);
        QCOMPARE(changed.at(1).at(0).toBool(), false);

        // Locking the screen: away at once, whatever the idle time; unlocking: back.
        Q_EMIT locker.ActiveChanged(true);
        QTRY_COMPARE(changed.size(), 3);
        QVERIFY(monitor.isIdle() && monitor.screenLocked());
        monitor.check(); // the idle time is short, but the screen is locked
        QTest::qWait(200);
        QVERIFY(monitor.isIdle());
        Q_EMIT locker.ActiveChanged(false);
        QTRY_COMPARE(changed.size(), 4);
        QVERIFY(!monitor.isIdle());
    }

    void bobSeesAliceAwaySinceSheStopped()
    {
        IdleMonitorService gnome;
        BusService gnomeBus(u"org.gnome.Mutter.IdleMonitor"_s,
                            u"/org/gnome/Mutter/IdleMonitor/Core"_s, &gnome);
        auto alice = signedIn(m_aliceToken);
        auto bob = signedIn(m_bobToken);
        QVERIFY(alice && bob);
        alice->settings()->setAwayAfterMinutes(10);
        const auto aliceIn = [&bob] {
            UserListModel *people = bob->people();
            return people->index(people->indexOf(u"alice"_s));
        };
        QTRY_VERIFY(aliceIn().isValid());
        QTRY_COMPARE(aliceIn().data(UserListModel::StatusRole).toString(), u"online"_s);

        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        gnome.idle = 12 * 60000;
        alice->idleMonitor()->check();
        QTRY_COMPARE(aliceIn().data(UserListModel::StatusRole).toString(), u"away"_s);
        const QDateTime since = aliceIn().data(UserListModel::SinceRole).toDateTime();
        QVERIFY(since.isValid());
        // 12 minutes before the check, by the server's clock (the same machine here).
        QVERIFY2(qAbs(since.toMSecsSinceEpoch() - (before - 12 * 60000)) < 5000,
                 qPrintable(since.toString(Qt::ISODateWithMs)));

        gnome.idle = 0; // back at the keyboard
        alice->idleMonitor()->check();
        QTRY_COMPARE(aliceIn().data(UserListModel::StatusRole).toString(), u"online"_s);
        QVERIFY(!aliceIn().data(UserListModel::SinceRole).isValid());

        // Away by hand is not undone by activity.
        alice->setAway(true);
        QTRY_COMPARE(aliceIn().data(UserListModel::StatusRole).toString(), u"away"_s);
        alice->idleMonitor()->check();
        QTest::qWait(500);
        QCOMPARE(aliceIn().data(UserListModel::StatusRole).toString(), u"away"_s);
        alice->setAway(false);
        QTRY_COMPARE(aliceIn().data(UserListModel::StatusRole).toString(), u"online"_s);
    }
};

QTEST_MAIN(TestIdleMonitor)
#include "tst_idlemonitor.moc"
