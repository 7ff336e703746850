#include "publishrequest.h"

#include <herald/protocol.h>

#include <QJsonDocument>
#include <QUrl>

namespace herald {

namespace {

using Result = std::variant<PublishRequest, ValidationError>;

ValidationError bad(const QString &field, const QString &message)
{
    return {QString::fromLatin1(proto::Err::BadValue), field, message};
}

int depth(const QJsonValue &v)
{
    int d = 0;
    if (v.isObject())
        for (const QJsonValue &x : v.toObject())
            d = std::max(d, depth(x));
    else if (v.isArray())
        for (const QJsonValue &x : v.toArray())
            d = std::max(d, depth(x));
    else
        return 0;
    return d + 1;
}

// A string field: absent or null is empty; required ones must hold more than blanks.
std::optional<ValidationError> text(const QJsonObject &o, const char *name, int max, bool required,
                                    QString *out)
{
    const QString field = QString::fromLatin1(name);
    const QJsonValue v = o.value(field);
    if (v.isUndefined() || v.isNull()) {
        if (required)
            return bad(field, QStringLiteral("'%1' is required").arg(field));
        return {};
    }
    if (!v.isString())
        return bad(field, QStringLiteral("'%1' must be a string").arg(field));
    if (v.toString().size() > max)
        return bad(field, QStringLiteral("'%1' is longer than %2 characters").arg(field).arg(max));
    if (required && v.toString().trimmed().isEmpty())
        return bad(field, QStringLiteral("'%1' must not be empty").arg(field));
    *out = v.toString();
    return {};
}

std::optional<ValidationError> recipients(const QJsonObject &body, Recipients *to)
{
    const QJsonValue rv = body.value(QLatin1String("recipients"));
    if (!rv.isObject())
        return bad(QStringLiteral("recipients"),
                   QStringLiteral("'recipients' must be an object with users, groups or everyone"));
    const QJsonObject r = rv.toObject();
    for (const char *list : {"users", "groups"}) {
        const QString field = QString::fromLatin1(list);
        const QString path = QStringLiteral("recipients.") + field;
        const QJsonValue v = r.value(field);
        if (v.isUndefined())
            continue;
        if (!v.isArray())
            return bad(path, QStringLiteral("must be an array of names"));
        const QJsonArray a = v.toArray();
        if (a.size() > 10000)
            return bad(path, QStringLiteral("at most 10000 names"));
        for (const QJsonValue &n : a) {
            if (!n.isString() || !proto::isValidName(n.toString()))
                return bad(path, QStringLiteral("must be an array of valid names"));
            (field == QLatin1String("users") ? to->users : to->groups) << n.toString();
        }
    }
    const QJsonValue everyone = r.value(QLatin1String("everyone"));
    if (!everyone.isUndefined() && !everyone.isBool())
        return bad(QStringLiteral("recipients.everyone"), QStringLiteral("must be true or false"));
    to->everyone = everyone.toBool();
    if (to->users.isEmpty() && to->groups.isEmpty() && !to->everyone)
        return bad(QStringLiteral("recipients"),
                   QStringLiteral("name at least one user or group, or everyone"));
    return {};
}

std::optional<ValidationError> checkActions(const QJsonValue &v, QJsonArray *out)
{
    if (v.isUndefined() || v.isNull())
        return {};
    if (!v.isArray() || v.toArray().size() > 5)
        return bad(QStringLiteral("actions"),
                   QStringLiteral("'actions' must be an array of at most 5"));
    for (const QJsonValue &a : v.toArray()) {
        const QJsonObject o = a.toObject();
        const QString id = o.value(QLatin1String("id")).toString();
        const QString label = o.value(QLatin1String("label")).toString();
        if (!a.isObject() || !proto::isValidName(id) || label.isEmpty() || label.size() > 64)
            return bad(
                QStringLiteral("actions"),
                QStringLiteral("each action needs an id (a-z 0-9 . _ -) and a label (1-64)"));
        out->append(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("label"), label}});
    }
    return {};
}

