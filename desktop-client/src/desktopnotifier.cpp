#include "desktopnotifier.h"

#include <QCoreApplication>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QLoggingCategory>
#include <QVariantMap>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcNotifier, "herald.notifier")

namespace {
const QString ServiceName = QString::fromLatin1(DesktopNotifier::Service);
const QString PathName = QString::fromLatin1(DesktopNotifier::Path);
const QString InterfaceName = QString::fromLatin1(DesktopNotifier::Interface);
const QString DefaultAction = u"default"_s;
// A chat message's Reply: the key KDE Plasma answers with NotificationReplied when the server has
// "inline-reply"; elsewhere an ordinary action.
const QString InlineReplyAction = u"inline-reply"_s;
const QString ReplyAction = u"reply"_s;
constexpr int OutcomeShownMs = 4000;
} // namespace

DesktopNotifier::DesktopNotifier(const QDBusConnection &bus, QObject *parent)
    : QObject(parent)
    , m_bus(bus)
    , m_watcher(ServiceName, bus,
                QDBusServiceWatcher::WatchForRegistration |
                    QDBusServiceWatcher::WatchForUnregistration)
{
    if (!m_bus.isConnected())
        return; // no session bus at all: Herald's own toasts
    // Tests of Herald's own toasts run on machines that may have a notification server.
    if (qEnvironmentVariable("HERALD_NOTIFIER") == u"off"_s)
        return;
    connect(&m_watcher, &QDBusServiceWatcher::serviceRegistered, this, &DesktopNotifier::probe);
    connect(&m_watcher, &QDBusServiceWatcher::serviceUnregistered, this,
            &DesktopNotifier::serverGone);
    m_bus.connect(ServiceName, PathName, InterfaceName, u"ActionInvoked"_s, this,
                  SLOT(onActionInvoked(uint, QString)));
    m_bus.connect(ServiceName, PathName, InterfaceName, u"NotificationClosed"_s, this,
                  SLOT(onNotificationClosed(uint, uint)));
    m_bus.connect(ServiceName, PathName, InterfaceName, u"NotificationReplied"_s, this,
                  SLOT(onNotificationReplied(uint, QString)));
    probe();
}

void DesktopNotifier::probe()
{
    QDBusConnectionInterface *bus = m_bus.interface();
    const bool running = bus && bus->isServiceRegistered(ServiceName).value();
    // A server that D-Bus starts on the first call counts too (notification-daemon, dunst).
    const bool activatable =
        bus && !running && bus->activatableServiceNames().value().contains(ServiceName);
    if (!running && !activatable) {
        setAvailable(false);
        return;
    }
    const QDBusMessage caps = m_bus.call(
        QDBusMessage::createMethodCall(ServiceName, PathName, InterfaceName, u"GetCapabilities"_s),
        QDBus::Block, 5000);
    if (caps.type() != QDBusMessage::ReplyMessage || caps.arguments().isEmpty()) {
        qCInfo(lcNotifier).noquote()
            << u"The desktop's notification server did not answer (%1), so Herald shows its own "
               "notifications."_s.arg(caps.errorMessage());
        setAvailable(false);
        return;
    }
    m_capabilities = caps.arguments().constFirst().toStringList();
    const QDBusMessage info =
        m_bus.call(QDBusMessage::createMethodCall(ServiceName, PathName, InterfaceName,
                                                  u"GetServerInformation"_s),
                   QDBus::Block, 5000);
    m_serverName =
        info.arguments().size() >= 2
            ? u"%1 (%2)"_s.arg(info.arguments().at(0).toString(), info.arguments().at(1).toString())
            : QString();
    qCInfo(lcNotifier).noquote() << u"Notifications go to the desktop's notification server %1, "
                                    "which can %2."_s.arg(m_serverName,
                                                          m_capabilities.join(u", "_s));
    setAvailable(true);
    // Bumped so QML sees the new name even when availability did not change.
    Q_EMIT availableChanged();
}

void DesktopNotifier::setAvailable(bool available)
{
    if (m_available == available)
        return;
    m_available = available;
    Q_EMIT availableChanged();
}

