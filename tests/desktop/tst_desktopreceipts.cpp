// Read receipts in the desktop's chat models, under QAbstractItemModelTester and fed with
// decoded frames (no server): ReadReceipts keeps each other member's position (from
// room.members, then room.receipt; never backwards; none for those without readSeq),
// MessageModel puts each reader under the newest of the person's own messages they have read
// ("Seen by ..."), and ChatRoom's member list says how far each member read.
#include "chatroom.h"
#include "messagemodel.h"
#include "readreceipts.h"

#include <herald/protocol.h>

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
namespace proto = herald::proto;
using Tester = QAbstractItemModelTester;

namespace {
QJsonObject frame(const QString &type, const QJsonObject &body)
{
    const auto decoded =
        proto::decode(proto::encode(type, body), proto::Direction::ServerToClient, {1 << 20, 16});
    if (!decoded.ok())
        qFatal("bad test frame %s: %s", qPrintable(type), qPrintable(decoded.error.message));
    return decoded.frame->body;
}

QJsonObject message(qint64 seq, const QString &from)
{
    return frame(proto::Type::Message, {{u"room"_s, u"general"_s},
                                        {u"seq"_s, seq},
                                        {u"from"_s, from},
                                        {u"text"_s, u"m%1"_s.arg(seq)},
                                        {u"ts"_s, qint64(1700000000000LL + seq * 60000)}});
}

QStringList seenBy(const MessageModel &model, qint64 seq)
{
    return model.index(model.rowOf(seq)).data(MessageModel::SeenByRole).toStringList();
}
} // namespace

