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

    signal showAllRequested()

    property Instantiator windows: Instantiator {
        model: root.model
        delegate: ToastWindow {
            toastModel: root.model
        }
    }

    property Window overflow: Window {
        title: qsTr("Herald: more notifications")
        flags: Qt.Tool | Qt.FramelessWindowHint | Qt.WindowStaysOnTopHint | Qt.WindowDoesNotAcceptFocus
        width: 360
        height: 30
        x: Screen.virtualX + Screen.desktopAvailableWidth - width - 16
        y: Screen.virtualY + Screen.desktopAvailableHeight - 40
           - root.windows.count * 160 - height - 16
        color: Theme.sidebar
        visible: root.model !== null && root.model.overflowCount > 0

        Label {
            objectName: "overflowLabel"
            anchors.centerIn: parent
            text: qsTr("+%1 more").arg(root.model ? root.model.overflowCount : 0)
            color: Theme.sidebarText
            font.bold: true
        }
        TapHandler {
            onTapped: root.showAllRequested()
        }
    }
}
