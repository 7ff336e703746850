import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** Unread and all notifications, with mark read, actions, and paging into the backlog.
 *  Keyboard: Tab reaches the tabs, "Mark all read" and each card; Up and Down move between
 *  cards; Enter expands a card, Space marks it read. */
Pane {
    id: root

    required property NotificationModel notifications
    property alias showUnreadOnly: filter.unreadOnly

    /** Shows the unread tab with the newest notification focused (the tray click). */
    function showNewestUnread(): void {
        tabs.currentIndex = 0
        list.positionViewAtBeginning()
        list.currentIndex = 0
        root.focusList()
    }

    /** Puts the keyboard focus on the current card (or the first). */
    function focusList(): void {
        if (list.count === 0) {
            unreadTab.forceActiveFocus(Qt.TabFocusReason)
            return
        }
        if (list.currentIndex < 0)
            list.currentIndex = 0
        list.positionViewAtIndex(list.currentIndex, ListView.Contain)
        if (list.currentItem)
            list.currentItem.forceActiveFocus(Qt.TabFocusReason)
    }

    padding: 0
    background: Rectangle {
        color: Theme.window
    }
    Accessible.role: Accessible.Pane
    Accessible.name: qsTr("Notification centre")

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        RowLayout {
            Layout.fillWidth: true
            Layout.margins: 12
            spacing: 12
            Label {
                text: qsTr("Notifications")
                font.pixelSize: 20
                font.bold: true
                color: Theme.text
                Accessible.role: Accessible.Heading
            }
            TabBar {
                id: tabs
                objectName: "notificationTabs"
                spacing: 2
                background: null
                AppTabButton {
                    id: unreadTab
                    objectName: "unreadTab"
                    text: qsTr("Unread (%1)").arg(root.notifications.unreadCount)
                    width: implicitWidth + 16
                }
                AppTabButton {
                    objectName: "allTab"
                    text: qsTr("All")
                    width: implicitWidth + 28
                }
            }
            Item {
                Layout.fillWidth: true
            }
            AppButton {
                objectName: "markAllRead"
                text: qsTr("Mark all read")
                enabled: root.notifications.unreadCount > 0
                onClicked: root.notifications.markAllRead()
            }
        }

        ListView {
            id: list
            objectName: "notificationList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 8
            leftMargin: 12
            rightMargin: 12
            topMargin: 4
            bottomMargin: 12
            keyNavigationEnabled: false // the cards move focus themselves (Up and Down)
            Accessible.role: Accessible.List
            Accessible.name: filter.unreadOnly ? qsTr("Unread notifications") : qsTr("All notifications")
            // One entry per thread: the newest of it, with a count (NotificationThreadModel).
            model: NotificationThreadModel {
                sourceModel: NotificationFilterModel {
                    id: filter
                    sourceModel: root.notifications
                    unreadOnly: tabs.currentIndex === 0
                }
            }
            delegate: NotificationCard {
                id: card
                required property int index
                required property string source
                required property string threadKey
                required threadCount
                required threadUnread
                width: ListView.view.width - 24
                onMarkThreadReadTriggered: root.notifications.markThreadRead(card.source, card.threadKey)
                onActionTriggered: actionId => root.notifications.act(card.notificationId, actionId)
                onOpenTriggered: root.notifications.openLink(card.notificationId)
                onMarkReadTriggered: root.notifications.markRead(card.notificationId)
                onActiveFocusChanged: if (activeFocus) list.currentIndex = card.index
                // On screen in the opened, active window: the person has seen it (a receipt).
                readonly property bool onScreen: root.visible && Window.active
                                                 && card.y + card.height > list.contentY
                                                 && card.y < list.contentY + list.height
                onOnScreenChanged: if (onScreen) root.notifications.noteShown(card.notificationId)
                Component.onCompleted: if (onScreen) root.notifications.noteShown(card.notificationId)
                Keys.onDownPressed: {
                    if (card.index + 1 < list.count) {
                        list.currentIndex = card.index + 1
                        root.focusList()
                    }
                }
                Keys.onUpPressed: {
                    if (card.index > 0) {
                        list.currentIndex = card.index - 1
                        root.focusList()
                    }
                }
            }
            ScrollBar.vertical: ScrollBar {}
            // Scrolling to the end pages older notifications in from the server.
            onAtYEndChanged: if (atYEnd && root.notifications.hasMore) root.notifications.loadMore()
            footer: Item {
                width: ListView.view.width
                height: 48
                BusyIndicator {
                    anchors.centerIn: parent
                    running: root.notifications.loading
                    visible: running
                    Accessible.name: qsTr("Loading")
                }
                Label {
                    anchors.centerIn: parent
                    visible: !root.notifications.loading && list.count > 0 && !root.notifications.hasMore
                    text: qsTr("That is everything.")
                    color: Theme.subtle
                }
            }
            Label {
                anchors.centerIn: parent
                visible: list.count === 0 && !root.notifications.loading
                text: filter.unreadOnly ? qsTr("You are all caught up.") : qsTr("No notifications yet.")
                color: Theme.subtle
                font.pixelSize: 15
            }
        }
    }
}
