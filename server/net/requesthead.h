#pragma once
// The checks the front (server/net/frontserver.cpp) applies to every request head, the first on
// a connection and each later one alike: transport-free, so that both paths share one copy.

#include <QByteArray>
#include <QHash>

namespace herald {

struct FrontLimits;

/** @brief One request head as far as it has arrived, checked against the front's limits. */
struct RequestHead
{
    enum class Result { More, Refused, Complete };
    Result result = Result::More;
    int status = 0;          // Refused: the answer's status
    QByteArray reason;       // Refused: its message
    QByteArray extraHeaders; // Refused: further header lines of the answer
    QByteArray method, target, path, version;
    QHash<QByteArray, QByteArray> headers; // lower-case names; repeated Connection lines joined
    qint64 contentLength = -1;
    int transferEncodings = 0;
    qsizetype headBytes = 0; // Complete: the head's length, CRLF CRLF included

    [[nodiscard]] bool hasBody() const { return contentLength > 0 || transferEncodings > 0; }
    [[nodiscard]] bool isWebSocketUpgrade() const
    {
        return headers.value("upgrade").toLower() == "websocket";
    }
    /** @brief HTTP/1.0, or a `close` token in Connection: the answer closes the connection. */
    [[nodiscard]] bool wantsClose() const;
};

/**
 * @brief Checks the head at the start of @p bytes (at most FrontLimits::headerBytes + 4 of the
 * @p available bytes that have arrived). @p scanned carries where the previous call on the same
 * head got to (0 for a new head), so that a head sent a byte at a time is not rescanned each time.
 */
RequestHead readRequestHead(const QByteArray &bytes, qint64 available, qsizetype *scanned,
                            const FrontLimits &limits);

} // namespace herald
