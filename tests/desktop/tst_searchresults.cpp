// The search results model under QAbstractItemModelTester, fed with room.search answers (no
// server): pages replace and append, a new query replaces, clear() empties; the words found are
// in bold in escaped text, only where a word starts; a query the server would refuse, or no
// connection, becomes a message in words and no request.
#include "searchresultsmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QJsonObject hit(const QString &room, qint64 seq, const QString &from, const QString &text,
                qint64 ts, const QString &snippet = {})
{
    QJsonObject o{
        {u"room"_s, room}, {u"seq"_s, seq}, {u"from"_s, from}, {u"text"_s, text}, {u"ts"_s, ts}};
    if (!snippet.isEmpty())
        o.insert(u"snippet"_s, snippet);
    return o;
}
QJsonObject page(const QJsonArray &results, const QJsonValue &next)
{
    return {{u"results"_s, results}, {u"next"_s, next}};
}
} // namespace

class TestSearchResults : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pagesReplaceAndAppend()
    {
        SearchResultsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy state(&model, &SearchResultsModel::stateChanged);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.searched());

        model.applyPage(u"deploy"_s,
                        page({hit(u"ops"_s, 7, u"carol"_s, u"deploy finished"_s, 3000),
                              hit(u"dm:alice:bob"_s, 2, u"bob"_s, u"the deployment?"_s, 2000,
                                  u"…the deployment?"_s)},
                             u"2000.5.2"_s),
                        false);
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(model.searched());
        QVERIFY(model.hasMore());
        QCOMPARE(model.query(), u"deploy"_s);
        QVERIFY(state.size() > 0);
        const QModelIndex first = model.index(0);
        QCOMPARE(first.data(SearchResultsModel::RoomRole).toString(), u"ops"_s);
        QCOMPARE(first.data(SearchResultsModel::RoomDisplayRole).toString(), u"ops"_s);
        QCOMPARE(first.data(SearchResultsModel::SeqRole).toLongLong(), 7);
        QCOMPARE(first.data(SearchResultsModel::AuthorRole).toString(), u"carol"_s);
        QCOMPARE(first.data(SearchResultsModel::AuthorDisplayRole).toString(), u"carol"_s);
        QCOMPARE(first.data(SearchResultsModel::TimeRole).toDateTime().toMSecsSinceEpoch(), 3000);
        QCOMPARE(first.data(SearchResultsModel::SnippetRole).toString(), u"deploy finished"_s);
        QCOMPARE(first.data(SearchResultsModel::HighlightedRole).toString(),
                 u"<b>deploy</b> finished"_s);
        // The server's snippet is what a long text shows.
        QCOMPARE(model.index(1).data(SearchResultsModel::SnippetRole).toString(),
                 u"…the deployment?"_s);
        QCOMPARE(model.index(1).data(SearchResultsModel::TextRole).toString(),
                 u"the deployment?"_s);
        QCOMPARE(model.index(1).data(SearchResultsModel::HighlightedRole).toString(),
                 u"…the <b>deploy</b>ment?"_s);

        // The next page adds to the end; the last has no cursor.
        model.applyPage(
            u"deploy"_s,
            page({hit(u"general"_s, 1, u"bob"_s, u"Deploy started"_s, 1000)}, QJsonValue::Null),
            true);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(2).data(SearchResultsModel::RoomRole).toString(), u"general"_s);
        QVERIFY(!model.hasMore());

        // Another query replaces the hits.
        model.applyPage(u"lunch"_s, page({hit(u"general"_s, 2, u"alice"_s, u"lunch?"_s, 5000)}, {}),
                        false);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.query(), u"lunch"_s);
        QCOMPARE(model.index(0).data(SearchResultsModel::HighlightedRole).toString(),
                 u"<b>lunch</b>?"_s);
        // No hits at all.
        model.applyPage(u"zebra"_s, page({}, QJsonValue::Null), false);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(model.searched());
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.searched());
        QVERIFY(model.query().isEmpty());
    }

    void highlightEscapesAndMarksWordStarts_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("expected");
        QTest::newRow("prefix, any case")
            << u"Deploy and deployed"_s << u"depl"_s << u"<b>Depl</b>oy and <b>depl</b>oyed"_s;
        QTest::newRow("not inside a word") << u"redeploy"_s << u"deploy"_s << u"redeploy"_s;
        QTest::newRow("markup is text") << u"<b>x</b> & deploy"_s << u"deploy"_s
                                        << u"&lt;b&gt;x&lt;/b&gt; &amp; <b>deploy</b>"_s;
        QTest::newRow("several words")
            << u"lunch at noon"_s << u"noon \"lunch*"_s << u"<b>lunch</b> at <b>noon</b>"_s;
        QTest::newRow("line breaks") << u"one\ntwo"_s << u"two"_s << u"one<br><b>two</b>"_s;
        QTest::newRow("chinese") << u"你好世界"_s << u"你好"_s << u"<b>你好</b>世界"_s;
        QTest::newRow("no words") << u"a < b"_s << u"\"*-:"_s << u"a &lt; b"_s;
    }
    void highlightEscapesAndMarksWordStarts()
    {
        QFETCH(QString, text);
        QFETCH(QString, query);
        QFETCH(QString, expected);
        QCOMPARE(SearchResultsModel::highlight(text, SearchResultsModel::words(query)), expected);
    }

    void wordsAreRunsOfLettersAndDigits()
    {
        QCOMPARE(SearchResultsModel::words(u"\"deploy* NEAR(x2 -y: 日本語"_s),
                 QStringList({u"deploy"_s, u"NEAR"_s, u"x2"_s, u"y"_s, u"日本語"_s}));
        QCOMPARE(SearchResultsModel::words(u" \" * "_s), QStringList());
    }

    void refusedLocallyWithAReason()
    {
        SearchResultsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Blank: nothing asked, nothing to say.
        model.search(u"   "_s);
        QVERIFY(model.query().isEmpty());
        QVERIFY(model.errorText().isEmpty());
        QVERIFY(!model.busy());
        // Longer than the server takes.
        model.search(QString(SearchResultsModel::MaxQueryLength + 1, u'a'));
        QVERIFY2(model.errorText().contains(u"256"_s), qPrintable(model.errorText()));
        QVERIFY(!model.busy());
        // No session, so no connection: offline.
        model.search(u"deploy"_s);
        QVERIFY2(model.errorText().contains(u"offline"_s), qPrintable(model.errorText()));
        QVERIFY(!model.busy());
        QVERIFY(!model.searched());
        // The server's refusal, in words.
        model.applyError(u"bad_value"_s, u"query"_s, u"the query is longer than 256 characters"_s);
        QVERIFY(model.errorText().contains(u"256"_s));
        model.applyError(u"internal"_s, {}, u"disk on fire"_s);
        QVERIFY(model.errorText().contains(u"disk on fire"_s));
        // A page clears the error.
        model.applyPage(u"deploy"_s, page({}, QJsonValue::Null), false);
        QVERIFY(model.errorText().isEmpty());
    }
};

QTEST_MAIN(TestSearchResults)
#include "tst_searchresults.moc"
