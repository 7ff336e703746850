#include "credentialstore.h"

#include <qt6keychain/keychain.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCredentials, "herald.credentials")

namespace {
const QString Service = u"herald-desktop"_s;

QString encodeValue(const QString &user, const QString &token)
{
    return QString::fromUtf8(QJsonDocument(QJsonObject{{u"user"_s, user}, {u"token"_s, token}})
                                 .toJson(QJsonDocument::Compact));
}

QJsonObject readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}
} // namespace

CredentialStore::CredentialStore(QObject *parent)
    : QObject(parent)
{
    m_keychain = qEnvironmentVariable("HERALD_CREDENTIAL_STORE") != u"file"_s;
}

QString CredentialStore::fallbackPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           u"/credentials.json"_s;
}

void CredentialStore::setBackend(Backend backend)
{
    if (m_backend == backend)
        return;
    m_backend = backend;
    Q_EMIT backendChanged();
}

void CredentialStore::save(const QString &server, const QString &user, const QString &token)
{
    const QString value = encodeValue(user, token);
    if (!m_keychain) {
        setBackend(writeFile(server, value) ? Backend::File : Backend::None);
        Q_EMIT saved(m_backend);
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(Service, this);
    job->setKey(server);
    job->setTextData(value);
    connect(job, &QKeychain::Job::finished, this, [this, server, value](QKeychain::Job *job) {
        if (job->error() == QKeychain::NoError) {
            removeFromFile(server); // never leave a copy in the weaker store
            setBackend(Backend::Keychain);
        } else {
            QString why = job->errorString().trimmed();
            while (why.endsWith(u'.'))
                why.chop(1);
            qCInfo(lcCredentials).noquote()
                << u"No keychain is available (%1), so the sign-in token is kept in %2, "
                   "readable only by this user."_s.arg(why, fallbackPath());
            setBackend(writeFile(server, value) ? Backend::File : Backend::None);
        }
        Q_EMIT saved(m_backend);
    });
    job->start();
}

void CredentialStore::load(const QString &server)
{
    if (!m_keychain) {
        const QString value = readFile(server);
        if (!value.isEmpty())
            setBackend(Backend::File);
        emitLoaded(value);
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(Service, this);
    job->setKey(server);
    connect(job, &QKeychain::Job::finished, this, [this, server](QKeychain::Job *job) {
        const auto *read = static_cast<QKeychain::ReadPasswordJob *>(job);
        if (read->error() == QKeychain::NoError) {
            setBackend(Backend::Keychain);
            emitLoaded(read->textData());
            return;
        }
        const QString value = readFile(server);
        if (!value.isEmpty())
            setBackend(Backend::File);
        emitLoaded(value);
    });
    job->start();
}

void CredentialStore::emitLoaded(const QString &value)
{
    const QJsonObject o = QJsonDocument::fromJson(value.toUtf8()).object();
    Q_EMIT loaded(o.value("user"_L1).toString(), o.value("token"_L1).toString());
}

void CredentialStore::remove(const QString &server)
{
    removeFromFile(server);
    if (m_keychain) {
        auto *job = new QKeychain::DeletePasswordJob(Service, this);
        job->setKey(server);
        job->start();
    }
    setBackend(Backend::None);
}

bool CredentialStore::writeFile(const QString &server, const QString &value)
{
    const QString path = fallbackPath();
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return false;
    QFile::setPermissions(info.absolutePath(),
                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    QJsonObject all = readAll(path);
    all.insert(server, value);
    QFile file(path);
    // Created 0600 from the first byte, and forced to 0600 if it existed with looser bits.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate,
                   QFile::ReadOwner | QFile::WriteOwner))
        return false;
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    file.write(QJsonDocument(all).toJson());
    return file.flush();
}

QString CredentialStore::readFile(const QString &server) const
{
    return readAll(fallbackPath()).value(server).toString();
}

void CredentialStore::removeFromFile(const QString &server)
{
    const QString path = fallbackPath();
    QJsonObject all = readAll(path);
    if (!all.contains(server))
        return;
    all.remove(server);
    if (all.isEmpty()) {
        QFile::remove(path);
        return;
    }
    QFile file(path);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate, QFile::ReadOwner | QFile::WriteOwner))
        file.write(QJsonDocument(all).toJson());
}
