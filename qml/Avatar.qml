import QtQuick

/** A circle with a person's or room's initial, coloured from the name. */
Rectangle {
    id: root

    required property string name
    property string status: ""

    implicitWidth: 32
    implicitHeight: 32
    radius: width / 2
    color: Qt.hsla((Qt.md5(root.name).charCodeAt(0) * 37 % 360) / 360, 0.45, 0.48, 1)

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
