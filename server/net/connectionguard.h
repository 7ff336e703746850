#pragma once
// The per-connection guard of the front (server/net/frontserver.cpp), in its own file so that
// the front stays readable: it follows each HTTP request on a keep-alive connection.

#include "bodyfollower.h"
#include "frontserver.h"
#include "requesthead.h"

#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <functional>

namespace herald {

/** @brief The object name of a socket's ConnectionGuard (found with findChild). */
inline constexpr char GuardName[] = "herald-connection";

/**
 * Sits on an HTTP socket once its first head was accepted, for as long as the connection lives.
 * Its first slot runs before QtHttpServer's reader on every readyRead and sees each byte once
 * (what arrived since the last emission); its second runs after it and notes what that reader
 * left unread. It follows each body (length, chunk framing, cap), then, once the answer is
 * written, checks the next request's head with the same checks as the first (readRequestHead),
 * before QtHttpServer acts on it: a refusal disconnects that reader within the same emission.
 */
class ConnectionGuard : public QObject
{
public:
    enum class Phase {
        Body,      // following a request's body
        Answering, // the request is complete, its answer is not written yet
        Idle,      // the answer was written; waiting (keepalive_timeout) for the next request
        Head,      // reading the next request's head
        Closing    // refused, or the last answer was written: nothing more is read
    };

    ConnectionGuard(QTcpSocket *socket, const FrontLimits &limits, RequestDeadline *deadline,
                    const RequestHead &first, BodyFollower body,
                    std::function<void(int, const QByteArray &, const QByteArray &)> refuse,
                    BodyTaker taker = {})
        : QObject(socket)
        , m_socket(socket)
        , m_limits(limits)
        , m_deadline(deadline)
        , m_skip(first.headBytes)
        , m_body(body)
        , m_refuse(std::move(refuse))
        , m_taker(std::move(taker))
        , m_close(first.wantsClose())
    {
        setObjectName(QLatin1String(GuardName));
        m_idle.setSingleShot(true);
        connect(&m_idle, &QTimer::timeout, this, [this] {
            m_phase = Phase::Closing;
            m_socket->disconnectFromHost();
        });
    }

    void before()
    {
        const qint64 available = m_socket->bytesAvailable();
        const qint64 fresh = available - m_leftover;
        m_leftover = available;
        if (fresh <= 0)
            return;
        const QByteArray all = m_socket->peek(available);
        const char *p = all.constData() + (all.size() - fresh);
        qsizetype n = static_cast<qsizetype>(fresh);
        const qsizetype skip = static_cast<qsizetype>(std::min<qint64>(m_skip, n));
        m_skip -= skip;
        consume(p + skip, n - skip);
    }
    void after() { m_leftover = m_socket->bytesAvailable(); }

    /** How the answer now being written ends (see beginAnswer). */
    AnswerEnd answer(bool last = false)
    {
        if (m_phase == Phase::Closing)
            return AnswerEnd::Drop;
        if (last || m_phase != Phase::Answering || m_close || m_limits.keepaliveTimeoutMs <= 0 ||
            m_requests >= m_limits.keepaliveRequests) {
            m_phase = Phase::Closing;
            return AnswerEnd::Close;
        }
        m_phase = Phase::Idle;
        m_idle.start(m_limits.keepaliveTimeoutMs);
        return AnswerEnd::KeepOpen;
    }

private:
    void refuse(int status, const QByteArray &reason, const QByteArray &extra = {})
    {
        m_phase = Phase::Closing;
        m_refuse(status, reason, extra);
    }

