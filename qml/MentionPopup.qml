pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** The names that complete the "@na" being typed, above the composer. The composer keeps the
 *  keyboard (arrows pick, Tab or Enter takes, Escape closes); a click takes one too. */
Rectangle {
    id: root

    required property MentionCompleter completer
    readonly property int rowHeight: 30

    signal picked(int row)

    visible: root.completer.active
    implicitHeight: visible ? list.count * root.rowHeight + 8 : 0
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border
    Accessible.role: Accessible.List
    Accessible.name: qsTr("People to mention")

    ListView {
        id: list
        objectName: "mentionList"
        anchors.fill: parent
        anchors.margins: 4
        interactive: false
        model: root.completer
        currentIndex: root.completer.currentIndex
        delegate: ItemDelegate {
            id: row
            required property int index
            required property string name
            required property string displayName
            required property bool isRoom
            objectName: "mention_" + row.name
            width: ListView.view.width
            height: root.rowHeight
            focusPolicy: Qt.NoFocus
            highlighted: ListView.isCurrentItem
            // "Carol Smith · @carol", "Everyone in the room · @room"
            text: qsTr("%1 · @%2").arg(row.displayName).arg(row.name)
            Accessible.role: Accessible.ListItem
            Accessible.name: row.isRoom ? qsTr("Mention everyone in the room")
                                        : qsTr("Mention %1").arg(row.displayName)
            onClicked: root.picked(row.index)
        }
    }
}
