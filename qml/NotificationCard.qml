import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

/** One row of the notification centre. Long titles and bodies wrap to a few lines, then end
 *  with an ellipsis; the whole text is in a tooltip, and a click (or Enter) expands the card. */
Rectangle {
    id: root

    required property int notificationId
    required property string title
    required property string body
    required property string priority
    required property string origin
    required property string link
    required property var actions
    required property date createdAt
    required property bool read
    required property bool resolved
    required property string resolution
    required property string pendingAction
    required property string actionError
    required property bool expired
    /** How many notifications of its thread this entry stands for (1: it is alone), and how
     *  many of them are unread. */
    property int threadCount: 1
    property int threadUnread: 0
    /** Shows the whole title and body. */
    property bool expanded: false
    readonly property bool truncated: titleLabel.truncated || bodyLabel.truncated

    signal actionTriggered(string actionId)
    signal openTriggered()
    signal markReadTriggered()
    signal markThreadReadTriggered()

    implicitHeight: column.implicitHeight + 20
    radius: Theme.radius
    color: root.read ? Theme.surface : Theme.unreadSurface
    border.color: root.read ? Theme.border : "#b8cfee"
    activeFocusOnTab: true
    Accessible.role: Accessible.ListItem
    Accessible.name: (root.read ? "" : qsTr("Unread: ")) + root.title
    Accessible.description: [root.origin, root.threadCount > 1 ? threadLabel.text : "", root.body,
                             root.resolution].filter(s => s.length > 0).join(". ")
    Keys.onReturnPressed: root.expanded = !root.expanded
    Keys.onEnterPressed: root.expanded = !root.expanded
    Keys.onSpacePressed: root.markReadTriggered()

    TapHandler {
        onTapped: {
            root.expanded = !root.expanded
            root.markReadTriggered()
        }
    }
    HoverHandler {
        id: hover
    }
    ToolTip.text: root.title + (root.body.length > 0 ? "\n\n" + root.body : "")
    ToolTip.visible: root.truncated && !root.expanded && hover.hovered
    ToolTip.delay: 600

    FocusRing {
        shown: root.activeFocus
        radius: Theme.radius + 3
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
                Layout.alignment: Qt.AlignTop
                Layout.topMargin: 6
                width: 8
                height: 8
                radius: 4
                color: Theme.accent
            }
            Label {
                id: titleLabel
                objectName: "cardTitle"
                Layout.fillWidth: true
                text: root.title
                font.bold: !root.read
                font.pixelSize: 14
                color: Theme.text
                wrapMode: Text.Wrap
                maximumLineCount: root.expanded ? 1000 : 3
                elide: Text.ElideRight
            }
            Label {
                id: threadLabel
                objectName: "cardThreadCount"
                Layout.alignment: Qt.AlignTop
                visible: root.threadCount > 1
                text: qsTr("%n in thread", "", root.threadCount)
                color: Theme.accent
                font.pixelSize: 11
                font.bold: true
            }
            Label {
                objectName: "cardTime"
                Layout.alignment: Qt.AlignTop
                text: Theme.relativeTime(root.createdAt, Theme.now)
                color: Theme.subtle
                font.pixelSize: 11
                ToolTip.text: Theme.exactTime(root.createdAt)
                ToolTip.visible: timeHover.hovered
                HoverHandler {
                    id: timeHover
                }
            }
        }

        Label {
            id: bodyLabel
            objectName: "cardBody"
            Layout.fillWidth: true
            visible: root.body.length > 0
            text: root.body
            color: Theme.text
            wrapMode: Text.Wrap
            maximumLineCount: root.expanded ? 1000 : 4
            elide: Text.ElideRight
        }

        Label {
            objectName: "cardOrigin"
            Layout.fillWidth: true
            visible: text.length > 0
            text: root.origin + (root.origin.length > 0 && Theme.priorityText(root.priority).length > 0 ? " · " : "")
                  + Theme.priorityText(root.priority)
            color: Theme.subtle
            font.pixelSize: 11
            elide: Text.ElideRight
        }

        // One row: the actions, or what they came to, then the link and "Mark read".
        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            visible: (!root.resolved && !root.expired && root.actions.length > 0) || root.link.length > 0
                     || !root.read || root.resolved || root.expired || root.actionError.length > 0
                     || (root.threadCount > 1 && root.threadUnread > 0)
            ActionButtons {
                visible: !root.resolved && !root.expired && root.actions.length > 0
                actions: root.resolved || root.expired ? [] : root.actions
                link: ""
                subject: root.title
                busy: root.pendingAction.length > 0
                onActionTriggered: actionId => root.actionTriggered(actionId)
            }
            Label {
                objectName: "cardResolution"
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
                Accessible.name: qsTr("Sending")
            }
            AppButton {
                objectName: "cardOpen"
                visible: root.link.length > 0
                text: qsTr("Open")
                Accessible.description: root.title
                flat: true
                implicitHeight: 30
                onClicked: root.openTriggered()
            }
            Item {
                Layout.fillWidth: true
            }
            AppButton {
                objectName: "cardMarkRead"
                visible: !root.read
                text: qsTr("Mark read")
                Accessible.description: root.title
                flat: true
                implicitHeight: 30
                onClicked: root.markReadTriggered()
            }
            AppButton {
                objectName: "cardMarkThreadRead"
                visible: root.threadCount > 1 && root.threadUnread > 0
                text: qsTr("Mark thread read")
                Accessible.name: qsTr("Mark thread read")
                Accessible.description: root.title
                flat: true
                implicitHeight: 30
                onClicked: root.markThreadReadTriggered()
            }
        }
    }
}