    void consume(const char *p, qsizetype n)
    {
        // A body of length 0 ends with its head: the Body phase runs even without bytes.
        while (n > 0 || m_phase == Phase::Body) {
            switch (m_phase) {
            case Phase::Closing:
                return;
            case Phase::Answering:
                // No pipelining: the next request may only start once this answer is written.
                if (!onlyLineBreaks(p, n))
                    return refuse(400, "pipelined requests are not supported: send the next "
                                       "request after the answer");
                m_close = true; // stray line breaks: answer, then close
                return;
            case Phase::Idle:
                // A new request: its own deadline, counted from its first byte.
                m_idle.stop();
                if (m_deadline)
                    m_deadline->start(m_limits.requestDeadlineMs);
                m_phase = Phase::Head;
                m_head.clear();
                m_scanned = 0;
                [[fallthrough]];
            case Phase::Head: {
                const qsizetype room =
                    std::max<qsizetype>(0, m_limits.headerBytes + 5 - m_head.size());
                const qsizetype take = std::min(n, room);
                m_head.append(p, take);
                p += take;
                n -= take;
                const RequestHead head =
                    readRequestHead(m_head.left(m_limits.headerBytes + 4),
                                    m_head.size() + (n > 0 ? 1 : 0), &m_scanned, m_limits);
                if (head.result == RequestHead::Result::Refused)
                    return refuse(head.status, head.reason, head.extraHeaders);
                if (head.result == RequestHead::Result::More)
                    return;
                if (m_taker.wants && m_taker.wants(head)) {
                    // Its handler reads the body (past the head: the rest of this head and
                    // what follows it) and answers; QtHttpServer, which may have read the
                    // start of this head, never sees the request, and this guard steps aside.
                    const qint64 body = m_head.size() - head.headBytes + n;
                    QObject::disconnect(m_socket, &QIODevice::readyRead, nullptr, nullptr);
                    m_socket->skip(m_socket->bytesAvailable() - body);
                    m_phase = Phase::Closing;
                    m_idle.stop();
                    setObjectName(QString());
                    deleteLater();
                    m_taker.take(m_socket, head);
                    return;
                }
                if (!startRequest(head))
                    return;
                // What came after the head belongs to the body (or lies past it).
                const QByteArray rest = m_head.mid(head.headBytes);
                m_head.clear();
                if (!feedBody(rest.constData(), rest.size()))
                    return;
                break;
            }
            case Phase::Body: {
                const qsizetype used = feedBody(p, n);
                if (used < 0 || m_phase == Phase::Body)
                    return;
                p += used;
                n -= used;
                break;
            }
            }
        }
    }

    /** A later request's head was accepted: the checks that follow the head on the first. */
    bool startRequest(const RequestHead &head)
    {
        if (head.isWebSocketUpgrade()) {
            refuse(400, "a WebSocket upgrade must be the first request on a connection");
            return false;
        }
        const qint64 cap = m_limits.bodyCap(head.method, head.path);
        if (head.contentLength > cap) {
            refuse(413, "request body too large");
            return false;
        }
        m_body = head.transferEncodings
                     ? BodyFollower::chunked(cap)
                     : BodyFollower::length(std::max<qint64>(0, head.contentLength));
        m_close = head.wantsClose();
        ++m_requests;
        m_phase = Phase::Body;
        return true;
    }

    /** Follows the body; returns the bytes it took, or -1 once refused. */
    qsizetype feedBody(const char *p, qsizetype n)
    {
        qsizetype used = 0;
        switch (m_body.feed(p, n, &used)) {
        case BodyFollower::State::Refused:
            refuse(m_body.refusal().first, m_body.refusal().second);
            return -1;
        case BodyFollower::State::More:
            return used;
        case BodyFollower::State::Done:
            break;
        }
        m_phase = Phase::Answering;
        // The request is complete: the deadline no longer applies.
        if (m_deadline)
            m_deadline->stop();
        if (used < n && !onlyLineBreaks(p + used, n - used)) {
            refuse(400, "pipelined requests are not supported: send the next request after "
                        "the answer");
            return -1;
        }
        if (used < n)
            m_close = true;
        return n;
    }

    QTcpSocket *m_socket;
    const FrontLimits &m_limits;
    QPointer<RequestDeadline> m_deadline;
    QTimer m_idle;
    qint64 m_skip;         // bytes of the first head still to skip (inspect checked them)
    qint64 m_leftover = 0; // bytes QtHttpServer left unread at the last emission
    Phase m_phase = Phase::Body;
    BodyFollower m_body;
    QByteArray m_head; // a later request's head as it arrives
    qsizetype m_scanned = 0;
    int m_requests = 1;
    std::function<void(int, const QByteArray &, const QByteArray &)> m_refuse;
    BodyTaker m_taker;
    bool m_close; // the answer to the request under way closes the connection
};

} // namespace herald
