#pragma once

#include <QLocalServer>
#include <QObject>

namespace herald {

class Hub;
class Metrics;

/**
 * @brief The admin control socket, `<data_dir>/herald.sock` (mode 0600, so only the server's
 * own user and root can use it). heraldctl sends one JSON line and reads one JSON line back:
 * {"cmd":"reload"} after it changed storage, {"cmd":"status"}, {"cmd":"publish",...}.
 */
class Control : public QObject
{
    Q_OBJECT
public:
    Control(Hub *hub, Metrics *metrics, qint64 serviceId, QObject *parent = nullptr);
    bool listen(const QString &path, QString *error);

private:
    void handle(class QLocalSocket *socket);

    Hub *m_hub;
    Metrics *m_metrics;
    qint64 m_cliService;
    QLocalServer m_server;
};

} // namespace herald
