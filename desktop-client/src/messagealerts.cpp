#include "messagealerts.h"
#include "chatroom.h"
#include "connection.h"
#include "displaynames.h"

#include "herald/protocol.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace {
constexpr int MorningHour = 8;
constexpr int KeptToastIds = 500; // toast ids remembered for Reply and Open
} // namespace

MessageAlerts::MessageAlerts(QObject *parent)
    : QObject(parent)
{
    m_expiry.setSingleShot(true);
    connect(&m_expiry, &QTimer::timeout, this, &MessageAlerts::changed);
}

QString MessageAlerts::levelName(Level level)
{
    switch (level) {
    case Level::All:
        return u"all"_s;
    case Level::Mentions:
        return u"mentions"_s;
    case Level::None:
        return u"none"_s;
    }
    return {};
}

std::optional<MessageAlerts::Level> MessageAlerts::levelFromName(const QString &name)
{
    if (name == u"all"_s)
        return Level::All;
    if (name == u"mentions"_s)
        return Level::Mentions;
    if (name == u"none"_s)
        return Level::None;
    return std::nullopt;
}

QDateTime MessageAlerts::tomorrowMorning(const QDateTime &now)
{
    const QDateTime local = now.toLocalTime();
    return QDateTime(local.date().addDays(1), QTime(MorningHour, 0)).toUTC();
}

MessageAlerts::Level MessageAlerts::effectiveLevel(const QString &room, bool direct,
                                                   const QDateTime &now) const
{
    const auto it = m_choices.constFind(room);
    if (it == m_choices.cend() || (it->until.isValid() && it->until <= now))
        return defaultLevel(direct); // none stored, or its time is up
    return it->level;
}

MessageAlerts::Outcome MessageAlerts::decide(const Incoming &message, const QDateTime &now) const
{
    if (m_names && m_names->isSelf(message.from))
        return Outcome::Own;
    if (message.focused)
        return Outcome::Focused;
    switch (effectiveLevel(message.room, message.direct, now)) {
    case Level::None:
        return Outcome::Muted;
    case Level::Mentions:
        // In a direct message every message is addressed to me.
        if (!message.direct && !message.mentionsMe)
            return Outcome::Quiet;
        break;
    case Level::All:
        break;
    }
    return m_dnd ? Outcome::DoNotDisturb : Outcome::Toast;
}

int MessageAlerts::badgeOf(const ChatRoom *room) const
{
    if (!room || !room->isMember())
        return 0;
    switch (effectiveLevel(room->name(), room->kind() == u"dm"_s)) {
    case Level::All:
        return room->unreadCount();
    case Level::Mentions:
        return room->kind() == u"dm"_s ? room->unreadCount() : room->mentionCount();
    case Level::None:
        return 0;
    }
    return 0;
}

std::optional<MessageAlerts::Choice> MessageAlerts::choice(const QString &room) const
{
    const auto it = m_choices.constFind(room);
    if (it == m_choices.cend())
        return std::nullopt;
    return *it;
}

void MessageAlerts::setChoice(const QString &room, const std::optional<Choice> &choice)
{
    if (choice)
        m_choices.insert(room, *choice);
    else if (m_choices.remove(room) == 0)
        return;
    changed();
}

void MessageAlerts::applyHelloRooms(const QJsonArray &rooms)
{
    QHash<QString, Choice> choices;
    for (const QJsonValue &v : rooms) {
        const QJsonObject room = v.toObject();
        const QJsonObject notify = room.value("notify"_L1).toObject();
        const auto level = levelFromName(notify.value("level"_L1).toString());
        if (!level)
            continue;
        Choice c{*level, {}};
        if (const qint64 until = qint64(notify.value("until"_L1).toDouble()); until > 0)
            c.until = QDateTime::fromMSecsSinceEpoch(until, Qt::UTC);
        choices.insert(room.value("name"_L1).toString(), c);
    }
    m_choices = std::move(choices);
    changed();
}

void MessageAlerts::applyNotify(const QJsonObject &object)
{
    const QString room = object.value("room"_L1).toString();
    if (room.isEmpty())
        return;
    const auto level = levelFromName(object.value("level"_L1).toString());
    if (!level) {
        setChoice(room, std::nullopt); // "default": the choice was forgotten
        return;
    }
    Choice c{*level, {}};
    if (const qint64 until = qint64(object.value("until"_L1).toDouble()); until > 0)
        c.until = QDateTime::fromMSecsSinceEpoch(until, Qt::UTC);
    setChoice(room, c);
}

QString MessageAlerts::levelOf(const QString &room, bool direct) const
{
    return levelName(effectiveLevel(room, direct));
}

