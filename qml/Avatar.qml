import QtQuick

/** A circle with a person's or room's initial, in the colour of the login name
 *  (Theme.avatarColor: the same person has the same colour everywhere). */
Rectangle {
    id: root

    /** What to show the initial of: the display name. */
    required property string name
    /** Whose colour: the login name (falls back to the display name). */
    property string userName: ""
    property string status: ""

    implicitWidth: 32
    implicitHeight: 32
    radius: width / 2
    color: Theme.avatarColor(root.userName.length > 0 ? root.userName : root.name)
    Accessible.ignored: true // the name beside it says who

    Text {
        anchors.centerIn: parent
        text: root.name.length > 0 ? root.name.charAt(0).toUpperCase() : "?"
        color: "white"
        font.bold: true
        font.pixelSize: root.height * 0.45
    }

    PresenceDot {
        visible: root.status.length > 0
        status: root.status
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: -1
    }
}
