#include "herald/protocol.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QStringDecoder>

#include <cmath>

namespace herald::proto {

namespace {

// Nesting depth of JSON text, counted outside strings. Runs before the parser so that hostile
// input never reaches it (QJsonDocument itself allows far deeper documents).
int nestingDepth(const QByteArray &bytes, int stopAbove)
{
    int depth = 0;
    int maxDepth = 0;
    bool inString = false;
    bool escaped = false;
    for (const char c : bytes) {
        if (inString) {
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
            maxDepth = std::max(maxDepth, ++depth);
            if (maxDepth > stopAbove)
                return maxDepth;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return maxDepth;
}

DecodeError fail(const char *code, const QString &message, const QString &field = {},
                 const QJsonValue &id = {})
{
    return {QString::fromLatin1(code), field, message, id};
}

bool isInteger(const QJsonValue &v)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    return std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= 9007199254740991.0;
}

std::optional<DecodeError> checkField(const FieldSpec &f, const QJsonValue &v, const QJsonValue &id)
{
    const auto wrong = [&](const char *what) {
        return fail(Err::WrongType, QStringLiteral("field '%1' must be %2").arg(f.name, QLatin1String(what)),
                    f.name, id);
    };
    const auto tooLong = [&](qsizetype size) {
        return fail(Err::TooLong,
                    QStringLiteral("field '%1' is %2 long, at most %3 allowed").arg(f.name).arg(size).arg(f.max),
                    f.name, id);
    };
    const auto tooMany = [&](qsizetype size) {
        return fail(Err::TooMany,
                    QStringLiteral("field '%1' has %2 items, at most %3 allowed").arg(f.name).arg(size).arg(f.max),
                    f.name, id);
    };
    switch (f.kind) {
    case Kind::String:
        if (!v.isString())
            return wrong("a string");
        if (f.max > 0 && v.toString().size() > f.max)
            return tooLong(v.toString().size());
        return {};
    case Kind::Int:
        if (!isInteger(v))
            return wrong("an integer");
        if (v.toDouble() < 0)
            return fail(Err::BadValue, QStringLiteral("field '%1' must not be negative").arg(f.name), f.name, id);
        if (f.max > 0 && v.toDouble() > static_cast<double>(f.max))
            return fail(Err::BadValue, QStringLiteral("field '%1' must be at most %2").arg(f.name).arg(f.max),
                        f.name, id);
        return {};
    case Kind::Bool:
        if (!v.isBool())
            return wrong("true or false");
        return {};
    case Kind::Id:
        if (v.isString()) {
            if (v.toString().size() > f.max)
                return tooLong(v.toString().size());
            return {};
        }
        if (!isInteger(v))
            return wrong("a string or an integer");
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
                return tooLong(item.toString().size());
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
            if (!isInteger(item) || item.toDouble() < 0)
                return wrong("an array of non-negative integers");
        return {};
    }
    case Kind::SeqMap: {
        if (!v.isObject())
            return wrong("an object of sequence numbers");
        const QJsonObject o = v.toObject();
        if (f.max > 0 && o.size() > f.max)
            return tooMany(o.size());
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!isInteger(it.value()) || it.value().toDouble() < 0)
                return wrong("an object of non-negative integer sequence numbers");
            if (it.key().size() > 140)
                return tooLong(it.key().size());
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
                                          .arg(bytes.size()).arg(limits.maxFrameBytes));
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
    if (nestingDepth(bytes, limits.maxDepth) > limits.maxDepth) {
        r.error = fail(Err::TooDeep, QStringLiteral("JSON nesting deeper than %1").arg(limits.maxDepth));
        return r;
    }
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &perr);
    if (perr.error != QJsonParseError::NoError) {
        r.error = fail(Err::BadJson, QStringLiteral("not JSON: %1 at offset %2")
                                         .arg(perr.errorString()).arg(perr.offset));
        return r;
    }
    if (!doc.isObject()) {
        r.error = fail(Err::NotObject, QStringLiteral("a frame must be a JSON object"));
        return r;
    }
    const QJsonObject obj = doc.object();
    // Keep the id for the error answer when it looks like an id.
    QJsonValue id = obj.value(QLatin1String("id"));
    if (!(id.isString() && id.toString().size() <= 64) && !isInteger(id))
        id = QJsonValue();

    const QJsonValue typeValue = obj.value(QLatin1String("type"));
    if (typeValue.isUndefined()) {
        r.error = fail(Err::MissingField, QStringLiteral("missing field 'type'"), QStringLiteral("type"), id);
        return r;
    }
    if (!typeValue.isString()) {
        r.error = fail(Err::WrongType, QStringLiteral("field 'type' must be a string"), QStringLiteral("type"), id);
        return r;
    }
    const QString type = typeValue.toString();
    const MessageSpec *spec = specIndex().value(type);
    if (!spec || spec->direction != expected) {
        r.error = fail(Err::UnknownType,
                       QStringLiteral("unknown frame type '%1'").arg(type.left(64)), QStringLiteral("type"), id);
        return r;
    }
    for (const FieldSpec &f : spec->fields) {
        const QJsonValue v = obj.value(f.name);
        if (v.isUndefined() || (v.isNull() && !f.required)) {
            if (f.required) {
                r.error = fail(Err::MissingField, QStringLiteral("missing field '%1'").arg(f.name), f.name, id);
                return r;
            }
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

bool isValidName(const QString &name)
{
    if (name.isEmpty() || name.size() > 64 || name.startsWith(QLatin1Char('-'))
        || name.startsWith(QLatin1Char('.')))
        return false;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-' || u == u'_'
                        || u == u'.';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace herald::proto
