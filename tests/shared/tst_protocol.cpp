// The wire protocol library: every frame type round-trips, every malformed input gets its typed
// error (and never a crash), and the builders produce frames the decoder accepts.
#include <herald/protocol.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <limits>

using namespace herald;
using namespace herald::proto;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(herald::proto::Direction)

namespace {

constexpr qint64 MaxSafe = 9007199254740991LL; // 2^53 - 1

QString directionName(Direction d)
{
    return d == Direction::ClientToServer ? u"client"_s : u"server"_s;
}

Direction other(Direction d)
{
    return d == Direction::ClientToServer ? Direction::ServerToClient : Direction::ClientToServer;
}

/** A valid value for a field, derived from its spec alone. */
QJsonValue exampleValue(const FieldSpec &f)
{
    switch (f.kind) {
    case Kind::String: {
        const QString text = u"general"_s;
        return f.max > 0 ? text.left(f.max) : text;
    }
    case Kind::Int:
        return f.max > 0 ? std::min<qint64>(f.max, 42) : 42;
    case Kind::Bool:
        return true;
    case Kind::Id:
        return u"req-1"_s;
    case Kind::StringList:
        return QJsonArray{u"alice"_s, u"bob"_s};
    case Kind::IntList:
        return QJsonArray{1, 2, 3};
    case Kind::SeqMap:
        return QJsonObject{{u"general"_s, 7}, {u"dm:alice:bob"_s, 0}};
    case Kind::Object:
        return QJsonObject{{u"name"_s, u"alice"_s}, {u"n"_s, 1}};
    case Kind::Array:
        return QJsonArray{QJsonObject{{u"user"_s, u"alice"_s}}};
    }
    return {};
}

/** A value of the wrong JSON type for a field. */
QJsonValue wrongValue(const FieldSpec &f)
{
    switch (f.kind) {
    case Kind::String:
        return 5;
    case Kind::Int:
        return u"5"_s;
    case Kind::Bool:
        return 1;
    case Kind::Id:
        return true;
    case Kind::StringList:
    case Kind::IntList:
    case Kind::Array:
        return QJsonObject{{u"a"_s, 1}};
    case Kind::SeqMap:
    case Kind::Object:
        return QJsonArray{1};
    }
    return {};
}

QJsonObject exampleBody(const MessageSpec &spec, bool withOptional)
{
    QJsonObject body;
    for (const FieldSpec &f : spec.fields)
        if (f.required || withOptional)
            body.insert(f.name, exampleValue(f));
    return body;
}

const FieldSpec *fieldOf(const MessageSpec &spec, const QString &name)
{
    for (const FieldSpec &f : spec.fields)
        if (f.name == name)
            return &f;
    return nullptr;
}

/** A list of n items valid for a list-like field. */
QJsonValue items(const FieldSpec &f, qint64 n)
{
    if (f.kind == Kind::SeqMap) {
        QJsonObject o;
        for (qint64 i = 0; i < n; ++i)
            o.insert(QString(u"r"_s + QString::number(i)), i);
        return o;
    }
    QJsonArray a;
    for (qint64 i = 0; i < n; ++i) {
        if (f.kind == Kind::StringList)
            a.append(QString(u"s"_s + QString::number(i)));
        else
            a.append(i);
    }
    return a;
}

Limits roomy()
{
    Limits l;
    l.maxFrameBytes = 16 * 1024 * 1024;
    return l;
}

} // namespace

class TestProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void schemaIsConsistent();
    void roundTrip_data();
    void roundTrip();
    void wrongDirection();
    void malformed_data();
    void malformed();
    void schemaLimits_data();
    void schemaLimits();
    void nullOptionalIsAbsent();
    void unknownFieldsIgnored();
    void errorCarriesRequestId();
    void limitsAreConfigurable();
    void mutationsNeverCrash();
    void codeLists();
    void isValidName_data();
    void isValidName();
    void resultBuilder();
    void errorBuilder();
    void safeIntegers_data();
    void safeIntegers();
    void safeIntegerText_data();
    void safeIntegerText();
    void loneSurrogates_data();
    void loneSurrogates();
    void frameAccessors();
};

void TestProtocol::schemaIsConsistent()
{
    const QList<MessageSpec> &all = schema();
    QVERIFY(all.size() >= 30);
    QSet<QString> seen;
    for (const MessageSpec &spec : all) {
        QVERIFY2(!seen.contains(spec.type), qPrintable(u"duplicate type "_s + spec.type));
        seen.insert(spec.type);
        QCOMPARE(findSpec(spec.type), &spec);
        QVERIFY2(!spec.summary.isEmpty(), qPrintable(spec.type));
        QSet<QString> names;
        for (const FieldSpec &f : spec.fields) {
            QVERIFY2(f.name != u"type"_s, qPrintable(spec.type));
            QVERIFY2(!names.contains(f.name), qPrintable(spec.type + u'.' + f.name));
            names.insert(f.name);
            if (f.kind == Kind::Id || f.kind == Kind::StringList || f.kind == Kind::IntList ||
                f.kind == Kind::SeqMap)
                QVERIFY2(f.max > 0, qPrintable(spec.type + u'.' + f.name + u" needs a bound"_s));
            if (f.kind == Kind::String && spec.direction == Direction::ClientToServer)
                QVERIFY2(f.max > 0, qPrintable(spec.type + u'.' + f.name + u" needs a bound"_s));
        }
        // Requests that expect an answer carry an id; result, error and pong echo it.
        if (spec.type == Type::Result || spec.type == Type::Pong)
            QVERIFY(fieldOf(spec, u"id"_s) && fieldOf(spec, u"id"_s)->required);
    }
    QVERIFY(!findSpec(u"no.such.type"_s));
    // The type constants all name schema entries.
    for (const QString &t :
         {Type::Auth,         Type::Ping,         Type::PresenceSet,   Type::UserList,
          Type::RoomList,     Type::RoomCreate,   Type::RoomJoin,      Type::RoomLeave,
          Type::RoomInvite,   Type::RoomMembers,  Type::RoomHistory,   Type::DmOpen,
          Type::MsgSend,      Type::TypingSend,   Type::Resume,        Type::NotifList,
          Type::NotifRead,    Type::NotifReadAll, Type::NotifAction,   Type::Hello,
          Type::Result,       Type::Error,        Type::Pong,          Type::Message,
          Type::Typing,       Type::Presence,     Type::Online,        Type::Member,
          Type::Notification, Type::NotifUnread,  Type::NotifReadSync, Type::NotifResolved})
        QVERIFY2(findSpec(t), qPrintable(t));
    QCOMPARE(Version, 1);
    QCOMPARE(QLatin1String(Subprotocol), "herald.v1"_L1);
}

