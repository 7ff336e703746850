#include "searchresultsmodel.h"

#include "chatroom.h"
#include "session.h"

#include <herald/protocol.h>

#include <QJsonArray>

using namespace Qt::StringLiterals;
namespace proto = herald::proto;

namespace {
bool isWordChar(char32_t c)
{
    return QChar::isLetterOrNumber(c) || QChar::isMark(c);
}
/** @brief The code point at @p i and how many UTF-16 units it takes. */
std::pair<char32_t, qsizetype> codePointAt(const QString &s, qsizetype i)
{
    if (s.at(i).isHighSurrogate() && i + 1 < s.size() && s.at(i + 1).isLowSurrogate())
        return {QChar::surrogateToUcs4(s.at(i), s.at(i + 1)), 2};
    return {s.at(i).unicode(), 1};
}
} // namespace

SearchResultsModel::SearchResultsModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int SearchResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_hits.size());
}

QVariant SearchResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Hit &h = m_hits.at(index.row());
    switch (role) {
    case RoomRole:
        return h.room;
    case RoomDisplayRole: {
        const ChatRoom *room = m_session ? m_session->room(h.room) : nullptr;
        return room ? room->displayName() : h.room;
    }
    case SeqRole:
        return h.seq;
    case AuthorRole:
        return h.from;
    case AuthorDisplayRole:
        return m_session ? m_session->displayNameOf(h.from) : h.from;
    case Qt::DisplayRole:
    case TextRole:
        return h.text;
    case SnippetRole:
        return h.snippet.isEmpty() ? h.text : h.snippet;
    case TimeRole:
        return h.ts;
    case HighlightedRole:
        return highlight(h.snippet.isEmpty() ? h.text : h.snippet, m_words);
    default:
        return {};
    }
}

QHash<int, QByteArray> SearchResultsModel::roleNames() const
{
    return {{RoomRole, "room"},
            {RoomDisplayRole, "roomDisplay"},
            {SeqRole, "seq"},
            {AuthorRole, "author"},
            {AuthorDisplayRole, "authorDisplay"},
            {TextRole, "text"},
            {SnippetRole, "snippet"},
            {TimeRole, "time"},
            {HighlightedRole, "richExcerpt"}};
}

void SearchResultsModel::setSession(Session *session)
{
    if (m_session == session)
        return;
    m_session = session;
    Q_EMIT sessionChanged();
}

void SearchResultsModel::clear()
{
    ++m_generation;
    if (!m_hits.isEmpty()) {
        beginResetModel();
        m_hits.clear();
        endResetModel();
    }
    m_next.clear();
    m_error.clear();
    m_busy = false;
    m_searched = false;
    m_words.clear();
    if (!m_query.isEmpty()) {
        m_query.clear();
        Q_EMIT queryChanged();
    }
    Q_EMIT stateChanged();
}

void SearchResultsModel::search(const QString &query)
{
    const QString q = query.trimmed();
    clear();
    if (q.isEmpty())
        return;
    m_query = q;
    m_words = words(q);
    Q_EMIT queryChanged();
    if (q.size() > MaxQueryLength) {
        m_error = tr("Search for at most %n character(s).", "", MaxQueryLength);
        Q_EMIT stateChanged();
        return;
    }
    request({});
}

void SearchResultsModel::loadMore()
{
    if (m_busy || m_next.isEmpty())
        return;
    request(m_next);
}

void SearchResultsModel::request(const QString &before)
{
    Connection *connection = m_session ? m_session->connection() : nullptr;
    if (!connection || connection->state() != Connection::Connected) {
        applyError(u"disconnected"_s, {}, {});
        return;
    }
    QJsonObject body{{u"query"_s, m_query}, {u"limit"_s, PageSize}};
    if (!before.isEmpty())
        body.insert(u"before"_s, before);
    m_busy = true;
    m_error.clear();
    Q_EMIT stateChanged();
    const quint64 generation = m_generation;
    const QString query = m_query;
    const bool append = !before.isEmpty();
    QPointer<SearchResultsModel> self(this);
    connection->request(
        proto::Type::RoomSearch, body, [self, generation, query, append](const Reply &reply) {
            if (!self || self->m_generation != generation)
                return; // a newer search (or clear) replaced this one
            if (reply.ok)
                self->applyPage(query, reply.data, append);
            else
                self->applyError(reply.code, reply.body.value("field"_L1).toString(),
                                 reply.message);
        });
}

void SearchResultsModel::applyPage(const QString &query, const QJsonObject &data, bool append)
{
    if (!append || query != m_query) {
        if (!m_hits.isEmpty()) {
            beginResetModel();
            m_hits.clear();
            endResetModel();
        }
        if (query != m_query) {
            m_query = query;
            Q_EMIT queryChanged();
        }
        m_words = words(query);
    }
    QList<Hit> page;
    for (const QJsonValue &v : data.value("results"_L1).toArray()) {
        const QJsonObject o = v.toObject();
        page << Hit{o.value("room"_L1).toString(),
                    o.value("seq"_L1).toInteger(),
                    o.value("from"_L1).toString(),
                    o.value("text"_L1).toString(),
                    o.value("snippet"_L1).toString(),
                    QDateTime::fromMSecsSinceEpoch(o.value("ts"_L1).toInteger())};
    }
    if (!page.isEmpty()) {
        const int first = static_cast<int>(m_hits.size());
        beginInsertRows({}, first, first + static_cast<int>(page.size()) - 1);
        m_hits << page;
        endInsertRows();
    }
    m_next = data.value("next"_L1).toString();
    m_busy = false;
    m_searched = true;
    m_error.clear();
    Q_EMIT stateChanged();
}

void SearchResultsModel::applyError(const QString &code, const QString &field,
                                    const QString &message)
{
    m_busy = false;
    if (code == "disconnected"_L1)
        m_error = tr("Herald is offline: search again when it is connected.");
    else if (code == QLatin1String(proto::Err::BadValue) && field == "query"_L1)
        m_error = tr("Search for at most %n character(s).", "", MaxQueryLength);
    else
        m_error = tr("The search failed: %1").arg(message.isEmpty() ? code : message);
    Q_EMIT stateChanged();
}

QStringList SearchResultsModel::words(const QString &query)
{
    QStringList out;
    QString word;
    for (qsizetype i = 0; i < query.size();) {
        const auto [c, width] = codePointAt(query, i);
        if (isWordChar(c)) {
            word += query.mid(i, width);
        } else if (!word.isEmpty()) {
            out << word;
            word.clear();
        }
        i += width;
    }
    if (!word.isEmpty())
        out << word;
    return out;
}

QString SearchResultsModel::highlight(const QString &text, const QStringList &words)
{
    QString out;
    QString plain;
    const auto flushPlain = [&] {
        out += plain.toHtmlEscaped().replace(u'\n', "<br>"_L1);
        plain.clear();
    };
    bool atWordStart = true;
    for (qsizetype i = 0; i < text.size();) {
        qsizetype match = 0;
        if (atWordStart)
            for (const QString &w : words)
                if (w.size() > match &&
                    QStringView(text).mid(i, w.size()).compare(w, Qt::CaseInsensitive) == 0)
                    match = w.size();
        if (match > 0) {
            flushPlain();
            out += "<b>"_L1 + text.mid(i, match).toHtmlEscaped() + "</b>"_L1;
            i += match;
            atWordStart = false;
            continue;
        }
        const auto [c, width] = codePointAt(text, i);
        plain += text.mid(i, width);
        atWordStart = !isWordChar(c);
        i += width;
    }
    flushPlain();
    return out;
}
