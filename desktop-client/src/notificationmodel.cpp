#include "notificationmodel.h"
#include "connection.h"

#include <QDesktopServices>
#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;
namespace proto = herald::proto;

namespace {
constexpr int PageSize = 50;
}

NotificationModel::NotificationModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

void NotificationModel::setConnection(Connection *connection)
{
    m_connection = connection;
}

int NotificationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant NotificationModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Notification &n = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return n.title;
    case IdRole:
        return n.id;
    case BodyRole:
        return n.body;
    case PriorityRole:
        return n.priority;
    case CategoryRole:
        return n.category;
    case LinkRole:
        return n.link;
    case SourceRole:
        return n.source;
    case OriginRole:
        return n.origin();
    case ActionsRole:
        return n.actionList();
    case CreatedAtRole:
        return n.createdAt;
    case ReadRole:
        return n.read;
    case ResolvedRole:
        return n.isResolved();
    case ResolutionRole:
        return n.resolutionText(m_names);
    case PendingActionRole:
        return n.pendingAction;
    case ActionErrorRole:
        return n.actionError;
    case ExpiredRole:
        return n.isExpired();
    case ThreadKeyRole:
        return n.threadKey;
    case ThreadRole:
        return n.threadId();
    default:
        return {};
    }
}

QHash<int, QByteArray> NotificationModel::roleNames() const
{
    return {{IdRole, "notificationId"},
            {TitleRole, "title"},
            {BodyRole, "body"},
            {PriorityRole, "priority"},
            {CategoryRole, "category"},
            {LinkRole, "link"},
            {SourceRole, "source"},
            {OriginRole, "origin"},
            {ActionsRole, "actions"},
            {CreatedAtRole, "createdAt"},
            {ReadRole, "read"},
            {ResolvedRole, "resolved"},
            {ResolutionRole, "resolution"},
            {PendingActionRole, "pendingAction"},
            {ActionErrorRole, "actionError"},
            {ExpiredRole, "expired"},
            {ThreadKeyRole, "threadKey"},
            {ThreadRole, "thread"}};
}

const Notification *NotificationModel::find(qint64 id) const
{
    const int row = indexOf(id);
    return row < 0 ? nullptr : &m_rows.at(row);
}

int NotificationModel::indexOf(qint64 id) const
{
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), id,
                                     [](const Notification &n, qint64 v) { return n.id > v; });
    return (it != m_rows.cend() && it->id == id) ? int(it - m_rows.cbegin()) : -1;
}

void NotificationModel::changed(int row)
{
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i);
    Q_EMIT updated(m_rows.at(row));
}

bool NotificationModel::merge(const Notification &incoming)
{
    if (incoming.id <= 0)
        return false;
    const int existing = indexOf(incoming.id);
    if (existing >= 0) {
        // Content changes come as notif.updated; a duplicate or a page only brings read and
        // resolved state (and settled stays settled: a page read before a resolution).
        Notification &n = m_rows[existing];
        const bool differs = n.read != incoming.read ||
                             (incoming.isResolved() &&
                              (!n.isResolved() || n.resolvedAction != incoming.resolvedAction ||
                               n.resolvedText != incoming.resolvedText));
        n.read = n.read || incoming.read; // read never goes back to unread
        if (incoming.isResolved()) {
            n.resolved = true;
            n.resolvedAction = incoming.resolvedAction;
            n.resolvedBy = incoming.resolvedBy;
            n.resolvedAt = incoming.resolvedAt;
            n.resolvedBySource = incoming.resolvedBySource;
            n.resolvedText = incoming.resolvedText;
            n.pendingAction.clear();
        }
        if (differs)
            changed(existing);
        return false;
    }
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), incoming.id,
                                     [](const Notification &n, qint64 v) { return n.id > v; });
    const int row = int(it - m_rows.begin());
    beginInsertRows({}, row, row);
    m_rows.insert(row, incoming);
    endInsertRows();
    return true;
}

void NotificationModel::handleHello(const QJsonObject &hello, bool reconnect)
{
    setUnreadCount(hello.value("unread"_L1).toInt());
    m_lastId = std::max(m_lastId, qint64(hello.value("notifSeq"_L1).toDouble()));
    // The change cursor starts at the hello's on a fresh start only: after a reconnect the
    // resume must ask from the one this client had, to learn what changed while it was away.
    if (!reconnect && hello.contains("notifChanges"_L1))
        setLastChange(qint64(hello.value("notifChanges"_L1).toDouble()));
    // After a reconnect the resume delivers what was missed (and toasts it); merging the hello's
    // list first would swallow those as already known.
    if (reconnect)
        return;
    const QJsonArray list = hello.value("notifications"_L1).toArray();
    for (const QJsonValue &v : list) {
        const Notification n = Notification::fromJson(v.toObject());
        merge(n);
        m_lastId = std::max(m_lastId, n.id);
    }
}

