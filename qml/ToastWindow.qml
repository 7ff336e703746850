import QtQuick
import QtQuick.Window
import Herald.Core

/** One toast as its own frameless window, stacked up from the bottom-right screen corner.
 *  The root holds the row (a Window has a "title" of its own); the window shows it. */
QtObject {
    id: root

    required property ToastModel toastModel
    // The ToastHost (typed as var: the two files refer to each other).
    required property var host
    required property int index
    required property int notificationId
    required property string title
    required property string body
    required property string origin
    required property date createdAt
    required property string priority
    required property var actions
    required property string link
    required property string actionState
    required property string result
    required property string moreText
    required property bool reminder
    required property string chatRoom
    /** The toast takes keyboard focus only when asked (the shortcut), never by itself. */
    property bool focusable: false

    /** Takes the keyboard focus: its first button is focused, Enter presses, Escape dismisses. */
    function takeFocus(): void {
        root.focusable = true
        root.window.requestActivate()
        card.focusFirst()
    }

    property Window window: Window {
        // xdotool and screen readers find toasts by this title.
        title: qsTr("Herald notification: %1").arg(root.title)
        flags: Qt.Tool | Qt.FramelessWindowHint | Qt.WindowStaysOnTopHint
               | (root.focusable ? 0 : Qt.WindowDoesNotAcceptFocus)
        width: card.implicitWidth
        height: card.implicitHeight
        // Stacked upwards from the bottom-right corner, each above the ones shown before it.
        x: Screen.virtualX + Screen.desktopAvailableWidth - width - root.host.margin
        y: Screen.virtualY + Screen.desktopAvailableHeight - root.host.bottomInset
           - root.host.stackHeight(root.index) - height
        color: Theme.surface
        visible: true
        onHeightChanged: root.host.revision++
        onActiveChanged: {
            if (!active)
                root.focusable = false
            else if (root.focusable)
                card.focusFirst() // again: activation re-focuses with a non-keyboard reason
        }

        ToastCard {
            id: card
            anchors.fill: parent
            radius: 0
            notificationId: root.notificationId
            title: root.title
            body: root.body
            origin: root.origin
            createdAt: root.createdAt
            priority: root.priority
            actions: root.actions
            link: root.link
            actionState: root.actionState
            result: root.result
            moreText: root.moreText
            reminder: root.reminder
            chatRoom: root.chatRoom
            onActionTriggered: actionId => root.toastModel.trigger(root.notificationId, actionId)
            onOpenTriggered: root.chatRoom.length > 0 ? root.toastModel.openRoom(root.notificationId)
                                                      : root.toastModel.openLink(root.notificationId)
            // Typing an answer: the window takes the keyboard, and the toast stays meanwhile.
            onReplyStarted: {
                root.focusable = true
                root.window.requestActivate()
                root.toastModel.hold(root.notificationId, true)
            }
            onReplySubmitted: text => root.toastModel.reply(root.notificationId, text)
            onDismissed: root.toastModel.dismiss(root.notificationId)
            onHovered: inside => {
                if (inside || !card.replying)
                    root.toastModel.hold(root.notificationId, inside)
            }
        }
    }
}
