// Read receipts end to end: the desktop client core against a real herald-server (a child
// process on port 0). bob reads alice's direct messages and alice's client shows "Seen by Bob"
// under the newest of her messages he read, and nowhere else; with bob's receipts turned off
// (on his settings page, synced to his other devices and kept by the server) a fresh alice
// sees none.
#include "heraldfixture.h"

#include "chatroom.h"
#include "credentialstore.h"
#include "session.h"

#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;

class TestReceiptsClient : public QObject
{
    Q_OBJECT

private:
    fixture::Server m_server;
    QHash<QString, QString> m_tokens;

    std::unique_ptr<Session> signedIn(const QString &user)
    {
        auto session = std::make_unique<Session>(nullptr);
        session->setRememberCredentials(false);
        QSignalSpy ready(session.get(), &Session::ready);
        session->connectWithToken(m_server.url(), m_tokens.value(user));
        if (!ready.wait(10000) || session->status() != Session::Online)
            return nullptr;
        return session;
    }

    /** The DM with @p other as @p session has it, opened (members and history loaded). */
    static ChatRoom *openDm(Session &session, const QString &other)
    {
        QSignalSpy opened(&session, &Session::roomOpenRequested);
        session.openDirectMessage(other);
        if (!opened.wait(10000))
            return nullptr;
        auto *room = opened.at(0).at(0).value<ChatRoom *>();
        if (room)
            room->open();
        return room;
    }

    /** seq -> seenText of every message that has one. */
    static QHash<qint64, QString> seenLines(ChatRoom *room)
    {
        QHash<qint64, QString> out;
        MessageModel *m = room->messages();
        for (int i = 0; i < m->rowCount(); ++i) {
            const QString seen = m->index(i).data(MessageModel::SeenTextRole).toString();
            if (!seen.isEmpty())
                out.insert(m->index(i).data(MessageModel::SeqRole).toLongLong(), seen);
        }
        return out;
    }

