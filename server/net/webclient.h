#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

class QHttpServerRequest;
class QTcpSocket;

namespace herald {

/**
 * @brief Serves the browser client: the files under web/ in the repository, compiled in as Qt
 * resources (:/web/...). GET and HEAD on `/` and on each file's path; every answer carries a
 * strict Content-Security-Policy and the other headers docs/security.md lists. Paths it does not
 * own are left to the HTTP API (which answers unknown ones with 404 JSON).
 */
class WebClient
{
public:
    WebClient();

    /** @brief Answers @p request when it names a file of the web client; false otherwise. */
    bool answer(const QHttpServerRequest &request, QTcpSocket *socket) const;

    /** @brief The one instance, read from the resources on first use. */
    static const WebClient &instance();

    /** @brief The Content-Security-Policy every answer carries. */
    static QByteArray contentSecurityPolicy();

private:
    struct Asset
    {
        QByteArray body;
        QByteArray type;
        QByteArray etag;
    };
    QHash<QString, Asset> m_assets; // by URL path: "/", "/app.js", ...
};

} // namespace herald
