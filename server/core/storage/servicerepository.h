#pragma once

#include "rows.h"

#include <QList>
#include <QString>

#include <optional>
#include <variant>

namespace herald {

class PeopleRepository;
class SqlConnection;

/** @brief Publishers (services) with their webhooks, and the groups of people they publish to. */
class ServiceRepository
{
public:
    ServiceRepository(SqlConnection &db, PeopleRepository &people)
        : m_db(db)
        , m_people(people)
    {
    }

    // ---- services
    std::variant<qint64, StoreError> createService(const QString &name, const QString &webhookUrl,
                                                   const QString &secret);
    std::optional<StoreError> setWebhook(const QString &name, const QString &url,
                                         const QString &secret);
    /** @brief The receipt events a service's webhook gets (each one of WebhookEvents; none: no
     *  webhook at all, not even for actions). */
    std::optional<StoreError> setWebhookEvents(const QString &name, const QStringList &events);
    /** @brief What a webhook may subscribe to (escalated: an escalation step added people). */
    inline static const QStringList WebhookEvents{
        QStringLiteral("delivered"), QStringLiteral("seen"), QStringLiteral("read"),
        QStringLiteral("acted"), QStringLiteral("escalated")};
    /** @brief Every service, by name. */
    QList<ServiceRow> services();
    std::optional<ServiceRow> service(qint64 id);

    // ---- groups
    std::variant<qint64, StoreError> createGroup(const QString &name);
    std::optional<StoreError> deleteGroup(const QString &name);
    std::optional<StoreError> setGroupMember(const QString &group, const QString &user,
                                             bool member);
    /** @brief Every group with its number of members, by name. */
    QList<GroupRow> groups();
    std::optional<qint64> groupId(const QString &name);
    /** @brief The group's members who are not disabled. */
    QList<qint64> activeGroupMembers(qint64 groupId);

private:
    SqlConnection &m_db;
    PeopleRepository &m_people;
};

} // namespace herald
