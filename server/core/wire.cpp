#include "wire.h"

#include <herald/protocol.h>

#include <QJsonDocument>

namespace herald::wire {

namespace {

template<typename Row> QJsonArray arrayOf(const QList<Row> &rows)
{
    QJsonArray out;
    for (const Row &r : rows)
        out.append(toJson(r));
    return out;
}

} // namespace

QJsonObject toJson(const MessageRow &m)
{
    switch (m.kind) {
    case MessageRow::Edit:
        return {{QStringLiteral("type"), proto::Type::MsgEdited},
                {QStringLiteral("room"), m.room},
                {QStringLiteral("seq"), m.seq},
                {QStringLiteral("target"), m.target},
                {QStringLiteral("text"), m.text},
                {QStringLiteral("editedAt"), m.ts},
                {QStringLiteral("by"), m.from}};
    case MessageRow::Delete:
        return {{QStringLiteral("type"), proto::Type::MsgDeleted},
                {QStringLiteral("room"), m.room},
                {QStringLiteral("seq"), m.seq},
                {QStringLiteral("target"), m.target},
                {QStringLiteral("by"), m.from},
                {QStringLiteral("ts"), m.ts}};
    case MessageRow::ReactOn:
    case MessageRow::ReactOff:
        return {{QStringLiteral("type"), proto::Type::MsgReaction},
                {QStringLiteral("room"), m.room},
                {QStringLiteral("seq"), m.seq},
                {QStringLiteral("target"), m.target},
                {QStringLiteral("emoji"), m.text},
                {QStringLiteral("by"), m.from},
                {QStringLiteral("on"), m.kind == MessageRow::ReactOn},
                {QStringLiteral("ts"), m.ts}};
    default:
        break;
    }
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("message")},
                  {QStringLiteral("room"), m.room},
                  {QStringLiteral("seq"), m.seq},
                  {QStringLiteral("from"), m.from},
                  {QStringLiteral("text"), m.text},
                  {QStringLiteral("ts"), m.ts},
                  {QStringLiteral("clientId"), m.clientId}};
    addMentions(o, m.mentions, m.mentionsRoom);
    if (m.editedAt > 0)
        o.insert(QStringLiteral("edited"), m.editedAt);
    if (m.deleted)
        o.insert(QStringLiteral("deleted"), true);
    if (!m.file.isEmpty())
        o.insert(QStringLiteral("file"), toJson(m.file));
    if (!m.reactions.isEmpty()) {
        QJsonArray reactions;
        for (const ReactionRow &r : m.reactions)
            reactions.append(
                QJsonObject{{QStringLiteral("emoji"), r.emoji},
                            {QStringLiteral("count"), r.people.size()},
                            {QStringLiteral("people"), QJsonArray::fromStringList(r.people)}});
        o.insert(QStringLiteral("reactions"), reactions);
    }
    return o;
}

QJsonObject toJson(const MessageFile &f)
{
    return {{QStringLiteral("id"), f.id},
            {QStringLiteral("name"), f.name},
            {QStringLiteral("size"), f.size},
            {QStringLiteral("type"), f.type}};
}

void addMentions(QJsonObject &message, const QStringList &names, bool room)
{
    if (!names.isEmpty())
        message.insert(QStringLiteral("mentions"), QJsonArray::fromStringList(names));
    if (room)
        message.insert(QStringLiteral("mentionsRoom"), true);
}

