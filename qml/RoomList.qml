import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** Rooms, direct messages and joinable rooms, with unread counts and who is online. */
ListView {
    id: root

    signal roomActivated(ChatRoom room)
    signal joinRequested(string name)

    clip: true
    section.property: "section"
    section.delegate: Label {
        required property string section
        width: ListView.view.width
        topPadding: 12
        leftPadding: 14
        bottomPadding: 4
        text: section.toUpperCase()
        color: Theme.sidebarSubtle
        font.pixelSize: 11
        font.bold: true
    }
    delegate: ItemDelegate {
        id: entry
        required property ChatRoom room
        required property string name
        required property string displayName
        required property string kind
        required property int unread
        required property int online
        required property int members
        required property bool isMember
        objectName: "room_" + name
        width: ListView.view.width
        height: 38
        background: Rectangle {
            color: entry.hovered ? Theme.sidebarSelected : "transparent"
        }
        contentItem: RowLayout {
            spacing: 8
            Label {
                text: entry.kind === "dm" ? "@" : entry.kind === "private" ? "🔒" : "#"
                color: Theme.sidebarSubtle
                font.pixelSize: 14
                Layout.preferredWidth: 14
            }
            Label {
                Layout.fillWidth: true
                text: entry.displayName
                elide: Text.ElideRight
                color: Theme.sidebarText
                font.bold: entry.unread > 0
            }
            Label {
                visible: entry.isMember && entry.kind !== "dm"
                text: qsTr("%1 online").arg(entry.online)
                color: Theme.sidebarSubtle
                font.pixelSize: 11
            }
            Button {
                visible: !entry.isMember
                text: qsTr("Join")
                flat: true
                implicitHeight: 26
                onClicked: root.joinRequested(entry.name)
            }
            CountBadge {
                count: entry.unread
            }
        }
        onClicked: entry.isMember ? root.roomActivated(entry.room) : root.joinRequested(entry.name)
    }
    ScrollBar.vertical: ScrollBar {}
}
