// Checks on JSON text and numbers that Qt's parser does not make: integers that a JSON number
// holds exactly, and escaped halves of surrogate pairs (which QJsonDocument silently pairs up).
#include "herald/protocol.h"

#include <cmath>

namespace herald::proto {

namespace {

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The code unit of a "\\uXXXX" escape starting at i (the backslash), or -1.
int escapedUnit(const QByteArray &b, qsizetype i)
{
    if (i < 0 || i + 6 > b.size() || b.at(i) != '\\' || b.at(i + 1) != 'u')
        return -1;
    int unit = 0;
    for (qsizetype k = i + 2; k < i + 6; ++k) {
        const int d = hexDigit(b.at(k));
        if (d < 0)
            return -1;
        unit = unit * 16 + d;
    }
    return unit;
}

} // namespace

std::optional<qint64> toSafeInteger(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (!std::isfinite(d) || std::floor(d) != d ||
        std::fabs(d) > static_cast<double>(MaxSafeInteger))
        return std::nullopt;
    return static_cast<qint64>(d) + 0; // -0.0 converts to 0
}

std::optional<qint64> parseSafeInteger(QStringView text)
{
    const bool negative = text.startsWith(u'-');
    const QStringView digits = negative ? text.mid(1) : text;
    if (digits.isEmpty() || digits.size() > 16)
        return std::nullopt;
    qint64 value = 0;
    for (const QChar c : digits) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        value = value * 10 + (c.unicode() - u'0');
    }
    if (value > MaxSafeInteger)
        return std::nullopt;
    return negative ? -value : value;
}

std::optional<QString> loneSurrogateField(const QByteArray &b)
{
    // A small scanner over JSON text: it follows strings and escapes, the nesting depth, and,
    // at the top level, whether a string is a key or a value; a finding is reported for the
    // top-level member it is in.
    int depth = 0;
    bool keyNext = false;       // depth 1: the next string is a key
    bool inKey = false;         // the current string is a top-level key
    QByteArray topKey;          // the current top-level member's key, raw
    qsizetype stringStart = -1; // offset after the opening quote of the current string
    for (qsizetype i = 0; i < b.size(); ++i) {
        const char c = b.at(i);
        if (stringStart >= 0) {
            if (c == '"') {
                if (inKey)
                    topKey = b.mid(stringStart, i - stringStart);
                stringStart = -1;
                inKey = false;
                continue;
            }
            if (c != '\\')
                continue;
            const int unit = escapedUnit(b, i);
            if (unit < 0) {
                ++i; // a one-character escape, or a malformed one the parser reports
                continue;
            }
            const bool high = unit >= 0xD800 && unit <= 0xDBFF;
            const bool low = unit >= 0xDC00 && unit <= 0xDFFF;
            if (high) {
                const int next = escapedUnit(b, i + 6);
                if (next >= 0xDC00 && next <= 0xDFFF) {
                    i += 11; // a proper pair
                    continue;
                }
            }
            if (high || low)
                return inKey || depth == 0 ? QString() : QString::fromUtf8(topKey);
            i += 5;
            continue;
        }
        if (c == '"') {
            stringStart = i + 1;
            inKey = depth == 1 && keyNext;
            keyNext = false;
        } else if (c == '{' || c == '[') {
            ++depth;
            keyNext = depth == 1 && c == '{';
        } else if (c == '}' || c == ']') {
            --depth;
        } else if (c == ',' && depth == 1) {
            keyNext = true;
        }
    }
    return std::nullopt;
}

} // namespace herald::proto
