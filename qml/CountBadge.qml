import QtQuick

/** A red pill with a count; hidden at zero. */
Rectangle {
    id: root

    required property int count

    visible: root.count > 0
    implicitHeight: 18
    implicitWidth: Math.max(18, label.implicitWidth + 10)
    radius: height / 2
    color: Theme.unread
    Accessible.role: Accessible.StaticText
    Accessible.name: qsTr("%n unread", "", root.count)

    Text {
        id: label
        anchors.centerIn: parent
        text: root.count > 99 ? "99+" : String(root.count)
        color: "white"
        font.pixelSize: 11
        font.bold: true
    }
}
