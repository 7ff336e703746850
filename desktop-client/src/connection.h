// The WebSocket link to herald-server: handshake auth, request/answer matching, heartbeat,
// and reconnecting with backoff when the link drops, the network returns or the machine wakes.
#pragma once

#include "backoff.h"

#include <herald/protocol.h>

#include <QElapsedTimer>
#include <QHash>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>
#include <QWebSocket>
#include <QtQml/qqmlregistration.h>

#include <functional>

/** @brief What a request got back: ok with its data, or an error code and message. */
struct Reply
{
    bool ok = false;
    QJsonObject data; // "data" of a result
    QString code;     // error code ("disconnected" when the link dropped first)
    QString message;  // human message of an error
    QJsonObject body; // the whole answer frame, for details an error carries
};

/** @brief One WebSocket connection to the server that keeps itself alive. */
class Connection : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by Session")
    /** @brief Where the link is now. */
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    /** @brief Milliseconds since the epoch of the next reconnect attempt (0: none planned). */
    Q_PROPERTY(qint64 retryAt READ retryAt NOTIFY stateChanged)
    /** @brief Why the last connection ended, in words (empty while connected). */
    Q_PROPERTY(QString lastError READ lastError NOTIFY stateChanged)

public:
    enum State {
        Disconnected, ///< not trying (signed out, or the server refused the credential)
        Connecting,   ///< handshake and hello under way
        Connected,    ///< hello received; requests flow
        Waiting,      ///< lost: a reconnect is scheduled after a backoff delay
    };
    Q_ENUM(State)

    using Callback = std::function<void(const Reply &)>;

    explicit Connection(QObject *parent = nullptr);
    ~Connection() override;

    /** @brief Turns "host:port", "http(s)://..." or "ws(s)://..." into the WebSocket URL. */
    [[nodiscard]] static QUrl webSocketUrl(const QString &server);
    /** @brief The HTTP base URL (scheme and authority) of a server string. */
    [[nodiscard]] static QUrl httpUrl(const QString &server);

    void setServer(const QString &server) { m_server = server; }
    void setToken(const QString &token) { m_token = token; }
    /** @brief A PEM file of company CA certificates trusted besides the system's (empty: none). */
    void setCaFile(const QString &path) { m_caFile = path; }
    /** @brief The TLS settings for wss:// and https:// to the server: system CAs plus caFile. */
    [[nodiscard]] static QSslConfiguration tlsConfiguration(const QString &caFile);
    [[nodiscard]] QString server() const { return m_server; }
    /** @brief A request to the server's HTTP API at @p path (an absolute path, e.g.
     *  "/api/v1/files") with @p query, carrying this connection's token as a Bearer credential
     *  and its TLS settings; the token stays inside (never logged, never handed out). */
    [[nodiscard]] QNetworkRequest apiRequest(const QString &path,
                                             const QUrlQuery &query = {}) const;

    /** @brief Starts connecting, and keeps reconnecting until close() or an auth refusal. */
    void open();
    /** @brief Closes the link and stops reconnecting. */
    void close();
    /** @brief Skips the remaining backoff delay (network back, machine woke, user asked). */
    Q_INVOKABLE void retryNow();

    /** @brief Sends a request with a fresh id; the callback gets its answer (or "disconnected"). */
    QString request(const QString &type, QJsonObject body = {}, Callback callback = {});
    /** @brief Sends a frame that has no answer (typing). Dropped when not connected. */
    void send(const QString &type, const QJsonObject &body = {});

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] qint64 retryAt() const { return m_retryAt; }
    [[nodiscard]] QString lastError() const { return m_lastError; }
    [[nodiscard]] Backoff &backoff() { return m_backoff; }
    /** @brief How long a connection must last before the backoff starts again from the bottom. */
    void setStableAfter(int ms) { m_stableAfterMs = ms; }
    /** @brief The close code of the last connection (0 while none ended). */
    [[nodiscard]] int lastCloseCode() const { return m_lastCloseCode; }

Q_SIGNALS:
    void stateChanged();
    /** @brief Every server event, hello included; answers to requests go to their callbacks. */
    void frameReceived(const herald::proto::Frame &frame);
    /** @brief The server refused the credential (4001, 4003, 4004, 4010): no more reconnects. */
    void authRejected(int closeCode, const QString &reason);
    /** @brief A reconnect is scheduled in @p delayMs. */
    void reconnectScheduled(int delayMs);

private:
    void setState(State state);
    void onConnected();
    void onDisconnected();
    void onText(const QString &text);
    void scheduleReconnect();
    void failPending(const QString &code, const QString &message);
    void heartbeat();
    void checkClock();
    void watchNetwork();

    QPointer<QWebSocket> m_socket;
    QString m_server;
    QString m_token;
    QString m_caFile;
    State m_state = Disconnected;
    bool m_wanted = false;
    Backoff m_backoff;
    QTimer m_retryTimer;
    QTimer m_heartbeatTimer;
    QTimer m_helloTimer;
    QTimer m_clockTimer;
    QElapsedTimer m_sinceReceive;
    QElapsedTimer m_sinceHello;
    qint64 m_lastClockTick = 0;
    qint64 m_retryAt = 0;
    int m_heartbeatSeconds = 30;
    int m_stableAfterMs = 10000;
    int m_lastCloseCode = 0;
    quint64 m_nextId = 1;
    QString m_lastError;
    QHash<QString, Callback> m_pending;
};
