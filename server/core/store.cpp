#include "store.h"

#include <herald/protocol.h>

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QPasswordDigestor>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace herald {

namespace {

constexpr int SchemaVersion = 1;

const char *const Schema[] = {
    "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, display TEXT NOT NULL"
    " DEFAULT '', pw_hash TEXT, disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)",
    "CREATE TABLE services(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, webhook_url TEXT,"
    " webhook_secret TEXT, created_at INTEGER NOT NULL)",
    "CREATE TABLE tokens(id INTEGER PRIMARY KEY, hash BLOB NOT NULL, kind TEXT NOT NULL,"
    " user_id INTEGER REFERENCES users(id), service_id INTEGER REFERENCES services(id),"
    " label TEXT NOT NULL DEFAULT '', revoked INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)",
    "CREATE TABLE rooms(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, title TEXT NOT NULL"
    " DEFAULT '', kind TEXT NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)",
    "CREATE TABLE members(room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,"
    " user_id INTEGER NOT NULL REFERENCES users(id), joined_at INTEGER NOT NULL,"
    " PRIMARY KEY(room_id, user_id)) WITHOUT ROWID",
    "CREATE TABLE messages(room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL, sender_id INTEGER NOT NULL, client_id TEXT NOT NULL, text TEXT NOT NULL,"
    " ts INTEGER NOT NULL, PRIMARY KEY(room_id, seq)) WITHOUT ROWID",
    "CREATE UNIQUE INDEX messages_dedup ON messages(room_id, sender_id, client_id)",
    "CREATE TABLE groups(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
    "CREATE TABLE group_members(group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
    " user_id INTEGER NOT NULL REFERENCES users(id), PRIMARY KEY(group_id, user_id)) WITHOUT ROWID",
    "CREATE TABLE notifications(id INTEGER PRIMARY KEY AUTOINCREMENT, service_id INTEGER NOT NULL,"
    " idem_key TEXT, title TEXT NOT NULL, body TEXT NOT NULL DEFAULT '', priority TEXT NOT NULL,"
    " category TEXT NOT NULL DEFAULT '', link TEXT NOT NULL DEFAULT '', actions TEXT NOT NULL"
    " DEFAULT '[]', source TEXT NOT NULL DEFAULT '{}', created_at INTEGER NOT NULL, expires_at INTEGER,"
    " resolved_action TEXT, resolved_by TEXT, resolved_at INTEGER)",
    "CREATE UNIQUE INDEX notifications_idem ON notifications(service_id, idem_key)"
    " WHERE idem_key IS NOT NULL",
    "CREATE TABLE inbox(user_id INTEGER NOT NULL, notif_id INTEGER NOT NULL, read_at INTEGER,"
    " PRIMARY KEY(user_id, notif_id)) WITHOUT ROWID",
    "CREATE INDEX inbox_unread ON inbox(user_id, notif_id) WHERE read_at IS NULL",
    "CREATE INDEX inbox_by_notif ON inbox(notif_id)",
    "CREATE TABLE webhooks(id INTEGER PRIMARY KEY, service_id INTEGER NOT NULL, payload BLOB NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, delivered_at INTEGER,"
    " last_error TEXT)",
    "CREATE INDEX webhooks_due ON webhooks(next_at) WHERE delivered_at IS NULL",
};

StoreError err(const char *code, const QString &message, const QString &field = {})
{
    return {QString::fromLatin1(code), message, field};
}

StoreError sqlErr(const QSqlQuery &q)
{
    const QString text = q.lastError().text();
    // SQLITE_FULL / SQLITE_READONLY / SQLITE_IOERR: the data directory cannot take writes now.
    if (text.contains(QLatin1String("full"), Qt::CaseInsensitive)
        || text.contains(QLatin1String("readonly"), Qt::CaseInsensitive)
        || text.contains(QLatin1String("read-only"), Qt::CaseInsensitive)
        || text.contains(QLatin1String("disk I/O"), Qt::CaseInsensitive))
        return err(proto::Err::Unavailable, QStringLiteral("storage cannot take writes: %1").arg(text));
    return err(proto::Err::Internal, QStringLiteral("storage error: %1").arg(text));
}

// QtSql binds a null QString as SQL NULL; text columns here are NOT NULL.
QString nn(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QSqlQuery prepare(const QSqlDatabase &db, const char *sql)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QString::fromLatin1(sql));
    return q;
}

QJsonValue parseJson(const QString &text)
{
    const QJsonDocument d = QJsonDocument::fromJson(text.toUtf8());
    if (d.isArray())
        return d.array();
    if (d.isObject())
        return d.object();
    return {};
}

QString toJsonText(const QJsonValue &v)
{
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    return {};
}

QString idsJson(const QList<qint64> &ids)
{
    QJsonArray a;
    for (qint64 id : ids)
        a.append(id);
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

} // namespace

// ------------------------------------------------------------------ crypto

namespace crypto {

QByteArray randomBytes(int n)
{
    QByteArray b(n, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(b.data()),
                                         reinterpret_cast<quint32 *>(b.data()) + n / 4);
    return b;
}

QString hashPassword(const QString &password, int iterations)
{
    const QByteArray salt = randomBytes(16);
    const QByteArray key = QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256,
                                                              password.toUtf8(), salt, iterations, 32);
    return QStringLiteral("pbkdf2-sha256$%1$%2$%3")
        .arg(iterations)
        .arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(key.toBase64()));
}

