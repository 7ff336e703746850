// Config: integer keys from --set/flags, the config file and HERALD_* variables are checked
// before they are stored; nothing is accepted and then lost (wrapped, truncated, turned into 0).
#include "core/config.h"

#include <QTemporaryDir>
#include <QTest>

using herald::Config;

namespace {
/** The field behind a config key, widened, for the keys these tests set. */
qint64 field(const Config &c, const QString &key)
{
    if (key == QLatin1String("port"))
        return c.port;
    if (key == QLatin1String("pg_port"))
        return c.pgPort;
    if (key == QLatin1String("redis_port"))
        return c.redisPort;
    if (key == QLatin1String("io_threads"))
        return c.ioThreads;
    if (key == QLatin1String("storage_max_batch"))
        return c.storageMaxBatch;
    if (key == QLatin1String("storage_statement_cache"))
        return c.storageStatementCache;
    if (key == QLatin1String("io_uring"))
        return c.ioUring;
    if (key == QLatin1String("outbound_queue_bytes"))
        return c.outboundQueueBytes;
    if (key == QLatin1String("messages_per_second"))
        return static_cast<qint64>(c.messagesPerSecond);
    if (key == QLatin1String("max_connections"))
        return c.maxConnections;
    if (key == QLatin1String("heartbeat_interval"))
        return c.heartbeatInterval;
    if (key == QLatin1String("max_body_bytes"))
        return c.maxBodyBytes;
    if (key == QLatin1String("request_timeout"))
        return c.requestTimeout;
    if (key == QLatin1String("session_idle_days"))
        return c.sessionIdleDays;
    qFatal("no field for %s", qPrintable(key));
}

// The expected column: the number a value sets, or Refused.
constexpr qint64 Refused = -1;
} // namespace

