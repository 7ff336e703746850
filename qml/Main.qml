pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** The main window, the tray icon, the toasts and the chat windows. */
ApplicationWindow {
    id: root

    property bool startHidden: false
    property var chatWindows: ({})

    function showMain(page: string): void {
        if (page === "notifications")
            pages.currentIndex = 0
        else if (page === "chat")
            sideTabs.currentIndex = 0
        root.show()
        root.raise()
        root.requestActivate()
    }

    function openChat(room: ChatRoom): void {
        if (!room)
            return
        let window = root.chatWindows[room.name]
        if (!window) {
            window = chatWindowComponent.createObject(null, { room: room })
            window.messageRequested.connect(name => Session.openDirectMessage(name))
            window.closing.connect(() => { delete root.chatWindows[room.name] })
            root.chatWindows[room.name] = window
        }
        window.show()
        window.raise()
        window.requestActivate()
    }

    function closeChats(): void {
        for (const name in root.chatWindows)
            root.chatWindows[name].destroy()
        root.chatWindows = {}
    }

    width: 1000
    height: 660
    minimumWidth: 760
    minimumHeight: 480
    visible: !root.startHidden || !tray.available
    title: Session.status === Session.SignedOut ? qsTr("Herald: sign in")
                                                : qsTr("Herald: %1").arg(Session.userDisplayName)
    color: Theme.window

    onClosing: close => {
        // With a tray the app keeps running there; without one, closing quits.
        if (!tray.available)
            Qt.quit()
    }

    header: ToolBar {
        visible: Session.status !== Session.SignedOut
        background: Rectangle {
            color: Theme.accent
        }
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 14
            anchors.rightMargin: 10
            spacing: 12
            Label {
                text: "Herald"
                color: "white"
                font.bold: true
                font.pixelSize: 17
            }
            Item {
                Layout.fillWidth: true
            }
            PresenceDot {
                status: Session.status === Session.Online ? "online" : "offline"
            }
            Label {
                objectName: "onlineCount"
                text: Session.status === Session.Online ? qsTr("%1 online").arg(Session.onlineCount)
                                                         : qsTr("offline")
                color: "white"
            }
            Switch {
                id: dnd
                objectName: "headerDnd"
                text: qsTr("Do not disturb")
                checked: Session.toasts.doNotDisturb
                onToggled: Session.toasts.doNotDisturb = checked
                palette.windowText: "white"
            }
            Label {
                text: Session.userDisplayName
                color: "white"
                font.bold: true
            }
        }
    }

    TrayIcon {
        id: tray
        session: Session
        onActivated: root.showMain("")
        onNotificationsRequested: root.showMain("notifications")
        onChatRequested: root.showMain("chat")
        onQuitRequested: Qt.quit()
    }

    ToastHost {
        model: Session.toasts
        onShowAllRequested: root.showMain("notifications")
    }

    Component {
        id: chatWindowComponent
        ChatWindow {}
    }

    Connections {
        target: Session
        function onRoomOpenRequested(room: ChatRoom): void {
            root.openChat(room)
        }
        function onStatusChanged(): void {
            if (Session.status === Session.SignedOut) {
                root.closeChats()
                root.showMain("")
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        ConnectionBanner {
            Layout.fillWidth: true
            session: Session
        }

        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: Session.status === Session.SignedOut ? 0 : 1

            SignInPage {
                session: Session
            }

            RowLayout {
                spacing: 0

                Rectangle {
                    Layout.fillHeight: true
                    Layout.preferredWidth: 270
                    color: Theme.sidebar

                    ColumnLayout {
                        anchors.fill: parent
                        spacing: 0

                        TabBar {
                            id: sideTabs
                            Layout.fillWidth: true
                            TabButton {
                                text: Session.rooms.totalUnread > 0
                                      ? qsTr("Chats (%1)").arg(Session.rooms.totalUnread) : qsTr("Chats")
                            }
                            TabButton {
                                objectName: "peopleTab"
                                text: qsTr("People")
                            }
                        }

                        StackLayout {
                            Layout.fillWidth: true
                            Layout.fillHeight: true
                            currentIndex: sideTabs.currentIndex
                            RoomList {
                                objectName: "roomList"
                                model: Session.rooms
                                onRoomActivated: room => root.openChat(room)
                                onJoinRequested: name => Session.joinRoom(name)
                            }
                            PeopleList {
                                objectName: "peopleList"
                                model: Session.people
                                onMessageRequested: name => Session.openDirectMessage(name)
                            }
                        }

                        ItemDelegate {
                            id: pageSwitch
                            objectName: "pageSwitch"
                            Layout.fillWidth: true
                            implicitHeight: 40
                            background: Rectangle {
                                color: pageSwitch.hovered ? Theme.sidebarSelected : Qt.darker(Theme.sidebar, 1.15)
                            }
                            contentItem: Label {
                                // Glyphs from the fonts every desktop has (an emoji bell showed as a box without an emoji font).
                                text: pages.currentIndex === 0 ? qsTr("⚙  Settings") : qsTr("←  Notifications")
                                color: Theme.sidebarText
                                verticalAlignment: Text.AlignVCenter
                            }
                            onClicked: pages.currentIndex = pages.currentIndex === 0 ? 1 : 0
                        }
                    }
                }

                StackLayout {
                    id: pages
                    Layout.fillWidth: true
                    Layout.fillHeight: true

                    NotificationCentre {
                        notifications: Session.notifications
                    }
                    SettingsPage {
                        session: Session
                    }
                }
            }
        }
    }
}
