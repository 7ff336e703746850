#include "soundplayer.h"

#include <canberra.h>

#include <QApplication>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSound, "herald.sound")

SoundPlayer::SoundPlayer(QObject *parent)
    : QObject(parent)
    , m_fallback([] { QApplication::beep(); })
{
    if (ca_context_create(&m_context) != CA_SUCCESS) {
        m_context = nullptr;
        return;
    }
    ca_context_change_props(m_context, CA_PROP_APPLICATION_NAME, "Herald", CA_PROP_APPLICATION_ID,
                            "herald-desktop", CA_PROP_APPLICATION_ICON_NAME, "herald-desktop",
                            nullptr);
}

SoundPlayer::~SoundPlayer()
{
    if (m_context)
        ca_context_destroy(m_context);
}

QString SoundPlayer::eventFor(const QString &priority)
{
    return priority == u"urgent"_s ? u"dialog-warning"_s : u"message-new-instant"_s;
}

QString SoundPlayer::themeFile(const QString &event)
{
    for (const QString &ext : {u".oga"_s, u".ogg"_s, u".wav"_s}) {
        const QString file = QStandardPaths::locate(QStandardPaths::GenericDataLocation,
                                                    u"sounds/freedesktop/stereo/"_s + event + ext);
        if (!file.isEmpty())
            return file;
    }
    return {};
}

bool SoundPlayer::play(const QString &priority)
{
    const QByteArray event = eventFor(priority).toUtf8();
    int result = CA_ERROR_NOTAVAILABLE;
    if (m_context)
        result = ca_context_play(m_context, 0, CA_PROP_EVENT_ID, event.constData(),
                                 CA_PROP_EVENT_DESCRIPTION, "Herald notification", nullptr);
    if (result == CA_SUCCESS) {
        m_lastError.clear();
        return true;
    }
    m_lastError = QString::fromUtf8(ca_strerror(result));
    if (!m_warned) {
        m_warned = true; // once: a machine without a sound device would say it every time
        qCInfo(lcSound).noquote()
            << u"The sound theme could not play %1 (%2), so the bell rings instead."_s.arg(
                   QString::fromUtf8(event), m_lastError);
    }
    if (m_fallback)
        m_fallback();
    return false;
}