namespace {
// A JSON string as Qt's writer escapes it: quote, backslash and the control characters (the
// short forms where JSON has them, \u00xx otherwise); everything else as UTF-8.
void appendString(QByteArray &out, const QString &text)
{
    static const char hex[] = "0123456789abcdef";
    out += '"';
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (u < 0x20) {
                out += "\\u00";
                out += hex[u >> 4];
                out += hex[u & 0xf];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}
} // namespace

QByteArray messageFrame(const MessageRow &m)
{
    if (m.isChange() || m.editedAt > 0 || m.deleted || !m.reactions.isEmpty() || !m.file.isEmpty())
        return QJsonDocument(toJson(m)).toJson(QJsonDocument::Compact);
    QByteArray out;
    out.reserve(96 + m.text.size() * 3 / 2 + m.room.size() + m.from.size() + m.clientId.size());
    out += "{\"clientId\":";
    appendString(out, m.clientId);
    out += ",\"from\":";
    appendString(out, m.from);
    if (!m.mentions.isEmpty()) {
        out += ",\"mentions\":[";
        for (qsizetype i = 0; i < m.mentions.size(); ++i) {
            if (i > 0)
                out += ',';
            appendString(out, m.mentions[i]);
        }
        out += ']';
    }
    if (m.mentionsRoom)
        out += ",\"mentionsRoom\":true";
    out += ",\"room\":";
    appendString(out, m.room);
    out += ",\"seq\":";
    out += QByteArray::number(m.seq);
    out += ",\"text\":";
    appendString(out, m.text);
    out += ",\"ts\":";
    out += QByteArray::number(m.ts);
    out += ",\"type\":\"message\"}";
    return out;
}

QJsonArray toJson(const QList<MessageRow> &messages)
{
    return arrayOf(messages);
}

QJsonObject toJson(const ResolvedAction &r)
{
    if (r.action.isEmpty()) // settled by the publishing service, in its words
        return {{QStringLiteral("action"), QJsonValue()},
                {QStringLiteral("by"), r.by},
                {QStringLiteral("at"), r.at},
                {QStringLiteral("text"), r.text},
                {QStringLiteral("source"), true}};
    return {{QStringLiteral("action"), r.action},
            {QStringLiteral("by"), r.by},
            {QStringLiteral("at"), r.at}};
}

QJsonObject toJson(const NotificationRow &n)
{
    QJsonArray actions;
    for (const NotificationAction &a : n.actions)
        actions.append(
            QJsonObject{{QStringLiteral("id"), a.id}, {QStringLiteral("label"), a.label}});
    // The publisher's object as it gave it, and which service published it.
    QJsonObject source = QJsonDocument::fromJson(n.sourceJson).object();
    source.insert(QStringLiteral("service"), n.service);
    QJsonObject o{
        {QStringLiteral("id"), n.id},
        {QStringLiteral("title"), n.title},
        {QStringLiteral("body"), n.body},
        {QStringLiteral("priority"), n.priority},
        {QStringLiteral("category"), n.category},
        {QStringLiteral("link"), n.link},
        {QStringLiteral("actions"), actions},
        {QStringLiteral("source"), source},
        {QStringLiteral("threadKey"),
         n.threadKey.isEmpty() ? QJsonValue() : QJsonValue(n.threadKey)},
        {QStringLiteral("createdAt"), n.createdAt},
        {QStringLiteral("expiresAt"), n.expiresAt ? QJsonValue(*n.expiresAt) : QJsonValue()},
        {QStringLiteral("resolved"), n.resolved ? QJsonValue(toJson(*n.resolved)) : QJsonValue()}};
    if (n.read)
        o.insert(QStringLiteral("read"), *n.read);
    if (n.updatedAt)
        o.insert(QStringLiteral("updatedAt"), *n.updatedAt);
    if (n.retractedAt)
        o.insert(QStringLiteral("retractedAt"), *n.retractedAt);
    if (n.reach) {
        o.insert(QStringLiteral("recipients"), n.reach->recipients);
        o.insert(QStringLiteral("readBy"), n.reach->readBy);
    }
    return o;
}

QJsonArray toJson(const QList<NotificationRow> &notifications)
{
    return arrayOf(notifications);
}

QJsonObject toJson(const ServiceRow &s)
{
    return {{QStringLiteral("id"), s.id},
            {QStringLiteral("name"), s.name},
            {QStringLiteral("webhook"), s.webhookUrl},
            {QStringLiteral("signed"), s.isSigned()}};
}

QJsonArray toJson(const QList<ServiceRow> &services)
{
    return arrayOf(services);
}

QJsonObject toJson(const GroupRow &g)
{
    return {{QStringLiteral("name"), g.name}, {QStringLiteral("members"), g.memberCount}};
}

QJsonArray toJson(const QList<GroupRow> &groups)
{
    return arrayOf(groups);
}

QByteArray notificationChangeFrame(const NotificationRow &n)
{
    if (n.retractedAt)
        return proto::encode(
            proto::Type::NotifRetracted,
            {{QStringLiteral("notification"), n.id}, {QStringLiteral("changeSeq"), n.changeSeq}});
    NotificationRow shown = n;
    shown.read.reset(); // the same frame for every recipient: read state is each one's own
    return proto::encode(proto::Type::NotifUpdated,
                         {{QStringLiteral("notification"), toJson(shown)},
                          {QStringLiteral("changeSeq"), n.changeSeq}});
}

} // namespace herald::wire
