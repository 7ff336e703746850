import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

/** One row of the notification centre. */
Rectangle {
    id: root

    required property int notificationId
    required property string title
    required property string body
    required property string priority
    required property string source
    required property string link
    required property var actions
    required property date createdAt
    required property bool read
    required property bool resolved
    required property string resolution
    required property string pendingAction
    required property string actionError
    required property bool expired

    signal actionTriggered(string actionId)
    signal openTriggered()
    signal markReadTriggered()

    implicitHeight: column.implicitHeight + 20
    radius: Theme.radius
    color: root.read ? Theme.surface : "#eef4fc"
    border.color: root.read ? Theme.border : "#b8cfee"

    TapHandler {
        onTapped: root.markReadTriggered()
    }

    Rectangle {
        width: 4
        anchors.left: parent.left
        anchors.top: parent.top
        anchors.bottom: parent.bottom
        anchors.margins: 1
        radius: 2
        color: Theme.priorityColor(root.priority)
    }

    ColumnLayout {
        id: column
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.top: parent.top
        anchors.leftMargin: 16
        anchors.rightMargin: 12
        anchors.topMargin: 10
        spacing: 4

        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            Rectangle {
                visible: !root.read
                width: 8
                height: 8
                radius: 4
                color: Theme.accent
            }
            Label {
                Layout.fillWidth: true
                text: root.title
                font.bold: !root.read
                font.pixelSize: 14
                color: Theme.text
                elide: Text.ElideRight
            }
            Label {
                text: Theme.relativeTime(root.createdAt)
                color: Theme.subtle
                font.pixelSize: 11
            }
        }

        Label {
            Layout.fillWidth: true
            visible: root.body.length > 0
            text: root.body
            color: Theme.text
            wrapMode: Text.Wrap
            maximumLineCount: 4
            elide: Text.ElideRight
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            Label {
                text: root.source + (root.source.length > 0 && root.priority !== "normal" ? " · " : "")
                      + (root.priority !== "normal" ? root.priority : "")
                color: Theme.subtle
                font.pixelSize: 11
            }
            Item {
                Layout.fillWidth: true
            }
            Label {
                visible: root.resolved
                text: "✓ " + root.resolution
                color: Theme.success
                font.bold: true
            }
            Label {
                visible: root.actionError.length > 0
                text: root.actionError
                color: Theme.danger
            }
            Label {
                visible: root.expired && !root.resolved
                text: qsTr("Expired")
                color: Theme.subtle
            }
            BusyIndicator {
                visible: root.pendingAction.length > 0
                running: visible
                implicitWidth: 22
                implicitHeight: 22
            }
        }

        RowLayout {
            Layout.fillWidth: true
            visible: (!root.resolved && !root.expired && root.actions.length > 0) || root.link.length > 0
                     || !root.read
            ActionButtons {
                actions: root.resolved || root.expired ? [] : root.actions
                link: root.link
                busy: root.pendingAction.length > 0
                onActionTriggered: actionId => root.actionTriggered(actionId)
                onOpenTriggered: root.openTriggered()
            }
            Item {
                Layout.fillWidth: true
            }
            Button {
                visible: !root.read
                text: qsTr("Mark read")
                flat: true
                implicitHeight: 30
                onClicked: root.markReadTriggered()
            }
        }
    }
}
