// Chat message alerts without a server: the decision table of MessageAlerts (DM, mention, plain
// room message, own message, focused room, muted, muted until a time that passed, do not
// disturb), the levels as hello / room.notify / room.notifySync carry them, the badge, the
// toasts a Session raises for injected frames with their Reply and Open, and the composer's
// @name completion (MentionCompleter under QAbstractItemModelTester).
#include "chatroom.h"
#include "displaynames.h"
#include "mentioncompleter.h"
#include "messagealerts.h"
#include "session.h"
#include "toastmodel.h"
#include "userlistmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;
namespace proto = herald::proto;
using Tester = QAbstractItemModelTester;
using Outcome = MessageAlerts::Outcome;
using Level = MessageAlerts::Level;

namespace {
const QDateTime Now = QDateTime::fromMSecsSinceEpoch(1718000000000LL, Qt::UTC);

proto::Frame frame(const QString &type, const QJsonObject &body)
{
    // Through the real decoder, so the test frames are valid protocol.
    const auto decoded =
        proto::decode(proto::encode(type, body), proto::Direction::ServerToClient, {1 << 20, 16});
    if (!decoded.ok())
        qFatal("bad test frame %s: %s", qPrintable(type), qPrintable(decoded.error.message));
    return *decoded.frame;
}

/** room.notifySync: built directly, for the shared schema may not list it yet. */
proto::Frame notifySync(const QJsonObject &body)
{
    return proto::Frame{u"room.notifySync"_s, body};
}

QJsonObject message(const QString &room, qint64 seq, const QString &from, const QString &text,
                    const QStringList &mentions = {}, bool mentionsRoom = false)
{
    QJsonObject m{{u"room"_s, room},
                  {u"seq"_s, seq},
                  {u"from"_s, from},
                  {u"text"_s, text},
                  {u"ts"_s, qint64(1700000000000LL + seq * 1000)}};
    if (!mentions.isEmpty())
        m.insert(u"mentions"_s, QJsonArray::fromStringList(mentions));
    if (mentionsRoom)
        m.insert(u"mentionsRoom"_s, true);
    return m;
}

QJsonObject hello(const QJsonArray &rooms)
{
    return {{u"protocol"_s, 1},
            {u"user"_s, QJsonObject{{u"name"_s, u"alice"_s}, {u"display"_s, u"Alice"_s}}},
            {u"online"_s, 2},
            {u"unread"_s, 0},
            {u"heartbeat"_s, 30},
            {u"rooms"_s, rooms},
            {u"notifications"_s, QJsonArray{}},
            {u"notifSeq"_s, 0}};
}

QJsonObject room(const QString &name, const QString &kind, const QJsonObject &notify = {})
{
    QJsonObject r{{u"name"_s, name}, {u"kind"_s, kind}, {u"lastSeq"_s, 0}};
    if (kind == u"dm"_s)
        r.insert(u"peer"_s, u"bob"_s);
    if (!notify.isEmpty())
        r.insert(u"notify"_s, notify);
    return r;
}
} // namespace

