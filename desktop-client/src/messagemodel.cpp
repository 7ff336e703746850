#include "messagemodel.h"

#include <QJsonArray>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 RunGapMs = 5 * 60 * 1000; // a new header after five quiet minutes
}

MessageModel::MessageModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int MessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

bool MessageModel::startsRun(int row) const
{
    if (row == 0)
        return true;
    const Message &m = m_rows.at(row);
    const Message &prev = m_rows.at(row - 1);
    return prev.from != m.from || prev.ts.msecsTo(m.ts) > RunGapMs;
}

QVariant MessageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Message &m = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TextRole:
        return m.text;
    case SeqRole:
        return m.seq;
    case AuthorRole:
        return m.from;
    case AuthorDisplayRole:
        return m_displayName ? m_displayName(m.from) : m.from;
    case TimeRole:
        return m.ts;
    case StateRole:
        switch (m.state) {
        case State::Pending:
            return u"pending"_s;
        case State::Sent:
            return u"sent"_s;
        case State::Failed:
            return u"failed"_s;
        }
        return {};
    case OwnRole:
        return !m_self.isEmpty() && m.from == m_self;
    case ShowHeaderRole:
        return startsRun(index.row());
    case ClientIdRole:
        return m.clientId;
    case EditedRole:
        return m.editedAt.isValid();
    case DeletedRole:
        return m.deleted;
    case ReactionsRole: {
        QVariantList list;
        for (const Reaction &r : m.reactions)
            list.append(QVariantMap{{u"emoji"_s, r.emoji},
                                    {u"count"_s, int(r.people.size())},
                                    {u"mine"_s, !m_self.isEmpty() && r.people.contains(m_self)},
                                    {u"people"_s, r.people.join(u", "_s)}});
        return list;
    }
    case MentionsMeRole:
        return m.mentionsUser(m_self);
    case SeenByRole:
        return seenBy(m.seq);
    case SeenTextRole:
        return seenText(seenBy(m.seq));
    case FileIdRole:
        return m.file.id;
    case FileNameRole:
        return m.file.name;
    case FileSizeRole:
        return m.file.size;
    case FileTypeRole:
        return m.file.type;
    case IsImageRole:
        return !m.file.isEmpty() && m.file.isImage();
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageModel::roleNames() const
{
    return {{SeqRole, "seq"},
            {AuthorRole, "author"},
            {AuthorDisplayRole, "authorDisplay"},
            {TextRole, "text"},
            {TimeRole, "time"},
            {StateRole, "deliveryState"},
            {OwnRole, "own"},
            {ShowHeaderRole, "showHeader"},
            {ClientIdRole, "clientId"},
            {EditedRole, "edited"},
            {DeletedRole, "deleted"},
            {ReactionsRole, "reactions"},
            {MentionsMeRole, "mentionsMe"},
            {SeenByRole, "seenBy"},
            {SeenTextRole, "seenText"},
            {FileIdRole, "fileId"},
            {FileNameRole, "fileName"},
            {FileSizeRole, "fileSize"},
            {FileTypeRole, "fileType"},
            {IsImageRole, "isImage"}};
}

MessageModel::Message MessageModel::fromJson(const QJsonObject &o)
{
    Message m;
    m.seq = qint64(o.value("seq"_L1).toDouble());
    m.from = o.value("from"_L1).toString();
    m.text = o.value("text"_L1).toString();
    m.ts = QDateTime::fromMSecsSinceEpoch(qint64(o.value("ts"_L1).toDouble()), Qt::UTC);
    m.clientId = o.value("clientId"_L1).toString();
    if (o.contains("edited"_L1))
        m.editedAt =
            QDateTime::fromMSecsSinceEpoch(qint64(o.value("edited"_L1).toDouble()), Qt::UTC);
    m.deleted = o.value("deleted"_L1).toBool();
    for (const QJsonValue &v : o.value("reactions"_L1).toArray()) {
        Reaction r{v.toObject().value("emoji"_L1).toString(), {}};
        for (const QJsonValue &p : v.toObject().value("people"_L1).toArray())
            r.people << p.toString();
        if (!r.emoji.isEmpty() && !r.people.isEmpty())
            m.reactions << r;
    }
    // Absent (an older server, or nobody named): no mentions.
    for (const QJsonValue &v : o.value("mentions"_L1).toArray())
        m.mentions.append(v.toString());
    m.mentionsRoom = o.value("mentionsRoom"_L1).toBool();
    m.file = FileAttachment::fromJson(o.value("file"_L1).toObject());
    return m;
}

