#include "notification.h"
#include "displaynames.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QVariantMap>

using namespace Qt::StringLiterals;

namespace {
QDateTime fromMs(const QJsonValue &value)
{
    if (!value.isDouble())
        return {};
    return QDateTime::fromMSecsSinceEpoch(qint64(value.toDouble()), Qt::UTC);
}
} // namespace

Notification Notification::fromJson(const QJsonObject &o)
{
    Notification n;
    n.id = qint64(o.value("id"_L1).toDouble());
    n.title = o.value("title"_L1).toString();
    n.body = o.value("body"_L1).toString();
    n.priority = o.value("priority"_L1).toString(u"normal"_s);
    n.category = o.value("category"_L1).toString();
    n.link = o.value("link"_L1).toString();
    n.threadKey = o.value("threadKey"_L1).toString();
    const QJsonValue source = o.value("source"_L1);
    n.source =
        source.isObject() ? source.toObject().value("service"_L1).toString() : source.toString();
    // The server sends the service's name only; a publisher may add a display name itself.
    if (source.isObject()) {
        const QJsonObject s = source.toObject();
        n.sourceDisplay = s.value("display"_L1).toString(s.value("serviceDisplay"_L1).toString());
    }
    const QJsonArray actions = o.value("actions"_L1).toArray();
    for (const QJsonValue &a : actions) {
        const QJsonObject action = a.toObject();
        const QString id = action.value("id"_L1).toString();
        if (!id.isEmpty())
            n.actions.append({id, action.value("label"_L1).toString(id)});
    }
    n.createdAt = fromMs(o.value("createdAt"_L1));
    n.expiresAt = fromMs(o.value("expiresAt"_L1));
    n.read = o.value("read"_L1).toBool();
    n.applyResolved(o.value("resolved"_L1).toObject());
    return n;
}

void Notification::applyResolved(const QJsonObject &resolved)
{
    if (resolved.isEmpty())
        return;
    this->resolved = true;
    resolvedAction = resolved.value("action"_L1).toString(); // null when the source resolved it
    resolvedBy = resolved.value("by"_L1).toString();
    resolvedAt = fromMs(resolved.value("at"_L1));
    resolvedBySource = resolved.value("source"_L1).toBool();
    resolvedText = resolved.value("text"_L1).toString();
    pendingAction.clear();
}

void Notification::replaceContent(const Notification &now)
{
    const bool wasRead = read;
    const QString pending = pendingAction;
    const QString error = actionError;
    *this = now;
    read = wasRead || now.read; // read never goes back to unread
    if (!resolved) {
        pendingAction = pending;
        actionError = error;
    }
}

bool Notification::differsFrom(const Notification &o) const
{
    auto sameActions = [&] {
        if (actions.size() != o.actions.size())
            return false;
        for (qsizetype i = 0; i < actions.size(); ++i)
            if (actions.at(i).id != o.actions.at(i).id ||
                actions.at(i).label != o.actions.at(i).label)
                return false;
        return true;
    };
    return read != o.read || resolved != o.resolved || resolvedAction != o.resolvedAction ||
           resolvedBy != o.resolvedBy || resolvedText != o.resolvedText || title != o.title ||
           body != o.body || priority != o.priority || category != o.category || link != o.link ||
           expiresAt != o.expiresAt || !sameActions();
}

QVariantList Notification::actionList() const
{
    QVariantList list;
    for (const Action &a : actions)
        list.append(QVariantMap{{u"id"_s, a.id}, {u"label"_s, a.label}});
    return list;
}

