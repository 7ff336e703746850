import QtQuick
import QtQml.Models
import QtQuick.Controls
import QtQuick.Layouts

/** One chat message: a header (name, time) at the start of a run, then the text and its state,
 *  "edited", or a "message deleted" line, its reactions, and under one's own message who has
 *  read up to it ("Seen by Bob", read receipts). Own messages can be edited and
 *  deleted from the context menu (right click, the menu key or Shift+F10 on the current one). */
Item {
    id: root

    required property string author
    required property string authorDisplay
    required property string text
    required property date time
    required property string deliveryState
    required property bool own
    required property bool showHeader
    required property string clientId
    required property real seq
    required property bool edited
    required property bool deleted
    required property var reactions
    /** The emoji a message can be reacted to with (ChatRoom.reactionEmoji). */
    property var emojiSet: []
    /** The text is being edited in place. */
    property bool editing: false
    readonly property bool changeable: root.own && !root.deleted && root.seq > 0
    readonly property bool reactable: !root.deleted && root.seq > 0
    /** It mentions the signed-in person (or @room): highlighted. */
    required property bool mentionsMe
    /** "Seen by Bob, Carol and 3 others" (MessageModel's seenText), or empty. */
    required property string seenText

    signal retryRequested(string clientId)
    signal editRequested(real seq, string text)
    signal deleteRequested(real seq)
    signal reactionToggled(real seq, string emoji)

    /** Opens the context menu (Edit, Delete, reactions) where the message is. */
    function openMenu(): void {
        if (root.changeable || root.reactable)
            contextMenu.popup(root, 44, 0)
    }
    function startEditing(): void {
        editField.text = root.text
        root.editing = true
        editField.forceActiveFocus()
        editField.selectAll()
    }
    function finishEditing(save: bool): void {
        if (save && editField.text.trim().length > 0 && editField.text !== root.text)
            root.editRequested(root.seq, editField.text)
        root.editing = false
    }

    objectName: "message"
    implicitHeight: column.implicitHeight + (root.showHeader ? 10 : 2)
    Accessible.role: Accessible.ListItem
    Accessible.name: root.deleted
                     ? qsTr("%1, %2: message deleted").arg(root.authorDisplay).arg(Theme.shortTime(root.time, Theme.now))
                     : root.edited
                       ? qsTr("%1, %2: %3 (edited)").arg(root.authorDisplay).arg(Theme.shortTime(root.time, Theme.now)).arg(root.text)
                       : qsTr("%1, %2: %3").arg(root.authorDisplay).arg(Theme.shortTime(root.time, Theme.now)).arg(root.text)

    TapHandler {
        acceptedButtons: Qt.RightButton
        onTapped: root.openMenu()
    }

    Menu {
        id: contextMenu
        objectName: "messageMenu"

        MenuItem {
            objectName: "editAction"
            text: qsTr("Edit")
            Accessible.name: qsTr("Edit message")
            enabled: root.changeable
            visible: root.changeable
            height: visible ? implicitHeight : 0
            onTriggered: root.startEditing()
        }
        MenuItem {
            objectName: "deleteAction"
            text: qsTr("Delete")
            Accessible.name: qsTr("Delete message")
            enabled: root.changeable
            visible: root.changeable
            height: visible ? implicitHeight : 0
            onTriggered: root.deleteRequested(root.seq)
        }
        Menu {
            id: reactMenu
            title: qsTr("React")
            enabled: root.reactable
            Instantiator {
                model: root.emojiSet
                delegate: MenuItem {
                    required property string modelData
                    text: modelData
                    Accessible.name: qsTr("React with %1").arg(modelData)
                    onTriggered: root.reactionToggled(root.seq, modelData)
                }
                onObjectAdded: (index, object) => reactMenu.insertItem(index, object)
                onObjectRemoved: (index, object) => reactMenu.removeItem(object)
            }
        }
    }

    Accessible.description: [root.mentionsMe ? qsTr("Mentions you") : "", root.seenText]
                            .filter(s => s.length > 0).join(". ")

    Rectangle {
        objectName: "mentionHighlight"
        visible: root.mentionsMe && !root.deleted
        anchors.fill: parent
        anchors.leftMargin: -6
        anchors.rightMargin: -6
        radius: 4
        color: Theme.mentionBackground
        Rectangle {
            width: 3
            anchors.left: parent.left
            anchors.top: parent.top
            anchors.bottom: parent.bottom
            color: Theme.accent
        }
    }

    FocusRing {
        shown: root.ListView.isCurrentItem && root.ListView.view && root.ListView.view.activeFocus
        inset: 0
    }

    Avatar {
        objectName: "messageAvatar"
        visible: root.showHeader
        name: root.authorDisplay
        userName: root.author
        anchors.left: parent.left
        anchors.top: parent.top
        anchors.topMargin: 8
    }

    ColumnLayout {
        id: column
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.leftMargin: 44
        spacing: 1

        RowLayout {
            visible: root.showHeader
            spacing: 8
            Label {
                text: root.authorDisplay
                font.bold: true
                color: root.own ? Theme.accentDark : Theme.text
            }
            Label {
                objectName: "messageTime"
                text: Theme.shortTime(root.time, Theme.now)
                color: Theme.subtle
                font.pixelSize: 11
                ToolTip.text: Theme.exactTime(root.time)
                ToolTip.visible: timeHover.hovered
                HoverHandler {
                    id: timeHover
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            Label {
                objectName: "deletedLabel"
                visible: root.deleted
                Layout.fillWidth: true
                text: qsTr("Message deleted")
                font.italic: true
                color: Theme.subtle
                Accessible.ignored: true
            }
            TextField {
                id: editField
                objectName: "editField"
                visible: root.editing
                Layout.fillWidth: true
                Accessible.name: qsTr("Edit message")
                Keys.onReturnPressed: root.finishEditing(true)
                Keys.onEnterPressed: root.finishEditing(true)
                Keys.onEscapePressed: root.finishEditing(false)
            }
            AppToolButton {
                objectName: "saveEdit"
                visible: root.editing
                label: qsTr("Save")
                text: "✓"
                onClicked: root.finishEditing(true)
            }
            AppToolButton {
                objectName: "cancelEdit"
                visible: root.editing
                label: qsTr("Cancel editing")
                text: "✕"
                onClicked: root.finishEditing(false)
            }
            TextEdit {
                objectName: "messageText"
                visible: !root.deleted && !root.editing
                activeFocusOnTab: false
                Accessible.ignored: true
                Layout.fillWidth: true
                text: root.text
                readOnly: true
                selectByMouse: true
                wrapMode: Text.Wrap
                color: Theme.text
                opacity: root.deliveryState === "pending" ? 0.55 : 1
                font.pixelSize: 14
            }
            Label {
                objectName: "editedMark"
                visible: root.edited && !root.deleted && !root.editing
                text: qsTr("(edited)")
                color: Theme.subtle
                font.pixelSize: 11
            }
            Label {
                objectName: "deliveryMark"
                visible: root.own
                text: root.deliveryState === "pending" ? "…" : root.deliveryState === "failed" ? "!" : "✓"
                color: root.deliveryState === "failed" ? Theme.danger : Theme.subtle
                ToolTip.text: root.deliveryState === "pending" ? qsTr("Sending") : root.deliveryState === "failed"
                                                                  ? qsTr("Not sent") : qsTr("Sent")
                ToolTip.visible: markHover.hovered
                HoverHandler {
                    id: markHover
                }
            }
        }

        Flow {
            objectName: "reactionChips"
            visible: chips.count > 0
            Layout.fillWidth: true
            spacing: 4
            Repeater {
                id: chips
                model: root.deleted ? [] : root.reactions
                AppButton {
                    required property var modelData
                    objectName: "reactionChip"
                    flat: !modelData.mine
                    highlighted: modelData.mine
                    padding: 2
                    leftPadding: 6
                    rightPadding: 6
                    text: modelData.emoji + " " + modelData.count
                    Accessible.name: modelData.mine
                                     ? qsTr("%1, %n reaction(s) including yours: take yours back", "", modelData.count).arg(modelData.emoji)
                                     : qsTr("%1, %n reaction(s): react too", "", modelData.count).arg(modelData.emoji)
                    ToolTip.text: modelData.people
                    ToolTip.visible: hovered
                    ToolTip.delay: 500
                    onClicked: root.reactionToggled(root.seq, modelData.emoji)
                }
            }
        }

        Label {
            objectName: "seenLine"
            visible: root.seenText.length > 0
            Layout.fillWidth: true
            text: root.seenText
            color: Theme.subtle
            font.pixelSize: 11
            elide: Text.ElideRight
            Accessible.ignored: true // in the message's description
        }

        AppButton {
            visible: root.deliveryState === "failed"
            text: qsTr("Not sent. Retry")
            flat: true
            palette.buttonText: Theme.danger
            onClicked: root.retryRequested(root.clientId)
        }
    }
}