QString MessageAlerts::choiceOf(const QString &room) const
{
    const auto c = choice(room);
    if (!c || (c->until.isValid() && c->until <= QDateTime::currentDateTimeUtc()))
        return u"default"_s;
    return levelName(c->level);
}

QDateTime MessageAlerts::untilOf(const QString &room) const
{
    const auto c = choice(room);
    return c ? c->until : QDateTime();
}

void MessageAlerts::setLevel(const QString &room, const QString &level, qint64 untilMs)
{
    const auto parsed = levelFromName(level);
    if (room.isEmpty() || (!parsed && level != u"default"_s))
        return;
    const std::optional<Choice> before = choice(room);
    std::optional<Choice> after;
    if (parsed) {
        after = Choice{*parsed, {}};
        if (untilMs > 0)
            after->until = QDateTime::fromMSecsSinceEpoch(untilMs, Qt::UTC);
    }
    setChoice(room, after); // at once: the menu shows it checked
    if (!m_connection)
        return;
    QJsonObject body{{u"room"_s, room}, {u"level"_s, level}};
    if (parsed && untilMs > 0)
        body.insert(u"until"_s, untilMs);
    m_connection->request(
        herald::proto::Type::RoomNotify, body, [this, room, before](const Reply &reply) {
            if (reply.ok) {
                applyNotify(reply.data); // what the server stored (it may round "until")
            } else if (reply.code != u"disconnected"_s) {
                setChoice(room, before);
                Q_EMIT levelRefused(room, reply.message);
            }
        });
}

void MessageAlerts::muteFor(const QString &room, int minutes)
{
    setLevel(room, u"none"_s,
             QDateTime::currentDateTimeUtc().addSecs(qint64(minutes) * 60).toMSecsSinceEpoch());
}

void MessageAlerts::muteUntilTomorrow(const QString &room)
{
    setLevel(room, u"none"_s, tomorrowMorning(QDateTime::currentDateTimeUtc()).toMSecsSinceEpoch());
}

void MessageAlerts::consider(ChatRoom *room, const MessageModel::Message &m)
{
    if (!room)
        return;
    const bool direct = room->kind() == u"dm"_s;
    const QString self = m_names ? m_names->self() : room->self();
    const Incoming in{room->name(), direct, m.from, m.mentionsUser(self), room->active()};
    if (decide(in) != Outcome::Toast)
        return;
    Notification toast;
    toast.id = m_nextToastId--;
    toast.title = m_names ? m_names->of(m.from) : m.from;
    // A file without a caption says what came (the toast has no room for a preview).
    toast.body = m.file.isEmpty() || !m.text.isEmpty() ? m.text : tr("Sent %1").arg(m.file.name);
    toast.source = u"chat"_s;
    toast.sourceDisplay = direct ? tr("Direct message") : u"#"_s + room->displayName();
    toast.threadKey = room->name(); // several from one conversation share one toast
    toast.createdAt = m.ts.isValid() ? m.ts : QDateTime::currentDateTimeUtc();
    toast.chatRoom = room->name();
    m_toastRooms.insert(toast.id, room->name());
    if (m_toastRooms.size() > KeptToastIds)
        m_toastRooms.removeIf([this](auto it) { return it.key() > m_nextToastId + KeptToastIds; });
    Q_EMIT raised(toast);
}

void MessageAlerts::roomRead(const QString &room)
{
    QList<qint64> ids;
    for (auto it = m_toastRooms.cbegin(); it != m_toastRooms.cend(); ++it)
        if (it.value() == room)
            ids.append(it.key());
    for (qint64 id : std::as_const(ids)) {
        m_toastRooms.remove(id);
        Q_EMIT withdrawn(id);
    }
}

void MessageAlerts::clear()
{
    m_toastRooms.clear();
    if (!m_choices.isEmpty()) {
        m_choices.clear();
        changed();
    }
}

void MessageAlerts::changed()
{
    ++m_revision;
    scheduleExpiry();
    Q_EMIT levelsChanged();
}

void MessageAlerts::scheduleExpiry()
{
    // The next timed choice to run out: the menu and the badge change when it does.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    qint64 next = -1;
    for (const Choice &c : std::as_const(m_choices))
        if (c.until.isValid() && c.until > now) {
            const qint64 ms = now.msecsTo(c.until);
            next = next < 0 ? ms : std::min(next, ms);
        }
    if (next < 0)
        m_expiry.stop();
    else
        m_expiry.start(int(std::min<qint64>(next + 50, std::numeric_limits<int>::max())));
}
