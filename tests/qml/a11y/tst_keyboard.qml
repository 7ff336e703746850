import QtQuick
import QtQuick.Controls
import QtTest
import Herald.Core
import Herald.Desktop
import Herald.Testing

/** Keyboard and screen readers: each view's tab order is walked with the Tab key; every item
 *  that takes the focus shows the focus ring and has an accessible role and name, and no
 *  interactive item of the view lacks a name. Arrows, Enter and Escape do what they say. */
TestCase {
    id: testCase

    /** Every item under @p root (ListView rows included). */
    function descendants(root: Item): var {
        const all = []
        const stack = [root]
        while (stack.length > 0) {
            const item = stack.pop()
            all.push(item)
            for (let i = 0; i < item.children.length; ++i)
                stack.push(item.children[i])
        }
        return all
    }

    function isAncestor(ancestor: Item, item: Item): bool {
        for (let i = item; i; i = i.parent)
            if (i === ancestor)
                return true
        return false
    }

    function effectivelyVisible(item: Item): bool {
        for (let i = item; i; i = i.parent)
            if (!i.visible || i.opacity === 0)
                return false
        return true
    }

    /** A visible focus ring whose target is @p item or inside it. */
    function ringFor(root: Item, item: Item): Item {
        const all = descendants(root)
        for (let i = 0; i < all.length; ++i) {
            const ring = all[i]
            if (ring.objectName === "focusRing" && ring.shown && effectivelyVisible(ring)
                    && ring.width > 0 && ring.height > 0 && ring.target && isAncestor(item, ring.target))
                return ring
        }
        return null
    }

    /** Tabs through @p view from @p first; returns the focused items in order. */
    function walk(view: Item, first: Item, maxSteps: int): var {
        first.forceActiveFocus(Qt.TabFocusReason)
        verify(first.activeFocus, "the first item takes the focus")
        const seen = [first]
        for (let step = 0; step < maxSteps; ++step) {
            keyClick(Qt.Key_Tab)
            const focused = testCase.Window.window.activeFocusItem
            verify(focused !== null, "something has the focus after Tab " + (step + 1))
            if (focused === first || !isAncestor(view, focused))
                break
            verify(seen.indexOf(focused) < 0, "no loop inside the view")
            seen.push(focused)
        }
        for (let i = 0; i < seen.length; ++i) {
            const item = seen[i]
            const label = item.objectName + " (" + item + ")"
            verify(item.Accessible.name.length > 0, "accessible name of " + label)
            verify(item.Accessible.role !== Accessible.NoRole, "accessible role of " + label)
            // The ring shows while it has the focus (checked again by focusing it).
            item.forceActiveFocus(Qt.TabFocusReason)
            verify(item.activeFocus, label + " takes the focus")
            verify(ringFor(view, item) !== null, "a visible focus ring on " + label)
        }
        return seen
    }

    /** No visible interactive item without an accessible name. */
    function checkNames(view: Item): int {
        const all = descendants(view)
        let interactive = 0
        for (let i = 0; i < all.length; ++i) {
            const item = all[i]
            if (!effectivelyVisible(item) || item.enabled === false)
                continue
            const isButton = typeof item.clicked === "function" && item.checkable !== undefined
            const isField = item.echoMode !== undefined || item.wrapMode !== undefined && item.readOnly === false
            if (!(item.activeFocusOnTab || isButton || isField))
                continue
            if (item.objectName === "messageText")
                continue // a message's text, read through its row
            ++interactive
            verify(item.Accessible.name.length > 0,
                   "interactive item without an accessible name: " + item.objectName + " " + item)
        }
        return interactive
    }

    function objectNames(items: var): var {
        return items.map(i => i.objectName)
    }

    name: "Keyboard"
    when: windowShown
    visible: true
    width: 1000
    height: 700

    FrameInjector {
        id: server
        session: Session
    }

    Component {
        id: centreComponent
        NotificationCentre {
            width: 760
            height: 600
        }
    }
    Component {
        id: toastComponent
        ToastCard {}
    }
    Component {
        id: hostComponent
        ToastHost {}
    }
    Component {
        id: toastModelComponent
        ToastModel {}
    }
    Component {
        id: switchComponent
        AppSwitch {}
    }
    Component {
        id: sidebarComponent
        Sidebar {
            width: 270
            height: 600
        }
    }
    Component {
        id: signInComponent
        SignInPage {
            width: 700
            height: 600
        }
    }
    Component {
        id: settingsComponent
        SettingsPage {
            width: 700
            height: 700
        }
    }
    Component {
        id: searchComponent
        SearchPage {
            width: 760
            height: 600
        }
    }
    Component {
        id: chatComponent
        ChatView {
            width: 800
            height: 600
        }
    }

    SignalSpy {
        id: spy
    }

    function initTestCase(): void {
        verify(server.inject({
            type: "hello", protocol: 1, user: { name: "alice", display: "Alice Martin" }, online: 2,
            unread: 2, heartbeat: 30,
            rooms: [{ name: "general", title: "General", kind: "public", lastSeq: 0, online: 2, members: 3 },
                    { name: "ops", title: "Ops", kind: "public", lastSeq: 0, online: 1, members: 2 }],
            notifications: [
                { id: 2, title: "Approve PO-1183?", body: "1 monitor", priority: "high", category: "purchasing",
                  link: "https://erp.example.com/po/1183", actions: [{ id: "approve", label: "Approve" }, { id: "reject", label: "Reject" }],
                  source: { service: "erp" }, createdAt: Date.now(), expiresAt: null, resolved: null, read: false },
                { id: 1, title: "Disk 91% full on db-2", body: "", priority: "urgent", category: "monitoring",
                  link: "", actions: [], source: { service: "monitor" }, createdAt: Date.now() - 60000,
                  expiresAt: null, resolved: null, read: false }],
            notifSeq: 2
        }))
        verify(server.inject({ type: "message", room: "general", seq: 1, from: "bob", text: "Morning!", ts: Date.now() }))
    }

    function test_notification_centre(): void {
        const view = createTemporaryObject(centreComponent, testCase, { notifications: Session.notifications })
        const list = findChild(view, "notificationList")
        tryCompare(list, "count", 2)
        const seen = walk(view, findChild(view, "unreadTab"), 30)
        const names = objectNames(seen)
        // The tabs, "Mark all read", each card and its buttons, in reading order.
        verify(names.indexOf("allTab") === 1, names)
        verify(names.indexOf("markAllRead") > 0, names)
        verify(names.indexOf("action_approve") > 0, names)
        verify(names.indexOf("cardOpen") > names.indexOf("action_approve"), names)
        verify(names.indexOf("cardMarkRead") > names.indexOf("cardOpen"), names)
        verify(checkNames(view) >= 8)

        // The selected tab is unmistakable: filled, bold, its text readable.
        const unread = findChild(view, "unreadTab")
        const all = findChild(view, "allTab")
        verify(unread.checked)
        verify(!Qt.colorEqual(unread.background.color, all.background.color))
        verify(unread.contentItem.font.bold && !all.contentItem.font.bold)

        // Up and Down move between cards; Enter expands; Space marks read.
        const first = list.itemAtIndex(0)
        first.forceActiveFocus(Qt.TabFocusReason)
        keyClick(Qt.Key_Down)
        verify(list.itemAtIndex(1).activeFocus)
        keyClick(Qt.Key_Up)
        verify(first.activeFocus)
        keyClick(Qt.Key_Return)
        verify(first.expanded)
        keyClick(Qt.Key_Return)
        verify(!first.expanded)
    }

    function test_toast(): void {
        const toast = createTemporaryObject(toastComponent, testCase, {
            notificationId: 9, title: "Approve PO-1190?", body: "2 chairs", origin: "ERP · Purchasing",
            createdAt: new Date(), priority: "high", link: "https://erp.example.com/po/1190",
            actions: [{ id: "approve", label: "Approve" }, { id: "reject", label: "Reject" }],
            actionState: "", result: "" })
        verify(toast.Accessible.name.length > 0)
        toast.focusFirst() // what the Ctrl+Shift+T shortcut does to the newest toast
        const approve = findChild(toast, "action_approve")
        verify(approve.activeFocus)
        const seen = walk(toast, approve, 10)
        compare(objectNames(seen), ["action_approve", "action_reject", "action_open", "toastClose"])
        compare(findChild(toast, "toastClose").Accessible.name, "Dismiss")
        verify(checkNames(toast) >= 4)

        // Enter acts on the focused button, Escape dismisses the toast.
        spy.target = toast
        spy.signalName = "actionTriggered"
        spy.clear()
        approve.forceActiveFocus(Qt.TabFocusReason)
        keyClick(Qt.Key_Return)
        compare(spy.count, 1)
        compare(spy.signalArguments[0][0], "approve")
        spy.signalName = "dismissed"
        spy.clear()
        keyClick(Qt.Key_Escape)
        compare(spy.count, 1)
    }

    function test_chat_toast(): void {
        // A direct message's toast: Reply and Open, then the reply field, all named.
        const toast = createTemporaryObject(toastComponent, testCase, {
            notificationId: -1, title: "Bob Builder", body: "Lunch?", origin: "Direct message",
            createdAt: new Date(), priority: "normal", link: "", actions: [],
            actionState: "", result: "", chatRoom: "dm:alice:bob" })
        toast.focusFirst()
        const reply = findChild(toast, "toastReply")
        verify(reply.activeFocus)
        const seen = walk(toast, reply, 10)
        compare(objectNames(seen), ["toastReply", "toastOpenRoom", "toastClose"])
        compare(reply.Accessible.name, "Reply")
        verify(checkNames(toast) >= 3)

        // Enter on Reply opens the field with the focus; Enter there sends what was typed.
        spy.target = toast
        spy.signalName = "replySubmitted"
        spy.clear()
        reply.forceActiveFocus(Qt.TabFocusReason)
        keyClick(Qt.Key_Return)
        const field = findChild(toast, "toastReplyField")
        verify(field.visible)
        verify(field.activeFocus)
        compare(field.Accessible.name, "Reply to Bob Builder")
        keyClick(Qt.Key_Return) // nothing typed: nothing sent
        compare(spy.count, 0)
        keyClick("o")
        keyClick("k")
        keyClick(Qt.Key_Return)
        compare(spy.count, 1)
        compare(spy.signalArguments[0][0], "ok")
    }

    function test_shortcut_focuses_the_newest_toast(): void {
        // What Ctrl+Shift+T does (Main.qml): the newest toast window takes the keyboard focus,
        // on its first button; the toasts never take it by themselves.
        const model = createTemporaryObject(toastModelComponent, testCase)
        const host = createTemporaryObject(hostComponent, testCase, { model: model })
        verify(!host.focusNewest()) // none yet
        for (let i = 1; i <= 2; ++i)
            model.showFromMap({ id: i, title: "Order " + i, priority: "high", createdAt: Date.now(),
                                actions: [{ id: "approve", label: "Approve" }] })
        tryCompare(host, "count", 2)
        const older = host.windows.objectAt(0)
        const newest = host.windows.objectAt(1)
        verify(older.window.flags & Qt.WindowDoesNotAcceptFocus)
        verify(host.focusNewest())
        verify(!(newest.window.flags & Qt.WindowDoesNotAcceptFocus))
        const approve = findChild(newest.window.contentItem, "action_approve")
        tryVerify(() => approve.activeFocus)
        verify(ringFor(newest.window.contentItem, approve) !== null)
    }

    function test_header_do_not_disturb_switch(): void {
        // As in the header: white bold label on the accent colour, ring when focused by Tab.
        const s = createTemporaryObject(switchComponent, testCase, {
            objectName: "headerDnd", text: "Do not disturb", labelColor: Theme.headerText })
        compare(s.Accessible.name, "Do not disturb")
        verify(Qt.colorEqual(s.contentItem.color, Theme.headerText))
        s.forceActiveFocus(Qt.TabFocusReason)
        verify(ringFor(s, s) !== null)
        keyClick(Qt.Key_Space)
        verify(s.checked)
        keyClick(Qt.Key_Return)
        verify(!s.checked)
    }

    function test_sidebar(): void {
        const view = createTemporaryObject(sidebarComponent, testCase, { session: Session })
        const rooms = findChild(view, "roomList")
        tryVerify(() => rooms.count >= 2)
        const seen = walk(view, findChild(view, "chatsTab"), 10)
        // The list gives the focus to its current row.
        compare(objectNames(seen), ["chatsTab", "peopleTab", "room_general", "pageSwitch"])
        verify(checkNames(view) >= 4)

        // Arrows move in the list, Enter opens the room.
        spy.target = view
        spy.signalName = "roomActivated"
        spy.clear()
        rooms.forceActiveFocus(Qt.TabFocusReason)
        rooms.currentIndex = 0
        keyClick(Qt.Key_Down)
        compare(rooms.currentIndex, 1)
        keyClick(Qt.Key_Return)
        compare(spy.count, 1)
        compare(spy.signalArguments[0][0].name, rooms.currentItem.name)
        keyClick(Qt.Key_Up)
        compare(rooms.currentIndex, 0)
        verify(rooms.currentItem.Accessible.name.length > 0)
    }

    function test_sign_in_page(): void {
        const view = createTemporaryObject(signInComponent, testCase, { session: Session })
        const seen = walk(view, findChild(view, "serverField"), 12)
        compare(objectNames(seen), ["serverField", "usePassword", "useToken", "usernameField",
                                    "passwordField", "signInButton"])
        // Every field is labelled like the server field, on screen and for screen readers.
        compare(findChild(view, "usernameLabel").text, "User name")
        compare(findChild(view, "passwordLabel").text, "Password")
        compare(findChild(view, "usernameField").Accessible.name, "User name")
        compare(findChild(view, "passwordField").Accessible.name, "Password")
        compare(findChild(view, "passwordField").echoMode, TextInput.Password)
        verify(checkNames(view) >= 5)
    }

    function test_settings_page(): void {
        const view = createTemporaryObject(settingsComponent, testCase, { session: Session })
        const seen = walk(view, findChild(view, "languageBox"), 14)
        const names = objectNames(seen)
        for (const expected of ["languageBox", "nativeSwitch", "startOnLogin", "soundSwitch", "dndSwitch",
                                "caFileField", "signOutButton"])
            verify(names.indexOf(expected) >= 0, expected + " in " + names)
        verify(checkNames(view) >= 7)

        // The language is switched here, and the views follow at once.
        const box = findChild(view, "languageBox")
        const heading = findChild(view, "settingsHeading")
        compare(heading.text, "Settings")
        box.forceActiveFocus(Qt.TabFocusReason)
        const chinese = box.indexOfValue("zh_CN")
        verify(chinese > 0)
        box.currentIndex = chinese
        box.activated(chinese)
        compare(Session.language.current, "zh_CN")
        tryCompare(heading, "text", "设置")
        box.currentIndex = box.indexOfValue("en")
        box.activated(box.currentIndex)
        tryCompare(heading, "text", "Settings")
        Session.language.choice = ""
    }

    function test_chat_view(): void {
        verify(server.inject({ type: "member", room: "general", user: "bob", event: "joined" }))
        const view = createTemporaryObject(chatComponent, testCase, { room: Session.room("general") })
        const composer = findChild(view, "composer")
        const messages = findChild(view, "messageList")
        tryVerify(() => messages.count > 0)
        const seen = walk(view, composer, 6)
        const names = objectNames(seen)
        verify(names.indexOf("message") > 0, names)   // the message list's current row
        verify(names.indexOf("member") > 0, names)    // the member list's current row
        compare(composer.Accessible.name, "Message General")
        verify(checkNames(view) >= 3)
    }

    function test_search_page(): void {
        const view = createTemporaryObject(searchComponent, testCase, { session: Session })
        const field = findChild(view, "searchField")
        field.text = "morning"
        view.results.applyPage("morning", {
            results: [{ room: "general", seq: 1, from: "bob", text: "Morning!", ts: Date.now() }],
            next: "1.1.1" }, false)
        tryCompare(findChild(view, "searchResults"), "count", 1)
        // The list lays its delegate out on the next polish: walk once the hit is there.
        tryVerify(() => findChild(view, "searchHit_0") !== null)
        const seen = walk(view, field, 8)
        // The field, its button, then the list's current hit and "Show older results".
        const names = objectNames(seen)
        compare(names.slice(0, 2), ["searchField", "searchButton"])
        verify(names.indexOf("searchHit_0") > 1, names)
        verify(names.indexOf("searchMore") > 1, names)
        verify(checkNames(view) >= 4)
    }
}
