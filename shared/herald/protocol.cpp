#include "herald/protocol.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QStringDecoder>

#include <cmath>

namespace herald::proto {

namespace {

struct Scan
{
    int depth = 0;          // deepest nesting of objects and arrays seen
    qsizetype control = -1; // offset of a raw control character inside a string, or -1
};

// Nesting depth of JSON text, counted outside strings, and raw control characters inside them
// (JSON requires those escaped; QJsonDocument lets them through). Runs before the parser so that
// hostile input never reaches it (QJsonDocument itself allows far deeper documents).
Scan scan(const QByteArray &bytes, int stopAbove)
{
    Scan result;
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const char c = bytes.at(i);
        if (inString) {
            if (static_cast<unsigned char>(c) < 0x20) {
                result.control = i;
                return result;
            }
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            result.depth = std::max(result.depth, ++depth);
            if (result.depth > stopAbove)
                return result;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return result;
}

// True when the text is one JSON scalar (number, string, true, false, null) and nothing else.
bool isJsonScalar(const QByteArray &bytes)
{
    const QByteArray t = bytes.trimmed();
    if (t.isEmpty() || t.startsWith('{') || t.startsWith('['))
        return false;
    QJsonParseError e;
    const QJsonDocument wrapped = QJsonDocument::fromJson('[' + t + ']', &e);
    return e.error == QJsonParseError::NoError && wrapped.isArray() && wrapped.array().size() == 1;
}

bool validUnicode(const QString &s)
{
    for (qsizetype i = 0; i < s.size(); ++i) {
        const QChar c = s.at(i);
        if (c.isHighSurrogate() && i + 1 < s.size() && s.at(i + 1).isLowSurrogate())
            ++i;
        else if (c.isSurrogate())
            return false;
    }
    return true;
}

bool validUnicode(const QJsonValue &v);

bool validUnicode(const QJsonObject &o)
{
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!validUnicode(it.key()) || !validUnicode(it.value()))
            return false;
    return true;
}

// Recursion is bounded: the nesting depth was checked before parsing.
bool validUnicode(const QJsonValue &v)
{
    if (v.isString())
        return validUnicode(v.toString());
    if (v.isObject())
        return validUnicode(v.toObject());
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        for (const QJsonValue &item : a)
            if (!validUnicode(item))
                return false;
    }
    return true;
}

DecodeError fail(const char *code, const QString &message, const QString &field = {},
                 const QJsonValue &id = QJsonValue(QJsonValue::Undefined))
{
    return {QString::fromLatin1(code), field, message, id};
}

bool isInteger(const QJsonValue &v)
{
    return toSafeInteger(v).has_value();
}

enum class Number { NotNumber, NotInteger, OutOfRange, Negative, Ok };

// What kind of number a value is: integers beyond 2^53-1 cannot be held exactly, so they are
// out of range rather than "not an integer".
Number classify(const QJsonValue &v)
{
    if (!v.isDouble())
        return Number::NotNumber;
    const double d = v.toDouble();
    if (!std::isfinite(d) || std::floor(d) != d)
        return Number::NotInteger;
    if (std::fabs(d) > static_cast<double>(MaxSafeInteger))
        return Number::OutOfRange;
    return d < 0 ? Number::Negative : Number::Ok;
}

std::optional<DecodeError> checkField(const FieldSpec &f, const QJsonValue &v, const QJsonValue &id)
{
    const auto wrong = [&](const char *what) {
        return fail(Err::WrongType,
                    QStringLiteral("field '%1' must be %2").arg(f.name, QLatin1String(what)),
                    f.name, id);
    };
    const auto badValue = [&](const QString &message) {
        return fail(Err::BadValue, message, f.name, id);
    };
    const auto tooLong = [&](qsizetype size, qint64 max) {
        return fail(Err::TooLong,
                    QStringLiteral("field '%1' is %2 characters long, at most %3 allowed")
                        .arg(f.name)
                        .arg(size)
                        .arg(max),
                    f.name, id);
    };
    const auto tooMany = [&](qsizetype size) {
        return fail(Err::TooMany,
                    QStringLiteral("field '%1' has %2 items, at most %3 allowed")
                        .arg(f.name)
                        .arg(size)
                        .arg(f.max),
                    f.name, id);
    };
    // Checks one non-negative integer (a field, a list item, a sequence number).
    const auto checkCount = [&](const QJsonValue &n,
                                const char *what) -> std::optional<DecodeError> {
        switch (classify(n)) {
        case Number::NotNumber:
        case Number::NotInteger:
            return wrong(what);
        case Number::OutOfRange:
            return badValue(QStringLiteral("field '%1' holds a number beyond 2^53-1").arg(f.name));
        case Number::Negative:
            return badValue(QStringLiteral("field '%1' must not be negative").arg(f.name));
        case Number::Ok:
            break;
        }
        return {};
    };
    switch (f.kind) {
    case Kind::String:
        if (!v.isString())
            return wrong("a string");
        if (f.max > 0 && v.toString().size() > f.max)
            return tooLong(v.toString().size(), f.max);
        return {};
    case Kind::Int:
        if (auto e = checkCount(v, "an integer"))
            return e;
        if (f.max > 0 && v.toDouble() > static_cast<double>(f.max))
            return badValue(QStringLiteral("field '%1' must be at most %2").arg(f.name).arg(f.max));
        return {};
    case Kind::Bool:
        if (!v.isBool())
            return wrong("true or false");
        return {};
    case Kind::Id:
        if (v.isString()) {
            if (v.toString().size() > f.max)
                return tooLong(v.toString().size(), f.max);
            return {};
        }
        switch (classify(v)) {
        case Number::NotNumber:
        case Number::NotInteger:
            return wrong("a string or an integer");
        case Number::OutOfRange:
            return badValue(QStringLiteral("field '%1' holds a number beyond 2^53-1").arg(f.name));
        case Number::Negative:
        case Number::Ok:
            break;
        }
        return {};
    case Kind::StringList: {
        if (!v.isArray())
            return wrong("an array of strings");
        const QJsonArray a = v.toArray();
        if (f.max > 0 && a.size() > f.max)
            return tooMany(a.size());
        for (const QJsonValue &item : a) {
            if (!item.isString())
                return wrong("an array of strings");
            if (item.toString().size() > 256)
                return tooLong(item.toString().size(), 256);
        }
        return {};
    }
    case Kind::IntList: {
        if (!v.isArray())
            return wrong("an array of integers");
        const QJsonArray a = v.toArray();
        if (f.max > 0 && a.size() > f.max)
            return tooMany(a.size());
        for (const QJsonValue &item : a)
            if (auto e = checkCount(item, "an array of non-negative integers"))
                return e;
        return {};
    }
    case Kind::SeqMap: {
        if (!v.isObject())
            return wrong("an object of sequence numbers");
        const QJsonObject o = v.toObject();
        if (f.max > 0 && o.size() > f.max)
            return tooMany(o.size());
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.key().size() > 140)
                return tooLong(it.key().size(), 140);
            if (auto e =
                    checkCount(it.value(), "an object of non-negative integer sequence numbers"))
                return e;
        }
        return {};
    }
    case Kind::Object:
        if (!v.isObject())
            return wrong("an object");
        return {};
    case Kind::Array:
        if (!v.isArray())
            return wrong("an array");
        return {};
    }
    return {};
}

