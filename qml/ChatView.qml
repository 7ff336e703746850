import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Qt.labs.platform as Platform
import Herald.Core

/** A conversation: history that pages back on scroll, typing line, and the composer, which
 *  sends files too (the attach button, Ctrl+V of an image, or a drop), with the upload's
 *  progress and Cancel above it. What is typed when a file is attached goes with it. */
Pane {
    id: root

    required property ChatRoom room
    readonly property bool isDirect: root.room.kind === "dm"

    signal messageRequested(string name)

    padding: 0
    background: Rectangle {
        color: Theme.surface
    }

    /** Sends a local file; the composer's text goes with it as its caption. */
    function attach(file: url): void {
        if (uploader.uploadFile(file, composer.text)) {
            composer.clear()
            messages.stickToEnd = true
        }
    }

    /** Ctrl+V: an image on the clipboard is sent (with the text as caption); else false. */
    function pasteImage(): bool {
        if (!uploader.pasteImage(composer.text))
            return false
        if (uploader.busy) {
            composer.clear()
            messages.stickToEnd = true
        }
        return true
    }

    function submit(): void {
        root.room.send(composer.text)
        composer.clear()
        messages.stickToEnd = true
    }

    /** Scrolls to message seq (a search hit, ChatRoom.reveal()) and marks it for a moment. */
    function showMessage(seq: real): void {
        const row = root.room.messages.rowOf(seq)
        if (row < 0)
            return
        messages.stickToEnd = false
        messages.positionViewAtIndex(row, ListView.Center)
        messages.currentIndex = row
        revealMark.target = messages.itemAtIndex(row)
        revealFade.restart()
    }

    /** Takes a completion of the popup: "@na" becomes "@name ". */
    function complete(row: int): void {
        const text = completer.completedText(row)
        const cursor = completer.completedCursor(row)
        composer.text = text
        composer.cursorPosition = cursor
    }

    FileUploader {
        id: uploader
        room: root.room
    }

    Platform.FileDialog {
        id: attachDialog
        title: qsTr("Send a file to %1").arg(root.room.displayName)
        fileMode: Platform.FileDialog.OpenFile
        onAccepted: root.attach(attachDialog.file)
    }

    Platform.FileDialog {
        id: saveDialog
        property string fileId: ""
        property string fileName: ""
        title: qsTr("Save file")
        fileMode: Platform.FileDialog.SaveFile
        onAccepted: Session.attachments.saveAs(saveDialog.fileId, saveDialog.fileName, saveDialog.file)
    }

    Connections {
        target: Session.attachments
        function onSaved(id: string, target: url): void {
            uploadStatus.text = qsTr("Saved %1").arg(decodeURIComponent(target.toString().split("/").pop()))
            uploadStatusTimer.restart()
        }
    }

    // Files dropped on the conversation are sent, one at a time.
    DropArea {
        anchors.fill: parent
        keys: ["text/uri-list"]
        onDropped: drop => {
            if (drop.hasUrls && drop.urls.length > 0) {
                root.attach(drop.urls[0])
                drop.accept(Qt.CopyAction)
            }
        }
    }

    MentionCompleter {
        id: completer
        members: root.room.members
        allowRoom: !root.isDirect
    }

    Component.onCompleted: root.room.open()

    Connections {
        target: root.room
        function onRevealed(seq: real): void {
            Qt.callLater(root.showMessage, seq)
        }
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 0

            Rectangle {
                Layout.fillWidth: true
                implicitHeight: 52
                color: Theme.window
                RowLayout {
                    anchors.fill: parent
                    anchors.leftMargin: 14
                    anchors.rightMargin: 14
                    Label {
                        objectName: "roomTitle"
                        text: (root.isDirect ? "@ " : "# ") + root.room.displayName
                        font.pixelSize: 17
                        font.bold: true
                        color: Theme.text
                        Accessible.role: Accessible.Heading
                        Accessible.name: root.room.displayName
                    }
                    Item {
                        Layout.fillWidth: true
                    }
                    PresenceDot {
                        objectName: "roomPresence"
                        status: root.isDirect ? root.room.peerStatus
                                              : (root.room.onlineCount > 0 ? "online" : "offline")
                    }
                    AlertLevelButton {
                        objectName: "alertLevelButton"
                        room: root.room
                    }
                    Label {
                        objectName: "roomOnline"
                        // A direct message shows the other person's presence, a room its counts.
                        text: root.isDirect
                              ? Theme.statusText(root.room.peerStatus)
                              : qsTr("%n online", "", root.room.onlineCount) + " · "
                                + qsTr("%n member(s)", "", root.room.memberCount)
                        color: Theme.subtle
                    }
                }
            }

            ListView {
                id: messages
                objectName: "messageList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                leftMargin: 14
                rightMargin: 14
                topMargin: 8
                bottomMargin: 8
                model: root.room.messages
                property bool stickToEnd: true
                activeFocusOnTab: messages.count > 0
                keyNavigationEnabled: true
                Accessible.role: Accessible.List
                Accessible.name: qsTr("Messages")
                delegate: MessageDelegate {
                    width: ListView.view.width - 28
                    emojiSet: root.room.reactionEmoji
                    attachments: Session.attachments
                    onSaveFileRequested: (fileId, fileName) => {
                        saveDialog.fileId = fileId
                        saveDialog.fileName = fileName
                        saveDialog.currentFile = Platform.StandardPaths.writableLocation(
                                    Platform.StandardPaths.DownloadLocation) + "/" + encodeURIComponent(fileName)
                        saveDialog.open()
                    }
                    onRetryRequested: id => root.room.retry(id)
                    onEditRequested: (seq, text) => root.room.editMessage(seq, text)
                    onDeleteRequested: seq => root.room.deleteMessage(seq)
                    onReactionToggled: (seq, emoji) => root.room.toggleReaction(seq, emoji)
                }
                // The current message's actions from the keyboard: the menu key or Shift+F10.
                Keys.onMenuPressed: if (messages.currentItem) messages.currentItem.openMenu()
                Keys.onPressed: event => {
                    if (event.key === Qt.Key_F10 && (event.modifiers & Qt.ShiftModifier) && messages.currentItem) {
                        messages.currentItem.openMenu()
                        event.accepted = true
                    }
                }
                ScrollBar.vertical: ScrollBar {}
                // The message a search opened, marked for a moment behind its delegate.
                Rectangle {
                    id: revealMark
                    property Item target: null
                    parent: messages.contentItem
                    z: -1
                    x: revealMark.target ? revealMark.target.x - 6 : 0
                    y: revealMark.target ? revealMark.target.y : 0
                    width: revealMark.target ? revealMark.target.width + 12 : 0
                    height: revealMark.target ? revealMark.target.height : 0
                    radius: Theme.radius
                    color: Theme.warningSurface
                    opacity: 0
                    SequentialAnimation {
                        id: revealFade
                        NumberAnimation { target: revealMark; property: "opacity"; to: 1; duration: 150 }
                        PauseAnimation { duration: 2000 }
                        NumberAnimation { target: revealMark; property: "opacity"; to: 0; duration: 800 }
                    }
                }
                header: Item {
                    width: ListView.view.width
                    height: root.room.loadingHistory || !root.room.hasMoreHistory ? 36 : 0
                    BusyIndicator {
                        anchors.centerIn: parent
                        running: root.room.loadingHistory
                        visible: running
                        implicitHeight: 28
                    }
                    Label {
                        anchors.centerIn: parent
                        visible: !root.room.loadingHistory && !root.room.hasMoreHistory
                        text: qsTr("This is the start of the conversation.")
                        color: Theme.subtle
                    }
                }
                // Reaching the top pages older history in; new messages keep the view at the end.
                onAtYBeginningChanged: if (atYBeginning && count > 0) root.room.loadOlder()
                onMovementEnded: stickToEnd = atYEnd
                onCountChanged: if (stickToEnd) Qt.callLater(positionViewAtEnd)
                // An image preview that loads after its message grows the list: stay at the end.
                onContentHeightChanged: if (stickToEnd && !moving) Qt.callLater(positionViewAtEnd)
                Component.onCompleted: positionViewAtEnd()
            }

            Label {
                objectName: "typingLabel"
                Layout.fillWidth: true
                Layout.leftMargin: 16
                Layout.preferredHeight: 18
                text: root.room.typingText
                color: Theme.subtle
                font.italic: true
                font.pixelSize: 12
            }

            Label {
                id: changeError
                objectName: "changeError"
                visible: text.length > 0
                Layout.fillWidth: true
                Layout.leftMargin: 16
                color: Theme.danger
                font.pixelSize: 12
                Accessible.role: Accessible.AlertMessage
                Accessible.name: changeError.text
                // An edit, deletion or reaction the server refused; it goes after a while.
                Connections {
                    target: root.room
                    function onChangeFailed(message: string): void {
                        changeError.text = message
                        changeErrorTimer.restart()
                    }
                }
                Timer {
                    id: changeErrorTimer
                    interval: 6000
                    onTriggered: changeError.text = ""
                }
            }

            // The file being sent: its name, progress and Cancel; or why it was not sent.
            RowLayout {
                objectName: "uploadRow"
                visible: uploader.busy || uploader.errorMessage.length > 0 || uploadStatus.text.length > 0
                Layout.fillWidth: true
                Layout.leftMargin: 16
                Layout.rightMargin: 10
                spacing: 8
                Label {
                    objectName: "uploadLabel"
                    visible: uploader.busy
                    text: qsTr("Sending %1…").arg(uploader.fileName)
                    elide: Text.ElideMiddle
                    Layout.maximumWidth: 260
                    color: Theme.text
                }
                ProgressBar {
                    objectName: "uploadProgress"
                    visible: uploader.busy
                    Layout.fillWidth: true
                    from: 0
                    to: 1
                    value: uploader.progress
                    Accessible.role: Accessible.ProgressBar
                    Accessible.name: qsTr("Sending %1: %2%").arg(uploader.fileName).arg(Math.round(uploader.progress * 100))
                }
                AppButton {
                    objectName: "cancelUpload"
                    visible: uploader.busy
                    text: qsTr("Cancel")
                    Accessible.name: qsTr("Cancel sending %1").arg(uploader.fileName)
                    flat: true
                    onClicked: uploader.cancel()
                }
                Label {
                    id: uploadError
                    objectName: "uploadError"
                    visible: !uploader.busy && uploader.errorMessage.length > 0
                    Layout.fillWidth: true
                    text: uploader.errorMessage
                    wrapMode: Text.Wrap
                    color: Theme.danger
                    Accessible.role: Accessible.AlertMessage
                    Accessible.name: uploader.errorMessage
                }
                AppToolButton {
                    objectName: "dismissUploadError"
                    visible: uploadError.visible
                    label: qsTr("Dismiss")
                    text: "✕"
                    onClicked: uploader.clearError()
                }
                Label {
                    id: uploadStatus
                    objectName: "uploadStatus"
                    visible: !uploader.busy && !uploadError.visible && text.length > 0
                    Layout.fillWidth: true
                    color: Theme.subtle
                    Accessible.role: Accessible.StaticText
                    Accessible.name: uploadStatus.text
                    Timer {
                        id: uploadStatusTimer
                        interval: 4000
                        onTriggered: uploadStatus.text = ""
                    }
                }
            }

            MentionPopup {
                objectName: "mentionPopup"
                Layout.fillWidth: true
                Layout.leftMargin: 10
                Layout.rightMargin: 10
                completer: completer
                onPicked: row => {
                    root.complete(row)
                    composer.forceActiveFocus()
                }
            }

            Rectangle {
                Layout.fillWidth: true
                Layout.margins: 10
                implicitHeight: Math.min(140, composer.implicitHeight + 12)
                radius: Theme.radius
                border.color: Theme.border
                color: Theme.surface

                FocusRing {
                    target: composer
                    shown: composer.activeFocus
                    inset: -1
                }

                AppToolButton {
                    id: attachButton
                    objectName: "attachButton"
                    anchors.left: parent.left
                    anchors.verticalCenter: parent.verticalCenter
                    anchors.leftMargin: 4
                    label: qsTr("Attach a file")
                    text: "📎"
                    enabled: !uploader.busy
                    onClicked: attachDialog.open()
                }

                ScrollView {
                    anchors.fill: parent
                    anchors.margins: 6
                    anchors.leftMargin: attachButton.width + 8
                    TextArea {
                        id: composer
                        objectName: "composer"
                        Accessible.role: Accessible.EditableText
                        Accessible.name: qsTr("Message %1").arg(root.room.displayName)
                        Accessible.description: qsTr("Enter sends, Shift+Enter starts a new line, Ctrl+V of an image sends it")
                        placeholderText: qsTr("Message %1").arg(root.room.displayName)
                        wrapMode: TextEdit.Wrap
                        background: null
                        focus: true
                        activeFocusOnTab: true
                        onTextChanged: {
                            if (text.length > 0)
                                root.room.userTyping()
                            completer.update(text, cursorPosition)
                        }
                        onCursorPositionChanged: completer.update(text, cursorPosition)
                        // While "@na" completes: arrows pick, Tab or Enter takes, Escape closes.
                        Keys.onUpPressed: event => {
                            if (completer.active)
                                completer.move(-1)
                            else
                                event.accepted = false
                        }
                        Keys.onDownPressed: event => {
                            if (completer.active)
                                completer.move(1)
                            else
                                event.accepted = false
                        }
                        Keys.onEscapePressed: event => {
                            if (completer.active)
                                completer.dismiss()
                            else
                                event.accepted = false
                        }
                        // Tab leaves the composer (it does not type a tab): no keyboard trap.
                        Keys.onTabPressed: {
                            if (completer.active)
                                root.complete(completer.currentIndex)
                            else
                                composer.nextItemInFocusChain(true).forceActiveFocus(Qt.TabFocusReason)
                        }
                        Keys.onBacktabPressed: composer.nextItemInFocusChain(false).forceActiveFocus(Qt.BacktabFocusReason)
                        // Ctrl+V of an image sends it; text pastes as usual.
                        Keys.onPressed: event => {
                            if (event.matches(StandardKey.Paste) && root.pasteImage())
                                event.accepted = true
                        }
                        Keys.onReturnPressed: event => {
                            if (event.modifiers & Qt.ShiftModifier)
                                event.accepted = false
                            else if (completer.active)
                                root.complete(completer.currentIndex)
                            else
                                root.submit()
                        }
                        Keys.onEnterPressed: event => {
                            if (event.modifiers & Qt.ShiftModifier)
                                event.accepted = false
                            else if (completer.active)
                                root.complete(completer.currentIndex)
                            else
                                root.submit()
                        }
                    }
                }
            }
        }

        Rectangle {
            visible: !root.isDirect
            Layout.fillHeight: true
            implicitWidth: 1
            color: Theme.border
        }

        // A direct message has two people: no members panel.
        MemberList {
            objectName: "memberPanel"
            visible: !root.isDirect
            Layout.fillHeight: true
            Layout.fillWidth: false
            Layout.preferredWidth: 220
            Layout.maximumWidth: 220
            members: root.room.members
            onMessageRequested: name => root.messageRequested(name)
        }
    }
}