void NotificationModel::handleFrame(const proto::Frame &frame)
{
    if (frame.type == proto::Type::Notification) {
        arrive(Notification::fromJson(frame.body.value("notification"_L1).toObject()));
    } else if (frame.type == proto::Type::NotifUnread) {
        setUnreadCount(int(frame.integer("count"_L1)));
    } else if (frame.type == proto::Type::NotifReadSync) {
        if (frame.body.value("all"_L1).toBool()) {
            QList<qint64> ids;
            for (const Notification &n : std::as_const(m_rows))
                ids.append(n.id);
            markLocallyRead(ids);
        } else {
            QList<qint64> ids;
            const QJsonArray array = frame.body.value("ids"_L1).toArray();
            for (const QJsonValue &v : array)
                ids.append(qint64(v.toDouble()));
            markLocallyRead(ids);
        }
        setUnreadCount(int(frame.integer("unread"_L1)));
    } else if (frame.type == proto::Type::NotifResolved) {
        noteChange(frame.integer("changeSeq"_L1));
        const int row = indexOf(frame.integer("notification"_L1));
        if (row >= 0) {
            m_rows[row].applyResolved(frame.body);
            changed(row);
        }
    } else if (frame.type == proto::Type::NotifUpdated) {
        noteChange(frame.integer("changeSeq"_L1));
        const Notification now =
            Notification::fromJson(frame.body.value("notification"_L1).toObject());
        const int row = indexOf(now.id);
        if (row < 0)
            return; // not one this client holds: a later page brings its current state
        Notification &n = m_rows[row];
        n.replaceContent(now); // the whole state: a change that comes twice is harmless
        changed(row);
        Q_EMIT replaced(n);
    } else if (frame.type == proto::Type::NotifReminder) {
        Notification n = Notification::fromJson(frame.body.value("notification"_L1).toObject());
        const int row = indexOf(n.id);
        if (row >= 0) {
            m_rows[row].replaceContent(n); // its content as it is now, its read state as held
            changed(row);
            n = m_rows.at(row);
        }
        n.reminderStep = std::max(1, int(frame.integer("step"_L1)));
        Q_EMIT reminded(n);
    } else if (frame.type == proto::Type::NotifRetracted) {
        noteChange(frame.integer("changeSeq"_L1));
        const qint64 id = frame.integer("notification"_L1);
        const int row = indexOf(id);
        if (row >= 0) {
            beginRemoveRows({}, row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        }
        // The unread count follows in the server's notif.unread.
        Q_EMIT retracted(id);
    }
}

void NotificationModel::noteChange(qint64 changeSeq)
{
    if (changeSeq > m_lastChange)
        m_lastChange = changeSeq;
}

void NotificationModel::setLastChange(qint64 changeSeq)
{
    m_changesKnown = true;
    noteChange(changeSeq);
}

void NotificationModel::arrive(const Notification &n)
{
    m_lastId = std::max(m_lastId, n.id);
    if (!merge(n))
        return;
    if (!n.read)
        setUnreadCount(m_unread + 1); // the server's notif.unread, if any, corrects it
    Q_EMIT arrived(n);
}

void NotificationModel::markLocallyRead(const QList<qint64> &ids)
{
    for (const qint64 id : ids) {
        const int row = indexOf(id);
        if (row >= 0 && !m_rows.at(row).read) {
            m_rows[row].read = true;
            changed(row);
        }
    }
}

void NotificationModel::setUnreadCount(int count)
{
    count = std::max(0, count);
    if (m_unread == count)
        return;
    m_unread = count;
    Q_EMIT unreadCountChanged();
}

void NotificationModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
    m_lastId = 0;
    m_lastChange = 0;
    m_changesKnown = false;
    m_oldestListed = 0;
    m_hasMore = false;
    m_loading = false;
    setUnreadCount(0);
    Q_EMIT loadingChanged();
}

bool NotificationModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_hasMore && !m_loading && m_connection &&
           m_connection->state() == Connection::Connected;
}

void NotificationModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        requestPage(m_oldestListed);
}

void NotificationModel::refresh()
{
    requestPage(0);
}

void NotificationModel::requestPage(qint64 before)
{
    if (!m_connection || m_loading)
        return;
    QJsonObject body{{u"limit"_s, PageSize}};
    if (before > 0)
        body.insert(u"before"_s, before);
    m_loading = true;
    Q_EMIT loadingChanged();
    m_connection->request(proto::Type::NotifList, body, [this, before](const Reply &reply) {
        m_loading = false;
        if (reply.ok) {
            const QJsonArray list = reply.data.value("notifications"_L1).toArray();
            qint64 oldest = 0;
            for (const QJsonValue &v : list) {
                const Notification n = Notification::fromJson(v.toObject());
                // Newer than anything seen: it was published while this page was on its way,
                // and its live frame will be a duplicate. It still deserves its toast.
                if (n.id > m_lastId)
                    arrive(n);
                else
                    merge(n);
                oldest = oldest == 0 ? n.id : std::min(oldest, n.id);
            }
            // A refresh of the newest page must not move the paging point forward.
            if (oldest > 0 && (m_oldestListed == 0 || oldest < m_oldestListed))
                m_oldestListed = oldest;
            if (before > 0 || m_oldestListed == oldest)
                m_hasMore = reply.data.value("hasMore"_L1).toBool();
        }
        Q_EMIT loadingChanged();
    });
}

