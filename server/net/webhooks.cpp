#include "webhooks.h"

#include "core/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QMessageAuthenticationCode>
#include <QNetworkReply>

Q_LOGGING_CATEGORY(lcWebhooks, "herald.webhooks")

namespace herald {

Webhooks::Webhooks(Database *db, QObject *parent)
    : QObject(parent)
    , m_db(db)
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
    // 1 s, 2 s, 4 s ... capped at one hour.
    return std::min<qint64>(1000LL << std::min(attempts, 12), 3600 * 1000LL);
}

void Webhooks::poke()
{
    if (m_scanning)
        return;
    m_scanning = true;
    m_db->run(
        [](Store &st) {
            QJsonArray due;
            for (const Store::Webhook &w : st.dueWebhooks(QDateTime::currentMSecsSinceEpoch(), 50))
                due.append(QJsonObject{{QStringLiteral("id"), w.id},
                                       {QStringLiteral("url"), w.url},
                                       {QStringLiteral("secret"), w.secret},
                                       {QStringLiteral("payload"), QString::fromUtf8(w.payload)},
                                       {QStringLiteral("attempts"), w.attempts}});
            return QJsonObject{{QStringLiteral("due"), due}};
        },
        this,
        [this](const QJsonObject &r) {
            m_scanning = false;
            for (const QJsonValue &v : r.value(QLatin1String("due")).toArray()) {
                const QJsonObject w = v.toObject();
                deliver(w.value(QLatin1String("id")).toInteger(),
                        w.value(QLatin1String("url")).toString(),
                        w.value(QLatin1String("secret")).toString().toUtf8(),
                        w.value(QLatin1String("payload")).toString().toUtf8(),
                        w.value(QLatin1String("attempts")).toInt());
            }
        });
}

void Webhooks::deliver(qint64 id, const QString &url, const QByteArray &secret,
                       const QByteArray &payload, int attempts)
{
    if (m_inFlight.contains(id))
        return;
    m_inFlight.insert(id);
    QNetworkRequest req{QUrl(url)};
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    req.setRawHeader("X-Herald-Event", "notification.action");
    req.setRawHeader("X-Herald-Delivery", QByteArray::number(id));
    req.setRawHeader("X-Herald-Signature", sign(secret, payload));
    req.setRawHeader("User-Agent", "herald-server/" HERALD_VERSION);
    QNetworkReply *reply = m_net.post(req, payload);
    connect(reply, &QNetworkReply::finished, this, [this, reply, id, attempts] {
        reply->deleteLater();
        m_inFlight.remove(id);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const bool ok = reply->error() == QNetworkReply::NoError && status >= 200 && status < 300;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const QString why =
            ok ? QString() : QStringLiteral("HTTP %1 %2").arg(status).arg(reply->errorString());
        if (!ok)
            qCInfo(lcWebhooks).noquote()
                << "webhook" << id << "failed (attempt" << attempts + 1 << "):" << why;
        m_db->run(
            [ok, id, now, attempts, why](Store &st) {
                if (ok)
                    st.webhookDone(id, now);
                else
                    st.webhookFailed(id, now + backoffMs(attempts), why);
                return QJsonObject{};
            },
            this, [](const QJsonObject &) {});
    });
}

} // namespace herald
