// heraldctl: the admin CLI. Works on the data directory's database directly (the server need not
// run) and tells a running server about changes through its control socket.
//
// Each command is a row of the table below (group, verb, its --help line, what it needs, its
// handler); main() parses the options, finds the row, checks the word count, opens the store
// and runs the handler.
#include "core/config.h"
#include "core/store.h"
#include "ctl.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QProcessEnvironment>

using namespace herald;
using namespace herald::ctl;

namespace {

const char UsageHead[] = "Usage: heraldctl [--data-dir DIR | --config FILE] COMMAND ...\n";
const char UsageTail[] =
    R"(The data directory defaults to $HERALD_DATA_DIR, the data_dir of --config FILE (or of
/etc/herald/herald-server.conf when it exists and no --data-dir is given), or ./herald-data.
)";

const char Nothing[] = "nothing more";

// clang-format off
const Command Commands[] = {
    {.group = "user", .verb = "add",
     .usage = "user add NAME [--display TEXT] [--password PW | --password-stdin]",
     .uses = Uses::Changes, .run = userAdd, .words = 3, .operands = "a NAME", .section = "Users"},
    {.group = "user", .verb = "list", .usage = "user list",
     .uses = Uses::Store, .run = userList, .words = 2, .operands = Nothing},
    {.group = "user", .verb = "passwd",
     .usage = "user passwd NAME [--password PW | --password-stdin]",
     .uses = Uses::Changes, .run = userPasswd, .words = 3, .operands = "a NAME"},
    {.group = "user", .verb = "disable",
     .usage = "user disable NAME        closes the user's live connections (4004)",
     .uses = Uses::Changes, .run = userDisable, .words = 3, .operands = "a NAME"},
    {.group = "user", .verb = "enable", .usage = "user enable NAME",
     .uses = Uses::Changes, .run = userEnable, .words = 3, .operands = "a NAME"},

    {.group = "token", .verb = "issue",
     .usage = "token issue USER [--label TEXT]   prints the token once; it is stored hashed",
     .uses = Uses::Changes, .run = tokenIssue, .words = 3, .operands = "a USER",
     .section = "Tokens"},
    {.group = "token", .verb = "list",
     .usage = "token list USER                   each token: last used, from where, active/expired",
     .uses = Uses::Store, .run = tokenList, .words = 3, .operands = "a USER"},
    {.group = "token", .verb = "revoke",
     .usage = "token revoke ID                   closes connections that use it (4003)",
     .uses = Uses::Changes, .run = tokenRevoke, .words = 3, .operands = "a token ID"},

    {.group = "service", .verb = "add",
     .usage = "service add NAME [--webhook URL] [--secret S]   a secret is generated when a "
              "webhook is set",
     .uses = Uses::Changes, .run = serviceAdd, .words = 3, .operands = "a NAME",
     .section = "Services (publishers) and webhooks"},
    {.group = "service", .verb = "list", .usage = "service list",
     .uses = Uses::Store, .run = serviceList, .words = 2, .operands = Nothing},
    {.group = "service", .verb = "webhook", .usage = "service webhook NAME URL [--secret S]",
     .uses = Uses::Changes, .run = serviceWebhook, .words = 4, .operands = "a NAME and a URL"},
    {.group = "service", .verb = "events",
     .usage = "service events NAME LIST        webhook events, comma-separated: delivered, seen, "
              "read, acted, escalated (default acted)",
     .uses = Uses::Changes, .run = serviceEvents, .words = 4,
     .operands = "a NAME and a LIST of events"},
    {.group = "token", .verb = "issue-service",
     .usage = "token issue-service SERVICE [--label TEXT]",
     .uses = Uses::Changes, .run = tokenIssueService, .words = 3, .operands = "a SERVICE"},
    {.group = "webhook", .verb = "failures",
     .usage = "webhook failures [SERVICE]        deliveries that gave up, newest first",
     .uses = Uses::Store, .run = webhookFailures},
    {.group = "webhook", .verb = "retry",
     .usage = "webhook retry ID                  queue one that gave up again",
     .uses = Uses::Store, .run = webhookRetry, .words = 3, .operands = "a webhook ID"},
    {.group = "audit", .verb = "",
     .usage = "audit NOTIFICATION_ID [--json]   every change of one notification, oldest first",
     .uses = Uses::Store, .run = audit},
    {.group = "purge", .verb = "",
     .usage = "purge [--dry-run] [--read-days N] [--unread-days N] [--messages-days N]\n"
              "         removes what is past the retain_* keys of --config (or the days given)",
     .uses = Uses::Store, .run = purge},

    {.group = "room", .verb = "create", .usage = "room create NAME [--title TEXT] [--private]",
     .uses = Uses::Changes, .run = roomCreate, .words = 3, .operands = "a NAME",
     .section = "Rooms"},
    {.group = "room", .verb = "list", .usage = "room list",
     .uses = Uses::Store, .run = roomList, .words = 2, .operands = Nothing},
    {.group = "room", .verb = "delete", .usage = "room delete NAME",
     .uses = Uses::Changes, .run = roomDelete, .words = 3, .operands = "a NAME"},
    {.group = "room", .verb = "add-member", .usage = "room add-member ROOM USER",
     .uses = Uses::Changes, .run = roomAddMember, .words = 4, .operands = "a ROOM and a USER"},
    {.group = "room", .verb = "remove-member", .usage = "room remove-member ROOM USER",
     .uses = Uses::Changes, .run = roomRemoveMember, .words = 4, .operands = "a ROOM and a USER"},
    {.group = "room", .verb = "retention",
     .usage = "room retention ROOM DAYS|default   days its messages are kept (0: for ever)",
     .uses = Uses::Changes, .run = roomRetention, .words = 4,
     .operands = "a ROOM and DAYS (or default)"},

    {.group = "group", .verb = "create", .usage = "group create NAME",
     .uses = Uses::Changes, .run = groupCreate, .words = 3, .operands = "a NAME",
     .section = "Groups"},
    {.group = "group", .verb = "delete", .usage = "group delete NAME",
     .uses = Uses::Changes, .run = groupDelete, .words = 3, .operands = "a NAME",
     .sameLine = true},
    {.group = "group", .verb = "list", .usage = "group list",
     .uses = Uses::Store, .run = groupList, .words = 2, .operands = Nothing, .sameLine = true},
    {.group = "group", .verb = "add", .usage = "group add GROUP USER",
     .uses = Uses::Changes, .run = groupAdd, .words = 4, .operands = "a GROUP and a USER"},
    {.group = "group", .verb = "remove", .usage = "group remove GROUP USER",
     .uses = Uses::Changes, .run = groupRemove, .words = 4, .operands = "a GROUP and a USER",
     .sameLine = true},

    {.group = "notify", .verb = "",
     .usage = "notify --to USER[,USER...] [--group G[,G...]] [--everyone] --title TEXT "
              "[--body TEXT]\n"
              "         [--priority low|normal|high|urgent] [--action ID:LABEL]... [--link URL] "
              "[--category C]\n"
              "         [--thread-key KEY]",
     .uses = Uses::Store, .run = notify,
     .section = "Sending and status (need a running server for live delivery)"},
    {.group = "online", .verb = "", .usage = "online                 who is online now",
     .uses = Uses::Server, .run = online},
    {.group = "status", .verb = "",
     .usage = "status                 version, uptime, connections, online people",
     .uses = Uses::Server, .run = status},
};
// clang-format on

