#pragma once

#include "rows.h"

#include <QList>
#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace herald {

class SqlConnection;

/** @brief People (users, their passwords) and the tokens of people and services. */
class PeopleRepository
{
public:
    explicit PeopleRepository(SqlConnection &db)
        : m_db(db)
    {
    }

    std::variant<qint64, StoreError> createUser(const QString &name, const QString &display,
                                                const QString &password);
    std::optional<StoreError> setPassword(const QString &name, const QString &password);
    std::optional<StoreError> setDisabled(const QString &name, bool disabled);
    std::optional<UserRow> user(const QString &name);
    std::optional<UserRow> userById(qint64 id);
    QList<UserRow> users();
    /** @brief The ids of everyone who is not disabled. */
    QList<qint64> activeUserIds();
    /** @brief The user and their stored password hash (empty when none is set). */
    std::optional<std::pair<UserRow, QString>> passwordHash(const QString &name);
    /** @brief Stores `newHash` in place of `oldHash` (a rehash after login); changes nothing
     *  when the password was changed meanwhile. */
    void replacePasswordHash(qint64 userId, const QString &oldHash, const QString &newHash);
    /** @brief Checks a password (slow PBKDF2); returns the user or an error. */
    std::variant<UserRow, StoreError> verifyPassword(const QString &name, const QString &password);

    /** @brief Issues a token and returns its plain text, which is never stored. */
    std::variant<QString, StoreError> issueToken(qint64 userId, qint64 serviceId,
                                                 const QString &kind, const QString &label);
    std::optional<TokenRow> token(qint64 id);
    QList<TokenRow> tokens(qint64 userId, qint64 serviceId);
    QList<TokenRow> allTokens();
    std::optional<StoreError> revokeToken(qint64 id);
    /** @brief Records when and from where tokens were last used (one statement per use; the
     *  caller batches them into one transaction). */
    std::optional<StoreError> recordTokenUses(const QList<TokenUse> &uses);
    /** @brief Revokes every token of a user; returns how many. */
    int revokeUserTokens(qint64 userId);

private:
    SqlConnection &m_db;
};

} // namespace herald
