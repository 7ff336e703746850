#pragma once

#include "core/hubcontext.h"
#include "core/storage/searchrepository.h"

#include <QObject>
#include <QStringList>

#include <optional>

namespace herald {

/**
 * @brief Chat search: `room.search` over the messages of the rooms (DMs included) the person is
 * a member of, newest first, paged by an opaque cursor. The query is user text: it is cut into
 * words (runs of letters, marks and digits) that storage matches as word prefixes, all of them
 * required (storage/searchrepository.h), so no character of it is search syntax.
 */
class MessageSearch : public QObject
{
    Q_OBJECT
public:
    /** @brief The longest query, in UTF-16 code units (bad_value past it). */
    static constexpr int MaxQueryLength = 256;
    /** @brief Results per page by default (the protocol allows 1 to 50). */
    static constexpr int DefaultLimit = 20;
    /** @brief Texts longer than this get a snippet of about this length around the first match. */
    static constexpr int SnippetLength = 160;

    explicit MessageSearch(HubContext &ctx, QObject *parent = nullptr);

    /** @brief room.search {query, room?, before?, limit?}: {results, next}. */
    void onSearch(Conn &c, const proto::Frame &f);

    /** @brief The words of a query: runs of letters, marks and digits, each once (ignoring
     *  case), in order. */
    [[nodiscard]] static QStringList words(const QString &query);
    /** @brief About SnippetLength characters of text around the first place one of the words
     *  occurs, with "…" where it was cut; empty when the text is short enough to show whole. */
    [[nodiscard]] static QString snippet(const QString &text, const QStringList &words);
    /** @brief The cursor as the protocol carries it ("ts.roomId.seq"), and back (nothing when
     *  the text is not one). */
    [[nodiscard]] static QString cursorText(const SearchCursor &cursor);
    [[nodiscard]] static std::optional<SearchCursor> parseCursor(const QString &text);

private:
    HubContext &m_ctx;
};

} // namespace herald
