#pragma once

#include <QNetworkAccessManager>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace herald {

class Database;

/**
 * @brief Delivers the webhook outbox: each action is POSTed as JSON to its service's URL with an
 * HMAC-SHA256 signature (header X-Herald-Signature: sha256=<hex>), retried with exponential
 * backoff until the receiver answers 2xx. Rows live in storage, so a restart loses nothing.
 */
class Webhooks : public QObject
{
    Q_OBJECT
public:
    explicit Webhooks(Database *db, QObject *parent = nullptr);
    /** @brief Look for due deliveries now (an action was just stored). */
    void poke();
    static QByteArray sign(const QByteArray &secret, const QByteArray &body);
    static qint64 backoffMs(int attempts);

private:
    void deliver(qint64 id, const QString &url, const QByteArray &secret, const QByteArray &payload,
                 int attempts);

    Database *m_db;
    QNetworkAccessManager m_net;
    QTimer m_timer;
    QSet<qint64> m_inFlight;
    bool m_scanning = false;
};

} // namespace herald