class TestConfig : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void integerKeys_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<qint64>("expected");
        const auto row = [](const char *name, const char *key, const char *value, qint64 expected) {
            QTest::newRow(name) << QString::fromLatin1(key) << QString::fromUtf8(value) << expected;
        };
        row("port", "port", "8080", 8080);
        row("port spaces", "port", " 8080 ", 8080);
        row("port leading zeros", "port", "0080", 80);
        row("port zero", "port", "0", 0);
        row("port -0 is 0", "port", "-0", 0);
        row("port max", "port", "65535", 65535);
        row("port max+1", "port", "65536", Refused);
        row("port negative", "port", "-1", Refused);
        row("port 1e300", "port", "1e300", Refused);
        row("port 1e3", "port", "1e3", Refused);
        row("port 2^53-1", "port", "9007199254740991", Refused);
        row("port 2^53", "port", "9007199254740992", Refused);
        row("port 2^63", "port", "9223372036854775808", Refused);
        row("port 2^64", "port", "18446744073709551616", Refused);
        row("port 2^64+8080", "port", "18446744073709559696", Refused);
        row("port NaN", "port", "NaN", Refused);
        row("port inf", "port", "inf", Refused);
        row("port hex", "port", "0x10", Refused);
        row("port trailing text", "port", "12abc", Refused);
        row("port empty", "port", "", Refused);
        row("port blank", "port", "   ", Refused);
        row("port plus", "port", "+80", Refused);
        row("port fraction", "port", "8080.0", Refused);
        row("port inner space", "port", "80 80", Refused);
        row("port arabic-indic digits", "port", "\u0668\u0660", Refused);
        row("pg_port 2^32+5432", "pg_port", "4294972728", Refused);
        row("session_idle_days 0 (never)", "session_idle_days", "0", 0);
        row("session_idle_days 90", "session_idle_days", "90", 90);
        row("session_idle_days 100 years", "session_idle_days", "36500", 36500);
        row("session_idle_days beyond", "session_idle_days", "36501", Refused);
        row("session_idle_days negative", "session_idle_days", "-1", Refused);
        row("session_idle_days fraction", "session_idle_days", "0.5", Refused);
        row("redis_port 0", "redis_port", "0", Refused);
        row("redis_port -0", "redis_port", "-0", Refused);
        row("redis_port 2^16+6379", "redis_port", "71915", Refused);
        row("io_threads", "io_threads", "4", 4);
        row("io_threads max+1", "io_threads", "65", Refused);
        row("io_threads 2^32+1", "io_threads", "4294967297", Refused);
        row("io_threads -(2^32-1)", "io_threads", "-4294967295", Refused);
        row("io_threads -2^53", "io_threads", "-9007199254740992", Refused);
        row("storage_max_batch off", "storage_max_batch", "1", 1);
        row("storage_max_batch all", "storage_max_batch", "0", 0);
        row("storage_max_batch -1", "storage_max_batch", "-1", Refused);
        row("storage_statement_cache off", "storage_statement_cache", "0", 0);
        row("storage_statement_cache 2", "storage_statement_cache", "2", Refused);
        row("io_uring off", "io_uring", "0", 0);
        row("io_uring on", "io_uring", "1", 1);
        row("io_uring 2", "io_uring", "2", Refused);
        row("outbound_queue_bytes 1 GiB", "outbound_queue_bytes", "1073741824", 1073741824);
        row("outbound_queue_bytes 1 GiB+1", "outbound_queue_bytes", "1073741825", Refused);
        row("outbound_queue_bytes 2^63-1", "outbound_queue_bytes", "9223372036854775807", Refused);
        row("messages_per_second", "messages_per_second", "100000", 100000);
        row("messages_per_second 1e300", "messages_per_second", "1e300", Refused);
        row("messages_per_second NaN", "messages_per_second", "NaN", Refused);
        row("messages_per_second 2.5", "messages_per_second", "2.5", Refused);
        row("max_connections", "max_connections", "10000000", 10000000);
        row("max_connections 2^31", "max_connections", "2147483648", Refused);
        row("heartbeat_interval 0", "heartbeat_interval", "0", Refused);
        row("heartbeat_interval 2^53-1", "heartbeat_interval", "9007199254740991", Refused);
    }
    void integerKeys()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(qint64, expected);
        Config c;
        const qint64 before = field(c, key);
        const QString error = c.set(key, value);
        if (expected == Refused) {
            QVERIFY2(error.startsWith(key + QLatin1String(" must be a whole number from ")),
                     qPrintable(error));
            QVERIFY2(error.endsWith(QLatin1String(", not '") + value + QLatin1Char('\'')),
                     qPrintable(error));
            QCOMPARE(field(c, key), before); // the old value stays
        } else {
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QCOMPARE(field(c, key), expected);
        }
    }

    void chatAdminsAreAListOfNames()
    {
        Config c;
        QVERIFY(c.chatAdmins.isEmpty()); // nobody deletes others' messages unless named
        QCOMPARE(c.set(QStringLiteral("chat_admins"), QStringLiteral(" alice, bob ,, ,")),
                 QString());
        QCOMPARE(c.chatAdmins, (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
        QCOMPARE(c.set(QStringLiteral("chat_admins"), QString()), QString());
        QVERIFY(c.chatAdmins.isEmpty());
        QVERIFY(Config::keys().contains(QStringLiteral("chat_admins")));
    }

    void configFile_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("error"); // empty: accepted
        QTest::newRow("valid") << QByteArray("port=9000") << QString();
        QTest::newRow("2^64") << QByteArray("port=18446744073709551616")
                              << QStringLiteral("port must be a whole number from 0 to 65535");
        QTest::newRow("1e300") << QByteArray("io_threads=1e300")
                               << QStringLiteral("io_threads must be a whole number from 0 to 64");
        QTest::newRow("hex") << QByteArray("max_body_bytes=0x10")
                             << QStringLiteral("max_body_bytes must be a whole number");
        QTest::newRow("empty") << QByteArray("request_timeout=")
                               << QStringLiteral("request_timeout must be a whole number");
        QTest::newRow("list") << QByteArray("port=80,81")
                              << QStringLiteral("port must be a whole number");
    }
    void configFile()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, error);
        QTemporaryDir d;
        const QString path = d.filePath(QStringLiteral("herald.conf"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[server]\n" + line + '\n');
        f.close();
        Config c;
        const QString e = c.loadFile(path);
        if (error.isEmpty()) {
            QVERIFY2(e.isEmpty(), qPrintable(e));
            QCOMPARE(c.port, quint16(9000));
        } else {
            QVERIFY2(e.startsWith(path + QLatin1String(": ") + error), qPrintable(e));
        }
    }

    void environment_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("error"); // empty: accepted
        QTest::newRow("valid") << QByteArray("HERALD_IO_THREADS") << QByteArray("2") << QString();
        QTest::newRow("io_uring yes") << QByteArray("HERALD_IO_URING") << QByteArray("yes")
                                      << QStringLiteral("HERALD_IO_URING: io_uring must be");
        QTest::newRow("port 2^63") << QByteArray("HERALD_PORT") << QByteArray("9223372036854775808")
                                   << QStringLiteral("HERALD_PORT: port must be a whole number");
        QTest::newRow("io_threads NaN")
            << QByteArray("HERALD_IO_THREADS") << QByteArray("NaN")
            << QStringLiteral("HERALD_IO_THREADS: io_threads must be a whole number");
        QTest::newRow("per ip 2^53")
            << QByteArray("HERALD_MAX_CONNECTIONS_PER_IP") << QByteArray("9007199254740992")
            << QStringLiteral("HERALD_MAX_CONNECTIONS_PER_IP: max_connections_per_ip must be");
        QTest::newRow("queue 12abc")
            << QByteArray("HERALD_OUTBOUND_QUEUE_BYTES") << QByteArray("12abc")
            << QStringLiteral("HERALD_OUTBOUND_QUEUE_BYTES: outbound_queue_bytes must be");
        QTest::newRow("timeout -0") << QByteArray("HERALD_AUTH_TIMEOUT") << QByteArray("-0")
                                    << QStringLiteral("HERALD_AUTH_TIMEOUT: auth_timeout must be "
                                                      "a whole number from 1 to 600, not '-0'");
    }
    void environment()
    {
        QFETCH(QByteArray, name);
        QFETCH(QByteArray, value);
        QFETCH(QString, error);
        qputenv(name.constData(), value);
        Config c;
        const QString e = c.loadEnvironment();
        qunsetenv(name.constData());
        if (error.isEmpty()) {
            QVERIFY2(e.isEmpty(), qPrintable(e));
            QCOMPARE(c.ioThreads, 2);
        } else {
            QVERIFY2(e.startsWith(error), qPrintable(e));
        }
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