// `escalation`: at most 5 steps, each {after, remind: true} or {after, groups, users}, `after`
// in seconds (1..30 days) and strictly increasing. Fields are named by index: escalation[1].after.
std::optional<ValidationError> checkEscalation(const QJsonValue &v, QList<EscalationStep> *out)
{
    if (v.isUndefined() || v.isNull())
        return {};
    const QString field = QStringLiteral("escalation");
    if (!v.isArray())
        return bad(field, QStringLiteral("'escalation' must be an array of steps"));
    const QJsonArray steps = v.toArray();
    if (steps.size() > EscalationStep::MaxSteps)
        return bad(field,
                   QStringLiteral("at most %1 escalation steps").arg(EscalationStep::MaxSteps));
    qint64 previous = 0;
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const QString at = QStringLiteral("escalation[%1]").arg(i);
        if (!steps[i].isObject())
            return bad(at, QStringLiteral("a step must be an object with after and remind, or "
                                          "after and groups or users"));
        const QJsonObject o = steps[i].toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            if (it.key() != QLatin1String("after") && it.key() != QLatin1String("remind") &&
                it.key() != QLatin1String("groups") && it.key() != QLatin1String("users"))
                return bad(at + QLatin1Char('.') + it.key().left(64),
                           QStringLiteral("a step has only after, remind, groups and users"));
        EscalationStep step;
        const std::optional<qint64> after = proto::toSafeInteger(o.value(QLatin1String("after")));
        if (!after || *after < 1 || *after > EscalationStep::MaxAfter)
            return bad(at + QStringLiteral(".after"),
                       QStringLiteral("'after' must be whole seconds from 1 to %1 (30 days)")
                           .arg(EscalationStep::MaxAfter));
        if (*after <= previous)
            return bad(
                at + QStringLiteral(".after"),
                QStringLiteral("'after' must be later than the step before (%1 s)").arg(previous));
        previous = step.after = *after;
        const QJsonValue remind = o.value(QLatin1String("remind"));
        if (!remind.isUndefined() && !remind.isBool())
            return bad(at + QStringLiteral(".remind"), QStringLiteral("must be true or false"));
        step.remind = remind.toBool();
        for (const char *list : {"groups", "users"}) {
            const QString name = QString::fromLatin1(list);
            const QString path = at + QLatin1Char('.') + name;
            const QJsonValue names = o.value(name);
            if (names.isUndefined())
                continue;
            if (!names.isArray() || names.toArray().size() > EscalationStep::MaxNames)
                return bad(path, QStringLiteral("must be an array of at most %1 names")
                                     .arg(EscalationStep::MaxNames));
            for (const QJsonValue &n : names.toArray()) {
                if (!n.isString() || !proto::isValidName(n.toString()))
                    return bad(path, QStringLiteral("must be an array of valid names"));
                (name == QLatin1String("users") ? step.users : step.groups) << n.toString();
            }
        }
        const bool adds = !step.groups.isEmpty() || !step.users.isEmpty();
        if (step.remind == adds)
            return bad(at, step.remind ? QStringLiteral("a step either reminds or adds groups "
                                                        "and users, not both")
                                       : QStringLiteral("a step needs remind: true, or groups "
                                                        "or users to add"));
        out->append(step);
    }
    return {};
}

/** @brief The JSON object of a body, or why it is not one (shared by publish and patch). */
std::variant<QJsonObject, ValidationError> bodyObject(const QByteArray &json)
{
    // Qt's parser turns "\ud800z" into one (wrong) character instead of refusing it.
    if (const auto field = proto::loneSurrogateField(json))
        return ValidationError{QString::fromLatin1(proto::Err::BadUtf8),
                               field->isEmpty() ? QStringLiteral("body") : *field,
                               QStringLiteral("the body escapes half a surrogate pair "
                                              "(\\uD800-\\uDFFF without its other half)")};
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &perr);
    if (perr.error != QJsonParseError::NoError)
        return ValidationError{QString::fromLatin1(proto::Err::BadJson), QString(),
                               QStringLiteral("body is not JSON: ") + perr.errorString()};
    if (!doc.isObject())
        return ValidationError{QString::fromLatin1(proto::Err::NotObject), QString(),
                               QStringLiteral("body must be a JSON object")};
    return doc.object();
}

