#pragma once
// heraldctl's shared parts: the parsed command line, the command table's row, and the helpers
// every command uses (failing with a readable message, the control socket, the password prompt).

#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTextStream>

namespace herald {
class Store;
struct StoreError;
struct Config;
} // namespace herald

namespace herald::ctl {

QTextStream &out();
QTextStream &err();

/** @brief The command line: words, --name VALUE options (repeatable) and --flags. */
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

/** @brief Splits the arguments into words, options and flags; an error message, or empty. */
QString parseArgs(const QStringList &raw, Args &a);

/** @brief What one command works on, given to its handler. */
struct Context
{
    const Args &args;
    const QStringList &p; // the words: group, verb, then the command's own
    QString dataDir;
    Store &st;                      // open, unless the command only talks to the server
    int sessionIdleDays = 30;       // the server's session_idle_days (--config), for token list
    const Config *config = nullptr; // defaults, then --config FILE
};

/** @brief What a command needs before it runs, and whether the server hears of it after. */
enum class Uses {
    Server,  // only the running server (no database)
    Store,   // the database, read only
    Changes, // the database; a running server is told to reload afterwards
};

/** @brief One row of the command table (heraldctl.cpp), in --help order. */
struct Command
{
    const char *group;
    const char *verb;  // empty for one-word commands (notify, online, status)
    const char *usage; // its line in --help
    Uses uses;
    int (*run)(Context &);
    int words = 0;                 // words it takes, group and verb counted; 0: it checks itself
    const char *operands = "";     // what it needs when the count is wrong, e.g. "a NAME"
    const char *section = nullptr; // --help: the heading printed before it
    bool sameLine = false;         // --help: on the previous line, after " | "
};

// The handlers: users, tokens and services (accounts.cpp); rooms and groups (rooms.cpp);
// notify, online and status (live.cpp). Each returns the exit code.
int userAdd(Context &c);
int userList(Context &c);
int userPasswd(Context &c);
int userDisable(Context &c);
int userEnable(Context &c);
int tokenIssue(Context &c);
int webhookFailures(Context &c);
int webhookRetry(Context &c);
int audit(Context &c);
int purge(Context &c);
int roomRetention(Context &c);
int tokenIssueService(Context &c);
int tokenList(Context &c);
int tokenRevoke(Context &c);
int serviceAdd(Context &c);
int serviceList(Context &c);
int serviceWebhook(Context &c);
int serviceEvents(Context &c);
int roomCreate(Context &c);
int roomList(Context &c);
int roomDelete(Context &c);
int roomAddMember(Context &c);
int roomRemoveMember(Context &c);
int groupCreate(Context &c);
int groupDelete(Context &c);
int groupList(Context &c);
int groupAdd(Context &c);
int groupRemove(Context &c);
int notify(Context &c);
int online(Context &c);
int status(Context &c);

/** @brief Prints the message and a pointer to --help; returns exit code 2 (bad arguments). */
int usageError(const QString &message);
/** @brief "1 member", "2 members": a count with its noun in the right number. */
QString counted(qint64 n, const char *one, const char *many);
/** @brief Prints the message; returns exit code 1 (refused). */
int fail(const QString &message);
int fail(const StoreError &e);

/** @brief --password PW, or a line from stdin (without echo on a terminal) with --password-stdin;
 *  *ok is false when neither was given and one is required. */
QString readPassword(const Args &a, bool required, bool *ok);

/** @brief Sends one command to a running server; returns its answer, or an empty object if none
 *  runs (*reached false). */
QJsonObject control(const QString &dataDir, const QJsonObject &cmd, bool *reached);
/** @brief Tells a running server to reload what heraldctl changed; nothing if none runs. */
void tellServer(const QString &dataDir);

/** @brief A running server's answer, its numbers read checked: a count that is missing, not a
 *  whole number, negative or beyond 2^53-1 is reported instead of printed as 0 or wrapped. */
class Answer
{
public:
    explicit Answer(QJsonObject json)
        : m_json(std::move(json))
    {
    }
    /** @brief The count under key; 0 (and a problem()) when it is not a valid count. */
    qint64 count(const char *key);
    [[nodiscard]] const QJsonObject &json() const { return m_json; }
    /** @brief Empty, or what was wrong with the first bad count. */
    [[nodiscard]] const QString &problem() const { return m_problem; }

private:
    QJsonObject m_json;
    QString m_problem;
};

QString formatTime(qint64 ms);

} // namespace herald::ctl
