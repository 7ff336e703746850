// End to end, as a person sees it: Xvfb with trayer as the tray host, a real herald-server,
// the real herald-desktop. A published notification pops up as a toast window; xdotool clicks
// its Approve button; the server must have recorded the action. The service retracts one: its
// toast and the tray badge go; it resolves another: the toast says how. A direct message pops
// up with Reply, and what is typed there reaches its sender. With HERALD_SCREENSHOT_DIR
// set it also captures the screenshots for docs/screenshots/. Over 500 lines: one Xvfb, tray
// host and app start is shared by every case, so the cases live together.
#include "../desktop/heraldfixture.h"

#include "chatroom.h"
#include "fileuploader.h"
#include "session.h"

#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestE2eTray : public QObject
{
    Q_OBJECT

private:
    fixture::Server m_server;
    fixture::Http m_http;
    QTemporaryDir m_home;
    QProcess m_xvfb;
    QProcess m_trayer;
    QProcess m_app;
    QString m_display;
    QString m_serviceToken;
    QString m_aliceToken;
    QString m_bobToken;
    int m_appRuns = 0;

    QProcessEnvironment x11Env() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"DISPLAY"_s, m_display);
        env.remove(u"WAYLAND_DISPLAY"_s);
        return env;
    }

    /** Runs an X client (xdotool, xwd...) on our display; returns stdout, or null on failure. */
    QString x(const QString &program, const QStringList &args, int timeoutMs = 10000)
    {
        QProcess p;
        p.setProcessEnvironment(x11Env());
        p.start(program, args);
        if (!p.waitForFinished(timeoutMs) || p.exitCode() != 0)
            return {};
        const QString out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
        return out.isNull() ? QString(u""_s) : out;
    }

    /** Window ids whose title matches, visible ones only. xdotool walks every window; when
     *  one goes away under it (a toast closing, Qt's helper windows) Xlib's default handler
     *  ends it with exit code 1 and "X Error" on stderr, the same code as "none found": such
     *  a search is asked again, so a window that is there is not reported missing. */
    QStringList windows(const QString &title)
    {
        for (int attempt = 0; attempt < 5; ++attempt) {
            QProcess p;
            p.setProcessEnvironment(x11Env());
            p.start(u"xdotool"_s, {u"search"_s, u"--onlyvisible"_s, u"--name"_s, title});
            if (!p.waitForFinished(10000))
                continue;
            const QByteArray err = p.readAllStandardError();
            if (p.exitCode() == 0 || err.trimmed().isEmpty())
                return QString::fromUtf8(p.readAllStandardOutput())
                    .split(u'\n', Qt::SkipEmptyParts);
        }
        return {};
    }

    /** Waits for a visible window with this title and returns its ids (empty on timeout). The
     *  search runs once per poll, never again to check it: a QTRY_VERIFY over an assignment
     *  evaluates its expression a last time, and that search can differ from the one that
     *  ended the wait. */
    QStringList waitForWindows(const QString &title, int timeoutMs)
    {
        QStringList found;
        (void)QTest::qWaitFor([&] { return !(found = windows(title)).isEmpty(); }, timeoutMs);
        return found;
    }

    QRect geometry(const QString &window)
    {
        QRect r;
        const QStringList lines =
            x(u"xdotool"_s, {u"getwindowgeometry"_s, u"--shell"_s, window}).split(u'\n');
        for (const QString &line : lines) {
            const QString value = line.section(u'=', 1);
            if (line.startsWith(u"X="_s))
                r.moveLeft(value.toInt());
            else if (line.startsWith(u"Y="_s))
                r.moveTop(value.toInt());
            else if (line.startsWith(u"WIDTH="_s))
                r.setWidth(value.toInt());
            else if (line.startsWith(u"HEIGHT="_s))
                r.setHeight(value.toInt());
        }
        return r;
    }

    bool click(int px, int py)
    {
        return !x(u"xdotool"_s, {u"mousemove"_s, u"--sync"_s, QString::number(px),
                                 QString::number(py), u"click"_s, u"1"_s})
                    .isNull();
    }

    void screenshot(const QString &name, bool trayCloseUp = false)
    {
        const QString dir = qEnvironmentVariable("HERALD_SCREENSHOT_DIR");
        if (dir.isEmpty())
            return;
        QDir().mkpath(dir);
        QProcess shell;
        shell.setProcessEnvironment(x11Env());
        shell.start(u"sh"_s,
                    {u"-c"_s, u"xwd -root -display \"$DISPLAY\" | convert xwd:- png:\"$1\""_s,
                     u"sh"_s, dir + u"/"_s + name + u".png"_s});
        QVERIFY(shell.waitForFinished(30000));
        QCOMPARE(shell.exitCode(), 0);
        if (!trayCloseUp)
            return;
        // The tray corner, enlarged, so the badge can be seen in the docs.
        QProcess crop;
        crop.start(u"convert"_s,
                   {dir + u"/"_s + name + u".png"_s, u"-crop"_s, u"48x32+1232+768"_s, u"+repage"_s,
                    u"-filter"_s, u"point"_s, u"-resize"_s, u"600%"_s, dir + u"/tray-badge.png"_s});
        QVERIFY(crop.waitForFinished(30000));
        QCOMPARE(crop.exitCode(), 0);
    }

    /** Starts the real app signed in as alice from the environment (the token never appears in
     *  argv or output), with its own home; extra arguments such as --language. */
    void startApp(const QStringList &arguments, const QString &lang = {})
    {
        const QString home = m_home.path() + u"/"_s + QString::number(++m_appRuns);
        QProcessEnvironment env = x11Env();
        env.insert(u"QT_QPA_PLATFORM"_s, u"xcb"_s);
        env.insert(u"HOME"_s, home);
        env.insert(u"XDG_CONFIG_HOME"_s, home + u"/config"_s);
        env.insert(u"XDG_DATA_HOME"_s, home + u"/data"_s);
        env.insert(u"XDG_RUNTIME_DIR"_s, m_home.path());
        env.insert(u"HERALD_CREDENTIAL_STORE"_s, u"file"_s);
        env.insert(u"HERALD_NOTIFIER"_s, u"off"_s); // Herald's own toasts: xdotool clicks them
        env.insert(u"HERALD_SERVER"_s, m_server.url());
        env.insert(u"HERALD_TOKEN"_s, m_aliceToken);
        if (!lang.isEmpty()) { // the system's language, as a desktop session sets it
            env.insert(u"LANG"_s, lang);
            env.insert(u"LANGUAGE"_s, lang.section(u'.', 0, 0));
            env.remove(u"LC_ALL"_s);
            env.remove(u"LC_MESSAGES"_s);
        }
        m_app.setProcessEnvironment(env);
        m_app.setProcessChannelMode(QProcess::MergedChannels);
        m_app.start(fixture::binary(u"herald-desktop"_s), arguments);
        QVERIFY(m_app.waitForStarted(5000));
    }

    void stopApp()
    {
        m_app.terminate();
        if (!m_app.waitForFinished(5000)) {
            m_app.kill();
            m_app.waitForFinished(3000);
        }
    }

    /** Badge-red pixels in the tray corner: the unread badge is up when there are many. */
    int badgePixels()
    {
        QProcess shell;
        shell.setProcessEnvironment(x11Env());
        shell.start(u"sh"_s, {u"-c"_s, u"xwd -root -display \"$DISPLAY\" | convert xwd:- png:-"_s});
        if (!shell.waitForFinished(30000) || shell.exitCode() != 0)
            return -1;
        const QImage screen = QImage::fromData(shell.readAllStandardOutput(), "PNG");
        // The icon sits in trayer's corner, bottom right (see tray-badge.png).
        const QImage corner = screen.copy(1240, 766, 40, 34).convertToFormat(QImage::Format_RGB32);
        int red = 0;
        for (int y = 0; y < corner.height(); ++y)
            for (int x = 0; x < corner.width(); ++x) {
                const QRgb p = corner.pixel(x, y);
                if (qRed(p) > 170 && qGreen(p) < 100 && qBlue(p) < 100)
                    ++red;
            }
        return red;
    }

    qint64 publish(const QString &title, const QString &body, const QString &priority,
                   bool withActions, const QString &source = u"ERP"_s,
                   const QString &category = u"purchasing"_s, const QString &threadKey = {})
    {
        // The server names the service ("erp"); its display name comes from the publisher.
        QJsonObject n{{u"recipients"_s, QJsonObject{{u"users"_s, QJsonArray{u"alice"_s}}}},
                      {u"title"_s, title},
                      {u"body"_s, body},
                      {u"priority"_s, priority},
                      {u"category"_s, category},
                      {u"source"_s, QJsonObject{{u"display"_s, source}}}};
        if (!threadKey.isEmpty())
            n.insert(u"threadKey"_s, threadKey);
        if (withActions) {
            n.insert(u"actions"_s,
                     QJsonArray{QJsonObject{{u"id"_s, u"approve"_s}, {u"label"_s, u"Approve"_s}},
                                QJsonObject{{u"id"_s, u"reject"_s}, {u"label"_s, u"Reject"_s}}});
            n.insert(u"link"_s, u"https://erp.example.com/orders/42"_s);
        }
        return m_http.publish(m_server.url(), m_serviceToken, n);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(u"Xvfb"_s).isEmpty())
            QSKIP("Xvfb is not installed (apt install xvfb)");
        for (const QString &tool : {u"trayer"_s, u"xdotool"_s})
            QVERIFY2(!QStandardPaths::findExecutable(tool).isEmpty(),
                     qPrintable(tool + u" is missing: run scripts/deps.sh"_s));
        QVERIFY(m_server.binariesExist());
        QVERIFY(QFile::exists(fixture::binary(u"herald-desktop"_s)));
        QVERIFY(m_home.isValid());

        // Our own X server on a free display: Xvfb picks it and writes the number to stdout.
        m_xvfb.start(u"Xvfb"_s, {u"-displayfd"_s, u"1"_s, u"-screen"_s, u"0"_s, u"1280x800x24"_s,
                                 u"-nolisten"_s, u"tcp"_s});
        QVERIFY(m_xvfb.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(m_xvfb.canReadLine() || m_xvfb.state() != QProcess::Running,
                                 15000);
        const QByteArray number = m_xvfb.readLine().trimmed();
        QVERIFY2(!number.isEmpty(), m_xvfb.readAllStandardError().constData());
        m_display = u":"_s + QString::fromLatin1(number);

        // The tray host.
        m_trayer.setProcessEnvironment(x11Env());
        m_trayer.start(u"trayer"_s,
                       {u"--edge"_s, u"bottom"_s, u"--align"_s, u"right"_s, u"--widthtype"_s,
                        u"request"_s, u"--height"_s, u"28"_s, u"--transparent"_s, u"false"_s,
                        u"--tint"_s, u"0x333333"_s, u"--SetDockType"_s, u"true"_s});
        QVERIFY(m_trayer.waitForStarted(5000));

        // The server, with alice, bob, a room and a publishing service.
        const auto ctl = [this](const QStringList &args) { return m_server.ctl(args).has_value(); };
        QVERIFY(ctl({u"user"_s, u"add"_s, u"alice"_s, u"--display"_s, u"Alice Martin"_s,
                     u"--password"_s, u"password-a"_s}));
        QVERIFY(ctl({u"user"_s, u"add"_s, u"bob"_s, u"--display"_s, u"Bob Builder"_s,
                     u"--password"_s, u"password-b"_s}));
        QVERIFY(ctl({u"user"_s, u"add"_s, u"carol"_s, u"--display"_s, u"Carol Diaz"_s,
                     u"--password"_s, u"password-c"_s}));
        QVERIFY(ctl({u"room"_s, u"create"_s, u"general"_s, u"--title"_s, u"General"_s}));
        QVERIFY(ctl({u"room"_s, u"create"_s, u"ops"_s, u"--title"_s, u"Ops on call"_s}));
        for (const QString &user : {u"alice"_s, u"bob"_s, u"carol"_s})
            QVERIFY(ctl({u"room"_s, u"add-member"_s, u"general"_s, user}));
        QVERIFY(ctl({u"room"_s, u"add-member"_s, u"ops"_s, u"alice"_s}));
        QVERIFY(ctl({u"service"_s, u"add"_s, u"erp"_s}));
        m_serviceToken =
            m_server.ctl({u"token"_s, u"issue-service"_s, u"erp"_s}).value_or(QString());
        m_aliceToken = m_server.ctl({u"token"_s, u"issue"_s, u"alice"_s}).value_or(QString());
        m_bobToken = m_server.ctl({u"token"_s, u"issue"_s, u"bob"_s}).value_or(QString());
        QVERIFY(!m_serviceToken.isEmpty() && !m_aliceToken.isEmpty() && !m_bobToken.isEmpty());
        QVERIFY(m_server.start());
    }

    void toastApproveReachesServer()
    {
        startApp({});
        // Signed in: the main window is titled with the person's name.
        QVERIFY(!waitForWindows(u"^Herald — Alice Martin$"_s, 30000).isEmpty());

        // A notification arrives as a toast window.
        const qint64 id = publish(u"Order 42 needs approval"_s,
                                  u"ACME Corp, 3 items, 1,250.00 EUR. Requested by Bob Builder."_s,
                                  u"high"_s, true);
        QVERIFY(id > 0);
        // 40 s: the first toast window of a run on a loaded machine is slow to be mapped.
        const QStringList toast =
            waitForWindows(u"^Herald notification: Order 42 needs approval$"_s, 40000);
        QVERIFY2(!toast.isEmpty(), "no toast window for the published notification");
        const QRect g = geometry(toast.first());
        QVERIFY2(g.width() >= 300 && g.height() >= 100,
                 qPrintable(u"%1x%2"_s.arg(g.width()).arg(g.height())));
        QVERIFY(g.right() <= 1280 && g.bottom() <= 800); // on screen, in the corner
        QVERIFY(g.left() > 640 && g.top() > 400);
        QTest::qWait(500); // let it paint before the screenshot and the click
        screenshot(u"tray-and-toast"_s, true);

        // The Approve button: the first action, bottom-left of the card (see ToastCard.qml).
        QVERIFY(click(g.left() + 16 + 24, g.bottom() - 10 - 15));

        // The server recorded the action, by alice.
        QJsonObject resolved;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(resolved =
                  m_http
                      .send("GET", QUrl(m_server.url() + u"/api/v1/notifications/%1"_s.arg(id)), {},
                            m_serviceToken)
                      .json.value("resolved"_L1)
                      .toObject())
                 .isEmpty(),
            15000);
        QCOMPARE(resolved.value("action"_L1).toString(), u"approve"_s);
        QCOMPARE(resolved.value("by"_L1).toString(), u"alice"_s);
        // And the toast shows the outcome, then goes.
        QTRY_VERIFY_WITH_TIMEOUT(
            windows(u"^Herald notification: Order 42 needs approval$"_s).isEmpty(), 15000);
        const QByteArray output = m_app.readAll();
        QVERIFY2(!output.contains(m_aliceToken.toUtf8()), "the token was printed");
        // Log lines carry the time, like the server's: "2026-12-04T19:45:12.345 info herald...".
        const QList<QByteArray> lines = output.split('\n');
        bool stamped = false;
        for (const QByteArray &line : lines)
            if (line.contains("herald.connection"))
                stamped = QRegularExpression(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d"_s)
                              .match(QString::fromUtf8(line))
                              .hasMatch();
        QVERIFY2(stamped, output.constData());
    }

    void serviceRetractsAndResolves()
    {
        // Nothing unread (alice reads everything on another device): no badge on the tray icon.
        {
            Session other(nullptr);
            other.setRememberCredentials(false);
            QSignalSpy ready(&other, &Session::ready);
            other.connectWithToken(m_server.url(), m_aliceToken);
            QVERIFY(ready.wait(10000));
            other.notifications()->markAllRead();
            QTRY_COMPARE_WITH_TIMEOUT(other.unreadCount(), 0, 10000);
        }
        QTRY_VERIFY_WITH_TIMEOUT(badgePixels() == 0, 10000);
        const QString title = u"^Herald notification: Order 44 needs approval$"_s;
        const qint64 id = publish(u"Order 44 needs approval"_s, u"Initech, 2 items, 310.00 EUR."_s,
                                  u"normal"_s, true);
        QVERIFY(id > 0);
        QVERIFY(!waitForWindows(title, 20000).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(badgePixels() > 20, 10000); // the red "1"

        // The source withdraws it: the toast goes, and the tray count with it.
        const auto changeUrl = [this](qint64 n) {
            return QUrl(m_server.url() + u"/api/v1/notifications/%1"_s.arg(n));
        };
        QCOMPARE(m_http.send("DELETE", changeUrl(id), {}, m_serviceToken).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(windows(title).isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(badgePixels() == 0, 10000);

        // A request the source settles in its own system: the toast shows who and how in place
        // of its buttons (the screenshot), then leaves well before a high toast's 20 s.
        const QString poTitle = u"^Herald notification: Approve PO-1183\\?$"_s;
        const qint64 po =
            publish(u"Approve PO-1183?"_s, u"1 monitor, 240.00 EUR. Requested by Bob Builder."_s,
                    u"high"_s, true);
        QVERIFY(po > 0);
        QVERIFY(!waitForWindows(poTitle, 20000).isEmpty());
        QTest::qWait(500);
        QElapsedTimer settled;
        settled.start();
        QCOMPARE(m_http
                     .send("PATCH", changeUrl(po), {{u"resolved"_s, u"approved in SAP by bob"_s}},
                           m_serviceToken)
                     .status,
                 200);
        QTest::qWait(800); // the toast and the centre repaint
        screenshot(u"resolved-by-source"_s);
        QTRY_VERIFY_WITH_TIMEOUT(windows(poTitle).isEmpty(), 15000);
        QVERIFY2(settled.elapsed() < 15000, qPrintable(QString::number(settled.elapsed())));
        // Gone for good: the next tests start with nothing unread.
        QCOMPARE(m_http.send("DELETE", changeUrl(po), {}, m_serviceToken).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(badgePixels() == 0, 10000);
    }

    void burstOfOneThreadIsOneToast()
    {
        // Six alerts of one thread in a burst: one toast that counts up, and one entry in the
        // centre with the count and the newest title (the screenshot).
        const QString toastTitle = u"^Herald notification: Disk [0-9]+% full on db-2$"_s;
        for (int i = 0; i < 6; ++i) {
            QVERIFY(publish(u"Disk %1% full on db-2"_s.arg(91 + i), u"/var/lib/postgresql"_s,
                            u"high"_s, false, u"Monitoring"_s, u"disks"_s, u"db-2-disk"_s) > 0);
            QTest::qWait(150);
        }
        QVERIFY(
            !waitForWindows(u"^Herald notification: Disk 96% full on db-2$"_s, 20000).isEmpty());
        QTest::qWait(800); // the toast and the centre repaint
        QCOMPARE(windows(toastTitle).size(), 1);
        screenshot(u"grouped-toast"_s);
        // Read on another device: the toast goes, nothing is left unread for the next case.
        {
            Session other(nullptr);
            other.setRememberCredentials(false);
            QSignalSpy ready(&other, &Session::ready);
            other.connectWithToken(m_server.url(), m_aliceToken);
            QVERIFY(ready.wait(10000));
            other.notifications()->markThreadRead(u"erp"_s, u"db-2-disk"_s);
            QTRY_COMPARE_WITH_TIMEOUT(other.unreadCount(), 0, 10000);
        }
        QTRY_VERIFY_WITH_TIMEOUT(windows(toastTitle).isEmpty(), 15000);
    }

    void directMessageToastReplyReachesBob()
    {
        // Bob writes to alice: a toast with Reply pops up; she answers in it; bob gets it.
        Session bob(nullptr);
        bob.setRememberCredentials(false);
        QSignalSpy ready(&bob, &Session::ready);
        bob.connectWithToken(m_server.url(), m_bobToken);
        QVERIFY(ready.wait(10000));
        QSignalSpy opened(&bob, &Session::roomOpenRequested);
        bob.openDirectMessage(u"alice"_s);
        QVERIFY(opened.wait(10000));
        auto *dm = opened.at(0).at(0).value<ChatRoom *>();
        QVERIFY(dm);
        dm->send(u"Can you look at order 42?"_s);
        const QString title = u"^Herald notification: Bob Builder$"_s;
        const QStringList toast = waitForWindows(title, 40000);
        QVERIFY2(!toast.isEmpty(), "no toast window for bob's direct message");
        const QRect g = geometry(toast.first());
        QTest::qWait(500); // let it paint before the screenshot and the click
        screenshot(u"dm-toast"_s);

        // Reply: the first button, bottom-left of the card (see ToastCard.qml). The field takes
        // its place; with no window manager keys go to the window under the pointer.
        // (A point no earlier case clicked: --sync waits for the pointer to move.)
        QVERIFY(click(g.left() + 16 + 30, g.bottom() - 10 - 13));
        QTest::qWait(700);
        x(u"xdotool"_s, {u"type"_s, u"--delay"_s, u"30"_s, u"Looking at it now"_s});
        x(u"xdotool"_s, {u"key"_s, u"Return"_s});
        const auto received = [&] {
            const MessageModel *m = dm->messages();
            for (int i = 0; i < m->rowCount(); ++i)
                if (m->at(i).text == u"Looking at it now"_s && m->at(i).from == u"alice"_s)
                    return true;
            return false;
        };
        QVERIFY2(QTest::qWaitFor(received, 15000), "the reply typed into the toast never came");
        // The toast says it was sent, then goes.
        QTRY_VERIFY_WITH_TIMEOUT(windows(title).isEmpty(), 15000);
    }

    void trayClickOpensTheUnreadConversation()
    {
        // Bob writes to alice; her tray icon is clicked (left button): the DM opens.
        Session bob(nullptr);
        bob.setRememberCredentials(false);
        QSignalSpy ready(&bob, &Session::ready);
        bob.connectWithToken(m_server.url(), m_bobToken);
        QVERIFY(ready.wait(10000));
        QSignalSpy opened(&bob, &Session::roomOpenRequested);
        bob.openDirectMessage(u"alice"_s);
        QVERIFY(opened.wait(10000));
        auto *dm = opened.at(0).at(0).value<ChatRoom *>();
        QVERIFY(dm);
        QVERIFY(windows(u"^Herald — Bob Builder$"_s).isEmpty());
        dm->send(u"Are you free for a call at three?"_s);
        QTRY_VERIFY(dm->messages()->pending().isEmpty());
        QTest::qWait(1500); // the message reaches alice and her tray repaints

        // The tray icon sits in trayer's corner (bottom right). On a loaded machine the message
        // may reach alice's app after the first click (which then only shows the main window):
        // click again, a few times at most.
        QStringList chat;
        for (int attempt = 0; attempt < 3 && chat.isEmpty(); ++attempt) {
            QVERIFY(click(1266 - attempt, 786)); // another point each time: --sync waits for a move
            (void)QTest::qWaitFor(
                [&] { return !(chat = windows(u"^Herald — Bob Builder$"_s)).isEmpty(); }, 8000);
        }
        QVERIFY2(!chat.isEmpty(), "no conversation window after clicking the tray icon");
        x(u"xdotool"_s, {u"windowmove"_s, chat.first(), u"240"_s, u"90"_s});
        QTest::qWait(1500); // a new window's first frame takes a moment under Xvfb
        screenshot(u"tray-click-dm"_s);
        x(u"xdotool"_s, {u"windowclose"_s, chat.first()});
    }

    void screenshots()
    {
        if (qEnvironmentVariableIsEmpty("HERALD_SCREENSHOT_DIR"))
            QSKIP("set HERALD_SCREENSHOT_DIR to capture the documentation screenshots");
        // Bob is online and chatting; carol stays offline.
        Session bob(nullptr);
        bob.setRememberCredentials(false);
        QSignalSpy ready(&bob, &Session::ready);
        bob.connectWithToken(m_server.url(), m_bobToken);
        QVERIFY(ready.wait(10000));
        ChatRoom *general = bob.room(u"general"_s);
        QVERIFY(general);
        for (const QString &text :
             {u"Morning all! The ACME order is in."_s, u"Alice, can you approve it before noon?"_s})
            general->send(text);
        QTRY_VERIFY(general->messages()->pending().isEmpty());

        publish(u"Disk usage 91% on db-2"_s, u"/var/lib/postgresql is filling up."_s, u"normal"_s,
                false, u"Monitoring"_s, u"storage"_s);
        publish(u"Deploy of billing v2.3 finished"_s, u"All 14 checks passed."_s, u"low"_s, false,
                u"CI"_s, u"deployments"_s);
        publish(u"Order 43 needs approval"_s, u"Globex, 12 items, 9,800.00 EUR."_s, u"high"_s,
                true);
        QTest::qWait(1500);

        // The notification centre (main window), with the toasts still up.
        const QStringList main = windows(u"^Herald — Alice Martin$"_s);
        QVERIFY(!main.isEmpty());
        const QRect w = geometry(main.first());
        screenshot(u"notification-centre"_s);

        // The settings page (the switch at the foot of the sidebar), then back.
        QVERIFY(click(w.left() + 70, w.bottom() - 20));
        QTest::qWait(700);
        screenshot(u"settings"_s);
        QVERIFY(click(w.left() + 80, w.bottom() - 20)); // another point: --sync waits for a move
        QTest::qWait(500);

        // The tray menu, opened from the icon in trayer's corner: General has unread messages.
        QVERIFY(
            !x(u"xdotool"_s, {u"mousemove"_s, u"--sync"_s, u"1266"_s, u"786"_s, u"click"_s, u"3"_s})
                 .isNull());
        QTest::qWait(800);
        screenshot(u"tray-menu"_s);
        x(u"xdotool"_s, {u"key"_s, u"Escape"_s});
        QTest::qWait(300);

        // A chat window with presence: click the room in the sidebar.
        QVERIFY(click(w.left() + 70, w.top() + 122));
        QStringList chat;
        chat = waitForWindows(u"^Herald — General$"_s, 10000);
        QVERIFY2(!chat.isEmpty(), "no chat window for General");
        QTest::qWait(500);
        x(u"xdotool"_s, {u"windowmove"_s, chat.first(), u"200"_s, u"120"_s});
        QTest::qWait(300);
        // No window manager: keys go to the window under the pointer, so point at the composer.
        const QRect c = geometry(chat.first());
        QVERIFY(click(c.left() + 150, c.bottom() - 30));
        x(u"xdotool"_s, {u"type"_s, u"--delay"_s, u"30"_s, u"Approved, thanks Bob!"_s});
        x(u"xdotool"_s, {u"key"_s, u"Return"_s});
        QTest::qWait(800);
        general->send(u"Great, shipping it today."_s);
        QTest::qWait(300);
        general->userTyping();
        QTest::qWait(1000);
        screenshot(u"chat-window"_s);
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (int i = 0; i < general->messages()->rowCount(); ++i)
                    if (general->messages()->index(i).data(MessageModel::TextRole).toString() ==
                        u"Approved, thanks Bob!"_s)
                        return true;
                return false;
            },
            5000)); // what was typed in the real window reached bob

        // Mentions, an edit and reactions, as alice sees them: bob mentions her, then corrects
        // his message; both react to her answer.
        const auto seqOf = [general](const QString &text) {
            const MessageModel *m = general->messages();
            for (int i = m->rowCount() - 1; i >= 0; --i)
                if (m->index(i).data(MessageModel::TextRole).toString() == text)
                    return m->index(i).data(MessageModel::SeqRole).toLongLong();
            return qint64(0);
        };
        general->send(u"@alice the invoice is in the shared folder"_s);
        QTRY_VERIFY(seqOf(u"@alice the invoice is in the shared folder"_s) > 0);
        general->editMessage(seqOf(u"@alice the invoice is in the shared folder"_s),
                             u"@alice the invoice (#7781) is in the shared folder"_s);
        const qint64 answer = seqOf(u"Approved, thanks Bob!"_s);
        QVERIFY(answer > 0);
        general->toggleReaction(answer, u"🎉"_s);
        general->toggleReaction(answer, u"👍"_s);
        QTest::qWait(1500);
        screenshot(u"chat-mentions-reactions"_s);
        QTest::qWait(300);

        // Files: bob pastes a chart and sends a PDF; alice's window previews the image (her app
        // downloads it with her token) and shows the PDF as a chip.
        QImage chart(640, 400, QImage::Format_RGB32);
        chart.fill(Qt::white);
        {
            QPainter p(&chart);
            p.setRenderHint(QPainter::Antialiasing);
            const QList<int> bars{120, 190, 160, 260, 310};
            const QList<QColor> colours{QColor(0x2b, 0x6c, 0xb0), QColor(0x2f, 0x85, 0x5a),
                                        QColor(0xb7, 0x79, 0x1f), QColor(0x6b, 0x46, 0xc1),
                                        QColor(0xc6, 0x28, 0x28)};
            p.setPen(QPen(QColor(0x5d, 0x6b, 0x7e), 2));
            p.drawLine(60, 350, 600, 350);
            for (int i = 0; i < bars.size(); ++i)
                p.fillRect(QRect(90 + i * 100, 350 - bars.at(i), 60, bars.at(i)), colours.at(i));
        }
        FileUploader upload;
        upload.setRoom(general);
        QSignalSpy uploaded(&upload, &FileUploader::uploaded);
        QVERIFY(upload.uploadImage(chart, u"orders-by-month.png"_s, u"Orders by month"_s));
        QVERIFY(uploaded.wait(15000));
        QTemporaryDir pdfDir;
        QFile pdf(pdfDir.filePath(u"ACME-order-43.pdf"_s));
        QVERIFY(pdf.open(QIODevice::WriteOnly));
        pdf.write("%PDF-1.4\n" + QByteArray(180000, ' ') + "\n%%EOF\n");
        pdf.close();
        QVERIFY(upload.uploadFile(QUrl::fromLocalFile(pdf.fileName())));
        QVERIFY(uploaded.wait(15000));
        QTest::qWait(2500);
        screenshot(u"chat-files"_s);
        x(u"xdotool"_s, {u"windowclose"_s, chat.first()});
        QTest::qWait(500);

        // Search (Ctrl+K in the main window): the hits across rooms, the words in bold.
        QVERIFY(click(w.left() + w.width() / 2, w.top() + 200));
        x(u"xdotool"_s, {u"key"_s, u"ctrl+k"_s});
        QTest::qWait(500);
        x(u"xdotool"_s, {u"type"_s, u"--delay"_s, u"30"_s, u"invoice"_s});
        x(u"xdotool"_s, {u"key"_s, u"Return"_s});
        QTest::qWait(1500);
        screenshot(u"search"_s);
        x(u"xdotool"_s, {u"key"_s, u"Escape"_s});
        QTest::qWait(300);
    }

    void chineseScreenshots()
    {
        if (qEnvironmentVariableIsEmpty("HERALD_SCREENSHOT_DIR"))
            QSKIP("set HERALD_SCREENSHOT_DIR to capture the documentation screenshots");
        // The same person, the app started again on a desktop whose language is Chinese: it
        // follows the system's language (the settings can choose another; --language too).
        stopApp();
        startApp({}, u"zh_CN.UTF-8"_s);
        // Its titles are the same, but X's WM_NAME is now in the locale's encoding, which
        // xdotool matches byte by byte: match the dash as any text.
        QStringList main;
        main = waitForWindows(u"^Herald .+ Alice Martin$"_s, 30000);
        QVERIFY2(!main.isEmpty(), "no main window in Chinese");
        publish(u"采购单 PO-1186 需要审批"_s, u"深圳仓库，12 台显示器，合计 9,800.00 元。"_s,
                u"high"_s, true);
        QTest::qWait(1500);
        screenshot(u"notification-centre-zh"_s);
        const QRect w = geometry(main.first());
        QVERIFY(click(w.left() + 70, w.top() + 122)); // General, in the sidebar
        QStringList chat;
        chat = waitForWindows(u"^Herald .+ General$"_s, 10000);
        QVERIFY2(!chat.isEmpty(), "no chat window for General in Chinese");
        QTest::qWait(500);
        x(u"xdotool"_s, {u"windowmove"_s, chat.first(), u"200"_s, u"120"_s});
        QTest::qWait(800);
        screenshot(u"chat-window-zh"_s);
    }

    void cleanupTestCase()
    {
        for (QProcess *p : {&m_app, &m_trayer, &m_xvfb}) {
            if (p->state() == QProcess::NotRunning)
                continue;
            p->terminate();
            if (!p->waitForFinished(5000)) {
                p->kill();
                p->waitForFinished(3000);
            }
        }
        m_server.stop();
    }
};

QTEST_MAIN(TestE2eTray)
#include "tst_e2e_tray.moc"
