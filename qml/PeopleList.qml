pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** Everyone on the server with presence. Enter (or a double click, or "Message") starts a
 *  direct message; Tab focuses the list, Up and Down move. */
ListView {
    id: root

    signal messageRequested(string name)

    clip: true
    activeFocusOnTab: root.count > 0 // nothing to move through in an empty list
    keyNavigationEnabled: true
    currentIndex: 0
    Accessible.role: Accessible.List
    Accessible.name: qsTr("People")
    Keys.onReturnPressed: if (root.currentItem && !root.currentItem.isSelf) root.messageRequested(root.currentItem.name)
    Keys.onEnterPressed: if (root.currentItem && !root.currentItem.isSelf) root.messageRequested(root.currentItem.name)
    delegate: ItemDelegate {
        id: person
        required property int index
        required property string name
        required property string displayName
        required property string status
        required property var since
        required property bool isSelf
        objectName: "person_" + name
        width: ListView.view.width
        height: 42
        focusPolicy: Qt.NoFocus
        Accessible.role: Accessible.ListItem
        Accessible.name: person.displayName + (person.isSelf ? qsTr(" (you)") : "")
        Accessible.description: Theme.presenceText(person.status, person.since)
        background: Rectangle {
            color: person.hovered || person.ListView.isCurrentItem && root.activeFocus ? Theme.sidebarSelected : "transparent"
        }
        contentItem: RowLayout {
            spacing: 8
            Avatar {
                name: person.displayName
                userName: person.name
                status: person.status
                implicitWidth: 28
                implicitHeight: 28
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 0
                Label {
                    Layout.fillWidth: true
                    text: person.displayName + (person.isSelf ? qsTr(" (you)") : "")
                    color: Theme.sidebarText
                    elide: Text.ElideRight
                }
                Label {
                    text: Theme.presenceText(person.status, person.since)
                    color: Theme.sidebarSubtle
                    font.pixelSize: 11
                }
            }
            AppButton {
                visible: !person.isSelf && (person.hovered || person.ListView.isCurrentItem && root.activeFocus)
                text: qsTr("Message")
                Accessible.description: person.displayName
                focusPolicy: Qt.NoFocus // Enter on the row does the same
                implicitHeight: 26
                onClicked: root.messageRequested(person.name)
            }
        }
        onClicked: root.currentIndex = person.index
        onDoubleClicked: if (!person.isSelf) root.messageRequested(person.name)
        FocusRing {
            shown: person.ListView.isCurrentItem && root.activeFocus
            inset: 1
        }
    }
    ScrollBar.vertical: ScrollBar {}
}