bool verifyPassword(const QString &password, const QString &encoded)
{
    const QStringList parts = encoded.split(QLatin1Char('$'));
    if (parts.size() != 4 || parts[0] != QLatin1String("pbkdf2-sha256"))
        return false;
    const int iterations = parts[1].toInt();
    if (iterations < 1)
        return false;
    const QByteArray salt = QByteArray::fromBase64(parts[2].toLatin1());
    const QByteArray expected = QByteArray::fromBase64(parts[3].toLatin1());
    const QByteArray key = QPasswordDigestor::deriveKeyPbkdf2(
        QCryptographicHash::Sha256, password.toUtf8(), salt, iterations, expected.size());
    return constantTimeEquals(key, expected);
}

QByteArray tokenHash(const QByteArray &secret)
{
    return QCryptographicHash::hash(secret, QCryptographicHash::Sha256);
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

qint64 parseToken(const QString &token, QByteArray *secret)
{
    // hrd_<id>_<secret>
    if (!token.startsWith(QLatin1String("hrd_")) || token.size() > 200)
        return 0;
    const qsizetype sep = token.indexOf(QLatin1Char('_'), 4);
    if (sep < 0)
        return 0;
    bool ok = false;
    const qint64 id = QStringView(token).mid(4, sep - 4).toLongLong(&ok);
    if (!ok || id <= 0)
        return 0;
    *secret = token.mid(sep + 1).toLatin1();
    return secret->isEmpty() ? 0 : id;
}

} // namespace crypto

// ------------------------------------------------------------------ lifecycle

Store::Store()
    : m_connection(QStringLiteral("herald-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

Store::~Store()
{
    close();
}

bool Store::isOpen() const
{
    return m_db.isValid() && m_db.isOpen();
}

std::optional<StoreError> Store::open(const QString &dataDir)
{
    if (!QDir().mkpath(dataDir))
        return err(proto::Err::Unavailable, QStringLiteral("cannot create data directory %1").arg(dataDir));
    m_path = QDir(dataDir).filePath(QStringLiteral("herald.db"));
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    m_db.setDatabaseName(m_path);
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!m_db.open())
        return err(proto::Err::Unavailable,
                   QStringLiteral("cannot open %1: %2").arg(m_path, m_db.lastError().text()));
    QSqlQuery q(m_db);
    // WAL with synchronous=FULL: a commit is on disk before anything is acknowledged.
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                               "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY"}) {
        if (!q.exec(QString::fromLatin1(pragma)))
            return sqlErr(q);
    }
    return migrate();
}

void Store::close()
{
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

std::optional<StoreError> Store::migrate()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return sqlErr(q);
    const int version = q.value(0).toInt();
    if (version > SchemaVersion)
        return err(proto::Err::Internal,
                   QStringLiteral("database schema %1 is newer than this server (%2)")
                       .arg(version).arg(SchemaVersion));
    if (version == SchemaVersion)
        return {};
    if (!m_db.transaction())
        return err(proto::Err::Unavailable, m_db.lastError().text());
    if (version < 1) {
        for (const char *sql : Schema) {
            if (!q.exec(QString::fromLatin1(sql))) {
                auto e = sqlErr(q);
                m_db.rollback();
                return e;
            }
        }
    }
    // Later versions: `if (version < 2) { ALTER TABLE ... }`, each step in this transaction.
    if (!q.exec(QStringLiteral("PRAGMA user_version=%1").arg(SchemaVersion)) || !m_db.commit()) {
        m_db.rollback();
        return sqlErr(q);
    }
    return {};
}

bool Store::begin()
{
    return m_db.transaction();
}
bool Store::commit()
{
    return m_db.commit();
}
void Store::rollback()
{
    m_db.rollback();
}
bool Store::savepoint()
{
    return QSqlQuery(m_db).exec(QStringLiteral("SAVEPOINT job"));
}
bool Store::releaseSavepoint()
{
    return QSqlQuery(m_db).exec(QStringLiteral("RELEASE SAVEPOINT job"));
}
void Store::rollbackSavepoint()
{
    QSqlQuery q(m_db);
    q.exec(QStringLiteral("ROLLBACK TO SAVEPOINT job"));
    q.exec(QStringLiteral("RELEASE SAVEPOINT job"));
}
QString Store::lastError() const
{
    return m_db.lastError().text();
}

QString Store::integrityCheck(const QString &dataDir)
{
    Store s;
    if (auto e = s.open(dataDir))
        return e->message;
    QSqlQuery q(s.m_db);
    if (!q.exec(QStringLiteral("PRAGMA integrity_check")) || !q.next())
        return q.lastError().text();
    return q.value(0).toString();
}

// ------------------------------------------------------------------ users and tokens

std::variant<qint64, StoreError> Store::createUser(const QString &name, const QString &display,
                                                   const QString &password)
{
    if (!proto::isValidName(name) || name.startsWith(QLatin1String("dm")))
        return err(proto::Err::BadValue,
                   QStringLiteral("user name must be 1-64 of a-z 0-9 . _ - (not starting with dm)"),
                   QStringLiteral("name"));
    if (user(name))
        return err(proto::Err::Conflict, QStringLiteral("user '%1' already exists").arg(name), QStringLiteral("name"));
    QSqlQuery q = prepare(m_db, "INSERT INTO users(name, display, pw_hash, created_at) VALUES(?,?,?,?)");
    q.addBindValue(name);
    q.addBindValue(display.isEmpty() ? name : display);
    q.addBindValue(password.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : crypto::hashPassword(password));
    q.addBindValue(nowMs());
    if (!q.exec())
        return sqlErr(q);
    return q.lastInsertId().toLongLong();
}

std::optional<StoreError> Store::setPassword(const QString &name, const QString &password)
{
    if (password.size() < 8)
        return err(proto::Err::BadValue, QStringLiteral("password must have at least 8 characters"),
                   QStringLiteral("password"));
    QSqlQuery q = prepare(m_db, "UPDATE users SET pw_hash=? WHERE name=?");
    q.addBindValue(crypto::hashPassword(password));
    q.addBindValue(name);
    if (!q.exec())
        return sqlErr(q);
    if (q.numRowsAffected() == 0)
        return err(proto::Err::NotFound, QStringLiteral("no user '%1'").arg(name));
    return {};
}

