#include "frameinjector.h"

#include <QBuffer>
#include <QClipboard>
#include <QCryptographicHash>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QImage>
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

QString FrameInjector::holdImage(int width, int height, const QString &name)
{
    if (!m_session)
        return {};
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(QColor(0x2b, 0x6c, 0xb0));
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    const QString id =
        QString::fromLatin1(QCryptographicHash::hash(png, QCryptographicHash::Sha256).toHex());
    const QString dir = m_session->attachments()->directory() + QLatin1Char('/') + id;
    QDir().mkpath(dir);
    QFile file(dir + QLatin1Char('/') + name);
    if (!file.open(QIODevice::WriteOnly) || file.write(png) != png.size())
        return {};
    return id;
}

void FrameInjector::putImageOnClipboard(int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(Qt::darkGreen);
    QGuiApplication::clipboard()->setImage(image);
}

FrameInjector::~FrameInjector()
{
    if (m_catching)
        QDesktopServices::unsetUrlHandler(QStringLiteral("file"));
}

void FrameInjector::catchOpenedFiles()
{
    QDesktopServices::setUrlHandler(QStringLiteral("file"), this, "openFile");
    m_catching = true;
}

void FrameInjector::openFile(const QUrl &url)
{
    m_opened.append(url.toString());
    Q_EMIT openedFilesChanged();
}