void TestProtocol::roundTrip_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<bool>("withOptional");
    for (const MessageSpec &spec : schema()) {
        const QByteArray name = (directionName(spec.direction) + u'/' + spec.type).toUtf8();
        QTest::newRow(QByteArray(name + "/required").constData()) << spec.type << false;
        QTest::newRow(QByteArray(name + "/all").constData()) << spec.type << true;
    }
}

void TestProtocol::roundTrip()
{
    QFETCH(QString, type);
    QFETCH(bool, withOptional);
    const MessageSpec *spec = findSpec(type);
    QVERIFY(spec);
    const QJsonObject body = exampleBody(*spec, withOptional);
    const QByteArray bytes = encode(type, body);

    const DecodeResult r = decode(bytes, spec->direction);
    QVERIFY2(r.ok(), qPrintable(r.error.code + u": "_s + r.error.message + u" in "_s +
                                QString::fromUtf8(bytes)));
    QCOMPARE(r.frame->type, type);
    QJsonObject expected = body;
    expected.insert(u"type"_s, type);
    QCOMPARE(r.frame->body, expected);
    // Serialization is stable: the decoded frame encodes to the same bytes.
    QCOMPARE(encode(*r.frame), bytes);
    for (const FieldSpec &f : spec->fields)
        if (f.required || withOptional)
            QVERIFY(r.frame->has(QLatin1String(f.name.toLatin1())));
}

void TestProtocol::wrongDirection()
{
    // A server frame sent by a client (and the reverse) is an unknown type, not a valid frame.
    for (const MessageSpec &spec : schema()) {
        const QByteArray bytes = encode(spec.type, exampleBody(spec, true));
        const DecodeResult r = decode(bytes, other(spec.direction));
        QVERIFY2(!r.ok(), qPrintable(spec.type));
        QCOMPARE(r.error.code, QLatin1String(Err::UnknownType));
        QCOMPARE(r.error.field, u"type"_s);
    }
}

