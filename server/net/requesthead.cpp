#include "requesthead.h"

#include "frontserver.h"

#include <cstring>

namespace herald {

namespace {

// RFC 9110 token characters (header field names, methods).
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

RequestHead refused(int status, const QByteArray &reason, const QByteArray &extraHeaders = {})
{
    RequestHead r;
    r.result = RequestHead::Result::Refused;
    r.status = status;
    r.reason = reason;
    r.extraHeaders = extraHeaders;
    return r;
}

} // namespace

bool RequestHead::wantsClose() const
{
    if (version != "HTTP/1.1")
        return true;
    QByteArray list = headers.value("connection");
    list.replace('\n', ',');
    for (const QByteArray &token : list.split(','))
        if (token.trimmed().toLower() == "close")
            return true;
    return false;
}

RequestHead readRequestHead(const QByteArray &head, qint64 available, qsizetype *scanned,
                            const FrontLimits &limits)
{
    const qsizetype lineEnd = head.indexOf("\r\n");
    if (lineEnd < 0 ? head.size() > limits.requestLineBytes : lineEnd > limits.requestLineBytes)
        return refused(414, "request line too long");
    const qsizetype from = std::max<qsizetype>(0, *scanned - 3);
    qsizetype end = head.indexOf("\r\n\r\n", from);
    // A line that ends with a bare LF or CR is refused as soon as it is seen: a head written
    // with bare line endings never has the CRLF CRLF that ends it, and would otherwise be held
    // until the request deadline. (The body, after the head, may hold any bytes.)
    const qsizetype headEnd = end < 0 ? head.size() : end;
    for (qsizetype i = std::max<qsizetype>(0, *scanned - 1); i < headEnd; ++i) {
        const char c = head.at(i);
        if ((c == '\n' && (i == 0 || head.at(i - 1) != '\r')) ||
            (c == '\r' && i + 1 < head.size() && head.at(i + 1) != '\n'))
            return refused(400, "malformed request head (bare CR or LF line ending)");
    }
    if (end < 0 && available > limits.headerBytes)
        return refused(431, "request header too large");
    // The lines complete so far are checked as soon as one more ends, not only with the whole
    // head: on a keep-alive connection QtHttpServer reads a later head while it arrives, and
    // must never be the first to see a line the front would refuse.
    const qsizetype linesEnd = end >= 0 ? end : head.lastIndexOf("\r\n");
    if (end < 0) {
        const bool newLine =
            linesEnd > 0 && head.indexOf("\r\n", std::max<qsizetype>(0, *scanned - 1)) >= 0;
        *scanned = head.size();
        if (!newLine)
            return {}; // wait for more, within the deadline
    }
    const bool complete = end >= 0;
    RequestHead r;
    r.headBytes = complete ? end + 4 : 0;
    end = linesEnd;
    // Every line ends with CRLF, and nothing but visible text and tabs is in between:
    // QtHttpServer also accepts a bare LF, so a head the two could read differently is refused.
    for (qsizetype i = 0; i < end; ++i) {
        const auto c = static_cast<unsigned char>(head.at(i));
        if (c == '\r'   ? head.at(i + 1) != '\n'
            : c == '\n' ? (i == 0 || head.at(i - 1) != '\r')
                        : (c < 0x20 && c != '\t') || c == 0x7f)
            return refused(400, "malformed request head (control character or bare CR/LF)");
    }
    const QList<QByteArray> lines = head.left(end).split('\n');
    const QList<QByteArray> requestLine =
        lines.first().chopped(lines.size() > 1 ? 1 : 0).split(' ');
    if (requestLine.size() != 3 || (requestLine[2] != "HTTP/1.1" && requestLine[2] != "HTTP/1.0") ||
        requestLine[1].isEmpty())
        return refused(400, "malformed request line");
    r.method = requestLine[0];
    r.target = requestLine[1];
    r.version = requestLine[2];
    static const QList<QByteArray> methods{"GET",  "POST",    "PUT",  "DELETE",
                                           "HEAD", "OPTIONS", "PATCH"};
    if (!methods.contains(r.method))
        return refused(400, "unsupported method");
    if (!r.target.startsWith('/') && !(r.method == "OPTIONS" && r.target == "*") &&
        !r.target.startsWith("http://") && !r.target.startsWith("https://"))
        return refused(400, "malformed request target");
    if (lines.size() - 1 > limits.headerCount)
        return refused(431, "too many header fields");
    // Fields that QtHttpServer and QtWebSockets might read from a different copy than the front.
    static const QList<QByteArray> singletons{
        "host", "origin", "upgrade", "authorization", "sec-websocket-key", "sec-websocket-version"};
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = i + 1 < lines.size() ? lines[i].chopped(1) : lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return refused(400, "malformed header field");
        for (qsizetype k = 0; k < colon; ++k)
            if (!isTokenChar(line.at(k))) // also refuses obs-fold and "Name : value"
                return refused(400, "malformed header field name");
        const QByteArray name = line.left(colon).toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool digits = !value.isEmpty() && value.size() <= 18;
            for (const char c : value)
                digits = digits && c >= '0' && c <= '9';
            const qint64 n = digits ? value.toLongLong() : -1;
            if (!digits || (r.contentLength >= 0 && r.contentLength != n))
                return refused(400, "bad Content-Length");
            r.contentLength = n;
        } else if (name == "transfer-encoding") {
            ++r.transferEncodings;
        } else if (r.headers.contains(name) && singletons.contains(name)) {
            return refused(400, "duplicate " + name + " header");
        }
        if (name == "connection" && r.headers.contains(name))
            r.headers[name] += ", \n" + value; // a list field: repeated lines add up (marked)
        else
            r.headers.insert(name, value);
    }
    const QByteArray transferEncoding = r.headers.value("transfer-encoding").toLower();
    if (r.contentLength >= 0 && r.transferEncodings > 0)
        return refused(400, "Content-Length together with Transfer-Encoding");
    if (r.transferEncodings > 1 || (r.transferEncodings == 1 && transferEncoding != "chunked"))
        return refused(400, "unsupported Transfer-Encoding");
    const qsizetype query = r.target.indexOf('?');
    r.path = query < 0 ? r.target : r.target.left(query);
    if (!complete)
        return {}; // the lines so far are fine: wait for the rest, within the deadline
    r.result = RequestHead::Result::Complete;
    return r;
}

} // namespace herald
