pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** A room's members with presence dots, online first by name. */
ColumnLayout {
    id: root

    required property UserListModel members

    signal messageRequested(string name)

    spacing: 4

    Label {
        Layout.margins: 10
        text: qsTr("Members · %1 online").arg(root.members.onlineCount)
        font.bold: true
        color: Theme.text
    }

    ListView {
        objectName: "memberList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        model: root.members
        delegate: ItemDelegate {
            id: member
            required property string name
            required property string displayName
            required property string status
            required property bool isSelf
            width: ListView.view.width
            contentItem: RowLayout {
                spacing: 8
                Avatar {
                    name: member.displayName
                    status: member.status
                    implicitWidth: 26
                    implicitHeight: 26
                }
                Label {
                    Layout.fillWidth: true
                    text: member.displayName + (member.isSelf ? qsTr(" (you)") : "")
                    elide: Text.ElideRight
                    color: member.status === "offline" ? Theme.subtle : Theme.text
                }
            }
            ToolTip.text: member.status
            ToolTip.visible: hovered
            onDoubleClicked: if (!member.isSelf) root.messageRequested(member.name)
        }
    }
}