void TestProtocol::malformed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<Direction>("direction");
    QTest::addColumn<QString>("code"); // empty: must decode
    QTest::addColumn<QString>("field");
    QTest::addColumn<QJsonValue>("id"); // the id the error must carry (undefined: none)

    const auto C = Direction::ClientToServer;
    const auto S = Direction::ServerToClient;
    const auto row = [&](const char *name, const QByteArray &bytes, Direction d, const char *code,
                         const QString &field = {},
                         const QJsonValue &id = QJsonValue(QJsonValue::Undefined)) {
        QTest::newRow(name) << bytes << d << QString::fromLatin1(code) << field << id;
    };

    // ---- not a JSON object
    row("not json", "hello", C, Err::BadJson);
    row("empty frame", "", C, Err::BadJson);
    row("whitespace only", " \r\n\t ", C, Err::BadJson);
    row("truncated json", R"({"type":"ping","id":1)", C, Err::BadJson);
    row("truncated in a string", R"({"type":"pi)", C, Err::BadJson);
    row("truncated after a key", R"({"type")", C, Err::BadJson);
    row("trailing garbage", R"({"type":"ping","id":1} x)", C, Err::BadJson);
    row("two objects", R"({"type":"ping","id":1}{"type":"ping","id":2})", C, Err::BadJson);
    row("single quotes", R"({'type':'ping','id':1})", C, Err::BadJson);
    row("trailing comma", R"({"type":"ping","id":1,})", C, Err::BadJson);
    row("number overflowing a double", R"({"type":"ping","id":1e400})", C, Err::BadJson);
    row("raw NUL in a string",
        QByteArray(R"({"type":"ping","id":"a)") + '\0' + QByteArray(R"(b"})"), C, Err::BadJson);
    row("raw newline in a string", "{\"type\":\"ping\",\"id\":\"a\nb\"}", C, Err::BadJson);
    row("raw tab in a string", "{\"type\":\"ping\",\"id\":\"a\tb\"}", C, Err::BadJson);
    row("json array", R"([{"type":"ping","id":1}])", C, Err::NotObject);
    row("empty array", "[]", C, Err::NotObject);
    row("number", "42", C, Err::NotObject);
    row("negative number", " -1.5e3 ", C, Err::NotObject);
    row("string", R"("ping")", C, Err::NotObject);
    row("null", "null", C, Err::NotObject);
    row("true", "true", C, Err::NotObject);

    // ---- the type
    row("empty object (missing type)", "{}", C, Err::MissingField, u"type"_s);
    row("missing type, id echoed", R"({"id":"a1"})", C, Err::MissingField, u"type"_s, u"a1"_s);
    row("type not a string", R"({"type":5,"id":2})", C, Err::WrongType, u"type"_s, 2);
    row("type null", R"({"type":null})", C, Err::WrongType, u"type"_s);
    row("type an object", R"({"type":{"name":"ping"}})", C, Err::WrongType, u"type"_s);
    row("unknown type", R"({"type":"nope","id":"u1"})", C, Err::UnknownType, u"type"_s, u"u1"_s);
    row("type differs in case", R"({"type":"PING","id":1})", C, Err::UnknownType, u"type"_s, 1);
    row("server-only type sent as client",
        R"({"type":"hello","protocol":1,"user":{},"online":1,"unread":0,"heartbeat":30})", C,
        Err::UnknownType, u"type"_s);
    row("result sent as client", R"({"type":"result","id":7})", C, Err::UnknownType, u"type"_s, 7);
    row("client-only type sent as server", R"({"type":"ping","id":1})", S, Err::UnknownType,
        u"type"_s, 1);

    // ---- required fields
    row("missing required field", R"({"type":"room.join","id":"j1"})", C, Err::MissingField,
        u"room"_s, u"j1"_s);
    row("missing id", R"({"type":"ping"})", C, Err::MissingField, u"id"_s);
    row("missing token", R"({"type":"auth"})", C, Err::MissingField, u"token"_s);
    row("required field null", R"({"type":"room.join","id":3,"room":null})", C, Err::WrongType,
        u"room"_s, 3);
    row("required id null", R"({"type":"ping","id":null})", C, Err::WrongType, u"id"_s);
    row("server frame missing field", R"({"type":"online"})", S, Err::MissingField, u"count"_s);

    // ---- each kind's wrong type
    row("string given a number", R"({"type":"room.join","id":1,"room":5})", C, Err::WrongType,
        u"room"_s, 1);
    row("string given an array",
        R"({"type":"msg.send","id":1,"room":"r","clientId":"c","text":["hi"]})", C, Err::WrongType,
        u"text"_s, 1);
    row("int given a string", R"({"type":"room.history","id":1,"room":"r","limit":"5"})", C,
        Err::WrongType, u"limit"_s, 1);
    row("int given a bool", R"({"type":"notif.action","id":1,"notification":true,"action":"ok"})",
        C, Err::WrongType, u"notification"_s, 1);
    row("bool given a string", R"({"type":"room.create","id":1,"name":"x","private":"yes"})", C,
        Err::WrongType, u"private"_s, 1);
    row("bool given a number", R"({"type":"notif.list","id":1,"unread":1})", C, Err::WrongType,
        u"unread"_s, 1);
    row("id given an object", R"({"type":"ping","id":{"a":1}})", C, Err::WrongType, u"id"_s);
    row("id given a bool", R"({"type":"ping","id":true})", C, Err::WrongType, u"id"_s);
    row("id given an array", R"({"type":"ping","id":[1]})", C, Err::WrongType, u"id"_s);
    row("int list given a string", R"({"type":"notif.read","id":1,"ids":"1,2"})", C, Err::WrongType,
        u"ids"_s, 1);
    row("int list with a string item", R"({"type":"notif.read","id":1,"ids":[1,"2"]})", C,
        Err::WrongType, u"ids"_s, 1);
    row("int list with a fraction", R"({"type":"notif.read","id":1,"ids":[1,2.5]})", C,
        Err::WrongType, u"ids"_s, 1);
    row("seq map given an array", R"({"type":"resume","id":1,"rooms":[1]})", C, Err::WrongType,
        u"rooms"_s, 1);
    row("seq map with a string value", R"({"type":"resume","id":1,"rooms":{"general":"5"}})", C,
        Err::WrongType, u"rooms"_s, 1);
    row("seq map with a null value", R"({"type":"resume","id":1,"rooms":{"general":null}})", C,
        Err::WrongType, u"rooms"_s, 1);
    row("object given an array", R"({"type":"notification","notification":[1]})", S, Err::WrongType,
        u"notification"_s);
    row("array given an object", R"({"type":"presence","room":"r","users":{},"online":1})", S,
        Err::WrongType, u"users"_s);
    row("server int given a string", R"({"type":"online","count":"3"})", S, Err::WrongType,
        u"count"_s);

    // ---- sizes
    const QByteArray text4001 = QByteArray(4001, 'x');
    row("string too long",
        R"({"type":"msg.send","id":"m1","room":"r","clientId":"c","text":")" + text4001 + "\"}", C,
        Err::TooLong, u"text"_s, u"m1"_s);
    row("string too long counts characters, not bytes",
        R"({"type":"room.create","id":1,"name":")" + QByteArray("\xc3\xa9").repeated(65) + "\"}", C,
        Err::TooLong, u"name"_s, 1);
    row("id string too long (not echoed)", R"({"type":"ping","id":")" + QByteArray(65, 'i') + "\"}",
        C, Err::TooLong, u"id"_s);
    QByteArray ids = "[";
    for (int i = 1; i <= 501; ++i)
        ids += QByteArray::number(i) + (i < 501 ? "," : "]");
    row("too many items (int list)", R"({"type":"notif.read","id":1,"ids":)" + ids + "}", C,
        Err::TooMany, u"ids"_s, 1);
    QByteArray rooms = "{";
    for (int i = 0; i <= 1000; ++i)
        rooms += "\"r" + QByteArray::number(i) + "\":1" + (i < 1000 ? "," : "}");
    row("too many entries (seq map)", R"({"type":"resume","id":1,"rooms":)" + rooms + "}", C,
        Err::TooMany, u"rooms"_s, 1);
    row("seq map key too long",
        R"({"type":"resume","id":1,"rooms":{")" + QByteArray(141, 'k') + "\":1}}", C, Err::TooLong,
        u"rooms"_s, 1);

    // ---- numbers
    row("negative sequence", R"({"type":"resume","id":1,"notifications":-1})", C, Err::BadValue,
        u"notifications"_s, 1);
    row("negative sequence in a room map", R"({"type":"resume","id":1,"rooms":{"general":-3}})", C,
        Err::BadValue, u"rooms"_s, 1);
    row("negative id in a list", R"({"type":"notif.read","id":1,"ids":[-1]})", C, Err::BadValue,
        u"ids"_s, 1);
    row("over the field's maximum", R"({"type":"room.history","id":1,"room":"r","limit":201})", C,
        Err::BadValue, u"limit"_s, 1);
    row("non-integer number", R"({"type":"room.history","id":1,"room":"r","before":1.5})", C,
        Err::WrongType, u"before"_s, 1);
    row("non-integer in exponent form",
        R"({"type":"room.history","id":1,"room":"r","after":15e-1})", C, Err::WrongType, u"after"_s,
        1);
    row("non-integer id", R"({"type":"ping","id":1.5})", C, Err::WrongType, u"id"_s);
    row("huge number 2^53", R"({"type":"resume","id":1,"notifications":9007199254740992})", C,
        Err::BadValue, u"notifications"_s, 1);
    row("huge number 1e300", R"({"type":"notif.action","id":1,"notification":1e300,"action":"ok"})",
        C, Err::BadValue, u"notification"_s, 1);
    row("huge id", R"({"type":"ping","id":1e20})", C, Err::BadValue, u"id"_s);
    row("2^53+1", R"({"type":"resume","id":1,"notifications":9007199254740993})", C, Err::BadValue,
        u"notifications"_s, 1);
    row("2^63", R"({"type":"resume","id":1,"notifications":9223372036854775808})", C, Err::BadValue,
        u"notifications"_s, 1);
    row("2^64", R"({"type":"resume","id":1,"notifications":18446744073709551616})", C,
        Err::BadValue, u"notifications"_s, 1);
    row("-2^63", R"({"type":"room.history","id":1,"room":"r","before":-9223372036854775808})", C,
        Err::BadValue, u"before"_s, 1);
    row("NaN as a string", R"({"type":"resume","id":1,"notifications":"NaN"})", C, Err::WrongType,
        u"notifications"_s, 1);
    row("Infinity as a string", R"({"type":"resume","id":1,"notifications":"Infinity"})", C,
        Err::WrongType, u"notifications"_s, 1);
    row("number as a string", R"({"type":"resume","id":1,"notifications":"12"})", C, Err::WrongType,
        u"notifications"_s, 1);
    row("bare NaN", R"({"type":"resume","id":1,"notifications":NaN})", C, Err::BadJson);
    row("huge sequence in a room map",
        R"({"type":"resume","id":1,"rooms":{"r":18446744073709551616}})", C, Err::BadValue,
        u"rooms"_s, 1);

    // ---- encoding
    const auto inString = [](const QByteArray &raw) -> QByteArray {
        return R"({"type":"ping","id":")" + raw + "\"}";
    };
    row("utf-8 overlong 2-byte", inString("\xc0\xaf"), C, Err::BadUtf8);
    row("utf-8 overlong 3-byte", inString("\xe0\x80\xaf"), C, Err::BadUtf8);
    row("utf-8 overlong NUL", inString("\xc0\x80"), C, Err::BadUtf8);
    row("utf-8 lone continuation byte", inString("\x80"), C, Err::BadUtf8);
    row("utf-8 truncated multibyte", inString("\xe2\x82"), C, Err::BadUtf8);
    row("utf-8 truncated at end of frame", R"({"type":"ping","id":")" + QByteArray("\xf0\x9f\x98"),
        C, Err::BadUtf8);
    row("utf-8 encoded surrogate", inString("\xed\xa0\x80"), C, Err::BadUtf8);
    row("utf-8 beyond U+10FFFF", inString("\xf4\x90\x80\x80"), C, Err::BadUtf8);
    row("utf-8 byte 0xFF", inString("\xff"), C, Err::BadUtf8);
    row("utf-8 invalid outside strings", "{\"type\":\"ping\",\"id\":1}\xfe", C, Err::BadUtf8);
    row("unpaired surrogate escape", inString("\\ud800"), C, Err::BadUtf8, u"id"_s);
    row("unpaired low surrogate escape in a key", R"({"type":"ping","id":1,"\udc00":1})", C,
        Err::BadUtf8, QString(), 1);
    row("reversed surrogate pair escape", inString("\\udc00\\ud800"), C, Err::BadUtf8, u"id"_s);
    // Qt's parser pairs a lone high half with whatever follows ("a\ud800z" became U+1007A):
    // these must be refused before it runs, naming the field.
    const auto inText = [](const QByteArray &raw) -> QByteArray {
        return R"({"type":"msg.send","id":1,"room":"r","clientId":"c","text":")" + raw + "\"}";
    };
    row("lone high surrogate before a letter", inText("a\\ud800z"), C, Err::BadUtf8, u"text"_s, 1);
    row("lone high surrogate at the end of a string", inText("a\\ud800"), C, Err::BadUtf8,
        u"text"_s, 1);
    row("lone high surrogate before another escape", inText("\\ud800\\u0041"), C, Err::BadUtf8,
        u"text"_s, 1);
    row("lone high surrogate before a one-character escape", inText("\\ud800\\n"), C, Err::BadUtf8,
        u"text"_s, 1);
    row("two high surrogates", inText("\\ud800\\ud800\\udc00"), C, Err::BadUtf8, u"text"_s, 1);
    row("lone low surrogate before a letter", inText("\\udc00z"), C, Err::BadUtf8, u"text"_s, 1);
    row("lone low surrogate at the end of a string", inText("z\\udfff"), C, Err::BadUtf8, u"text"_s,
        1);
    row("lone low surrogate before another escape", inText("\\udc00\\u0041"), C, Err::BadUtf8,
        u"text"_s, 1);
    row("lone surrogate in a nested key", R"({"type":"resume","id":1,"rooms":{"a\ud800":1}})", C,
        Err::BadUtf8, u"rooms"_s, 1);
    row("lone surrogate in upper-case hex", inText("\\uD9FFx"), C, Err::BadUtf8, u"text"_s, 1);

    // ---- depth
    row("nesting too deep (unknown field)", R"({"type":"ping","id":1,"x":[[[[[[[[1]]]]]]]]})", C,
        Err::TooDeep);
    row("nesting too deep (objects)",
        R"({"type":"ping","id":1,"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{}}}}}}}}})", C,
        Err::TooDeep);
    row("nesting too deep (known field)",
        R"({"type":"notification","notification":{"a":[[[[[[[1]]]]]]]}})", S, Err::TooDeep);
    row("nesting too deep, unterminated", QByteArray(100000, '[').left(60000), C, Err::TooDeep);
    row("frame too large", R"({"type":"ping","id":1,"pad":")" + QByteArray(64 * 1024, 'p') + "\"}",
        C, Err::TooLarge);

    // ---- accepted edge cases
    row("ok: minimal ping", R"({"type":"ping","id":1})", C, "");
    row("ok: escaped control characters", R"({"type":"ping","id":"a\n\t\u0000b"})", C, "");
    row("ok: whitespace around", " \n{ \"type\" : \"ping\" , \"id\" : \"p\" }\r\n ", C, "");
    row("ok: nesting exactly at the limit", R"({"type":"ping","id":1,"x":[[[[[[[1]]]]]]]})", C, "");
    row("ok: brackets inside strings are not depth",
        R"({"type":"ping","id":"[[[[[[[[[[{{{{{{{{{{","x":"]]]]]]]]]]}}}}"})", C, "");
    row("ok: escaped quote then brackets", R"({"type":"ping","id":"\"[[[[[[[[[[\\"})", C, "");
    row("ok: escaped backslash ends the string", R"({"type":"ping","id":1,"x":"\\","y":[[1]]})", C,
        "");
    row("ok: surrogate pair escape", inString("\\ud83d\\ude00"), C, "");
    row("ok: 4-byte utf-8", inString("\xf0\x9f\x98\x80"), C, "");
    row("ok: negative integer id", R"({"type":"ping","id":-7})", C, "");
    row("ok: integer written as 1.0", R"({"type":"room.history","id":1,"room":"r","limit":1.0})", C,
        "");
    row("ok: minus zero", R"({"type":"resume","id":1,"notifications":-0})", C, "");
    row("ok: minus zero as a double", R"({"type":"resume","id":1,"notifications":-0.0})", C, "");
    row("ok: largest exact integer", R"({"type":"resume","id":1,"notifications":9007199254740991})",
        C, "");
    row("ok: id at its limit", R"({"type":"ping","id":")" + QByteArray(64, 'i') + "\"}", C, "");
    row("ok: string at its limit",
        R"({"type":"msg.send","id":1,"room":"r","clientId":"c","text":")" + QByteArray(4000, 'x') +
            "\"}",
        C, "");
    row("ok: optional field null", R"({"type":"room.history","id":1,"room":"r","limit":null})", C,
        "");
    row("ok: utf-8 byte order mark", "\xef\xbb\xbf{\"type\":\"ping\",\"id\":1}", C, "");
}

void TestProtocol::malformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(Direction, direction);
    QFETCH(QString, code);
    QFETCH(QString, field);
    QFETCH(QJsonValue, id);

    const DecodeResult r = decode(bytes, direction);
    if (code.isEmpty()) {
        QVERIFY2(r.ok(), qPrintable(r.error.code + u": "_s + r.error.message));
        return;
    }
    QVERIFY2(!r.ok(), "accepted a malformed frame");
    QCOMPARE(r.error.code, code);
    QCOMPARE(r.error.field, field);
    QVERIFY(!r.error.message.isEmpty());
    QVERIFY(errorCodes().contains(r.error.code));
    QCOMPARE(r.error.id, id);

    // The answer is itself a valid error frame carrying the same code, field and id.
    const DecodeResult answer = decode(error(r.error), Direction::ServerToClient);
    QVERIFY2(answer.ok(), qPrintable(answer.error.message));
    QCOMPARE(answer.frame->type, Type::Error);
    QCOMPARE(answer.frame->str("code"_L1), code);
    QCOMPARE(answer.frame->str("field"_L1), field);
    QCOMPARE(answer.frame->id(), id);
}

void TestProtocol::schemaLimits_data()
{
    // Generated from the schema: every field's missing, wrong-type, null and size cases.
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QJsonValue>("value"); // undefined: remove the field
    QTest::addColumn<QString>("code");     // empty: must decode

    for (const MessageSpec &spec : schema()) {
        for (const FieldSpec &f : spec.fields) {
            const auto row = [&](const char *what, const QJsonValue &v, const char *code) {
                const QByteArray name = QString(spec.type + u'.' + f.name + u' ').toUtf8() + what;
                QTest::newRow(name.constData())
                    << spec.type << f.name << v << QString::fromLatin1(code);
            };
            row("missing", QJsonValue(QJsonValue::Undefined), f.required ? Err::MissingField : "");
            row("null", QJsonValue(QJsonValue::Null), f.required ? Err::WrongType : "");
            row("wrong type", wrongValue(f), Err::WrongType);
            switch (f.kind) {
            case Kind::String:
            case Kind::Id:
                if (f.max > 0) {
                    row("at max length", QString(f.max, u'x'), "");
                    row("over max length", QString(f.max + 1, u'x'), Err::TooLong);
                }
                if (f.kind == Kind::Id) {
                    row("integer", 12345, "");
                    row("fraction", 1.25, Err::WrongType);
                    row("beyond 2^53", 1e16, Err::BadValue);
                }
                break;
            case Kind::Int:
                row("zero", 0, "");
                row("negative", -1, Err::BadValue);
                row("fraction", 0.5, Err::WrongType);
                row("beyond 2^53", 1e16, Err::BadValue);
                if (f.max > 0) {
                    row("at max", static_cast<double>(f.max), "");
                    if (f.max < MaxSafe)
                        row("over max", static_cast<double>(f.max + 1), Err::BadValue);
                } else {
                    row("largest exact integer", static_cast<double>(MaxSafe), "");
                }
                break;
            case Kind::StringList:
            case Kind::IntList:
            case Kind::SeqMap:
                row("empty",
                    f.kind == Kind::SeqMap ? QJsonValue(QJsonObject{}) : QJsonValue(QJsonArray{}),
                    "");
                row("at max items", items(f, f.max), "");
                row("over max items", items(f, f.max + 1), Err::TooMany);
                break;
            case Kind::Bool:
                row("false", false, "");
                break;
            case Kind::Object:
                row("empty", QJsonObject{}, "");
                break;
            case Kind::Array:
                row("empty", QJsonArray{}, "");
                break;
            }
        }
    }
}

void TestProtocol::schemaLimits()
{
    QFETCH(QString, type);
    QFETCH(QString, field);
    QFETCH(QJsonValue, value);
    QFETCH(QString, code);
    const MessageSpec *spec = findSpec(type);
    QVERIFY(spec);
    QJsonObject body = exampleBody(*spec, true);
    if (value.isUndefined())
        body.remove(field);
    else
        body.insert(field, value);
    // Large lists need more than the default frame size; the size limit has a test of its own.
    const DecodeResult r = decode(encode(type, body), spec->direction, roomy());
    if (code.isEmpty()) {
        QVERIFY2(r.ok(), qPrintable(r.error.code + u": "_s + r.error.message));
        return;
    }
    QVERIFY(!r.ok());
    QCOMPARE(r.error.code, code);
    QCOMPARE(r.error.field, field);
    QVERIFY(r.error.message.contains(field));
    if (field != u"id"_s && fieldOf(*spec, u"id"_s))
        QCOMPARE(r.error.id, QJsonValue(u"req-1"_s));
}

void TestProtocol::nullOptionalIsAbsent()
{
    // A null optional field is left out of the decoded body: handlers that test has() or echo
    // the id never see a null.
    DecodeResult r =
        decode(R"({"type":"presence.set","id":null,"status":"away"})", Direction::ClientToServer);
    QVERIFY(r.ok());
    QVERIFY(!r.frame->has("id"_L1));
    QVERIFY(r.frame->id().isUndefined());
    r = decode(R"({"type":"resume","id":1,"rooms":null,"notifications":null})",
               Direction::ClientToServer);
    QVERIFY(r.ok());
    QVERIFY(!r.frame->has("rooms"_L1));
    QVERIFY(!r.frame->has("notifications"_L1));
}

void TestProtocol::unknownFieldsIgnored()
{
    const DecodeResult r = decode(R"({"type":"ping","id":9,"future":{"x":[1,2]},"z":null})",
                                  Direction::ClientToServer);
    QVERIFY(r.ok());
    QCOMPARE(r.frame->type, Type::Ping);
    QCOMPARE(r.frame->id(), QJsonValue(9));
    // Kept as sent (they are not validated, only the depth and size of the whole frame are).
    QVERIFY(r.frame->has("future"_L1));
}

void TestProtocol::errorCarriesRequestId()
{
    // Readable ids (strings up to 64, integers) come back; others do not.
    const struct
    {
        QByteArray bytes;
        QJsonValue id;
    } cases[] = {
        {R"({"type":"room.join","id":"abc"})", u"abc"_s},
        {R"({"type":"room.join","id":42})", 42},
        {R"({"type":"room.join","id":-42})", -42},
        {R"({"type":"nope","id":"x"})", u"x"_s},
        {R"({"id":"early","type":7})", u"early"_s},
        {R"({"type":"room.join","id":1.5})", QJsonValue(QJsonValue::Undefined)},
        {R"({"type":"room.join","id":{"a":1}})", QJsonValue(QJsonValue::Undefined)},
        {R"({"type":"room.join","id":")" + QByteArray(65, 'x') + "\"}",
         QJsonValue(QJsonValue::Undefined)},
        {R"({"type":"room.join","id":null})", QJsonValue(QJsonValue::Undefined)},
    };
    for (const auto &c : cases) {
        const DecodeResult r = decode(c.bytes, Direction::ClientToServer);
        QVERIFY(!r.ok());
        QCOMPARE(r.error.id, c.id);
        const QJsonObject sent = QJsonDocument::fromJson(error(r.error)).object();
        QCOMPARE(sent.value("id"_L1), c.id);
    }
}

