#include "peoplerepository.h"

#include "audiences.h"
#include "core/crypto.h"
#include "sqlconnection.h"

#include <herald/protocol.h>

namespace herald {

using sql::err;

namespace {

constexpr char UserCols[] = "SELECT id, name, display, disabled FROM users";
constexpr char TokenCols[] =
    "SELECT id, hash, user_id, service_id, kind, label, revoked, created_at, last_used_at,"
    " last_used_from FROM tokens";

UserRow readUser(const QSqlQuery &q)
{
    return {q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(),
            q.value(3).toBool()};
}

TokenRow readToken(const QSqlQuery &q)
{
    TokenRow t;
    t.id = q.value(0).toLongLong();
    t.hash = q.value(1).toByteArray();
    t.userId = q.value(2).toLongLong();
    t.serviceId = q.value(3).toLongLong();
    t.kind = q.value(4).toString();
    t.label = q.value(5).toString();
    t.revoked = q.value(6).toBool();
    t.createdAt = q.value(7).toLongLong();
    t.lastUsedAt = q.value(8).toLongLong();
    t.lastUsedFrom = q.value(9).toString();
    return t;
}

} // namespace

// ------------------------------------------------------------------ users

std::variant<qint64, StoreError>
PeopleRepository::createUser(const QString &name, const QString &display, const QString &password)
{
    if (!proto::isValidName(name) || name.startsWith(QLatin1String("dm")))
        return err(proto::Err::BadValue,
                   QStringLiteral("user name must be 1-64 of a-z 0-9 . _ - (not starting with dm)"),
                   QStringLiteral("name"));
    const StoreError taken =
        err(proto::Err::Conflict, QStringLiteral("user '%1' already exists").arg(name),
            QStringLiteral("name"));
    if (user(name))
        return taken;
    const QVariant hash = password.isEmpty() ? QVariant(QMetaType(QMetaType::QString))
                                             : QVariant(crypto::hashPassword(password));
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    // A unique violation: created by another node since the check above.
    auto id = m_db.insertReturningId(
        "INSERT INTO users(name, display, pw_hash, created_at) VALUES(?,?,?,?) RETURNING id",
        {name, display.isEmpty() ? name : display, hash, sql::nowMs()}, taken);
    if (std::holds_alternative<StoreError>(id))
        return id;
    // Everyone reaches one more person now.
    if (auto e = audiences::personChanged(m_db, std::get<qint64>(id)))
        return *e;
    if (!tx.commit())
        return sql::error(tx.error());
    return id;
}

std::optional<StoreError> PeopleRepository::setPassword(const QString &name,
                                                        const QString &password)
{
    if (password.size() < 8)
        return err(proto::Err::BadValue, QStringLiteral("password must have at least 8 characters"),
                   QStringLiteral("password"));
    return m_db.changeOne("UPDATE users SET pw_hash=? WHERE name=?",
                          {crypto::hashPassword(password), name},
                          err(proto::Err::NotFound, QStringLiteral("no user '%1'").arg(name)));
}

std::optional<StoreError> PeopleRepository::setDisabled(const QString &name, bool disabled)
{
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    QSqlQuery q = m_db.prepare("UPDATE users SET disabled=? WHERE name=? AND disabled<>?"
                               " RETURNING id");
    q.addBindValue(disabled ? 1 : 0);
    q.addBindValue(name);
    q.addBindValue(disabled ? 1 : 0);
    if (!m_db.exec(q))
        return sql::error(q);
    if (!q.next()) {
        q.finish();
        if (!user(name))
            return err(proto::Err::NotFound, QStringLiteral("no user '%1'").arg(name));
        return {}; // already so: nobody's reach changed
    }
    const qint64 id = q.value(0).toLongLong();
    q.finish();
    // Disabled people get no new notifications, enabled ones do again: everyone and each of
    // their groups reach someone else now.
    if (auto e = audiences::personChanged(m_db, id))
        return *e;
    if (!tx.commit())
        return sql::error(tx.error());
    return {};
}

std::optional<UserRow> PeopleRepository::user(const QString &name)
{
    auto qStmt = m_db.statement(QString::fromLatin1(UserCols) + QStringLiteral(" WHERE name=?"));
    QSqlQuery &q = qStmt;
    q.addBindValue(name);
    if (m_db.exec(q) && q.next())
        return readUser(q);
    return {};
}

std::optional<UserRow> PeopleRepository::userById(qint64 id)
{
    auto qStmt = m_db.statement(QString::fromLatin1(UserCols) + QStringLiteral(" WHERE id=?"));
    QSqlQuery &q = qStmt;
    q.addBindValue(id);
    if (m_db.exec(q) && q.next())
        return readUser(q);
    return {};
}

QList<UserRow> PeopleRepository::users()
{
    QList<UserRow> out;
    QSqlQuery q = m_db.prepare(QString::fromLatin1(UserCols) + QStringLiteral(" ORDER BY name"));
    m_db.exec(q);
    while (q.next())
        out << readUser(q);
    return out;
}

QList<qint64> PeopleRepository::activeUserIds()
{
    QList<qint64> out;
    QSqlQuery q = m_db.prepare("SELECT id FROM users WHERE disabled=0");
    m_db.exec(q);
    while (q.next())
        out << q.value(0).toLongLong();
    return out;
}

std::optional<std::pair<UserRow, QString>> PeopleRepository::passwordHash(const QString &name)
{
    QSqlQuery q =
        m_db.prepare("SELECT id, name, display, disabled, pw_hash FROM users WHERE name=?");
    q.addBindValue(name);
    if (!m_db.exec(q) || !q.next())
        return {};
    return std::make_pair(readUser(q), q.value(4).toString());
}

void PeopleRepository::replacePasswordHash(qint64 userId, const QString &oldHash,
                                           const QString &newHash)
{
    QSqlQuery q = m_db.prepare("UPDATE users SET pw_hash=? WHERE id=? AND pw_hash=?");
    q.addBindValue(newHash);
    q.addBindValue(userId);
    q.addBindValue(oldHash);
    m_db.exec(q);
}

std::variant<UserRow, StoreError> PeopleRepository::verifyPassword(const QString &name,
                                                                   const QString &password)
{
    const auto row = passwordHash(name);
    const auto denied = err(proto::Err::Unauthorized, QStringLiteral("wrong username or password"));
    if (!row) {
        // Spend the same time as a real check so that names cannot be probed by timing.
        crypto::verifyPassword(password, crypto::dummyPasswordHash());
        return denied;
    }
    const auto &[u, hash] = *row;
    if (hash.isEmpty() || !crypto::verifyPassword(password, hash))
        return denied;
    if (u.disabled)
        return err(proto::Err::Forbidden, QStringLiteral("this account is disabled"));
    return u;
}

// ------------------------------------------------------------------ tokens

std::variant<QString, StoreError> PeopleRepository::issueToken(qint64 userId, qint64 serviceId,
                                                               const QString &kind,
                                                               const QString &label)
{
    const QByteArray secret = crypto::randomBytes(32).toBase64(QByteArray::Base64UrlEncoding |
                                                               QByteArray::OmitTrailingEquals);
    const auto id = m_db.insertReturningId(
        "INSERT INTO tokens(hash, kind, user_id, service_id, label, created_at)"
        " VALUES(?,?,?,?,?,?) RETURNING id",
        {crypto::tokenHash(secret), kind, sql::idOrNull(userId), sql::idOrNull(serviceId),
         sql::nn(label), sql::nowMs()},
        std::nullopt);
    if (const auto *e = std::get_if<StoreError>(&id))
        return *e;
    return QStringLiteral("hrd_%1_%2").arg(std::get<qint64>(id)).arg(QString::fromLatin1(secret));
}

std::optional<TokenRow> PeopleRepository::token(qint64 id)
{
    QSqlQuery q = m_db.prepare(QString::fromLatin1(TokenCols) + QStringLiteral(" WHERE id=?"));
    q.addBindValue(id);
    if (m_db.exec(q) && q.next())
        return readToken(q);
    return {};
}

QList<TokenRow> PeopleRepository::tokens(qint64 userId, qint64 serviceId)
{
    QList<TokenRow> out;
    QSqlQuery q = m_db.prepare(QString::fromLatin1(TokenCols) +
                               (userId > 0 ? QStringLiteral(" WHERE user_id=? ORDER BY id")
                                           : QStringLiteral(" WHERE service_id=? ORDER BY id")));
    q.addBindValue(userId > 0 ? userId : serviceId);
    m_db.exec(q);
    while (q.next())
        out << readToken(q);
    return out;
}

QList<TokenRow> PeopleRepository::allTokens()
{
    QList<TokenRow> out;
    QSqlQuery q = m_db.prepare(QString::fromLatin1(TokenCols) + QStringLiteral(" WHERE revoked=0"));
    m_db.exec(q);
    while (q.next())
        out << readToken(q);
    return out;
}

std::optional<StoreError> PeopleRepository::revokeToken(qint64 id)
{
    return m_db.changeOne("UPDATE tokens SET revoked=1 WHERE id=?", {id},
                          err(proto::Err::NotFound, QStringLiteral("no token %1").arg(id)));
}

std::optional<StoreError> PeopleRepository::recordTokenUses(const QList<TokenUse> &uses)
{
    // Never moves a time back: another node may have written a later use meanwhile.
    Atomic tx(m_db);
    if (!tx.ok())
        return sql::error(tx.error());
    QSqlQuery q = m_db.prepare("UPDATE tokens SET last_used_at=?, last_used_from=? WHERE id=?"
                               " AND (last_used_at IS NULL OR last_used_at < ?)");
    for (const TokenUse &u : uses) {
        q.addBindValue(u.at);
        q.addBindValue(sql::nn(u.from));
        q.addBindValue(u.tokenId);
        q.addBindValue(u.at);
        if (!m_db.exec(q))
            return sql::error(q);
    }
    if (!tx.commit())
        return sql::error(tx.error());
    return {};
}

int PeopleRepository::revokeUserTokens(qint64 userId)
{
    QSqlQuery q = m_db.prepare("UPDATE tokens SET revoked=1 WHERE user_id=? AND revoked=0");
    q.addBindValue(userId);
    m_db.exec(q);
    return q.numRowsAffected();
}

} // namespace herald
