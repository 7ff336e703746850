import QtQuick
import QtQml.Models
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** One chat message: a header (name, time) at the start of a run, then its file (an image
 *  preview, or a chip with the name, size, Open and Download), the text and its state,
 *  "edited", or a "message deleted" line, its reactions, and under one's own message who has
 *  read up to it ("Seen by Bob", read receipts). Own messages can be edited and deleted from
 *  the context menu (right click, the menu key or Shift+F10 on the current one), which also
 *  opens and saves the file. */
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
    /** The attached file (fileId empty: none), as MessageModel's roles say. */
    required property string fileId
    required property string fileName
    required property real fileSize
    required property string fileType
    required property bool isImage
    /** Where files are downloaded to (Session.attachments). */
    property AttachmentCache attachments: null
    readonly property bool hasFile: root.fileId.length > 0 && !root.deleted
    /** The image preview's local file, once downloaded. */
    property url previewSource: ""
    property bool fetching: false
    /** Why the file could not be shown, opened or saved (empty: fine). */
    property string fileError: ""
    /** What a screen reader says of the message body. */
    readonly property string spokenBody: !root.hasFile
                                         ? root.text
                                         : root.text.length > 0
                                           ? qsTr("%1, attached: %2").arg(root.text).arg(root.fileName)
                                           : qsTr("Attached: %1").arg(root.fileName)

    signal retryRequested(string clientId)
    signal editRequested(real seq, string text)
    signal deleteRequested(real seq)
    signal reactionToggled(real seq, string emoji)
    /** Save as: the view asks where (one dialog for the whole conversation). */
    signal saveFileRequested(string fileId, string fileName)

    /** Opens the context menu (Edit, Delete, reactions) where the message is. */
    function openMenu(): void {
        if (root.changeable || root.reactable || root.hasFile)
            contextMenu.popup(root, 44, 0)
    }
    /** An image message shows its preview: from the cache, or downloaded into it. */
    function loadPreview(): void {
        if (!root.hasFile || !root.isImage || !root.attachments)
            return
        const local = root.attachments.localUrl(root.fileId)
        if (local.toString().length > 0) {
            root.previewSource = local
        } else if (!root.fetching) {
            root.fetching = true
            root.attachments.fetch(root.fileId, root.fileName)
        }
    }
    function openFile(): void {
        if (root.hasFile && root.attachments) {
            root.fileError = ""
            root.attachments.open(root.fileId, root.fileName)
        }
    }
    function saveFile(): void {
        if (root.hasFile)
            root.saveFileRequested(root.fileId, root.fileName)
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

    Component.onCompleted: root.loadPreview()
    onFileIdChanged: root.loadPreview()
    onAttachmentsChanged: root.loadPreview()

    Connections {
        target: root.attachments
        function onFetched(id: string, localUrl: url): void {
            if (id !== root.fileId)
                return
            root.fetching = false
            if (root.isImage)
                root.previewSource = localUrl
        }
        function onFetchFailed(id: string, message: string): void {
            if (id !== root.fileId)
                return
            root.fetching = false
            root.fileError = message
        }
    }

    objectName: "message"
    implicitHeight: column.implicitHeight + (root.showHeader ? 10 : 2)
    Accessible.role: Accessible.ListItem
    Accessible.name: root.deleted
                     ? qsTr("%1, %2: message deleted").arg(root.authorDisplay).arg(Theme.shortTime(root.time, Theme.now))
                     : root.edited
                       ? qsTr("%1, %2: %3 (edited)").arg(root.authorDisplay).arg(Theme.shortTime(root.time, Theme.now)).arg(root.spokenBody)
                       : qsTr("%1, %2: %3").arg(root.authorDisplay).arg(Theme.shortTime(root.time, Theme.now)).arg(root.spokenBody)

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
        MenuItem {
            objectName: "openFileAction"
            text: qsTr("Open file")
            Accessible.name: qsTr("Open %1").arg(root.fileName)
            enabled: root.hasFile
            visible: root.hasFile
            height: visible ? implicitHeight : 0
            onTriggered: root.openFile()
        }
        MenuItem {
            objectName: "saveFileAction"
            text: qsTr("Save file as…")
            Accessible.name: qsTr("Save %1 as").arg(root.fileName)
            enabled: root.hasFile
            visible: root.hasFile
            height: visible ? implicitHeight : 0
            onTriggered: root.saveFile()
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

        // An image: its preview, scaled down to fit; a click (or Enter) opens it full size.
        Item {
            id: preview
            objectName: "imagePreview"
            visible: root.hasFile && root.isImage
            readonly property real fit: previewImage.implicitWidth > 0
                                        ? Math.min(1, 360 / previewImage.implicitWidth, 270 / previewImage.implicitHeight) : 1
            Layout.topMargin: 4
            Layout.preferredWidth: previewImage.status === Image.Ready ? previewImage.implicitWidth * preview.fit : 160
            Layout.preferredHeight: previewImage.status === Image.Ready ? previewImage.implicitHeight * preview.fit : 110
            activeFocusOnTab: preview.visible
            Accessible.role: Accessible.Button
            Accessible.name: qsTr("Image %1: open").arg(root.fileName)
            Accessible.onPressAction: root.openFile()
            Keys.onReturnPressed: root.openFile()
            Keys.onEnterPressed: root.openFile()
            Keys.onSpacePressed: root.openFile()

            Rectangle {
                anchors.fill: parent
                visible: previewImage.status !== Image.Ready
                radius: 4
                color: Theme.window
                border.color: Theme.border
            }
            Image {
                id: previewImage
                objectName: "previewImage"
                anchors.fill: parent
                source: root.previewSource
                // Decoded no larger than twice what is shown: a photo does not cost its megapixels.
                sourceSize.width: 720
                sourceSize.height: 540
                fillMode: Image.PreserveAspectFit
                asynchronous: true
                cache: false
            }
            Rectangle {
                // A frame: a white image on the white conversation still has an edge.
                anchors.fill: parent
                visible: previewImage.status === Image.Ready
                color: "transparent"
                border.color: Theme.border
            }
            BusyIndicator {
                anchors.centerIn: parent
                running: root.fetching
                visible: running
                implicitHeight: 28
                implicitWidth: 28
            }
            TapHandler {
                onTapped: root.openFile()
            }
            HoverHandler {
                cursorShape: Qt.PointingHandCursor
            }
            FocusRing {
                shown: preview.activeFocus
            }
        }

        // Any other file: a chip with its name and size, Open and Download.
        Rectangle {
            id: fileChip
            objectName: "fileChip"
            visible: root.hasFile && !root.isImage
            Layout.topMargin: 4
            Layout.preferredWidth: Math.min(420, chipRow.implicitWidth + 16)
            implicitHeight: chipRow.implicitHeight + 12
            radius: Theme.radius
            color: Theme.window
            border.color: Theme.border
            Accessible.role: Accessible.Grouping
            Accessible.name: qsTr("File %1, %2").arg(root.fileName).arg(fileSizeLabel.text)

            RowLayout {
                id: chipRow
                anchors.fill: parent
                anchors.margins: 6
                spacing: 8
                Label {
                    text: "📄"
                    font.pixelSize: 22
                    Accessible.ignored: true
                }
                ColumnLayout {
                    spacing: 0
                    Layout.fillWidth: true
                    Label {
                        objectName: "fileNameLabel"
                        text: root.fileName
                        elide: Text.ElideMiddle
                        Layout.fillWidth: true
                        Layout.maximumWidth: 240
                        color: Theme.text
                        font.bold: true
                    }
                    Label {
                        id: fileSizeLabel
                        objectName: "fileSizeLabel"
                        text: root.attachments ? root.attachments.formatSize(root.fileSize) : ""
                        color: Theme.subtle
                        font.pixelSize: 11
                    }
                }
                AppButton {
                    objectName: "openFileButton"
                    text: qsTr("Open")
                    Accessible.name: qsTr("Open %1").arg(root.fileName)
                    flat: true
                    onClicked: root.openFile()
                }
                AppButton {
                    objectName: "downloadFileButton"
                    text: qsTr("Download")
                    Accessible.name: qsTr("Download %1").arg(root.fileName)
                    flat: true
                    onClicked: root.saveFile()
                }
            }
        }

        Label {
            objectName: "fileError"
            visible: root.hasFile && root.fileError.length > 0
            text: root.fileError
            color: Theme.danger
            font.pixelSize: 12
            Accessible.role: Accessible.AlertMessage
            Accessible.name: root.fileError
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
                // A file sent without a caption has no text line.
                visible: !root.deleted && !root.editing && (root.text.length > 0 || !root.hasFile)
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
            Item {
                // Keeps the marks at the end when there is no text to fill the line.
                visible: root.hasFile && root.text.length === 0 && !root.editing
                Layout.fillWidth: true
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