void NotificationModel::markRead(qint64 id)
{
    const int row = indexOf(id);
    if (row < 0 || m_rows.at(row).read)
        return;
    m_rows[row].read = true;
    changed(row);
    if (!m_connection)
        return;
    m_connection->request(proto::Type::NotifRead, {{u"ids"_s, QJsonArray{id}}},
                          [this, id](const Reply &reply) {
                              if (reply.ok) {
                                  setUnreadCount(reply.data.value("unread"_L1).toInt());
                                  return;
                              }
                              // Not stored: show it unread again rather than pretend.
                              const int r = indexOf(id);
                              if (r >= 0) {
                                  m_rows[r].read = false;
                                  changed(r);
                              }
                          });
}

void NotificationModel::markAllRead()
{
    if (!m_connection)
        return;
    m_connection->request(proto::Type::NotifReadAll, {}, [this](const Reply &reply) {
        if (!reply.ok)
            return;
        QList<qint64> ids;
        for (const Notification &n : std::as_const(m_rows))
            ids.append(n.id);
        markLocallyRead(ids);
        setUnreadCount(reply.data.value("unread"_L1).toInt());
    });
}

void NotificationModel::markThreadRead(const QString &service, const QString &threadKey)
{
    if (threadKey.isEmpty())
        return;
    QList<qint64> ids;
    for (const Notification &n : std::as_const(m_rows))
        if (!n.read && n.source == service && n.threadKey == threadKey)
            ids.append(n.id);
    markLocallyRead(ids);
    if (!m_connection)
        return;
    const QJsonObject body{{u"service"_s, service}, {u"threadKey"_s, threadKey}};
    m_connection->request(proto::Type::NotifReadThread, body, [this, ids](const Reply &reply) {
        if (reply.ok) {
            QList<qint64> read;
            const QJsonArray array = reply.data.value("ids"_L1).toArray();
            for (const QJsonValue &v : array)
                read.append(qint64(v.toDouble()));
            markLocallyRead(read); // older ones of the thread this client had not paged in
            setUnreadCount(reply.data.value("unread"_L1).toInt());
            return;
        }
        // Not stored: show them unread again rather than pretend.
        for (const qint64 id : ids) {
            const int r = indexOf(id);
            if (r >= 0) {
                m_rows[r].read = false;
                changed(r);
            }
        }
    });
}

void NotificationModel::act(qint64 id, const QString &action)
{
    const int row = indexOf(id);
    if (row < 0 || !m_connection)
        return;
    Notification &n = m_rows[row];
    if (n.isResolved() || !n.pendingAction.isEmpty())
        return;
    n.pendingAction = action;
    n.actionError.clear();
    changed(row);
    const QJsonObject body{{u"notification"_s, id}, {u"action"_s, action}};
    m_connection->request(proto::Type::NotifAction, body, [this, id](const Reply &reply) {
        const int r = indexOf(id);
        if (r < 0)
            return;
        Notification &n = m_rows[r];
        n.pendingAction.clear();
        bool ok = reply.ok;
        if (reply.ok) {
            n.applyResolved(reply.data.value("resolved"_L1).toObject());
            n.read = true;
            if (reply.data.contains("unread"_L1))
                setUnreadCount(reply.data.value("unread"_L1).toInt());
        } else {
            // A "conflict" still says who acted first; look for it where the server may put it.
            QJsonObject resolved = reply.body.value("resolved"_L1).toObject();
            if (resolved.isEmpty())
                resolved = reply.body.value("data"_L1).toObject().value("resolved"_L1).toObject();
            n.applyResolved(resolved);
            n.actionError = reply.code == QLatin1String(proto::Err::Conflict)
                                ? tr("Already handled")
                                : (reply.message.isEmpty() ? reply.code : reply.message);
        }
        changed(r);
        const QString text =
            ok ? n.resolutionText(m_names)
               : (n.isResolved() ? tr("%1: %2").arg(n.actionError, n.resolutionText(m_names))
                                 : n.actionError);
        Q_EMIT actionFinished(id, ok, text);
    });
}

void NotificationModel::retranslate()
{
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_rows.size()) - 1), {ResolutionRole, OriginRole});
}

void NotificationModel::openLink(qint64 id)
{
    const Notification *n = find(id);
    if (!n || n->link.isEmpty())
        return;
    const QUrl url(n->link, QUrl::StrictMode);
    // Only web links: a notification must not be able to launch arbitrary handlers.
    if (url.scheme() == u"https"_s || url.scheme() == u"http"_s)
        QDesktopServices::openUrl(url);
    markRead(id);
}
