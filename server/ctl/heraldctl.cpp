// heraldctl: the admin CLI. Works on the data directory's database directly (the server need not
// run) and tells a running server about changes through its control socket.
#include "core/config.h"
#include "core/store.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QProcessEnvironment>
#include <QTextStream>

#include <cstdio>
#include <functional>
#include <termios.h>
#include <unistd.h>

using namespace herald;

namespace {

QTextStream out(stdout);
QTextStream err(stderr);

const char Usage[] = R"(Usage: heraldctl [--data-dir DIR | --config FILE] COMMAND ...

Users
  user add NAME [--display TEXT] [--password PW | --password-stdin]
  user list
  user passwd NAME [--password PW | --password-stdin]
  user disable NAME        closes the user's live connections (4004)
  user enable NAME
Tokens
  token issue USER [--label TEXT]   prints the token once; it is stored hashed
  token list USER
  token revoke ID                   closes connections that use it (4003)
Services (publishers) and webhooks
  service add NAME [--webhook URL] [--secret S]   a secret is generated when a webhook is set
  service list
  service webhook NAME URL [--secret S]
  token issue-service SERVICE [--label TEXT]
Rooms
  room create NAME [--title TEXT] [--private]
  room list
  room delete NAME
  room add-member ROOM USER
  room remove-member ROOM USER
Groups
  group create NAME | group delete NAME | group list
  group add GROUP USER | group remove GROUP USER
Sending and status (need a running server for live delivery)
  notify --to USER[,USER...] [--group G[,G...]] [--everyone] --title TEXT [--body TEXT]
         [--priority low|normal|high|urgent] [--action ID:LABEL]... [--link URL] [--category C]
  online                 who is online now
  status                 version, uptime, connections, online people

The data directory defaults to $HERALD_DATA_DIR, the data_dir of --config FILE (or of
/etc/herald/herald-server.conf when it exists and no --data-dir is given), or ./herald-data.
)";

struct Args
{
    QStringList positional;
    QHash<QString, QStringList> options;
    QSet<QString> flags;
    [[nodiscard]] QString opt(const char *name) const
    {
        return options.value(QString::fromLatin1(name)).value(0);
    }
    [[nodiscard]] bool has(const char *name) const
    {
        return flags.contains(QString::fromLatin1(name)) ||
               options.contains(QString::fromLatin1(name));
    }
};

int usageError(const QString &message)
{
    err << "heraldctl: " << message << "\nRun 'heraldctl --help' for the commands.\n";
    err.flush();
    return 2;
}

int fail(const QString &message)
{
    err << "heraldctl: " << message << '\n';
    err.flush();
    return 1;
}

int fail(const StoreError &e)
{
    return fail(e.message);
}

QString readPassword(const Args &a, bool required, bool *ok)
{
    *ok = true;
    if (a.options.contains(QStringLiteral("password")))
        return a.opt("password");
    if (!a.flags.contains(QStringLiteral("password-stdin"))) {
        *ok = !required;
        return {};
    }
    termios old{};
    const bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        err << "Password: ";
        err.flush();
    }
    QTextStream in(stdin);
    const QString pw = in.readLine();
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        err << '\n';
    }
    return pw;
}

/** Sends one command to a running server; returns its answer, or an empty object if none runs. */
QJsonObject control(const QString &dataDir, const QJsonObject &cmd, bool *reached)
{
    QLocalSocket s;
    s.connectToServer(QDir(dataDir).absoluteFilePath(QStringLiteral("herald.sock")));
    *reached = s.waitForConnected(1000);
    if (!*reached)
        return {};
    s.write(QJsonDocument(cmd).toJson(QJsonDocument::Compact) + '\n');
    s.flush();
    QByteArray line;
    while (!line.endsWith('\n') && (s.bytesAvailable() || s.waitForReadyRead(10000)))
        line += s.readAll();
    return QJsonDocument::fromJson(line).object();
}

void tellServer(const QString &dataDir)
{
    bool reached = false;
    control(dataDir, {{QStringLiteral("cmd"), QStringLiteral("reload")}}, &reached);
}

