// heraldctl: sending a notification, and what the running server reports (online, status).
#include "ctl.h"

#include "core/store.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace herald::ctl {

namespace {

// The option a refused field came from, so that the message names what the person typed.
QString optionFor(const QString &field)
{
    if (field == QLatin1String("actions"))
        return QStringLiteral("--action");
    if (field.startsWith(QLatin1String("recipients")))
        return QStringLiteral("--to/--group/--everyone");
    if (field == QLatin1String("threadKey"))
        return QStringLiteral("--thread-key");
    return QStringLiteral("--") + field;
}

/** The server's status answer, or nothing (after saying so) when no server runs. */
std::optional<QJsonObject> serverStatus(const Context &c)
{
    bool reached = false;
    const QJsonObject r =
        control(c.dataDir, {{QStringLiteral("cmd"), QStringLiteral("status")}}, &reached);
    if (!reached) {
        fail(QStringLiteral("no server is running on %1 (no control socket)").arg(c.dataDir));
        return std::nullopt;
    }
    return r;
}

} // namespace

int notify(Context &c)
{
    const Args &a = c.args;
    const QStringList &p = c.p;
    const QString &dir = c.dataDir;
    Store &st = c.st;
    if (p.size() != 1)
        return usageError(QStringLiteral("notify takes only options"));
    if (a.opt("title").isEmpty())
        return usageError(QStringLiteral("notify needs --title"));
    QJsonObject body{{QStringLiteral("title"), a.opt("title")}};
    for (const char *field : {"body", "priority", "category", "link"})
        if (a.has(field))
            body.insert(QLatin1String(field), a.opt(field));
    if (a.has("thread-key"))
        body.insert(QStringLiteral("threadKey"), a.opt("thread-key"));
    QJsonArray actions;
    for (const QString &spec : a.options.value(QStringLiteral("action"))) {
        const qsizetype colon = spec.indexOf(QLatin1Char(':'));
        if (colon <= 0)
            return usageError(QStringLiteral("--action wants ID:LABEL, e.g. approve:Approve"));
        actions.append(QJsonObject{{QStringLiteral("id"), spec.left(colon)},
                                   {QStringLiteral("label"), spec.mid(colon + 1)}});
    }
    if (!actions.isEmpty())
        body.insert(QStringLiteral("actions"), actions);
    QStringList users, groups;
    for (const QString &u : a.opt("to").split(QLatin1Char(','), Qt::SkipEmptyParts))
        users << u.trimmed();
    for (const QString &g : a.opt("group").split(QLatin1Char(','), Qt::SkipEmptyParts))
        groups << g.trimmed();
    if (users.isEmpty() && groups.isEmpty() && !a.has("everyone"))
        return usageError(QStringLiteral("notify needs --to, --group or --everyone"));
    QJsonObject recipients{{QStringLiteral("users"), QJsonArray::fromStringList(users)},
                           {QStringLiteral("groups"), QJsonArray::fromStringList(groups)}};
    if (a.has("everyone"))
        recipients.insert(QStringLiteral("everyone"), true);
    body.insert(QStringLiteral("recipients"), recipients);
    // The server's own door, also when no server runs: the same checks and messages.
    auto parsed = PublishRequest::fromJson(body, QDateTime::currentMSecsSinceEpoch());
    if (const auto *e = std::get_if<ValidationError>(&parsed))
        return usageError(QStringLiteral("%1: %2").arg(optionFor(e->field), e->message));
    const PublishRequest &req = std::get<PublishRequest>(parsed);
    bool reached = false;
    const QJsonObject r =
        control(dir,
                {{QStringLiteral("cmd"), QStringLiteral("publish")},
                 {QStringLiteral("body"),
                  QString::fromUtf8(QJsonDocument(req.toJson()).toJson(QJsonDocument::Compact))}},
                &reached);
    if (reached) {
        if (r.contains(QLatin1String("error")))
            return fail(r.value(QLatin1String("message")).toString());
        Answer answer(r);
        const qint64 id = answer.count("id");
        const qint64 people = answer.count("recipients");
        if (!answer.problem().isEmpty())
            return fail(answer.problem());
        out() << "sent notification " << id << " to " << counted(people, "person", "people")
              << '\n';
    } else {
        // No server running: store it; recipients find it in their backlog when they connect.
        qint64 serviceId = 0;
        for (const ServiceRow &s : st.services())
            if (s.name == QLatin1String("heraldctl"))
                serviceId = s.id;
        st.begin();
        if (!serviceId) {
            auto s = st.createService(QStringLiteral("heraldctl"), QString(), QString());
            serviceId = std::get<qint64>(s);
        }
        auto pr = st.publish(serviceId, req, QDateTime::currentMSecsSinceEpoch());
        if (auto *e = std::get_if<StoreError>(&pr)) {
            st.rollback();
            return fail(*e);
        }
        st.commit();
        out() << "stored notification " << std::get<PublishResult>(pr).id << " for "
              << counted(std::get<PublishResult>(pr).userIds.size(), "person", "people")
              << " (no server running)\n";
    }
    return 0;
}

int online(Context &c)
{
    const std::optional<QJsonObject> r = serverStatus(c);
    if (!r)
        return 1;
    Answer answer(*r);
    const qint64 online = answer.count("online");
    if (!answer.problem().isEmpty())
        return fail(answer.problem());
    for (const QJsonValue &u : r->value(QLatin1String("users")).toArray())
        out() << u.toString() << '\n';
    out() << online << " online\n";
    return 0;
}

int status(Context &c)
{
    const std::optional<QJsonObject> r = serverStatus(c);
    if (!r)
        return 1;
    Answer answer(*r);
    const qint64 uptime = answer.count("uptime");
    const qint64 connections = answer.count("connections");
    const qint64 online = answer.count("online");
    if (!answer.problem().isEmpty())
        return fail(answer.problem());
    out() << "version      " << r->value(QLatin1String("version")).toString() << '\n'
          << "uptime       " << uptime << " s\n"
          << "connections  " << connections << '\n'
          << "online       " << online << '\n';
    return 0;
}

} // namespace herald::ctl
