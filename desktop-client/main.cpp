// herald-desktop: parses the command line, creates the Session and loads the QML views.
#include "session.h"
#include "soundplayer.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QTranslator>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(Herald_CorePlugin)
Q_IMPORT_QML_PLUGIN(Herald_DesktopPlugin)

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    // Log lines as the server writes them: time, level, category, then the sentence.
    qSetMessagePattern(
        u"%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}debug%{endif}%{if-info}info%{endif}"
        "%{if-warning}warning%{endif}%{if-critical}error%{endif}%{if-fatal}fatal%{endif}"
        " %{category}: %{message}"_s);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"Herald"_s);
    QApplication::setApplicationName(u"herald-desktop"_s);
    // No application display name: Qt would append " — Herald" to every window title, which
    // already says Herald once ("Herald — Alice Martin").
    QApplication::setApplicationVersion(QStringLiteral(HERALD_VERSION));
    QApplication::setDesktopFileName(u"herald-desktop"_s);
    // The tray keeps the app running with no window open; Main.qml quits when there is no tray.
    QApplication::setQuitOnLastWindowClosed(false);
    if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE"))
        QQuickStyle::setStyle(u"Fusion"_s);

    // --help in the system's language too (the Session applies the settings' choice below).
    QTranslator early;
    if (early.load(u":/i18n/herald_%1.qm"_s.arg(Language::catalogueFor(QLocale::system()))))
        QCoreApplication::installTranslator(&early);
    const auto translated = [](const char *text) {
        return QCoreApplication::translate("main", text);
    };

    QCommandLineParser parser;
    parser.setApplicationDescription(
        translated(QT_TRANSLATE_NOOP("main", "Herald: company notifications and chat")));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption serverOption(
        u"server"_s, translated(QT_TRANSLATE_NOOP("main", "Server URL (or $HERALD_SERVER).")),
        u"url"_s);
    const QCommandLineOption tokenOption(
        u"token"_s,
        translated(QT_TRANSLATE_NOOP("main", "Sign in with this token (or $HERALD_TOKEN).")),
        u"token"_s);
    const QCommandLineOption hiddenOption(
        u"hidden"_s, translated(QT_TRANSLATE_NOOP("main", "Start in the tray, without a window.")));
    const QCommandLineOption languageOption(
        u"language"_s,
        translated(QT_TRANSLATE_NOOP(
            "main", "Interface language: en or zh_CN (remembered; default: the system's).")),
        u"code"_s);
    const QCommandLineOption caOption(
        u"ca-file"_s,
        translated(QT_TRANSLATE_NOOP(
            "main", "Trust this PEM file of company CA certificates too (remembered).")),
        u"file"_s);
    parser.addOptions({serverOption, tokenOption, hiddenOption, caOption, languageOption});
    parser.process(app);

    const QString server = parser.isSet(serverOption) ? parser.value(serverOption)
                                                      : qEnvironmentVariable("HERALD_SERVER");
    const QString token = parser.isSet(tokenOption) ? parser.value(tokenOption)
                                                    : qEnvironmentVariable("HERALD_TOKEN");
    // Programs we start (the browser for a notification's link) must not inherit it.
    qunsetenv("HERALD_TOKEN");

    Session session(nullptr); // installs the catalogue the settings ask for
    QCoreApplication::removeTranslator(&early);
    Session::setInstance(&session);
    if (parser.isSet(languageOption))
        session.language()->setChoice(parser.value(languageOption));
    SoundPlayer sound;
    QObject::connect(&session, &Session::soundRequested, &sound, &SoundPlayer::play);
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
