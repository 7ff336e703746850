import QtQuick
import QtQuick.Controls
import QtTest
import Herald.Core
import Herald.Desktop
import Herald.Testing

/** Mentions in the chat view: "@na" in the composer completes from the room's members (arrows,
 *  Tab, Enter, Escape, a click), a message that mentions me is highlighted, and the bell in the
 *  header sets the conversation's alert level. */
TestCase {
    id: testCase

    function type(text: string): void {
        for (let i = 0; i < text.length; ++i)
            keyClick(text[i])
    }

    function menuItem(menu: var, name: string): var {
        for (let i = 0; i < menu.count; ++i)
            if (menu.itemAt(i).objectName === name)
                return menu.itemAt(i)
        return null
    }

    function rows(list: Item): var {
        tryVerify(() => {
            for (let i = 0; i < list.count; ++i)
                if (!list.itemAtIndex(i))
                    return false
            return true
        })
        const names = []
        for (let i = 0; i < list.count; ++i)
            names.push(list.itemAtIndex(i).name)
        return names
    }

    name: "Mentions"
    when: windowShown
    visible: true
    width: 800
    height: 600

    FrameInjector {
        id: server
        session: Session
    }

    Component {
        id: roomListComponent
        RoomList {
            width: 270
            height: 400
            model: Session.rooms
        }
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
            rooms: [{ name: "general", title: "General", kind: "public", lastSeq: 0, online: 2, members: 1 },
                    { name: "dm:alice:bob", kind: "dm", peer: "bob", lastSeq: 0 }]
        }))
        for (const user of ["bob", "carol", "rob"])
            verify(server.inject({ type: "member", room: "general", user: user, event: "joined" }))
    }

    function test_1_composer_completes_members(): void {
        const view = createTemporaryObject(viewComponent, testCase, { room: Session.room("general") })
        const composer = findChild(view, "composer")
        const popup = findChild(view, "mentionPopup")
        const list = findChild(view, "mentionList")
        composer.forceActiveFocus()
        verify(!popup.visible)

        type("hi @ca")
        tryCompare(popup, "visible", true)
        compare(rows(list), ["carol"])
        keyClick(Qt.Key_Tab) // takes it (and stays in the composer)
        compare(composer.text, "hi @carol ")
        compare(composer.cursorPosition, composer.text.length)
        verify(composer.activeFocus)
        verify(!popup.visible)

        // Everyone but me, then @room; Down and Enter take the second; nothing is sent.
        const before = Session.room("general").messages.rowCount()
        type("and @")
        tryCompare(popup, "visible", true)
        compare(rows(list), ["bob", "carol", "rob", "room"])
        keyClick(Qt.Key_Down)
        compare(list.currentIndex, 1)
        keyClick(Qt.Key_Return)
        compare(composer.text, "hi @carol and @carol ")
        compare(Session.room("general").messages.rowCount(), before)

        // Escape closes the list; Enter then sends as usual.
        type("@r")
        tryCompare(popup, "visible", true)
        compare(rows(list), ["rob", "room"])
        keyClick(Qt.Key_Escape)
        verify(!popup.visible)
        keyClick(Qt.Key_Return)
        compare(composer.text, "")
        compare(Session.room("general").messages.rowCount(), before + 1)

        // A click takes one too.
        type("@b")
        tryCompare(popup, "visible", true)
        const bob = findChild(view, "mention_bob")
        verify(bob)
        verify(bob.Accessible.name.length > 0)
        mouseClick(bob)
        compare(composer.text, "@bob ")
    }

    function test_2_direct_message_offers_no_room(): void {
        const view = createTemporaryObject(viewComponent, testCase, { room: Session.room("dm:alice:bob") })
        const composer = findChild(view, "composer")
        composer.forceActiveFocus()
        type("@ro")
        // Nobody of the DM's (unloaded) member list matches, and @room is not offered.
        verify(!findChild(view, "mentionPopup").visible)
    }

    function test_3_mention_of_me_is_highlighted(): void {
        verify(server.inject({ type: "message", room: "general", seq: 10, from: "bob", text: "@alice look",
                               ts: Date.now(), mentions: ["alice"] }))
        verify(server.inject({ type: "message", room: "general", seq: 11, from: "bob", text: "@carol look",
                               ts: Date.now(), mentions: ["carol"] }))
        verify(server.inject({ type: "message", room: "general", seq: 12, from: "bob", text: "@room lunch",
                               ts: Date.now(), mentionsRoom: true }))
        verify(server.inject({ type: "message", room: "general", seq: 13, from: "bob", text: "plain",
                               ts: Date.now() }))
        const view = createTemporaryObject(viewComponent, testCase, { room: Session.room("general") })
        const list = findChild(view, "messageList")
        tryVerify(() => list.count >= 4)
        list.positionViewAtEnd()
        waitForRendering(list)
        // By text: the message sent in test 1 waits (pending) after these.
        const row = text => {
            for (let i = 0; i < list.count; ++i) {
                const item = list.itemAtIndex(i)
                if (item && item.text === text)
                    return item
            }
            return null
        }
        const highlighted = text => findChild(row(text), "mentionHighlight").visible
        tryVerify(() => row("@alice look") !== null && row("plain") !== null)
        verify(highlighted("@alice look"))
        verify(!highlighted("@carol look"))
        verify(highlighted("@room lunch"))
        verify(!highlighted("plain"))
        compare(row("@alice look").Accessible.description, "Mentions you")
        compare(row("plain").Accessible.description, "")
    }

    function test_4_bell_sets_the_level(): void {
        const view = createTemporaryObject(viewComponent, testCase, { room: Session.room("general") })
        const bell = findChild(view, "alertLevelButton")
        verify(bell.Accessible.name.length > 0)
        compare(bell.text, "🔔")
        compare(Session.alerts.choiceOf("general"), "default")
        mouseClick(bell)
        const menu = findChild(bell, "alertLevelMenu")
        tryCompare(menu, "opened", true)
        const hour = menuItem(menu, "levelMuteHour")
        verify(hour)
        compare(hour.Accessible.name, "Mute for 1 hour")
        mouseClick(hour)
        compare(Session.alerts.choiceOf("general"), "none")
        compare(bell.text, "🔕")
        const left = Session.alerts.untilOf("general").getTime() - Date.now()
        verify(left > 59 * 60000 && left <= 3600000, left)

        mouseClick(bell)
        tryCompare(menu, "opened", true)
        const all = menuItem(menu, "levelAll")
        mouseClick(all)
        compare(Session.alerts.choiceOf("general"), "all")
        compare(bell.text, "🔔")

        Session.alerts.setLevel("general", "default", 0)
        compare(Session.alerts.choiceOf("general"), "default")
        compare(bell.text, "🔔")
    }

    function test_5_room_list_context_menu(): void {
        const list = createTemporaryObject(roomListComponent, testCase)
        tryVerify(() => list.count >= 2)
        let entry = null
        for (let i = 0; i < list.count; ++i)
            if (list.itemAtIndex(i) && list.itemAtIndex(i).name === "general")
                entry = list.itemAtIndex(i)
        verify(entry)
        const menu = list.openLevels(entry)
        tryCompare(menu, "opened", true)
        compare(menu.room, Session.room("general"))
        const none = menuItem(menu, "levelNone")
        compare(none.Accessible.name, "Nothing")
        mouseClick(none)
        compare(Session.alerts.choiceOf("general"), "none")
        compare(Session.alerts.levelOf("general", false), "none")
        Session.alerts.setLevel("general", "default", 0)
    }
}
