import QtQuick
import QtTest
import Herald.Core
import Herald.Desktop
import Herald.Testing

TestCase {
    id: testCase

    function message(seq: int, from: string, text: string, clientId: string): var {
        const m = { type: "message", room: "general", seq: seq, from: from, text: text,
                    ts: 1700000000000 + seq * 60000 }
        if (clientId.length > 0)
            m.clientId = clientId
        return m
    }

    name: "ChatView"
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

    function initTestCase(): void {
        verify(server.inject({
            type: "hello", protocol: 1, user: { name: "alice", display: "Alice" }, online: 3,
            unread: 0, heartbeat: 30,
            rooms: [{ name: "general", title: "General", kind: "public", lastSeq: 0, online: 2, members: 5 }]
        }))
        verify(server.inject(message(1, "bob", "Morning!", "")))
        verify(server.inject(message(2, "bob", "Anyone up for lunch?", "")))
        verify(server.inject(message(3, "alice", "Me", "")))
    }

    function test_1_history_header_and_presence(): void {
        const room = Session.room("general")
        verify(room)
        const view = createTemporaryObject(viewComponent, testCase, { room: room })
        const list = findChild(view, "messageList")
        tryCompare(list, "count", 3)
        compare(findChild(view, "roomTitle").text, "# General")
        compare(findChild(view, "roomOnline").text, "2 online · 5 members")
        waitForRendering(list)
        const first = list.itemAtIndex(0)
        compare(first.author, "bob")
        verify(first.showHeader)
        verify(!list.itemAtIndex(1).showHeader) // bob again within minutes
        verify(list.itemAtIndex(2).own)

        // Members with presence dots.
        const members = findChild(view, "memberList")
        verify(server.inject({ type: "member", room: "general", user: "carol", event: "joined" }))
        tryCompare(members, "count", 1)
        tryVerify(() => members.itemAtIndex(0) !== null)
        compare(members.itemAtIndex(0).status, "online")
        verify(server.inject({ type: "presence", room: "general", users: [{ user: "carol", status: "away" }], online: 3 }))
        tryCompare(members.itemAtIndex(0), "status", "away")
        compare(findChild(view, "roomOnline").text, "3 online · 6 members")
    }

    function test_2_typing_indicator(): void {
        const view = createTemporaryObject(viewComponent, testCase, { room: Session.room("general") })
        const typing = findChild(view, "typingLabel")
        compare(typing.text, "")
        verify(server.inject({ type: "typing", room: "general", user: "bob" }))
        tryCompare(typing, "text", "bob is typing…")
        verify(server.inject(message(4, "bob", "ok", "")))
        tryCompare(typing, "text", "") // a message ends it
    }

    function test_3_enter_sends_and_echo_confirms(): void {
        const view = createTemporaryObject(viewComponent, testCase, { room: Session.room("general") })
        const list = findChild(view, "messageList")
        const composer = findChild(view, "composer")
        const before = list.count
        mouseClick(composer)
        tryVerify(() => composer.activeFocus)
        keyClick(Qt.Key_H)
        keyClick(Qt.Key_I)
        keyClick(Qt.Key_Return, Qt.ShiftModifier) // a new line, not a send
        keyClick(Qt.Key_Y)
        compare(list.count, before)
        compare(composer.text, "hi\ny")
        keyClick(Qt.Key_Return)
        compare(composer.text, "")
        tryCompare(list, "count", before + 1)
        list.positionViewAtEnd()
        const pending = list.itemAtIndex(before)
        tryVerify(() => pending !== null)
        compare(pending.text, "hi\ny")
        compare(pending.deliveryState, "pending")
        compare(findChild(pending, "deliveryMark").text, "…")

        // The server's echo, with our clientId, turns it into a sent message (no duplicate).
        verify(server.inject(message(5, "alice", "hi\ny", pending.clientId)))
        tryVerify(() => list.itemAtIndex(before) !== null && list.itemAtIndex(before).deliveryState === "sent")
        compare(list.count, before + 1)
        compare(list.itemAtIndex(before).text, "hi\ny")
        compare(findChild(list.itemAtIndex(before), "deliveryMark").text, "✓")
    }
}
