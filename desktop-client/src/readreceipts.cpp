#include "readreceipts.h"

#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;

ReadReceipts::ReadReceipts(QObject *parent)
    : QObject(parent)
{
}

void ReadReceipts::setMembers(const QJsonArray &members)
{
    QHash<QString, qint64> positions;
    for (const QJsonValue &v : members) {
        const QJsonObject m = v.toObject();
        const QString name = m.value("name"_L1).toString();
        if (name.isEmpty() || name == m_self || !m.contains("readSeq"_L1))
            continue;
        // A receipt that came while the list was on its way may be newer: keep the larger.
        positions.insert(
            name, std::max(qint64(m.value("readSeq"_L1).toDouble()), m_positions.value(name, -1)));
    }
    if (positions == m_positions)
        return;
    m_positions = positions;
    Q_EMIT changed();
}

bool ReadReceipts::apply(const QString &user, qint64 seq)
{
    if (user.isEmpty() || user == m_self || seq < 0 || seq <= m_positions.value(user, -1))
        return false;
    m_positions.insert(user, seq);
    Q_EMIT changed();
    return true;
}

void ReadReceipts::remove(const QString &user)
{
    if (m_positions.remove(user))
        Q_EMIT changed();
}

void ReadReceipts::clear()
{
    if (m_positions.isEmpty())
        return;
    m_positions.clear();
    Q_EMIT changed();
}