    static qint64 seqOf(ChatRoom *room, const QString &text)
    {
        MessageModel *m = room->messages();
        for (int i = 0; i < m->rowCount(); ++i)
            if (m->index(i).data(MessageModel::TextRole).toString() == text)
                return m->index(i).data(MessageModel::SeqRole).toLongLong();
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"HeraldTest"_s);
        QCoreApplication::setApplicationName(u"tst_receiptsclient"_s);
        QSettings().clear();
        QFile::remove(CredentialStore::fallbackPath());
        qputenv("HERALD_CREDENTIAL_STORE", "file");
        if (!m_server.binariesExist())
            QSKIP("herald-server or heraldctl is not built");
        const auto ctl = [this](const QStringList &args) { return m_server.ctl(args).has_value(); };
        QVERIFY(ctl({u"user"_s, u"add"_s, u"alice"_s, u"--display"_s, u"Alice"_s}));
        QVERIFY(ctl({u"user"_s, u"add"_s, u"bob"_s, u"--display"_s, u"Bob"_s}));
        for (const QString &user : {u"alice"_s, u"bob"_s}) {
            m_tokens.insert(user, m_server.ctl({u"token"_s, u"issue"_s, user}).value_or(QString()));
            QVERIFY(!m_tokens.value(user).isEmpty());
        }
        QVERIFY(m_server.start());
    }

    void bobsReceiptShowsUnderTheRightMessage()
    {
        auto alice = signedIn(u"alice"_s);
        auto bob = signedIn(u"bob"_s);
        QVERIFY(alice && bob);
        QVERIFY(alice->sendReadReceipts());
        QTRY_VERIFY_WITH_TIMEOUT(alice->people()->indexOf(u"bob"_s) >= 0, 10000);
        ChatRoom *dm = openDm(*alice, u"bob"_s);
        QVERIFY(dm);
        dm->send(u"first"_s);
        dm->send(u"second"_s);
        QTRY_VERIFY_WITH_TIMEOUT(seqOf(dm, u"second"_s) > 0 && dm->messages()->pending().isEmpty(),
                                 10000);
        const qint64 second = seqOf(dm, u"second"_s);
        QVERIFY(seenLines(dm).isEmpty()); // bob has read nothing of hers yet

        QTRY_VERIFY_WITH_TIMEOUT(bob->room(dm->name()), 10000);
        ChatRoom *bobsDm = bob->room(dm->name());
        QTRY_COMPARE_WITH_TIMEOUT(bobsDm->lastSeq(), second, 10000);
        bobsDm->markRead();
        QTRY_COMPARE_WITH_TIMEOUT(seenLines(dm).value(second), u"Seen by Bob"_s, 10000);
        QCOMPARE(seenLines(dm).size(), 1); // not under "first" too
        QCOMPARE(dm->receipts()->position(u"bob"_s), second);
        // The member list says he has seen the latest.
        UserListModel *members = dm->members();
        QTRY_VERIFY_WITH_TIMEOUT(members->indexOf(u"bob"_s) >= 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(
            members->index(members->indexOf(u"bob"_s)).data(UserListModel::ReadRole).toString(),
            u"Seen the latest"_s, 10000);

        // A third message he has not read: the line stays under "second".
        dm->send(u"third"_s);
        QTRY_VERIFY_WITH_TIMEOUT(seqOf(dm, u"third"_s) > 0, 10000);
        QTest::qWait(300);
        QCOMPARE(seenLines(dm).keys(), QList<qint64>{second});
        // A fresh session of alice gets his position from room.members.
        auto aliceAgain = signedIn(u"alice"_s);
        QVERIFY(aliceAgain);
        ChatRoom *again = openDm(*aliceAgain, u"bob"_s);
        QVERIFY(again);
        QTRY_COMPARE_WITH_TIMEOUT(again->receipts()->position(u"bob"_s), second, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(seqOf(again, u"second"_s) == second, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(seenLines(again).value(second), u"Seen by Bob"_s, 10000);
    }

    void optedOutShowsNone()
    {
        auto bob = signedIn(u"bob"_s);
        auto bobLaptop = signedIn(u"bob"_s);
        QVERIFY(bob && bobLaptop);
        QVERIFY(bob->sendReadReceipts());
        bob->setSendReadReceipts(false);
        QVERIFY(!bob->sendReadReceipts());
        QTRY_VERIFY_WITH_TIMEOUT(!bobLaptop->sendReadReceipts(), 10000); // receipts.sync
        auto bobLater = signedIn(u"bob"_s);
        QVERIFY(bobLater && !bobLater->sendReadReceipts()); // hello

        auto alice = signedIn(u"alice"_s);
        QVERIFY(alice);
        ChatRoom *dm = openDm(*alice, u"bob"_s);
        QVERIFY(dm);
        dm->send(u"are you reading this?"_s);
        QTRY_VERIFY_WITH_TIMEOUT(seqOf(dm, u"are you reading this?"_s) > 0, 10000);
        const qint64 asked = seqOf(dm, u"are you reading this?"_s);
        QTRY_VERIFY_WITH_TIMEOUT(bob->room(dm->name()), 10000);
        ChatRoom *bobsDm = bob->room(dm->name());
        QTRY_COMPARE_WITH_TIMEOUT(bobsDm->lastSeq(), asked, 10000);
        bobsDm->markRead();
        // His laptop follows his position (room.readMarker), so the read was done...
        QTRY_VERIFY_WITH_TIMEOUT(bobLaptop->room(dm->name()), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(bobLaptop->room(dm->name())->readSeq(), asked, 10000);
        QTest::qWait(300);
        // ...but alice sees no receipt, live or from the member list.
        QVERIFY(seenLines(dm).isEmpty());
        QCOMPARE(dm->receipts()->position(u"bob"_s), -1);
        auto aliceAgain = signedIn(u"alice"_s);
        QVERIFY(aliceAgain);
        ChatRoom *again = openDm(*aliceAgain, u"bob"_s);
        QVERIFY(again);
        QTRY_VERIFY_WITH_TIMEOUT(again->members()->indexOf(u"bob"_s) >= 0, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(seqOf(again, u"are you reading this?"_s) == asked, 10000);
        QVERIFY(seenLines(again).isEmpty());
        QCOMPARE(again->receipts()->count(), 0);
        // Back on: the next read is seen.
        bob->setSendReadReceipts(true);
        QTRY_VERIFY_WITH_TIMEOUT(bobLaptop->sendReadReceipts(), 10000);
        dm->send(u"now?"_s);
        QTRY_VERIFY_WITH_TIMEOUT(seqOf(dm, u"now?"_s) > 0, 10000);
        const qint64 now = seqOf(dm, u"now?"_s);
        QTRY_COMPARE_WITH_TIMEOUT(bobsDm->lastSeq(), now, 10000);
        bobsDm->markRead();
        QTRY_COMPARE_WITH_TIMEOUT(seenLines(dm).value(now), u"Seen by Bob"_s, 10000);
        QCOMPARE(seenLines(dm).size(), 1);
    }
};

QTEST_MAIN(TestReceiptsClient)
#include "tst_receiptsclient.moc"
