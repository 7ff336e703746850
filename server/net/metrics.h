#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QObject>

namespace herald {

class Hub;
class FrontServer;

/** @brief Prometheus text exposition of the hub's counters and a delivery latency histogram. */
class Metrics : public QObject
{
    Q_OBJECT
public:
    explicit Metrics(Hub *hub, QObject *parent = nullptr);
    void observeDelivery(qint64 ms);
    void countRejected(int status);
    [[nodiscard]] QByteArray render() const;
    [[nodiscard]] qint64 uptimeSeconds() const { return m_started.elapsed() / 1000; }

private:
    Hub *m_hub;
    QElapsedTimer m_started;
    QList<double> m_bounds;
    QList<quint64> m_buckets;
    double m_sum = 0;
    quint64 m_count = 0;
    quint64 m_rejected = 0;
};

} // namespace herald
