// A notification server for tests: implements org.freedesktop.Notifications (Desktop
// Notifications Specification 1.2) on its own bus connection, in its own thread, records what
// it is asked and can click an action, close a notification or leave the bus like a real one.
#pragma once

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QMutex>
#include <QObject>
#include <QStringList>
#include <QThread>
#include <QVariantMap>

#include <atomic>

/** @brief One Notify call as the server received it. */
struct NotifyCall
{
    QString appName;
    uint replacesId = 0;
    QString summary;
    QString body;
    QStringList actions;
    QVariantMap hints;
    int timeout = 0;
    uint id = 0; // what the server answered
};

/** @brief The D-Bus object: its slots are the interface's methods, its signals the spec's. */
class FakeNotificationServer : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public:
    explicit FakeNotificationServer(QStringList capabilities)
        : m_capabilities(std::move(capabilities))
    {
    }

    [[nodiscard]] QList<NotifyCall> calls() const
    {
        QMutexLocker lock(&m_mutex);
        return m_calls;
    }
    [[nodiscard]] QList<uint> closedByClient() const
    {
        QMutexLocker lock(&m_mutex);
        return m_closed;
    }

public Q_SLOTS:
    QStringList GetCapabilities() const { return m_capabilities; }

    QString GetServerInformation(QString &vendor, QString &version, QString &specVersion) const
    {
        vendor = QStringLiteral("Herald tests");
        version = QStringLiteral("1.0");
        specVersion = QStringLiteral("1.2");
        return QStringLiteral("fake-notification-server");
    }

    uint Notify(const QString &appName, uint replacesId, const QString &appIcon,
                const QString &summary, const QString &body, const QStringList &actions,
                const QVariantMap &hints, int timeout)
    {
        Q_UNUSED(appIcon)
        QMutexLocker lock(&m_mutex);
        const uint id = replacesId != 0 ? replacesId : ++m_nextId;
        m_calls.append({appName, replacesId, summary, body, actions, hints, timeout, id});
        return id;
    }

    void CloseNotification(uint id)
    {
        {
            QMutexLocker lock(&m_mutex);
            m_closed.append(id);
        }
        Q_EMIT NotificationClosed(id, 3); // 3: closed by a call to CloseNotification
    }

    // Test controls (invoked in this object's thread).
    void clickAction(uint id, const QString &key) { Q_EMIT ActionInvoked(id, key); }
    void expire(uint id) { Q_EMIT NotificationClosed(id, 1); }
    // KDE Plasma's extension: text typed into a bubble that offered "inline-reply".
    void typeReply(uint id, const QString &text) { Q_EMIT NotificationReplied(id, text); }

Q_SIGNALS:
    void ActionInvoked(uint id, const QString &actionKey);
    void NotificationReplied(uint id, const QString &text);
    void NotificationClosed(uint id, uint reason);

private:
    mutable QMutex m_mutex;
    QStringList m_capabilities;
    QList<NotifyCall> m_calls;
    QList<uint> m_closed;
    uint m_nextId = 100;
};

/** @brief Runs a FakeNotificationServer on a second session-bus connection in a thread. */
class NotificationServerThread
{
public:
    explicit NotificationServerThread(QStringList capabilities = {QStringLiteral("actions"),
                                                                  QStringLiteral("body")})
        : m_server(std::move(capabilities))
    {
        m_thread.start();
        m_server.moveToThread(&m_thread);
    }
    ~NotificationServerThread() { stop(); }

    /** @brief Takes the well-known name on the bus: from now on the client sees a server. */
    bool start()
    {
        bool ok = false;
        QMetaObject::invokeMethod(
            &m_server,
            [this, &ok] {
                m_bus = std::make_unique<QDBusConnection>(QDBusConnection::connectToBus(
                    QDBusConnection::SessionBus, QStringLiteral("fake-notification-server")));
                ok = m_bus->isConnected() &&
                     m_bus->registerObject(
                         QStringLiteral("/org/freedesktop/Notifications"), &m_server,
                         QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals) &&
                     m_bus->registerService(QStringLiteral("org.freedesktop.Notifications"));
            },
            Qt::BlockingQueuedConnection);
        return ok;
    }

    /** @brief Leaves the bus, as a notification daemon that crashed or was replaced. */
    void leave()
    {
        QMetaObject::invokeMethod(
            &m_server,
            [this] {
                if (!m_bus)
                    return;
                m_bus->unregisterService(QStringLiteral("org.freedesktop.Notifications"));
                m_bus->unregisterObject(QStringLiteral("/org/freedesktop/Notifications"));
                QDBusConnection::disconnectFromBus(QStringLiteral("fake-notification-server"));
                m_bus.reset();
            },
            Qt::BlockingQueuedConnection);
    }

    void clickAction(uint id, const QString &key)
    {
        QMetaObject::invokeMethod(&m_server, [this, id, key] { m_server.clickAction(id, key); });
    }
    void expire(uint id)
    {
        QMetaObject::invokeMethod(&m_server, [this, id] { m_server.expire(id); });
    }
    void typeReply(uint id, const QString &text)
    {
        QMetaObject::invokeMethod(&m_server, [this, id, text] { m_server.typeReply(id, text); });
    }

    [[nodiscard]] const FakeNotificationServer &server() const { return m_server; }

    void stop()
    {
        if (!m_thread.isRunning())
            return;
        leave();
        QMetaObject::invokeMethod(
            &m_server, [this] { m_server.moveToThread(QCoreApplication::instance()->thread()); },
            Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

private:
    FakeNotificationServer m_server;
    QThread m_thread;
    std::unique_ptr<QDBusConnection> m_bus;
};
