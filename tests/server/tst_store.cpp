// Store: schema, sequences, dedup, inbox, actions and the webhook outbox on a real SQLite file.
#include "core/store.h"

#include <herald/protocol.h>

#include <QDateTime>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace herald;

class TestStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(!m_store.open(m_dir->path()));
    }
    void cleanup()
    {
        m_store.close();
        m_dir.reset();
    }

    void schemaIsVersionedAndReopens()
    {
        m_store.close();
        QVERIFY(!m_store.open(m_dir->path())); // second open: no migration, no error
        QCOMPARE(Store::integrityCheck(m_dir->path()), QStringLiteral("ok"));
    }

    void sequencesAreGapFreeAndRetriesDeduplicated()
    {
        const qint64 u = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 r = std::get<qint64>(m_store.createRoom(QStringLiteral("general"), {}, QStringLiteral("public")));
        for (int i = 1; i <= 10; ++i) {
            const auto m = std::get<StoredMessage>(m_store.storeMessage(r, u, QString::number(i), QStringLiteral("t"), i));
            QCOMPARE(m.seq, i);
            QVERIFY(!m.duplicate);
        }
        const auto retry = std::get<StoredMessage>(m_store.storeMessage(r, u, QStringLiteral("3"), QStringLiteral("t"), 99));
        QVERIFY(retry.duplicate);
        QCOMPARE(retry.seq, 3);
        QCOMPARE(m_store.room(QStringLiteral("general"))->lastSeq, 10);
        // a rolled-back message does not consume a sequence number
        QVERIFY(m_store.begin());
        QCOMPARE(std::get<StoredMessage>(m_store.storeMessage(r, u, QStringLiteral("x"), QStringLiteral("t"), 1)).seq, 11);
        m_store.rollback();
        QCOMPARE(std::get<StoredMessage>(m_store.storeMessage(r, u, QStringLiteral("y"), QStringLiteral("t"), 1)).seq, 11);
    }

    void namesAreValidated()
    {
        QVERIFY(std::holds_alternative<StoreError>(m_store.createUser(QStringLiteral("Has Space"), {}, {})));
        QVERIFY(std::holds_alternative<StoreError>(m_store.createUser(QStringLiteral("dm-sneaky"), {}, {})));
        QVERIFY(std::holds_alternative<StoreError>(m_store.createRoom(QStringLiteral("dm:a:b"), {}, QStringLiteral("public"))));
        QVERIFY(std::holds_alternative<StoreError>(m_store.createRoom(QStringLiteral("ok"), {}, QStringLiteral("secret"))));
        QVERIFY(std::holds_alternative<qint64>(m_store.createUser(QStringLiteral("a.b-c_d9"), {}, {})));
        QCOMPARE(std::get<StoreError>(m_store.createUser(QStringLiteral("a.b-c_d9"), {}, {})).code, QStringLiteral("conflict"));
    }

    void tokensAreHashedAndRevocable()
    {
        const qint64 u = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const QString token = std::get<QString>(m_store.issueToken(u, 0, QStringLiteral("user"), QStringLiteral("l")));
        QByteArray secret;
        const qint64 id = crypto::parseToken(token, &secret);
        QVERIFY(id > 0);
        const auto row = m_store.token(id);
        QVERIFY(row);
        QCOMPARE(row->hash, crypto::tokenHash(secret));
        QVERIFY(row->hash != secret);
        QVERIFY(!m_store.revokeToken(id));
        QVERIFY(m_store.token(id)->revoked);
        QVERIFY(m_store.revokeToken(424242).has_value());
        QCOMPARE(crypto::parseToken(QStringLiteral("hrd_x_y"), &secret), 0);
        QCOMPARE(crypto::parseToken(QStringLiteral("abc"), &secret), 0);
        QCOMPARE(crypto::parseToken(QStringLiteral("hrd_5_"), &secret), 0);
    }

    void inboxReadAndActions()
    {
        const qint64 a = std::get<qint64>(m_store.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 b = std::get<qint64>(m_store.createUser(QStringLiteral("bob"), {}, {}));
        const qint64 svc = std::get<qint64>(m_store.createService(QStringLiteral("erp"), QStringLiteral("http://127.0.0.1:9/h"), QStringLiteral("k")));
        Recipients to;
        to.users = {QStringLiteral("alice"), QStringLiteral("bob")};
        const QJsonObject payload{{QStringLiteral("title"), QStringLiteral("t")}, {QStringLiteral("priority"), QStringLiteral("urgent")},
                                  {QStringLiteral("actions"), QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("ok")}, {QStringLiteral("label"), QStringLiteral("OK")}}}}};
        const auto p = std::get<PublishResult>(m_store.publish(svc, payload, to, 1000));
        QCOMPARE(p.userIds.size(), 2);
        QCOMPARE(m_store.unreadCount(a, 1000), 1);
        QCOMPARE(m_store.markRead(a, {p.id, 999}, 1001), QList<qint64>{p.id});
        QCOMPARE(m_store.markRead(a, {p.id}, 1002), QList<qint64>{});
        QCOMPARE(m_store.unreadCount(a, 1003), 0);
        QCOMPARE(m_store.unreadCount(b, 1003), 1);
        const auto first = std::get<Store::ActionResult>(m_store.act(b, p.id, QStringLiteral("ok"), 2000));
        QVERIFY(first.won);
        const auto second = std::get<Store::ActionResult>(m_store.act(a, p.id, QStringLiteral("ok"), 2001));
        QVERIFY(!second.won);
        QCOMPARE(second.resolved.value(QStringLiteral("by")).toString(), QStringLiteral("bob"));
        QCOMPARE(std::get<StoreError>(m_store.act(a, p.id, QStringLiteral("nope"), 2002)).code, QStringLiteral("bad_value"));
        // exactly one webhook row, due now, backing off after a failure
        auto due = m_store.dueWebhooks(3000, 10);
        QCOMPARE(due.size(), 1);
        m_store.webhookFailed(due.first().id, 5000, QStringLiteral("HTTP 500"));
        QCOMPARE(m_store.dueWebhooks(4000, 10).size(), 0);
        QCOMPARE(m_store.dueWebhooks(5000, 10).size(), 1);
        m_store.webhookDone(due.first().id, 5001);
        QCOMPARE(m_store.dueWebhooks(99999, 10).size(), 0);
    }

    void readOnlyDirectoryRefusesWrites()
    {
        if (::geteuid() == 0)
            QSKIP("root ignores file permissions");
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    Store m_store;
};

QTEST_MAIN(TestStore)
#include "tst_store.moc"
