#include "idlemonitor.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QElapsedTimer>
#include <QEvent>
#include <QGuiApplication>

using namespace Qt::StringLiterals;

namespace {
const QString GnomeService = u"org.gnome.Mutter.IdleMonitor"_s;
const QString GnomePath = u"/org/gnome/Mutter/IdleMonitor/Core"_s;
const QString ScreenSaverService = u"org.freedesktop.ScreenSaver"_s;

qint64 monotonicMs()
{
    static QElapsedTimer started = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return started.elapsed();
}

bool isInput(QEvent::Type t)
{
    switch (t) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::TouchBegin:
    case QEvent::TabletPress:
        return true;
    default:
        return false;
    }
}
} // namespace

IdleMonitor::IdleMonitor(QObject *parent)
    : QObject(parent)
    , m_clock(monotonicMs)
{
    m_lastInput = m_clock();
    m_timer.setInterval(15000);
    connect(&m_timer, &QTimer::timeout, this, &IdleMonitor::check);
}

void IdleMonitor::setThresholdMs(qint64 ms)
{
    m_thresholdMs = std::max<qint64>(0, ms);
    check();
}

void IdleMonitor::setClock(std::function<qint64()> clock)
{
    m_clock = std::move(clock);
    m_lastInput = m_clock();
}

void IdleMonitor::start()
{
    if (qApp)
        qApp->installEventFilter(this);
    // The screen lock: one path and interface on GNOME, KDE, Xfce and light-locker alike.
    QDBusConnection::sessionBus().connect(ScreenSaverService, u"/org/freedesktop/ScreenSaver"_s,
                                          ScreenSaverService, u"ActiveChanged"_s, this,
                                          SLOT(onScreenSaverActiveChanged(bool)));
    m_timer.start();
    check();
}

qint64 IdleMonitor::idleMs() const
{
    return m_lastIdleMs;
}

void IdleMonitor::check()
{
    if (m_asking)
        return;
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        m_source = Source::OwnWindows;
        return apply(m_clock() - m_lastInput);
    }
    m_asking = true;
    const QDBusMessage call = QDBusMessage::createMethodCall(
        GnomeService, GnomePath, u"org.gnome.Mutter.IdleMonitor"_s, u"GetIdletime"_s);
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call, 5000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, &IdleMonitor::onGnomeAnswer);
}

void IdleMonitor::onGnomeAnswer(QDBusPendingCallWatcher *call)
{
    call->deleteLater();
    m_asking = false;
    const QDBusPendingReply<quint64> reply = *call;
    if (reply.isError()) { // no GNOME idle monitor here: Herald's own windows tell
        m_source = Source::OwnWindows;
        return apply(m_clock() - m_lastInput);
    }
    m_source = Source::GnomeIdleMonitor;
    apply(qint64(std::min<quint64>(reply.value(), quint64(7) * 24 * 3600 * 1000)));
}

void IdleMonitor::apply(qint64 idleMs)
{
    m_lastIdleMs = std::max<qint64>(0, idleMs);
    const bool idle = m_locked || (m_thresholdMs > 0 && m_lastIdleMs >= m_thresholdMs);
    if (idle == m_idle)
        return;
    m_idle = idle;
    Q_EMIT idleChanged(m_idle, m_idle ? m_lastIdleMs : 0);
}

void IdleMonitor::onScreenSaverActiveChanged(bool active)
{
    m_locked = active;
    if (!active)
        m_lastInput = m_clock(); // unlocking is the person coming back
    apply(active ? m_lastIdleMs : 0);
}

bool IdleMonitor::eventFilter(QObject *watched, QEvent *event)
{
    if (isInput(event->type())) {
        m_lastInput = m_clock();
        // Back at Herald's windows: that is activity whatever the desktop's count says.
        if (m_idle && !m_locked)
            apply(0);
    }
    return QObject::eventFilter(watched, event);
}