void TestProtocol::limitsAreConfigurable()
{
    const QByteArray frame = R"({"type":"ping","id":1,"x":[[[1]]]})";
    Limits tight;
    tight.maxFrameBytes = frame.size() - 1;
    DecodeResult r = decode(frame, Direction::ClientToServer, tight);
    QCOMPARE(r.error.code, QLatin1String(Err::TooLarge));
    QVERIFY(r.error.message.contains(QString::number(tight.maxFrameBytes)));
    tight.maxFrameBytes = frame.size();
    QVERIFY(decode(frame, Direction::ClientToServer, tight).ok());
    tight.maxDepth = 3;
    r = decode(frame, Direction::ClientToServer, tight);
    QCOMPARE(r.error.code, QLatin1String(Err::TooDeep));
    tight.maxDepth = 4;
    QVERIFY(decode(frame, Direction::ClientToServer, tight).ok());
    // The size check comes first: a huge frame is refused without being parsed.
    const QByteArray huge(8 * 1024 * 1024, '[');
    QCOMPARE(decode(huge, Direction::ClientToServer).error.code, QLatin1String(Err::TooLarge));
}

void TestProtocol::mutationsNeverCrash()
{
    // Truncations, byte flips and insertions of every valid example: each either decodes or
    // fails with a documented code.
    QRandomGenerator rng(20240611);
    const QByteArray alphabet = "{}[]\":,\\ 0123456789.-eEtrufalsn\x80\xc3\xed\xf0\xff";
    int decoded = 0, refused = 0;
    for (const MessageSpec &spec : schema()) {
        const QByteArray valid = encode(spec.type, exampleBody(spec, true));
        for (qsizetype cut = 0; cut < valid.size(); ++cut) {
            const DecodeResult r = decode(valid.left(cut), spec.direction);
            QVERIFY(!r.ok());
            QVERIFY2(errorCodes().contains(r.error.code), qPrintable(r.error.code));
        }
        for (int i = 0; i < 300; ++i) {
            QByteArray m = valid;
            const int edits = 1 + rng.bounded(4);
            for (int e = 0; e < edits && !m.isEmpty(); ++e) {
                const qsizetype at = rng.bounded(static_cast<int>(m.size()));
                const char c = alphabet.at(rng.bounded(static_cast<int>(alphabet.size())));
                switch (rng.bounded(3)) {
                case 0:
                    m[at] = c;
                    break;
                case 1:
                    m.insert(at, c);
                    break;
                default:
                    m.remove(at, 1);
                    break;
                }
            }
            const DecodeResult r = decode(m, spec.direction);
            if (r.ok()) {
                ++decoded;
                QCOMPARE(r.frame->type, spec.type);
            } else {
                ++refused;
                QVERIFY2(errorCodes().contains(r.error.code), qPrintable(r.error.code));
                QVERIFY(decode(error(r.error), Direction::ServerToClient).ok());
            }
        }
    }
    QVERIFY(refused > 0);
    qInfo("mutations: %d decoded, %d refused", decoded, refused);
}

