// The directly written message frame is the same text Qt's JSON writer makes of the message
// object: a resume sends thousands of them, and clients (and tests) read either.
#include "core/wire.h"

#include <QJsonDocument>
#include <QTest>

using namespace herald;

class TestWire : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void messageFrameIsQtsText_data()
    {
        QTest::addColumn<QString>("text");
        QString ascii;
        for (int c = 1; c < 0x80; ++c)
            ascii += QChar(c);
        QTest::newRow("every ASCII character") << ascii;
        QTest::newRow("NUL") << QString(QChar(0));
        QTest::newRow("empty") << QString();
        QTest::newRow("quotes and backslashes") << QStringLiteral("\"a\\b\\\\\"\\u0041");
        QTest::newRow("accents and CJK") << QStringLiteral("caf\u00e9 \u5ba1\u6279\u901a\u8fc7");
        QTest::newRow("emoji (surrogate pair)") << QStringLiteral("\U0001F600\U0010FFFF");
        QTest::newRow("line and paragraph separators") << QStringLiteral("a\u2028b\u2029c");
        QTest::newRow("BOM and replacement") << QStringLiteral("\uFEFF\uFFFD");
        QTest::newRow("DEL and C1") << QStringLiteral("\u007f\u0085\u009f");
        QTest::newRow("long") << QString(5000, QLatin1Char('x'));
    }
    void messageFrameIsQtsText()
    {
        QFETCH(QString, text);
        for (const MessageRow &m :
             {MessageRow{QStringLiteral("general"), 1, QStringLiteral("alice"), text, 0, text},
              MessageRow{text, 9007199254740991LL, text, text, 1733333333333LL,
                         QStringLiteral("c-1")},
              // with mentions (names are plain, but the writer escapes them all the same)
              MessageRow{QStringLiteral("general"), 2, QStringLiteral("alice"), text, 5,
                         QStringLiteral("c-2"), QStringList{QStringLiteral("bob"), text}, true},
              MessageRow{QStringLiteral("general"), 3, QStringLiteral("alice"), text, 5,
                         QStringLiteral("c-3"), QStringList{QStringLiteral("carol")}, false},
              MessageRow{QStringLiteral("general"), 4, QStringLiteral("alice"), text, 5,
                         QStringLiteral("c-4"), QStringList{}, true}}) {
            const QByteArray qt = QJsonDocument(wire::toJson(m)).toJson(QJsonDocument::Compact);
            QCOMPARE(wire::messageFrame(m), qt);
        }
    }
};

QTEST_GUILESS_MAIN(TestWire)
#include "tst_wire.moc"