const QHash<QString, const MessageSpec *> &specIndex()
{
    static const QHash<QString, const MessageSpec *> index = [] {
        QHash<QString, const MessageSpec *> h;
        for (const MessageSpec &spec : schema())
            h.insert(spec.type, &spec);
        return h;
    }();
    return index;
}

} // namespace

DecodeResult decode(const QByteArray &bytes, Direction expected, const Limits &limits)
{
    DecodeResult r;
    if (bytes.size() > limits.maxFrameBytes) {
        r.error = fail(Err::TooLarge, QStringLiteral("frame is %1 bytes, at most %2 allowed")
                                          .arg(bytes.size())
                                          .arg(limits.maxFrameBytes));
        return r;
    }
    {
        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString text = utf8(bytes);
        if (utf8.hasError()) {
            r.error = fail(Err::BadUtf8, QStringLiteral("frame is not valid UTF-8"));
            return r;
        }
    }
    const Scan shape = scan(bytes, limits.maxDepth);
    if (shape.depth > limits.maxDepth) {
        r.error =
            fail(Err::TooDeep, QStringLiteral("JSON nesting deeper than %1").arg(limits.maxDepth));
        return r;
    }
    if (shape.control >= 0) {
        r.error =
            fail(Err::BadJson,
                 QStringLiteral("not JSON: unescaped control character in a string at offset %1")
                     .arg(shape.control));
        return r;
    }
    // Valid UTF-8 can still escape half a surrogate pair ("\ud800"), which is no character.
    // Qt's parser pairs a lone high half with the next character, so look before parsing; the
    // parse still runs, for the request id the error should carry.
    const std::optional<QString> lone = loneSurrogateField(bytes);
    const auto loneError = [&lone](const QJsonValue &id) {
        return fail(Err::BadUtf8,
                    lone->isEmpty() ? QStringLiteral("frame holds an unpaired surrogate escape "
                                                     "(\\uD800-\\uDFFF)")
                                    : QStringLiteral("field '%1' holds an unpaired surrogate "
                                                     "escape (\\uD800-\\uDFFF)")
                                          .arg(*lone),
                    *lone, id);
    };
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &perr);
    if (perr.error != QJsonParseError::NoError && lone) {
        r.error = loneError(QJsonValue(QJsonValue::Undefined));
        return r;
    }
    if (perr.error != QJsonParseError::NoError) {
        // QJsonDocument only takes an object or an array at the top; a lone number, string,
        // true, false or null is still JSON, just not a frame.
        if (isJsonScalar(bytes))
            r.error = fail(Err::NotObject,
                           QStringLiteral("a frame must be a JSON object, not a single value"));
        else
            r.error = fail(Err::BadJson, QStringLiteral("not JSON: %1 at offset %2")
                                             .arg(perr.errorString())
                                             .arg(perr.offset));
        return r;
    }
    if (!doc.isObject()) {
        r.error = fail(Err::NotObject, QStringLiteral("a frame must be a JSON object"));
        return r;
    }
    QJsonObject obj = doc.object();
    // Keep the id for the error answer when it looks like an id.
    QJsonValue id = obj.value(QLatin1String("id"));
    if (!(id.isString() && id.toString().size() <= 64) && !isInteger(id))
        id = QJsonValue(QJsonValue::Undefined);
    if (lone) {
        r.error = loneError(*lone == QLatin1String("id") ? QJsonValue(QJsonValue::Undefined) : id);
        return r;
    }
    // Belt and braces: nothing the parser produced may hold half a pair either.
    if (!validUnicode(obj)) {
        r.error =
            fail(Err::BadUtf8,
                 QStringLiteral("frame holds an unpaired surrogate escape (\\uD800-\\uDFFF)"));
        return r;
    }

    const QJsonValue typeValue = obj.value(QLatin1String("type"));
    if (typeValue.isUndefined()) {
        r.error = fail(Err::MissingField, QStringLiteral("missing field 'type'"),
                       QStringLiteral("type"), id);
        return r;
    }
    if (!typeValue.isString()) {
        r.error = fail(Err::WrongType, QStringLiteral("field 'type' must be a string"),
                       QStringLiteral("type"), id);
        return r;
    }
    const QString type = typeValue.toString();
    const MessageSpec *spec = specIndex().value(type);
    if (!spec || spec->direction != expected) {
        r.error =
            fail(Err::UnknownType, QStringLiteral("unknown frame type '%1'").arg(type.left(64)),
                 QStringLiteral("type"), id);
        return r;
    }
    for (const FieldSpec &f : spec->fields) {
        const QJsonValue v = obj.value(f.name);
        if (v.isUndefined() || (v.isNull() && !f.required)) {
            if (f.required) {
                r.error = fail(Err::MissingField, QStringLiteral("missing field '%1'").arg(f.name),
                               f.name, id);
                return r;
            }
            // Absent it is: handlers test presence with has() and must not see a null id or value.
            obj.remove(f.name);
            continue;
        }
        if (auto e = checkField(f, v, id)) {
            r.error = *e;
            return r;
        }
    }
    r.frame = Frame{type, obj};
    return r;
}

