import QtQuick
import QtQuick.Controls
import QtTest
import Herald.Core
import Herald.Desktop
import Herald.Testing

/** Receipts from the notification centre: a card on screen in the active window counts as
 *  seen (NotificationModel.shown, which Session turns into a `seen` acknowledgement); a card
 *  scrolled out of view or a hidden centre does not. */
TestCase {
    id: testCase

    name: "CentreSeen"
    when: windowShown
    visible: true
    width: 900
    height: 400

    FrameInjector {
        id: server
        session: Session
    }

    SignalSpy {
        id: shown
        target: Session.notifications
        signalName: "shown"
    }

    Component {
        id: centreComponent
        NotificationCentre {
            width: 760
            height: 360
        }
    }

    function shownIds(): var {
        const ids = []
        for (let i = 0; i < shown.count; ++i)
            ids.push(Number(shown.signalArguments[i][0]))
        return ids
    }

    function initTestCase(): void {
        const notifications = []
        for (let id = 40; id >= 1; --id)
            notifications.push({ id: id, title: "Disk alert " + id, body: "", priority: "normal",
                                 category: "monitoring", link: "", actions: [],
                                 source: { service: "monitor" }, createdAt: Date.now() - (40 - id) * 1000,
                                 expiresAt: null, resolved: null, read: false })
        verify(server.inject({
            type: "hello", protocol: 1, user: { name: "alice", display: "Alice" }, online: 1,
            unread: 40, heartbeat: 30, rooms: [], notifications: notifications, notifSeq: 40
        }))
    }

    function test_a_hidden_centre_shows_nothing(): void {
        shown.clear()
        const centre = createTemporaryObject(centreComponent, testCase,
                                             { notifications: Session.notifications, visible: false })
        verify(centre)
        wait(100)
        compare(shown.count, 0)
    }

    function test_cards_on_screen_are_seen_and_scrolling_shows_more(): void {
        shown.clear()
        const centre = createTemporaryObject(centreComponent, testCase,
                                             { notifications: Session.notifications })
        verify(centre)
        tryVerify(() => shown.count > 0, 3000, "the cards on screen are reported")
        const first = shownIds()
        verify(first.indexOf(40) >= 0, "the newest card, at the top, is seen: " + first)
        verify(first.indexOf(1) < 0, "the oldest card, far below, is not: " + first)
        verify(first.length < 40, "only what fits on screen: " + first.length)
        const list = findChild(centre, "notificationList")
        verify(list)
        list.positionViewAtEnd()
        tryVerify(() => shownIds().indexOf(1) >= 0, 3000, "scrolled into view, the oldest is seen")
    }
}
