// The storage a test runs on: SQLite in a temporary directory (the default), or, with
// HERALD_TEST_STORAGE=postgres (tests/cluster/with-postgres.sh sets it inside pg_virtualenv),
// a fresh database on the PostgreSQL server that the PG* environment variables name.
#pragma once

#include "core/config.h"
#include "core/store.h"

#include <QCryptographicHash>
#include <QFile>
#include <QProcessEnvironment>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>

#include <memory>

namespace testkit {

class StorageFixture
{
public:
    StorageFixture() = default;
    StorageFixture(const StorageFixture &) = delete;
    StorageFixture &operator=(const StorageFixture &) = delete;
    ~StorageFixture()
    {
        for (const QString &db : std::as_const(m_databases))
            admin(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(db));
        if (!m_admin.isEmpty())
            QSqlDatabase::removeDatabase(m_admin);
    }

    static bool postgres() { return qgetenv("HERALD_TEST_STORAGE") == "postgres"; }
    static const char *backendName() { return postgres() ? "postgres" : "sqlite"; }

    /** @brief Empty when the backend can be used, otherwise why not (the test skips then). */
    QString unavailable()
    {
        if (!postgres())
            return {};
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
            return QStringLiteral("Qt's PostgreSQL driver (libqt6sql6-psql) is not installed");
        QString error;
        if (!admin(QStringLiteral("SELECT 1"), &error))
            return QStringLiteral("no PostgreSQL server reachable through PG* (run under "
                                  "tests/cluster/with-postgres.sh): ") +
                   error;
        return {};
    }

    /** @brief A fresh, empty storage: a new temporary directory, or a new PostgreSQL database
     *  (with its own temporary data directory for a server's control socket). */
    herald::StorageSettings fresh()
    {
        auto dir = std::make_shared<QTemporaryDir>();
        m_dirs << dir;
        if (!postgres())
            return herald::StorageSettings::sqlite(dir->path());
        const QString name =
            QStringLiteral("herald_t_") + QUuid::createUuid().toString(QUuid::Id128).left(12);
        QString error;
        if (!admin(QStringLiteral("CREATE DATABASE %1").arg(name), &error))
            qFatal("cannot create database %s: %s", qPrintable(name), qPrintable(error));
        m_databases << name;
        herald::StorageSettings s = herald::StorageSettings::fromConfig(config(dir->path(), name));
        return s;
    }

    /** @brief For tests written around a data directory (testkit's Seed, LocalServer,
     *  ServerProcess): SQLite in dir, or under HERALD_TEST_STORAGE=postgres a database named
     *  after dir, created on first use (the throwaway server goes with all of them). */
    static herald::StorageSettings forDirectory(const QString &dir)
    {
        if (!postgres())
            return herald::StorageSettings::sqlite(dir);
        const QString name = databaseFor(dir);
        // One maintenance connection for the whole test binary, never destroyed: at exit Qt's
        // SQL registry may be gone already, and the throwaway server takes the databases along.
        static auto *admin = new StorageFixture;
        QString error;
        if (!admin->admin(QStringLiteral("CREATE DATABASE %1").arg(name), &error) &&
            !error.contains(QLatin1String("already exists")))
            qFatal("cannot create database %s: %s", qPrintable(name), qPrintable(error));
        return herald::StorageSettings::fromConfig(config(dir, name));
    }
    /** @brief PostgreSQL: runs a file of SQL statements (a pg_dump) on the database of s. */
    static bool runSqlFile(const herald::StorageSettings &s, const QString &file)
    {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            return false;
        const QString name = QStringLiteral("herald-test-load-") + QUuid::createUuid().toString();
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
            db.setHostName(s.host);
            if (s.port > 0)
                db.setPort(s.port);
            db.setDatabaseName(s.database);
            db.setUserName(s.user);
            db.setPassword(s.password);
            if (db.open()) {
                QSqlQuery q(db);
                ok = q.exec(QString::fromUtf8(f.readAll())); // one PQexec, every statement
                if (!ok)
                    qWarning().noquote() << file << q.lastError().text();
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        return ok;
    }

    /** @brief herald-server arguments for forDirectory(dir) (none on SQLite). */
    static QStringList serverArgs(const QString &dir)
    {
        if (!postgres())
            return {};
        forDirectory(dir);
        return {QStringLiteral("--set"), QStringLiteral("storage=postgres"),
                QStringLiteral("--set"), QStringLiteral("pg_database=") + databaseFor(dir)};
    }
    static QString databaseFor(const QString &dir)
    {
        return QStringLiteral("herald_d_") +
               QString::fromLatin1(QCryptographicHash::hash(dir.toUtf8(), QCryptographicHash::Sha1)
                                       .toHex()
                                       .left(16));
    }

    /** @brief The server config for storage s (what --set storage=postgres --set pg_database=...
     *  gives a herald-server started with the same PG* environment). */
    static herald::Config config(const QString &dataDir, const QString &database = {})
    {
        herald::Config c;
        c.dataDir = dataDir;
        if (postgres()) {
            c.storage = QStringLiteral("postgres");
            c.pgDatabase = database;
        }
        return c;
    }

private:
    bool admin(const QString &sql, QString *error = nullptr)
    {
        if (m_admin.isEmpty()) {
            m_admin =
                QStringLiteral("herald-test-admin-") + QUuid::createUuid().toString(QUuid::Id128);
            const herald::StorageSettings s =
                herald::StorageSettings::fromConfig(config(QString()));
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_admin);
            db.setHostName(s.host);
            if (s.port > 0)
                db.setPort(s.port);
            db.setDatabaseName(s.database);
            db.setUserName(s.user);
            db.setPassword(s.password);
            db.setConnectOptions(QStringLiteral("connect_timeout=5"));
        }
        QSqlDatabase db = QSqlDatabase::database(m_admin);
        if (!db.isOpen() && !db.open()) {
            if (error)
                *error = db.lastError().text();
            return false;
        }
        QSqlQuery q(db);
        if (!q.exec(sql)) {
            if (error)
                *error = q.lastError().text();
            return false;
        }
        return true;
    }

    QList<std::shared_ptr<QTemporaryDir>> m_dirs;
    QStringList m_databases;
    QString m_admin;
};

} // namespace testkit

/** initTestCase's body in a storage test: skips the whole test when the backend it asks for is
 *  not there (PostgreSQL not reachable), and says which backend runs. */
#define HERALD_REQUIRE_STORAGE(fixture)                                                            \
    do {                                                                                           \
        if (const QString why_ = (fixture).unavailable(); !why_.isEmpty())                         \
            QSKIP(qPrintable(why_));                                                               \
        qInfo("storage backend: %s", testkit::StorageFixture::backendName());                      \
    } while (false)
