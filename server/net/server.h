#pragma once

#include "core/config.h"

#include <QObject>

#include <memory>
#include <vector>

class QWebSocketServer;

namespace herald {

class Database;
class Hub;
class FrontServer;
class HttpApi;
class Metrics;
class Webhooks;
class Control;
class RedisBus;
class IoWorker;

/** @brief One herald-server node: storage, hub, the listening front, HTTP API, webhooks, control.
 */
class Server : public QObject
{
    Q_OBJECT
public:
    explicit Server(Config config, QObject *parent = nullptr);
    ~Server() override;

    /** @brief Opens storage and starts listening; returns an error message or empty. */
    QString start();
    /** @brief Stops accepting, closes connections with 1001, flushes storage. */
    void stop();
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] Hub *hub() const { return m_hub.get(); }
    [[nodiscard]] Database *database() const { return m_db.get(); }

Q_SIGNALS:
    void stopped();

private:
    Config m_config;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<Hub> m_hub;
    std::unique_ptr<Metrics> m_metrics;
    std::vector<std::unique_ptr<QWebSocketServer>> m_ws;
    std::unique_ptr<HttpApi> m_http;
    FrontServer *m_front = nullptr; // owned by m_http (bind() reparents it)
    std::unique_ptr<Webhooks> m_webhooks;
    std::unique_ptr<Control> m_control;
    std::unique_ptr<RedisBus> m_bus;
    std::vector<std::unique_ptr<IoWorker>> m_io;
    size_t m_nextIo = 0;
};

} // namespace herald