void MessageModel::touchNext(int row)
{
    // The row after an insertion may stop (or start) being the first of a run.
    if (row + 1 < m_rows.size()) {
        const QModelIndex i = index(row + 1);
        Q_EMIT dataChanged(i, i, {ShowHeaderRole});
    }
}

bool MessageModel::contains(qint64 seq) const
{
    const auto end = m_rows.cbegin() + m_confirmed;
    const auto it = std::lower_bound(m_rows.cbegin(), end, seq,
                                     [](const Message &m, qint64 s) { return m.seq < s; });
    return it != end && it->seq == seq;
}

int MessageModel::rowOf(qint64 seq) const
{
    const auto end = m_rows.cbegin() + m_confirmed;
    const auto it = std::lower_bound(m_rows.cbegin(), end, seq,
                                     [](const Message &m, qint64 s) { return m.seq < s; });
    return it != end && it->seq == seq ? int(it - m_rows.cbegin()) : -1;
}

void MessageModel::changed(int row, const QList<int> &roles)
{
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, roles);
}

bool MessageModel::applyEdit(qint64 seq, const QString &text, const QDateTime &at)
{
    const int row = rowOf(seq);
    if (row < 0 || m_rows.at(row).deleted)
        return false;
    Message &m = m_rows[row];
    m.text = text;
    if (!m.editedAt.isValid() || at > m.editedAt)
        m.editedAt = at;
    changed(row, {Qt::DisplayRole, TextRole, EditedRole});
    return true;
}

bool MessageModel::applyDelete(qint64 seq)
{
    const int row = rowOf(seq);
    if (row < 0)
        return false;
    Message &m = m_rows[row];
    if (m.deleted)
        return false;
    m.deleted = true;
    m.text.clear();
    m.reactions.clear();
    m.file = {}; // a deleted message shows no file either
    changed(row, {Qt::DisplayRole, TextRole, DeletedRole, ReactionsRole, FileIdRole, FileNameRole,
                  FileSizeRole, FileTypeRole, IsImageRole});
    return true;
}

bool MessageModel::applyReaction(qint64 seq, const QString &emoji, const QString &person, bool on)
{
    const int row = rowOf(seq);
    if (row < 0 || m_rows.at(row).deleted || emoji.isEmpty())
        return false;
    QList<Reaction> &reactions = m_rows[row].reactions;
    auto it = std::find_if(reactions.begin(), reactions.end(),
                           [&](const Reaction &r) { return r.emoji == emoji; });
    if (on) {
        if (it == reactions.end())
            it = reactions.insert(reactions.end(), Reaction{emoji, {}});
        if (it->people.contains(person))
            return false;
        it->people << person;
    } else {
        if (it == reactions.end() || !it->people.removeOne(person))
            return false;
        if (it->people.isEmpty())
            reactions.erase(it);
    }
    changed(row, {ReactionsRole});
    return true;
}

bool MessageModel::insertMessage(const Message &incoming)
{
    if (incoming.seq <= 0)
        return false;
    if (const int held = rowOf(incoming.seq); held >= 0) {
        // Seen before: a resume or history page brings its state now.
        Message &m = m_rows[held];
        if (incoming.deleted && !m.deleted) {
            applyDelete(incoming.seq);
        } else if (!m.deleted) {
            // A page fetched before a live edit arrived must not undo it.
            const bool older = m.editedAt.isValid() &&
                               (!incoming.editedAt.isValid() || incoming.editedAt < m.editedAt);
            if (!older && (m.text != incoming.text || m.editedAt != incoming.editedAt)) {
                m.text = incoming.text;
                m.editedAt = incoming.editedAt;
                changed(held, {Qt::DisplayRole, TextRole, EditedRole});
            }
            if (m.reactions != incoming.reactions) {
                m.reactions = incoming.reactions;
                changed(held, {ReactionsRole});
            }
        }
        return false;
    }
    Message message = incoming;
    message.state = State::Sent;
    // Our own echo comes back with its clientId: the pending row becomes this message.
    const int pendingAt = message.clientId.isEmpty() ? -1 : pendingRow(message.clientId);
    if (pendingAt >= 0) {
        beginRemoveRows({}, pendingAt, pendingAt);
        m_rows.removeAt(pendingAt);
        endRemoveRows();
    }
    const auto end = m_rows.begin() + m_confirmed;
    const auto it = std::lower_bound(m_rows.begin(), end, message.seq,
                                     [](const Message &m, qint64 s) { return m.seq < s; });
    const int row = int(it - m_rows.begin());
    beginInsertRows({}, row, row);
    m_rows.insert(row, message);
    ++m_confirmed;
    endInsertRows();
    touchNext(row);
    if (!m_readers.isEmpty() && !m_self.isEmpty() && message.from == m_self)
        placeReaders();
    return true;
}

