// Translations: the zh_CN catalogue has no unfinished or obsolete entry and every plural form,
// English has its plural forms, no QML view shows a literal outside qsTr(), and at run time
// the catalogues load: Chinese when chosen, English plurals, English for a locale without one.
#include "language.h"
#include "session.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QXmlStreamReader>

using namespace Qt::StringLiterals;

namespace {
struct Entry
{
    QString context;
    QString source;
    QString type; // "", "unfinished", "obsolete", "vanished"
    bool numerus = false;
    QStringList forms; // numerus forms, or the one translation
};

QList<Entry> readTs(const QString &path)
{
    QList<Entry> entries;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return entries;
    QXmlStreamReader xml(&file);
    QString context;
    Entry entry;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == "name"_L1) {
            context = xml.readElementText();
        } else if (name == "message"_L1) {
            entry = Entry{context, {}, {}, xml.attributes().value("numerus"_L1) == "yes"_L1, {}};
        } else if (name == "source"_L1) {
            entry.source = xml.readElementText();
        } else if (name == "translation"_L1) {
            entry.type = xml.attributes().value("type"_L1).toString();
            if (!entry.numerus) {
                entry.forms << xml.readElementText();
                entries << entry;
            } else {
                while (xml.readNextStartElement())
                    entry.forms << xml.readElementText();
                entries << entry;
            }
        }
    }
    return entries;
}

/** Removes qsTr(...) calls (with their arguments) and compared literals from an expression. */
QString withoutTranslated(QString expr)
{
    for (;;) {
        const qsizetype at = expr.indexOf(u"qsTr("_s);
        if (at < 0)
            break;
        qsizetype i = at + 5;
        int depth = 1;
        bool inString = false;
        for (; i < expr.size() && depth > 0; ++i) {
            const QChar c = expr.at(i);
            if (c == u'\\') {
                ++i;
                continue;
            }
            if (c == u'"')
                inString = !inString;
            else if (!inString && c == u'(')
                ++depth;
            else if (!inString && c == u')')
                --depth;
        }
        expr.remove(at, i - at);
    }
    // Literals compared with, or used as keys, are not shown to anyone.
    static const QRegularExpression compared(
        uR"((===|!==|==|!=)\s*"[^"]*"|"[^"]*"\s*(===|!==|==|!=))"_s);
    expr.remove(compared);
    return expr;
}
} // namespace

