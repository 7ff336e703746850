#include "webclient.h"

#include "frontserver.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QHttpServerRequest>
#include <QTcpSocket>

namespace herald {

namespace {

QByteArray typeFor(const QString &name)
{
    if (name.endsWith(QLatin1String(".html")))
        return "text/html; charset=utf-8";
    if (name.endsWith(QLatin1String(".js")))
        return "text/javascript; charset=utf-8";
    if (name.endsWith(QLatin1String(".css")))
        return "text/css; charset=utf-8";
    if (name.endsWith(QLatin1String(".svg")))
        return "image/svg+xml";
    if (name.endsWith(QLatin1String(".png")))
        return "image/png";
    return "application/octet-stream";
}

void write(QTcpSocket *socket, const QByteArray &status, const QByteArray &headers,
           const QByteArray &body, bool withBody)
{
    writeAnswer(socket,
                "HTTP/1.1 " + status + "\r\n" + headers +
                    "Content-Length: " + QByteArray::number(body.size()) + "\r\n",
                withBody ? body : QByteArray());
}

} // namespace

QByteArray WebClient::contentSecurityPolicy()
{
    // 'self' in connect-src covers ws:// and wss:// to the page's own host and port (CSP 3).
    return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
           "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
           "frame-ancestors 'none'; object-src 'none'; require-trusted-types-for 'script'; "
           "trusted-types 'none'";
}

WebClient::WebClient()
{
    QDirIterator it(QStringLiteral(":/web"), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        Asset a;
        a.body = f.readAll();
        a.type = typeFor(file);
        a.etag = '"' +
                 QCryptographicHash::hash(a.body, QCryptographicHash::Sha256).toHex().left(32) +
                 '"';
        const QString path = file.mid(int(qstrlen(":/web")));
        m_assets.insert(path, a);
        if (path == QLatin1String("/index.html"))
            m_assets.insert(QStringLiteral("/"), a);
    }
}

const WebClient &WebClient::instance()
{
    static const WebClient client;
    return client;
}

bool WebClient::answer(const QHttpServerRequest &request, QTcpSocket *socket) const
{
    const auto it = m_assets.constFind(request.url().path());
    if (it == m_assets.cend())
        return false;
    const auto method = request.method();
    const bool head = method == QHttpServerRequest::Method::Head;
    if (method != QHttpServerRequest::Method::Get && !head) {
        const QByteArray body = "{\"error\":{\"code\":\"method_not_allowed\",\"message\":\"the web "
                                "client is read with GET or HEAD\"}}";
        write(socket, "405 Method Not Allowed",
              "Content-Type: application/json\r\nAllow: GET, HEAD\r\nCache-Control: no-store\r\n",
              body, true);
        return true;
    }
    // Revalidated on every use (no-cache) and answered 304 when unchanged: a new server version
    // is picked up at once, and an unchanged file costs one small round trip.
    const QByteArray headers =
        "Content-Type: " + it->type + "\r\nETag: " + it->etag +
        "\r\nCache-Control: no-cache\r\nContent-Security-Policy: " + contentSecurityPolicy() +
        "\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer"
        "\r\nX-Frame-Options: DENY\r\nCross-Origin-Opener-Policy: "
        "same-origin\r\nCross-Origin-Resource-Policy: same-origin\r\n";
    const QByteArray match = request.value(QByteArrayLiteral("if-none-match"));
    bool unchanged = false;
    for (const QByteArray &tag : match.split(','))
        unchanged = unchanged || tag.trimmed() == it->etag;
    if (unchanged) {
        write(socket, "304 Not Modified", headers, {}, false);
        return true;
    }
    write(socket, "200 OK", headers, it->body, !head);
    return true;
}

} // namespace herald
