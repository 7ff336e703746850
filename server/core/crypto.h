#pragma once

#include <QByteArray>
#include <QString>

namespace herald {

/** @brief Password and token hashing. */
namespace crypto {
/** @brief An Argon2id hash in libsodium's string form ("$argon2id$v=19$m=...,t=...,p=1$..."),
 *  with libsodium's interactive limits (crypto_pwhash_OPSLIMIT_INTERACTIVE, 64 MiB):
 *  about 0.1 s and 64 MiB per hash on one core. The parameters travel inside the string, so
 *  stronger limits later only make older hashes "need a rehash". */
QString hashPassword(const QString &password);
/** @brief The hash format of releases up to 0.3 (PBKDF2-HMAC-SHA256, "pbkdf2-sha256$N$salt$key").
 *  Verified still; made only by tests that check the rehash of such accounts. */
QString legacyPbkdf2Hash(const QString &password, int iterations = 120000);
/** @brief Checks either format, in constant time for a given hash. */
bool verifyPassword(const QString &password, const QString &encoded);
/** @brief True for a PBKDF2 hash, or an Argon2id one with weaker limits than hashPassword's:
 *  the next successful login stores a new hash. */
bool needsRehash(const QString &encoded);
/** @brief A hash of nothing with the default parameters, made once: a login for an unknown name
 *  verifies against it, so that it takes as long as one for a known name. */
const QString &dummyPasswordHash();
QByteArray tokenHash(const QByteArray &secret);
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);
QByteArray randomBytes(int n);
/** @brief Splits "hrd_<id>_<secret>"; returns id 0 when malformed. */
qint64 parseToken(const QString &token, QByteArray *secret);
} // namespace crypto

} // namespace herald
