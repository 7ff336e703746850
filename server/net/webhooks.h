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
 * backoff and jitter until the receiver answers 2xx. Rows live in storage, so a restart loses
 * nothing. A delivery that failed `webhook_max_attempts` times, or is older than
 * `webhook_max_age_hours`, gives up loudly: a warning in the log, a count in /metrics, and a
 * row in the dead-letter list (`heraldctl webhook failures`, `heraldctl webhook retry ID`).
 */
class Webhooks : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        int maxAttempts = 12;
        qint64 maxAgeMs = 72 * 3600 * 1000LL;
    };
    Webhooks(Database *db, Limits limits, QObject *parent = nullptr);
    /** @brief Look for due deliveries now (an action was just stored). */
    void poke();
    static QByteArray sign(const QByteArray &secret, const QByteArray &body);
    /** @brief The wait after the attempts-th failure: 1 s, 2 s, 4 s ... capped at one hour,
     *  each drawn at random from its upper half (jitter: receivers that failed together are
     *  not all tried again in the same second). */
    static qint64 backoffMs(int attempts);
    /** @brief Whether a delivery with this many failures so far (this one included), queued at
     *  createdAt (0: unknown), gives up now. */
    [[nodiscard]] bool givesUp(int failures, qint64 createdAt, qint64 now) const;
    /** @brief Deliveries that gave up since start (herald_webhooks_undeliverable_total). */
    [[nodiscard]] quint64 undeliverable() const { return m_undeliverable; }

private:
    void deliver(qint64 id, const QString &url, const QByteArray &secret, const QByteArray &payload,
                 int attempts, qint64 createdAt);

    Database *m_db;
    Limits m_limits;
    quint64 m_undeliverable = 0;
    QNetworkAccessManager m_net;
    QTimer m_timer;
    QSet<qint64> m_inFlight;
    bool m_scanning = false;
};

} // namespace herald
