// docs/security.md in step with the code: every limit's key and default, every close code and
// error code, and the front's built-in defaults equal to the config defaults.
#include "core/config.h"
#include "net/frontserver.h"
#include "net/webclient.h"

#include <herald/protocol.h>

#include <QFile>
#include <QTest>

class TestSecurityDoc : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QFile f(QStringLiteral(HERALD_SOURCE_DIR "/docs/security.md"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        m_doc = QString::fromUtf8(f.readAll());
        m_lines = m_doc.split(QLatin1Char('\n'));
    }

    void limitsHaveTheirKeyAndDefault_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<qint64>("value");
        const herald::Config c;
        const std::pair<const char *, qint64> limits[] = {
            {"max_request_line_bytes", c.maxRequestLineBytes},
            {"max_header_bytes", c.maxHeaderBytes},
            {"max_header_count", c.maxHeaderCount},
            {"max_body_bytes", c.maxBodyBytes},
            {"request_timeout", c.requestTimeout},
            {"keepalive_timeout", c.keepaliveTimeout},
            {"keepalive_requests", c.keepaliveRequests},
            {"max_connections", c.maxConnections},
            {"max_connections_per_ip", c.maxConnectionsPerIp},
            {"listen_backlog", c.listenBacklog},
            {"max_frame_bytes", c.maxFrameBytes},
            {"outbound_queue_bytes", c.outboundQueueBytes},
            {"messages_per_second", qint64(c.messagesPerSecond)},
            {"messages_burst", c.messagesBurst},
            {"max_bad_frames", c.maxBadFrames},
            {"auth_timeout", c.authTimeout},
            {"heartbeat_interval", c.heartbeatInterval},
            {"heartbeat_timeout", c.heartbeatTimeout},
            {"max_connections_per_user", c.maxConnectionsPerUser},
            {"session_idle_days", c.sessionIdleDays},
            {"file_max_bytes", c.fileMaxBytes},
        };
        for (const auto &[key, value] : limits)
            QTest::newRow(key) << QString::fromLatin1(key) << value;
    }
    void limitsHaveTheirKeyAndDefault()
    {
        QFETCH(QString, key);
        QFETCH(qint64, value);
        QVERIFY2(herald::Config::keys().contains(key), qPrintable(key));
        const QString cell = QLatin1Char('`') + key + QLatin1Char('`');
        const QString number = QLatin1Char('`') + QString::number(value) + QLatin1Char('`');
        bool found = false;
        for (const QString &line : std::as_const(m_lines))
            found = found || (line.startsWith(QLatin1Char('|')) && line.contains(cell) &&
                              line.contains(number));
        QVERIFY2(found,
                 qPrintable(QStringLiteral("no table row with %1 and %2").arg(cell, number)));
    }

    void frontDefaultsAreTheConfigDefaults()
    {
        const herald::FrontLimits f;
        const herald::Config c;
        QCOMPARE(f.requestLineBytes, c.maxRequestLineBytes);
        QCOMPARE(f.headerBytes, c.maxHeaderBytes);
        QCOMPARE(f.headerCount, c.maxHeaderCount);
        QCOMPARE(f.publishBodyBytes, qint64(c.maxBodyBytes));
        QCOMPARE(f.requestDeadlineMs, c.requestTimeout * 1000);
        QCOMPARE(f.maxConnections, c.maxConnections);
        QCOMPARE(f.maxConnectionsPerIp, c.maxConnectionsPerIp);
        QCOMPARE(f.keepaliveTimeoutMs, c.keepaliveTimeout * 1000);
        QCOMPARE(f.keepaliveRequests, c.keepaliveRequests);
        QVERIFY(m_doc.contains(
            QStringLiteral("`%1` bytes, or `max_body_bytes` if smaller").arg(f.otherBodyBytes)));
        QVERIFY(m_doc.contains(QStringLiteral("| JSON nesting depth | (fixed) | `%1` |")
                                   .arg(herald::proto::Limits{}.maxDepth)));
    }

    void everyCloseCode()
    {
        for (const auto &[code, name] : herald::proto::closeCodes())
            QVERIFY2(m_doc.contains(QStringLiteral("\n| %1 |").arg(code)), qPrintable(name));
    }

    void everyErrorCode()
    {
        for (const QString &code : herald::proto::errorCodes())
            QVERIFY2(m_doc.contains(QLatin1Char('`') + code + QLatin1Char('`')), qPrintable(code));
    }

    void webClientPolicyIsDocumented()
    {
        const QString header = QStringLiteral("Content-Security-Policy: ") +
                               QString::fromLatin1(herald::WebClient::contentSecurityPolicy());
        QVERIFY2(m_doc.contains(header), "docs/security.md shows another CSP than the server's");
    }

private:
    QString m_doc;
    QStringList m_lines;
};

QTEST_GUILESS_MAIN(TestSecurityDoc)
#include "tst_securitydoc.moc"
