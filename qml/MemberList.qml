pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** A room's members with presence dots, by name. Enter on a member opens a direct message. */
ColumnLayout {
    id: root

    required property UserListModel members

    signal messageRequested(string name)

    spacing: 4

    Label {
        objectName: "memberHeader"
        Layout.margins: 10
        Layout.fillWidth: true
        text: qsTr("%n member(s)", "", list.count) + " · " + qsTr("%n online", "", root.members.onlineCount)
        font.bold: true
        color: Theme.text
        elide: Text.ElideRight
    }

    ListView {
        id: list
        objectName: "memberList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        model: root.members
        activeFocusOnTab: list.count > 0 // nothing to move through in an empty list
        keyNavigationEnabled: true
        currentIndex: 0
        Accessible.role: Accessible.List
        Accessible.name: qsTr("Members")
        Keys.onReturnPressed: if (list.currentItem && !list.currentItem.isSelf) root.messageRequested(list.currentItem.name)
        Keys.onEnterPressed: if (list.currentItem && !list.currentItem.isSelf) root.messageRequested(list.currentItem.name)
        delegate: ItemDelegate {
            id: member
            required property int index
            objectName: "member"
            required property string name
            required property string displayName
            required property string status
            required property var since
            required property bool isSelf
            /** How far they read ("Seen the latest", "Read up to 10:42"), or empty. */
            required property string readText
            width: ListView.view.width
            focusPolicy: Qt.NoFocus
            Accessible.role: Accessible.ListItem
            Accessible.name: member.displayName + (member.isSelf ? qsTr(" (you)") : "")
            Accessible.description: [Theme.presenceText(member.status, member.since), member.readText]
                                    .filter(s => s.length > 0).join(". ")
            contentItem: RowLayout {
                spacing: 8
                Avatar {
                    objectName: "memberAvatar"
                    name: member.displayName
                    userName: member.name
                    status: member.status
                    implicitWidth: 26
                    implicitHeight: 26
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 0
                    Label {
                        Layout.fillWidth: true
                        text: member.displayName + (member.isSelf ? qsTr(" (you)") : "")
                        elide: Text.ElideRight
                        color: member.status === "offline" ? Theme.subtle : Theme.text
                    }
                    Label {
                        objectName: "memberRead"
                        visible: member.readText.length > 0
                        Layout.fillWidth: true
                        text: member.readText
                        elide: Text.ElideRight
                        color: Theme.subtle
                        font.pixelSize: 11
                    }
                }
            }
            ToolTip.text: Theme.presenceText(member.status, member.since)
            ToolTip.visible: hovered
            onClicked: list.currentIndex = member.index
            onDoubleClicked: if (!member.isSelf) root.messageRequested(member.name)
            FocusRing {
                shown: member.ListView.isCurrentItem && list.activeFocus
                inset: 1
            }
        }
    }
}
