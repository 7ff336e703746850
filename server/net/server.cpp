#include "server.h"

#include "control.h"
#include "core/database.h"
#include "core/hub.h"
#include "fdpeer.h"
#include "filehandler.h"
#include "frontserver.h"
#include "httpapi.h"
#include "ioworker.h"
#include "metrics.h"
#include "redisbus.h"
#include "requesthead.h"
#include "webhooks.h"
#include "wspeer.h"

#include <herald/protocol.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QSslKey>
#include <QSysInfo>
#include <QThread>
#include <QWebSocketServer>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

Q_LOGGING_CATEGORY(lcServer, "herald.server")

namespace herald {

Server::Server(Config config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
}

Server::~Server()
{
    stop();
}

quint16 Server::port() const
{
    return m_front ? m_front->serverPort() : 0;
}

QString Server::start()
{
    m_db = std::make_unique<Database>();
    m_db->setMaxBatch(static_cast<size_t>(m_config.storageMaxBatch));
    if (QString err = m_db->open(StorageSettings::fromConfig(m_config)); !err.isEmpty())
        return err;
    connect(
        m_db.get(), &Database::writableChanged, this,
        [](bool writable, const QString &reason) {
            if (writable)
                qCInfo(lcServer) << "storage takes writes again";
            else
                qCCritical(lcServer).noquote() << "storage refuses writes:" << reason;
        },
        Qt::QueuedConnection);
    // The service that heraldctl's `notify` publishes as.
    const StoreResult<qint64> cli = m_db->runSync<qint64>([](Store &st) -> StoreResult<qint64> {
        qint64 id = 0;
        for (const ServiceRow &s : st.services())
            if (s.name == QLatin1String("heraldctl"))
                id = s.id;
        if (!id) {
            auto r = st.createService(QStringLiteral("heraldctl"), QString(), QString());
            if (auto *p = std::get_if<qint64>(&r))
                id = *p;
        }
        return id;
    });
    m_hub = std::make_unique<Hub>(m_config, m_db.get());
    if (QString err = m_hub->load(); !err.isEmpty())
        return err;
    m_metrics = std::make_unique<Metrics>(m_hub.get(), m_db.get());
    if (m_config.bus == QLatin1String("redis")) {
        const QByteArray node =
            (m_config.nodeId.isEmpty() ? QSysInfo::machineHostName() + QLatin1Char('-') +
                                             QString::number(QCoreApplication::applicationPid())
                                       : m_config.nodeId)
                .toUtf8();
        m_bus = std::make_unique<RedisBus>(m_config.redisHost, m_config.redisPort, node);
        if (qEnvironmentVariableIntValue("HERALD_TEST_DROP_EVERY_NTH_PUBLISH") > 0)
            m_bus->setDropEveryNth(
                qEnvironmentVariableIntValue("HERALD_TEST_DROP_EVERY_NTH_PUBLISH"));
        m_hub->setBus(m_bus.get(), node);
        m_bus->start();
        qCInfo(lcServer).noquote()
            << "cluster node" << node << "on redis" << m_config.redisHost << m_config.redisPort;
    }

    // Several handshake servers: QWebSocketServer's handshake slot calls QObject::sender(), which
    // is linear in the sockets connected to it, so one server makes a connect storm O(n^2).
    QList<QWebSocketServer *> shards;
    for (int i = 0; i < 16; ++i) {
        auto ws = std::make_unique<QWebSocketServer>(QStringLiteral("herald"),
                                                     QWebSocketServer::NonSecureMode);
        ws->setSupportedSubprotocols({QString::fromLatin1(proto::Subprotocol)});
        ws->setMaxPendingConnections(100000);
        shards << ws.get();
        m_ws.push_back(std::move(ws));
    }
    m_http = std::make_unique<HttpApi>(m_hub.get(), m_metrics.get());

    FrontLimits limits;
    limits.origins = m_config.origins;
    limits.requestLineBytes = m_config.maxRequestLineBytes;
    limits.headerBytes = std::max(m_config.maxHeaderBytes, m_config.maxRequestLineBytes);
    limits.headerCount = m_config.maxHeaderCount;
    limits.publishBodyBytes = m_config.maxBodyBytes;
    limits.requestDeadlineMs = m_config.requestTimeout * 1000;
    limits.maxConnections = m_config.maxConnections;
    limits.maxConnectionsPerIp = m_config.maxConnectionsPerIp;
    limits.keepaliveTimeoutMs = m_config.keepaliveTimeout * 1000;
    limits.keepaliveRequests = m_config.keepaliveRequests;
    m_front = new FrontServer(shards, limits);
    m_front->setListenBacklogSize(m_config.listenBacklog);
    connect(m_front, &FrontServer::rejected, m_metrics.get(), &Metrics::countRejected);
    if (!m_config.tlsCert.isEmpty() || !m_config.tlsKey.isEmpty()) {
        QFile certFile(m_config.tlsCert), keyFile(m_config.tlsKey);
        if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly))
            return QStringLiteral("cannot read tls_cert or tls_key");
        const QList<QSslCertificate> chain =
            QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
        const QByteArray keyPem = keyFile.readAll();
        if (chain.isEmpty())
            return QStringLiteral("tls_cert holds no PEM certificate");
        QSslKey usable(keyPem, QSsl::Rsa, QSsl::Pem);
        if (usable.isNull())
            usable = QSslKey(keyPem, QSsl::Ec, QSsl::Pem);
        if (usable.isNull())
            return QStringLiteral("tls_key holds no PEM RSA or EC private key");
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificateChain(chain);
        tls.setPrivateKey(usable);
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_front->setTls(tls);
    }
    if (!m_front->listen(QHostAddress(m_config.listen), m_config.port))
        return QStringLiteral("cannot listen on %1:%2: %3")
            .arg(m_config.listen)
            .arg(m_config.port)
            .arg(m_front->errorString());
    m_http->bind(m_front);
    // File uploads: streamed to the store by FileHandler, never buffered by QtHttpServer.
    m_front->setBodyTaker(
        {&FileHandler::takes, [this](QTcpSocket *socket, const RequestHead &head) {
             m_http->files()->upload(socket, head);
         }});

    // Plain connections: the front answers the handshake and the descriptor is served directly.
    m_front->setUpgradeHandler([this](Upgraded up) {
        // Frames are small and latency matters: no Nagle (else up to 40 ms of delayed ACK).
        const int on = 1;
        ::setsockopt(up.fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        auto *peer =
            new FdPeer(up.fd, std::move(up.address), std::move(up.early), m_hub.get(),
                       m_config.outboundQueueBytes, m_config.maxFrameBytes, std::move(up.released));
        peer->start(QString::fromLatin1(up.bearer),
                    m_io.empty() ? nullptr : m_io[m_nextIo++ % m_io.size()].get());
    });
    // TLS connections: QWebSocketServer performs the handshake over the QSslSocket.
    for (QWebSocketServer *shard : shards)
        connect(shard, &QWebSocketServer::newConnection, this, [this, shard] {
            while (shard->hasPendingConnections()) {
                std::unique_ptr<QWebSocket> ws(shard->nextPendingConnection());
                QTcpSocket *tcp = m_front->takeUpgradedSocket(
                    FrontServer::peerKey(ws->peerAddress(), ws->peerPort()));
                // Frames are small and latency matters: no Nagle (else up to 40 ms of delayed ACK).
                if (tcp)
                    tcp->setSocketOption(QAbstractSocket::LowDelayOption, 1);
                const QByteArray auth = ws->request().rawHeader("Authorization");
                const QString bearer = auth.toLower().startsWith("bearer ")
                                           ? QString::fromLatin1(auth.mid(7).trimmed())
                                           : QString();
                auto *peer =
                    new WsPeer(std::move(ws), tcp, m_hub.get(), m_config.outboundQueueBytes,
                               static_cast<quint64>(m_config.maxFrameBytes));
                peer->start(bearer, m_io.empty() ? nullptr : m_io[m_nextIo++ % m_io.size()].get());
            }
        });

    // Network threads: each owns a share of the WebSocket connections and writes their frames,
    // so fan-out uses more than one core. The hub stays on this thread.
    const int io =
        m_config.ioThreads > 0 ? m_config.ioThreads : std::min(8, QThread::idealThreadCount());
    for (int i = 0; i < io; ++i)
        m_io.push_back(std::make_unique<IoWorker>(i, m_config.ioUring == 1));
    m_webhooks = std::make_unique<Webhooks>(
        m_db.get(), Webhooks::Limits{m_config.webhookMaxAttempts,
                                     qint64(m_config.webhookMaxAgeHours) * 3600 * 1000});
    m_metrics->setWebhooks(m_webhooks.get());
    connect(m_hub.get(), &Hub::webhookQueued, m_webhooks.get(), &Webhooks::poke);
    m_control =
        std::make_unique<Control>(m_hub.get(), m_metrics.get(),
                                  std::holds_alternative<qint64>(cli) ? std::get<qint64>(cli) : 0);
    QString controlError;
    if (!m_control->listen(QDir(m_config.dataDir).absoluteFilePath(QStringLiteral("herald.sock")),
                           &controlError))
        qCWarning(lcServer).noquote()
            << "control socket unavailable (heraldctl cannot reach this server):" << controlError;
    qCInfo(lcServer).noquote() << "storage" << StorageSettings::fromConfig(m_config).describe();
    return {};
}

void Server::stop()
{
    if (!m_db)
        return;
    if (m_front)
        m_front->close();
    if (m_hub)
        m_hub->closeAll(proto::Close::GoingAway, QStringLiteral("server shutting down"));
    m_control.reset();
    m_webhooks.reset();
    m_io.clear();  // closes what is left on the network threads and joins them
    m_db->close(); // runs every queued job and commits before returning
    Q_EMIT stopped();
    m_http.reset();
    m_front = nullptr;
    m_ws.clear();
    m_metrics.reset();
    m_hub.reset();
    m_db.reset();
}

} // namespace herald
