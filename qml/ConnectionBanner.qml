import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** A strip under the header while the link is down: why, and when the next try is. */
Rectangle {
    id: root

    required property Session session
    property int secondsLeft: 0

    function updateCountdown(): void {
        const at = root.session.connection.retryAt
        root.secondsLeft = at > 0 ? Math.max(0, Math.ceil((at - Date.now()) / 1000)) : 0
    }

    visible: root.session.status === Session.Reconnecting || root.session.status === Session.SigningIn
    implicitHeight: visible ? 34 : 0
    color: root.session.status === Session.Reconnecting ? Theme.warningSurface : Theme.infoSurface

    Timer {
        interval: 500
        repeat: true
        running: root.visible
        triggeredOnStart: true
        onTriggered: root.updateCountdown()
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 14
        anchors.rightMargin: 8
        spacing: 8
        BusyIndicator {
            running: root.visible
            Accessible.name: qsTr("Connecting")
            implicitWidth: 20
            implicitHeight: 20
        }
        Label {
            objectName: "bannerText"
            Layout.fillWidth: true
            elide: Text.ElideRight
            color: Theme.text
            Accessible.role: Accessible.StaticText
            Accessible.name: text
            text: {
                if (root.session.status === Session.SigningIn)
                    return qsTr("Connecting to %1…").arg(root.session.server)
                const why = root.session.connection.lastError
                const when = root.session.connection.state === Connection.Waiting
                        ? qsTr("Retrying in %n s.", "", root.secondsLeft) : qsTr("Reconnecting…")
                return (why.length > 0 ? why : qsTr("Offline.")) + " " + when
            }
        }
        AppButton {
            objectName: "retryNow"
            visible: root.session.connection.state === Connection.Waiting
            text: qsTr("Retry now")
            flat: true
            onClicked: root.session.connection.retryNow()
        }
    }
}
