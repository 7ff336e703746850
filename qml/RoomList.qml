import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** Rooms, direct messages and joinable rooms, with unread counts and who is online.
 *  Keyboard: Tab focuses the list, Up and Down move, Enter opens (or joins) the room, the Menu
 *  key sets what it alerts for (as a right click does). */
ListView {
    id: root

    signal roomActivated(ChatRoom room)
    signal joinRequested(string name)

    /** Pops up what @p entry's conversation alerts for, at the pointer (or the row). */
    function openLevels(entry: Item): Menu {
        const menu = levelMenu.createObject(entry, { room: entry.room })
        menu.closed.connect(() => menu.destroy())
        menu.popup()
        return menu
    }

    clip: true
    activeFocusOnTab: root.count > 0 // nothing to move through in an empty list
    keyNavigationEnabled: true
    currentIndex: 0
    Accessible.role: Accessible.List
    Accessible.name: qsTr("Conversations")
    // The Menu key (or a right click on a row): what that conversation alerts for.
    Keys.onMenuPressed: if (root.currentItem && root.currentItem.isMember) root.openLevels(root.currentItem)
    Keys.onReturnPressed: if (root.currentItem) root.currentItem.activate()
    Keys.onEnterPressed: if (root.currentItem) root.currentItem.activate()
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
        Accessible.role: Accessible.Heading
        Accessible.name: section
    }
    delegate: ItemDelegate {
        id: entry
        required property int index
        required property ChatRoom room
        required property string name
        required property string displayName
        required property string kind
        required property string peerStatus
        required property int unread
        required property int online
        required property int members
        required property bool isMember

        function activate(): void {
            entry.isMember ? root.roomActivated(entry.room) : root.joinRequested(entry.name)
        }

        objectName: "room_" + name
        width: ListView.view.width
        height: 38
        focusPolicy: Qt.NoFocus // the list has the focus; Up and Down move the current row
        Accessible.role: Accessible.ListItem
        Accessible.name: entry.displayName
        Accessible.description: [entry.kind === "dm" ? qsTr("Direct message, %1").arg(Theme.statusText(entry.peerStatus))
                                                      : qsTr("%n online", "", entry.online),
                                 entry.unread > 0 ? qsTr("%n unread message(s)", "", entry.unread) : "",
                                 entry.isMember ? "" : qsTr("not joined")].filter(s => s.length > 0).join(", ")
        background: Rectangle {
            color: entry.hovered || entry.ListView.isCurrentItem && root.activeFocus ? Theme.sidebarSelected : "transparent"
        }
        contentItem: RowLayout {
            spacing: 8
            Label {
                visible: entry.kind !== "dm"
                text: entry.kind === "private" ? "🔒" : "#"
                color: Theme.sidebarSubtle
                font.pixelSize: 14
                Layout.preferredWidth: 14
            }
            PresenceDot {
                visible: entry.kind === "dm"
                status: entry.peerStatus
                Layout.preferredWidth: 14
                Layout.alignment: Qt.AlignVCenter
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
                text: qsTr("%n online", "", entry.online)
                color: Theme.sidebarSubtle
                font.pixelSize: 11
            }
            Label {
                visible: !entry.isMember
                text: qsTr("Join")
                color: Theme.sidebarText
                font.underline: true
            }
            CountBadge {
                count: entry.unread
            }
        }
        onClicked: {
            root.currentIndex = entry.index
            entry.activate()
        }
        TapHandler {
            acceptedButtons: Qt.RightButton
            enabled: entry.isMember
            onTapped: root.openLevels(entry)
        }
        FocusRing {
            shown: entry.ListView.isCurrentItem && root.activeFocus
            inset: 1
        }
    }
    ScrollBar.vertical: ScrollBar {}

    Component {
        id: levelMenu
        AlertLevelMenu {}
    }
}