void DesktopNotifier::serverGone()
{
    qCInfo(lcNotifier) << "The desktop's notification server left the session bus; Herald shows "
                          "its own notifications again.";
    m_capabilities.clear();
    m_serverName.clear();
    setAvailable(false);
    // What was on screen through it is on screen no more: hand each back, none is lost.
    m_acting.clear();
    const auto shown = std::exchange(m_shown, {});
    for (const Shown &s : shown)
        Q_EMIT failed(s.notification);
}

uchar DesktopNotifier::urgencyFor(const QString &priority)
{
    if (priority == u"low"_s)
        return 0;
    if (priority == u"urgent"_s)
        return 2;
    return 1;
}

qint64 DesktopNotifier::heraldId(uint serverId) const
{
    for (auto it = m_shown.cbegin(); it != m_shown.cend(); ++it)
        if (it->serverId == serverId && serverId != 0)
            return it.key();
    return 0;
}

void DesktopNotifier::show(const Notification &n)
{
    if (!m_available) {
        Q_EMIT failed(n);
        return;
    }
    if (m_shown.contains(n.id))
        return;
    if (!n.threadKey.isEmpty()) {
        // One bubble per thread: the newest takes over the bubble of the one before it, and
        // says how many more there are ("5 more from Monitoring"), as Herald's own toast does.
        for (auto it = m_shown.begin(); it != m_shown.end(); ++it) {
            if (it->serverId == 0 || m_acting.contains(it.key()) ||
                it->notification.threadId() != n.threadId())
                continue;
            const Shown was = *it;
            m_shown.erase(it);
            m_shown.insert(n.id, {n, was.serverId, was.more + 1});
            const QString more =
                QCoreApplication::translate("ToastModel", "%n more from %1",
                                            "a toast standing for a thread", was.more + 1)
                    .arg(n.sourceDisplay.isEmpty() ? n.source : n.sourceDisplay);
            notify(n, was.serverId, n.body.isEmpty() ? more : QString(n.body + u"\n"_s + more),
                   true, n.priority == u"urgent"_s ? 0 : -1);
            return;
        }
    }
    m_shown.insert(n.id, {n, 0});
    // Urgent ones stay until handled, like Herald's own toasts; the rest as the desktop likes.
    notify(n, 0, n.body, true, n.priority == u"urgent"_s ? 0 : -1);
}

void DesktopNotifier::finish(qint64 id, bool ok, const QString &text)
{
    const auto acting = m_acting.constFind(id);
    if (acting == m_acting.cend())
        return; // acted on elsewhere (a toast, the centre): nothing of ours to update
    const Shown was = *acting;
    m_acting.erase(acting);
    if (!m_available)
        return;
    // In place of the bubble when it is still up, else briefly as a new one.
    const auto shown = m_shown.constFind(id);
    const uint replaces = shown != m_shown.cend() ? shown->serverId : 0;
    m_shown.insert(id, {was.notification, replaces});
    notify(was.notification, replaces, (ok ? u"✓ "_s : u"⚠ "_s) + text, false, OutcomeShownMs);
}

