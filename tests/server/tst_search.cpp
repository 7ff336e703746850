// Chat search (room.search), against a real server on port 0 (SQLite here; PostgreSQL through
// tests/cluster): words found as prefixes, all required, newest first over the rooms and DMs the
// person is a member of and no others; paging by cursor visits every hit exactly once; search
// syntax characters of either engine are plain text; a query past 256 characters, a blank one,
// a bad cursor or limit, and a room one is not in are refused with the field; the index follows
// a message stored live, its text changed in place and the row deleted; room.history returns
// the messages around a hit.
#include "testkit.h"

#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

using namespace testkit;

namespace {

QJsonObject data(const QJsonObject &result)
{
    return result.value(QLatin1String("data")).toObject();
}

QJsonArray results(const QJsonObject &result)
{
    return data(result).value(QLatin1String("results")).toArray();
}

/** "room/seq" of each hit, in order. */
QStringList hitKeys(const QJsonObject &result)
{
    QStringList out;
    for (const QJsonValue &v : results(result))
        out << v.toObject().value(QLatin1String("room")).toString() + QLatin1Char('/') +
                   QString::number(v.toObject().value(QLatin1String("seq")).toInteger());
    return out;
}

} // namespace

class TestSearch : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_seed = std::make_unique<Seed>(m_dir->path());
        m_tokens = m_seed->people(
            {QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")});
        m_general = m_seed->room(QStringLiteral("general"),
                                 {QStringLiteral("alice"), QStringLiteral("bob")});
        m_ops =
            m_seed->room(QStringLiteral("ops"), {QStringLiteral("alice"), QStringLiteral("carol")});
        m_secret =
            m_seed->room(QStringLiteral("secret"), {QStringLiteral("bob"), QStringLiteral("carol")},
                         QStringLiteral("private"));
        Store &st = m_seed->store;
        const qint64 alice = st.user(QStringLiteral("alice"))->id;
        const qint64 bob = st.user(QStringLiteral("bob"))->id;
        const qint64 carol = st.user(QStringLiteral("carol"))->id;
        m_dm = std::get<herald::RoomRow>(st.openDm(alice, bob));
        store(m_general, bob, QStringLiteral("Deploy started on staging"), 1000);
        store(m_dm.id, bob, QStringLiteral("did you see the deployment?"), 2000);
        store(m_ops, carol, QStringLiteral("deploy finished, all green"), 3000);
        store(m_secret, carol, QStringLiteral("deploy the secret thing"), 4000);
        store(m_general, alice, QStringLiteral("lunch at noon"), 5000);
        // A public room alice and bob could read but are not members of.
        const qint64 town = m_seed->room(QStringLiteral("town"), {QStringLiteral("carol")});
        store(town, carol, QStringLiteral("deploy in town"), 500);
        m_server = std::make_unique<LocalServer>(m_dir->path());
    }
    void cleanup()
    {
        m_server.reset();
        m_seed.reset();
        m_dir.reset();
    }

    void findsWordsNewestFirstInMyRoomsOnly()
    {
        Client alice;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const QJsonObject r = search(alice, QStringLiteral("deploy"));
        QCOMPARE(r.value(QLatin1String("type")).toString(), QStringLiteral("result"));
        // secret (newest, carol and bob only) is not hers; the DM is.
        QCOMPARE(hitKeys(r), QStringList({QStringLiteral("ops/1"), m_dm.name + QStringLiteral("/1"),
                                          QStringLiteral("general/1")}));
        const QJsonObject first = results(r).first().toObject();
        QCOMPARE(first.value(QLatin1String("from")).toString(), QStringLiteral("carol"));
        QCOMPARE(first.value(QLatin1String("text")).toString(),
                 QStringLiteral("deploy finished, all green"));
        QCOMPARE(first.value(QLatin1String("ts")).toInteger(), 3000);
        QVERIFY(!first.contains(QLatin1String("snippet"))); // short: shown whole
        QVERIFY(data(r).value(QLatin1String("next")).isNull());
        // Case does not matter; a word matches as a prefix; every word is required.
        QCOMPARE(hitKeys(search(alice, QStringLiteral("DEPL"))).size(), 3);
        QCOMPARE(hitKeys(search(alice, QStringLiteral("deploy green"))),
                 QStringList{QStringLiteral("ops/1")});
        QCOMPARE(hitKeys(search(alice, QStringLiteral("nothing-like-this"))), QStringList());
        // One room only.
        QCOMPARE(hitKeys(search(alice, QStringLiteral("deploy"),
                                {{QStringLiteral("room"), QStringLiteral("general")}})),
                 QStringList{QStringLiteral("general/1")});
        // bob sees secret and general and the DM, not ops.
        Client bob;
        QVERIFY(bob.open(m_server->wsUrl(), m_tokens[QStringLiteral("bob")]));
        QCOMPARE(hitKeys(search(bob, QStringLiteral("deploy"))),
                 QStringList({QStringLiteral("secret/1"), m_dm.name + QStringLiteral("/1"),
                              QStringLiteral("general/1")}));
    }

    void roomsNotMineAreRefused()
    {
        Client alice;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        QJsonObject r = search(alice, QStringLiteral("deploy"),
                               {{QStringLiteral("room"), QStringLiteral("secret")}});
        QCOMPARE(r.value(QLatin1String("code")).toString(), QStringLiteral("forbidden"));
        QCOMPARE(r.value(QLatin1String("field")).toString(), QStringLiteral("room"));
        r = search(alice, QStringLiteral("deploy"),
                   {{QStringLiteral("room"), QStringLiteral("nope")}});
        QCOMPARE(r.value(QLatin1String("code")).toString(), QStringLiteral("not_found"));
        QCOMPARE(r.value(QLatin1String("field")).toString(), QStringLiteral("room"));
        // A public room she could read but is not a member of is not searched either.
        r = search(alice, QStringLiteral("deploy"),
                   {{QStringLiteral("room"), QStringLiteral("town")}});
        QCOMPARE(r.value(QLatin1String("code")).toString(), QStringLiteral("forbidden"));
    }

    void pagingVisitsEveryHitOnce()
    {
        // 40 more hits in two rooms, three at a time with the same ts: the order must break ties.
        Store &st = m_seed->store;
        const qint64 bob = st.user(QStringLiteral("bob"))->id;
        const qint64 carol = st.user(QStringLiteral("carol"))->id;
        QStringList expected;
        for (int i = 0; i < 40; ++i) {
            const bool inOps = i % 2;
            const qint64 seq = store(inOps ? m_ops : m_general, inOps ? carol : bob,
                                     QStringLiteral("alpha %1").arg(i), 10000 + i / 3);
            expected << (inOps ? QStringLiteral("ops/") : QStringLiteral("general/")) +
                            QString::number(seq);
        }
        Client alice;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        // The default page is 20.
        QJsonObject r = search(alice, QStringLiteral("alpha"));
        QCOMPARE(results(r).size(), 20);
        QVERIFY(data(r).value(QLatin1String("next")).isString());

        QStringList seen;
        QJsonValue next;
        int pages = 0;
        qint64 lastTs = std::numeric_limits<qint64>::max();
        do {
            QJsonObject body{{QStringLiteral("limit"), 7}};
            if (next.isString())
                body.insert(QStringLiteral("before"), next);
            r = search(alice, QStringLiteral("alpha"), body);
            QCOMPARE(r.value(QLatin1String("type")).toString(), QStringLiteral("result"));
            QVERIFY(results(r).size() <= 7);
            for (const QJsonValue &v : results(r)) {
                const qint64 ts = v.toObject().value(QLatin1String("ts")).toInteger();
                QVERIFY(ts <= lastTs); // newest first, across pages too
                lastTs = ts;
            }
            seen << hitKeys(r);
            next = data(r).value(QLatin1String("next"));
            QVERIFY(++pages <= 7);
        } while (!next.isNull());
        QCOMPARE(pages, 6); // 40 hits: 5 full pages and 5 on the last
        QCOMPARE(seen.size(), 40);
        QCOMPARE(QSet<QString>(seen.begin(), seen.end()).size(), 40); // each once
        std::sort(seen.begin(), seen.end());
        std::sort(expected.begin(), expected.end());
        QCOMPARE(seen, expected);
    }

    void syntaxCharactersArePlainText()
    {
        Client alice;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        // Characters that are syntax in FTS5 or in a tsquery are plain text: the words around
        // them are searched for, and nothing is ever a syntax error.
        const QList<std::pair<QString, int>> queries{
            {QStringLiteral("\"deploy"), 3},
            {QStringLiteral("deploy\""), 3},
            {QStringLiteral("deploy*"), 3},
            {QStringLiteral("-deploy"), 3},
            {QStringLiteral("deploy:"), 3},
            {QStringLiteral("^deploy"), 3},
            {QStringLiteral("(deploy)"), 3},
            {QStringLiteral("'deploy'"), 3},
            {QStringLiteral("deploy:*"), 3},
            {QStringLiteral("!deploy | &"), 3},
            {QStringLiteral("deploy\\"), 3},
            {QStringLiteral("{deploy}"), 3},
            {QStringLiteral("deploy + -- ;"), 3},
            {QStringLiteral("deploy OR lunch"), 0}, // three words, all required
            {QStringLiteral("NEAR(deploy green)"), 0},
            {QStringLiteral("NEAR("), 0},
            {QStringLiteral("staging:deploy"), 1},
            {QStringLiteral("deploy") + QChar(0), 3},
            {QStringLiteral("\""), 0},
            {QStringLiteral("*"), 0},
            {QStringLiteral("-"), 0},
            {QStringLiteral(":"), 0},
            {QStringLiteral("\"\"*"), 0},
            {QStringLiteral("AND OR NOT"), 0},
        };
        for (const auto &[q, count] : queries) {
            const QJsonObject r = search(alice, q);
            QVERIFY2(r.value(QLatin1String("type")).toString() == QLatin1String("result"),
                     qPrintable(q));
            QVERIFY2(hitKeys(r).size() == count, qPrintable(q));
        }
    }

    void badInputIsRefusedWithTheField()
    {
        Client alice;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const auto expectBad = [&](const QJsonObject &r, const char *code, const char *field) {
            QCOMPARE(r.value(QLatin1String("type")).toString(), QStringLiteral("error"));
            QCOMPARE(r.value(QLatin1String("code")).toString(), QLatin1String(code));
            QCOMPARE(r.value(QLatin1String("field")).toString(), QLatin1String(field));
        };
        expectBad(search(alice, QString(10 * 1024, QLatin1Char('a'))), "bad_value", "query");
        expectBad(search(alice, QString(257, QLatin1Char('a'))), "bad_value", "query");
        QCOMPARE(
            search(alice, QString(256, QLatin1Char('a'))).value(QLatin1String("type")).toString(),
            QStringLiteral("result"));
        expectBad(search(alice, QString()), "bad_value", "query");
        expectBad(search(alice, QStringLiteral(" \t\n ")), "bad_value", "query");
        expectBad(alice.request(QStringLiteral("room.search"), {}), "missing_field", "query");
        expectBad(search(alice, QStringLiteral("deploy"), {{QStringLiteral("limit"), 51}}),
                  "bad_value", "limit");
        expectBad(search(alice, QStringLiteral("deploy"), {{QStringLiteral("limit"), 0}}),
                  "bad_value", "limit");
        for (const QString &cursor : {QStringLiteral("abc"), QStringLiteral("1.2"),
                                      QStringLiteral("1.2.-3"), QStringLiteral("1.2.3.4")})
            expectBad(search(alice, QStringLiteral("deploy"), {{QStringLiteral("before"), cursor}}),
                      "bad_value", "before");
        // Still searching afterwards.
        QCOMPARE(hitKeys(search(alice, QStringLiteral("deploy"))).size(), 3);
    }

    void longTextsGetASnippet()
    {
        const QString text = QString(200, QLatin1Char('x')) +
                             QStringLiteral(" the needle is here ") +
                             QString(200, QLatin1Char('y'));
        store(m_general, m_seed->store.user(QStringLiteral("bob"))->id, text, 6000);
        Client alice;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const QJsonObject hit = results(search(alice, QStringLiteral("needle"))).first().toObject();
        QCOMPARE(hit.value(QLatin1String("text")).toString(), text);
        const QString snippet = hit.value(QLatin1String("snippet")).toString();
        QVERIFY2(snippet.contains(QLatin1String("the needle is here")), qPrintable(snippet));
        QVERIFY(snippet.startsWith(QStringLiteral("…")));
        QVERIFY(snippet.endsWith(QStringLiteral("…")));
        QVERIFY(snippet.size() < 200);
    }

    void indexFollowsLiveMessagesUpdatesAndDeletes()
    {
        Client alice;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        // Stored through the server.
        const QJsonObject sent = alice.request(
            QStringLiteral("msg.send"), {{QStringLiteral("room"), QStringLiteral("ops")},
                                         {QStringLiteral("clientId"), QStringLiteral("c1")},
                                         {QStringLiteral("text"), QStringLiteral("kumquat pie")}});
        QCOMPARE(data(sent).value(QLatin1String("seq")).toInteger(), 2);
        QCOMPARE(hitKeys(search(alice, QStringLiteral("kumquat"))),
                 QStringList{QStringLiteral("ops/2")});

        // The text changed in place (as an edit, or a delete that blanks it, does).
        QVERIFY(sql(
            QStringLiteral("UPDATE messages SET text='rollback done' WHERE room_id=%1 AND seq=1")
                .arg(m_general)));
        QCOMPARE(hitKeys(search(alice, QStringLiteral("deploy"))),
                 QStringList({QStringLiteral("ops/1"), m_dm.name + QStringLiteral("/1")}));
        QCOMPARE(hitKeys(search(alice, QStringLiteral("rollback"))),
                 QStringList{QStringLiteral("general/1")});
        QCOMPARE(results(search(alice, QStringLiteral("rollback")))
                     .first()
                     .toObject()
                     .value(QLatin1String("text"))
                     .toString(),
                 QStringLiteral("rollback done"));
        QVERIFY(sql(QStringLiteral("UPDATE messages SET text='' WHERE room_id=%1 AND seq=1")
                        .arg(m_general)));
        QCOMPARE(hitKeys(search(alice, QStringLiteral("rollback"))), QStringList());
        QVERIFY(sql(
            QStringLiteral("UPDATE messages SET text='rollback again' WHERE room_id=%1 AND seq=1")
                .arg(m_general)));
        QCOMPARE(hitKeys(search(alice, QStringLiteral("rollback"))).size(), 1);

        // The row deleted, as retention does (the oldest of the room, and purged_upto with it).
        QVERIFY(
            sql(QStringLiteral("DELETE FROM messages WHERE room_id=%1 AND seq=1").arg(m_general)));
        QVERIFY(sql(QStringLiteral("UPDATE rooms SET purged_upto=1 WHERE id=%1").arg(m_general)));
        QCOMPARE(hitKeys(search(alice, QStringLiteral("rollback"))), QStringList());
        QCOMPARE(hitKeys(search(alice, QStringLiteral("lunch"))),
                 QStringList{QStringLiteral("general/2")});
        if (!m_seed->store.isPostgres()) // the FTS5 index agrees with itself after all that
            QVERIFY(sql(QStringLiteral(
                "INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')")));
        // A room deleted takes its messages out of the index with it.
        QVERIFY(sql(QStringLiteral("DELETE FROM rooms WHERE id=%1").arg(m_ops)));
        QCOMPARE(hitKeys(search(alice, QStringLiteral("kumquat"))), QStringList());
    }

    void historyAroundAHit()
    {
        Store &st = m_seed->store;
        const qint64 bob = st.user(QStringLiteral("bob"))->id;
        for (int i = 2; i <= 30; ++i) // general: 1 (deploy), 2 (lunch, from init), then these
            store(m_general, bob,
                  i == 15 ? QStringLiteral("the zebra crossing") : QStringLiteral("chatter"),
                  20000 + i);
        Client alice;
        QVERIFY(alice.open(m_server->wsUrl(), m_tokens[QStringLiteral("alice")]));
        const QJsonObject hit = results(search(alice, QStringLiteral("zebra"))).first().toObject();
        const qint64 seq = hit.value(QLatin1String("seq")).toInteger();
        QCOMPARE(seq, 16);
        // Five on each side: after seq-6 and before seq+6.
        QJsonObject r = alice.request(QStringLiteral("room.history"),
                                      {{QStringLiteral("room"), QStringLiteral("general")},
                                       {QStringLiteral("after"), seq - 6},
                                       {QStringLiteral("before"), seq + 6},
                                       {QStringLiteral("limit"), 50}});
        QJsonArray messages = data(r).value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 11);
        QCOMPARE(messages.first().toObject().value(QLatin1String("seq")).toInteger(), seq - 5);
        QCOMPARE(messages.last().toObject().value(QLatin1String("seq")).toInteger(), seq + 5);
        QCOMPARE(data(r).value(QLatin1String("hasMore")).toBool(), false);
        // A range larger than the page: the newest of it, and hasMore.
        r = alice.request(QStringLiteral("room.history"),
                          {{QStringLiteral("room"), QStringLiteral("general")},
                           {QStringLiteral("after"), seq - 6},
                           {QStringLiteral("before"), seq + 6},
                           {QStringLiteral("limit"), 4}});
        messages = data(r).value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 4);
        QCOMPARE(messages.first().toObject().value(QLatin1String("seq")).toInteger(), seq + 2);
        QCOMPARE(data(r).value(QLatin1String("hasMore")).toBool(), true);
    }

private:
    qint64 store(qint64 roomId, qint64 senderId, const QString &text, qint64 ts)
    {
        const auto r = m_seed->store.storeMessage(
            roomId, senderId, QStringLiteral("s%1").arg(++m_clientIds), text, ts);
        return std::get<herald::StoredMessage>(r).seq;
    }
    bool sql(const QString &statement)
    {
        QSqlQuery q(m_seed->store.connection());
        const bool ok = q.exec(statement);
        if (!ok)
            qWarning() << statement << q.lastError().text();
        return ok;
    }
    static QJsonObject search(Client &c, const QString &query, QJsonObject body = {})
    {
        body.insert(QStringLiteral("query"), query);
        return c.request(QStringLiteral("room.search"), body);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Seed> m_seed;
    std::unique_ptr<LocalServer> m_server;
    QHash<QString, QString> m_tokens;
    qint64 m_general = 0;
    qint64 m_ops = 0;
    qint64 m_secret = 0;
    herald::RoomRow m_dm;
    int m_clientIds = 0;
};

QTEST_MAIN(TestSearch)
#include "tst_search.moc"