QString formatTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(Qt::ISODate);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("heraldctl"));
    QStringList raw = app.arguments().mid(1);
    if (raw.isEmpty() || raw.contains(QStringLiteral("--help")) ||
        raw.contains(QStringLiteral("-h"))) {
        out << Usage;
        out.flush();
        return raw.isEmpty() ? 2 : 0;
    }
    if (raw.contains(QStringLiteral("--version"))) {
        out << "heraldctl " << HERALD_VERSION << '\n';
        return 0;
    }
    static const QSet<QString> valued{
        QStringLiteral("data-dir"), QStringLiteral("config"), QStringLiteral("display"),
        QStringLiteral("password"), QStringLiteral("label"),  QStringLiteral("webhook"),
        QStringLiteral("secret"),   QStringLiteral("title"),  QStringLiteral("to"),
        QStringLiteral("group"),    QStringLiteral("body"),   QStringLiteral("priority"),
        QStringLiteral("action"),   QStringLiteral("link"),   QStringLiteral("category")};
    static const QSet<QString> booleans{QStringLiteral("private"), QStringLiteral("everyone"),
                                        QStringLiteral("password-stdin")};
    Args a;
    for (qsizetype i = 0; i < raw.size(); ++i) {
        const QString &w = raw[i];
        if (!w.startsWith(QLatin1String("--"))) {
            a.positional << w;
            continue;
        }
        QString name = w.mid(2);
        QString value;
        const qsizetype eq = name.indexOf(QLatin1Char('='));
        if (eq > 0) {
            value = name.mid(eq + 1);
            name = name.left(eq);
        }
        if (booleans.contains(name)) {
            a.flags.insert(name);
        } else if (valued.contains(name)) {
            if (eq < 0) {
                if (i + 1 >= raw.size())
                    return usageError(QStringLiteral("--%1 needs a value").arg(name));
                value = raw[++i];
            }
            a.options[name] << value;
        } else {
            return usageError(QStringLiteral("unknown option --%1").arg(name));
        }
    }

    Config config;
    config.dataDir = QProcessEnvironment::systemEnvironment().value(
        QStringLiteral("HERALD_DATA_DIR"), QStringLiteral("herald-data"));
    // On a packaged install, the server's config tells where the data is.
    const QString packagedConfig = QStringLiteral("/etc/herald/herald-server.conf");
    if (!a.has("config") && !a.has("data-dir") && !qEnvironmentVariableIsSet("HERALD_DATA_DIR") &&
        QFileInfo(packagedConfig).isReadable())
        a.options[QStringLiteral("config")] << packagedConfig;
    if (a.has("config"))
        if (QString e = config.loadFile(a.opt("config")); !e.isEmpty())
            return fail(e);
    if (a.has("data-dir"))
        config.dataDir = a.opt("data-dir");
    const QString dir = config.dataDir;
    const QStringList &p = a.positional;
    if (p.isEmpty())
        return usageError(QStringLiteral("no command given"));
    const QString group = p.value(0);
    const QString verb = p.value(1);
    auto need = [&](qsizetype n, const char *what) -> bool {
        if (p.size() < n) {
            usageError(
                QStringLiteral("'%1 %2' needs %3").arg(group, verb, QString::fromLatin1(what)));
            return false;
        }
        if (p.size() > n) {
            usageError(QStringLiteral("'%1 %2' got unexpected argument '%3'")
                           .arg(group, verb, p.value(n)));
            return false;
        }
        return true;
    };

    // Commands that only talk to the running server.
    if (group == QLatin1String("online") || group == QLatin1String("status")) {
        bool reached = false;
        const QJsonObject r =
            control(dir, {{QStringLiteral("cmd"), QStringLiteral("status")}}, &reached);
        if (!reached)
            return fail(QStringLiteral("no server is running on %1 (no control socket)").arg(dir));
        if (group == QLatin1String("online")) {
            for (const QJsonValue &u : r.value(QLatin1String("users")).toArray())
                out << u.toString() << '\n';
            out << r.value(QLatin1String("online")).toInt() << " online\n";
        } else {
            out << "version      " << r.value(QLatin1String("version")).toString() << '\n'
                << "uptime       " << r.value(QLatin1String("uptime")).toInteger() << " s\n"
                << "connections  " << r.value(QLatin1String("connections")).toInt() << '\n'
                << "online       " << r.value(QLatin1String("online")).toInt() << '\n';
        }
        return 0;
    }

    Store st;
    if (auto e =
            st.open(config)) // SQLite in --data-dir, or the cluster's PostgreSQL (storage=postgres)
        return fail(e->message);
    bool changed = true;
    int rc = 0;

    if (group == QLatin1String("user")) {
        if (verb == QLatin1String("add")) {
            if (!need(3, "a NAME"))
                return 2;
            bool ok = false;
            const QString pw = readPassword(a, false, &ok);
            if (!pw.isEmpty() && pw.size() < 8)
                return fail(QStringLiteral("password must have at least 8 characters"));
            auto r = st.createUser(p[2], a.opt("display"), pw);
            if (auto *e = std::get_if<StoreError>(&r))
                return fail(*e);
            out << "created user " << p[2] << '\n';
        } else if (verb == QLatin1String("list")) {
            changed = false;
            if (!need(2, "nothing more"))
                return 2;
            for (const UserRow &u : st.users())
                out << u.name << '\t' << u.display << (u.disabled ? "\tdisabled" : "") << '\n';
        } else if (verb == QLatin1String("passwd")) {
            if (!need(3, "a NAME"))
                return 2;
            bool ok = false;
            const QString pw = readPassword(a, true, &ok);
            if (!ok)
                return usageError(QStringLiteral("give --password PW or --password-stdin"));
            if (auto e = st.setPassword(p[2], pw))
                return fail(*e);
            out << "password set for " << p[2] << '\n';
        } else if (verb == QLatin1String("disable") || verb == QLatin1String("enable")) {
            if (!need(3, "a NAME"))
                return 2;
            if (auto e = st.setDisabled(p[2], verb == QLatin1String("disable")))
                return fail(*e);
            out << verb << "d " << p[2] << '\n';
        } else {
            return usageError(QStringLiteral("unknown command 'user %1'").arg(verb));
        }
    } else if (group == QLatin1String("token")) {
        if (verb == QLatin1String("issue") || verb == QLatin1String("issue-service")) {
            if (!need(3, verb == QLatin1String("issue") ? "a USER" : "a SERVICE"))
                return 2;
            qint64 userId = 0, serviceId = 0;
            if (verb == QLatin1String("issue")) {
                const auto u = st.user(p[2]);
                if (!u)
                    return fail(QStringLiteral("no user '%1'").arg(p[2]));
                userId = u->id;
            } else {
                for (const QJsonValue &v : st.services())
                    if (v.toObject().value(QLatin1String("name")).toString() == p[2])
                        serviceId = v.toObject().value(QLatin1String("id")).toInteger();
                if (!serviceId)
                    return fail(
                        QStringLiteral("no service '%1' (create it with 'service add')").arg(p[2]));
            }
            auto t = st.issueToken(userId, serviceId,
                                   userId ? QStringLiteral("user") : QStringLiteral("service"),
                                   a.opt("label"));
            if (auto *e = std::get_if<StoreError>(&t))
                return fail(*e);
            out << std::get<QString>(t) << '\n';
            err << "This token is shown once; Herald keeps only its hash.\n";
        } else if (verb == QLatin1String("list")) {
            changed = false;
            if (!need(3, "a USER"))
                return 2;
            const auto u = st.user(p[2]);
            if (!u)
                return fail(QStringLiteral("no user '%1'").arg(p[2]));
            for (const TokenRow &t : st.tokens(u->id, 0))
                out << t.id << '\t' << t.kind << '\t' << formatTime(t.createdAt) << '\t'
                    << (t.revoked ? "revoked" : "active") << '\t' << t.label << '\n';
        } else if (verb == QLatin1String("revoke")) {
            if (!need(3, "a token ID"))
                return 2;
            bool ok = false;
            const qint64 id = p[2].toLongLong(&ok);
            if (!ok)
                return usageError(
                    QStringLiteral("token ID must be a number (see 'token list USER')"));
            if (auto e = st.revokeToken(id))
                return fail(*e);
            out << "revoked token " << id << '\n';
        } else {
            return usageError(QStringLiteral("unknown command 'token %1'").arg(verb));
        }
    } else if (group == QLatin1String("service")) {
        if (verb == QLatin1String("add") || verb == QLatin1String("webhook")) {
            const bool add = verb == QLatin1String("add");
            if (!need(add ? 3 : 4, add ? "a NAME" : "a NAME and a URL"))
                return 2;
            const QString url = add ? a.opt("webhook") : p[3];
            if (!url.isEmpty()) {
                const QUrl u(url, QUrl::StrictMode);
                if (!u.isValid() ||
                    (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")))
                    return fail(QStringLiteral("webhook must be an http or https URL"));
            }
            QString secret = a.opt("secret");
            const bool generated = secret.isEmpty() && !url.isEmpty();
            if (generated)
                secret = QString::fromLatin1(crypto::randomBytes(32).toHex());
            if (add) {
                auto r = st.createService(p[2], url, secret);
                if (auto *e = std::get_if<StoreError>(&r))
                    return fail(*e);
                out << "created service " << p[2] << '\n';
            } else {
                if (auto e = st.setWebhook(p[2], url, secret))
                    return fail(*e);
                out << "webhook set for " << p[2] << '\n';
            }
            if (generated)
                out << "webhook secret (shown once): " << secret << '\n';
        } else if (verb == QLatin1String("list")) {
            changed = false;
            if (!need(2, "nothing more"))
                return 2;
            for (const QJsonValue &v : st.services()) {
                const QJsonObject o = v.toObject();
                out << o.value(QLatin1String("name")).toString() << '\t'
                    << o.value(QLatin1String("webhook")).toString()
                    << (o.value(QLatin1String("signed")).toBool() ? "\tsigned" : "") << '\n';
            }
        } else {
            return usageError(QStringLiteral("unknown command 'service %1'").arg(verb));
        }
    } else if (group == QLatin1String("room")) {
        if (verb == QLatin1String("create")) {
            if (!need(3, "a NAME"))
                return 2;
            auto r = st.createRoom(p[2], a.opt("title"),
                                   a.has("private") ? QStringLiteral("private")
                                                    : QStringLiteral("public"));
            if (auto *e = std::get_if<StoreError>(&r))
                return fail(*e);
            out << "created room " << p[2] << '\n';
        } else if (verb == QLatin1String("list")) {
            changed = false;
            if (!need(2, "nothing more"))
                return 2;
            for (const RoomRow &r : st.rooms())
                out << r.name << '\t' << r.kind << '\t' << r.members.size() << " members\t"
                    << r.lastSeq << " messages\t" << r.title << '\n';
        } else if (verb == QLatin1String("delete")) {
            if (!need(3, "a NAME"))
                return 2;
            if (auto e = st.deleteRoom(p[2]))
                return fail(*e);
            out << "deleted room " << p[2] << '\n';
        } else if (verb == QLatin1String("add-member") || verb == QLatin1String("remove-member")) {
            if (!need(4, "a ROOM and a USER"))
                return 2;
            const auto r = st.room(p[2]);
            if (!r)
                return fail(QStringLiteral("no room '%1'").arg(p[2]));
            const auto u = st.user(p[3]);
            if (!u)
                return fail(QStringLiteral("no user '%1'").arg(p[3]));
            const bool add = verb == QLatin1String("add-member");
            if (auto e = add ? st.addMember(r->id, u->id) : st.removeMember(r->id, u->id))
                return fail(*e);
            out << (add ? "added " : "removed ") << p[3] << (add ? " to " : " from ") << p[2]
                << '\n';
        } else {
            return usageError(QStringLiteral("unknown command 'room %1'").arg(verb));
        }
    } else if (group == QLatin1String("group")) {
        if (verb == QLatin1String("create") || verb == QLatin1String("delete")) {
            if (!need(3, "a NAME"))
                return 2;
            if (verb == QLatin1String("create")) {
                auto r = st.createGroup(p[2]);
                if (auto *e = std::get_if<StoreError>(&r))
                    return fail(*e);
            } else if (auto e = st.deleteGroup(p[2])) {
                return fail(*e);
            }
            out << verb << "d group " << p[2] << '\n';
        } else if (verb == QLatin1String("add") || verb == QLatin1String("remove")) {
            if (!need(4, "a GROUP and a USER"))
                return 2;
            if (auto e = st.setGroupMember(p[2], p[3], verb == QLatin1String("add")))
                return fail(*e);
            out << (verb == QLatin1String("add") ? "added " : "removed ") << p[3] << " in " << p[2]
                << '\n';
        } else if (verb == QLatin1String("list")) {
            changed = false;
            if (!need(2, "nothing more"))
                return 2;
            for (const QJsonValue &v : st.groups())
                out << v.toObject().value(QLatin1String("name")).toString() << '\t'
                    << v.toObject().value(QLatin1String("members")).toInteger() << " members\n";
        } else {
            return usageError(QStringLiteral("unknown command 'group %1'").arg(verb));
        }
    } else if (group == QLatin1String("notify")) {
        changed = false;
        if (p.size() != 1)
            return usageError(QStringLiteral("notify takes only options"));
        QJsonObject payload{{QStringLiteral("title"), a.opt("title")},
                            {QStringLiteral("body"), a.opt("body")},
                            {QStringLiteral("priority"),
                             a.has("priority") ? a.opt("priority") : QStringLiteral("normal")},
                            {QStringLiteral("category"), a.opt("category")},
                            {QStringLiteral("link"), a.opt("link")}};
        if (a.opt("title").isEmpty())
            return usageError(QStringLiteral("notify needs --title"));
        static const QStringList prios{QStringLiteral("low"), QStringLiteral("normal"),
                                       QStringLiteral("high"), QStringLiteral("urgent")};
        if (!prios.contains(payload.value(QLatin1String("priority")).toString()))
            return usageError(QStringLiteral("--priority must be low, normal, high or urgent"));
        QJsonArray actions;
        for (const QString &spec : a.options.value(QStringLiteral("action"))) {
            const qsizetype colon = spec.indexOf(QLatin1Char(':'));
            if (colon <= 0)
                return usageError(QStringLiteral("--action wants ID:LABEL, e.g. approve:Approve"));
            actions.append(QJsonObject{{QStringLiteral("id"), spec.left(colon)},
                                       {QStringLiteral("label"), spec.mid(colon + 1)}});
        }
        payload.insert(QStringLiteral("actions"), actions);
        QJsonArray users, groups;
        for (const QString &u : a.opt("to").split(QLatin1Char(','), Qt::SkipEmptyParts))
            users.append(u.trimmed());
        for (const QString &g : a.opt("group").split(QLatin1Char(','), Qt::SkipEmptyParts))
            groups.append(g.trimmed());
        if (users.isEmpty() && groups.isEmpty() && !a.has("everyone"))
            return usageError(QStringLiteral("notify needs --to, --group or --everyone"));
        bool reached = false;
        const QJsonObject r = control(dir,
                                      {{QStringLiteral("cmd"), QStringLiteral("publish")},
                                       {QStringLiteral("payload"), payload},
                                       {QStringLiteral("users"), users},
                                       {QStringLiteral("groups"), groups},
                                       {QStringLiteral("everyone"), a.has("everyone")}},
                                      &reached);
        if (reached) {
            if (r.contains(QLatin1String("error")))
                return fail(r.value(QLatin1String("message")).toString());
            out << "sent notification " << r.value(QLatin1String("id")).toInteger() << " to "
                << r.value(QLatin1String("recipients")).toInteger() << " people\n";
        } else {
            // No server running: store it; recipients find it in their backlog when they connect.
            qint64 serviceId = 0;
            for (const QJsonValue &v : st.services())
                if (v.toObject().value(QLatin1String("name")).toString() ==
                    QLatin1String("heraldctl"))
                    serviceId = v.toObject().value(QLatin1String("id")).toInteger();
            st.begin();
            if (!serviceId) {
                auto s = st.createService(QStringLiteral("heraldctl"), QString(), QString());
                serviceId = std::get<qint64>(s);
            }
            Recipients to;
            for (const QJsonValue &u : users)
                to.users << u.toString();
            for (const QJsonValue &g : groups)
                to.groups << g.toString();
            to.everyone = a.has("everyone");
            auto pr = st.publish(serviceId, payload, to, QDateTime::currentMSecsSinceEpoch());
            if (auto *e = std::get_if<StoreError>(&pr)) {
                st.rollback();
                return fail(*e);
            }
            st.commit();
            out << "stored notification " << std::get<PublishResult>(pr).id << " for "
                << std::get<PublishResult>(pr).userIds.size() << " people (no server running)\n";
        }
    } else {
        return usageError(QStringLiteral("unknown command '%1'").arg(group));
    }
    st.close();
    if (changed)
        tellServer(dir);
    out.flush();
    return rc;
}
