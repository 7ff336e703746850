pragma ComponentBehavior: Bound
import QtQuick
import QtQml.Models
import QtQuick.Controls
import QtQuick.Window
import Herald.Core

/** Shows the rows of a ToastModel as toast windows, plus "+N more" when some wait. */
QtObject {
    id: root

    required property ToastModel model
    readonly property int count: windows.count
    readonly property int margin: 16
    readonly property int gap: 10
    /** Room left at the bottom of the screen for a panel or tray. */
    readonly property int bottomInset: 40
    /** Bumped whenever a toast comes, goes or changes height: the stack re-flows. */
    property int revision: 0

    /** How much of the stack the toasts below @p index take up. */
    function stackHeight(index: int): real {
        let sum = root.revision * 0
        for (let i = 0; i < index; ++i) {
            const toast = root.windows.objectAt(i)
            if (toast)
                sum += toast.window.height + root.gap
        }
        return sum
    }

    signal showAllRequested()

    /** The newest toast takes the keyboard focus (Ctrl+Shift+T); false when there is none. */
    function focusNewest(): bool {
        if (root.windows.count === 0)
            return false
        root.windows.objectAt(root.windows.count - 1).takeFocus()
        return true
    }

    property Instantiator windows: Instantiator {
        model: root.model
        delegate: ToastWindow {
            toastModel: root.model
            host: root
        }
        onObjectAdded: root.revision++
        onObjectRemoved: root.revision++
    }

    property Window overflow: Window {
        title: qsTr("Herald — more notifications")
        flags: Qt.Tool | Qt.FramelessWindowHint | Qt.WindowStaysOnTopHint | Qt.WindowDoesNotAcceptFocus
        width: 360
        height: 30
        x: Screen.virtualX + Screen.desktopAvailableWidth - width - root.margin
        y: Screen.virtualY + Screen.desktopAvailableHeight - root.bottomInset
           - root.stackHeight(root.windows.count) - height
        color: Theme.sidebar
        visible: root.model !== null && root.model.overflowCount > 0

        Label {
            objectName: "overflowLabel"
            Accessible.role: Accessible.Button
            Accessible.name: text
            anchors.centerIn: parent
            text: qsTr("+%n more", "", root.model ? root.model.overflowCount : 0)
            color: Theme.sidebarText
            font.bold: true
        }
        TapHandler {
            onTapped: root.showAllRequested()
        }
    }
}