QString usage()
{
    QStringList lines;
    for (const Command &c : Commands) {
        if (c.section)
            lines << QString::fromLatin1(c.section);
        if (c.sameLine)
            lines.last() += QLatin1String(" | ") + QLatin1String(c.usage);
        else
            lines << QLatin1String("  ") + QLatin1String(c.usage);
    }
    return QLatin1String(UsageHead) + QLatin1Char('\n') + lines.join(QLatin1Char('\n')) +
           QLatin1String("\n\n") + QLatin1String(UsageTail);
}

/** The row for the words, or nullptr after a usage error. */
const Command *find(const QStringList &p)
{
    const QString group = p.value(0);
    const QString verb = p.value(1);
    bool knownGroup = false;
    for (const Command &c : Commands) {
        if (group != QLatin1String(c.group))
            continue;
        if (!*c.verb || verb == QLatin1String(c.verb))
            return &c;
        knownGroup = true;
    }
    if (knownGroup)
        usageError(QStringLiteral("unknown command '%1 %2'").arg(group, verb));
    else
        usageError(QStringLiteral("unknown command '%1'").arg(group));
    return nullptr;
}

/** Whether the command got the words it takes; a usage error otherwise. */
bool wordCountFits(const Command &c, const QStringList &p)
{
    if (!c.words)
        return true;
    const QString group = p.value(0);
    const QString verb = p.value(1);
    if (p.size() < c.words) {
        usageError(QStringLiteral("'%1 %2' needs %3").arg(group, verb, QLatin1String(c.operands)));
        return false;
    }
    if (p.size() > c.words) {
        usageError(QStringLiteral("'%1 %2' got unexpected argument '%3'")
                       .arg(group, verb, p.value(c.words)));
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("heraldctl"));
    QStringList raw = app.arguments().mid(1);
    if (raw.isEmpty() || raw.contains(QStringLiteral("--help")) ||
        raw.contains(QStringLiteral("-h"))) {
        out() << usage();
        out().flush();
        return raw.isEmpty() ? 2 : 0;
    }
    if (raw.contains(QStringLiteral("--version"))) {
        out() << "heraldctl " << HERALD_VERSION << '\n';
        return 0;
    }
    Args a;
    if (const QString e = parseArgs(raw, a); !e.isEmpty())
        return usageError(e);

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
    const QStringList &p = a.positional;
    if (p.isEmpty())
        return usageError(QStringLiteral("no command given"));
    const Command *cmd = find(p);
    if (!cmd)
        return 2;
    if (!wordCountFits(*cmd, p))
        return 2;

    Store st;
    // SQLite in --data-dir, or the cluster's PostgreSQL (storage=postgres)
    if (cmd->uses != Uses::Server)
        if (auto e = st.open(config))
            return fail(*e);
    Context context{a, p, config.dataDir, st, config.sessionIdleDays, &config};
    if (const int rc = cmd->run(context); rc != 0)
        return rc;
    st.close();
    if (cmd->uses == Uses::Changes)
        tellServer(config.dataDir);
    out().flush();
    return 0;
}
