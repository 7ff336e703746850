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

public:
    using QObject::QObject;

    /** @brief Validates the frame with the protocol decoder, then routes it; false if invalid. */
    Q_INVOKABLE bool inject(const QVariantMap &frame);

Q_SIGNALS:
    void sessionChanged();

private:
    QPointer<Session> m_session;
};