std::optional<StoreError> Store::setDisabled(const QString &name, bool disabled)
{
    QSqlQuery q = prepare(m_db, "UPDATE users SET disabled=? WHERE name=?");
    q.addBindValue(disabled ? 1 : 0);
    q.addBindValue(name);
    if (!q.exec())
        return sqlErr(q);
    if (q.numRowsAffected() == 0)
        return err(proto::Err::NotFound, QStringLiteral("no user '%1'").arg(name));
    return {};
}

namespace {
UserRow readUser(const QSqlQuery &q)
{
    return {q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), q.value(3).toBool()};
}
} // namespace

std::optional<UserRow> Store::user(const QString &name)
{
    QSqlQuery q = prepare(m_db, "SELECT id, name, display, disabled FROM users WHERE name=?");
    q.addBindValue(name);
    if (q.exec() && q.next())
        return readUser(q);
    return {};
}

std::optional<UserRow> Store::userById(qint64 id)
{
    QSqlQuery q = prepare(m_db, "SELECT id, name, display, disabled FROM users WHERE id=?");
    q.addBindValue(id);
    if (q.exec() && q.next())
        return readUser(q);
    return {};
}

QList<UserRow> Store::users()
{
    QList<UserRow> out;
    QSqlQuery q = prepare(m_db, "SELECT id, name, display, disabled FROM users ORDER BY name");
    q.exec();
    while (q.next())
        out << readUser(q);
    return out;
}

std::optional<std::pair<UserRow, QString>> Store::passwordHash(const QString &name)
{
    QSqlQuery q = prepare(m_db, "SELECT id, name, display, disabled, pw_hash FROM users WHERE name=?");
    q.addBindValue(name);
    if (!q.exec() || !q.next())
        return {};
    return std::make_pair(readUser(q), q.value(4).toString());
}

std::variant<UserRow, StoreError> Store::verifyPassword(const QString &name, const QString &password)
{
    QSqlQuery q = prepare(m_db, "SELECT id, name, display, disabled, pw_hash FROM users WHERE name=?");
    q.addBindValue(name);
    const auto denied = err(proto::Err::Unauthorized, QStringLiteral("wrong username or password"));
    if (!q.exec() || !q.next()) {
        // Spend the same time as a real check so that names cannot be probed by timing.
        crypto::verifyPassword(password, crypto::hashPassword(QString()));
        return denied;
    }
    const UserRow u = readUser(q);
    const QString hash = q.value(4).toString();
    if (hash.isEmpty() || !crypto::verifyPassword(password, hash))
        return denied;
    if (u.disabled)
        return err(proto::Err::Forbidden, QStringLiteral("this account is disabled"));
    return u;
}

std::variant<QString, StoreError> Store::issueToken(qint64 userId, qint64 serviceId, const QString &kind,
                                                    const QString &label)
{
    const QByteArray secret = crypto::randomBytes(32).toBase64(QByteArray::Base64UrlEncoding
                                                               | QByteArray::OmitTrailingEquals);
    QSqlQuery q = prepare(m_db, "INSERT INTO tokens(hash, kind, user_id, service_id, label, created_at)"
                                " VALUES(?,?,?,?,?,?)");
    q.addBindValue(crypto::tokenHash(secret));
    q.addBindValue(kind);
    q.addBindValue(userId > 0 ? QVariant(userId) : QVariant(QMetaType(QMetaType::LongLong)));
    q.addBindValue(serviceId > 0 ? QVariant(serviceId) : QVariant(QMetaType(QMetaType::LongLong)));
    q.addBindValue(nn(label));
    q.addBindValue(nowMs());
    if (!q.exec())
        return sqlErr(q);
    return QStringLiteral("hrd_%1_%2").arg(q.lastInsertId().toLongLong()).arg(QString::fromLatin1(secret));
}

namespace {
constexpr char TokenCols[] = "SELECT id, hash, user_id, service_id, kind, label, revoked, created_at FROM tokens";
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
    return t;
}
} // namespace

std::optional<TokenRow> Store::token(qint64 id)
{
    QSqlQuery q(m_db);
    q.prepare(QString::fromLatin1(TokenCols) + QStringLiteral(" WHERE id=?"));
    q.addBindValue(id);
    if (q.exec() && q.next())
        return readToken(q);
    return {};
}

QList<TokenRow> Store::tokens(qint64 userId, qint64 serviceId)
{
    QList<TokenRow> out;
    QSqlQuery q(m_db);
    q.prepare(QString::fromLatin1(TokenCols)
              + (userId > 0 ? QStringLiteral(" WHERE user_id=? ORDER BY id") : QStringLiteral(" WHERE service_id=? ORDER BY id")));
    q.addBindValue(userId > 0 ? userId : serviceId);
    q.exec();
    while (q.next())
        out << readToken(q);
    return out;
}

QList<TokenRow> Store::allTokens()
{
    QList<TokenRow> out;
    QSqlQuery q(m_db);
    q.exec(QString::fromLatin1(TokenCols) + QStringLiteral(" WHERE revoked=0"));
    while (q.next())
        out << readToken(q);
    return out;
}

std::optional<StoreError> Store::revokeToken(qint64 id)
{
    QSqlQuery q = prepare(m_db, "UPDATE tokens SET revoked=1 WHERE id=?");
    q.addBindValue(id);
    if (!q.exec())
        return sqlErr(q);
    if (q.numRowsAffected() == 0)
        return err(proto::Err::NotFound, QStringLiteral("no token %1").arg(id));
    return {};
}

