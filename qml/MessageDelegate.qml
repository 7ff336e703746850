import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

/** One chat message: a header (name, time) at the start of a run, then the text and its state. */
Item {
    id: root

    required property string author
    required property string authorDisplay
    required property string text
    required property date time
    required property string deliveryState
    required property bool own
    required property bool showHeader
    required property string clientId
    /** It mentions the signed-in person (or @room): highlighted. */
    required property bool mentionsMe

    signal retryRequested(string clientId)

    objectName: "message"
    implicitHeight: column.implicitHeight + (root.showHeader ? 10 : 2)
    Accessible.role: Accessible.ListItem
    Accessible.name: qsTr("%1, %2: %3").arg(root.authorDisplay).arg(Theme.shortTime(root.time, Theme.now)).arg(root.text)
    Accessible.description: root.mentionsMe ? qsTr("Mentions you") : ""

    Rectangle {
        objectName: "mentionHighlight"
        visible: root.mentionsMe
        anchors.fill: parent
        anchors.leftMargin: -6
        anchors.rightMargin: -6
        radius: 4
        color: Theme.mentionBackground
        Rectangle {
            width: 3
            anchors.left: parent.left
            anchors.top: parent.top
            anchors.bottom: parent.bottom
            color: Theme.accent
        }
    }

    FocusRing {
        shown: root.ListView.isCurrentItem && root.ListView.view && root.ListView.view.activeFocus
        inset: 0
    }

    Avatar {
        objectName: "messageAvatar"
        visible: root.showHeader
        name: root.authorDisplay
        userName: root.author
        anchors.left: parent.left
        anchors.top: parent.top
        anchors.topMargin: 8
    }

    ColumnLayout {
        id: column
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.leftMargin: 44
        spacing: 1

        RowLayout {
            visible: root.showHeader
            spacing: 8
            Label {
                text: root.authorDisplay
                font.bold: true
                color: root.own ? Theme.accentDark : Theme.text
            }
            Label {
                objectName: "messageTime"
                text: Theme.shortTime(root.time, Theme.now)
                color: Theme.subtle
                font.pixelSize: 11
                ToolTip.text: Theme.exactTime(root.time)
                ToolTip.visible: timeHover.hovered
                HoverHandler {
                    id: timeHover
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            TextEdit {
                objectName: "messageText"
                activeFocusOnTab: false
                Accessible.ignored: true
                Layout.fillWidth: true
                text: root.text
                readOnly: true
                selectByMouse: true
                wrapMode: Text.Wrap
                color: Theme.text
                opacity: root.deliveryState === "pending" ? 0.55 : 1
                font.pixelSize: 14
            }
            Label {
                objectName: "deliveryMark"
                visible: root.own
                text: root.deliveryState === "pending" ? "…" : root.deliveryState === "failed" ? "!" : "✓"
                color: root.deliveryState === "failed" ? Theme.danger : Theme.subtle
                ToolTip.text: root.deliveryState === "pending" ? qsTr("Sending") : root.deliveryState === "failed"
                                                                  ? qsTr("Not sent") : qsTr("Sent")
                ToolTip.visible: markHover.hovered
                HoverHandler {
                    id: markHover
                }
            }
        }

        AppButton {
            visible: root.deliveryState === "failed"
            text: qsTr("Not sent. Retry")
            flat: true
            palette.buttonText: Theme.danger
            onClicked: root.retryRequested(root.clientId)
        }
    }
}
