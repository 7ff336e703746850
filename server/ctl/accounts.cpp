// heraldctl: users, their tokens, and services (publishers) with their webhooks.
#include "ctl.h"

#include "core/clock.h"
#include "core/crypto.h"
#include "core/store.h"

#include <herald/protocol.h>

#include <QUrl>

namespace herald::ctl {

namespace {

int setDisabled(Context &c, bool disabled)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    if (auto e = st.setDisabled(p[2], disabled))
        return fail(*e);
    out() << p[1] << "d " << p[2] << '\n';
    return 0;
}

int issueToken(Context &c, qint64 userId, qint64 serviceId)
{
    Store &st = c.st;
    auto t = st.issueToken(userId, serviceId,
                           userId ? QStringLiteral("user") : QStringLiteral("service"),
                           c.args.opt("label"));
    if (auto *e = std::get_if<StoreError>(&t))
        return fail(*e);
    out() << std::get<QString>(t) << '\n';
    err() << "This token is shown once; Herald keeps only its hash.\n";
    return 0;
}

/** An empty URL, or an http(s) one; an error message otherwise. */
QString checkWebhook(const QString &url)
{
    if (url.isEmpty())
        return {};
    const QUrl u(url, QUrl::StrictMode);
    if (!u.isValid() ||
        (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")))
        return QStringLiteral("webhook must be an http or https URL");
    return {};
}

/** --secret, or a new one when a webhook is set without it (*generated true). */
QString webhookSecret(const Args &a, const QString &url, bool *generated)
{
    const QString secret = a.opt("secret");
    *generated = secret.isEmpty() && !url.isEmpty();
    return *generated ? QString::fromLatin1(crypto::randomBytes(32).toHex()) : secret;
}

} // namespace

int userAdd(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    bool ok = false;
    const QString pw = readPassword(c.args, false, &ok);
    if (!pw.isEmpty() && pw.size() < 8)
        return fail(QStringLiteral("password must have at least 8 characters"));
    auto r = st.createUser(p[2], c.args.opt("display"), pw);
    if (auto *e = std::get_if<StoreError>(&r))
        return fail(*e);
    out() << "created user " << p[2] << '\n';
    return 0;
}

int userList(Context &c)
{
    Store &st = c.st;
    for (const UserRow &u : st.users())
        out() << u.name << '\t' << u.display << (u.disabled ? "\tdisabled" : "") << '\n';
    return 0;
}

int userPasswd(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    bool ok = false;
    const QString pw = readPassword(c.args, true, &ok);
    if (!ok)
        return usageError(QStringLiteral("give --password PW or --password-stdin"));
    if (auto e = st.setPassword(p[2], pw))
        return fail(*e);
    out() << "password set for " << p[2] << '\n';
    return 0;
}

int userDisable(Context &c)
{
    return setDisabled(c, true);
}

int userEnable(Context &c)
{
    return setDisabled(c, false);
}

int tokenIssue(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    const auto u = st.user(p[2]);
    if (!u)
        return fail(QStringLiteral("no user '%1'").arg(p[2]));
    return issueToken(c, u->id, 0);
}

int tokenIssueService(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    qint64 serviceId = 0;
    for (const ServiceRow &s : st.services())
        if (s.name == p[2])
            serviceId = s.id;
    if (!serviceId)
        return fail(QStringLiteral("no service '%1' (create it with 'service add')").arg(p[2]));
    return issueToken(c, 0, serviceId);
}

int tokenList(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    const auto u = st.user(p[2]);
    if (!u)
        return fail(QStringLiteral("no user '%1'").arg(p[2]));
    // State: revoked, expired (a session unused for session_idle_days) or active. Last use is
    // written by the server at most once a minute, so it can lag by that much.
    const qint64 now = clock::nowMs();
    for (const TokenRow &t : st.tokens(u->id, 0))
        out() << t.id << '\t' << t.kind << '\t' << formatTime(t.createdAt) << '\t'
              << (t.revoked                               ? "revoked"
                  : t.idleExpired(c.sessionIdleDays, now) ? "expired"
                                                          : "active")
              << '\t' << (t.lastUsedAt ? formatTime(t.lastUsedAt) : QStringLiteral("never")) << '\t'
              << (t.lastUsedFrom.isEmpty() ? QStringLiteral("-") : t.lastUsedFrom) << '\t'
              << t.label << '\n';
    return 0;
}

int tokenRevoke(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    // Decimal digits within 1..2^53-1 only: "1e3", "0x10", "12abc" or 2^64 never become another
    // token's id by parsing leniently or wrapping.
    const std::optional<qint64> id = proto::parseSafeInteger(p[2]);
    if (!id || *id < 1)
        return usageError(QStringLiteral("token ID must be a number from 1 to %1, not '%2' (see "
                                         "'token list USER')")
                              .arg(QString::number(proto::MaxSafeInteger), p[2]));
    if (auto e = st.revokeToken(*id))
        return fail(*e);
    out() << "revoked token " << *id << '\n';
    return 0;
}

int serviceAdd(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    const QString url = c.args.opt("webhook");
    if (const QString e = checkWebhook(url); !e.isEmpty())
        return fail(e);
    bool generated = false;
    const QString secret = webhookSecret(c.args, url, &generated);
    auto r = st.createService(p[2], url, secret);
    if (auto *e = std::get_if<StoreError>(&r))
        return fail(*e);
    out() << "created service " << p[2] << '\n';
    if (generated)
        out() << "webhook secret (shown once): " << secret << '\n';
    return 0;
}

int serviceList(Context &c)
{
    Store &st = c.st;
    for (const ServiceRow &s : st.services())
        out() << s.name << '\t' << s.webhookUrl << (s.isSigned() ? "\tsigned" : "") << "\tevents "
              << s.webhookEvents.join(QLatin1Char(',')) << '\n';
    return 0;
}

int serviceWebhook(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    const QString url = p[3];
    if (const QString e = checkWebhook(url); !e.isEmpty())
        return fail(e);
    bool generated = false;
    const QString secret = webhookSecret(c.args, url, &generated);
    if (auto e = st.setWebhook(p[2], url, secret))
        return fail(*e);
    out() << "webhook set for " << p[2] << '\n';
    if (generated)
        out() << "webhook secret (shown once): " << secret << '\n';
    return 0;
}

int serviceEvents(Context &c)
{
    const QStringList &p = c.p;
    QStringList events;
    for (const QString &e : p[3].split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!events.contains(e.trimmed()))
            events << e.trimmed();
    if (events.isEmpty())
        return usageError(QStringLiteral("name at least one event: %1")
                              .arg(ServiceRepository::WebhookEvents.join(QLatin1Char(','))));
    if (auto e = c.st.setWebhookEvents(p[2], events))
        return fail(*e);
    out() << "webhook events of " << p[2] << ": " << events.join(QLatin1Char(',')) << '\n';
    return 0;
}

} // namespace herald::ctl
