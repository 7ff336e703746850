#include "mentioncompleter.h"
#include "userlistmodel.h"

using namespace Qt::StringLiterals;

namespace {
bool isNameChar(QChar c)
{
    // Login names: letters, digits, '.', '_' and '-'.
    return c.isLetterOrNumber() || c == u'.' || c == u'_' || c == u'-';
}

bool startsWithWord(const QString &display, const QString &query)
{
    // "car" finds "Carol Smith" and "Anne Carter" (any word of the display name).
    const QStringList words = display.split(u' ', Qt::SkipEmptyParts);
    return std::any_of(words.cbegin(), words.cend(),
                       [&](const QString &w) { return w.startsWith(query, Qt::CaseInsensitive); });
}
} // namespace

MentionCompleter::MentionCompleter(QObject *parent)
    : QAbstractListModel(parent)
{
}

int MentionCompleter::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant MentionCompleter::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case DisplayNameRole:
        return r.room ? tr("Everyone in the room") : r.display;
    case NameRole:
        return r.name;
    case IsRoomRole:
        return r.room;
    default:
        return {};
    }
}

QHash<int, QByteArray> MentionCompleter::roleNames() const
{
    return {{NameRole, "name"}, {DisplayNameRole, "displayName"}, {IsRoomRole, "isRoom"}};
}

void MentionCompleter::setMembers(UserListModel *members)
{
    if (m_members == members)
        return;
    if (m_members)
        m_members->disconnect(this);
    m_members = members;
    if (m_members) {
        // Members load after the window opens, and come and go.
        connect(m_members, &QAbstractItemModel::modelReset, this, &MentionCompleter::refilter);
        connect(m_members, &QAbstractItemModel::rowsInserted, this, &MentionCompleter::refilter);
        connect(m_members, &QAbstractItemModel::rowsRemoved, this, &MentionCompleter::refilter);
    }
    refilter();
    Q_EMIT membersChanged();
}

void MentionCompleter::setAllowRoom(bool allow)
{
    if (m_allowRoom == allow)
        return;
    m_allowRoom = allow;
    refilter();
    Q_EMIT allowRoomChanged();
}

void MentionCompleter::update(const QString &text, int cursorPosition)
{
    m_text = text;
    m_cursor = std::clamp(cursorPosition, 0, int(text.size()));
    // Back from the cursor over name characters to an "@" at the start or after a space.
    int at = m_cursor;
    while (at > 0 && isNameChar(text.at(at - 1)))
        --at;
    const bool mention =
        at > 0 && text.at(at - 1) == u'@' && (at == 1 || text.at(at - 2).isSpace());
    m_started = mention ? at - 1 : -1;
    const QString query = mention ? text.mid(at, m_cursor - at) : QString();
    if (query != m_query) {
        m_query = query;
        Q_EMIT queryChanged();
    }
    refilter();
}

void MentionCompleter::refilter()
{
    QList<Row> rows;
    if (m_started >= 0) {
        if (m_members) {
            for (int i = 0; i < m_members->rowCount() && rows.size() < MaxRows; ++i) {
                const QModelIndex index = m_members->index(i);
                if (index.data(UserListModel::SelfRole).toBool())
                    continue; // mentioning oneself alerts nobody
                const QString name = index.data(UserListModel::NameRole).toString();
                const QString display = index.data(UserListModel::DisplayNameRole).toString();
                if (name.startsWith(m_query, Qt::CaseInsensitive) ||
                    startsWithWord(display, m_query))
                    rows.append({name, display, false});
            }
        }
        if (m_allowRoom && u"room"_s.startsWith(m_query, Qt::CaseInsensitive) &&
            rows.size() < MaxRows)
            rows.append({u"room"_s, {}, true});
    }
    const bool same = rows.size() == m_rows.size() &&
                      std::equal(rows.cbegin(), rows.cend(), m_rows.cbegin(),
                                 [](const Row &a, const Row &b) { return a.name == b.name; });
    if (!same) {
        // A new filter result: the whole list is new, so a reset (not row by row).
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
        setCurrentIndex(0);
    }
    Q_EMIT activeChanged();
}

QString MentionCompleter::completedText(int row) const
{
    if (row < 0 || row >= m_rows.size() || m_started < 0)
        return m_text;
    QString after = m_text.mid(m_cursor);
    // The rest of a name the cursor was in the middle of goes too.
    int skip = 0;
    while (skip < after.size() && isNameChar(after.at(skip)))
        ++skip;
    after = after.mid(skip);
    const QString inserted = u"@"_s + m_rows.at(row).name + u" "_s;
    if (after.startsWith(u' '))
        after = after.mid(1);
    return m_text.left(m_started) + inserted + after;
}

int MentionCompleter::completedCursor(int row) const
{
    if (row < 0 || row >= m_rows.size() || m_started < 0)
        return m_cursor;
    return m_started + int(m_rows.at(row).name.size()) + 2; // "@" + name + " "
}

void MentionCompleter::dismiss()
{
    if (m_started < 0)
        return;
    m_started = -1;
    refilter();
}

void MentionCompleter::move(int delta)
{
    if (m_rows.isEmpty())
        return;
    const int n = int(m_rows.size());
    setCurrentIndex(((m_current + delta) % n + n) % n);
}

void MentionCompleter::setCurrentIndex(int index)
{
    index = m_rows.isEmpty() ? 0 : std::clamp(index, 0, int(m_rows.size()) - 1);
    if (m_current == index)
        return;
    m_current = index;
    Q_EMIT currentIndexChanged();
}
