#include "mentions.h"

#include <herald/protocol.h>

#include <algorithm>

namespace herald {

namespace {

bool isNameChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-' || u == u'_' ||
           u == u'.';
}

/** @brief The token, and the token without the punctuation that ends a sentence or a clause
 *  ("@bob." "@bob-"), which a name may also end in: the whole token is tried first. */
QStringList candidates(const QString &token)
{
    QStringList out{token};
    QString trimmed = token;
    while (!trimmed.isEmpty() &&
           (trimmed.endsWith(QLatin1Char('.')) || trimmed.endsWith(QLatin1Char('-')) ||
            trimmed.endsWith(QLatin1Char('_'))))
        trimmed.chop(1);
    if (!trimmed.isEmpty() && trimmed != token)
        out << trimmed;
    return out;
}

const QString Everyone = QStringLiteral("room");

} // namespace

QStringList Mentions::tokens(const QString &text)
{
    QStringList out;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] != QLatin1Char('@') || (i > 0 && isNameChar(text[i - 1])))
            continue;
        qsizetype end = i + 1;
        while (end < text.size() && isNameChar(text[end]))
            ++end;
        if (end > i + 1)
            out << text.mid(i + 1, end - i - 1);
        i = end - 1;
    }
    return out;
}

std::variant<Mentions::Found, StoreError> Mentions::resolve(const RoomDirectory &directory,
                                                            const RoomDirectory::Room &room,
                                                            const QString &text, int roomMaxMembers)
{
    Found found;
    for (const QString &token : tokens(text))
        for (const QString &name : candidates(token)) {
            if (name == Everyone) {
                found.stored.everyone = true;
                break;
            }
            const qint64 id = directory.userId(name);
            if (id != 0 && room.members.contains(id)) {
                if (!found.stored.userIds.contains(id)) {
                    found.stored.userIds << id;
                    found.names << name;
                }
                break;
            }
        }
    if (found.stored.everyone && room.members.size() > roomMaxMembers)
        return StoreError{QString::fromLatin1(proto::Err::BadValue),
                          QStringLiteral("@room is allowed only in rooms of at most %1 members;"
                                         " this one has %2")
                              .arg(roomMaxMembers)
                              .arg(room.members.size()),
                          QStringLiteral("text")};
    std::sort(found.names.begin(), found.names.end());
    return found;
}

} // namespace herald
