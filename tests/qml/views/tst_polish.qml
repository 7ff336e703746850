import QtQuick
import QtQuick.Controls
import QtTest
import Herald.Core
import Herald.Desktop
import Herald.Testing

/** Issue 20's polish, as a person sees it: whole titles, times that move, one colour per
 *  person, the outcome and the link in one row, plurals, and a DM without a members panel. */
TestCase {
    id: testCase

    readonly property string longTitle: "Purchase order 2024-118 for the Shenzhen warehouse needs a second approval "
        + "because the total of 48,250.00 EUR exceeds the limit of the first approver, and the supplier "
        + "asked for confirmation before the end of the quarter, so please look at it today"

    function card(properties: var): var {
        const defaults = {
            notificationId: 1, title: "Order 42", body: "", priority: "normal",
            origin: "ERP · Purchasing", link: "", actions: [], createdAt: new Date(),
            read: false, resolved: false, resolution: "", pendingAction: "", actionError: "",
            expired: false, width: 420
        }
        for (const key in properties)
            defaults[key] = properties[key]
        return createTemporaryObject(cardComponent, testCase, defaults)
    }

    name: "Polish"
    when: windowShown
    visible: true
    width: 900
    height: 700

    FrameInjector {
        id: server
        session: Session
    }

    Component {
        id: cardComponent
        NotificationCard {}
    }

    Component {
        id: toastComponent
        ToastCard {}
    }

    Component {
        id: viewComponent
        ChatView {
            width: 800
            height: 600
        }
    }

    Component {
        id: avatarComponent
        Avatar {}
    }

    function initTestCase(): void {
        verify(server.inject({
            type: "hello", protocol: 1, user: { name: "alice", display: "Alice Martin" }, online: 2,
            unread: 0, heartbeat: 30,
            rooms: [{ name: "team", title: "Team", kind: "public", lastSeq: 0, online: 1, members: 1 },
                    { name: "dm:alice:bob", title: "", kind: "dm", peer: "bob", lastSeq: 0, online: 1, members: 2 }]
        }))
    }

    function cleanup(): void {
        Theme.now = new Date()
    }

    function test_long_title_wraps_then_ellipsis_tooltip_and_expands(): void {
        const c = card({ title: testCase.longTitle, body: "Short body" })
        const title = findChild(c, "cardTitle")
        waitForRendering(c)
        compare(title.maximumLineCount, 3)
        compare(title.lineCount, 3)         // a few lines, not one
        verify(title.truncated)             // then the ellipsis
        verify(c.truncated)
        verify(c.ToolTip.text.startsWith(testCase.longTitle)) // the whole text on hover
        mouseClick(c, 10, 10)               // a click expands the card
        verify(c.expanded)
        tryVerify(() => !title.truncated)
        verify(title.lineCount > 3)
        keyClick(Qt.Key_Return)             // and Enter folds it again (it has the focus)
    }

    function test_toast_shows_two_title_lines(): void {
        const t = createTemporaryObject(toastComponent, testCase, {
            notificationId: 3, title: testCase.longTitle, body: "", origin: "ERP · Purchasing",
            createdAt: new Date(), priority: "high", actions: [], link: "", actionState: "", result: "" })
        const title = findChild(t, "toastTitle")
        waitForRendering(t)
        compare(title.lineCount, 2)
        verify(title.truncated)
        compare(findChild(t, "toastSource").text.split(" · ")[0], "ERP")
        verify(findChild(t, "toastSource").text.indexOf("Purchasing") > 0)
    }

    function test_relative_time_follows_the_one_clock(): void {
        const created = new Date(Date.now() - 30 * 1000)
        Theme.now = new Date()
        const c = card({ createdAt: created })
        const time = findChild(c, "cardTime")
        compare(time.text, "just now")
        Theme.now = new Date(created.getTime() + 4 * 60 * 1000 + 5000)
        compare(time.text, "4 min ago")
        Theme.now = new Date(created.getTime() + 61 * 60 * 1000)
        compare(time.text, "1 hour ago")
        Theme.now = new Date(created.getTime() + 125 * 60 * 1000)
        compare(time.text, "2 hours ago")
        // The exact date and time on hover.
        verify(time.ToolTip.text.indexOf(String(created.getFullYear())) >= 0)
        // And the clock itself moves: one Timer in Theme drives every view.
        verify(Theme.clock.running)
        verify(Theme.clock.repeat)
        Theme.now = new Date(2000, 0, 1)
        Theme.clock.triggered()
        verify(Theme.now.getFullYear() > 2000)
    }

    function test_outcome_and_link_form_one_row(): void {
        const c = card({ resolved: true, read: true, resolution: "Approved by you",
                         link: "https://erp.example.com/po/1",
                         actions: [{ id: "approve", label: "Approve" }] })
        const outcome = findChild(c, "cardResolution")
        const open = findChild(c, "cardOpen")
        verify(outcome.visible)
        compare(outcome.text, "✓ Approved by you")
        verify(open.visible)
        compare(outcome.parent, open.parent) // one row, not a lone "Open" below
        compare(findChild(c, "action_approve"), null) // no buttons for a settled one
    }

    function test_origin_names_the_service_and_category(): void {
        const c = card({ priority: "urgent" })
        compare(findChild(c, "cardOrigin").text, "ERP · Purchasing · urgent")
    }

    function test_one_avatar_colour_per_person(): void {
        verify(Qt.colorEqual(Theme.avatarColor("bob"), Theme.avatarColor("bob")))
        verify(!Qt.colorEqual(Theme.avatarColor("bob"), Theme.avatarColor("alice")))
        // From the login name, whatever display name the view shows.
        const a = createTemporaryObject(avatarComponent, testCase, { name: "Bob Builder", userName: "bob" })
        const b = createTemporaryObject(avatarComponent, testCase, { name: "bob", userName: "bob" })
        verify(Qt.colorEqual(a.color, b.color))
        verify(Qt.colorEqual(a.color, Theme.avatarColor("bob")))

        // The same in a message header and in the member list.
        verify(server.inject({ type: "message", room: "team", seq: 1, from: "bob", text: "hi", ts: Date.now() }))
        verify(server.inject({ type: "member", room: "team", user: "bob", event: "joined" }))
        const view = createTemporaryObject(viewComponent, testCase, { room: Session.room("team") })
        const messages = findChild(view, "messageList")
        const members = findChild(view, "memberList")
        tryVerify(() => messages.itemAtIndex(0) !== null && members.itemAtIndex(0) !== null)
        const inMessage = findChild(messages.itemAtIndex(0), "messageAvatar")
        const inMembers = findChild(members.itemAtIndex(0), "memberAvatar")
        verify(Qt.colorEqual(inMessage.color, inMembers.color))
        verify(Qt.colorEqual(inMessage.color, Theme.avatarColor("bob")))
    }

    function test_plurals_in_the_chat_header_and_member_panel(): void {
        const view = createTemporaryObject(viewComponent, testCase, { room: Session.room("team") })
        tryCompare(findChild(view, "roomOnline"), "text", "1 online · 2 members")
        compare(findChild(view, "memberHeader").text, "1 member · 1 online")
        verify(server.inject({ type: "member", room: "team", user: "carol", event: "joined" }))
        tryCompare(findChild(view, "memberHeader"), "text", "2 members · 2 online")
    }

    function test_direct_message_has_no_members_panel(): void {
        const dm = Session.room("dm:alice:bob")
        verify(dm)
        const view = createTemporaryObject(viewComponent, testCase, { room: dm })
        compare(findChild(view, "memberPanel").visible, false)
        compare(findChild(view, "roomTitle").text, "@ bob")
        compare(findChild(view, "roomOnline").text, "offline") // the other person, not counts
        verify(server.inject({ type: "presence", room: "dm:alice:bob", users: [{ user: "bob", status: "online" }], online: 2 }))
        tryCompare(findChild(view, "roomOnline"), "text", "online")
        compare(findChild(view, "roomPresence").status, "online")
    }
}
