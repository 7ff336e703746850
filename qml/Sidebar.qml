pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** The left column: Chats and People tabs, their lists, and the switch to the settings. */
Rectangle {
    id: root

    required property Session session
    /** 0: the notification centre is shown on the right, 1: the settings. */
    property int pageIndex: 0
    property alias tabIndex: tabs.currentIndex

    signal roomActivated(ChatRoom room)
    signal pageSwitchRequested()

    color: Theme.sidebar

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        TabBar {
            id: tabs
            objectName: "sideTabs"
            Layout.fillWidth: true
            Layout.margins: 6
            spacing: 2
            background: null
            AppTabButton {
                objectName: "chatsTab"
                text: root.session.rooms.totalUnread > 0
                      ? qsTr("Chats (%1)").arg(root.session.rooms.totalUnread) : qsTr("Chats")
            }
            AppTabButton {
                objectName: "peopleTab"
                text: qsTr("People")
            }
        }

        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: tabs.currentIndex
            RoomList {
                objectName: "roomList"
                model: root.session.rooms
                onRoomActivated: room => root.roomActivated(room)
                onJoinRequested: name => root.session.joinRoom(name)
            }
            PeopleList {
                objectName: "peopleList"
                model: root.session.people
                onMessageRequested: name => root.session.openDirectMessage(name)
            }
        }

        ItemDelegate {
            id: pageSwitch
            objectName: "pageSwitch"
            Layout.fillWidth: true
            implicitHeight: 40
            activeFocusOnTab: true
            Accessible.role: Accessible.Button
            Accessible.name: root.pageIndex === 0 ? qsTr("Settings") : qsTr("Notifications")
            Keys.onReturnPressed: pageSwitch.clicked()
            Keys.onEnterPressed: pageSwitch.clicked()
            background: Rectangle {
                color: pageSwitch.hovered ? Theme.sidebarSelected : Theme.sidebarFooter
            }
            contentItem: Label {
                // Glyphs from the fonts every desktop has (an emoji bell showed as a box without an emoji font).
                text: root.pageIndex === 0 ? "⚙  " + qsTr("Settings") : "←  " + qsTr("Notifications")
                color: Theme.sidebarText
                verticalAlignment: Text.AlignVCenter
            }
            onClicked: root.pageSwitchRequested()
            FocusRing {
                inset: 2
            }
        }
    }
}
