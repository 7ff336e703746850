pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** The main window, the tray icon, the toasts and the chat windows.
 *  Keyboard: Ctrl+Shift+N shows the notification centre, Ctrl+Shift+T focuses the newest toast
 *  (Enter acts on it, Escape dismisses it), Tab walks every control. */
ApplicationWindow {
    id: root

    property bool startHidden: false
    property var chatWindows: ({})

    function showMain(page: string): void {
        if (page === "notifications")
            pages.currentIndex = 0
        else if (page === "chat")
            sidebar.tabIndex = 0
        root.show()
        root.raise()
        root.requestActivate()
        if (page === "notifications")
            centre.showNewestUnread()
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

    /** Shows the search page with the keyboard in its field (Ctrl+K, Ctrl+F, the header's
     *  button). */
    function showSearch(): void {
        root.showMain("")
        pages.currentIndex = 2
        search.focusField()
    }

    /** Opens a search hit: its room's window, scrolled to the message with what surrounds it. */
    function openSearchHit(roomName: string, seq: real): void {
        const room = Session.room(roomName)
        if (!room)
            return
        root.openChat(room)
        room.reveal(seq)
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
    // Says the thing once: Qt adds no application name (main.cpp sets no display name).
    title: Session.status === Session.SignedOut ? qsTr("Herald — Sign in")
                                                : qsTr("Herald — %1").arg(Session.userDisplayName)
    color: Theme.window

    onClosing: close => {
        // With a tray the app keeps running there; without one, closing quits.
        if (!tray.available)
            Qt.quit()
    }

    Shortcut {
        sequence: "Ctrl+Shift+N"
        context: Qt.ApplicationShortcut
        onActivated: root.showMain("notifications")
    }
    Shortcut {
        sequences: ["Ctrl+K", StandardKey.Find]
        context: Qt.ApplicationShortcut
        enabled: Session.status !== Session.SignedOut
        onActivated: root.showSearch()
    }
    Shortcut {
        sequence: "Ctrl+Shift+T"
        context: Qt.ApplicationShortcut
        onActivated: toasts.focusNewest()
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
                text: qsTr("Herald")
                color: Theme.headerText
                font.bold: true
                font.pixelSize: 17
            }
            Item {
                Layout.fillWidth: true
            }
            AppToolButton {
                objectName: "headerSearch"
                label: qsTr("Search messages (Ctrl+K)")
                text: qsTr("Search")
                palette.buttonText: Theme.headerText
                onClicked: root.showSearch()
            }
            PresenceDot {
                status: Session.status === Session.Online ? "online" : "offline"
            }
            Label {
                objectName: "onlineCount"
                text: Session.status === Session.Online ? qsTr("%n online", "", Session.onlineCount)
                                                         : qsTr("offline")
                color: Theme.headerText
            }
            AppSwitch {
                id: dnd
                objectName: "headerDnd"
                text: qsTr("Do not disturb")
                labelColor: Theme.headerText
                font.bold: true
                checked: Session.toasts.doNotDisturb
                onToggled: Session.toasts.doNotDisturb = checked
            }
            Label {
                text: Session.userDisplayName
                color: Theme.headerText
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
        onRoomRequested: room => root.openChat(room)
        onQuitRequested: Qt.quit()
    }

    ToastHost {
        id: toasts
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
        function onNotificationActivated(id: int): void {
            root.showMain("notifications")
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

                Sidebar {
                    id: sidebar
                    Layout.fillHeight: true
                    Layout.preferredWidth: 270
                    session: Session
                    pageIndex: pages.currentIndex
                    onRoomActivated: room => root.openChat(room)
                    onPageSwitchRequested: pages.currentIndex = pages.currentIndex === 0 ? 1 : 0
                }

                StackLayout {
                    id: pages
                    Layout.fillWidth: true
                    Layout.fillHeight: true

                    NotificationCentre {
                        id: centre
                        notifications: Session.notifications
                    }
                    SettingsPage {
                        session: Session
                    }
                    SearchPage {
                        id: search
                        session: Session
                        onResultActivated: (roomName, seq) => root.openSearchHit(roomName, seq)
                        onCloseRequested: pages.currentIndex = 0
                    }
                }
            }
        }
    }
}
