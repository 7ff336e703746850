#include "ctl.h"

#include "core/store.h"

#include <herald/protocol.h>

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>

#include <cstdio>
#include <termios.h>
#include <unistd.h>

namespace herald::ctl {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

QString parseArgs(const QStringList &raw, Args &a)
{
    static const QSet<QString> valued{
        QStringLiteral("data-dir"),  QStringLiteral("config"),      QStringLiteral("display"),
        QStringLiteral("password"),  QStringLiteral("label"),       QStringLiteral("webhook"),
        QStringLiteral("secret"),    QStringLiteral("title"),       QStringLiteral("to"),
        QStringLiteral("group"),     QStringLiteral("body"),        QStringLiteral("priority"),
        QStringLiteral("action"),    QStringLiteral("link"),        QStringLiteral("category"),
        QStringLiteral("read-days"), QStringLiteral("unread-days"), QStringLiteral("messages-days"),
        QStringLiteral("thread-key")};
    static const QSet<QString> booleans{QStringLiteral("private"), QStringLiteral("everyone"),
                                        QStringLiteral("password-stdin"), QStringLiteral("json"),
                                        QStringLiteral("dry-run")};
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
                    return QStringLiteral("--%1 needs a value").arg(name);
                value = raw[++i];
            }
            a.options[name] << value;
        } else {
            return QStringLiteral("unknown option --%1").arg(name);
        }
    }
    return {};
}

int usageError(const QString &message)
{
    err() << "heraldctl: " << message << "\nRun 'heraldctl --help' for the commands.\n";
    err().flush();
    return 2;
}

int fail(const QString &message)
{
    err() << "heraldctl: " << message << '\n';
    err().flush();
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
        err() << "Password: ";
        err().flush();
    }
    QTextStream in(stdin);
    const QString pw = in.readLine();
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        err() << '\n';
    }
    return pw;
}

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

qint64 Answer::count(const char *key)
{
    const QJsonValue v = m_json.value(QLatin1String(key));
    const std::optional<qint64> n = proto::toSafeInteger(v);
    if (n && *n >= 0)
        return *n;
    if (m_problem.isEmpty()) {
        // The value as JSON text: 1e+300, "3", -1, null.
        const QByteArray json = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
        m_problem =
            v.isUndefined()
                ? QStringLiteral("the server's answer has no '%1'").arg(QLatin1String(key))
                : QStringLiteral("the server's answer has '%1' %2, not a whole number "
                                 "from 0 to %3")
                      .arg(QLatin1String(key), QString::fromUtf8(json.mid(1, json.size() - 2)),
                           QString::number(proto::MaxSafeInteger));
    }
    return 0;
}

QString formatTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(Qt::ISODate);
}

QString counted(qint64 n, const char *one, const char *many)
{
    return QStringLiteral("%1 %2").arg(n).arg(QLatin1String(n == 1 ? one : many));
}

} // namespace herald::ctl
