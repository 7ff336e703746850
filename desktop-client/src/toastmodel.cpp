#include "toastmodel.h"

#include <QJsonObject>
#include <QVariantMap>

using namespace Qt::StringLiterals;

namespace {
constexpr int ResultShownMs = 4000;
constexpr int AfterHoverMs = 3000;

bool isUrgent(const Notification &n)
{
    return n.priority == u"urgent"_s;
}
} // namespace

ToastModel::ToastModel(QObject *parent)
    : QAbstractListModel(parent)
{
    m_timeouts = {{u"low"_s, 5000}, {u"normal"_s, 8000}, {u"high"_s, 20000}, {u"urgent"_s, 0}};
    connect(this, &QAbstractItemModel::rowsInserted, this, &ToastModel::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &ToastModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &ToastModel::countChanged);
}

ToastModel::~ToastModel() = default;

int ToastModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ToastModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Toast &t = m_rows.at(size_t(index.row()));
    const Notification &n = t.notification;
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return n.title;
    case NotificationIdRole:
        return n.id;
    case BodyRole:
        return n.body;
    case SourceRole:
        return n.source;
    case OriginRole:
        return n.origin();
    case CreatedAtRole:
        return n.createdAt;
    case PriorityRole:
        return n.priority;
    case ActionsRole:
        return n.actionList();
    case LinkRole:
        return n.link;
    case StateRole:
        return t.state;
    case ResultRole:
        return t.result;
    case TimeoutRole:
        return timeoutFor(n.priority);
    case MoreRole:
        return t.more;
    case MoreTextRole:
        if (t.more <= 0)
            return QString();
        if (!n.chatRoom.isEmpty()) // a conversation's toast: the messages before this one
            return tr("%n more message(s)", "a chat toast standing for earlier messages", t.more);
        return tr("%n more from %1", "a toast standing for a thread", t.more)
            .arg(n.sourceDisplay.isEmpty() ? n.source : n.sourceDisplay);
    case ReminderRole:
        return n.reminderStep > 0;
    case ChatRoomRole:
        return n.chatRoom;
    default:
        return {};
    }
}

QHash<int, QByteArray> ToastModel::roleNames() const
{
    return {{NotificationIdRole, "notificationId"},
            {TitleRole, "title"},
            {BodyRole, "body"},
            {SourceRole, "source"},
            {OriginRole, "origin"},
            {CreatedAtRole, "createdAt"},
            {PriorityRole, "priority"},
            {ActionsRole, "actions"},
            {LinkRole, "link"},
            {StateRole, "actionState"},
            {ResultRole, "result"},
            {TimeoutRole, "timeout"},
            {MoreRole, "moreCount"},
            {MoreTextRole, "moreText"},
            {ReminderRole, "reminder"},
            {ChatRoomRole, "chatRoom"}};
}

int ToastModel::timeoutFor(const QString &priority) const
{
    return m_timeouts.value(priority, m_timeouts.value(u"normal"_s));
}

int ToastModel::indexOf(qint64 id) const
{
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].notification.id == id)
            return int(i);
    return -1;
}

void ToastModel::show(const Notification &n)
{
    // A reminder (a step of its escalation) shows read ones too.
    if ((n.read && n.reminderStep == 0) || n.isResolved() || n.isExpired())
        return;
    if (const int row = indexOf(n.id); row >= 0) {
        // On screen already: a reminder marks it and gives it its full time again.
        Toast &t = m_rows[size_t(row)];
        if (n.reminderStep == 0 || !t.state.isEmpty())
            return;
        t.notification.reminderStep = n.reminderStep;
        rowChanged(row);
        startTimer(t, timeoutFor(n.priority));
        Q_EMIT toastShown(n.id, n.priority);
        return;
    }
    for (Queued &queued : m_queue)
        if (queued.notification.id == n.id) {
            queued.notification.reminderStep =
                std::max(queued.notification.reminderStep, n.reminderStep);
            return;
        }
    if (m_dnd && !isUrgent(n)) {
        ++m_suppressed;
        Q_EMIT suppressedCountChanged();
        return;
    }
    // A reminder stands on its own; a new one of a thread joins that thread's toast.
    if (n.reminderStep == 0 && joinThread(n))
        return;
    if (int(m_rows.size()) < m_maxVisible) {
        append(n);
        return;
    }
    // Urgent ones jump ahead of the waiting non-urgent ones.
    auto pos = m_queue.end();
    if (isUrgent(n))
        pos = std::find_if(m_queue.begin(), m_queue.end(),
                           [](const Queued &q) { return !isUrgent(q.notification); });
    m_queue.insert(pos, Queued{n, 0});
    Q_EMIT overflowCountChanged();
}

