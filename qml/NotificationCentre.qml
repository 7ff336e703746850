import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** Unread and all notifications, with mark read, actions, and paging into the backlog. */
Pane {
    id: root

    required property NotificationModel notifications
    property alias showUnreadOnly: filter.unreadOnly

    padding: 0
    background: Rectangle {
        color: Theme.window
    }

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
            }
            TabBar {
                id: tabs
                TabButton {
                    objectName: "unreadTab"
                    text: qsTr("Unread (%1)").arg(root.notifications.unreadCount)
                    width: implicitWidth + 12
                }
                TabButton {
                    objectName: "allTab"
                    text: qsTr("All")
                    width: implicitWidth + 24
                }
            }
            Item {
                Layout.fillWidth: true
            }
            Button {
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
            bottomMargin: 12
            model: NotificationFilterModel {
                id: filter
                sourceModel: root.notifications
                unreadOnly: tabs.currentIndex === 0
            }
            delegate: NotificationCard {
                id: card
                width: ListView.view.width - 24
                onActionTriggered: actionId => root.notifications.act(card.notificationId, actionId)
                onOpenTriggered: root.notifications.openLink(card.notificationId)
                onMarkReadTriggered: root.notifications.markRead(card.notificationId)
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
