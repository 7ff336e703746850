#include "receiptsender.h"

#include "connection.h"

#include <herald/protocol.h>

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace {
constexpr int MaxIdsPerAck = 500; // the server's limit for notif.ack
constexpr int BatchDelayMs = 250;
} // namespace

ReceiptSender::ReceiptSender(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(BatchDelayMs);
    connect(&m_timer, &QTimer::timeout, this, &ReceiptSender::flush);
}

void ReceiptSender::setConnection(Connection *connection)
{
    m_connection = connection;
    if (connection)
        connect(connection, &Connection::stateChanged, this, [this] {
            if (m_connection && m_connection->state() == Connection::Connected &&
                (!m_pendingDelivered.isEmpty() || !m_pendingSeen.isEmpty()))
                m_timer.start();
        });
}

void ReceiptSender::delivered(qint64 id)
{
    queue(m_delivered, m_pendingDelivered, id);
}

void ReceiptSender::seen(qint64 id)
{
    queue(m_seen, m_pendingSeen, id);
}

void ReceiptSender::reset()
{
    m_timer.stop();
    m_delivered.clear();
    m_seen.clear();
    m_pendingDelivered.clear();
    m_pendingSeen.clear();
}

void ReceiptSender::queue(QSet<qint64> &done, QList<qint64> &pending, qint64 id)
{
    if (id <= 0 || done.contains(id))
        return;
    done.insert(id);
    pending.append(id);
    if (!m_timer.isActive())
        m_timer.start();
}

void ReceiptSender::flush()
{
    if (!m_connection || m_connection->state() != Connection::Connected)
        return; // kept: sent when the connection is back
    send(u"delivered"_s, m_pendingDelivered);
    send(u"seen"_s, m_pendingSeen);
}

void ReceiptSender::send(const QString &state, QList<qint64> &pending)
{
    while (!pending.isEmpty()) {
        QJsonArray ids;
        const qsizetype n = std::min<qsizetype>(pending.size(), MaxIdsPerAck);
        for (qsizetype i = 0; i < n; ++i)
            ids.append(pending[i]);
        pending.remove(0, n);
        m_connection->request(herald::proto::Type::NotifAck,
                              {{u"ids"_s, ids}, {u"state"_s, state}});
    }
}
