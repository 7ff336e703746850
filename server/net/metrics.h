#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QObject>

namespace herald {

class Hub;
class FrontServer;
class Database;

/** @brief Prometheus text exposition of the hub's counters and a delivery latency histogram. */
class Webhooks;

class Metrics : public QObject
{
    Q_OBJECT
public:
    /** @brief db (may be null): its commit counters are exported too. */
    explicit Metrics(Hub *hub, const Database *db = nullptr, QObject *parent = nullptr);
    void observeDelivery(qint64 ms);
    void countRejected(int status);
    [[nodiscard]] QByteArray render() const;
    /** @brief Exports how many webhook deliveries gave up. */
    void setWebhooks(const Webhooks *webhooks) { m_webhooks = webhooks; }
    [[nodiscard]] qint64 uptimeSeconds() const { return m_started.elapsed() / 1000; }

private:
    Hub *m_hub;
    const Database *m_db;
    const Webhooks *m_webhooks = nullptr;
    QElapsedTimer m_started;
    QList<double> m_bounds;
    QList<quint64> m_buckets;
    double m_sum = 0;
    quint64 m_count = 0;
    quint64 m_rejected = 0;
};

} // namespace herald