void TestProtocol::codeLists()
{
    const QList<std::pair<int, QString>> &close = closeCodes();
    QVERIFY(close.size() >= 15);
    QSet<int> numbers;
    int previous = 0;
    for (const auto &[code, name] : close) {
        QVERIFY2(code > previous, "close codes are listed in ascending order, once each");
        previous = code;
        numbers.insert(code);
        QVERIFY(!name.isEmpty());
        QVERIFY((code >= 1000 && code < 1016) || (code >= 4000 && code < 5000));
    }
    for (int code :
         {Close::Normal, Close::GoingAway, Close::ProtocolError, Close::UnsupportedData,
          Close::InvalidPayload, Close::PolicyViolation, Close::TooBig, Close::AuthFailed,
          Close::AuthTimeout, Close::TokenRevoked, Close::UserDisabled, Close::TooManyConnections,
          Close::SlowConsumer, Close::IdleTimeout, Close::RateLimited, Close::Unavailable,
          Close::SessionExpired})
        QVERIFY2(numbers.contains(code), qPrintable(QString::number(code)));

    const QStringList &errors = errorCodes();
    QCOMPARE(QSet<QString>(errors.begin(), errors.end()).size(), errors.size());
    for (const char *code :
         {Err::BadJson, Err::NotObject, Err::UnknownType, Err::MissingField, Err::WrongType,
          Err::TooLong, Err::TooMany, Err::BadUtf8, Err::TooDeep, Err::TooLarge, Err::BadValue,
          Err::Unauthorized, Err::Forbidden, Err::NotFound, Err::Conflict, Err::Gone,
          Err::RateLimited, Err::Unavailable, Err::Internal})
        QVERIFY2(errors.contains(QLatin1String(code)), code);
    QCOMPARE(errors.size(), 19);
    for (const QString &code : errors)
        QVERIFY2(QRegularExpression(u"^[a-z][a-z0-9_]*$"_s).match(code).hasMatch(),
                 qPrintable(code));
}

