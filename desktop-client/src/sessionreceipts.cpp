// Session: whether this person's read positions are shown to others (read receipts). The server
// keeps the choice for all their devices: it comes with hello and receipts.sync, and a change
// here is sent as receipts.set and put back if the server refuses it.
#include "session.h"

using namespace Qt::StringLiterals;
namespace proto = herald::proto;

void Session::applySendReadReceipts(bool send)
{
    if (send == m_sendReceipts)
        return;
    m_sendReceipts = send;
    Q_EMIT sendReadReceiptsChanged();
}

void Session::setSendReadReceipts(bool send)
{
    if (send == m_sendReceipts || m_connection.state() != Connection::Connected)
        return; // signed out: nothing to change; the next hello says what the server keeps
    applySendReadReceipts(send);
    m_connection.request(proto::Type::ReceiptsSet, {{u"send"_s, send}},
                         [this, send](const Reply &reply) {
                             if (!reply.ok && m_sendReceipts == send)
                                 applySendReadReceipts(!send);
                         });
}