class TestI18n : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"HeraldTest"_s);
        QCoreApplication::setApplicationName(u"tst_i18n"_s);
        QSettings().clear();
        qputenv("HERALD_CREDENTIAL_STORE", "file");
    }

    void chineseCatalogueIsComplete()
    {
        const QList<Entry> entries = readTs(QStringLiteral(HERALD_TS_DIR "/herald_zh_CN.ts"));
        QVERIFY2(entries.size() > 100, "herald_zh_CN.ts is missing or nearly empty");
        QStringList problems;
        for (const Entry &e : entries) {
            if (!e.type.isEmpty())
                problems << u"%1 (%2): \"%3\""_s.arg(e.type, e.context, e.source);
            else if (e.forms.isEmpty() || e.forms.contains(QString()))
                problems << u"empty (%1): \"%2\""_s.arg(e.context, e.source);
            else if (e.source.contains(u"%n"_s) && !e.forms.first().contains(u"%n"_s))
                problems << u"no %n (%1): \"%2\""_s.arg(e.context, e.source);
            else
                for (const QChar digit : u"123456789"_s) {
                    // Every %1, %2... of the source is in the translation (else arg() breaks).
                    const QString marker = u"%"_s + digit;
                    if (e.source.contains(marker) && !e.forms.first().contains(marker))
                        problems << u"no %1 (%2): \"%3\""_s.arg(marker, e.context, e.source);
                }
        }
        QVERIFY2(problems.isEmpty(),
                 qPrintable(u"zh_CN entries to translate or remove (lupdate runs with each "
                            "build):\n"_s +
                            problems.join(u'\n')));
    }

    void englishHasEveryPluralForm()
    {
        const QList<Entry> entries = readTs(QStringLiteral(HERALD_TS_DIR "/herald_en.ts"));
        QVERIFY(!entries.isEmpty());
        QStringList problems;
        int numerus = 0;
        for (const Entry &e : entries) {
            if (!e.numerus)
                continue;
            ++numerus;
            if (e.type == u"obsolete"_s || e.type == u"vanished"_s)
                problems << u"obsolete: "_s + e.source;
            else if (e.forms.size() != 2 || e.forms.contains(QString()) ||
                     e.type == u"unfinished"_s)
                problems << u"singular and plural missing: "_s + e.source;
        }
        QVERIFY(numerus >= 5);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    }

    void qmlShowsNoLiteralOutsideQsTr()
    {
        // Properties people read or hear. An expression assigned to one (with its continuation
        // lines) may hold literals only inside qsTr() or in comparisons.
        static const QRegularExpression visible(
            uR"(^\s*(text|title|placeholderText|label|ToolTip\.text|Accessible\.name|Accessible\.description)\s*:\s*(.*)$)"_s);
        // A string literal, and a letter (moc reads this file: no raw strings with quotes here).
        static const QRegularExpression literal(u"\"([^\"\\\\]|\\\\.)*\""_s);
        static const QRegularExpression letter(u"\\p{L}"_s);
        static const QRegularExpression escape(u"\\\\."_s); // "\n" is no word
        const QDir dir(QStringLiteral(HERALD_SOURCE_DIR "/qml"));
        const QStringList files = dir.entryList({u"*.qml"_s}, QDir::Files);
        QVERIFY(files.size() > 10);
        QStringList problems;
        for (const QString &name : files) {
            QFile file(dir.filePath(name));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n');
            for (int i = 0; i < lines.size(); ++i) {
                const QRegularExpressionMatch m = visible.match(lines.at(i));
                if (!m.hasMatch())
                    continue;
                QString expr = m.captured(2);
                // Continuation: the line ends with an operator, or the next starts with one.
                int j = i;
                while (j + 1 < lines.size()) {
                    const QString here = lines.at(j).trimmed();
                    const QString next = lines.at(j + 1).trimmed();
                    const bool open = here.endsWith(u'+') || here.endsWith(u'?') ||
                                      here.endsWith(u':') || here.endsWith(u'(') ||
                                      here.endsWith(u',') || here.endsWith(u'[');
                    const bool continues = next.startsWith(u'+') || next.startsWith(u'?') ||
                                           next.startsWith(u':') || next.startsWith(u'.') ||
                                           next.startsWith(u')') || next.startsWith(u']');
                    if (!open && !continues)
                        break;
                    expr += u' ' + next;
                    ++j;
                }
                const QString rest = withoutTranslated(expr);
                // Each literal in turn (the text between two of them is never taken for one).
                for (auto it = literal.globalMatch(rest); it.hasNext();) {
                    const QString text = it.next().captured(0);
                    if (QString(text).remove(escape).contains(letter))
                        problems << u"%1:%2: %3 outside qsTr()"_s.arg(name).arg(i + 1).arg(text);
                }
            }
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    }

    void literalCheckCatchesOne()
    {
        // The check above would see these (it can fail).
        QVERIFY(withoutTranslated(u"qsTr(\"Open\") + \" now\""_s).contains(u"\" now\""_s));
        QVERIFY(!withoutTranslated(u"qsTr(\"%1 (%2)\").arg(a).arg(b)"_s).contains(u'"'));
        QVERIFY(!withoutTranslated(u"kind === \"dm\" ? a : b"_s).contains(u'"'));
        // Glyphs are not words: "…", "!" and "✓" stay (and the literal check passes them).
        QCOMPARE(
            withoutTranslated(u"s === \"a\" ? \"…\" : s === \"b\" ? \"!\" : \"✓\""_s).count(u'"'),
            6);
    }

    void catalogueForLocale_data()
    {
        QTest::addColumn<QString>("locale");
        QTest::addColumn<QString>("catalogue");
        QTest::newRow("Chinese, China") << u"zh_CN"_s << u"zh_CN"_s;
        QTest::newRow("Chinese, Singapore") << u"zh_SG"_s << u"zh_CN"_s;
        QTest::newRow("English, UK") << u"en_GB"_s << u"en"_s;
        QTest::newRow("French: no catalogue") << u"fr_FR"_s << u"en"_s;
        QTest::newRow("German: no catalogue") << u"de_DE"_s << u"en"_s;
        QTest::newRow("Chinese, Taiwan: no catalogue yet") << u"zh_TW"_s << u"en"_s;
    }

    void catalogueForLocale()
    {
        QFETCH(QString, locale);
        QFETCH(QString, catalogue);
        QCOMPARE(Language::catalogueFor(QLocale(locale)), catalogue);
    }

    void switchesAtRunTime()
    {
        Session session(nullptr); // applies the settings' (empty) choice: the system language
        Language *language = session.language();
        QSignalSpy changed(language, &Language::changed);

        language->setChoice(u"en"_s);
        QCOMPARE(language->current(), u"en"_s);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(QCoreApplication::translate("MemberList", "%n member(s)", nullptr, 1),
                 u"1 member"_s);
        QCOMPARE(QCoreApplication::translate("MemberList", "%n member(s)", nullptr, 2),
                 u"2 members"_s);
        QCOMPARE(QCoreApplication::translate("TrayIcon", "Online as %1 · %n person(s) online",
                                             nullptr, 1),
                 u"Online as %1 · 1 person online"_s);

        language->setChoice(u"zh_CN"_s);
        QCOMPARE(language->current(), u"zh_CN"_s);
        QCOMPARE(QCoreApplication::translate("SignInPage", "Sign in"), u"登录"_s);
        QCOMPARE(QCoreApplication::translate("MemberList", "%n member(s)", nullptr, 3),
                 u"3 位成员"_s);
        QCOMPARE(QCoreApplication::translate("Notification", "Approved by %1"), u"%1 已批准"_s);
        QCOMPARE(QLocale().language(), QLocale::Chinese); // dates and times follow

        // A language with no catalogue: English, plurals included.
        language->setChoice(u"fr_FR"_s);
        QCOMPARE(language->current(), u"en"_s);
        QCOMPARE(QCoreApplication::translate("SignInPage", "Sign in"), u"Sign in"_s);
        QCOMPARE(QCoreApplication::translate("MemberList", "%n member(s)", nullptr, 1),
                 u"1 member"_s);
        language->setChoice(QString());
    }
};

QTEST_MAIN(TestI18n)
#include "tst_i18n.moc"
