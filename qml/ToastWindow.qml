import QtQuick
import QtQuick.Window
import Herald.Core

/** One toast as its own frameless window, stacked up from the bottom-right screen corner.
 *  The root holds the row (a Window has a "title" of its own); the window shows it. */
QtObject {
    id: root

    required property ToastModel toastModel
    required property int index
    required property int notificationId
    required property string title
    required property string body
    required property string source
    required property date createdAt
    required property string priority
    required property var actions
    required property string link
    required property string actionState
    required property string result

    readonly property int margin: 16
    readonly property int gap: 10

    property Window window: Window {
        // xdotool and screen readers find toasts by this title.
        title: qsTr("Herald notification: %1").arg(root.title)
        flags: Qt.Tool | Qt.FramelessWindowHint | Qt.WindowStaysOnTopHint | Qt.WindowDoesNotAcceptFocus
        width: card.implicitWidth
        height: card.implicitHeight
        x: Screen.virtualX + Screen.desktopAvailableWidth - width - root.margin
        y: Screen.virtualY + Screen.desktopAvailableHeight - (root.index + 1) * (height + root.gap)
           - root.margin - 24
        color: Theme.surface
        visible: true

        ToastCard {
            id: card
            anchors.fill: parent
            radius: 0
            notificationId: root.notificationId
            title: root.title
            body: root.body
            source: root.source
            createdAt: root.createdAt
            priority: root.priority
            actions: root.actions
            link: root.link
            actionState: root.actionState
            result: root.result
            onActionTriggered: actionId => root.toastModel.trigger(root.notificationId, actionId)
            onOpenTriggered: root.toastModel.openLink(root.notificationId)
            onDismissed: root.toastModel.dismiss(root.notificationId)
            onHovered: inside => root.toastModel.hold(root.notificationId, inside)
        }
    }
}
