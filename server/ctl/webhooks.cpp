// heraldctl: webhook deliveries that gave up (the dead-letter list), and trying one again.
#include "ctl.h"

#include "core/clock.h"
#include "core/store.h"

#include <herald/protocol.h>

#include <QJsonDocument>
#include <QJsonObject>

namespace herald::ctl {

int webhookFailures(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    if (p.size() > 3)
        return usageError(QStringLiteral("'webhook failures' takes at most a SERVICE"));
    qint64 serviceId = 0;
    if (p.size() == 3) {
        const QList<ServiceRow> all = st.services();
        const auto it = std::find_if(all.begin(), all.end(),
                                     [&](const ServiceRow &s) { return s.name == p[2]; });
        if (it == all.end())
            return fail(QStringLiteral("no service '%1'").arg(p[2]));
        serviceId = it->id;
    }
    // ID, service, notification, action, attempts, queued, gave up, last error; newest first.
    for (const DeadWebhookRow &w : st.deadWebhooks(serviceId, 1000)) {
        const QJsonObject payload = QJsonDocument::fromJson(w.payload).object();
        out() << w.id << '\t' << w.service << '\t'
              << payload.value(QLatin1String("notification")).toInteger() << '\t'
              << payload.value(QLatin1String("action")).toString() << '\t' << w.attempts << '\t'
              << (w.createdAt ? formatTime(w.createdAt) : QStringLiteral("-")) << '\t'
              << formatTime(w.deadAt) << '\t' << w.lastError << '\n';
    }
    return 0;
}

int webhookRetry(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    const std::optional<qint64> id = proto::parseSafeInteger(p[2]);
    if (!id || *id < 1)
        return usageError(QStringLiteral("webhook ID must be a number from 1 to %1, not '%2' (see "
                                         "'webhook failures')")
                              .arg(QString::number(proto::MaxSafeInteger), p[2]));
    if (auto e = st.retryWebhook(*id, clock::nowMs()))
        return fail(*e);
    out() << "webhook " << *id << " queued again; the server delivers it within a second\n";
    return 0;
}

} // namespace herald::ctl
