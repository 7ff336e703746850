import QtQuick
import QtTest
import Herald.Core
import Herald.Desktop
import Herald.Testing

// The message delegate's edited, deleted and reaction states, live (frames injected into the
// Session) and from a resume's message state; the context menu of one's own messages (Edit,
// Delete; keyboard: the menu key on the current message) and reaction chips that toggle. Files:
// an image message shows a scaled preview from the attachment cache that opens on a click, any
// other file a chip with its name, size, Open and Download; a message frame with a file shows
// it in the conversation, and Ctrl+V of an image in the composer goes to the uploader.
TestCase {
    id: testCase

    readonly property string thumbsUp: "\u{1F44D}"
    readonly property string party: "\u{1F389}"

    function message(seq: int, from: string, text: string): var {
        return { type: "message", room: "general", seq: seq, from: from, text: text,
                 ts: 1700000000000 + seq * 60000 }
    }

    name: "MessageDelegate"
    when: windowShown
    visible: true
    width: 800
    height: 600

    FrameInjector {
        id: server
        session: Session
    }

    Component {
        id: viewComponent
        ChatView {
            width: 800
            height: 600
        }
    }

    Component {
        id: delegateComponent
        MessageDelegate {
            width: 600
            author: "alice"
            authorDisplay: "Alice"
            text: "Deploy is done"
            time: new Date(1700000000000)
            deliveryState: "sent"
            own: true
            showHeader: true
            clientId: "c1"
            seq: 7
            edited: false
            deleted: false
            reactions: []
            mentionsMe: false
            seenText: ""
            fileId: ""
            fileName: ""
            fileSize: 0
            fileType: ""
            isImage: false
            attachments: Session.attachments
            emojiSet: [testCase.thumbsUp, testCase.party]
        }
    }

    SignalSpy {
        id: saveSpy
        signalName: "saveFileRequested"
    }

    SignalSpy {
        id: editSpy
        signalName: "editRequested"
    }
    SignalSpy {
        id: deleteSpy
        signalName: "deleteRequested"
    }
    SignalSpy {
        id: reactSpy
        signalName: "reactionToggled"
    }

    function initTestCase(): void {
        verify(server.inject({
            type: "hello", protocol: 1, user: { name: "alice", display: "Alice" }, online: 3,
            unread: 0, heartbeat: 30,
            rooms: [{ name: "general", title: "General", kind: "public", lastSeq: 0, online: 2, members: 3 }]
        }))
        verify(server.inject(message(1, "bob", "Morning")))
        verify(server.inject(message(2, "alice", "Lunch at noon?")))
        const withReactions = message(3, "bob", "Sure")
        withReactions.reactions = [{ emoji: testCase.party, count: 2, people: ["carol", "alice"] }]
        verify(server.inject(withReactions))
    }

    function test_1_live_changes_show(): void {
        const view = createTemporaryObject(viewComponent, testCase, { room: Session.room("general") })
        const list = findChild(view, "messageList")
        tryCompare(list, "count", 3)
        waitForRendering(list)
        const first = list.itemAtIndex(0)
        const third = list.itemAtIndex(2)
        verify(!findChild(first, "editedMark").visible)
        // A reaction state from history: one chip, mine.
        const chips = findChild(third, "reactionChips")
        verify(chips.visible)
        const partyChip = findChild(third, "reactionChip")
        compare(partyChip.text, testCase.party + " 2")
        verify(partyChip.highlighted)
        verify(partyChip.Accessible.name.length > 0)

        verify(server.inject({ type: "msg.edited", room: "general", seq: 4, target: 1,
                               text: "Good morning", editedAt: 1700000500000, by: "bob" }))
        tryCompare(findChild(first, "messageText"), "text", "Good morning")
        verify(findChild(first, "editedMark").visible)
        compare(findChild(first, "editedMark").text, "(edited)")
        verify(first.Accessible.name.indexOf("(edited)") >= 0)

        verify(server.inject({ type: "msg.reaction", room: "general", seq: 5, target: 2,
                               emoji: testCase.thumbsUp, by: "bob", on: true, ts: 1700000600000 }))
        const second = list.itemAtIndex(1)
        tryVerify(() => findChild(second, "reactionChips").visible)
        const thumbs = findChild(second, "reactionChip")
        compare(thumbs.text, testCase.thumbsUp + " 1")
        verify(!thumbs.highlighted) // bob's, not mine

        verify(server.inject({ type: "msg.deleted", room: "general", seq: 6, target: 3,
                               by: "bob", ts: 1700000700000 }))
        tryVerify(() => findChild(third, "deletedLabel").visible)
        compare(findChild(third, "deletedLabel").text, "Message deleted")
        verify(!findChild(third, "messageText").visible)
        verify(!findChild(third, "reactionChips").visible) // its reactions went with it
        verify(third.Accessible.name.indexOf("message deleted") >= 0)
        compare(list.count, 3) // the line stays
    }

    function test_2_own_message_menu_edits_and_deletes(): void {
        const item = createTemporaryObject(delegateComponent, testCase)
        editSpy.target = item
        deleteSpy.target = item
        editSpy.clear()
        deleteSpy.clear()
        const menu = findChild(item, "messageMenu")
        item.openMenu()
        tryVerify(() => menu.opened)
        const edit = findChild(item, "editAction")
        verify(edit.visible && edit.enabled)
        compare(edit.Accessible.name, "Edit message")
        edit.triggered()
        tryVerify(() => !menu.visible)
        const field = findChild(item, "editField")
        verify(field.visible)
        verify(!findChild(item, "messageText").visible)
        compare(field.text, "Deploy is done")
        tryVerify(() => field.activeFocus)
        field.text = "Deploy is done (v2)"
        keyClick(Qt.Key_Return)
        compare(editSpy.count, 1)
        compare(editSpy.signalArguments[0][0], 7)
        compare(editSpy.signalArguments[0][1], "Deploy is done (v2)")
        verify(!field.visible)
        // Escape leaves it as it was.
        item.startEditing()
        tryVerify(() => field.activeFocus)
        field.text = "never mind"
        keyClick(Qt.Key_Escape)
        compare(editSpy.count, 1)
        verify(!field.visible)

        item.openMenu()
        tryVerify(() => menu.opened)
        findChild(item, "deleteAction").triggered()
        compare(deleteSpy.count, 1)
        compare(deleteSpy.signalArguments[0][0], 7)
    }

    function test_3_others_messages_react_only(): void {
        const item = createTemporaryObject(delegateComponent, testCase, {
            own: false, author: "bob", authorDisplay: "Bob",
            reactions: [{ emoji: testCase.thumbsUp, count: 1, mine: false, people: "bob" }] })
        reactSpy.target = item
        reactSpy.clear()
        item.openMenu()
        const menu = findChild(item, "messageMenu")
        tryVerify(() => menu.opened)
        verify(!findChild(item, "editAction").visible)
        verify(!findChild(item, "deleteAction").visible)
        menu.close()
        tryVerify(() => !menu.visible)
        const chip = findChild(item, "reactionChip")
        waitForRendering(item)
        mouseClick(chip)
        compare(reactSpy.count, 1)
        compare(reactSpy.signalArguments[0][0], 7)
        compare(reactSpy.signalArguments[0][1], testCase.thumbsUp)
    }

    function test_4_deleted_and_edited_states(): void {
        const gone = createTemporaryObject(delegateComponent, testCase, { deleted: true, text: "" })
        verify(findChild(gone, "deletedLabel").visible)
        verify(!findChild(gone, "editedMark").visible)
        gone.openMenu() // a deleted message has no actions
        verify(!findChild(gone, "messageMenu").visible)
        const changed = createTemporaryObject(delegateComponent, testCase, { edited: true })
        verify(findChild(changed, "editedMark").visible)
        verify(findChild(changed, "messageText").visible)
    }

    function test_5_menu_key_opens_the_current_messages_menu(): void {
        const view = createTemporaryObject(viewComponent, testCase, { room: Session.room("general") })
        const list = findChild(view, "messageList")
        tryCompare(list, "count", 3)
        waitForRendering(list)
        list.forceActiveFocus()
        list.currentIndex = 1 // alice's own
        keyClick(Qt.Key_Menu)
        const menu = findChild(list.itemAtIndex(1), "messageMenu")
        tryVerify(() => menu.opened)
        verify(findChild(list.itemAtIndex(1), "editAction").visible)
        menu.close()
    }

    function test_5_seen_line(): void {
        const unseen = createTemporaryObject(delegateComponent, testCase)
        verify(!findChild(unseen, "seenLine").visible)
        const seen = createTemporaryObject(delegateComponent, testCase, { seenText: "Seen by Bob" })
        const line = findChild(seen, "seenLine")
        verify(line.visible)
        compare(line.text, "Seen by Bob")
        verify(seen.Accessible.description.indexOf("Seen by Bob") >= 0)
    }

    function test_5b_receipt_shows_under_own_message(): void {
        const view = createTemporaryObject(viewComponent, testCase, { room: Session.room("general") })
        const list = findChild(view, "messageList")
        tryCompare(list, "count", 3)
        waitForRendering(list)
        // bob has read up to alice's "Lunch at noon?" (seq 2, the second row) and on to 3.
        verify(server.inject({ type: "room.receipt", room: "general", user: "bob", seq: 3 }))
        const own = list.itemAtIndex(1)
        tryVerify(() => findChild(own, "seenLine").visible)
        verify(findChild(own, "seenLine").text.indexOf("Seen by ") === 0)
        verify(!findChild(list.itemAtIndex(0), "seenLine").visible)
        verify(!findChild(list.itemAtIndex(2), "seenLine").visible) // bob's own message
        compare(Session.room("general").receipts.position("bob"), 3)
    }

    function test_6_image_message_shows_a_preview_that_opens(): void {
        const id = server.holdImage(1600, 1200, "whiteboard.png")
        compare(id.length, 64)
        server.catchOpenedFiles()
        const item = createTemporaryObject(delegateComponent, testCase, {
            own: false, author: "bob", authorDisplay: "Bob", text: "",
            fileId: id, fileName: "whiteboard.png", fileSize: 4096, fileType: "image/png", isImage: true })
        const preview = findChild(item, "imagePreview")
        const image = findChild(item, "previewImage")
        verify(preview.visible)
        verify(!findChild(item, "fileChip").visible)
        tryCompare(image, "status", Image.Ready)
        // Decoded no larger than its sourceSize, shown no larger than 360 x 270 (the layout
        // takes the image's size after it is ready: wait for it rather than for the status).
        verify(image.implicitWidth <= 720)
        tryVerify(() => Math.abs(preview.width / preview.height - 4 / 3) < 0.02)
        verify(preview.width <= 360 && preview.height <= 270)
        verify(preview.width > 100)
        verify(!findChild(item, "messageText").visible) // no caption, no text line
        verify(item.Accessible.name.indexOf("whiteboard.png") >= 0)
        compare(preview.Accessible.name, "Image whiteboard.png: open")
        waitForRendering(item)
        mouseClick(preview)
        tryCompare(server.openedFiles, "length", 1)
        verify(server.openedFiles[0].endsWith("/" + id + "/whiteboard.png"))
        // From the keyboard too.
        preview.forceActiveFocus()
        keyClick(Qt.Key_Return)
        tryCompare(server.openedFiles, "length", 2)
    }

    function test_7_other_file_shows_a_chip(): void {
        const item = createTemporaryObject(delegateComponent, testCase, {
            own: false, author: "bob", authorDisplay: "Bob", text: "Q3 numbers",
            fileId: "ab".repeat(32), fileName: "report.pdf", fileSize: 3 * 1024 * 1024,
            fileType: "application/pdf", isImage: false })
        saveSpy.target = item
        saveSpy.clear()
        const chip = findChild(item, "fileChip")
        verify(chip.visible)
        verify(!findChild(item, "imagePreview").visible)
        compare(findChild(item, "fileNameLabel").text, "report.pdf")
        compare(findChild(item, "fileSizeLabel").text, "3.0 MB")
        verify(findChild(item, "messageText").visible) // the caption
        compare(findChild(item, "messageText").text, "Q3 numbers")
        const download = findChild(item, "downloadFileButton")
        compare(download.Accessible.name, "Download report.pdf")
        compare(findChild(item, "openFileButton").Accessible.name, "Open report.pdf")
        compare(chip.Accessible.name, "File report.pdf, 3.0 MB")
        waitForRendering(item)
        mouseClick(download)
        compare(saveSpy.count, 1)
        compare(saveSpy.signalArguments[0][0], "ab".repeat(32))
        compare(saveSpy.signalArguments[0][1], "report.pdf")
        // The menu offers it from the keyboard as well.
        item.openMenu()
        const menu = findChild(item, "messageMenu")
        tryVerify(() => menu.opened)
        verify(findChild(item, "saveFileAction").visible)
        verify(findChild(item, "openFileAction").visible)
        findChild(item, "saveFileAction").triggered()
        compare(saveSpy.count, 2)
        menu.close()
        // Opening a file that cannot be fetched (no server here) says so in the message.
        findChild(item, "openFileButton").clicked()
        tryVerify(() => findChild(item, "fileError").visible)
        verify(findChild(item, "fileError").text.length > 0)
        // Deleted: no file any more.
        item.deleted = true
        verify(!chip.visible)
    }

    function test_8_file_message_in_the_conversation_and_paste(): void {
        verify(server.inject({ type: "message", room: "general", seq: 10, from: "bob", text: "",
                               ts: 1700000900000,
                               file: { id: "cd".repeat(32), name: "notes.txt", size: 12, type: "text/plain" } }))
        const view = createTemporaryObject(viewComponent, testCase, { room: Session.room("general") })
        const list = findChild(view, "messageList")
        tryCompare(list, "count", 4)
        list.positionViewAtEnd()
        waitForRendering(list)
        const last = list.itemAtIndex(3)
        verify(findChild(last, "fileChip").visible)
        compare(findChild(last, "fileNameLabel").text, "notes.txt")
        compare(findChild(last, "fileSizeLabel").text, "12 bytes")

        compare(findChild(view, "attachButton").Accessible.name, "Attach a file")
        // Ctrl+V of an image goes to the uploader (which says it is offline here) and types nothing.
        const composer = findChild(view, "composer")
        composer.forceActiveFocus()
        server.putImageOnClipboard(40, 30)
        keyClick(Qt.Key_V, Qt.ControlModifier)
        const error = findChild(view, "uploadError")
        tryVerify(() => error.visible)
        verify(error.text.indexOf("Not connected") === 0)
        compare(composer.text, "")
        verify(findChild(view, "uploadRow").visible)
        mouseClick(findChild(view, "dismissUploadError"))
        tryVerify(() => !findChild(view, "uploadRow").visible)
    }
}
