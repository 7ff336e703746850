import QtQuick
import QtTest
import Herald.Core
import Herald.Desktop
import Herald.Testing

/** The search page: hits with room, sender and the words in bold; the keyboard reaches the
 *  field, the hits and "more"; Enter on a hit asks for its room at that message, Escape leaves;
 *  and a chat view that reveal()s a message scrolls to it and marks it. */
TestCase {
    id: testCase

    name: "SearchPage"
    when: windowShown
    visible: true
    width: 800
    height: 600

    FrameInjector {
        id: server
        session: Session
    }

    Component {
        id: pageComponent
        SearchPage {
            width: 800
            height: 600
        }
    }
    Component {
        id: chatComponent
        ChatView {
            width: 800
            height: 400
        }
    }
    SignalSpy {
        id: spy
    }

    function initTestCase(): void {
        verify(server.inject({
            type: "hello", protocol: 1, user: { name: "alice", display: "Alice" }, online: 3,
            unread: 0, heartbeat: 30,
            rooms: [{ name: "general", title: "General", kind: "public", lastSeq: 0, online: 2, members: 5 }]
        }))
        for (let seq = 1; seq <= 60; ++seq)
            verify(server.inject({ type: "message", room: "general", seq: seq, from: "bob",
                                   text: seq === 7 ? "the zebra crossing" : "chatter " + seq,
                                   ts: 1700000000000 + seq * 60000 }))
    }

    function test_hits_keyboard_and_activation(): void {
        const page = createTemporaryObject(pageComponent, testCase, { session: Session })
        const field = findChild(page, "searchField")
        const list = findChild(page, "searchResults")
        compare(field.Accessible.name, "Search messages")
        page.focusField()
        verify(field.activeFocus)
        // What the server answers (no server here): two hits and a cursor.
        page.results.applyPage("zebra", {
            results: [{ room: "general", seq: 7, from: "bob", text: "the zebra crossing", ts: 1700000420000 },
                      { room: "general", seq: 3, from: "bob", text: "Zebras <3", ts: 1700000180000 }],
            next: "1700000180000.1.3" }, false)
        tryCompare(list, "count", 2)
        compare(findChild(page, "searchStatus").text, "Messages with “zebra”, newest first")
        waitForRendering(list)
        const first = list.itemAtIndex(0)
        compare(first.richExcerpt, "the <b>zebra</b> crossing")
        compare(list.itemAtIndex(1).richExcerpt, "<b>Zebra</b>s &lt;3")
        verify(first.Accessible.name.indexOf("General") >= 0, first.Accessible.name)
        verify(first.Accessible.name.indexOf("the zebra crossing") >= 0, first.Accessible.name)
        verify(findChild(page, "searchMore").visible)

        // Down from the field reaches the hits; Up and Down walk them; Enter activates.
        spy.target = page
        spy.signalName = "resultActivated"
        spy.clear()
        field.forceActiveFocus(Qt.TabFocusReason)
        keyClick(Qt.Key_Down)
        verify(list.activeFocus)
        compare(list.currentIndex, 0)
        keyClick(Qt.Key_Down)
        compare(list.currentIndex, 1)
        keyClick(Qt.Key_Up)
        keyClick(Qt.Key_Return)
        compare(spy.count, 1)
        compare(spy.signalArguments[0][0], "general")
        compare(spy.signalArguments[0][1], 7)

        // Escape leaves the page.
        spy.signalName = "closeRequested"
        spy.clear()
        field.forceActiveFocus(Qt.TabFocusReason)
        keyClick(Qt.Key_Escape)
        compare(spy.count, 1)

        // No hits: said in words.
        page.results.applyPage("nothing", { results: [], next: null }, false)
        tryCompare(list, "count", 0)
        compare(findChild(page, "searchStatus").text, "No messages found for “nothing”.")
        verify(!findChild(page, "searchMore").visible)
    }

    function test_reveal_scrolls_to_the_message(): void {
        const room = Session.room("general")
        const view = createTemporaryObject(chatComponent, testCase, { room: room })
        const list = findChild(view, "messageList")
        tryCompare(list, "count", 60)
        waitForRendering(list)
        const row = room.messages.rowOf(7)
        compare(row, 6)
        room.reveal(7) // all of it is held: revealed at once
        tryCompare(list, "currentIndex", row)
        tryVerify(() => !list.atYEnd)
        const item = list.itemAtIndex(row)
        verify(item !== null)
        // On screen: inside the visible part of the list.
        const top = item.mapToItem(list, 0, 0).y
        verify(top >= 0 && top + item.height <= list.height, "row at " + top)
        // A live message does not pull the view away from it.
        verify(server.inject({ type: "message", room: "general", seq: 61, from: "bob", text: "later",
                               ts: 1700000000000 + 61 * 60000 }))
        tryCompare(list, "count", 61)
        wait(50)
        verify(item.mapToItem(list, 0, 0).y >= 0)
    }
}
