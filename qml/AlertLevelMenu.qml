import QtQuick
import QtQuick.Controls
import Herald.Core

/** What a conversation alerts for: the default, all messages, mentions only, nothing, muted for
 *  an hour or until tomorrow (MessageAlerts keeps it in sync across the person's devices). The
 *  bell in a chat window and the room list's context menu open it. */
Menu {
    id: root

    required property ChatRoom room
    readonly property bool isDirect: root.room.kind === "dm"
    /** The stored choice ("default", "all", "mentions", "none"); re-read when levels change. */
    readonly property string choice: Session.alerts.revision >= 0 ? Session.alerts.choiceOf(root.room.name) : ""
    readonly property date until: Session.alerts.revision >= 0 ? Session.alerts.untilOf(root.room.name) : new Date(NaN)

    objectName: "alertLevelMenu"

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
