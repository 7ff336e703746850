// Edits, deletions and reactions in the desktop's chat models, under QAbstractItemModelTester and
// fed with decoded frames (no server): MessageModel applies each to the row it concerns (and
// only when something changes), takes a message's state from history or a resume, and ChatRoom
// routes msg.edited / msg.deleted / msg.reaction without counting them as unread, once each.
#include "chatroom.h"
#include "messagemodel.h"

#include <herald/protocol.h>

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
namespace proto = herald::proto;
using Tester = QAbstractItemModelTester;

namespace {
/** Through the real decoder, so the test frames are valid protocol. */
QJsonObject frame(const QString &type, const QJsonObject &body)
{
    const auto decoded =
        proto::decode(proto::encode(type, body), proto::Direction::ServerToClient, {1 << 20, 16});
    if (!decoded.ok())
        qFatal("bad test frame %s: %s", qPrintable(type), qPrintable(decoded.error.message));
    return decoded.frame->body;
}

QJsonObject message(qint64 seq, const QString &from, const QString &text, QJsonObject extra = {})
{
    extra.insert(u"room"_s, u"general"_s);
    extra.insert(u"seq"_s, seq);
    extra.insert(u"from"_s, from);
    extra.insert(u"text"_s, text);
    extra.insert(u"ts"_s, qint64(1700000000000LL + seq * 1000));
    return frame(proto::Type::Message, extra);
}

QJsonObject edited(qint64 seq, qint64 target, const QString &text)
{
    return frame(proto::Type::MsgEdited, {{u"room"_s, u"general"_s},
                                          {u"seq"_s, seq},
                                          {u"target"_s, target},
                                          {u"text"_s, text},
                                          {u"editedAt"_s, qint64(1700000500000LL + seq)},
                                          {u"by"_s, u"bob"_s}});
}

QJsonObject deleted(qint64 seq, qint64 target, const QString &by = u"bob"_s)
{
    return frame(proto::Type::MsgDeleted, {{u"room"_s, u"general"_s},
                                           {u"seq"_s, seq},
                                           {u"target"_s, target},
                                           {u"by"_s, by},
                                           {u"ts"_s, qint64(1700000600000LL)}});
}

QJsonObject reaction(qint64 seq, qint64 target, const QString &emoji, const QString &by, bool on)
{
    return frame(proto::Type::MsgReaction, {{u"room"_s, u"general"_s},
                                            {u"seq"_s, seq},
                                            {u"target"_s, target},
                                            {u"emoji"_s, emoji},
                                            {u"by"_s, by},
                                            {u"on"_s, on},
                                            {u"ts"_s, qint64(1700000700000LL)}});
}

QVariantList reactionsAt(const MessageModel &model, int row)
{
    return model.index(row).data(MessageModel::ReactionsRole).toList();
}

const QString ThumbsUp = u"\U0001F44D"_s;
const QString Party = u"\U0001F389"_s;
} // namespace

