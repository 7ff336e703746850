// herald-server: the headless daemon. Thin: configuration, signals, logging; the rest is Server.
#include "net/server.h"

#include "core/database.h"
#include "core/hub.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QProcessEnvironment>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcMain, "herald.server")

namespace {
int g_signalFd[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFd[0], &c, 1);
}

void setLogLevel(const QString &level)
{
    QString rules =
        QStringLiteral("*.debug=false\nqt.*=false\nqt.*.warning=true\nqt.*.critical=true\n");
    if (level == QLatin1String("debug"))
        rules = QStringLiteral("herald.*.debug=true\nqt.*.debug=false\n");
    else if (level == QLatin1String("warning"))
        rules += QStringLiteral("herald.*.info=false\n");
    else if (level == QLatin1String("error"))
        rules += QStringLiteral("herald.*.info=false\nherald.*.warning=false\n");
    QLoggingCategory::setFilterRules(rules);
}

/** Creates the demo user and a service for the README's run command; secrets go to 0600 files. */
QString makeDemo(const herald::Config &config, const QString &name)
{
    herald::Store st;
    const QString &dataDir = config.dataDir;
    if (auto e = st.open(config))
        return e->message;
    const QString tokenFile = QDir(dataDir).filePath(QStringLiteral("demo-token"));
    const QString serviceFile = QDir(dataDir).filePath(QStringLiteral("demo-service-token"));
    if (QFile::exists(tokenFile) && QFile::exists(serviceFile) && st.user(name))
        return {};
    st.begin();
    auto user = st.user(name);
    qint64 userId = user ? user->id : 0;
    if (!user) {
        auto r = st.createUser(name, name.left(1).toUpper() + name.mid(1),
                               QStringLiteral("herald-demo"));
        if (auto *e = std::get_if<herald::StoreError>(&r))
            return e->message;
        userId = std::get<qint64>(r);
    }
    auto room = st.room(QStringLiteral("general"));
    qint64 roomId = room ? room->id : 0;
    if (!room) {
        auto r = st.createRoom(QStringLiteral("general"), QStringLiteral("General"),
                               QStringLiteral("public"));
        roomId = std::get<qint64>(r);
    }
    st.addMember(roomId, userId);
    qint64 serviceId = 0;
    for (const herald::ServiceRow &s : st.services())
        if (s.name == QLatin1String("demo"))
            serviceId = s.id;
    if (!serviceId)
        serviceId =
            std::get<qint64>(st.createService(QStringLiteral("demo"), QString(), QString()));
    const auto token = st.issueToken(userId, 0, QStringLiteral("user"), QStringLiteral("demo"));
    const auto service =
        st.issueToken(0, serviceId, QStringLiteral("service"), QStringLiteral("demo"));
    st.commit();
    for (const auto &[path, value] : {std::pair{tokenFile, std::get<QString>(token)},
                                      std::pair{serviceFile, std::get<QString>(service)}}) {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return QStringLiteral("cannot write %1").arg(path);
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        f.write(value.toUtf8() + '\n');
    }
    return {};
}
} // namespace