int Store::revokeUserTokens(qint64 userId)
{
    QSqlQuery q = prepare(m_db, "UPDATE tokens SET revoked=1 WHERE user_id=? AND revoked=0");
    q.addBindValue(userId);
    q.exec();
    return q.numRowsAffected();
}

// ------------------------------------------------------------------ services

std::variant<qint64, StoreError> Store::createService(const QString &name, const QString &webhookUrl,
                                                      const QString &secret)
{
    if (!proto::isValidName(name))
        return err(proto::Err::BadValue, QStringLiteral("service name must be 1-64 of a-z 0-9 . _ -"),
                   QStringLiteral("name"));
    QSqlQuery q = prepare(m_db, "INSERT INTO services(name, webhook_url, webhook_secret, created_at)"
                                " VALUES(?,?,?,?)");
    q.addBindValue(name);
    q.addBindValue(webhookUrl);
    q.addBindValue(secret);
    q.addBindValue(nowMs());
    if (!q.exec()) {
        if (q.lastError().text().contains(QLatin1String("UNIQUE")))
            return err(proto::Err::Conflict, QStringLiteral("service '%1' already exists").arg(name));
        return sqlErr(q);
    }
    return q.lastInsertId().toLongLong();
}

std::optional<StoreError> Store::setWebhook(const QString &name, const QString &url, const QString &secret)
{
    QSqlQuery q = prepare(m_db, "UPDATE services SET webhook_url=?, webhook_secret=? WHERE name=?");
    q.addBindValue(url);
    q.addBindValue(secret);
    q.addBindValue(name);
    if (!q.exec())
        return sqlErr(q);
    if (q.numRowsAffected() == 0)
        return err(proto::Err::NotFound, QStringLiteral("no service '%1'").arg(name));
    return {};
}

QJsonArray Store::services()
{
    QJsonArray out;
    QSqlQuery q = prepare(m_db, "SELECT id, name, webhook_url, webhook_secret IS NOT NULL AND"
                                " webhook_secret != '' FROM services ORDER BY name");
    q.exec();
    while (q.next())
        out.append(QJsonObject{{QStringLiteral("id"), q.value(0).toLongLong()},
                               {QStringLiteral("name"), q.value(1).toString()},
                               {QStringLiteral("webhook"), q.value(2).toString()},
                               {QStringLiteral("signed"), q.value(3).toBool()}});
    return out;
}

std::optional<QJsonObject> Store::service(qint64 id)
{
    QSqlQuery q = prepare(m_db, "SELECT name, webhook_url, webhook_secret FROM services WHERE id=?");
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return {};
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("name"), q.value(0).toString()},
                       {QStringLiteral("webhook"), q.value(1).toString()},
                       {QStringLiteral("secret"), q.value(2).toString()}};
}

// ------------------------------------------------------------------ rooms

std::variant<qint64, StoreError> Store::createRoom(const QString &name, const QString &title,
                                                   const QString &kind)
{
    if (kind != QLatin1String("dm") && (!proto::isValidName(name) || name.startsWith(QLatin1String("dm"))))
        return err(proto::Err::BadValue,
                   QStringLiteral("room name must be 1-64 of a-z 0-9 . _ - (not starting with dm)"),
                   QStringLiteral("name"));
    if (kind != QLatin1String("public") && kind != QLatin1String("private") && kind != QLatin1String("dm"))
        return err(proto::Err::BadValue, QStringLiteral("room kind must be public or private"), QStringLiteral("kind"));
    if (title.size() > 200)
        return err(proto::Err::TooLong, QStringLiteral("title is longer than 200"), QStringLiteral("title"));
    QSqlQuery q = prepare(m_db, "INSERT INTO rooms(name, title, kind, created_at) VALUES(?,?,?,?)");
    q.addBindValue(name);
    q.addBindValue(nn(title));
    q.addBindValue(kind);
    q.addBindValue(nowMs());
    if (!q.exec()) {
        if (q.lastError().text().contains(QLatin1String("UNIQUE")))
            return err(proto::Err::Conflict, QStringLiteral("room '%1' already exists").arg(name), QStringLiteral("name"));
        return sqlErr(q);
    }
    return q.lastInsertId().toLongLong();
}

std::optional<StoreError> Store::deleteRoom(const QString &name)
{
    QSqlQuery q = prepare(m_db, "DELETE FROM rooms WHERE name=?");
    q.addBindValue(name);
    if (!q.exec())
        return sqlErr(q);
    if (q.numRowsAffected() == 0)
        return err(proto::Err::NotFound, QStringLiteral("no room '%1'").arg(name));
    return {};
}

QList<RoomRow> Store::rooms()
{
    QHash<qint64, RoomRow> byId;
    QList<qint64> order;
    QSqlQuery q = prepare(m_db, "SELECT id, name, title, kind, last_seq FROM rooms ORDER BY name");
    q.exec();
    while (q.next()) {
        RoomRow r{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(),
                  q.value(3).toString(), q.value(4).toLongLong(), {}};
        order << r.id;
        byId.insert(r.id, r);
    }
    QSqlQuery m = prepare(m_db, "SELECT room_id, user_id FROM members");
    m.exec();
    while (m.next()) {
        auto it = byId.find(m.value(0).toLongLong());
        if (it != byId.end())
            it->members << m.value(1).toLongLong();
    }
    QList<RoomRow> out;
    for (qint64 id : order)
        out << byId.value(id);
    return out;
}

std::optional<RoomRow> Store::room(const QString &name)
{
    QSqlQuery q = prepare(m_db, "SELECT id, name, title, kind, last_seq FROM rooms WHERE name=?");
    q.addBindValue(name);
    if (!q.exec() || !q.next())
        return {};
    RoomRow r{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(),
              q.value(3).toString(), q.value(4).toLongLong(), {}};
    QSqlQuery m = prepare(m_db, "SELECT user_id FROM members WHERE room_id=?");
    m.addBindValue(r.id);
    m.exec();
    while (m.next())
        r.members << m.value(0).toLongLong();
    return r;
}

