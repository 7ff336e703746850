// A notification as the client keeps it: the server's object plus local action state.
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QVariantList>

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
    QString source; // the publishing service
    QList<Action> actions;
    QDateTime createdAt;
    QDateTime expiresAt;
    bool read = false;
    QString resolvedAction;
    QString resolvedBy;
    QDateTime resolvedAt;
    QString pendingAction; // action sent, answer not yet here
    QString actionError;   // why the last action failed

    [[nodiscard]] bool isResolved() const { return !resolvedAction.isEmpty(); }
    [[nodiscard]] bool isExpired(const QDateTime &now = QDateTime::currentDateTimeUtc()) const
    {
        return expiresAt.isValid() && expiresAt < now;
    }
    /** @brief Actions as a list of {id, label} maps, the shape QML repeaters take. */
    [[nodiscard]] QVariantList actionList() const;
    /** @brief The resolution as a sentence: "Approved by bob". */
    [[nodiscard]] QString resolutionText() const;

    [[nodiscard]] static Notification fromJson(const QJsonObject &object);
    void applyResolved(const QJsonObject &resolved);
};
