// Keeps docs/protocol.md in step with the protocol library: every frame type documented with its
// fields and a JSON example that decodes, nothing documented that does not exist, and every close
// and error code in the doc's tables.
#include <herald/protocol.h>

#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace herald::proto;
using namespace Qt::StringLiterals;

namespace {

struct Block
{
    QString lang;
    QString text;
    int line = 0;
};

struct Section
{
    QString type;    // from "### `type`"
    QString chapter; // the enclosing "## ..." heading
    QString text;    // everything up to the next heading of level 2 or 3
    QList<Block> blocks;
    int line = 0;
};

struct Doc
{
    QString text;
    QList<Section> frames;
    QHash<QString, QString> chapters; // "## title" -> its text (up to the next "## ")
    QList<Block> blocks;              // every fenced block in the file
};

Doc parse(const QString &text)
{
    Doc doc;
    doc.text = text;
    const QStringList lines = text.split(u'\n');
    static const QRegularExpression frameHeading(u"^### `([a-zA-Z.]+)`\\s*$"_s);
    QString chapter;
    Section *current = nullptr;
    bool inFence = false;
    Block block;
    for (int i = 0; i < lines.size(); ++i) {
        const QString &line = lines.at(i);
        if (line.startsWith(u"```"_s)) {
            if (!inFence) {
                inFence = true;
                block = Block{line.mid(3).trimmed(), QString(), i + 1};
            } else {
                inFence = false;
                doc.blocks << block;
                if (current)
                    current->blocks << block;
            }
        } else if (inFence) {
            block.text += line + u'\n';
            if (current)
                current->text += line + u'\n';
            if (!chapter.isEmpty())
                doc.chapters[chapter] += line + u'\n';
            continue;
        }
        if (!inFence && line.startsWith(u"## "_s)) {
            chapter = line.mid(3).trimmed();
            current = nullptr;
            continue;
        }
        if (!inFence && line.startsWith(u"### "_s)) {
            current = nullptr;
            const auto m = frameHeading.match(line);
            if (m.hasMatch()) {
                doc.frames << Section{m.captured(1), chapter, QString(), {}, i + 1};
                current = &doc.frames.last();
            }
        } else if (current) {
            current->text += line + u'\n';
        }
        if (!chapter.isEmpty())
            doc.chapters[chapter] += line + u'\n';
    }
    return doc;
}

QString readDoc()
{
    QFile f(QStringLiteral(HERALD_SOURCE_DIR "/docs/protocol.md"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

QString chapterNamed(const Doc &doc, const QString &needle)
{
    for (auto it = doc.chapters.begin(); it != doc.chapters.end(); ++it)
        if (it.key().contains(needle, Qt::CaseInsensitive))
            return it.value();
    return {};
}

/** Table rows (lines starting with '|') of a chapter, split into trimmed cells. */
QList<QStringList> tableRows(const QString &chapterText)
{
    QList<QStringList> rows;
    for (const QString &line : chapterText.split(u'\n')) {
        const QString t = line.trimmed();
        if (!t.startsWith(u'|') || t.startsWith(u"|-"_s) || t.startsWith(u"| -"_s) ||
            t.startsWith(u"|:"_s))
            continue;
        QStringList cells = t.mid(1).split(u'|');
        if (!cells.isEmpty() && cells.last().trimmed().isEmpty())
            cells.removeLast();
        for (QString &c : cells)
            c = c.trimmed();
        rows << cells;
    }
    return rows;
}

QString strip(QString cell)
{
    cell.remove(u'`');
    return cell.trimmed();
}

/** Decodes one documented frame in the direction its type has; returns an error or empty. */
QString checkFrame(const QByteArray &json)
{
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    const MessageSpec *spec = findSpec(o.value("type"_L1).toString());
    if (!spec)
        return u"example has no known type: "_s + QString::fromUtf8(json);
    const DecodeResult r = decode(json, spec->direction);
    if (!r.ok())
        return r.error.code + u": "_s + r.error.message + u" in "_s + QString::fromUtf8(json);
    return {};
}

} // namespace

class TestProtocolDoc : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyTypeDocumented_data();
    void everyTypeDocumented();
    void nothingUndocumentedOrUnknown();
    void everyExampleDecodes();
    void closeCodesTabled();
    void errorCodesTabled();
    void versionAndSubprotocol();

private:
    Doc m_doc;
};

void TestProtocolDoc::initTestCase()
{
    const QString text = readDoc();
    QVERIFY2(!text.isEmpty(), "docs/protocol.md is missing or empty");
    m_doc = parse(text);
    QVERIFY(!m_doc.frames.isEmpty());
}

void TestProtocolDoc::everyTypeDocumented_data()
{
    QTest::addColumn<QString>("type");
    for (const MessageSpec &spec : schema())
        QTest::newRow(spec.type.toUtf8().constData()) << spec.type;
}

void TestProtocolDoc::everyTypeDocumented()
{
    QFETCH(QString, type);
    const MessageSpec *spec = findSpec(type);
    QVERIFY(spec);
    const Section *section = nullptr;
    for (const Section &s : std::as_const(m_doc.frames))
        if (s.type == type)
            section = &s;
    QVERIFY2(section, qPrintable(u"no heading ### `"_s + type + u"` in docs/protocol.md"_s));

    // Under the chapter of its direction.
    const bool fromClient = spec->direction == Direction::ClientToServer;
    const QString chapter = section->chapter.toLower();
    QVERIFY2(chapter.contains(fromClient ? u"client to server"_s : u"server to client"_s),
             qPrintable(type + u" is documented under \""_s + section->chapter + u'"'));

    // Every field has a row in the section's field table.
    QSet<QString> tabled;
    for (const QStringList &row : tableRows(section->text))
        tabled.insert(row.value(0));
    for (const FieldSpec &f : spec->fields)
        QVERIFY2(
            tabled.contains(u'`' + f.name + u'`'),
            qPrintable(u"field `"_s + f.name + u"` of "_s + type + u" has no row in its table"_s));

    // The first JSON example is this very frame, and it decodes in its direction.
    const Block *example = nullptr;
    for (const Block &b : section->blocks)
        if (b.lang == u"json"_s) {
            example = &b;
            break;
        }
    QVERIFY2(example, qPrintable(u"no ```json example for "_s + type));
    const QByteArray json = example->text.toUtf8();
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &perr);
    QVERIFY2(
        perr.error == QJsonParseError::NoError,
        qPrintable(u"example at line %1 is not JSON: "_s.arg(example->line) + perr.errorString()));
    QCOMPARE(doc.object().value("type"_L1).toString(), type);
    const DecodeResult r = decode(json, spec->direction);
    QVERIFY2(r.ok(), qPrintable(u"example at line %1: "_s.arg(example->line) + r.error.code +
                                u": "_s + r.error.message));
    // And in the other direction it is refused.
    QCOMPARE(
        decode(json, fromClient ? Direction::ServerToClient : Direction::ClientToServer).error.code,
        QLatin1String(Err::UnknownType));
}

void TestProtocolDoc::nothingUndocumentedOrUnknown()
{
    QSet<QString> seen;
    for (const Section &s : std::as_const(m_doc.frames)) {
        QVERIFY2(findSpec(s.type),
                 qPrintable(u"docs/protocol.md line %1 documents `"_s.arg(s.line) + s.type +
                            u"`, which is not in proto::schema()"_s));
        QVERIFY2(!seen.contains(s.type), qPrintable(u"`"_s + s.type + u"` is documented twice"_s));
        seen.insert(s.type);
    }
    QCOMPARE(seen.size(), schema().size());
}

void TestProtocolDoc::everyExampleDecodes()
{
    // Every ```json block is one frame; every ```jsonl block holds one frame a line. Each decodes
    // in the direction its type belongs to, so transcripts in the prose cannot drift either.
    int checked = 0;
    for (const Block &b : std::as_const(m_doc.blocks)) {
        if (b.lang == u"json"_s) {
            const QString e = checkFrame(b.text.toUtf8());
            QVERIFY2(e.isEmpty(), qPrintable(u"docs/protocol.md line %1: "_s.arg(b.line) + e));
            ++checked;
        } else if (b.lang == u"jsonl"_s) {
            const QStringList lines = b.text.split(u'\n', Qt::SkipEmptyParts);
            for (int i = 0; i < lines.size(); ++i) {
                const QString e = checkFrame(lines.at(i).toUtf8());
                QVERIFY2(e.isEmpty(),
                         qPrintable(u"docs/protocol.md line %1: "_s.arg(b.line + 1 + i) + e));
                ++checked;
            }
        }
    }
    QVERIFY(checked >= schema().size());
}

void TestProtocolDoc::closeCodesTabled()
{
    const QString chapter = chapterNamed(m_doc, u"close codes"_s);
    QVERIFY2(!chapter.isEmpty(), "no '## Close codes' chapter");
    QHash<int, QString> documented; // code -> the row's text
    for (const QStringList &row : tableRows(chapter)) {
        bool ok = false;
        const int code = strip(row.value(0)).toInt(&ok);
        if (ok)
            documented.insert(code, row.join(u'|'));
    }
    QSet<int> known;
    for (const auto &[code, name] : closeCodes()) {
        known.insert(code);
        QVERIFY2(documented.contains(code),
                 qPrintable(u"close code %1 (%2) is not in the table"_s.arg(code).arg(name)));
        QVERIFY2(documented.value(code).contains(u"`Close::"_s + name + u'`'),
                 qPrintable(
                     u"the row of close code %1 does not name `Close::%2`"_s.arg(code).arg(name)));
    }
    for (auto it = documented.begin(); it != documented.end(); ++it)
        QVERIFY2(
            known.contains(it.key()),
            qPrintable(u"the table lists close code %1, which proto::closeCodes() does not"_s.arg(
                it.key())));
}

void TestProtocolDoc::errorCodesTabled()
{
    const QString chapter = chapterNamed(m_doc, u"error codes"_s);
    QVERIFY2(!chapter.isEmpty(), "no '## Error codes' chapter");
    QSet<QString> documented;
    for (const QStringList &row : tableRows(chapter)) {
        const QString first = row.value(0);
        if (first.startsWith(u'`'))
            documented.insert(strip(first));
    }
    const QStringList &codes = errorCodes();
    for (const QString &code : codes)
        QVERIFY2(documented.contains(code),
                 qPrintable(u"error code `"_s + code + u"` is not in the table"_s));
    for (const QString &code : std::as_const(documented))
        QVERIFY2(codes.contains(code), qPrintable(u"the table lists `"_s + code +
                                                  u"`, which proto::errorCodes() does not"_s));
}

void TestProtocolDoc::versionAndSubprotocol()
{
    QVERIFY(m_doc.text.contains(QLatin1String(Subprotocol)));
    QVERIFY(m_doc.text.contains(u"protocol version %1"_s.arg(Version), Qt::CaseInsensitive));
}

QTEST_GUILESS_MAIN(TestProtocolDoc)
#include "tst_protocoldoc.moc"