std::optional<StoreError> Store::addMember(qint64 roomId, qint64 userId)
{
    QSqlQuery q = prepare(m_db, "INSERT OR IGNORE INTO members(room_id, user_id, joined_at) VALUES(?,?,?)");
    q.addBindValue(roomId);
    q.addBindValue(userId);
    q.addBindValue(nowMs());
    if (!q.exec())
        return sqlErr(q);
    return {};
}

std::optional<StoreError> Store::removeMember(qint64 roomId, qint64 userId)
{
    QSqlQuery q = prepare(m_db, "DELETE FROM members WHERE room_id=? AND user_id=?");
    q.addBindValue(roomId);
    q.addBindValue(userId);
    if (!q.exec())
        return sqlErr(q);
    return {};
}

std::variant<RoomRow, StoreError> Store::openDm(qint64 a, qint64 b)
{
    const auto ua = userById(a);
    const auto ub = userById(b);
    if (!ua || !ub)
        return err(proto::Err::NotFound, QStringLiteral("no such user"), QStringLiteral("user"));
    const QString first = std::min(ua->name, ub->name);
    const QString second = std::max(ua->name, ub->name);
    const QString name = QStringLiteral("dm:") + first + QLatin1Char(':') + second;
    if (auto r = room(name))
        return *r;
    auto id = createRoom(name, QString(), QStringLiteral("dm"));
    if (auto *e = std::get_if<StoreError>(&id))
        return *e;
    for (qint64 u : {a, b})
        if (auto e = addMember(std::get<qint64>(id), u))
            return *e;
    return *room(name);
}

// ------------------------------------------------------------------ messages

std::variant<StoredMessage, StoreError> Store::storeMessage(qint64 roomId, qint64 senderId,
                                                            const QString &clientId, const QString &text,
                                                            qint64 ts)
{
    QSqlQuery dup = prepare(m_db, "SELECT seq, ts FROM messages WHERE room_id=? AND sender_id=? AND client_id=?");
    dup.addBindValue(roomId);
    dup.addBindValue(senderId);
    dup.addBindValue(clientId);
    if (!dup.exec())
        return sqlErr(dup);
    if (dup.next())
        return StoredMessage{dup.value(0).toLongLong(), dup.value(1).toLongLong(), true};
    // The room's counter advances in the same transaction as the insert: gap-free, commit-ordered.
    QSqlQuery seq = prepare(m_db, "UPDATE rooms SET last_seq = last_seq + 1 WHERE id=? RETURNING last_seq");
    seq.addBindValue(roomId);
    if (!seq.exec())
        return sqlErr(seq);
    if (!seq.next())
        return err(proto::Err::NotFound, QStringLiteral("room is gone"), QStringLiteral("room"));
    const qint64 n = seq.value(0).toLongLong();
    seq.finish();
    QSqlQuery ins = prepare(m_db, "INSERT INTO messages(room_id, seq, sender_id, client_id, text, ts)"
                                  " VALUES(?,?,?,?,?,?)");
    ins.addBindValue(roomId);
    ins.addBindValue(n);
    ins.addBindValue(senderId);
    ins.addBindValue(clientId);
    ins.addBindValue(nn(text));
    ins.addBindValue(ts);
    if (!ins.exec())
        return sqlErr(ins);
    return StoredMessage{n, ts, false};
}

QJsonArray Store::history(qint64 roomId, qint64 before, qint64 after, int limit, bool *hasMore,
                          bool oldestFirst)
{
    // Newest page below `before` unless only `after` is given (then oldest page above it).
    const bool forward = oldestFirst || (after > 0 && before <= 0);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT m.seq, u.name, m.text, m.ts, m.client_id, r.name FROM messages m"
                             " JOIN users u ON u.id = m.sender_id JOIN rooms r ON r.id = m.room_id"
                             " WHERE m.room_id=? AND m.seq > ? AND m.seq < ? ORDER BY m.seq ")
              + (forward ? QStringLiteral("ASC") : QStringLiteral("DESC")) + QStringLiteral(" LIMIT ?"));
    q.addBindValue(roomId);
    q.addBindValue(std::max<qint64>(after, 0));
    q.addBindValue(before > 0 ? before : std::numeric_limits<qint64>::max());
    q.addBindValue(limit + 1);
    q.exec();
    QList<QJsonObject> rows;
    while (q.next())
        rows << QJsonObject{{QStringLiteral("type"), QStringLiteral("message")},
                            {QStringLiteral("room"), q.value(5).toString()},
                            {QStringLiteral("seq"), q.value(0).toLongLong()},
                            {QStringLiteral("from"), q.value(1).toString()},
                            {QStringLiteral("text"), q.value(2).toString()},
                            {QStringLiteral("ts"), q.value(3).toLongLong()},
                            {QStringLiteral("clientId"), q.value(4).toString()}};
    if (hasMore)
        *hasMore = rows.size() > limit;
    if (rows.size() > limit)
        rows.removeLast();
    if (!forward)
        std::reverse(rows.begin(), rows.end());
    QJsonArray out;
    for (const QJsonObject &r : rows)
        out.append(r);
    return out;
}

// ------------------------------------------------------------------ groups

std::variant<qint64, StoreError> Store::createGroup(const QString &name)
{
    if (!proto::isValidName(name))
        return err(proto::Err::BadValue, QStringLiteral("group name must be 1-64 of a-z 0-9 . _ -"), QStringLiteral("name"));
    QSqlQuery q = prepare(m_db, "INSERT INTO groups(name) VALUES(?)");
    q.addBindValue(name);
    if (!q.exec()) {
        if (q.lastError().text().contains(QLatin1String("UNIQUE")))
            return err(proto::Err::Conflict, QStringLiteral("group '%1' already exists").arg(name));
        return sqlErr(q);
    }
    return q.lastInsertId().toLongLong();
}