void MessageModel::addPending(const Message &message)
{
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.append(message);
    m_rows.last().state = State::Pending;
    endInsertRows();
}

int MessageModel::pendingRow(const QString &clientId) const
{
    for (int i = m_confirmed; i < m_rows.size(); ++i)
        if (m_rows.at(i).clientId == clientId)
            return i;
    return -1;
}

void MessageModel::markSent(const QString &clientId, qint64 seq, const QDateTime &ts)
{
    const int row = pendingRow(clientId);
    if (row < 0)
        return; // the message frame already confirmed it
    Message m = m_rows.at(row);
    m.seq = seq;
    if (ts.isValid())
        m.ts = ts;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
    insertMessage(m);
}

void MessageModel::markFailed(const QString &clientId)
{
    setPendingState(clientId, State::Failed);
}

void MessageModel::markPending(const QString &clientId)
{
    setPendingState(clientId, State::Pending);
}

void MessageModel::setPendingState(const QString &clientId, State state)
{
    const int row = pendingRow(clientId);
    if (row < 0 || m_rows.at(row).state == state)
        return;
    m_rows[row].state = state;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {StateRole});
}

QList<MessageModel::Message> MessageModel::pending() const
{
    QList<Message> list;
    for (int i = m_confirmed; i < m_rows.size(); ++i)
        if (m_rows.at(i).state == State::Pending)
            list.append(m_rows.at(i));
    return list;
}

void MessageModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_confirmed = 0;
    m_seenBy.clear();
    endResetModel();
}

qint64 MessageModel::firstSeq() const
{
    return m_confirmed > 0 ? m_rows.first().seq : 0;
}

qint64 MessageModel::lastSeq() const
{
    return m_confirmed > 0 ? m_rows.at(m_confirmed - 1).seq : 0;
}

void MessageModel::refreshNames()
{
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_rows.size()) - 1), {AuthorDisplayRole});
}

void MessageModel::setReaders(const QHash<QString, qint64> &positions)
{
    if (positions == m_readers)
        return;
    m_readers = positions;
    placeReaders();
}

void MessageModel::placeReaders()
{
    QList<qint64> own; // the person's confirmed messages, ascending
    for (int i = 0; i < m_confirmed; ++i)
        if (!m_self.isEmpty() && m_rows.at(i).from == m_self)
            own << m_rows.at(i).seq;
    QHash<qint64, QStringList> placed;
    for (auto it = m_readers.cbegin(); it != m_readers.cend(); ++it) {
        if (it.key() == m_self)
            continue;
        const auto after = std::upper_bound(own.cbegin(), own.cend(), it.value());
        if (after != own.cbegin())
            placed[*(after - 1)] << it.key();
    }
    for (QStringList &names : placed)
        names.sort();
    QSet<qint64> touched;
    for (auto it = placed.cbegin(); it != placed.cend(); ++it)
        if (m_seenBy.value(it.key()) != it.value())
            touched.insert(it.key());
    for (auto it = m_seenBy.cbegin(); it != m_seenBy.cend(); ++it)
        if (!placed.contains(it.key()))
            touched.insert(it.key());
    m_seenBy = placed;
    for (qint64 seq : std::as_const(touched))
        if (const int row = rowOf(seq); row >= 0)
            changed(row, {SeenByRole, SeenTextRole});
}

QStringList MessageModel::seenBy(qint64 seq) const
{
    QStringList names;
    if (seq <= 0)
        return names;
    for (const QString &login : m_seenBy.value(seq))
        names << (m_displayName ? m_displayName(login) : login);
    return names;
}

QString MessageModel::seenText(const QStringList &names)
{
    switch (names.size()) {
    case 0:
        return {};
    case 1:
        return tr("Seen by %1").arg(names.at(0));
    case 2:
        return tr("Seen by %1 and %2").arg(names.at(0), names.at(1));
    default:
        return tr("Seen by %1, %2 and %n other(s)", "", int(names.size()) - 2)
            .arg(names.at(0), names.at(1));
    }
}