int main(int argc, char **argv)
{
    // Qt's own UNIX event dispatcher, not GLib's: GLib's unregisters socket notifiers by walking
    // a list of all of them, which made every socket write O(connections) (docs/performance.md).
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("herald-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HERALD_VERSION));
    qSetMessagePattern(QStringLiteral(
        "%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}debug%{endif}%{if-info}info%{endif}"
        "%{if-warning}warning%{endif}%{if-critical}error%{endif}%{if-fatal}fatal%{endif}"
        " %{category}: %{message}"));

    QCommandLineParser cli;
    cli.setApplicationDescription(
        QStringLiteral("Herald notification and chat server: WebSocket (/ws) and HTTP API "
                       "(/api/v1, /healthz) on one port.\n"
                       "Settings: defaults < --config file ([server] group) < HERALD_<KEY> "
                       "environment < flags.\n"
                       "Keys: ") +
        herald::Config::keys().join(QStringLiteral(", ")));
    cli.addHelpOption();
    cli.addVersionOption();
    const QCommandLineOption configOpt(
        QStringLiteral("config"), QStringLiteral("Config file (INI)."), QStringLiteral("file"));
    const QCommandLineOption dataOpt(
        QStringLiteral("data-dir"),
        QStringLiteral("Data directory (SQLite database, control socket)."), QStringLiteral("dir"));
    const QCommandLineOption listenOpt(QStringLiteral("listen"),
                                       QStringLiteral("Address to listen on (default 0.0.0.0)."),
                                       QStringLiteral("address"));
    const QCommandLineOption portOpt(QStringLiteral("port"),
                                     QStringLiteral("Port (default 8470; 0 picks a free one)."),
                                     QStringLiteral("port"));
    const QCommandLineOption setOpt(
        QStringLiteral("set"),
        QStringLiteral("Set any config key, e.g. --set heartbeat_interval=10."),
        QStringLiteral("key=value"));
    const QCommandLineOption demoOpt(
        QStringLiteral("demo"),
        QStringLiteral(
            "Create a demo user NAME (token in <data_dir>/demo-token) and a demo service."),
        QStringLiteral("name"));
    cli.addOptions({configOpt, dataOpt, listenOpt, portOpt, setOpt, demoOpt});
    cli.process(app);

    herald::Config config;
    const QString stateDir =
        QProcessEnvironment::systemEnvironment().value(QStringLiteral("STATE_DIRECTORY"));
    config.dataDir = stateDir.isEmpty() ? QStringLiteral("herald-data")
                                        : stateDir.split(QLatin1Char(':')).first();
    auto fail = [](const QString &msg) {
        std::fprintf(stderr, "herald-server: %s\n", qPrintable(msg));
        return 2;
    };
    if (cli.isSet(configOpt))
        if (QString e = config.loadFile(cli.value(configOpt)); !e.isEmpty())
            return fail(e);
    if (QString e = config.loadEnvironment(); !e.isEmpty())
        return fail(e);
    const std::pair<QCommandLineOption, const char *> flags[] = {
        {dataOpt, "data_dir"}, {listenOpt, "listen"}, {portOpt, "port"}};
    for (const auto &[opt, key] : flags)
        if (cli.isSet(opt))
            if (QString e = config.set(QString::fromLatin1(key), cli.value(opt)); !e.isEmpty())
                return fail(e);
    for (const QString &kv : cli.values(setOpt)) {
        const qsizetype eq = kv.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return fail(QStringLiteral("--set wants key=value, not '%1'").arg(kv));
        if (QString e = config.set(kv.left(eq), kv.mid(eq + 1)); !e.isEmpty())
            return fail(e);
    }
    setLogLevel(config.logLevel);
    if (cli.isSet(demoOpt))
        if (QString e = makeDemo(config, cli.value(demoOpt)); !e.isEmpty())
            return fail(e);

    herald::Server server(config);
    if (QString e = server.start(); !e.isEmpty())
        return fail(e);
    std::printf("herald-server: listening on %s:%u\n", qPrintable(config.listen), server.port());
    // The browser client is served at / on the same port (server/net/webclient.h).
    const QString host =
        config.listen == QLatin1String("0.0.0.0") || config.listen == QLatin1String("::")
            ? QStringLiteral("127.0.0.1")
        : config.listen.contains(QLatin1Char(':'))
            ? QLatin1Char('[') + config.listen + QLatin1Char(']')
            : config.listen;
    std::printf("herald-server: open %s://%s:%u/ in a browser for the web client\n",
                config.tlsCert.isEmpty() ? "http" : "https", qPrintable(host), server.port());
    std::fflush(stdout);

    // SIGTERM/SIGINT through a socketpair, so the handler only writes a byte.
    ::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFd);
    QSocketNotifier notifier(g_signalFd[1], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&] {
        char c;
        [[maybe_unused]] const auto n = ::read(g_signalFd[1], &c, 1);
        notifier.setEnabled(false);
        qCInfo(lcMain) << "shutting down";
        server.hub()->closeAll(1001, QStringLiteral("server shutting down"));
        // Give close frames a moment to leave, then flush storage and exit.
        QElapsedTimer t;
        t.start();
        while (server.hub()->connectionCount() > 0 && t.elapsed() < 2000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        server.stop();
        QCoreApplication::exit(0);
    });
    struct sigaction sa = {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    return app.exec();
}
