import QtQuick
import QtTest
import Herald.Core
import Herald.Desktop

TestCase {
    id: testCase

    function notification(id: int, title: string, priority: string): var {
        return {
            id: id,
            title: title,
            body: "Customer ACME, 3 items",
            priority: priority,
            source: { service: "erp" },
            link: "https://erp.example.com/orders/" + id,
            createdAt: Date.now(),
            actions: [{ id: "approve", label: "Approve" }, { id: "reject", label: "Reject" }]
        }
    }

    function windowOf(host: ToastHost, index: int): var {
        return host.windows.objectAt(index).window
    }

    name: "Toasts"
    when: windowShown
    visible: true
    width: 400
    height: 400

    Component {
        id: cardComponent
        ToastCard {}
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
        id: cardSpy
        signalName: "actionTriggered"
    }

    SignalSpy {
        id: requestSpy
        signalName: "actionRequested"
    }

    function test_card_shows_everything_and_forwards_actions(): void {
        const card = createTemporaryObject(cardComponent, testCase, {
            notificationId: 7, title: "Order 42", body: "Customer ACME, 3 items", origin: "ERP · Orders",
            createdAt: new Date(), priority: "high", link: "https://erp.example.com/orders/42",
            actions: [{ id: "approve", label: "Approve" }, { id: "reject", label: "Reject" }],
            actionState: "", result: "" })
        verify(card)
        compare(findChild(card, "toastTitle").text, "Order 42")
        compare(findChild(card, "toastBody").text, "Customer ACME, 3 items")
        verify(findChild(card, "toastSource").text.startsWith("ERP · Orders · "))
        verify(findChild(card, "toastSource").text.endsWith("HIGH PRIORITY"))
        const approve = findChild(card, "action_approve")
        verify(approve && approve.visible)
        compare(approve.text, "Approve")
        verify(findChild(card, "action_reject").visible)
        verify(findChild(card, "action_open").visible)
        cardSpy.target = card
        cardSpy.clear()
        mouseClick(approve)
        compare(cardSpy.count, 1)
        compare(cardSpy.signalArguments[0][0], "approve")

        // Once sent, the buttons give way to the outcome.
        card.actionState = "done"
        card.result = "Approved by you"
        verify(!findChild(card, "toastActions").visible)
        compare(findChild(card, "toastResult").text, "✓ Approved by you")
        // The link stays, beside the outcome: no lone "Open" button in a row of its own.
        const open = findChild(card, "toastResultOpen")
        verify(open.visible)
        compare(open.parent, findChild(card, "toastResult").parent)
    }

    function test_host_opens_a_window_per_toast_and_clicks_reach_the_model(): void {
        const model = createTemporaryObject(modelComponent, testCase)
        const host = createTemporaryObject(hostComponent, testCase, { model: model })
        requestSpy.target = model
        requestSpy.clear()
        model.showFromMap(notification(1, "Order 1", "high"))
        tryCompare(host, "count", 1)
        const window = windowOf(host, 0)
        compare(window.title, "Herald notification: Order 1")
        tryVerify(() => window.visible)
        const approve = findChild(window.contentItem, "action_approve")
        verify(approve)
        waitForRendering(window.contentItem)
        mouseClick(approve)
        compare(requestSpy.count, 1)
        compare(requestSpy.signalArguments[0][0], 1)
        compare(requestSpy.signalArguments[0][1], "approve")
        tryCompare(findChild(window.contentItem, "toastResult"), "text", "Sending…")

        // The close button dismisses.
        mouseClick(findChild(window.contentItem, "toastClose"))
        tryCompare(host, "count", 0)
    }

    function test_reminder_is_labelled(): void {
        const card = createTemporaryObject(cardComponent, testCase, {
            notificationId: 7, title: "Order 42", body: "", origin: "ERP", createdAt: new Date(),
            priority: "normal", link: "", actions: [], actionState: "", result: "" })
        verify(!findChild(card, "toastReminder").visible)
        compare(card.Accessible.name, "Order 42")
        card.reminder = true
        verify(findChild(card, "toastReminder").visible)
        compare(findChild(card, "toastReminder").text, "Reminder")
        compare(card.Accessible.name, "Reminder: Order 42")

        // Through the model: a reminder of one already read still shows, labelled.
        const model = createTemporaryObject(modelComponent, testCase)
        const host = createTemporaryObject(hostComponent, testCase, { model: model })
        const read = notification(3, "Order 3", "normal")
        read.read = true
        model.showFromMap(read)
        compare(host.count, 0)
        read.reminderStep = 1
        model.showFromMap(read)
        tryCompare(host, "count", 1)
        verify(findChild(windowOf(host, 0).contentItem, "toastReminder").visible)
    }

    function test_at_most_three_then_more(): void {
        const model = createTemporaryObject(modelComponent, testCase)
        const host = createTemporaryObject(hostComponent, testCase, { model: model })
        for (let i = 1; i <= 5; ++i)
            model.showFromMap(notification(i, "Order " + i, "normal"))
        tryCompare(host, "count", 3)
        compare(model.overflowCount, 2)
        verify(host.overflow.visible)
        compare(findChild(host.overflow.contentItem, "overflowLabel").text, "+2 more")
        // Stacked upwards from the corner without overlapping.
        verify(windowOf(host, 1).y + windowOf(host, 1).height <= windowOf(host, 0).y)
        verify(windowOf(host, 2).y + windowOf(host, 2).height <= windowOf(host, 1).y)
        compare(windowOf(host, 0).x, windowOf(host, 1).x)
        model.dismiss(1)
        tryCompare(host, "count", 3)
        compare(model.overflowCount, 1)
        compare(windowOf(host, 2).title, "Herald notification: Order 4")
    }

    function test_do_not_disturb_shows_only_urgent(): void {
        const model = createTemporaryObject(modelComponent, testCase)
        const host = createTemporaryObject(hostComponent, testCase, { model: model })
        model.doNotDisturb = true
        model.showFromMap(notification(1, "Quiet", "high"))
        model.showFromMap(notification(2, "Server down", "urgent"))
        tryCompare(host, "count", 1)
        compare(windowOf(host, 0).title, "Herald notification: Server down")
        compare(model.suppressedCount, 1)
    }
}