class TestDesktopReceipts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void positionsNeverGoBack()
    {
        ReadReceipts receipts;
        receipts.setSelf(u"alice"_s);
        QSignalSpy changed(&receipts, &ReadReceipts::changed);
        receipts.setMembers(QJsonArray{
            QJsonObject{{u"name"_s, u"alice"_s}, {u"readSeq"_s, 9}}, // herself: not a receipt
            QJsonObject{{u"name"_s, u"bob"_s}, {u"readSeq"_s, 4}},
            QJsonObject{{u"name"_s, u"carol"_s}}}); // sends no receipts
        QCOMPARE(changed.size(), 1);
        QCOMPARE(receipts.count(), 1);
        QCOMPARE(receipts.position(u"bob"_s), 4);
        QCOMPARE(receipts.position(u"carol"_s), -1);
        QCOMPARE(receipts.position(u"alice"_s), -1);
        QVERIFY(!receipts.apply(u"bob"_s, 3));
        QVERIFY(!receipts.apply(u"bob"_s, 4));
        QVERIFY(!receipts.apply(u"alice"_s, 12));
        QCOMPARE(changed.size(), 1);
        QVERIFY(receipts.apply(u"bob"_s, 6));
        QVERIFY(receipts.apply(u"carol"_s, 2));
        QCOMPARE(changed.size(), 3);
        // A member list older than a receipt keeps the receipt; a member who turned receipts
        // off (no readSeq now) is forgotten.
        receipts.setMembers(QJsonArray{QJsonObject{{u"name"_s, u"bob"_s}, {u"readSeq"_s, 5}},
                                       QJsonObject{{u"name"_s, u"carol"_s}}});
        QCOMPARE(receipts.position(u"bob"_s), 6);
        QCOMPARE(receipts.position(u"carol"_s), -1);
        receipts.remove(u"bob"_s);
        QCOMPARE(receipts.count(), 0);
    }

    void readersSitUnderTheNewestOwnMessageTheyRead()
    {
        MessageModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        model.setSelf(u"alice"_s);
        model.setDisplayNames([](const QString &n) { return n == u"bob"_s ? u"Bob"_s : n; });
        model.setReaders({{u"bob"_s, 3}}); // before any message: nothing to mark
        for (const auto &[seq, from] : {std::pair{1, u"alice"_s},
                                        {2, u"bob"_s},
                                        {3, u"alice"_s},
                                        {4, u"carol"_s},
                                        {5, u"alice"_s}})
            QVERIFY(model.insertMessage(MessageModel::fromJson(message(seq, from))));
        // Inserted after the readers were known: placed on arrival.
        QCOMPARE(seenBy(model, 3), QStringList{u"Bob"_s});
        QCOMPARE(model.index(model.rowOf(3)).data(MessageModel::SeenTextRole).toString(),
                 u"Seen by Bob"_s);
        QVERIFY(seenBy(model, 1).isEmpty());
        QVERIFY(seenBy(model, 5).isEmpty());

        QSignalSpy dataChanged(&model, &QAbstractItemModel::dataChanged);
        // bob reads on (to 4: still alice's 3 is the newest of hers he read), carol to 5, dave
        // and erin to the end; frank has read nothing of hers.
        model.setReaders(
            {{u"bob"_s, 4}, {u"carol"_s, 5}, {u"dave"_s, 9}, {u"erin"_s, 5}, {u"frank"_s, 0}});
        QCOMPARE(seenBy(model, 3), QStringList{u"Bob"_s});
        QCOMPARE(seenBy(model, 5), (QStringList{u"carol"_s, u"dave"_s, u"erin"_s}));
        QCOMPARE(model.index(model.rowOf(5)).data(MessageModel::SeenTextRole).toString(),
                 MessageModel::seenText({u"carol"_s, u"dave"_s, u"erin"_s}));
        QVERIFY(model.index(model.rowOf(5))
                    .data(MessageModel::SeenTextRole)
                    .toString()
                    .startsWith(u"Seen by carol, dave and 1 other"_s));
        // Only the row that changed was told, with the receipt roles.
        QCOMPARE(dataChanged.size(), 1);
        QCOMPARE(dataChanged.at(0).at(0).value<QModelIndex>().row(), model.rowOf(5));
        QVERIFY(dataChanged.at(0).at(2).value<QList<int>>().contains(MessageModel::SeenByRole));

        // bob reads up to 5: he moves from 3 to 5.
        model.setReaders({{u"bob"_s, 5}, {u"carol"_s, 5}, {u"dave"_s, 9}, {u"erin"_s, 5}});
        QVERIFY(seenBy(model, 3).isEmpty());
        QCOMPARE(seenBy(model, 5).size(), 4);
        QCOMPARE(seenBy(model, 5).first(), u"Bob"_s);
        // Others' messages never carry it.
        QVERIFY(seenBy(model, 4).isEmpty());
        QCOMPARE(MessageModel::seenText({}), QString());
        QCOMPARE(MessageModel::seenText({u"Bob"_s, u"Carol"_s}), u"Seen by Bob and Carol"_s);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void memberListSaysHowFarEachRead()
    {
        ChatRoom room(u"general"_s, nullptr);
        room.setSelf(u"alice"_s);
        UserListModel *members = room.members();
        Tester tester(members, Tester::FailureReportingMode::QtTest);
        room.handleMember(u"bob"_s, u"joined"_s);
        room.handleMember(u"carol"_s, u"joined"_s);
        for (int seq = 1; seq <= 3; ++seq)
            room.handleMessage(message(seq, seq == 2 ? u"bob"_s : u"alice"_s));
        const auto readOf = [members](const QString &name) {
            return members->index(members->indexOf(name)).data(UserListModel::ReadRole).toString();
        };
        QCOMPARE(readOf(u"bob"_s), QString());
        room.handleReceipt(u"bob"_s, 2);
        QCOMPARE(readOf(u"bob"_s), room.readText(2));
        QVERIFY(readOf(u"bob"_s).startsWith(u"Read up to "_s));
        QCOMPARE(readOf(u"carol"_s), QString()); // no receipt from her
        room.handleReceipt(u"bob"_s, 3);
        QCOMPARE(readOf(u"bob"_s), u"Seen the latest"_s);
        QCOMPARE(room.messages()
                     ->index(room.messages()->rowOf(3))
                     .data(MessageModel::SeenByRole)
                     .toStringList()
                     .size(),
                 1);
        // A newer message: bob no longer has seen the latest.
        room.handleMessage(message(4, u"carol"_s));
        QVERIFY(readOf(u"bob"_s).startsWith(u"Read up to "_s));
        QCOMPARE(room.readText(0), u"Read earlier messages"_s);
        room.handleMember(u"bob"_s, u"left"_s);
        QCOMPARE(room.receipts()->count(), 0);
    }
};

QTEST_MAIN(TestDesktopReceipts)
#include "tst_desktopreceipts.moc"
