#pragma once

#include "core/features/loginthrottle.h"

#include <QAbstractHttpServer>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>

namespace herald {

class Hub;
class Metrics;
class FileHandler;

/** @brief The reason phrase of an HTTP status. */
QByteArray reasonPhrase(int status);

/** @brief Writes an HTTP/1.1 response with a JSON (or text) body; the connection stays open for
 *  the next request or closes, as the front decides (writeAnswer). */
void writeResponse(QTcpSocket *socket, int status, const QByteArray &body,
                   const QByteArray &contentType = "application/json");
void writeJson(QTcpSocket *socket, int status, const QJsonObject &body);
void writeError(QTcpSocket *socket, int status, const QString &code, const QString &message,
                const QString &field = {});

/**
 * @brief The HTTP API on QtHttpServer's request parser: login, publish, notification state,
 * health and metrics. WebSocket upgrades never reach it (FrontServer routes them).
 * Responses are written by hand so that they can be sent later, after storage committed.
 */
class HttpApi : public QAbstractHttpServer
{
    Q_OBJECT
public:
    HttpApi(Hub *hub, Metrics *metrics, QObject *parent = nullptr);

    /** @brief File uploads and downloads (the front hands uploads to it directly). */
    [[nodiscard]] FileHandler *files() const { return m_files; }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void login(const QHttpServerRequest &request, QTcpSocket *socket);
    void logout(const QHttpServerRequest &request, QTcpSocket *socket);
    void publish(const QHttpServerRequest &request, QTcpSocket *socket);
    /** @brief PATCH (update, resolve) or DELETE (retract) of a notification by its service. */
    void changeNotification(const QHttpServerRequest &request, QTcpSocket *socket, qint64 id,
                            bool retract);
    void getNotification(const QHttpServerRequest &request, QTcpSocket *socket, qint64 id);
    /** @brief What a paged GET of one notification reads: its receipts or its audit trail. */
    enum class Paged { Receipts, Audit };
    /** @brief GET .../{id}/receipts and .../{id}/audit: the service token, then `after` and
     *  `limit` checked alike. */
    void getPaged(const QHttpServerRequest &request, QTcpSocket *socket, qint64 id, Paged what);
    void metrics(const QHttpServerRequest &request, QTcpSocket *socket);
    void ready(QTcpSocket *socket);

    Hub *m_hub;
    Metrics *m_metrics;
    LoginThrottle m_logins; // per peer address and per account name
    FileHandler *m_files;   // a child
};

} // namespace herald
