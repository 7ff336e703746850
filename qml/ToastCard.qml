import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

/** The face of one toast: source, time, title (two lines at least), body, and the actions or
 *  their outcome. Keyboard: Tab between its buttons, Enter presses, Escape dismisses. */
Rectangle {
    id: root

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
    /** "5 more from monitor": the earlier notifications of its thread this toast stands for. */
    property string moreText: ""
    /** Shown again by a step of its escalation: labelled "Reminder". */
    property bool reminder: false
    /** A chat message's toast: its conversation (Reply and Open instead of actions). */
    property string chatRoom: ""
    /** The reply field is open: the toast stays until it is sent or dismissed. */
    readonly property bool replying: replyField.visible

    signal replyStarted()
    signal replySubmitted(string text)

    signal actionTriggered(string actionId)
    signal openTriggered()
    signal dismissed()
    signal hovered(bool inside)

    function sendReply(): void {
        if (replyField.text.trim().length === 0)
            return
        root.replySubmitted(replyField.text)
        replyField.text = ""
        replyField.visible = false
    }

    /** Gives the keyboard focus to its first button (the focus-newest-toast shortcut). */
    function focusFirst(): void {
        if (root.replying) { // the window was activated for the answer being typed: keep it there
            replyField.forceActiveFocus(Qt.OtherFocusReason)
            return
        }
        const first = buttons.visible ? buttons.firstButton()
                    : chatButtons.visible ? replyButton : null
        const target = first ? first : (openResult.visible ? openResult : close)
        target.forceActiveFocus(Qt.ShortcutFocusReason)
        // Activating the window re-focuses with a non-keyboard reason: the ring must show.
        target.focusReason = Qt.ShortcutFocusReason
    }

    implicitWidth: 360
    implicitHeight: content.implicitHeight + 18
    radius: Theme.radius
    color: Theme.surface
    border.color: root.priority === "urgent" ? Theme.danger : Theme.border
    border.width: root.priority === "urgent" ? 2 : 1
    Accessible.role: Accessible.AlertMessage
    Accessible.name: root.reminder ? qsTr("Reminder: %1").arg(root.title) : root.title
    Accessible.description: [root.origin, root.body, root.moreText].filter(s => s.length > 0).join(". ")
    Keys.onEscapePressed: root.dismissed()

    HoverHandler {
        onHoveredChanged: root.hovered(hovered)
    }

    Rectangle {
        // The priority stripe along the left edge.
        width: 5
        anchors.left: parent.left
        anchors.top: parent.top
        anchors.bottom: parent.bottom
        anchors.margins: 1
        radius: 2
        color: Theme.priorityColor(root.priority)
    }

    ColumnLayout {
        id: content
        anchors.fill: parent
        anchors.leftMargin: 16
        anchors.rightMargin: 10
        anchors.topMargin: 8
        anchors.bottomMargin: 10
        spacing: 2

        RowLayout {
            Layout.fillWidth: true
            Label {
                objectName: "toastSource"
                Layout.fillWidth: true
                text: [root.origin.length > 0 ? root.origin : qsTr("Herald"),
                       Theme.shortTime(root.createdAt, Theme.now),
                       Theme.priorityText(root.priority).toUpperCase()].filter(s => s.length > 0).join(" · ")
                color: Theme.subtle
                font.pixelSize: 11
                elide: Text.ElideRight
                ToolTip.text: Theme.exactTime(root.createdAt)
                ToolTip.visible: sourceHover.hovered
                HoverHandler {
                    id: sourceHover
                }
            }
            AppToolButton {
                id: close
                objectName: "toastClose"
                text: "✕"
                label: qsTr("Dismiss")
                implicitWidth: 24
                implicitHeight: 24
                onClicked: root.dismissed()
            }
        }

        Label {
            objectName: "toastReminder"
            visible: root.reminder
            text: qsTr("Reminder")
            color: Theme.accent
            font.bold: true
            font.pixelSize: 11
            Accessible.role: Accessible.StaticText
            Accessible.name: text
        }

        Label {
            objectName: "toastTitle"
            Layout.fillWidth: true
            text: root.title
            font.bold: true
            font.pixelSize: 14
            color: Theme.text
            wrapMode: Text.Wrap
            maximumLineCount: 2
            elide: Text.ElideRight
        }

        Label {
            objectName: "toastBody"
            Layout.fillWidth: true
            Layout.bottomMargin: 4
            visible: root.body.length > 0
            text: root.body
            color: Theme.text
            wrapMode: Text.Wrap
            maximumLineCount: 3
            elide: Text.ElideRight
            verticalAlignment: Text.AlignTop
        }

        Label {
            objectName: "toastMore"
            Layout.fillWidth: true
            Layout.bottomMargin: 4
            visible: root.moreText.length > 0
            text: root.moreText
            color: Theme.accent
            font.pixelSize: 12
            font.bold: true
            elide: Text.ElideRight
            Accessible.role: Accessible.StaticText
            Accessible.name: text
        }

        ActionButtons {
            id: buttons
            objectName: "toastActions"
            visible: root.actionState === "" && (root.actions.length > 0 || root.link.length > 0)
            actions: root.actions
            link: root.link
            subject: root.title
            onActionTriggered: actionId => root.actionTriggered(actionId)
            onOpenTriggered: root.openTriggered()
        }

        // A chat message: Reply (a field in the toast; Enter sends) and Open (its window).
        RowLayout {
            id: chatButtons
            objectName: "toastChatButtons"
            visible: root.chatRoom.length > 0 && root.actionState === "" && !replyField.visible
            spacing: 6
            AppButton {
                id: replyButton
                objectName: "toastReply"
                text: qsTr("Reply")
                Accessible.description: root.title
                highlighted: true
                onClicked: {
                    replyField.visible = true
                    root.replyStarted()
                    replyField.forceActiveFocus(Qt.OtherFocusReason)
                }
            }
            AppButton {
                objectName: "toastOpenRoom"
                text: qsTr("Open")
                Accessible.description: root.origin
                onClicked: root.openTriggered()
            }
        }
        AppTextField {
            id: replyField
            objectName: "toastReplyField"
            Layout.fillWidth: true
            visible: false
            label: qsTr("Reply to %1").arg(root.title)
            placeholderText: qsTr("Reply to %1").arg(root.title)
            // Clicked again after the window lost the keyboard: it takes it back.
            onPressed: root.replyStarted()
            Keys.onReturnPressed: root.sendReply()
            Keys.onEnterPressed: root.sendReply()
            Keys.onEscapePressed: root.dismissed()
        }

        // What the action came to, with the link beside it: one row.
        RowLayout {
            visible: root.actionState !== ""
            Layout.fillWidth: true
            Layout.preferredHeight: 30
            spacing: 6
            BusyIndicator {
                visible: root.actionState === "pending"
                running: visible
                implicitWidth: 22
                implicitHeight: 22
                Accessible.name: qsTr("Sending")
            }
            Label {
                objectName: "toastResult"
                Layout.fillWidth: true
                text: root.actionState === "pending" ? qsTr("Sending…")
                      : (root.actionState === "done" ? "✓ " : "⚠ ") + root.result
                color: root.actionState === "failed" ? Theme.danger
                       : root.actionState === "done" ? Theme.success : Theme.subtle
                font.bold: root.actionState !== "pending"
                elide: Text.ElideRight
                Accessible.role: Accessible.StaticText
                Accessible.name: text
            }
            AppButton {
                id: openResult
                objectName: "toastResultOpen"
                visible: root.link.length > 0 && root.actionState !== "pending"
                text: qsTr("Open")
                Accessible.description: root.title
                flat: true
                implicitHeight: 30
                onClicked: root.openTriggered()
            }
        }
    }
}
