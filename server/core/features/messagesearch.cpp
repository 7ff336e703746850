#include "messagesearch.h"

#include "core/wire.h"

#include "roomdirectory.h"

#include <QSet>

#include <algorithm>

namespace herald {

using namespace proto;
using namespace feature;

namespace {
/** @brief How far before the first match a snippet starts. */
constexpr int SnippetLead = 40;

bool isWordChar(char32_t c)
{
    return QChar::isLetterOrNumber(c) || QChar::isMark(c);
}
} // namespace

MessageSearch::MessageSearch(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
}

QStringList MessageSearch::words(const QString &query)
{
    QStringList out;
    QSet<QString> seen;
    QString word;
    const auto flush = [&] {
        if (!word.isEmpty() && !seen.contains(word.toCaseFolded())) {
            seen.insert(word.toCaseFolded());
            out << word;
        }
        word.clear();
    };
    for (qsizetype i = 0; i < query.size(); ++i) {
        char32_t c = query.at(i).unicode();
        qsizetype width = 1;
        if (query.at(i).isHighSurrogate() && i + 1 < query.size() &&
            query.at(i + 1).isLowSurrogate()) {
            c = QChar::surrogateToUcs4(query.at(i), query.at(i + 1));
            width = 2;
        }
        if (isWordChar(c))
            word += query.mid(i, width);
        else
            flush();
        i += width - 1;
    }
    flush();
    return out;
}

QString MessageSearch::snippet(const QString &text, const QStringList &words)
{
    if (text.size() <= SnippetLength)
        return {};
    qsizetype first = -1;
    for (const QString &w : words) {
        const qsizetype at = text.indexOf(w, 0, Qt::CaseInsensitive);
        if (at >= 0 && (first < 0 || at < first))
            first = at;
    }
    qsizetype start = std::clamp<qsizetype>(first - SnippetLead, 0, text.size() - SnippetLength);
    qsizetype end = start + SnippetLength;
    // Never cut a surrogate pair in half.
    if (start > 0 && text.at(start).isLowSurrogate())
        ++start;
    if (end < text.size() && text.at(end).isLowSurrogate())
        ++end;
    return (start > 0 ? QStringLiteral("…") : QString()) + text.mid(start, end - start).trimmed() +
           (end < text.size() ? QStringLiteral("…") : QString());
}

QString MessageSearch::cursorText(const SearchCursor &cursor)
{
    return QStringLiteral("%1.%2.%3").arg(cursor.ts).arg(cursor.roomId).arg(cursor.seq);
}

std::optional<SearchCursor> MessageSearch::parseCursor(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char('.'));
    if (parts.size() != 3)
        return std::nullopt;
    qint64 v[3];
    for (int i = 0; i < 3; ++i) {
        const std::optional<qint64> n = parseSafeInteger(parts.at(i));
        if (!n || *n < 0)
            return std::nullopt;
        v[i] = *n;
    }
    return SearchCursor{v[0], v[1], v[2]};
}

void MessageSearch::onSearch(Conn &c, const Frame &f)
{
    const QString query = f.str(key("query"));
    if (query.size() > MaxQueryLength)
        return m_ctx.conns.send(
            c, error(f.id(), s(Err::BadValue),
                     QStringLiteral("the query is longer than %1 characters").arg(MaxQueryLength),
                     s("query")));
    if (query.trimmed().isEmpty())
        return m_ctx.conns.send(
            c, error(f.id(), s(Err::BadValue), s("the query is empty"), s("query")));
    qint64 roomId = 0;
    if (f.has(key("room"))) {
        const RoomDirectory::Room *room = m_ctx.directory->memberRoom(c, f);
        if (!room)
            return;
        roomId = room->id;
    }
    SearchCursor from;
    if (f.has(key("before"))) {
        const std::optional<SearchCursor> cursor = parseCursor(f.str(key("before")));
        if (!cursor)
            return m_ctx.conns.send(
                c, error(f.id(), s(Err::BadValue),
                         s("'before' is not a cursor this server gave (use 'next' of a page)"),
                         s("before")));
        from = *cursor;
    }
    const qint64 limit = f.integer(key("limit"), DefaultLimit);
    if (limit < 1)
        return m_ctx.conns.send(
            c, error(f.id(), s(Err::BadValue), s("'limit' must be at least 1"), s("limit")));
    const QStringList found = words(query);
    const qint64 userId = c.userId;
    m_ctx.request<SearchPage>(
        this, c, f,
        [=](Store &st) {
            return st.searchMessages(userId, roomId, found, from, static_cast<int>(limit));
        },
        [found](quint64, SearchPage &page) -> StoreResult<QJsonObject> {
            QJsonArray results;
            for (const SearchHit &h : page.hits) {
                const MessageRow &m = h.message;
                QJsonObject o{{key("room"), m.room},
                              {key("seq"), m.seq},
                              {key("from"), m.from},
                              {key("text"), m.text},
                              {key("ts"), m.ts}};
                const QString cut = snippet(m.text, found);
                if (!cut.isEmpty())
                    o.insert(key("snippet"), cut);
                if (!m.file.isEmpty())
                    o.insert(key("file"), wire::toJson(m.file));
                results.append(o);
            }
            return QJsonObject{{key("results"), results},
                               {key("next"), page.next ? QJsonValue(cursorText(*page.next))
                                                       : QJsonValue(QJsonValue::Null)}};
        });
}

} // namespace herald
