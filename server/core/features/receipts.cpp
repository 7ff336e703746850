#include "receipts.h"

#include "authentication.h"

namespace herald {

using namespace proto;
using namespace feature;

namespace {

QJsonValue stampJson(const std::optional<ReceiptRow::Stamp> &s, bool withDevice)
{
    if (!s)
        return QJsonValue();
    QJsonObject o{{key("at"), s->at ? QJsonValue(*s->at) : QJsonValue()}};
    if (withDevice)
        o.insert(key("device"), s->device > 0 ? QJsonValue(s->device) : QJsonValue());
    return o;
}

QJsonObject receiptJson(const ReceiptRow &r)
{
    QJsonValue acted;
    if (r.acted) {
        QJsonObject o = stampJson(r.acted, true).toObject();
        o.insert(key("action"), r.action);
        acted = o;
    }
    return QJsonObject{{key("user"), r.user},
                       {key("display"), r.display},
                       {key("delivered"), stampJson(r.delivered, true)},
                       {key("seen"), stampJson(r.seen, true)},
                       {key("read"), stampJson(r.read, false)},
                       {key("acted"), acted}};
}

} // namespace

Receipts::Receipts(HubContext &ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
{
}

void Receipts::onAck(Conn &c, const Frame &f)
{
    const QString state = f.str(key("state"));
    if (state != QLatin1String("delivered") && state != QLatin1String("seen"))
        return m_ctx.conns.send(
            c,
            error(f.id(), s(Err::BadValue),
                  QStringLiteral("state must be delivered or seen, not '%1'").arg(state.left(16)),
                  s("state")));
    if (!m_ctx.db.writable())
        return m_ctx.conns.send(c,
                                error(f.id(), s(Err::Unavailable),
                                      s("storage cannot take writes right now; try again later")));
    const qint64 userId = c.userId;
    const qint64 device = m_ctx.auth->tokenOf(c.id);
    QList<qint64> ids;
    for (const QJsonValue &v : f.body.value(key("ids")).toArray())
        ids << v.toInteger();
    m_ctx.request<QList<qint64>>(
        this, c, f, [=](Store &st) { return st.acknowledge(userId, device, ids, state, now()); },
        [this](quint64, QList<qint64> &changed) -> StoreResult<QJsonObject> {
            QJsonArray a;
            for (qint64 id : std::as_const(changed))
                a.append(id);
            if (!changed.isEmpty())
                Q_EMIT webhookQueued();
            return QJsonObject{{key("ids"), a}};
        });
}

void Receipts::receipts(qint64 serviceId, qint64 id, qint64 afterUser, int limit, Reply done)
{
    m_ctx.db.run<ReceiptPage>(
        [=](Store &st) { return st.receipts(serviceId, id, afterUser, limit); }, this,
        [done = std::move(done)](StoreResult<ReceiptPage> r) {
            if (const StoreError *e = std::get_if<StoreError>(&r))
                return done(errorJson(*e));
            const ReceiptPage &p = std::get<ReceiptPage>(r);
            QJsonArray rows;
            for (const ReceiptRow &row : p.rows)
                rows.append(receiptJson(row));
            done(QJsonObject{{key("receipts"), rows},
                             {key("next"), p.next ? QJsonValue(*p.next) : QJsonValue()}});
        });
}

} // namespace herald
