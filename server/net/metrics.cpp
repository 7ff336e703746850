#include "metrics.h"
#include "webhooks.h"

#include "core/database.h"
#include "core/features/retention.h"
#include "core/hub.h"

namespace herald {

Metrics::Metrics(Hub *hub, const Database *db, QObject *parent)
    : QObject(parent)
    , m_hub(hub)
    , m_db(db)
    , m_bounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}
    , m_buckets(m_bounds.size() + 1, 0)
{
    m_started.start();
    connect(hub, &Hub::delivered, this, &Metrics::observeDelivery);
}

void Metrics::observeDelivery(qint64 ms)
{
    const double seconds = static_cast<double>(std::max<qint64>(ms, 0)) / 1000.0;
    qsizetype i = 0;
    while (i < m_bounds.size() && seconds > m_bounds[i])
        ++i;
    ++m_buckets[i];
    m_sum += seconds;
    ++m_count;
}

void Metrics::countRejected(int)
{
    ++m_rejected;
}

QByteArray Metrics::render() const
{
    const HubStats &s = m_hub->stats();
    QByteArray out;
    auto metric = [&out](const char *name, const char *type, const char *help, double value) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n' +
               name + ' ' + QByteArray::number(value, 'g', 15) + '\n';
    };
    metric("herald_connections", "gauge", "Open WebSocket connections.", m_hub->connectionCount());
    metric("herald_online_people", "gauge", "People with at least one connection.",
           m_hub->onlineCount());
    metric("herald_frames_in_total", "counter", "Frames received from clients.",
           static_cast<double>(s.framesIn));
    metric("herald_frames_out_total", "counter", "Frames sent to clients.",
           static_cast<double>(s.framesOut));
    metric("herald_messages_stored_total", "counter", "Chat messages stored.",
           static_cast<double>(s.messagesStored));
    metric("herald_notifications_published_total", "counter", "Notifications published.",
           static_cast<double>(s.notificationsPublished));
    metric("herald_notifications_delivered_total", "counter",
           "Notification frames delivered to connections.",
           static_cast<double>(s.notificationsDelivered));
    metric("herald_outbound_queue_drops_total", "counter",
           "Connections closed for a full outbound queue.",
           static_cast<double>(s.slowConsumerDrops));
    metric("herald_auth_failures_total", "counter", "Failed or timed-out authentications.",
           static_cast<double>(s.authFailures));
    metric("herald_state_reloads_total", "counter",
           "Full re-reads of people, rooms and tokens (after heraldctl changed them).",
           static_cast<double>(s.stateReloads));
    metric("herald_bus_events_refused_total", "counter",
           "Cluster bus events that did not decode and were dropped.",
           static_cast<double>(s.busEventsRefused));
    metric("herald_http_rejected_total", "counter", "Requests refused by the front (limits).",
           static_cast<double>(m_rejected));
    if (m_db) {
        metric("herald_storage_transactions_total", "counter",
               "Storage transactions run (one per batch of jobs, read-only ones included).",
               static_cast<double>(m_db->batches()));
        metric("herald_storage_commits_total", "counter",
               "Storage transactions committed that wrote (each one durable write: an fsync of "
               "the SQLite WAL, a WAL flush on PostgreSQL).",
               static_cast<double>(m_db->writeCommits()));
        metric("herald_storage_jobs_total", "counter",
               "Storage jobs run (publishes, messages, reads...), grouped into transactions.",
               static_cast<double>(m_db->jobs()));
    }
    if (m_webhooks)
        metric("herald_webhooks_undeliverable_total", "counter",
               "Webhook deliveries that gave up (webhook_max_attempts or webhook_max_age_hours) "
               "since start; heraldctl webhook failures lists them.",
               static_cast<double>(m_webhooks->undeliverable()));
    const PurgeCounts &purged = m_hub->retention()->purged();
    metric("herald_purged_notifications_total", "counter",
           "Notifications removed by retention (retain_read_days, retain_unread_days) since start.",
           static_cast<double>(purged.notifications()));
    metric("herald_purged_messages_total", "counter",
           "Chat messages removed by retention (retain_messages_days, room retention) since start.",
           static_cast<double>(purged.messages));
    metric("herald_purged_files_total", "counter",
           "Chat file attachments removed by retention (no message carries them any more, or "
           "never sent within file_orphan_hours) since start.",
           static_cast<double>(purged.files));
    metric("herald_uptime_seconds", "gauge", "Seconds since start.",
           static_cast<double>(uptimeSeconds()));
    out += "# HELP herald_delivery_latency_seconds Publish-to-fan-out latency of notifications.\n"
           "# TYPE herald_delivery_latency_seconds histogram\n";
    quint64 cumulative = 0;
    for (qsizetype i = 0; i < m_bounds.size(); ++i) {
        cumulative += m_buckets[i];
        out += "herald_delivery_latency_seconds_bucket{le=\"" + QByteArray::number(m_bounds[i]) +
               "\"} " + QByteArray::number(cumulative) + '\n';
    }
    cumulative += m_buckets.last();
    out += "herald_delivery_latency_seconds_bucket{le=\"+Inf\"} " + QByteArray::number(cumulative) +
           '\n';
    out += "herald_delivery_latency_seconds_sum " + QByteArray::number(m_sum, 'g', 15) + '\n';
    out += "herald_delivery_latency_seconds_count " + QByteArray::number(m_count) + '\n';
    return out;
}

} // namespace herald
