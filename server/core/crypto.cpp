#include "crypto.h"

#include <QCryptographicHash>
#include <QPasswordDigestor>
#include <QRandomGenerator>
#include <QStringList>

#include <sodium.h>

namespace herald {

namespace crypto {

QByteArray randomBytes(int n)
{
    QByteArray b(n, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(b.data()),
                                         reinterpret_cast<quint32 *>(b.data()) + n / 4);
    return b;
}

namespace {

constexpr auto Pbkdf2Prefix = QLatin1String("pbkdf2-sha256$");

bool sodiumReady()
{
    // sodium_init() is thread-safe and idempotent; once per process is enough.
    static const bool ready = sodium_init() >= 0;
    return ready;
}

bool verifyPbkdf2(const QString &password, const QString &encoded)
{
    const QStringList parts = encoded.split(QLatin1Char('$'));
    if (parts.size() != 4)
        return false;
    const int iterations = parts[1].toInt();
    if (iterations < 1 || iterations > 10000000)
        return false;
    const QByteArray salt = QByteArray::fromBase64(parts[2].toLatin1());
    const QByteArray expected = QByteArray::fromBase64(parts[3].toLatin1());
    if (expected.isEmpty())
        return false;
    const QByteArray key = QPasswordDigestor::deriveKeyPbkdf2(
        QCryptographicHash::Sha256, password.toUtf8(), salt, iterations, expected.size());
    return constantTimeEquals(key, expected);
}

} // namespace

QString hashPassword(const QString &password)
{
    if (!sodiumReady())
        qFatal("libsodium could not be initialised");
    const QByteArray utf8 = password.toUtf8();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, utf8.constData(), static_cast<unsigned long long>(utf8.size()),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        qFatal("Argon2id hashing ran out of memory (it needs %zu bytes)",
               static_cast<size_t>(crypto_pwhash_MEMLIMIT_INTERACTIVE));
    return QString::fromLatin1(out);
}

QString legacyPbkdf2Hash(const QString &password, int iterations)
{
    const QByteArray salt = randomBytes(16);
    const QByteArray key = QPasswordDigestor::deriveKeyPbkdf2(
        QCryptographicHash::Sha256, password.toUtf8(), salt, iterations, 32);
    return QStringLiteral("pbkdf2-sha256$%1$%2$%3")
        .arg(iterations)
        .arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(key.toBase64()));
}

const QString &dummyPasswordHash()
{
    // Computed once per process (thread-safe static), with the same parameters as a real hash,
    // so that checking a password against it costs exactly what checking a real one does.
    static const QString dummy = hashPassword(QString());
    return dummy;
}

bool verifyPassword(const QString &password, const QString &encoded)
{
    if (encoded.startsWith(Pbkdf2Prefix))
        return verifyPbkdf2(password, encoded);
    if (!encoded.startsWith(QLatin1String(crypto_pwhash_STRPREFIX)) ||
        encoded.size() >= crypto_pwhash_STRBYTES || !sodiumReady())
        return false;
    const QByteArray str = encoded.toLatin1(); // NUL-terminated copy, as libsodium wants
    const QByteArray utf8 = password.toUtf8();
    return crypto_pwhash_str_verify(str.constData(), utf8.constData(),
                                    static_cast<unsigned long long>(utf8.size())) == 0;
}

bool needsRehash(const QString &encoded)
{
    if (!encoded.startsWith(QLatin1String(crypto_pwhash_STRPREFIX)) || !sodiumReady())
        return true;
    const QByteArray str = encoded.toLatin1();
    // 1: other limits, -1: not a valid Argon2id string; both get a fresh hash.
    return crypto_pwhash_str_needs_rehash(str.constData(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
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

} // namespace herald
