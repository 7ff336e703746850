// Where the sign-in token lives between runs: the OS keychain (Secret Service, KWallet, macOS
// Keychain, Windows Credential Manager through QtKeychain), else a file only the owner can read.
#pragma once

#include <QObject>
#include <QString>

/** @brief Saves, loads and forgets the token for a server, asynchronously. */
class CredentialStore : public QObject
{
    Q_OBJECT

public:
    enum class Backend { None, Keychain, File };

    explicit CredentialStore(QObject *parent = nullptr);

    /** @brief Stores user and token for @p server; emits saved() with the backend used. */
    void save(const QString &server, const QString &user, const QString &token);
    /** @brief Looks the token up; emits loaded() (empty strings when there is none). */
    void load(const QString &server);
    /** @brief Forgets the token for @p server everywhere. */
    void remove(const QString &server);

    /** @brief Where the last save or load found its home. */
    [[nodiscard]] Backend backend() const { return m_backend; }
    /** @brief The fallback file ($XDG_DATA_HOME/Herald/herald-desktop/credentials.json). */
    [[nodiscard]] static QString fallbackPath();
    /** @brief False when HERALD_CREDENTIAL_STORE=file asks to skip the keychain (CI, tests). */
    [[nodiscard]] bool keychainEnabled() const { return m_keychain; }
    void setKeychainEnabled(bool enabled) { m_keychain = enabled; }

Q_SIGNALS:
    void loaded(const QString &user, const QString &token);
    void saved(CredentialStore::Backend backend);
    void backendChanged();

private:
    void setBackend(Backend backend);
    bool writeFile(const QString &server, const QString &value);
    [[nodiscard]] QString readFile(const QString &server) const;
    void removeFromFile(const QString &server);
    void emitLoaded(const QString &value);

    Backend m_backend = Backend::None;
    bool m_keychain = true;
};
