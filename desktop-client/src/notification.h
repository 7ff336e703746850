// A notification as the client keeps it: the server's object plus local action state.
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QVariantList>

class DisplayNames;

/** @brief One notification, parsed from the server's JSON. */
struct Notification
{
    struct Action
    {
        QString id;
        QString label;
    };

    qint64 id = 0;
    QString title;
    QString body;
    QString priority = QStringLiteral("normal");
    QString category;
    QString link;
    QString source;        // the publishing service (its name)
    QString sourceDisplay; // its display name, when the publisher gave one
    QString threadKey;     // the publisher's thread (empty: none)
    QList<Action> actions;
    QDateTime createdAt;
    QDateTime expiresAt;
    bool read = false;
    bool resolved = false;
    QString resolvedAction; // empty when its source resolved it
    QString resolvedBy;     // a person, or the service when resolvedBySource
    QDateTime resolvedAt;
    bool resolvedBySource = false;
    QString resolvedText;  // the source's words: "approved in SAP by bob"
    QString pendingAction; // action sent, answer not yet here
    QString actionError;   // why the last action failed
    int reminderStep = 0;  // > 0: shown again as a reminder (notif.reminder, escalation step)
    QString chatRoom;      // a chat message's alert (MessageAlerts): its room; empty otherwise

    [[nodiscard]] bool isResolved() const { return resolved; }
    /** @brief Which thread it belongs to: its service and thread key, or (no thread key) only
     *  itself. Notifications with the same key are shown together. */
    [[nodiscard]] QString threadId() const
    {
        if (threadKey.isEmpty())
            return QStringLiteral("#") + QString::number(id);
        return source + QLatin1Char('\n') + threadKey;
    }
    [[nodiscard]] bool isExpired(const QDateTime &now = QDateTime::currentDateTimeUtc()) const
    {
        return expiresAt.isValid() && expiresAt < now;
    }
    /** @brief Actions as a list of {id, label} maps, the shape QML repeaters take. */
    [[nodiscard]] QVariantList actionList() const;
    /** @brief The resolution in the past tense with the person's display name: "Approved by
     *  you", "Rejected by Bob Builder", or the source's: "Resolved by erp: approved in SAP by
     *  bob". Without @p names the login name is used. */
    [[nodiscard]] QString resolutionText(const DisplayNames *names = nullptr) const;
    /** @brief Who sent it, for people: "ERP · Purchasing" (service display name, category). */
    [[nodiscard]] QString origin() const;

    [[nodiscard]] static Notification fromJson(const QJsonObject &object);
    void applyResolved(const QJsonObject &resolved);
    /** @brief Takes the server's new state of the same notification (notif.updated): every
     *  field it sends; read state and a pending action stay this client's own. */
    void replaceContent(const Notification &now);
    /** @brief Anything a person sees differs from @p other (content, read, resolution). */
    [[nodiscard]] bool differsFrom(const Notification &other) const;
};
