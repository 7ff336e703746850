import QtQuick

/** A small dot coloured by presence: online, away or offline. */
Rectangle {
    id: root

    required property string status

    implicitWidth: 10
    implicitHeight: 10
    radius: width / 2
    color: Theme.statusColor(root.status)
    Accessible.role: Accessible.Indicator
    Accessible.name: Theme.statusText(root.status)
    border.color: "white"
    border.width: 1.5
}
