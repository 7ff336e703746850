// The person's preferences, kept with QSettings, and the XDG autostart entry.
#pragma once

#include <QObject>
#include <QSettings>
#include <QtQml/qqmlregistration.h>

/** @brief Server, start on login, sound, do not disturb, and where the credential is kept. */
class Settings : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by Session")
    /** @brief The server last signed in to. */
    Q_PROPERTY(QString server READ server WRITE setServer NOTIFY serverChanged)
    /** @brief The user name last signed in with (to prefill the form). */
    Q_PROPERTY(QString lastUser READ lastUser WRITE setLastUser NOTIFY lastUserChanged)
    /** @brief An XDG autostart entry starts Herald (in the tray) on login. */
    Q_PROPERTY(bool startOnLogin READ startOnLogin WRITE setStartOnLogin NOTIFY startOnLoginChanged)
    /** @brief A sound plays with each toast. */
    Q_PROPERTY(bool sound READ sound WRITE setSound NOTIFY soundChanged)
    /** @brief A PEM file with the company's CA certificate(s), trusted besides the system CAs. */
    Q_PROPERTY(QString caFile READ caFile WRITE setCaFile NOTIFY caFileChanged)
    Q_PROPERTY(bool doNotDisturb READ doNotDisturb WRITE setDoNotDisturb NOTIFY doNotDisturbChanged)
    /** @brief Away after this many idle minutes; 0 never. */
    Q_PROPERTY(int awayAfterMinutes READ awayAfterMinutes WRITE setAwayAfterMinutes NOTIFY
                   awayAfterMinutesChanged)
    /** @brief The interface language: "" follows the system, else "en" or "zh_CN". */
    Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY languageChanged)
    /** @brief Show notifications through the desktop's notification server when there is one. */
    Q_PROPERTY(bool nativeNotifications READ nativeNotifications WRITE setNativeNotifications NOTIFY
                   nativeNotificationsChanged)
    /** @brief The token sits in a 0600 file because no keychain was available. */
    Q_PROPERTY(bool credentialsInFile READ credentialsInFile NOTIFY credentialsInFileChanged)
    Q_PROPERTY(QString credentialFile READ credentialFile CONSTANT)
    Q_PROPERTY(QString autostartFile READ autostartFile CONSTANT)

public:
    explicit Settings(QObject *parent = nullptr);

    [[nodiscard]] QString server() const;
    void setServer(const QString &server);
    [[nodiscard]] QString lastUser() const;
    void setLastUser(const QString &user);
    [[nodiscard]] bool startOnLogin() const;
    void setStartOnLogin(bool enabled);
    [[nodiscard]] QString caFile() const;
    void setCaFile(const QString &path);
    [[nodiscard]] bool sound() const;
    void setSound(bool enabled);
    [[nodiscard]] bool doNotDisturb() const;
    void setDoNotDisturb(bool enabled);
    [[nodiscard]] int awayAfterMinutes() const;
    void setAwayAfterMinutes(int minutes);
    [[nodiscard]] QString language() const;
    void setLanguage(const QString &code);
    [[nodiscard]] bool nativeNotifications() const;
    void setNativeNotifications(bool enabled);
    /** @brief Display names seen before, so a person is named the same right after a restart. */
    [[nodiscard]] QString knownDisplayName(const QString &user) const;
    void rememberDisplayName(const QString &user, const QString &display);
    [[nodiscard]] bool credentialsInFile() const { return m_credentialsInFile; }
    void setCredentialsInFile(bool inFile);
    [[nodiscard]] QString credentialFile() const;

    /** @brief ~/.config/autostart/herald-desktop.desktop (honours XDG_CONFIG_HOME). */
    [[nodiscard]] static QString autostartFile();
    /** @brief The autostart entry's text for an executable. */
    [[nodiscard]] static QString autostartEntry(const QString &executable);

    /** @brief Where the person had read a room up to; -1 when unknown. */
    [[nodiscard]] qint64 readSeq(const QString &user, const QString &room) const;
    void setReadSeq(const QString &user, const QString &room, qint64 seq);

Q_SIGNALS:
    void serverChanged();
    void lastUserChanged();
    void startOnLoginChanged();
    void soundChanged();
    void caFileChanged();
    void doNotDisturbChanged();
    void awayAfterMinutesChanged();
    void credentialsInFileChanged();
    void languageChanged();
    void nativeNotificationsChanged();

private:
    QSettings m_settings;
    bool m_credentialsInFile = false;
};
