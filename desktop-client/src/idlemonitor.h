// When the person stopped using the computer: the desktop's idle time over D-Bus where the
// desktop offers it, the screen lock, and otherwise the last input to Herald's own windows.
#pragma once

#include <QObject>
#include <QTimer>

#include <functional>

class QDBusPendingCallWatcher;

/**
 * @brief Watches for the person going idle and coming back, for presence ("away since").
 *
 * Where it learns the idle time, best first: GNOME's idle monitor (org.gnome.Mutter.IdleMonitor,
 * the whole session's idle time in ms); without it, the last keyboard, mouse or touch input to
 * Herald's own windows. A locked screen (org.freedesktop.ScreenSaver's ActiveChanged, which
 * GNOME, KDE and most lockers send) makes the person idle at once, whatever the time says.
 *
 * It looks every 15 s, and at once on input to Herald's windows while idle. check() looks now
 * (tests call it); setClock() gives tests the time for the own-windows count.
 */
class IdleMonitor : public QObject
{
    Q_OBJECT
public:
    enum class Source { OwnWindows, GnomeIdleMonitor };
    Q_ENUM(Source)

    explicit IdleMonitor(QObject *parent = nullptr);

    /** @brief Idle after this long without input; 0 never goes idle. */
    void setThresholdMs(qint64 ms);
    [[nodiscard]] qint64 thresholdMs() const { return m_thresholdMs; }
    /** @brief Starts looking: the periodic check, the input filter, the screen-lock signal. */
    void start();
    /** @brief Looks now (asynchronously when it asks D-Bus). */
    void check();

    [[nodiscard]] bool isIdle() const { return m_idle; }
    /** @brief How long the person had been idle at the last look, in ms. */
    [[nodiscard]] qint64 idleMs() const;
    [[nodiscard]] Source source() const { return m_source; }
    [[nodiscard]] bool screenLocked() const { return m_locked; }

    /** @brief The clock for the own-windows count (ms, monotonic); tests move it. */
    void setClock(std::function<qint64()> clock);

Q_SIGNALS:
    /** @brief Went idle (idleMs: for how long already) or came back (idle false). */
    void idleChanged(bool idle, qint64 idleMs);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private Q_SLOTS:
    void onScreenSaverActiveChanged(bool active);

private:
    void apply(qint64 idleMs);
    void onGnomeAnswer(QDBusPendingCallWatcher *call);

    qint64 m_thresholdMs = 10 * 60 * 1000;
    std::function<qint64()> m_clock;
    qint64 m_lastInput = 0;
    qint64 m_lastIdleMs = 0;
    bool m_idle = false;
    bool m_locked = false;
    bool m_asking = false;
    Source m_source = Source::OwnWindows;
    QTimer m_timer;
};
