#pragma once
// The request body follower of the front (server/net/frontserver.cpp): transport-free, so that
// it is read and tested on its own.

#include <QByteArray>

#include <utility>

namespace herald {

/** @brief True when the bytes are only CR and LF (what may follow a complete request). */
inline bool onlyLineBreaks(const char *p, qsizetype n)
{
    for (qsizetype i = 0; i < n; ++i)
        if (p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

namespace detail {
/** @brief The value of a hex digit, or -1. */
inline int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
} // namespace detail

inline constexpr int MaxExtensionBytes = 1024; // a chunk extension longer than this is refused

/**
 * Follows one request body as its bytes arrive, without keeping them: where it ends, how large
 * it is, and whether chunked framing is well-formed (RFC 9112 section 7.1; chunk extensions are
 * skipped, trailer fields are refused). QtHttpServer 6.4 reads chunked bodies leniently (a chunk
 * size that does not parse counts as the last chunk, the CRLF after a chunk is not checked), so
 * the front decides first and refuses what the two readers could disagree about.
 */
class BodyFollower
{
public:
    enum class State { More, Done, Refused };

    static BodyFollower length(qint64 n)
    {
        BodyFollower b;
        b.m_step = n > 0 ? Step::Length : Step::Done;
        b.m_remaining = n;
        return b;
    }
    static BodyFollower chunked(qint64 cap)
    {
        BodyFollower b;
        b.m_step = Step::Size;
        b.m_cap = cap;
        return b;
    }

    /** Consumes what belongs to this body; *used says how much (the rest lies past its end). */
    State feed(const char *p, qsizetype n, qsizetype *used)
    {
        qsizetype i = 0;
        const auto refuse = [&](int status, const char *why) {
            m_refusal = {status, QByteArray(why)};
            *used = i;
            return State::Refused;
        };
        while (i < n) {
            if (m_step == Step::Done)
                break;
            if (m_step == Step::Length || m_step == Step::Data) {
                const qsizetype take = static_cast<qsizetype>(std::min<qint64>(n - i, m_remaining));
                i += take;
                m_remaining -= take;
                if (m_remaining == 0)
                    m_step = m_step == Step::Length ? Step::Done : Step::DataCr;
                continue;
            }
            const char c = p[i++];
            switch (m_step) {
            case Step::Size:
                if (const int d = detail::hexValue(c); d >= 0) {
                    if (++m_digits > 16)
                        return refuse(400, "bad chunk size: too many digits");
                    m_size = m_size * 16 + d;
                    if (m_body + m_size > m_cap)
                        return refuse(413, "request body too large");
                } else if (m_digits == 0) {
                    return refuse(400, "bad chunk size");
                } else if (c == ' ' || c == '\t') {
                    m_step = Step::SizeSpace;
                } else if (c == ';') {
                    m_step = Step::Extension;
                } else if (c == '\r') {
                    m_step = Step::SizeLf;
                } else {
                    return refuse(400, "bad chunk size");
                }
                break;
            case Step::SizeSpace:
                if (c == ';')
                    m_step = Step::Extension;
                else if (c == '\r')
                    m_step = Step::SizeLf;
                else if (c != ' ' && c != '\t')
                    return refuse(400, "bad chunk size");
                break;
            case Step::Extension:
                if (c == '\r')
                    m_step = Step::SizeLf;
                else if (c == '\n' || c == 0 || ++m_extension > MaxExtensionBytes)
                    return refuse(400, "bad chunk extension");
                break;
            case Step::SizeLf:
                if (c != '\n')
                    return refuse(400, "chunk size line must end with CRLF");
                if (m_digits == 0)
                    return refuse(400, "bad chunk size");
                if (m_size == 0) {
                    m_step = Step::LastCr;
                } else {
                    m_body += m_size;
                    m_remaining = m_size;
                    m_step = Step::Data;
                }
                m_size = 0;
                m_digits = 0;
                m_extension = 0;
                break;
            case Step::DataCr:
                if (c != '\r')
                    return refuse(400, "chunk data must end with CRLF");
                m_step = Step::DataLf;
                break;
            case Step::DataLf:
                if (c != '\n')
                    return refuse(400, "chunk data must end with CRLF");
                m_step = Step::Size;
                break;
            case Step::LastCr:
                if (c != '\r')
                    return refuse(400, "chunked trailer fields are not supported");
                m_step = Step::LastLf;
                break;
            case Step::LastLf:
                if (c != '\n')
                    return refuse(400, "chunked body must end with CRLF");
                m_step = Step::Done;
                break;
            case Step::Length:
            case Step::Data:
            case Step::Done:
                break;
            }
        }
        *used = i;
        return m_step == Step::Done ? State::Done : State::More;
    }

    [[nodiscard]] const std::pair<int, QByteArray> &refusal() const { return m_refusal; }

private:
    enum class Step {
        Length,
        Size,
        SizeSpace,
        Extension,
        SizeLf,
        Data,
        DataCr,
        DataLf,
        LastCr,
        LastLf,
        Done
    };
    Step m_step = Step::Done;
    qint64 m_remaining = 0; // Length: body bytes still due; Data: bytes of this chunk still due
    qint64 m_size = 0;      // the chunk size being read
    int m_digits = 0;
    int m_extension = 0;
    qint64 m_body = 0; // decoded body bytes announced so far
    qint64 m_cap = 0;
    std::pair<int, QByteArray> m_refusal;
};

} // namespace herald
