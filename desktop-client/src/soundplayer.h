// The notification sound: the freedesktop sound theme through libcanberra (what GNOME and KDE
// play, and what their volume and mute settings govern), the terminal bell only as a last resort.
#pragma once

#include <QObject>
#include <QString>

#include <functional>

struct ca_context;

/** @brief Plays "message-new-instant" for a notification, "dialog-warning" for an urgent one. */
class SoundPlayer : public QObject
{
    Q_OBJECT

public:
    explicit SoundPlayer(QObject *parent = nullptr);
    ~SoundPlayer() override;

    /** @brief The sound theme event for a priority. */
    [[nodiscard]] static QString eventFor(const QString &priority);
    /** @brief The file the freedesktop theme has for an event (empty: not installed). */
    [[nodiscard]] static QString themeFile(const QString &event);

    /** @brief Plays the sound for @p priority; returns false when the fallback had to ring. */
    bool play(const QString &priority);
    /** @brief What rings when the sound theme cannot play (default: QApplication::beep()). */
    void setFallback(std::function<void()> fallback) { m_fallback = std::move(fallback); }
    /** @brief Why the last sound could not play (empty when it did). */
    [[nodiscard]] QString lastError() const { return m_lastError; }

private:
    ca_context *m_context = nullptr;
    std::function<void()> m_fallback;
    QString m_lastError;
    bool m_warned = false;
};
