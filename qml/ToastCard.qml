import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

/** The face of one toast: source, time, title, body, and the actions or their outcome. */
Rectangle {
    id: root

    required property int notificationId
    required property string title
    required property string body
    required property string source
    required property date createdAt
    required property string priority
    required property var actions
    required property string link
    required property string actionState
    required property string result

    signal actionTriggered(string actionId)
    signal openTriggered()
    signal dismissed()
    signal hovered(bool inside)

    implicitWidth: 360
    implicitHeight: content.implicitHeight + 18
    radius: Theme.radius
    color: Theme.surface
    border.color: root.priority === "urgent" ? Theme.danger : Theme.border
    border.width: root.priority === "urgent" ? 2 : 1

    HoverHandler {
        onHoveredChanged: root.hovered(hovered)
    }

    Rectangle {
        // The priority stripe along the left edge.
        width: 5
        anchors.left: parent.left
        anchors.top: parent.top
        anchors.bottom: parent.bottom
        anchors.margins: 1
        radius: 2
        color: Theme.priorityColor(root.priority)
    }

    ColumnLayout {
        id: content
        anchors.fill: parent
        anchors.leftMargin: 16
        anchors.rightMargin: 10
        anchors.topMargin: 8
        anchors.bottomMargin: 10
        spacing: 2

        RowLayout {
            Layout.fillWidth: true
            Label {
                objectName: "toastSource"
                Layout.fillWidth: true
                text: (root.source.length > 0 ? root.source : qsTr("Herald"))
                      + " · " + Theme.shortTime(root.createdAt)
                      + (root.priority === "urgent" || root.priority === "high"
                         ? " · " + root.priority.toUpperCase() : "")
                color: Theme.subtle
                font.pixelSize: 11
                elide: Text.ElideRight
            }
            ToolButton {
                objectName: "toastClose"
                text: "✕"
                implicitWidth: 24
                implicitHeight: 24
                onClicked: root.dismissed()
                ToolTip.text: qsTr("Dismiss")
                ToolTip.visible: hovered
            }
        }

        Label {
            objectName: "toastTitle"
            Layout.fillWidth: true
            text: root.title
            font.bold: true
            font.pixelSize: 14
            color: Theme.text
            elide: Text.ElideRight
        }

        Label {
            objectName: "toastBody"
            Layout.fillWidth: true
            Layout.bottomMargin: 4
            visible: root.body.length > 0
            text: root.body
            color: Theme.text
            wrapMode: Text.Wrap
            maximumLineCount: 3
            elide: Text.ElideRight
            verticalAlignment: Text.AlignTop
        }

        ActionButtons {
            objectName: "toastActions"
            visible: root.actionState === "" && (root.actions.length > 0 || root.link.length > 0)
            actions: root.actions
            link: root.link
            onActionTriggered: actionId => root.actionTriggered(actionId)
            onOpenTriggered: root.openTriggered()
        }

        RowLayout {
            visible: root.actionState !== ""
            Layout.preferredHeight: 30
            spacing: 6
            BusyIndicator {
                visible: root.actionState === "pending"
                running: visible
                implicitWidth: 22
                implicitHeight: 22
            }
            Label {
                objectName: "toastResult"
                Layout.fillWidth: true
                text: root.actionState === "pending" ? qsTr("Sending…")
                      : (root.actionState === "done" ? "✓ " : "⚠ ") + root.result
                color: root.actionState === "failed" ? Theme.danger
                       : root.actionState === "done" ? Theme.success : Theme.subtle
                font.bold: root.actionState !== "pending"
                elide: Text.ElideRight
            }
        }
    }
}