void TestProtocol::isValidName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("simple") << u"alice"_s << true;
    QTest::newRow("digits") << u"team42"_s << true;
    QTest::newRow("all allowed characters") << u"a-b_c.d"_s << true;
    QTest::newRow("starts with a digit") << u"1st"_s << true;
    QTest::newRow("starts with underscore") << u"_ops"_s << true;
    QTest::newRow("single character") << u"a"_s << true;
    QTest::newRow("64 characters") << QString(64, u'a') << true;
    QTest::newRow("ends with dot") << u"a."_s << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("65 characters") << QString(65, u'a') << false;
    QTest::newRow("starts with dash") << u"-a"_s << false;
    QTest::newRow("starts with dot") << u".a"_s << false;
    QTest::newRow("dot dot") << u".."_s << false;
    QTest::newRow("upper case") << u"Alice"_s << false;
    QTest::newRow("space") << u"a b"_s << false;
    QTest::newRow("colon (dm rooms)") << u"dm:a:b"_s << false;
    QTest::newRow("slash") << u"a/b"_s << false;
    QTest::newRow("at sign") << u"a@b"_s << false;
    QTest::newRow("non-ascii letter") << u"caf\u00e9"_s << false;
    QTest::newRow("fullwidth letter") << u"\uff41"_s << false;
    QTest::newRow("NUL") << QString(QChar(0)) << false;
    QTest::newRow("newline") << u"a\n"_s << false;
}

