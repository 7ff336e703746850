#include "settings.h"
#include "credentialstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <algorithm>

using namespace Qt::StringLiterals;

Settings::Settings(QObject *parent)
    : QObject(parent)
{
}

QString Settings::server() const
{
    return m_settings.value("server"_L1).toString();
}

void Settings::setServer(const QString &server)
{
    if (server == this->server())
        return;
    m_settings.setValue("server"_L1, server);
    Q_EMIT serverChanged();
}

QString Settings::lastUser() const
{
    return m_settings.value("lastUser"_L1).toString();
}

void Settings::setLastUser(const QString &user)
{
    if (user == lastUser())
        return;
    m_settings.setValue("lastUser"_L1, user);
    Q_EMIT lastUserChanged();
}

bool Settings::sound() const
{
    return m_settings.value("sound"_L1, true).toBool();
}

void Settings::setSound(bool enabled)
{
    if (enabled == sound())
        return;
    m_settings.setValue("sound"_L1, enabled);
    Q_EMIT soundChanged();
}

QString Settings::caFile() const
{
    return m_settings.value("caFile"_L1).toString();
}

void Settings::setCaFile(const QString &path)
{
    if (path == caFile())
        return;
    m_settings.setValue("caFile"_L1, path);
    Q_EMIT caFileChanged();
}

bool Settings::doNotDisturb() const
{
    return m_settings.value("doNotDisturb"_L1, false).toBool();
}

void Settings::setDoNotDisturb(bool enabled)
{
    if (enabled == doNotDisturb())
        return;
    m_settings.setValue("doNotDisturb"_L1, enabled);
    Q_EMIT doNotDisturbChanged();
}

int Settings::awayAfterMinutes() const
{
    return std::clamp(m_settings.value("awayAfterMinutes"_L1, 10).toInt(), 0, 24 * 60);
}

void Settings::setAwayAfterMinutes(int minutes)
{
    minutes = std::clamp(minutes, 0, 24 * 60);
    if (minutes == awayAfterMinutes())
        return;
    m_settings.setValue("awayAfterMinutes"_L1, minutes);
    Q_EMIT awayAfterMinutesChanged();
}

QString Settings::language() const
{
    return m_settings.value("language"_L1).toString();
}

void Settings::setLanguage(const QString &code)
{
    if (code == language())
        return;
    m_settings.setValue("language"_L1, code);
    Q_EMIT languageChanged();
}

bool Settings::nativeNotifications() const
{
    return m_settings.value("nativeNotifications"_L1, true).toBool();
}

void Settings::setNativeNotifications(bool enabled)
{
    if (enabled == nativeNotifications())
        return;
    m_settings.setValue("nativeNotifications"_L1, enabled);
    Q_EMIT nativeNotificationsChanged();
}

QString Settings::knownDisplayName(const QString &user) const
{
    return m_settings.value(u"names/%1"_s.arg(user)).toString();
}

void Settings::rememberDisplayName(const QString &user, const QString &display)
{
    if (user.isEmpty() || display.isEmpty() || display == knownDisplayName(user))
        return;
    m_settings.setValue(u"names/%1"_s.arg(user), display);
}

void Settings::setCredentialsInFile(bool inFile)
{
    if (m_credentialsInFile == inFile)
        return;
    m_credentialsInFile = inFile;
    Q_EMIT credentialsInFileChanged();
}

QString Settings::credentialFile() const
{
    return CredentialStore::fallbackPath();
}

QString Settings::autostartFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           u"/autostart/herald-desktop.desktop"_s;
}

QString Settings::autostartEntry(const QString &executable)
{
    // Desktop Entry spec: arguments with spaces are quoted; --hidden starts in the tray.
    QString exec = executable;
    if (exec.contains(u' '))
        exec = u"\"%1\""_s.arg(exec);
    return u"[Desktop Entry]\n"
           "Type=Application\n"
           "Name=Herald\n"
           "Comment=Company notifications and chat\n"
           "Exec=%1 --hidden\n"
           "Icon=herald-desktop\n"
           "Terminal=false\n"
           "X-GNOME-Autostart-enabled=true\n"_s.arg(exec);
}

bool Settings::startOnLogin() const
{
    return QFileInfo::exists(autostartFile());
}

void Settings::setStartOnLogin(bool enabled)
{
    if (enabled == startOnLogin())
        return;
    const QString path = autostartFile();
    if (enabled) {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return;
        file.write(autostartEntry(QCoreApplication::applicationFilePath()).toUtf8());
    } else {
        QFile::remove(path);
    }
    Q_EMIT startOnLoginChanged();
}

qint64 Settings::readSeq(const QString &user, const QString &room) const
{
    return m_settings.value(u"read/%1/%2"_s.arg(user, room), -1).toLongLong();
}

void Settings::setReadSeq(const QString &user, const QString &room, qint64 seq)
{
    m_settings.setValue(u"read/%1/%2"_s.arg(user, room), seq);
}
