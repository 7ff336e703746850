import QtQuick
import QtQuick.Window
import Herald.Core

/** A window for one conversation. */
Window {
    id: root

    required property ChatRoom room

    signal messageRequested(string name)

    width: 780
    height: 560
    minimumWidth: 480
    minimumHeight: 360
    title: qsTr("Herald — %1").arg(root.room ? root.room.displayName : "")
    color: Theme.surface
    // Arriving messages count as read while the person looks at this window.
    onActiveChanged: if (root.room) root.room.active = root.active && root.visible
    onClosing: {
        if (root.room)
            root.room.active = false
        root.destroy()
    }

    Shortcut {
        sequence: StandardKey.Close
        onActivated: root.close()
    }

    ChatView {
        anchors.fill: parent
        room: root.room
        onMessageRequested: name => root.messageRequested(name)
    }
}
