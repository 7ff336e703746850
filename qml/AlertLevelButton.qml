import QtQuick
import QtQuick.Controls
import Herald.Core

/** The bell in a conversation's header: what it alerts for (all messages, mentions only,
 *  nothing, for an hour, until tomorrow), kept in sync across the person's devices. */
AppToolButton {
    id: root

    required property ChatRoom room
    readonly property bool isDirect: root.room.kind === "dm"
    /** The stored choice ("default", "all", "mentions", "none"); re-read when levels change. */
    readonly property string choice: Session.alerts.revision >= 0 ? Session.alerts.choiceOf(root.room.name) : ""
    readonly property string level: Session.alerts.revision >= 0 ? Session.alerts.levelOf(root.room.name, root.isDirect) : ""
    readonly property date until: Session.alerts.revision >= 0 ? Session.alerts.untilOf(root.room.name) : new Date(NaN)

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

    Menu {
        id: menu
        objectName: "alertLevelMenu"
        y: root.height

        MenuItem {
            objectName: "levelDefault"
            text: root.isDirect ? qsTr("Default (all messages)") : qsTr("Default (mentions only)")
            Accessible.name: text
            checkable: true
            checked: root.choice === "default"
            onTriggered: Session.alerts.setLevel(root.room.name, "default", 0)
        }
        MenuItem {
            objectName: "levelAll"
            text: qsTr("All messages")
            Accessible.name: text
            checkable: true
            checked: root.choice === "all"
            onTriggered: Session.alerts.setLevel(root.room.name, "all", 0)
        }
        MenuItem {
            objectName: "levelMentions"
            text: qsTr("Mentions only")
            Accessible.name: text
            // In a direct message every message is for the person: the same as all.
            visible: !root.isDirect
            height: visible ? implicitHeight : 0
            checkable: true
            checked: root.choice === "mentions"
            onTriggered: Session.alerts.setLevel(root.room.name, "mentions", 0)
        }
        MenuItem {
            objectName: "levelNone"
            text: isNaN(root.until.getTime()) || root.choice !== "none"
                  ? qsTr("Nothing")
                  : qsTr("Nothing until %1").arg(Theme.exactTime(root.until))
            Accessible.name: text
            checkable: true
            checked: root.choice === "none"
            onTriggered: Session.alerts.setLevel(root.room.name, "none", 0)
        }
        MenuSeparator {}
        MenuItem {
            objectName: "levelMuteHour"
            text: qsTr("Mute for 1 hour")
            Accessible.name: text
            onTriggered: Session.alerts.muteFor(root.room.name, 60)
        }
        MenuItem {
            objectName: "levelMuteTomorrow"
            text: qsTr("Until tomorrow")
            Accessible.name: qsTr("Mute until tomorrow morning")
            onTriggered: Session.alerts.muteUntilTomorrow(root.room.name)
        }
    }
}
