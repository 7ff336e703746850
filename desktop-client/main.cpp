// herald-desktop: parses the command line, creates the Session and loads the QML views.
#include "session.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(Herald_CorePlugin)
Q_IMPORT_QML_PLUGIN(Herald_DesktopPlugin)

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"Herald"_s);
    QApplication::setApplicationName(u"herald-desktop"_s);
    QApplication::setApplicationDisplayName(u"Herald"_s);
    QApplication::setApplicationVersion(QStringLiteral(HERALD_VERSION));
    QApplication::setDesktopFileName(u"herald-desktop"_s);
    // The tray keeps the app running with no window open; Main.qml quits when there is no tray.
    QApplication::setQuitOnLastWindowClosed(false);
    if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE"))
        QQuickStyle::setStyle(u"Fusion"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Herald: company notifications and chat"_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption serverOption(u"server"_s, u"Server URL (or $HERALD_SERVER)."_s,
                                          u"url"_s);
    const QCommandLineOption tokenOption(
        u"token"_s, u"Sign in with this token (or $HERALD_TOKEN)."_s, u"token"_s);
    const QCommandLineOption hiddenOption(u"hidden"_s, u"Start in the tray, without a window."_s);
    const QCommandLineOption caOption(
        u"ca-file"_s, u"Trust this PEM file of company CA certificates too (remembered)."_s,
        u"file"_s);
    parser.addOptions({serverOption, tokenOption, hiddenOption, caOption});
    parser.process(app);

    const QString server = parser.isSet(serverOption) ? parser.value(serverOption)
                                                      : qEnvironmentVariable("HERALD_SERVER");
    const QString token = parser.isSet(tokenOption) ? parser.value(tokenOption)
                                                    : qEnvironmentVariable("HERALD_TOKEN");
    // Programs we start (the browser for a notification's link) must not inherit it.
    qunsetenv("HERALD_TOKEN");

    Session session(nullptr);
    Session::setInstance(&session);
    QObject::connect(&session, &Session::soundRequested, &app, [] { QApplication::beep(); });
    if (parser.isSet(caOption))
        session.settings()->setCaFile(QFileInfo(parser.value(caOption)).absoluteFilePath());
    if (!server.isEmpty() && !token.isEmpty())
        session.connectWithToken(server, token); // the token is never printed
    else
        session.restore();

    QQmlApplicationEngine engine;
    engine.addImportPath(u"qrc:/qt/qml"_s);
    engine.setInitialProperties({{u"startHidden"_s, parser.isSet(hiddenOption)}});
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app,
        [] { QCoreApplication::exit(1); }, Qt::QueuedConnection);
    engine.load(QUrl(u"qrc:/qt/qml/Herald/Desktop/Main.qml"_s));
    return QApplication::exec();
}
