#pragma once

#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

class Connection;

/**
 * @brief Tells the server which notifications reached this device and which the person saw
 * (`notif.ack`, docs/protocol.md), for the per-person receipts a publishing service reads.
 *
 * Delivered: a notification arrived here (hello, live or resume). Seen: it was shown on screen,
 * as Herald's toast or as a native notification. Each id is acknowledged once per state and
 * sign-in; acks made while offline wait for the connection; they go out in batches (at most 500
 * ids a frame), a quarter of a second after the first one, so a resume of many costs few frames.
 */
class ReceiptSender : public QObject
{
    Q_OBJECT
public:
    explicit ReceiptSender(QObject *parent = nullptr);
    void setConnection(Connection *connection);
    void delivered(qint64 id);
    void seen(qint64 id);
    /** @brief Signed out or in as someone else: nothing acknowledged so far counts any more. */
    void reset();

private:
    void queue(QSet<qint64> &done, QList<qint64> &pending, qint64 id);
    void flush();
    void send(const QString &state, QList<qint64> &pending);

    QPointer<Connection> m_connection;
    QSet<qint64> m_delivered;
    QSet<qint64> m_seen;
    QList<qint64> m_pendingDelivered;
    QList<qint64> m_pendingSeen;
    QTimer m_timer;
};