class TestMessageAlerts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"HeraldTest"_s);
        QCoreApplication::setApplicationName(u"tst_messagealerts"_s);
        QSettings().clear();
    }

    void decide_data()
    {
        QTest::addColumn<bool>("direct");
        QTest::addColumn<QString>("from");
        QTest::addColumn<bool>("mentionsMe");
        QTest::addColumn<bool>("focused");
        QTest::addColumn<QString>("level"); // the stored choice, "" for none
        QTest::addColumn<qint64>("untilOffsetMs");
        QTest::addColumn<bool>("dnd");
        QTest::addColumn<Outcome>("outcome");

        // clang-format off
        QTest::newRow("dm from bob")                 << true  << u"bob"_s   << false << false << QString()     << 0LL << false << Outcome::Toast;
        QTest::newRow("room mention of me")          << false << u"bob"_s   << true  << false << QString()     << 0LL << false << Outcome::Toast;
        QTest::newRow("plain room message")          << false << u"bob"_s   << false << false << QString()     << 0LL << false << Outcome::Quiet;
        QTest::newRow("own message in a dm")         << true  << u"alice"_s << false << false << QString()     << 0LL << false << Outcome::Own;
        QTest::newRow("own message naming me")       << false << u"alice"_s << true  << false << u"all"_s      << 0LL << false << Outcome::Own;
        QTest::newRow("dm in the focused window")    << true  << u"bob"_s   << false << true  << QString()     << 0LL << false << Outcome::Focused;
        QTest::newRow("mention, focused room")       << false << u"bob"_s   << true  << true  << QString()     << 0LL << false << Outcome::Focused;
        QTest::newRow("muted dm")                    << true  << u"bob"_s   << false << false << u"none"_s     << 0LL << false << Outcome::Muted;
        QTest::newRow("muted room, mention")         << false << u"bob"_s   << true  << false << u"none"_s     << 0LL << false << Outcome::Muted;
        QTest::newRow("muted for an hour more")      << true  << u"bob"_s   << false << false << u"none"_s     << 3600000LL << false << Outcome::Muted;
        QTest::newRow("muted until a passed time")   << true  << u"bob"_s   << false << false << u"none"_s     << -1000LL << false << Outcome::Toast;
        QTest::newRow("room set to all")             << false << u"bob"_s   << false << false << u"all"_s      << 0LL << false << Outcome::Toast;
        QTest::newRow("room all until passed")       << false << u"bob"_s   << false << false << u"all"_s      << -1LL << false << Outcome::Quiet;
        QTest::newRow("dm set to mentions")          << true  << u"bob"_s   << false << false << u"mentions"_s << 0LL << false << Outcome::Toast;
        QTest::newRow("dm under do not disturb")     << true  << u"bob"_s   << false << false << QString()     << 0LL << true  << Outcome::DoNotDisturb;
        QTest::newRow("mention under do not disturb")<< false << u"bob"_s   << true  << false << QString()     << 0LL << true  << Outcome::DoNotDisturb;
        QTest::newRow("quiet room under dnd")        << false << u"bob"_s   << false << false << QString()     << 0LL << true  << Outcome::Quiet;
        // clang-format on
    }

    void decide()
    {
        QFETCH(bool, direct);
        QFETCH(QString, from);
        QFETCH(bool, mentionsMe);
        QFETCH(bool, focused);
        QFETCH(QString, level);
        QFETCH(qint64, untilOffsetMs);
        QFETCH(bool, dnd);
        QFETCH(Outcome, outcome);

        DisplayNames names;
        names.setSelf(u"alice"_s);
        MessageAlerts alerts;
        alerts.setNames(&names);
        alerts.setDoNotDisturb(dnd);
        if (!level.isEmpty()) {
            MessageAlerts::Choice choice{*MessageAlerts::levelFromName(level), {}};
            if (untilOffsetMs != 0)
                choice.until = Now.addMSecs(untilOffsetMs);
            alerts.setChoice(u"r"_s, choice);
        }
        const MessageAlerts::Incoming in{u"r"_s, direct, from, mentionsMe, focused};
        QCOMPARE(alerts.decide(in, Now), outcome);
    }

    void levelsFromHelloAndSync()
    {
        MessageAlerts alerts;
        QSignalSpy changed(&alerts, &MessageAlerts::levelsChanged);
        const qint64 until = QDateTime::currentDateTimeUtc().addSecs(3600).toMSecsSinceEpoch();
        alerts.applyHelloRooms(QJsonArray{
            room(u"general"_s, u"public"_s, {{u"level"_s, u"none"_s}, {u"until"_s, until}}),
            room(u"ops"_s, u"public"_s, {{u"level"_s, u"all"_s}}), room(u"dm:alice:bob"_s, u"dm"_s),
            room(u"odd"_s, u"public"_s, {{u"level"_s, u"loud"_s}})}); // unknown level: ignored
        QCOMPARE(changed.count(), 1);
        QCOMPARE(alerts.choiceOf(u"general"_s), u"none"_s);
        QCOMPARE(alerts.untilOf(u"general"_s).toMSecsSinceEpoch(), until);
        QCOMPARE(alerts.levelOf(u"general"_s, false), u"none"_s);
        QCOMPARE(alerts.choiceOf(u"ops"_s), u"all"_s);
        QVERIFY(!alerts.untilOf(u"ops"_s).isValid());
        QCOMPARE(alerts.choiceOf(u"dm:alice:bob"_s), u"default"_s);
        QCOMPARE(alerts.levelOf(u"dm:alice:bob"_s, true), u"all"_s);
        QCOMPARE(alerts.levelOf(u"odd"_s, false), u"mentions"_s);

        // Chosen on another device: room.notifySync; "default" forgets the choice.
        alerts.applyNotify({{u"room"_s, u"dm:alice:bob"_s}, {u"level"_s, u"none"_s}});
        QCOMPARE(alerts.levelOf(u"dm:alice:bob"_s, true), u"none"_s);
        alerts.applyNotify({{u"room"_s, u"general"_s}, {u"level"_s, u"default"_s}});
        QCOMPARE(alerts.choiceOf(u"general"_s), u"default"_s);
        QCOMPARE(alerts.levelOf(u"general"_s, false), u"mentions"_s);

        // A later hello is the whole truth: a room without "notify" has no choice any more.
        alerts.applyHelloRooms(QJsonArray{room(u"ops"_s, u"public"_s)});
        QCOMPARE(alerts.choiceOf(u"ops"_s), u"default"_s);
        QCOMPARE(alerts.choiceOf(u"dm:alice:bob"_s), u"default"_s);
    }

    void timedChoiceRunsOut()
    {
        MessageAlerts alerts;
        QSignalSpy changed(&alerts, &MessageAlerts::levelsChanged);
        alerts.setChoice(
            u"general"_s,
            MessageAlerts::Choice{Level::None, QDateTime::currentDateTimeUtc().addMSecs(300)});
        QCOMPARE(alerts.levelOf(u"general"_s, false), u"none"_s);
        QCOMPARE(changed.count(), 1);
        // The menu and the badge hear of it when it ends, without any frame.
        QVERIFY(changed.wait(3000));
        QCOMPARE(alerts.levelOf(u"general"_s, false), u"mentions"_s);
        QCOMPARE(alerts.choiceOf(u"general"_s), u"default"_s);
    }

    void untilTomorrowIsTomorrowMorning()
    {
        const QDateTime now = QDateTime(QDate(2026, 12, 5), QTime(22, 30)); // local
        const QDateTime until = MessageAlerts::tomorrowMorning(now.toUTC()).toLocalTime();
        QCOMPARE(until.date(), QDate(2026, 12, 6));
        QCOMPARE(until.time(), QTime(8, 0));
    }

    void setLevelWithoutServerAppliesLocally()
    {
        MessageAlerts alerts; // no connection: applied here only
        alerts.setLevel(u"general"_s, u"all"_s);
        QCOMPARE(alerts.choiceOf(u"general"_s), u"all"_s);
        alerts.setLevel(u"general"_s, u"bogus"_s); // not a level: nothing changes
        QCOMPARE(alerts.choiceOf(u"general"_s), u"all"_s);
        alerts.muteFor(u"general"_s, 60);
        QCOMPARE(alerts.choiceOf(u"general"_s), u"none"_s);
        const qint64 left = QDateTime::currentDateTimeUtc().msecsTo(alerts.untilOf(u"general"_s));
        QVERIFY2(left > 59 * 60000 && left <= 60 * 60000, qPrintable(QString::number(left)));
        alerts.setLevel(u"general"_s, u"default"_s);
        QCOMPARE(alerts.choiceOf(u"general"_s), u"default"_s);
    }

    void mentionsParsedAndCounted()
    {
        const MessageModel::Message none =
            MessageModel::fromJson(message(u"general"_s, 1, u"bob"_s, u"hi"_s));
        QVERIFY(none.mentions.isEmpty()); // a missing field: no mentions
        QVERIFY(!none.mentionsUser(u"alice"_s));
        const MessageModel::Message named = MessageModel::fromJson(
            message(u"general"_s, 2, u"bob"_s, u"@alice @carol look"_s, {u"alice"_s, u"carol"_s}));
        QVERIFY(named.mentionsUser(u"alice"_s));
        QVERIFY(!named.mentionsUser(u"dave"_s));
        const MessageModel::Message everyone =
            MessageModel::fromJson(message(u"general"_s, 3, u"bob"_s, u"@room lunch"_s, {}, true));
        QVERIFY(everyone.mentionsUser(u"dave"_s));

        // A room counts its unread mentions next to its unread messages.
        ChatRoom room(u"general"_s, nullptr);
        room.setSelf(u"alice"_s);
        Tester tester(room.messages(), Tester::FailureReportingMode::Fatal);
        QSignalSpy arrived(&room, &ChatRoom::messageArrived);
        room.applyInfo({{u"name"_s, u"general"_s}, {u"kind"_s, u"public"_s}, {u"lastSeq"_s, 0}});
        QVERIFY(room.handleMessage(message(u"general"_s, 1, u"bob"_s, u"plain"_s)));
        QVERIFY(
            room.handleMessage(message(u"general"_s, 2, u"bob"_s, u"@alice look"_s, {u"alice"_s})));
        QVERIFY(
            room.handleMessage(message(u"general"_s, 3, u"bob"_s, u"@carol look"_s, {u"carol"_s})));
        QVERIFY(room.handleMessage(message(u"general"_s, 4, u"bob"_s, u"@room"_s, {}, true)));
        QCOMPARE(room.unreadCount(), 4);
        QCOMPARE(room.mentionCount(), 2);
        QCOMPARE(arrived.count(), 4);
        QVERIFY(arrived.at(1).at(0).value<MessageModel::Message>().mentionsUser(u"alice"_s));
        const QModelIndex second = room.messages()->index(1);
        QVERIFY(second.data(MessageModel::MentionsMeRole).toBool());
        QVERIFY(!room.messages()->index(2).data(MessageModel::MentionsMeRole).toBool());
        QVERIFY(room.messages()->index(3).data(MessageModel::MentionsMeRole).toBool());

        // The server's counts (room.readMarker, room.read answers, resume reads) win...
        room.applyServerRead(
            {{u"seq"_s, 2}, {u"unread"_s, 2}, {u"lastSeq"_s, 4}, {u"mentions"_s, 1}}, u"seq"_s);
        QCOMPARE(room.unreadCount(), 2);
        QCOMPARE(room.mentionCount(), 1);
        // ...and a server without mention counts leaves this device's, within unread.
        room.applyServerRead({{u"seq"_s, 3}, {u"unread"_s, 1}, {u"lastSeq"_s, 4}}, u"seq"_s);
        QCOMPARE(room.unreadCount(), 1);
        QCOMPARE(room.mentionCount(), 1);
        room.applyServerRead({{u"seq"_s, 4}, {u"unread"_s, 0}, {u"lastSeq"_s, 4}}, u"seq"_s);
        QCOMPARE(room.mentionCount(), 0);

        // Read here: nothing unread, nothing mentioned.
        QVERIFY(room.handleMessage(
            message(u"general"_s, 5, u"bob"_s, u"@alice again"_s, {u"alice"_s})));
        QCOMPARE(room.mentionCount(), 1);
        room.markRead();
        QCOMPARE(room.unreadCount(), 0);
        QCOMPARE(room.mentionCount(), 0);
    }

    void sessionRaisesToastsForDirectMessagesAndMentions()
    {
        Session session(nullptr);
        session.setRememberCredentials(false);
        Tester toastTester(session.toasts(), Tester::FailureReportingMode::Fatal);
        ToastModel *toasts = session.toasts();
        QSignalSpy sound(&session, &Session::soundRequested);
        QSignalSpy opened(&session, &Session::roomOpenRequested);
        session.settings()->setSound(true);
        session.settings()->setDoNotDisturb(false);
        session.injectFrame(
            frame(proto::Type::Hello,
                  hello(QJsonArray{room(u"general"_s, u"public"_s), room(u"quiet"_s, u"public"_s),
                                   room(u"dm:alice:bob"_s, u"dm"_s)})));
        QCOMPARE(session.badgeCount(), 0);
        ChatRoom *general = session.room(u"general"_s);
        ChatRoom *dm = session.room(u"dm:alice:bob"_s);
        QVERIFY(general && dm);

        // A plain room message: counted in the room list only.
        session.injectFrame(
            frame(proto::Type::Message, message(u"general"_s, 1, u"bob"_s, u"morning"_s)));
        QCOMPARE(toasts->rowCount(), 0);
        QCOMPARE(general->unreadCount(), 1);
        QCOMPARE(session.badgeCount(), 0);

        // A direct message: a toast with sender, conversation and text; the sound; the badge.
        session.injectFrame(
            frame(proto::Type::Message, message(u"dm:alice:bob"_s, 1, u"bob"_s, u"lunch?"_s)));
        QCOMPARE(toasts->rowCount(), 1);
        const QModelIndex toast = toasts->index(0);
        QCOMPARE(toast.data(ToastModel::TitleRole).toString(), u"bob"_s);
        QCOMPARE(toast.data(ToastModel::BodyRole).toString(), u"lunch?"_s);
        QCOMPARE(toast.data(ToastModel::OriginRole).toString(), u"Direct message"_s);
        QCOMPARE(toast.data(ToastModel::ChatRoomRole).toString(), u"dm:alice:bob"_s);
        QVERIFY(toast.data(ToastModel::NotificationIdRole).toLongLong() < 0);
        QCOMPARE(sound.count(), 1);
        QCOMPARE(session.badgeCount(), 1);

        // A mention in a room: a toast of its own, counted in the badge.
        session.injectFrame(
            frame(proto::Type::Message,
                  message(u"general"_s, 2, u"bob"_s, u"@alice standup?"_s, {u"alice"_s})));
        QCOMPARE(toasts->rowCount(), 2);
        QCOMPARE(toasts->index(1).data(ToastModel::OriginRole).toString(), u"#general"_s);
        QCOMPARE(general->mentionCount(), 1);
        QCOMPARE(session.badgeCount(), 2);

        // My own answer from another device: no toast, and the conversation is read there, so
        // its toast goes.
        session.injectFrame(
            frame(proto::Type::Message, message(u"dm:alice:bob"_s, 2, u"alice"_s, u"sure"_s)));
        QCOMPARE(toasts->rowCount(), 1);
        QCOMPARE(toasts->index(0).data(ToastModel::ChatRoomRole).toString(), u"general"_s);
        QCOMPARE(session.badgeCount(), 1);
        // A message in the window I am reading: none (and reading it took its toast away).
        general->setActive(true);
        session.injectFrame(frame(proto::Type::Message, message(u"general"_s, 3, u"bob"_s,
                                                                u"@alice here?"_s, {u"alice"_s})));
        general->setActive(false);
        QCOMPARE(toasts->rowCount(), 0);
        QCOMPARE(session.badgeCount(), 0);

        // Muted on another device (room.notifySync): nothing pops up, the badge leaves it out.
        toasts->clear();
        session.injectFrame(notifySync({{u"room"_s, u"dm:alice:bob"_s}, {u"level"_s, u"none"_s}}));
        QCOMPARE(session.alerts()->levelOf(u"dm:alice:bob"_s, true), u"none"_s);
        session.injectFrame(
            frame(proto::Type::Message, message(u"dm:alice:bob"_s, 3, u"bob"_s, u"hello?"_s)));
        QCOMPARE(toasts->rowCount(), 0);
        QCOMPARE(session.badgeCount(), 0);
        session.injectFrame(
            notifySync({{u"room"_s, u"dm:alice:bob"_s}, {u"level"_s, u"default"_s}}));
        QCOMPARE(session.badgeCount(), 1); // unread since the last read: "sure", then "hello?"

        // A room set to all: every message pops up.
        session.injectFrame(notifySync({{u"room"_s, u"quiet"_s}, {u"level"_s, u"all"_s}}));
        session.injectFrame(
            frame(proto::Type::Message, message(u"quiet"_s, 1, u"carol"_s, u"fyi"_s)));
        QCOMPARE(toasts->rowCount(), 1);

        // Do not disturb: no toast, no sound, still counted.
        toasts->clear();
        const int sounds = sound.count();
        session.settings()->setDoNotDisturb(true);
        session.injectFrame(
            frame(proto::Type::Message, message(u"dm:alice:bob"_s, 4, u"bob"_s, u"ping"_s)));
        QCOMPARE(toasts->rowCount(), 0);
        QCOMPARE(toasts->suppressedCount(), 0); // decided before the toast model: not queued
        QCOMPARE(sound.count(), sounds);
        QCOMPARE(dm->unreadCount(), 2);
        session.settings()->setDoNotDisturb(false);

        // Reply goes to the conversation (a pending message there); Open asks for its window.
        session.injectFrame(
            frame(proto::Type::Message, message(u"dm:alice:bob"_s, 5, u"bob"_s, u"well?"_s)));
        QCOMPARE(toasts->rowCount(), 1);
        // Another from the same conversation joins its toast instead of stacking one more.
        session.injectFrame(
            frame(proto::Type::Message, message(u"dm:alice:bob"_s, 6, u"bob"_s, u"hello??"_s)));
        QCOMPARE(toasts->rowCount(), 1);
        QCOMPARE(toasts->index(0).data(ToastModel::BodyRole).toString(), u"hello??"_s);
        QCOMPARE(toasts->index(0).data(ToastModel::MoreTextRole).toString(), u"1 more message"_s);
        const qint64 id = toasts->index(0).data(ToastModel::NotificationIdRole).toLongLong();
        const int before = dm->messages()->rowCount();
        toasts->reply(id, u"  "_s); // blank: nothing
        QCOMPARE(dm->messages()->rowCount(), before);
        toasts->reply(id, u"on my way"_s);
        QCOMPARE(dm->messages()->rowCount(), before + 1);
        const MessageModel::Message &sent = dm->messages()->at(dm->messages()->rowCount() - 1);
        QCOMPARE(sent.text, u"on my way"_s);
        QCOMPARE(sent.from, u"alice"_s);
        QCOMPARE(toasts->index(0).data(ToastModel::StateRole).toString(), u"done"_s);
        QCOMPARE(toasts->index(0).data(ToastModel::ResultRole).toString(), u"Reply sent"_s);
        QCOMPARE(dm->unreadCount(), 0); // answering read the conversation; its toast stays
        QCOMPARE(toasts->rowCount(), 1);
        toasts->reply(id, u"twice"_s); // answered already
        QCOMPARE(dm->messages()->rowCount(), before + 1);

        session.injectFrame(
            frame(proto::Type::Message, message(u"general"_s, 4, u"bob"_s, u"@room"_s, {}, true)));
        const qint64 mention =
            toasts->index(toasts->rowCount() - 1).data(ToastModel::NotificationIdRole).toLongLong();
        toasts->openRoom(mention);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(opened.at(0).at(0).value<ChatRoom *>(), general);
        QVERIFY(!toasts->isShown(mention));
        QSettings().clear();
    }

    void completerOffersMembers()
    {
        UserListModel members;
        members.setSelf(u"alice"_s);
        MentionCompleter completer;
        Tester tester(&completer, Tester::FailureReportingMode::Fatal);
        completer.setMembers(&members);
        completer.setAllowRoom(true);
        members.setUsers(
            QJsonArray{QJsonObject{{u"name"_s, u"alice"_s}, {u"display"_s, u"Alice Martin"_s}},
                       QJsonObject{{u"name"_s, u"bob"_s}, {u"display"_s, u"Bob Builder"_s}},
                       QJsonObject{{u"name"_s, u"carol"_s}, {u"display"_s, u"Carol Smith"_s}},
                       QJsonObject{{u"name"_s, u"rob"_s}, {u"display"_s, u"Anne Robson"_s}}});

        const auto names = [&] {
            QStringList list;
            for (int i = 0; i < completer.rowCount(); ++i)
                list << completer.index(i).data(MentionCompleter::NameRole).toString();
            return list;
        };
        completer.update(u"hello"_s, 5);
        QVERIFY(!completer.active());
        completer.update(u"hi @"_s, 4); // everyone but me, by display name, and @room
        QVERIFY(completer.active());
        QCOMPARE(names(), (QStringList{u"rob"_s, u"bob"_s, u"carol"_s, u"room"_s}));
        completer.update(u"hi @ro"_s, 6); // login names and any word of a display name
        QCOMPARE(completer.query(), u"ro"_s);
        QCOMPARE(names(), (QStringList{u"rob"_s, u"room"_s}));
        completer.update(u"hi @bu"_s, 6);
        QCOMPARE(names(), QStringList{u"bob"_s});
        completer.update(u"hi @al"_s, 6); // not myself
        QVERIFY(!completer.active());
        completer.update(u"mail a@bo"_s, 9); // an address, not a mention
        QVERIFY(!completer.active());

        // Taking one replaces the partial name (and the rest of it after the cursor).
        completer.update(u"ask @ca about it"_s, 7);
        QCOMPARE(names(), QStringList{u"carol"_s});
        QCOMPARE(completer.completedText(0), u"ask @carol about it"_s);
        QCOMPARE(completer.completedCursor(0), 11);
        completer.update(u"@carxx and"_s, 3);
        QCOMPARE(completer.completedText(0), u"@carol and"_s);

        // Arrows wrap; Escape closes until the text changes again.
        completer.update(u"@"_s, 1);
        QCOMPARE(completer.currentIndex(), 0);
        completer.move(-1);
        QCOMPARE(completer.currentIndex(), completer.rowCount() - 1);
        completer.dismiss();
        QVERIFY(!completer.active());
        completer.update(u"@b"_s, 2);
        QVERIFY(completer.active());

        // A direct message offers no @room; members arriving later show up.
        completer.setAllowRoom(false);
        completer.update(u"@r"_s, 2);
        QCOMPARE(names(), QStringList{u"rob"_s});
        members.addUser({u"rita"_s, u"Rita"_s, u"online"_s});
        QCOMPARE(names(), (QStringList{u"rob"_s, u"rita"_s}));
    }
};

QTEST_MAIN(TestMessageAlerts)
#include "tst_messagealerts.moc"