class TestMessageChanges : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void modelAppliesEditsDeletesAndReactions()
    {
        MessageModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        model.setSelf(u"alice"_s);
        QVERIFY(!model.applyEdit(1, u"nothing held"_s, QDateTime::currentDateTimeUtc()));
        QVERIFY(model.insertMessage(MessageModel::fromJson(message(1, u"bob"_s, u"helo"_s))));
        QVERIFY(model.insertMessage(MessageModel::fromJson(message(2, u"alice"_s, u"hi"_s))));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(!model.index(0).data(MessageModel::EditedRole).toBool());

        const QDateTime at = QDateTime::fromMSecsSinceEpoch(1700000900000LL, Qt::UTC);
        QVERIFY(model.applyEdit(1, u"hello"_s, at));
        QCOMPARE(model.index(0).data(MessageModel::TextRole).toString(), u"hello"_s);
        QVERIFY(model.index(0).data(MessageModel::EditedRole).toBool());
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 0);
        QVERIFY(changed.first().at(2).value<QList<int>>().contains(MessageModel::EditedRole));
        QVERIFY(!model.applyEdit(99, u"x"_s, at)); // not held

        // Reactions: per person, at most once; counts, who, and whether I am among them.
        QVERIFY(model.applyReaction(1, ThumbsUp, u"bob"_s, true));
        QVERIFY(model.applyReaction(1, ThumbsUp, u"alice"_s, true));
        QVERIFY(!model.applyReaction(1, ThumbsUp, u"alice"_s, true)); // already so
        QVERIFY(model.applyReaction(1, Party, u"carol"_s, true));
        QVariantList reactions = reactionsAt(model, 0);
        QCOMPARE(reactions.size(), 2);
        QVariantMap first = reactions.at(0).toMap();
        QCOMPARE(first.value(u"emoji"_s).toString(), ThumbsUp);
        QCOMPARE(first.value(u"count"_s).toInt(), 2);
        QVERIFY(first.value(u"mine"_s).toBool());
        QCOMPARE(first.value(u"people"_s).toString(), u"bob, alice"_s);
        QVERIFY(!reactions.at(1).toMap().value(u"mine"_s).toBool());
        QVERIFY(model.applyReaction(1, ThumbsUp, u"alice"_s, false));
        QVERIFY(!model.applyReaction(1, ThumbsUp, u"alice"_s, false));
        QVERIFY(model.applyReaction(1, Party, u"carol"_s, false)); // the last one: the chip goes
        reactions = reactionsAt(model, 0);
        QCOMPARE(reactions.size(), 1);
        QCOMPARE(reactions.at(0).toMap().value(u"count"_s).toInt(), 1);
        QVERIFY(!reactions.at(0).toMap().value(u"mine"_s).toBool());

        // Deleted: no text, no reactions; nothing more applies to it.
        QVERIFY(model.applyDelete(1));
        QVERIFY(model.index(0).data(MessageModel::DeletedRole).toBool());
        QCOMPARE(model.index(0).data(MessageModel::TextRole).toString(), QString());
        QVERIFY(reactionsAt(model, 0).isEmpty());
        QVERIFY(!model.applyDelete(1));
        QVERIFY(!model.applyEdit(1, u"back"_s, at));
        QVERIFY(!model.applyReaction(1, ThumbsUp, u"bob"_s, true));
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(!model.index(1).data(MessageModel::DeletedRole).toBool());
    }

    void historyAndResumeCarryTheState()
    {
        MessageModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        model.setSelf(u"alice"_s);
        const QJsonArray reactions{QJsonObject{{u"emoji"_s, ThumbsUp},
                                               {u"count"_s, 2},
                                               {u"people"_s, QJsonArray{u"bob"_s, u"alice"_s}}}};
        QVERIFY(model.insertMessage(MessageModel::fromJson(
            message(3, u"bob"_s, u"edited text"_s,
                    {{u"edited"_s, qint64(1700000900000LL)}, {u"reactions"_s, reactions}}))));
        QVERIFY(model.insertMessage(
            MessageModel::fromJson(message(4, u"bob"_s, QString(), {{u"deleted"_s, true}}))));
        QVERIFY(model.index(0).data(MessageModel::EditedRole).toBool());
        QCOMPARE(reactionsAt(model, 0).first().toMap().value(u"count"_s).toInt(), 2);
        QVERIFY(reactionsAt(model, 0).first().toMap().value(u"mine"_s).toBool());
        QVERIFY(model.index(1).data(MessageModel::DeletedRole).toBool());

        // A message held before comes again (a resume, a history page) in its state now.
        QVERIFY(model.insertMessage(MessageModel::fromJson(message(5, u"bob"_s, u"v1"_s))));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(!model.insertMessage(MessageModel::fromJson(
            message(5, u"bob"_s, u"v2"_s, {{u"edited"_s, qint64(1700000950000LL)}}))));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(2).data(MessageModel::TextRole).toString(), u"v2"_s);
        QVERIFY(model.index(2).data(MessageModel::EditedRole).toBool());
        QCOMPARE(changed.size(), 1);
        // ...but a page fetched before a later live edit does not undo it.
        QVERIFY(
            model.applyEdit(5, u"v3"_s, QDateTime::fromMSecsSinceEpoch(1700000990000LL, Qt::UTC)));
        QVERIFY(!model.insertMessage(MessageModel::fromJson(
            message(5, u"bob"_s, u"v2"_s, {{u"edited"_s, qint64(1700000950000LL)}}))));
        QCOMPARE(model.index(2).data(MessageModel::TextRole).toString(), u"v3"_s);
        QVERIFY(!model.insertMessage(
            MessageModel::fromJson(message(5, u"bob"_s, QString(), {{u"deleted"_s, true}}))));
        QVERIFY(model.index(2).data(MessageModel::DeletedRole).toBool());
    }

    void chatRoomAppliesChangesOnceAndNeverAsUnread()
    {
        ChatRoom room(u"general"_s, nullptr);
        room.setSelf(u"alice"_s);
        Tester tester(room.messages(), Tester::FailureReportingMode::QtTest);
        room.applyInfo({{u"name"_s, u"general"_s}, {u"lastSeq"_s, 0}});
        QSignalSpy arrived(&room, &ChatRoom::messageArrived);
        QVERIFY(room.handleMessage(message(1, u"alice"_s, u"mine"_s)));
        QVERIFY(room.handleMessage(message(2, u"bob"_s, u"two"_s)));
        QVERIFY(room.handleMessage(message(3, u"bob"_s, u"three"_s)));
        QCOMPARE(room.unreadCount(), 2);
        QCOMPARE(arrived.size(), 2);

        QVERIFY(room.handleChange(proto::Type::MsgEdited, edited(4, 2, u"two!"_s)));
        QVERIFY(
            room.handleChange(proto::Type::MsgReaction, reaction(5, 1, ThumbsUp, u"bob"_s, true)));
        QCOMPARE(room.unreadCount(), 2); // changes are never unread
        QCOMPARE(arrived.size(), 2);
        QCOMPARE(room.lastSeq(), 5);
        MessageModel &model = *room.messages();
        QCOMPARE(model.index(1).data(MessageModel::TextRole).toString(), u"two!"_s);
        QCOMPARE(reactionsAt(model, 0).size(), 1);
        // The same change again (a resume that overlaps what came live): applied once.
        QVERIFY(
            !room.handleChange(proto::Type::MsgReaction, reaction(5, 1, ThumbsUp, u"bob"_s, true)));
        QCOMPARE(reactionsAt(model, 0).first().toMap().value(u"count"_s).toInt(), 1);

        // An unread message of someone else that is deleted no longer counts.
        QVERIFY(room.handleChange(proto::Type::MsgDeleted, deleted(6, 3)));
        QVERIFY(model.index(2).data(MessageModel::DeletedRole).toBool());
        QCOMPARE(room.unreadCount(), 1);
        // A change of a message not held changes nothing, and takes its place in the sequence.
        QVERIFY(room.handleChange(proto::Type::MsgEdited, edited(7, 42, u"?"_s)));
        QCOMPARE(model.rowCount(), 3);
        // The next message follows the changes without a hole.
        QVERIFY(room.handleMessage(message(8, u"bob"_s, u"eight"_s)));
        QCOMPARE(room.unreadCount(), 2);
        QCOMPARE(room.lastSeq(), 8);
        room.markRead();
        QCOMPARE(room.unreadCount(), 0);
        QCOMPARE(room.readSeq(), 8);
    }

    void reactionSetIsTheProtocols()
    {
        QCOMPARE(ChatRoom::reactionEmoji(), proto::reactionEmoji());
        QCOMPARE(ChatRoom::reactionEmoji().size(), 8);
        QVERIFY(ChatRoom::reactionEmoji().contains(ThumbsUp));
    }
};

QTEST_MAIN(TestMessageChanges)
#include "tst_messagechanges.moc"
