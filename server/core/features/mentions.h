#pragma once

#include "core/storage/mentionrepository.h"
#include "core/storage/rows.h"

#include "roomdirectory.h"

#include <QString>
#include <QStringList>

#include <variant>

namespace herald {

/**
 * @brief Who a chat message mentions: `@name` of a current member of the room (a name as user
 * names are written, after the start of the text or a character that cannot be part of a
 * name, so an e-mail address is no mention), and `@room` for every member, honoured only in
 * rooms of at most mention_room_max_members members. Found on the hub at msg.send, stored with
 * the message (MentionRepository) and carried in its frame.
 */
class Mentions
{
public:
    /** @brief What a message mentions: for storage (ids) and for its frame (names, sorted). */
    struct Found
    {
        MentionSet stored;
        QStringList names;
    };

    /** @brief The `@` tokens of text, in order, each as written (the longest run of name
     *  characters after the @; it may end in punctuation that is not part of the name). */
    [[nodiscard]] static QStringList tokens(const QString &text);
    /** @brief The members of room that text mentions, and @room; bad_value (field text) when
     *  it says @room in a room of more than roomMaxMembers members. */
    [[nodiscard]] static std::variant<Found, StoreError> resolve(const RoomDirectory &directory,
                                                                 const RoomDirectory::Room &room,
                                                                 const QString &text,
                                                                 int roomMaxMembers);
};

} // namespace herald
