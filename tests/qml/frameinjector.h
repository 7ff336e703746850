// Test-only QML type: feeds protocol frames to the Session singleton as if from a server.
#pragma once

#include "session.h"

#include <QObject>
#include <QPointer>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

/** @brief Lets a QML test play the server: inject({type: "message", ...}). */
class FrameInjector : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(Session *session MEMBER m_session NOTIFY sessionChanged)
    /** @brief Files the views asked the desktop to open, once catchOpenedFiles() was called. */
    Q_PROPERTY(QStringList openedFiles MEMBER m_opened NOTIFY openedFilesChanged)

public:
    using QObject::QObject;
    ~FrameInjector() override;

    /** @brief Validates the frame with the protocol decoder, then routes it; false if invalid. */
    Q_INVOKABLE bool inject(const QVariantMap &frame);
    /** @brief Puts a PNG of @p width x @p height into the session's attachment cache as if it
     *  had been downloaded; returns its content id. */
    Q_INVOKABLE QString holdImage(int width, int height, const QString &name);
    /** @brief Puts an image on the clipboard (Ctrl+V tests). */
    Q_INVOKABLE void putImageOnClipboard(int width, int height);
    /** @brief From now on, opening a local file is recorded in openedFiles instead of starting
     *  an application. */
    Q_INVOKABLE void catchOpenedFiles();

public Q_SLOTS:
    void openFile(const QUrl &url);

Q_SIGNALS:
    void sessionChanged();
    void openedFilesChanged();

private:
    QPointer<Session> m_session;
    QStringList m_opened;
    bool m_catching = false;
};
