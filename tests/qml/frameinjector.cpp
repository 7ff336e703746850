#include "frameinjector.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace proto = herald::proto;

bool FrameInjector::inject(const QVariantMap &frame)
{
    if (!m_session)
        return false;
    const QByteArray bytes =
        QJsonDocument(QJsonObject::fromVariantMap(frame)).toJson(QJsonDocument::Compact);
    const proto::DecodeResult decoded =
        proto::decode(bytes, proto::Direction::ServerToClient, {1 << 20, 16});
    if (!decoded.ok()) {
        qWarning("FrameInjector: %s", qPrintable(decoded.error.message));
        return false;
    }
    m_session->injectFrame(*decoded.frame);
    return true;
}
