import QtQuick
import QtTest
import Herald.Core
import Herald.Desktop
import Herald.Testing

// Threads: the notification centre shows a thread as one card with its count and "Mark thread
// read"; a burst of one thread is one toast that says how many more there are.
TestCase {
    id: testCase

    function notification(id: int, title: string, threadKey: var): var {
        return { id: id, title: title, body: "", priority: "high", category: "", link: "",
                 actions: [], source: { service: "monitor" }, threadKey: threadKey,
                 createdAt: Date.now() - (10 - id) * 1000, expiresAt: null, resolved: null, read: false }
    }

    name: "Threads"
    when: windowShown
    visible: true
    width: 800
    height: 600

    FrameInjector {
        id: server
        session: Session
    }

    Component {
        id: centreComponent
        NotificationCentre {
            width: 760
            height: 560
        }
    }
    Component {
        id: hostComponent
        ToastHost {}
    }
    Component {
        id: modelComponent
        ToastModel {}
    }
    SignalSpy {
        id: spy
        signalName: "markThreadReadTriggered"
    }

    function initTestCase(): void {
        verify(server.inject({
            type: "hello", protocol: 1, user: { name: "alice", display: "Alice Martin" }, online: 1,
            unread: 4, heartbeat: 30, rooms: [],
            notifications: [notification(4, "Disk 97% full on db-2", "db-2-disk"),
                            notification(3, "Backup done", null),
                            notification(2, "Disk 93% full on db-2", "db-2-disk"),
                            notification(1, "Disk 91% full on db-2", "db-2-disk")],
            notifSeq: 4
        }))
    }

    function test_centre_shows_a_thread_as_one_card(): void {
        const view = createTemporaryObject(centreComponent, testCase, { notifications: Session.notifications })
        const list = findChild(view, "notificationList")
        tryCompare(list, "count", 2)
        tryVerify(() => list.itemAtIndex(0) !== null && list.itemAtIndex(1) !== null)
        const card = list.itemAtIndex(0)
        compare(findChild(card, "cardTitle").text, "Disk 97% full on db-2")
        const count = findChild(card, "cardThreadCount")
        verify(count.visible)
        compare(count.text, "3 in thread")
        const button = findChild(card, "cardMarkThreadRead")
        verify(button.visible)
        compare(button.Accessible.name, "Mark thread read")
        // The card alone: no count, no thread button.
        const single = list.itemAtIndex(1)
        compare(findChild(single, "cardTitle").text, "Backup done")
        verify(!findChild(single, "cardThreadCount").visible)
        verify(!findChild(single, "cardMarkThreadRead").visible)
        spy.target = card
        spy.clear()
        waitForRendering(view)
        mouseClick(button)
        compare(spy.count, 1)
    }

    function test_burst_of_one_thread_is_one_toast(): void {
        const model = createTemporaryObject(modelComponent, testCase)
        const host = createTemporaryObject(hostComponent, testCase, { model: model })
        for (let i = 1; i <= 6; ++i)
            model.showFromMap(notification(i, "Disk " + (90 + i) + "% full on db-2", "db-2-disk"))
        model.showFromMap(notification(7, "Backup done", null))
        tryCompare(host, "count", 2)
        const window = host.windows.objectAt(0).window
        tryVerify(() => window.visible)
        compare(findChild(window.contentItem, "toastTitle").text, "Disk 96% full on db-2")
        const more = findChild(window.contentItem, "toastMore")
        verify(more.visible)
        compare(more.text, "5 more from monitor")
        verify(!findChild(host.windows.objectAt(1).window.contentItem, "toastMore").visible)
    }
}