QByteArray encode(const QString &type, QJsonObject body)
{
    body.insert(QLatin1String("type"), type);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QByteArray encode(const Frame &frame)
{
    return encode(frame.type, frame.body);
}

QByteArray result(const QJsonValue &id, const QJsonObject &data)
{
    QJsonObject o{{QLatin1String("id"), id}};
    if (!data.isEmpty())
        o.insert(QLatin1String("data"), data);
    return encode(Type::Result, o);
}

QByteArray error(const QJsonValue &id, const QString &code, const QString &message,
                 const QString &field)
{
    QJsonObject o{{QLatin1String("code"), code}, {QLatin1String("message"), message}};
    if (!id.isUndefined() && !id.isNull())
        o.insert(QLatin1String("id"), id);
    if (!field.isEmpty())
        o.insert(QLatin1String("field"), field);
    return encode(Type::Error, o);
}

QByteArray error(const DecodeError &e)
{
    return error(e.id, e.code, e.message, e.field);
}

const QList<std::pair<int, QString>> &closeCodes()
{
    static const QList<std::pair<int, QString>> codes{
        {Close::Normal, QStringLiteral("Normal")},
        {Close::GoingAway, QStringLiteral("GoingAway")},
        {Close::ProtocolError, QStringLiteral("ProtocolError")},
        {Close::UnsupportedData, QStringLiteral("UnsupportedData")},
        {Close::InvalidPayload, QStringLiteral("InvalidPayload")},
        {Close::PolicyViolation, QStringLiteral("PolicyViolation")},
        {Close::TooBig, QStringLiteral("TooBig")},
        {Close::AuthFailed, QStringLiteral("AuthFailed")},
        {Close::AuthTimeout, QStringLiteral("AuthTimeout")},
        {Close::TokenRevoked, QStringLiteral("TokenRevoked")},
        {Close::UserDisabled, QStringLiteral("UserDisabled")},
        {Close::TooManyConnections, QStringLiteral("TooManyConnections")},
        {Close::SlowConsumer, QStringLiteral("SlowConsumer")},
        {Close::IdleTimeout, QStringLiteral("IdleTimeout")},
        {Close::RateLimited, QStringLiteral("RateLimited")},
        {Close::Unavailable, QStringLiteral("Unavailable")},
        {Close::SessionExpired, QStringLiteral("SessionExpired")},
    };
    return codes;
}

const QStringList &errorCodes()
{
    static const QStringList codes{
        QLatin1String(Err::BadJson),     QLatin1String(Err::NotObject),
        QLatin1String(Err::UnknownType), QLatin1String(Err::MissingField),
        QLatin1String(Err::WrongType),   QLatin1String(Err::TooLong),
        QLatin1String(Err::TooMany),     QLatin1String(Err::BadUtf8),
        QLatin1String(Err::TooDeep),     QLatin1String(Err::TooLarge),
        QLatin1String(Err::BadValue),    QLatin1String(Err::Unauthorized),
        QLatin1String(Err::Forbidden),   QLatin1String(Err::NotFound),
        QLatin1String(Err::Conflict),    QLatin1String(Err::Gone),
        QLatin1String(Err::RateLimited), QLatin1String(Err::Unavailable),
        QLatin1String(Err::Internal),
    };
    return codes;
}

bool isValidName(const QString &name)
{
    if (name.isEmpty() || name.size() > 64 || name.startsWith(QLatin1Char('-')) ||
        name.startsWith(QLatin1Char('.')))
        return false;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-' ||
                        u == u'_' || u == u'.';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace herald::proto

namespace herald::proto {

const QStringList &reactionEmoji()
{
    // Thumbs up, thumbs down, smile, party popper, confused, red heart (with its variation
    // selector, as keyboards type it), rocket, eyes.
    static const QStringList emoji{QStringLiteral("\U0001F44D"), QStringLiteral("\U0001F44E"),
                                   QStringLiteral("\U0001F604"), QStringLiteral("\U0001F389"),
                                   QStringLiteral("\U0001F615"), QStringLiteral("\u2764\uFE0F"),
                                   QStringLiteral("\U0001F680"), QStringLiteral("\U0001F440")};
    return emoji;
}

} // namespace herald::proto
