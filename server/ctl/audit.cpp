// heraldctl audit: the audit trail of one notification, read from the database.
#include "ctl.h"

#include "core/features/audittrail.h"
#include "core/store.h"

#include <herald/protocol.h>

#include <QJsonDocument>

namespace herald::ctl {

int audit(Context &c)
{
    const QStringList &p = c.p;
    if (p.size() != 2)
        return usageError(QStringLiteral("'audit' takes one NOTIFICATION_ID"));
    const std::optional<qint64> id = proto::parseSafeInteger(p[1]);
    if (!id || *id < 1)
        return usageError(QStringLiteral("NOTIFICATION_ID must be a number from 1 to %1, not '%2'")
                              .arg(QString::number(proto::MaxSafeInteger), p[1]));
    const bool json = c.args.has("json");
    qint64 after = 0;
    for (;;) {
        auto page = c.st.auditTrail(0, *id, after, AuditTrail::MaxPage);
        if (const StoreError *e = std::get_if<StoreError>(&page))
            return fail(*e);
        const AuditPage &records = std::get<AuditPage>(page);
        // TIME, EVENT, WHO (kind:name), DEVICE, DETAIL; or one JSON object per line.
        for (const AuditRow &r : records.rows) {
            if (json)
                out() << QJsonDocument(AuditTrail::recordJson(r)).toJson(QJsonDocument::Compact)
                      << '\n';
            else
                out() << formatTime(r.at) << '\t' << r.event << '\t' << r.actorKind << ':'
                      << r.actor << '\t'
                      << (r.device > 0 ? QStringLiteral("device %1").arg(r.device)
                                       : QStringLiteral("-"))
                      << '\t' << r.detail << '\n';
        }
        if (!records.next)
            return 0;
        after = *records.next;
    }
}

} // namespace herald::ctl