std::optional<StoreError> Store::deleteGroup(const QString &name)
{
    QSqlQuery q = prepare(m_db, "DELETE FROM groups WHERE name=?");
    q.addBindValue(name);
    if (!q.exec())
        return sqlErr(q);
    if (q.numRowsAffected() == 0)
        return err(proto::Err::NotFound, QStringLiteral("no group '%1'").arg(name));
    return {};
}

std::optional<StoreError> Store::setGroupMember(const QString &group, const QString &userName, bool member)
{
    QSqlQuery g = prepare(m_db, "SELECT id FROM groups WHERE name=?");
    g.addBindValue(group);
    if (!g.exec() || !g.next())
        return err(proto::Err::NotFound, QStringLiteral("no group '%1'").arg(group));
    const auto u = user(userName);
    if (!u)
        return err(proto::Err::NotFound, QStringLiteral("no user '%1'").arg(userName));
    QSqlQuery q = prepare(m_db, member ? "INSERT OR IGNORE INTO group_members(group_id, user_id) VALUES(?,?)"
                                       : "DELETE FROM group_members WHERE group_id=? AND user_id=?");
    q.addBindValue(g.value(0).toLongLong());
    q.addBindValue(u->id);
    if (!q.exec())
        return sqlErr(q);
    return {};
}

QJsonArray Store::groups()
{
    QJsonArray out;
    QSqlQuery q = prepare(m_db, "SELECT g.name, (SELECT COUNT(*) FROM group_members m WHERE m.group_id=g.id)"
                                " FROM groups g ORDER BY g.name");
    q.exec();
    while (q.next())
        out.append(QJsonObject{{QStringLiteral("name"), q.value(0).toString()},
                               {QStringLiteral("members"), q.value(1).toLongLong()}});
    return out;
}

// ------------------------------------------------------------------ notifications

namespace {
constexpr char NotifCols[] = "n.id, n.title, n.body, n.priority, n.category, n.link, n.actions, n.source,"
                             " n.created_at, n.expires_at, n.resolved_action, n.resolved_by, n.resolved_at,"
                             " s.name";
}

QJsonObject Store::notificationJson(const QSqlQuery &q, int c) const
{
    QJsonObject source = parseJson(q.value(c + 7).toString()).toObject();
    source.insert(QStringLiteral("service"), q.value(c + 13).toString());
    QJsonObject n{{QStringLiteral("id"), q.value(c).toLongLong()},
                  {QStringLiteral("title"), q.value(c + 1).toString()},
                  {QStringLiteral("body"), q.value(c + 2).toString()},
                  {QStringLiteral("priority"), q.value(c + 3).toString()},
                  {QStringLiteral("category"), q.value(c + 4).toString()},
                  {QStringLiteral("link"), q.value(c + 5).toString()},
                  {QStringLiteral("actions"), parseJson(q.value(c + 6).toString()).toArray()},
                  {QStringLiteral("source"), source},
                  {QStringLiteral("createdAt"), q.value(c + 8).toLongLong()},
                  {QStringLiteral("expiresAt"), q.value(c + 9).isNull() ? QJsonValue() : QJsonValue(q.value(c + 9).toLongLong())}};
    n.insert(QStringLiteral("resolved"),
             q.value(c + 10).isNull() ? QJsonValue()
                                      : QJsonObject{{QStringLiteral("action"), q.value(c + 10).toString()},
                                                    {QStringLiteral("by"), q.value(c + 11).toString()},
                                                    {QStringLiteral("at"), q.value(c + 12).toLongLong()}});
    return n;
}