namespace {
/** @brief The sentences for one well-known action, in the past tense. */
struct PastTense
{
    const char *id;
    const char *byYou;
    const char *byOther; // %1: the person's display name
    const char *byNobody;
};

// Sentences, not a verb pasted into a pattern: other languages order the words differently.
constexpr PastTense Known[] = {
    {"approve", QT_TRANSLATE_NOOP("Notification", "Approved by you"),
     QT_TRANSLATE_NOOP("Notification", "Approved by %1"),
     QT_TRANSLATE_NOOP("Notification", "Approved")},
    {"reject", QT_TRANSLATE_NOOP("Notification", "Rejected by you"),
     QT_TRANSLATE_NOOP("Notification", "Rejected by %1"),
     QT_TRANSLATE_NOOP("Notification", "Rejected")},
    {"ack", QT_TRANSLATE_NOOP("Notification", "Acknowledged by you"),
     QT_TRANSLATE_NOOP("Notification", "Acknowledged by %1"),
     QT_TRANSLATE_NOOP("Notification", "Acknowledged")},
    {"acknowledge", QT_TRANSLATE_NOOP("Notification", "Acknowledged by you"),
     QT_TRANSLATE_NOOP("Notification", "Acknowledged by %1"),
     QT_TRANSLATE_NOOP("Notification", "Acknowledged")},
    {"accept", QT_TRANSLATE_NOOP("Notification", "Accepted by you"),
     QT_TRANSLATE_NOOP("Notification", "Accepted by %1"),
     QT_TRANSLATE_NOOP("Notification", "Accepted")},
    {"decline", QT_TRANSLATE_NOOP("Notification", "Declined by you"),
     QT_TRANSLATE_NOOP("Notification", "Declined by %1"),
     QT_TRANSLATE_NOOP("Notification", "Declined")},
    {"dismiss", QT_TRANSLATE_NOOP("Notification", "Dismissed by you"),
     QT_TRANSLATE_NOOP("Notification", "Dismissed by %1"),
     QT_TRANSLATE_NOOP("Notification", "Dismissed")},
};

QString translated(const char *text)
{
    return QCoreApplication::translate("Notification", text);
}
} // namespace

QString Notification::resolutionText(const DisplayNames *names) const
{
    if (!isResolved())
        return {};
    if (resolvedBySource) {
        // The service settled it itself (approved in its own system): its words, verbatim.
        const QString service =
            !sourceDisplay.isEmpty() && resolvedBy == source ? sourceDisplay : resolvedBy;
        if (resolvedText.isEmpty())
            return translated(QT_TRANSLATE_NOOP("Notification", "Resolved by %1")).arg(service);
        return translated(QT_TRANSLATE_NOOP("Notification", "Resolved by %1: %2"))
            .arg(service, resolvedText);
    }
    const bool byYou = names && names->isSelf(resolvedBy);
    const QString who = names ? names->of(resolvedBy) : resolvedBy;
    for (const PastTense &p : Known) {
        if (resolvedAction.compare(QLatin1String(p.id), Qt::CaseInsensitive) != 0)
            continue;
        if (resolvedBy.isEmpty())
            return translated(p.byNobody);
        return byYou ? translated(p.byYou) : translated(p.byOther).arg(who);
    }
    // An action of the publisher's own: quote its label ("Escalate") rather than guess a tense.
    QString label = resolvedAction;
    for (const Action &a : actions)
        if (a.id == resolvedAction)
            label = a.label;
    if (resolvedBy.isEmpty())
        return translated(QT_TRANSLATE_NOOP("Notification", "“%1” was chosen")).arg(label);
    if (byYou)
        return translated(QT_TRANSLATE_NOOP("Notification", "You chose “%1”")).arg(label);
    return translated(QT_TRANSLATE_NOOP("Notification", "%1 chose “%2”")).arg(who, label);
}

QString Notification::origin() const
{
    // The server sends only the service's internal name ("erp", "demo"), which could be taken
    // for a person's: said to be a service unless the publisher gave a display name.
    const QString from =
        !sourceDisplay.isEmpty() ? sourceDisplay
        : source.isEmpty()
            ? QString()
            : translated(QT_TRANSLATE_NOOP("Notification", "%1 (service)")).arg(source);
    QString what = category;
    if (!what.isEmpty())
        what[0] = what.at(0).toUpper();
    if (from.isEmpty())
        return what;
    if (what.isEmpty())
        return from;
    return u"%1 · %2"_s.arg(from, what);
}
