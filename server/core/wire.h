#pragma once

// The protocol's JSON for what storage returns (docs/protocol.md): built here, at the edge,
// from the typed rows, and nowhere in storage.

#include "storage/rows.h"

#include <QJsonArray>
#include <QJsonObject>

namespace herald::wire {

/** @brief A chat message as frames carry it: {type: "message", room, seq, from, text, ts,
 *  clientId}, with mentions and mentionsRoom when it has them, edited (ms), deleted (true),
 *  file ({id, name, size, type}) and reactions ([{emoji, count, people}]) when so; a change record
 * as its event: msg.edited, msg.deleted or msg.reaction. */
QJsonObject toJson(const MessageRow &m);
/** @brief A message's file: {id, name, size, type} (the "file" of message frames). */
QJsonObject toJson(const MessageFile &f);
/** @brief Adds a message's "mentions" (names, when any) and "mentionsRoom" (true, when @room
 *  was honoured) to its JSON. */
void addMentions(QJsonObject &message, const QStringList &names, bool room);
/** @brief The same message as a frame's bytes, written directly: the same text as
 *  QJsonDocument(toJson(m)).toJson(Compact) (keys in order, Qt's escapes), without building a
 *  QJsonObject per row. A resume or gap fill sends thousands of these. */
QByteArray messageFrame(const MessageRow &m);
/** @brief What a device is told of a notification that changed after it got it: `notif.retracted`
 *  when its service withdrew it, else `notif.updated` with its whole state; both with the
 *  change number (live and on resume). */
QByteArray notificationChangeFrame(const NotificationRow &n);
QJsonArray toJson(const QList<MessageRow> &messages);

/** @brief {id, title, body, priority, category, link, actions, source (with "service"),
 *  createdAt, expiresAt (null when none), resolved (null or {action, by, at})}, plus "read" in
 *  a person's view, or "recipients" and "readBy" in the publishing service's. */
QJsonObject toJson(const NotificationRow &n);
QJsonArray toJson(const QList<NotificationRow> &notifications);

/** @brief {action, by, at}. */
QJsonObject toJson(const ResolvedAction &r);

/** @brief {id, name, webhook, signed}: never the secret. */
QJsonObject toJson(const ServiceRow &s);
QJsonArray toJson(const QList<ServiceRow> &services);

/** @brief {name, members}: the number of members. */
QJsonObject toJson(const GroupRow &g);
QJsonArray toJson(const QList<GroupRow> &groups);

} // namespace herald::wire
