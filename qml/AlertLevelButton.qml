import QtQuick
import QtQuick.Controls
import Herald.Core

/** The bell in a conversation's header: what it alerts for (all messages, mentions only,
 *  nothing, for an hour, until tomorrow), kept in sync across the person's devices. */
AppToolButton {
    id: root

    required property ChatRoom room
    readonly property bool isDirect: root.room.kind === "dm"
    /** The level in force ("all", "mentions", "none"); re-read when levels change. */
    readonly property string level: Session.alerts.revision >= 0 ? Session.alerts.levelOf(root.room.name, root.isDirect) : ""

    text: root.level === "none" ? "🔕" : "🔔"
    label: root.level === "none" ? qsTr("Notifications for this conversation: muted")
                                 : qsTr("Notifications for this conversation")
    onClicked: menu.open()

    // The server refused the change (the choice was put back): say so briefly.
    Connections {
        target: Session.alerts
        function onLevelRefused(room: string, message: string): void {
            if (room === root.room.name) {
                refusal.text = qsTr("Notifications not changed: %1").arg(message)
                refusal.open()
            }
        }
    }
    ToolTip {
        id: refusal
        objectName: "alertLevelRefused"
        timeout: 5000
    }

    AlertLevelMenu {
        id: menu
        y: root.height
        room: root.room
    }
}