std::variant<PublishResult, StoreError> Store::publish(qint64 serviceId, const QJsonObject &p,
                                                       const Recipients &to, qint64 now)
{
    const QString idem = p.value(QStringLiteral("idempotencyKey")).toString();
    if (!idem.isEmpty()) {
        QSqlQuery q = prepare(m_db, "SELECT id FROM notifications WHERE service_id=? AND idem_key=?");
        q.addBindValue(serviceId);
        q.addBindValue(idem);
        if (!q.exec())
            return sqlErr(q);
        if (q.next()) {
            PublishResult r;
            r.id = q.value(0).toLongLong();
            r.duplicate = true;
            return r;
        }
    }
    // Resolve recipients now: a group's members at publish time.
    QSet<qint64> ids;
    if (to.everyone) {
        QSqlQuery q = prepare(m_db, "SELECT id FROM users WHERE disabled=0");
        q.exec();
        while (q.next())
            ids.insert(q.value(0).toLongLong());
    }
    for (const QString &name : to.users) {
        const auto u = user(name);
        if (!u)
            return err(proto::Err::NotFound, QStringLiteral("no user '%1'").arg(name), QStringLiteral("recipients.users"));
        if (!u->disabled)
            ids.insert(u->id);
    }
    for (const QString &name : to.groups) {
        QSqlQuery g = prepare(m_db, "SELECT id FROM groups WHERE name=?");
        g.addBindValue(name);
        if (!g.exec() || !g.next())
            return err(proto::Err::NotFound, QStringLiteral("no group '%1'").arg(name), QStringLiteral("recipients.groups"));
        QSqlQuery m = prepare(m_db, "SELECT m.user_id FROM group_members m JOIN users u ON u.id=m.user_id"
                                    " WHERE m.group_id=? AND u.disabled=0");
        m.addBindValue(g.value(0).toLongLong());
        m.exec();
        while (m.next())
            ids.insert(m.value(0).toLongLong());
    }
    QSqlQuery ins = prepare(m_db, "INSERT INTO notifications(service_id, idem_key, title, body, priority,"
                                  " category, link, actions, source, created_at, expires_at)"
                                  " VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    ins.addBindValue(serviceId);
    ins.addBindValue(idem.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(idem));
    ins.addBindValue(nn(p.value(QStringLiteral("title")).toString()));
    ins.addBindValue(nn(p.value(QStringLiteral("body")).toString()));
    ins.addBindValue(p.value(QStringLiteral("priority")).toString(QStringLiteral("normal")));
    ins.addBindValue(nn(p.value(QStringLiteral("category")).toString()));
    ins.addBindValue(nn(p.value(QStringLiteral("link")).toString()));
    ins.addBindValue(toJsonText(p.value(QStringLiteral("actions")).toArray()));
    ins.addBindValue(toJsonText(p.value(QStringLiteral("source")).toObject()));
    ins.addBindValue(now);
    const QJsonValue exp = p.value(QStringLiteral("expiresAt"));
    ins.addBindValue(exp.isDouble() ? QVariant(static_cast<qint64>(exp.toDouble())) : QVariant(QMetaType(QMetaType::LongLong)));
    if (!ins.exec())
        return sqlErr(ins);
    PublishResult r;
    r.id = ins.lastInsertId().toLongLong();
    r.userIds = QList<qint64>(ids.begin(), ids.end());
    std::sort(r.userIds.begin(), r.userIds.end());
    // One statement for every inbox row, however many recipients.
    QSqlQuery inbox = prepare(m_db, "INSERT INTO inbox(user_id, notif_id) SELECT value, ? FROM json_each(?)");
    inbox.addBindValue(r.id);
    inbox.addBindValue(idsJson(r.userIds));
    if (!inbox.exec())
        return sqlErr(inbox);
    QSqlQuery n(m_db);
    n.prepare(QStringLiteral("SELECT ") + QString::fromLatin1(NotifCols)
              + QStringLiteral(" FROM notifications n JOIN services s ON s.id=n.service_id WHERE n.id=?"));
    n.addBindValue(r.id);
    if (!n.exec() || !n.next())
        return sqlErr(n);
    r.notification = notificationJson(n, 0);
    r.notification.insert(QStringLiteral("read"), false);
    return r;
}

QJsonArray Store::notifications(qint64 userId, qint64 before, qint64 after, int limit, bool unreadOnly,
                                qint64 now, bool *hasMore, bool oldestFirst)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT ") + QString::fromLatin1(NotifCols)
              + QStringLiteral(", i.read_at FROM inbox i JOIN notifications n ON n.id=i.notif_id"
                               " JOIN services s ON s.id=n.service_id"
                               " WHERE i.user_id=? AND i.notif_id < ? AND i.notif_id > ?"
                               " AND (n.expires_at IS NULL OR n.expires_at > ?)")
              + (unreadOnly ? QStringLiteral(" AND i.read_at IS NULL") : QString())
              + (oldestFirst || (after > 0 && before <= 0) ? QStringLiteral(" ORDER BY i.notif_id ASC LIMIT ?")
                                          : QStringLiteral(" ORDER BY i.notif_id DESC LIMIT ?")));
    q.addBindValue(userId);
    q.addBindValue(before > 0 ? before : std::numeric_limits<qint64>::max());
    q.addBindValue(std::max<qint64>(after, 0));
    q.addBindValue(now);
    q.addBindValue(limit + 1);
    q.exec();
    QJsonArray out;
    while (q.next()) {
        if (out.size() == limit) {
            if (hasMore)
                *hasMore = true;
            return out;
        }
        QJsonObject n = notificationJson(q, 0);
        n.insert(QStringLiteral("read"), !q.value(14).isNull());
        out.append(n);
    }
    if (hasMore)
        *hasMore = false;
    return out;
}

qint64 Store::unreadCount(qint64 userId, qint64 now)
{
    QSqlQuery q = prepare(m_db, "SELECT COUNT(*) FROM inbox i JOIN notifications n ON n.id=i.notif_id"
                                " WHERE i.user_id=? AND i.read_at IS NULL"
                                " AND (n.expires_at IS NULL OR n.expires_at > ?)");
    q.addBindValue(userId);
    q.addBindValue(now);
    if (q.exec() && q.next())
        return q.value(0).toLongLong();
    return 0;
}

qint64 Store::lastNotificationId(qint64 userId)
{
    QSqlQuery q = prepare(m_db, "SELECT MAX(notif_id) FROM inbox WHERE user_id=?");
    q.addBindValue(userId);
    if (q.exec() && q.next())
        return q.value(0).toLongLong();
    return 0;
}

QList<qint64> Store::markRead(qint64 userId, const QList<qint64> &ids, qint64 now)
{
    QList<qint64> changed;
    QSqlQuery q = prepare(m_db, "UPDATE inbox SET read_at=? WHERE user_id=? AND notif_id IN"
                                " (SELECT value FROM json_each(?)) AND read_at IS NULL RETURNING notif_id");
    q.addBindValue(now);
    q.addBindValue(userId);
    q.addBindValue(idsJson(ids));
    q.exec();
    while (q.next())
        changed << q.value(0).toLongLong();
    std::sort(changed.begin(), changed.end());
    return changed;
}

qint64 Store::markAllRead(qint64 userId, qint64 now)
{
    QSqlQuery q = prepare(m_db, "UPDATE inbox SET read_at=? WHERE user_id=? AND read_at IS NULL");
    q.addBindValue(now);
    q.addBindValue(userId);
    q.exec();
    return q.numRowsAffected();
}