void DesktopNotifier::notify(const Notification &n, uint replaces, const QString &body,
                             bool withActions, int timeoutMs)
{
    QStringList actions;
    QVariantMap hints{{u"urgency"_s, QVariant::fromValue(urgencyFor(n.priority))},
                      {u"desktop-entry"_s, u"herald-desktop"_s},
                      {u"suppress-sound"_s, true}, // Herald plays its own, once
                      {u"x-herald-id"_s, n.id}};
    if (withActions && supportsActions()) {
        actions << DefaultAction << tr("Open");
        for (const Notification::Action &a : n.actions)
            actions << a.id << a.label;
        if (!n.chatRoom.isEmpty()) {
            actions << (supportsInlineReply() ? InlineReplyAction : ReplyAction) << tr("Reply");
            if (supportsInlineReply())
                hints.insert(u"x-kde-reply-placeholder-text"_s, tr("Write a reply…"));
        }
    }
    if (!n.category.isEmpty())
        hints.insert(u"x-herald-category"_s, n.category);
    const QString summary = n.title;
    const QString origin = n.origin(); // "ERP · Purchasing" above the body
    QString text = body;
    if (!origin.isEmpty())
        text = text.isEmpty() ? origin : origin + u"\n"_s + text;
    if (m_capabilities.contains(u"body-markup"_s))
        text = text.toHtmlEscaped(); // a title like "<b>" stays text
    QDBusMessage call =
        QDBusMessage::createMethodCall(ServiceName, PathName, InterfaceName, u"Notify"_s);
    call << u"Herald"_s << replaces << u"herald-desktop"_s << summary << text << actions << hints
         << timeoutMs;
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, 10000), this);
    const qint64 id = n.id;
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, id, n] {
        watcher->deleteLater();
        const QDBusPendingReply<uint> reply = *watcher;
        const auto it = m_shown.find(id);
        if (reply.isError() || reply.value() == 0) {
            qCInfo(lcNotifier).noquote()
                << u"The notification server refused notification %1 (%2); Herald shows it "
                   "itself."_s.arg(id)
                       .arg(reply.error().message());
            if (it != m_shown.end()) {
                m_shown.erase(it);
                Q_EMIT failed(n);
            }
            return;
        }
        if (it != m_shown.end() && m_closedEarly.removeOne(reply.value())) {
            // Already closed on screen (expired, dismissed) before we knew its number.
            m_shown.erase(it);
            Q_EMIT closed(id);
            return;
        }
        if (it != m_shown.end())
            it->serverId = reply.value();
        else // withdrawn while Notify was on its way
            m_bus.asyncCall(QDBusMessage::createMethodCall(ServiceName, PathName, InterfaceName,
                                                           u"CloseNotification"_s)
                            << reply.value());
    });
}

void DesktopNotifier::replace(const Notification &n)
{
    const auto it = m_shown.find(n.id);
    if (it == m_shown.end() || m_acting.contains(n.id))
        return; // not up, or an action's outcome is about to show there
    it->notification = n;
    if (it->serverId == 0)
        return; // Notify on its way: the bubble shows the state it was sent with
    notify(n, it->serverId, n.body, true, n.priority == u"urgent"_s ? 0 : -1);
}

void DesktopNotifier::withdraw(qint64 id)
{
    const auto it = m_shown.constFind(id);
    if (it == m_shown.cend() || m_acting.contains(id))
        return; // an action from the bubble: finish() shows its outcome there
    const uint serverId = it->serverId;
    m_shown.remove(id);
    if (serverId != 0)
        m_bus.asyncCall(QDBusMessage::createMethodCall(ServiceName, PathName, InterfaceName,
                                                       u"CloseNotification"_s)
                        << serverId);
    Q_EMIT closed(id);
}

void DesktopNotifier::withdrawAll()
{
    m_acting.clear();
    const QList<qint64> ids = m_shown.keys();
    for (const qint64 id : ids)
        withdraw(id);
}

void DesktopNotifier::onActionInvoked(uint serverId, const QString &actionKey)
{
    const qint64 id = heraldId(serverId);
    if (id == 0)
        return; // another application's notification
    if (actionKey == DefaultAction) {
        Q_EMIT activated(id);
        return;
    }
    if (actionKey == ReplyAction && !m_shown.value(id).notification.chatRoom.isEmpty()) {
        Q_EMIT replied(id, QString()); // no text in the bubble: the conversation opens for it
        return;
    }
    m_acting.insert(id, m_shown.value(id));
    Q_EMIT actionInvoked(id, actionKey);
}

void DesktopNotifier::onNotificationClosed(uint serverId, uint)
{
    const qint64 id = heraldId(serverId);
    if (id == 0) {
        // Perhaps one of ours whose Notify answer is still on its way: remember a few.
        const bool waiting = std::any_of(m_shown.cbegin(), m_shown.cend(),
                                         [](const Shown &s) { return s.serverId == 0; });
        if (waiting) {
            m_closedEarly.append(serverId);
            if (m_closedEarly.size() > 32)
                m_closedEarly.removeFirst();
        }
        return;
    }
    m_shown.remove(id);
    Q_EMIT closed(id);
}

void DesktopNotifier::onNotificationReplied(uint serverId, const QString &text)
{
    const qint64 id = heraldId(serverId);
    if (id == 0 || m_shown.value(id).notification.chatRoom.isEmpty())
        return; // another application's, or not a chat message's
    if (!text.trimmed().isEmpty())
        Q_EMIT replied(id, text);
}
