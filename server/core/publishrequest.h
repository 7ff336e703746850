#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

namespace herald {

/** @brief Who a notification is for: named people, groups, or everyone. */
struct Recipients
{
    QStringList users;
    QStringList groups;
    bool everyone = false;
};

/**
 * @brief One step of a notification's escalation: `after` seconds past publishing, either a
 * reminder to its recipients then (remind), or these groups' members and people added as its
 * recipients (groups, users).
 */
struct EscalationStep
{
    qint64 after = 0; ///< seconds from publishing, 1..MaxAfter, increasing along the steps
    bool remind = false;
    QStringList groups;
    QStringList users;

    static constexpr qint64 MaxAfter = 30LL * 24 * 3600;
    static constexpr int MaxSteps = 5;
    static constexpr int MaxNames = 100;
};

/** @brief Why a request was refused: a stable code (proto::Err), the field, a message. */
struct ValidationError
{
    QString code;
    QString field;
    QString message;
};

/**
 * @brief A publish request that passed validation: the one door every publisher goes through
 * (the HTTP API, the control socket behind `heraldctl notify`, heraldctl without a server).
 *
 * Strings are checked for type and length, names for the name rules, the link for an http(s)
 * URL, integers for 0..2^53-1 (so that no conversion downstream can overflow), and the raw
 * body for escaped half surrogate pairs, which Qt's JSON parser would silently pair up.
 */
struct PublishRequest
{
    Recipients to;
    QString title;
    QString body;
    QString priority = QStringLiteral("normal");
    QString category;
    QString link;
    QString idempotencyKey;
    QString threadKey;  // empty: no thread; notifications of one service and key group together
    QJsonArray actions; // [{id, label}], cleaned
    QJsonObject source; // opaque to Herald, at most 4 KiB and 3 levels
    std::optional<qint64> expiresAt;
    QList<EscalationStep> escalation; // at most EscalationStep::MaxSteps, `after` increasing

    /** @brief Parses and validates a request body (JSON text). */
    static std::variant<PublishRequest, ValidationError> parse(const QByteArray &json, qint64 now);
    /** @brief Validates an already parsed body (its strings were checked for lone surrogates). */
    static std::variant<PublishRequest, ValidationError> fromJson(const QJsonObject &body,
                                                                  qint64 now);
    /** @brief The request as a body again: what the control socket carries to the server. */
    [[nodiscard]] QJsonObject toJson() const;
};

/**
 * @brief A change of a published notification by its service (PATCH): only the fields given
 * change. `resolved` settles it from the source ("approved in SAP by bob"): action buttons go
 * away everywhere. A field a PATCH cannot change, or one that does not exist, is refused by name.
 */
struct NotificationPatch
{
    std::optional<QString> title;
    std::optional<QString> body;
    std::optional<QString> priority;
    std::optional<QString> link;
    std::optional<QJsonArray> actions;
    std::optional<QString> resolved;

    static std::variant<NotificationPatch, ValidationError> parse(const QByteArray &json);
    static std::variant<NotificationPatch, ValidationError> fromJson(const QJsonObject &body);
    /** @brief Whether the title, body, priority, link or actions change (not only resolved). */
    [[nodiscard]] bool changesContent() const
    {
        return title || body || priority || link || actions;
    }
};

} // namespace herald