void TestProtocol::isValidName()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(proto::isValidName(name), valid);
}

void TestProtocol::resultBuilder()
{
    // With data.
    const QJsonObject data{{u"room"_s, u"general"_s}, {u"seq"_s, 12}};
    DecodeResult r = decode(result(u"r1"_s, data), Direction::ServerToClient);
    QVERIFY(r.ok());
    QCOMPARE(r.frame->type, Type::Result);
    QCOMPARE(r.frame->id(), QJsonValue(u"r1"_s));
    QCOMPARE(r.frame->body.value("data"_L1).toObject(), data);
    // Without data: no data member at all.
    r = decode(result(7), Direction::ServerToClient);
    QVERIFY(r.ok());
    QCOMPARE(r.frame->id(), QJsonValue(7));
    QVERIFY(!r.frame->has("data"_L1));
    QCOMPARE(result(7), QByteArray(R"({"id":7,"type":"result"})"));
}

void TestProtocol::errorBuilder()
{
    // Id and field present.
    QByteArray bytes = error(u"q9"_s, QLatin1String(Err::NotFound), u"no such room"_s, u"room"_s);
    DecodeResult r = decode(bytes, Direction::ServerToClient);
    QVERIFY(r.ok());
    QCOMPARE(r.frame->type, Type::Error);
    QCOMPARE(r.frame->id(), QJsonValue(u"q9"_s));
    QCOMPARE(r.frame->str("code"_L1), QLatin1String(Err::NotFound));
    QCOMPARE(r.frame->str("message"_L1), u"no such room"_s);
    QCOMPARE(r.frame->str("field"_L1), u"room"_s);
    // No id (a connection-level error), no field: neither member is written.
    for (const QJsonValue &noId :
         {QJsonValue(QJsonValue::Undefined), QJsonValue(QJsonValue::Null)}) {
        bytes = error(noId, QLatin1String(Err::RateLimited), u"slow down"_s);
        const QJsonObject o = QJsonDocument::fromJson(bytes).object();
        QVERIFY(!o.contains("id"_L1));
        QVERIFY(!o.contains("field"_L1));
        QVERIFY(decode(bytes, Direction::ServerToClient).ok());
    }
    // From a decode failure.
    const DecodeResult bad = decode(R"({"type":"room.join","id":5})", Direction::ClientToServer);
    QVERIFY(!bad.ok());
    const QJsonObject o = QJsonDocument::fromJson(error(bad.error)).object();
    QCOMPARE(o.value("type"_L1).toString(), Type::Error);
    QCOMPARE(o.value("id"_L1), QJsonValue(5));
    QCOMPARE(o.value("code"_L1).toString(), QLatin1String(Err::MissingField));
    QCOMPARE(o.value("field"_L1).toString(), u"room"_s);
    QCOMPARE(o.value("message"_L1).toString(), bad.error.message);
}

