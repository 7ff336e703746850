// ChatRoom's read receipts: who has read how far (chatroom.cpp holds the rest of ChatRoom).
#include "chatroom.h"

#include <QLocale>

void ChatRoom::handleReceipt(const QString &user, qint64 seq)
{
    m_receipts.apply(user, seq); // changed() -> refreshReceipts()
}

QString ChatRoom::readText(qint64 seq) const
{
    const int held = m_messages.confirmedCount();
    if (seq < 0 || held == 0)
        return {};
    if (seq >= m_messages.lastSeq())
        return tr("Seen the latest");
    for (int row = held - 1; row >= 0; --row) {
        const MessageModel::Message &m = m_messages.at(row);
        if (m.seq <= seq)
            return tr("Read up to %1")
                .arg(QLocale().toString(m.ts.toLocalTime().time(), QLocale::ShortFormat));
    }
    return tr("Read earlier messages");
}

void ChatRoom::refreshReceipts()
{
    const QHash<QString, qint64> &positions = m_receipts.positions();
    m_messages.setReaders(positions);
    QHash<QString, QString> texts;
    for (auto it = positions.cbegin(); it != positions.cend(); ++it)
        texts.insert(it.key(), readText(it.value()));
    m_members.setReadTexts(texts);
}