bool ToastModel::joinThread(const Notification &n)
{
    if (n.threadKey.isEmpty())
        return false;
    const QString thread = n.threadId();
    for (size_t row = 0; row < m_rows.size(); ++row) {
        Toast &t = m_rows[row];
        // A toast busy with an action, or showing its outcome, is left alone.
        if (t.notification.threadId() != thread || !t.state.isEmpty())
            continue;
        t.notification = n; // the newest is what it shows, and what its buttons act on
        ++t.more;
        rowChanged(int(row));
        t.timer.reset(); // the timer dismisses by id: a new one for the newest, from the start
        startTimer(t, timeoutFor(n.priority)); // no toastShown: one sound for a burst
        return true;
    }
    for (Queued &q : m_queue)
        if (q.notification.threadId() == thread) {
            q.notification = n;
            ++q.more;
            return true;
        }
    return false;
}

void ToastModel::showFromMap(const QVariantMap &map)
{
    Notification n = Notification::fromJson(QJsonObject::fromVariantMap(map));
    n.reminderStep = map.value(u"reminderStep"_s).toInt(); // as notif.reminder would set it
    n.chatRoom = map.value(u"chatRoom"_s).toString();      // as MessageAlerts would set it
    if (!n.createdAt.isValid())
        n.createdAt = QDateTime::currentDateTimeUtc();
    show(n);
}

void ToastModel::append(const Notification &n, int more)
{
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.push_back(Toast{n, {}, {}, nullptr, more});
    endInsertRows();
    startTimer(m_rows.back(), timeoutFor(n.priority));
    Q_EMIT toastShown(n.id, n.priority);
}

void ToastModel::startTimer(Toast &toast, int ms)
{
    if (ms <= 0) {
        toast.timer.reset();
        return;
    }
    if (!toast.timer) {
        toast.timer.reset(new QTimer);
        toast.timer->setSingleShot(true);
        const qint64 id = toast.notification.id;
        connect(toast.timer.get(), &QTimer::timeout, this, [this, id] { dismiss(id); });
    }
    toast.timer->start(ms);
}

void ToastModel::remove(int row)
{
    beginRemoveRows({}, row, row);
    m_rows.erase(m_rows.begin() + row);
    endRemoveRows();
}

void ToastModel::promote()
{
    bool changed = false;
    while (int(m_rows.size()) < m_maxVisible && !m_queue.isEmpty()) {
        const Queued next = m_queue.takeFirst();
        changed = true;
        if (!next.notification.isExpired())
            append(next.notification, next.more);
    }
    if (changed)
        Q_EMIT overflowCountChanged();
}

void ToastModel::dismiss(qint64 id)
{
    const int row = indexOf(id);
    if (row < 0)
        return;
    remove(row);
    promote();
}

void ToastModel::rowChanged(int row)
{
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i);
}

void ToastModel::trigger(qint64 id, const QString &action)
{
    const int row = indexOf(id);
    if (row < 0 || m_rows[size_t(row)].state == u"pending"_s)
        return;
    Toast &t = m_rows[size_t(row)];
    t.state = u"pending"_s;
    t.result.clear();
    if (t.timer)
        t.timer->stop();
    rowChanged(row);
    Q_EMIT actionRequested(id, action);
}

void ToastModel::openLink(qint64 id)
{
    if (indexOf(id) < 0)
        return;
    Q_EMIT linkRequested(id);
    dismiss(id);
}

void ToastModel::reply(qint64 id, const QString &text)
{
    const int row = indexOf(id);
    if (row < 0 || text.trimmed().isEmpty())
        return;
    Toast &t = m_rows[size_t(row)];
    if (t.notification.chatRoom.isEmpty() || !t.state.isEmpty())
        return;
    // The outcome first: answering reads the conversation, which takes its other toasts away
    // (withdraw) while this one stays to say it was sent.
    const QString room = t.notification.chatRoom;
    t.state = u"done"_s;
    t.result = tr("Reply sent");
    rowChanged(row);
    startTimer(t, ResultShownMs);
    Q_EMIT replyRequested(room, text);
}

