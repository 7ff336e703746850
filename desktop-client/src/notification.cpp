#include "notification.h"

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
    const QJsonValue source = o.value("source"_L1);
    n.source =
        source.isObject() ? source.toObject().value("service"_L1).toString() : source.toString();
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
    resolvedAction = resolved.value("action"_L1).toString();
    resolvedBy = resolved.value("by"_L1).toString();
    resolvedAt = fromMs(resolved.value("at"_L1));
    pendingAction.clear();
}

QVariantList Notification::actionList() const
{
    QVariantList list;
    for (const Action &a : actions)
        list.append(QVariantMap{{u"id"_s, a.id}, {u"label"_s, a.label}});
    return list;
}

QString Notification::resolutionText() const
{
    if (!isResolved())
        return {};
    QString label = resolvedAction;
    for (const Action &a : actions)
        if (a.id == resolvedAction)
            label = a.label;
    if (resolvedBy.isEmpty())
        return label;
    return u"%1 by %2"_s.arg(label, resolvedBy);
}
