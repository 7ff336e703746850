#include "webhooks.h"

#include "core/clock.h"
#include "core/database.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMessageAuthenticationCode>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QUrl>

Q_LOGGING_CATEGORY(lcWebhooks, "herald.webhooks")

namespace herald {

Webhooks::Webhooks(Database *db, Limits limits, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_limits(limits)
{
    m_net.setTransferTimeout(10000);
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &Webhooks::poke);
    m_timer.start();
}

QByteArray Webhooks::sign(const QByteArray &secret, const QByteArray &body)
{
    return "sha256=" +
           QMessageAuthenticationCode::hash(body, secret, QCryptographicHash::Sha256).toHex();
}

qint64 Webhooks::backoffMs(int attempts)
{
    const qint64 ceiling = std::min<qint64>(1000LL << std::min(attempts, 12), 3600 * 1000LL);
    return ceiling / 2 + QRandomGenerator::global()->bounded(ceiling / 2 + 1);
}

bool Webhooks::givesUp(int failures, qint64 createdAt, qint64 now) const
{
    return failures >= m_limits.maxAttempts ||
           (createdAt > 0 && now - createdAt >= m_limits.maxAgeMs);
}

void Webhooks::poke()
{
    if (m_scanning)
        return;
    m_scanning = true;
    m_db->run<QList<Store::Webhook>>(
        [](Store &st) { return st.dueWebhooks(clock::nowMs(), 50); }, this,
        [this](StoreResult<QList<Store::Webhook>> r) {
            m_scanning = false;
            if (const auto *due = std::get_if<QList<Store::Webhook>>(&r))
                for (const Store::Webhook &w : *due)
                    deliver(w.id, w.url, w.secret.toUtf8(), w.payload, w.attempts, w.createdAt);
        });
}

void Webhooks::deliver(qint64 id, const QString &url, const QByteArray &secret,
                       const QByteArray &payload, int attempts, qint64 createdAt)
{
    if (m_inFlight.contains(id))
        return;
    m_inFlight.insert(id);
    QNetworkRequest req{QUrl(url)};
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    // The body's event (notification.action, .delivered, .seen, .read), for routing unread.
    const QByteArray event = QJsonDocument::fromJson(payload)
                                 .object()
                                 .value(QLatin1String("event"))
                                 .toString(QStringLiteral("notification.action"))
                                 .toUtf8();
    req.setRawHeader("X-Herald-Event", event);
    req.setRawHeader("X-Herald-Delivery", QByteArray::number(id));
    req.setRawHeader("X-Herald-Signature", sign(secret, payload));
    req.setRawHeader("User-Agent", "herald-server/" HERALD_VERSION);
    QNetworkReply *reply = m_net.post(req, payload);
    connect(reply, &QNetworkReply::finished, this, [this, reply, id, attempts, createdAt, url] {
        reply->deleteLater();
        // The id stays in flight until its outcome is committed: a scan queued before that
        // commit still sees the row as due and would send it a second time.
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const bool ok = reply->error() == QNetworkReply::NoError && status >= 200 && status < 300;
        const qint64 now = clock::nowMs();
        const QString why =
            ok ? QString() : QStringLiteral("HTTP %1 %2").arg(status).arg(reply->errorString());
        const bool dead = !ok && givesUp(attempts + 1, createdAt, now);
        if (dead) {
            // Loudly: the service never learns of this action unless someone looks.
            ++m_undeliverable;
            qCWarning(lcWebhooks).noquote()
                << "webhook" << id << "to" << QUrl(url).host() << "gave up after" << attempts + 1
                << "attempts; last:" << why
                << "(heraldctl webhook failures lists it, heraldctl webhook retry" << id
                << "tries again)";
        } else if (!ok) {
            qCInfo(lcWebhooks).noquote()
                << "webhook" << id << "failed (attempt" << attempts + 1 << "):" << why;
        }
        m_db->run<Ok>(
            [ok, dead, id, now, attempts, why](Store &st) {
                if (ok)
                    st.webhookDone(id, now);
                else
                    st.webhookFailed(id, now + backoffMs(attempts), why, dead);
                return Ok{};
            },
            this, [this, id](StoreResult<Ok>) { m_inFlight.remove(id); });
    });
}

} // namespace herald