std::optional<ValidationError> checkLink(const QString &link)
{
    if (link.isEmpty())
        return {};
    const QUrl url(link, QUrl::StrictMode);
    if (!url.isValid() ||
        (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")))
        return bad(QStringLiteral("link"), QStringLiteral("'link' must be an http or https URL"));
    return {};
}

std::optional<ValidationError> checkPriority(const QJsonValue &prio)
{
    static const QStringList priorities{QStringLiteral("low"), QStringLiteral("normal"),
                                        QStringLiteral("high"), QStringLiteral("urgent")};
    if (!prio.isUndefined() && !prio.isNull() &&
        (!prio.isString() || !priorities.contains(prio.toString())))
        return bad(QStringLiteral("priority"),
                   QStringLiteral("'priority' must be low, normal, high or urgent"));
    return {};
}

} // namespace

Result PublishRequest::parse(const QByteArray &json, qint64 now)
{
    auto body = bodyObject(json);
    if (auto *e = std::get_if<ValidationError>(&body))
        return *e;
    return fromJson(std::get<QJsonObject>(body), now);
}

Result PublishRequest::fromJson(const QJsonObject &body, qint64 now)
{
    PublishRequest p;
    if (auto e = recipients(body, &p.to))
        return *e;
    if (auto e = text(body, "title", 200, true, &p.title))
        return *e;
    if (auto e = text(body, "body", 4000, false, &p.body))
        return *e;
    if (auto e = text(body, "category", 64, false, &p.category))
        return *e;
    if (auto e = text(body, "idempotencyKey", 128, false, &p.idempotencyKey))
        return *e;
    if (auto e = text(body, "link", 2048, false, &p.link))
        return *e;
    if (auto e = checkLink(p.link))
        return *e;
    // A thread key, when given, names a thread: an empty or blank one would group by nothing.
    if (auto e = text(body, "threadKey", 128, false, &p.threadKey))
        return *e;
    if (body.value(QLatin1String("threadKey")).isString() && p.threadKey.trimmed().isEmpty())
        return bad(QStringLiteral("threadKey"),
                   QStringLiteral("'threadKey' must be 1 to 128 characters, not blank"));
    const QJsonValue prio = body.value(QLatin1String("priority"));
    if (auto e = checkPriority(prio))
        return *e;
    if (prio.isString())
        p.priority = prio.toString();
    if (auto e = checkActions(body.value(QLatin1String("actions")), &p.actions))
        return *e;

    if (auto e = checkEscalation(body.value(QLatin1String("escalation")), &p.escalation))
        return *e;

    const QJsonValue expires = body.value(QLatin1String("expiresAt"));
    if (!expires.isUndefined() && !expires.isNull()) {
        // An integer within 0..2^53-1 only: beyond that a double no longer holds milliseconds
        // exactly, and converting 1e300 to an integer overflows.
        const std::optional<qint64> ms = proto::toSafeInteger(expires);
        if (!ms || *ms < 0)
            return bad(QStringLiteral("expiresAt"),
                       QStringLiteral("'expiresAt' must be milliseconds since the epoch, an "
                                      "integer from 0 to 2^53-1"));
        if (*ms <= now)
            return bad(QStringLiteral("expiresAt"), QStringLiteral("'expiresAt' is in the past"));
        p.expiresAt = *ms;
    }
    const QJsonValue source = body.value(QLatin1String("source"));
    if (!source.isUndefined() && !source.isNull()) {
        if (!source.isObject())
            return bad(QStringLiteral("source"), QStringLiteral("'source' must be an object"));
        if (QJsonDocument(source.toObject()).toJson(QJsonDocument::Compact).size() > 4096)
            return bad(QStringLiteral("source"), QStringLiteral("'source' is larger than 4 KiB"));
        if (depth(source) > 3)
            return bad(QStringLiteral("source"),
                       QStringLiteral("'source' nests deeper than 3 levels"));
        p.source = source.toObject();
    }
    return p;
}

QJsonObject PublishRequest::toJson() const
{
    QJsonObject o{{QStringLiteral("title"), title}, {QStringLiteral("priority"), priority}};
    const auto put = [&o](const char *key, const QString &value) {
        if (!value.isEmpty())
            o.insert(QLatin1String(key), value);
    };
    put("body", body);
    put("category", category);
    put("link", link);
    put("idempotencyKey", idempotencyKey);
    put("threadKey", threadKey);
    if (!actions.isEmpty())
        o.insert(QStringLiteral("actions"), actions);
    if (!source.isEmpty())
        o.insert(QStringLiteral("source"), source);
    if (expiresAt)
        o.insert(QStringLiteral("expiresAt"), *expiresAt);
    if (!escalation.isEmpty()) {
        QJsonArray steps;
        for (const EscalationStep &step : escalation) {
            QJsonObject o{{QStringLiteral("after"), step.after}};
            if (step.remind)
                o.insert(QStringLiteral("remind"), true);
            if (!step.groups.isEmpty())
                o.insert(QStringLiteral("groups"), QJsonArray::fromStringList(step.groups));
            if (!step.users.isEmpty())
                o.insert(QStringLiteral("users"), QJsonArray::fromStringList(step.users));
            steps.append(o);
        }
        o.insert(QStringLiteral("escalation"), steps);
    }
    QJsonObject r{{QStringLiteral("users"), QJsonArray::fromStringList(to.users)},
                  {QStringLiteral("groups"), QJsonArray::fromStringList(to.groups)}};
    if (to.everyone)
        r.insert(QStringLiteral("everyone"), true);
    o.insert(QStringLiteral("recipients"), r);
    return o;
}

std::variant<NotificationPatch, ValidationError> NotificationPatch::parse(const QByteArray &json)
{
    auto body = bodyObject(json);
    if (auto *e = std::get_if<ValidationError>(&body))
        return *e;
    return fromJson(std::get<QJsonObject>(body));
}

std::variant<NotificationPatch, ValidationError>
NotificationPatch::fromJson(const QJsonObject &body)
{
    static const QStringList fields{QStringLiteral("title"),    QStringLiteral("body"),
                                    QStringLiteral("priority"), QStringLiteral("link"),
                                    QStringLiteral("actions"),  QStringLiteral("resolved")};
    for (auto it = body.begin(); it != body.end(); ++it)
        if (!fields.contains(it.key()))
            return bad(it.key().left(64),
                       QStringLiteral("a PATCH changes only title, body, priority, link, actions "
                                      "and resolved; '%1' is none of them")
                           .arg(it.key().left(64)));
    if (body.isEmpty())
        return bad(QString(), QStringLiteral("nothing to change: give at least one of title, "
                                             "body, priority, link, actions, resolved"));
    NotificationPatch p;
    QString v;
    if (body.contains(QLatin1String("title"))) {
        if (auto e = text(body, "title", 200, true, &v))
            return *e;
        p.title = v;
    }
    if (body.contains(QLatin1String("body"))) {
        v.clear();
        if (auto e = text(body, "body", 4000, false, &v))
            return *e;
        p.body = v;
    }
    if (body.contains(QLatin1String("link"))) {
        v.clear();
        if (auto e = text(body, "link", 2048, false, &v))
            return *e;
        if (auto e = checkLink(v))
            return *e;
        p.link = v;
    }
    if (body.contains(QLatin1String("priority"))) {
        const QJsonValue prio = body.value(QLatin1String("priority"));
        if (auto e = checkPriority(prio))
            return *e;
        if (!prio.isString())
            return bad(QStringLiteral("priority"),
                       QStringLiteral("'priority' must be low, normal, high or urgent"));
        p.priority = prio.toString();
    }
    if (body.contains(QLatin1String("actions"))) {
        QJsonArray actions;
        if (auto e = checkActions(body.value(QLatin1String("actions")), &actions))
            return *e;
        p.actions = actions;
    }
    if (body.contains(QLatin1String("resolved"))) {
        v.clear();
        if (auto e = text(body, "resolved", 200, true, &v))
            return *e;
        p.resolved = v;
    }
    return p;
}

} // namespace herald