void TestProtocol::safeIntegers_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("0") << QJsonValue(0) << true << qint64(0);
    QTest::newRow("-0") << QJsonValue(-0.0) << true << qint64(0);
    QTest::newRow("1.0") << QJsonValue(1.0) << true << qint64(1);
    QTest::newRow("2^53-1") << QJsonValue(double(MaxSafe)) << true << MaxSafe;
    QTest::newRow("-(2^53-1)") << QJsonValue(-double(MaxSafe)) << true << -MaxSafe;
    QTest::newRow("2^53") << QJsonValue(9007199254740992.0) << false << qint64(0);
    QTest::newRow("2^63") << QJsonValue(9223372036854775808.0) << false << qint64(0);
    QTest::newRow("2^64") << QJsonValue(18446744073709551616.0) << false << qint64(0);
    QTest::newRow("1e300") << QJsonValue(1e300) << false << qint64(0);
    QTest::newRow("-1e300") << QJsonValue(-1e300) << false << qint64(0);
    QTest::newRow("1.5") << QJsonValue(1.5) << false << qint64(0);
    QTest::newRow("infinity") << QJsonValue(std::numeric_limits<double>::infinity()) << false
                              << qint64(0);
    QTest::newRow("NaN") << QJsonValue(std::numeric_limits<double>::quiet_NaN()) << false
                         << qint64(0);
    QTest::newRow("string 12") << QJsonValue(u"12"_s) << false << qint64(0);
    QTest::newRow("string NaN") << QJsonValue(u"NaN"_s) << false << qint64(0);
    QTest::newRow("null") << QJsonValue() << false << qint64(0);
}

void TestProtocol::safeIntegers()
{
    QFETCH(QJsonValue, value);
    QFETCH(bool, ok);
    QFETCH(qint64, expected);
    const std::optional<qint64> v = toSafeInteger(value);
    QCOMPARE(v.has_value(), ok);
    if (ok)
        QCOMPARE(*v, expected);
}

void TestProtocol::safeIntegerText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("0") << u"0"_s << true << qint64(0);
    QTest::newRow("-0") << u"-0"_s << true << qint64(0);
    QTest::newRow("42") << u"42"_s << true << qint64(42);
    QTest::newRow("-7") << u"-7"_s << true << qint64(-7);
    QTest::newRow("2^53-1") << u"9007199254740991"_s << true << MaxSafe;
    QTest::newRow("2^53") << u"9007199254740992"_s << false << qint64(0);
    QTest::newRow("2^63") << u"9223372036854775808"_s << false << qint64(0);
    QTest::newRow("2^64") << u"18446744073709551616"_s << false << qint64(0);
    QTest::newRow("1e300") << u"1e300"_s << false << qint64(0);
    QTest::newRow("NaN") << u"NaN"_s << false << qint64(0);
    QTest::newRow("0x10") << u"0x10"_s << false << qint64(0);
    QTest::newRow("12abc") << u"12abc"_s << false << qint64(0);
    QTest::newRow("+5") << u"+5"_s << false << qint64(0);
    QTest::newRow(" 5") << u" 5"_s << false << qint64(0);
    QTest::newRow("empty") << QString() << false << qint64(0);
    QTest::newRow("-") << u"-"_s << false << qint64(0);
}

void TestProtocol::safeIntegerText()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(qint64, expected);
    const std::optional<qint64> v = parseSafeInteger(text);
    QCOMPARE(v.has_value(), ok);
    if (ok)
        QCOMPARE(*v, expected);
}

void TestProtocol::loneSurrogates_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("found");
    QTest::addColumn<QString>("field");
    QTest::newRow("none") << QByteArray(R"({"a":"x\u0041"})") << false << QString();
    QTest::newRow("pair") << QByteArray(R"({"a":"\ud83d\ude00"})") << false << QString();
    QTest::newRow("escaped backslash then u")
        << QByteArray(R"({"a":"\\ud800"})") << false << QString();
    QTest::newRow("high before a letter")
        << QByteArray(R"({"title":"a\ud800z"})") << true << u"title"_s;
    QTest::newRow("second member")
        << QByteArray(R"({"a":"ok","body":"\udc00"})") << true << u"body"_s;
    QTest::newRow("nested value") << QByteArray(R"({"source":{"k":["\ud800"]}})") << true
                                  << u"source"_s;
    QTest::newRow("top-level key") << QByteArray(R"({"\ud800":1})") << true << QString();
    QTest::newRow("top-level string") << QByteArray(R"("\udfff")") << true << QString();
    QTest::newRow("truncated escape") << QByteArray(R"({"a":"\ud8)") << false << QString();
}

void TestProtocol::loneSurrogates()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, found);
    QFETCH(QString, field);
    const std::optional<QString> r = loneSurrogateField(json);
    QCOMPARE(r.has_value(), found);
    if (found)
        QCOMPARE(*r, field);
}

void TestProtocol::frameAccessors()
{
    const DecodeResult r =
        decode(R"({"type":"room.history","id":"h","room":"general","before":120,"limit":20})",
               Direction::ClientToServer);
    QVERIFY(r.ok());
    QCOMPARE(r.frame->str("room"_L1), u"general"_s);
    QCOMPARE(r.frame->integer("before"_L1), qint64(120));
    QCOMPARE(r.frame->integer("after"_L1, -1), qint64(-1));
    QCOMPARE(r.frame->integer("room"_L1, -2), qint64(-2)); // not a number: the fallback
    // A number beyond 2^53-1 is never converted (that could overflow): the fallback too.
    const Frame huge{Type::Ping, {{u"n"_s, 1e300}, {u"m"_s, -1e300}, {u"x"_s, 1.5}}};
    QCOMPARE(huge.integer("n"_L1, -3), qint64(-3));
    QCOMPARE(huge.integer("m"_L1, -3), qint64(-3));
    QCOMPARE(huge.integer("x"_L1, -3), qint64(-3));
    QVERIFY(r.frame->has("limit"_L1));
    QVERIFY(!r.frame->has("after"_L1));
    // encode() sets the type whatever the body says.
    const QByteArray bytes = encode(Type::Ping, {{u"type"_s, u"evil"_s}, {u"id"_s, 1}});
    QCOMPARE(decode(bytes, Direction::ClientToServer).frame->type, Type::Ping);
}

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