void ToastModel::openRoom(qint64 id)
{
    const int row = indexOf(id);
    if (row < 0 || m_rows[size_t(row)].notification.chatRoom.isEmpty())
        return;
    Q_EMIT roomRequested(m_rows[size_t(row)].notification.chatRoom);
    dismiss(id);
}

void ToastModel::hold(qint64 id, bool held)
{
    const int row = indexOf(id);
    if (row < 0)
        return;
    Toast &t = m_rows[size_t(row)];
    if (!t.timer)
        return;
    if (held)
        t.timer->stop();
    else
        t.timer->start(std::max(AfterHoverMs, int(t.timer->remainingTime())));
}

void ToastModel::finishAction(qint64 id, bool ok, const QString &text)
{
    const int row = indexOf(id);
    if (row < 0)
        return;
    Toast &t = m_rows[size_t(row)];
    t.state = ok ? u"done"_s : u"failed"_s;
    t.result = text;
    rowChanged(row);
    // Handled now, urgent or not: leave the outcome up long enough to read.
    startTimer(t, ResultShownMs);
}

void ToastModel::update(const Notification &n)
{
    const auto queued = std::find_if(m_queue.begin(), m_queue.end(),
                                     [&](const Queued &q) { return q.notification.id == n.id; });
    if (queued != m_queue.end()) {
        if (n.read || n.isResolved()) {
            m_queue.erase(queued);
            Q_EMIT overflowCountChanged();
        } else {
            queued->notification = n; // changed by its service while waiting: the new state
        }
    }
    const int row = indexOf(n.id);
    if (row < 0)
        return;
    Toast &t = m_rows[size_t(row)];
    if (t.state == u"pending"_s || t.state == u"done"_s || t.state == u"failed"_s)
        return; // the action's own answer drives this toast
    if (n.isResolved()) {
        // Someone else acted: say so briefly instead of vanishing.
        t.notification = n;
        t.state = u"done"_s;
        t.result = n.resolutionText(m_names);
        rowChanged(row);
        startTimer(t, ResultShownMs);
    } else if (n.read) {
        dismiss(n.id);
    } else if (t.notification.differsFrom(n)) {
        t.notification = n; // its service changed it: the toast changes in place
        rowChanged(row);
    }
}

void ToastModel::retract(qint64 id)
{
    const auto queued = std::find_if(m_queue.begin(), m_queue.end(),
                                     [&](const Queued &q) { return q.notification.id == id; });
    if (queued != m_queue.end()) {
        m_queue.erase(queued);
        Q_EMIT overflowCountChanged();
    }
    dismiss(id); // whatever it showed: the notification no longer exists
}

void ToastModel::withdraw(qint64 id)
{
    const int row = indexOf(id);
    if (row >= 0 && !m_rows[size_t(row)].state.isEmpty())
        return; // its outcome stays up for its few seconds
    retract(id);
}

void ToastModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
    if (!m_queue.isEmpty()) {
        m_queue.clear();
        Q_EMIT overflowCountChanged();
    }
}

void ToastModel::setDoNotDisturb(bool dnd)
{
    if (m_dnd == dnd)
        return;
    m_dnd = dnd;
    if (m_dnd) {
        // Quiet now: only urgent toasts stay, on screen or waiting.
        for (int row = int(m_rows.size()) - 1; row >= 0; --row)
            if (!isUrgent(m_rows[size_t(row)].notification) && m_rows[size_t(row)].state.isEmpty())
                remove(row);
        const auto before = m_queue.size();
        m_queue.removeIf([](const Queued &q) { return !isUrgent(q.notification); });
        if (m_queue.size() != before)
            Q_EMIT overflowCountChanged();
        promote();
    } else if (m_suppressed != 0) {
        m_suppressed = 0;
        Q_EMIT suppressedCountChanged();
    }
    Q_EMIT doNotDisturbChanged();
}

void ToastModel::setMaxVisible(int max)
{
    max = std::max(1, max);
    if (m_maxVisible == max)
        return;
    m_maxVisible = max;
    while (int(m_rows.size()) > m_maxVisible) {
        // Push the newest back to the front of the queue, keeping urgent ones on screen first.
        Toast &last = m_rows.back();
        m_queue.prepend(Queued{last.notification, last.more});
        remove(int(m_rows.size()) - 1);
    }
    promote();
    Q_EMIT overflowCountChanged();
    Q_EMIT maxVisibleChanged();
}