std::variant<Store::ActionResult, StoreError> Store::act(qint64 userId, qint64 notificationId,
                                                         const QString &action, qint64 now)
{
    QSqlQuery q = prepare(m_db, "SELECT n.actions, n.resolved_action, n.resolved_by, n.resolved_at, n.service_id,"
                                " n.idem_key, n.category, n.source FROM inbox i JOIN notifications n"
                                " ON n.id=i.notif_id WHERE i.user_id=? AND i.notif_id=?");
    q.addBindValue(userId);
    q.addBindValue(notificationId);
    if (!q.exec())
        return sqlErr(q);
    if (!q.next())
        return err(proto::Err::NotFound, QStringLiteral("no notification %1 for you").arg(notificationId),
                   QStringLiteral("notification"));
    bool known = false;
    for (const QJsonValue &a : parseJson(q.value(0).toString()).toArray())
        known = known || a.toObject().value(QStringLiteral("id")).toString() == action;
    if (!known)
        return err(proto::Err::BadValue, QStringLiteral("notification has no action '%1'").arg(action),
                   QStringLiteral("action"));
    ActionResult r;
    if (!q.value(1).isNull()) {
        r.resolved = {{QStringLiteral("action"), q.value(1).toString()},
                      {QStringLiteral("by"), q.value(2).toString()},
                      {QStringLiteral("at"), q.value(3).toLongLong()}};
        return r; // someone was first
    }
    const qint64 serviceId = q.value(4).toLongLong();
    const QString idem = q.value(5).toString();
    const QString category = q.value(6).toString();
    const QJsonObject source = parseJson(q.value(7).toString()).toObject();
    const auto u = userById(userId);
    QSqlQuery up = prepare(m_db, "UPDATE notifications SET resolved_action=?, resolved_by=?, resolved_at=?"
                                 " WHERE id=? AND resolved_action IS NULL");
    up.addBindValue(action);
    up.addBindValue(u ? u->name : QString());
    up.addBindValue(now);
    up.addBindValue(notificationId);
    if (!up.exec())
        return sqlErr(up);
    r.won = up.numRowsAffected() == 1;
    r.resolved = {{QStringLiteral("action"), action},
                  {QStringLiteral("by"), u ? u->name : QString()},
                  {QStringLiteral("at"), now}};
    markRead(userId, {notificationId}, now);
    QSqlQuery rec = prepare(m_db, "SELECT user_id FROM inbox WHERE notif_id=?");
    rec.addBindValue(notificationId);
    rec.exec();
    while (rec.next())
        r.recipientIds << rec.value(0).toLongLong();
    // The outbox row commits with the action, so a restart cannot lose the webhook.
    const auto svc = service(serviceId);
    if (svc && !svc->value(QStringLiteral("webhook")).toString().isEmpty()) {
        const QJsonObject payload{{QStringLiteral("event"), QStringLiteral("notification.action")},
                                  {QStringLiteral("notification"), notificationId},
                                  {QStringLiteral("idempotencyKey"), idem.isEmpty() ? QJsonValue() : QJsonValue(idem)},
                                  {QStringLiteral("category"), category},
                                  {QStringLiteral("source"), source},
                                  {QStringLiteral("action"), action},
                                  {QStringLiteral("user"), u ? u->name : QString()},
                                  {QStringLiteral("at"), now}};
        QSqlQuery w = prepare(m_db, "INSERT INTO webhooks(service_id, payload, next_at) VALUES(?,?,?)");
        w.addBindValue(serviceId);
        w.addBindValue(QJsonDocument(payload).toJson(QJsonDocument::Compact));
        w.addBindValue(now);
        if (!w.exec())
            return sqlErr(w);
    }
    return r;
}

std::optional<QJsonObject> Store::notificationForService(qint64 id, qint64 serviceId)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT ") + QString::fromLatin1(NotifCols)
              + QStringLiteral(", (SELECT COUNT(*) FROM inbox i WHERE i.notif_id=n.id),"
                               " (SELECT COUNT(*) FROM inbox i WHERE i.notif_id=n.id AND i.read_at IS NOT NULL)"
                               " FROM notifications n JOIN services s ON s.id=n.service_id"
                               " WHERE n.id=? AND n.service_id=?"));
    q.addBindValue(id);
    q.addBindValue(serviceId);
    if (!q.exec() || !q.next())
        return {};
    QJsonObject n = notificationJson(q, 0);
    n.insert(QStringLiteral("recipients"), q.value(14).toLongLong());
    n.insert(QStringLiteral("readBy"), q.value(15).toLongLong());
    return n;
}

QList<Store::Webhook> Store::dueWebhooks(qint64 now, int limit)
{
    QList<Webhook> out;
    QSqlQuery q = prepare(m_db, "SELECT w.id, s.webhook_url, s.webhook_secret, w.payload, w.attempts"
                                " FROM webhooks w JOIN services s ON s.id=w.service_id"
                                " WHERE w.delivered_at IS NULL AND w.next_at <= ? ORDER BY w.next_at LIMIT ?");
    q.addBindValue(now);
    q.addBindValue(limit);
    q.exec();
    while (q.next())
        out << Webhook{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(),
                       q.value(3).toByteArray(), q.value(4).toInt()};
    return out;
}

void Store::webhookDone(qint64 id, qint64 now)
{
    QSqlQuery q = prepare(m_db, "UPDATE webhooks SET delivered_at=?, attempts=attempts+1 WHERE id=?");
    q.addBindValue(now);
    q.addBindValue(id);
    q.exec();
}

void Store::webhookFailed(qint64 id, qint64 nextAt, const QString &error)
{
    QSqlQuery q = prepare(m_db, "UPDATE webhooks SET next_at=?, attempts=attempts+1, last_error=? WHERE id=?");
    q.addBindValue(nextAt);
    q.addBindValue(error.left(500));
    q.addBindValue(id);
    q.exec();
}

} // namespace herald
