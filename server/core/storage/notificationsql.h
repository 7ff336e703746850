#pragma once
// What the notification repository's files share: the columns every view of a notification
// reads, and turning such a row into a NotificationRow.

#include "rows.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>

namespace herald::notificationsql {

// The columns of a notification as every view reads it (NotifColumns of them, from column 0).
inline constexpr char NotifCols[] =
    "SELECT n.id, n.title, n.body, n.priority, n.category, n.link, n.actions, n.source,"
    " n.created_at, n.expires_at, n.resolved_action, n.resolved_by, n.resolved_at, s.name,"
    " n.resolved_text, n.updated_at, n.retracted_at, n.change_seq, n.thread_key";
inline constexpr int NotifColumns = 19;

inline QList<NotificationAction> parseActions(const QString &json)
{
    QList<NotificationAction> out;
    for (const QJsonValue &a : QJsonDocument::fromJson(json.toUtf8()).array()) {
        const QJsonObject o = a.toObject();
        out << NotificationAction{o.value(QLatin1String("id")).toString(),
                                  o.value(QLatin1String("label")).toString()};
    }
    return out;
}

inline NotificationRow readNotification(const QSqlQuery &q)
{
    NotificationRow n;
    n.id = q.value(0).toLongLong();
    n.title = q.value(1).toString();
    n.body = q.value(2).toString();
    n.priority = q.value(3).toString();
    n.category = q.value(4).toString();
    n.link = q.value(5).toString();
    n.actions = parseActions(q.value(6).toString());
    n.sourceJson = q.value(7).toString().toUtf8();
    n.createdAt = q.value(8).toLongLong();
    if (!q.value(9).isNull())
        n.expiresAt = q.value(9).toLongLong();
    if (!q.value(10).isNull())
        n.resolved = ResolvedAction{q.value(10).toString(), q.value(11).toString(),
                                    q.value(12).toLongLong(), q.value(14).toString()};
    n.service = q.value(13).toString();
    if (!q.value(15).isNull())
        n.updatedAt = q.value(15).toLongLong();
    if (!q.value(16).isNull())
        n.retractedAt = q.value(16).toLongLong();
    n.changeSeq = q.value(17).toLongLong();
    n.threadKey = q.value(18).toString();
    return n;
}

inline QByteArray compact(const QJsonDocument &doc)
{
    return doc.toJson(QJsonDocument::Compact);
}

} // namespace herald::notificationsql
