pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** Everyone on the server with presence; "Message" starts a direct message. */
ListView {
    id: root

    signal messageRequested(string name)

    clip: true
    delegate: ItemDelegate {
        id: person
        required property string name
        required property string displayName
        required property string status
        required property bool isSelf
        objectName: "person_" + name
        width: ListView.view.width
        height: 42
        background: Rectangle {
            color: person.hovered ? Theme.sidebarSelected : "transparent"
        }
        contentItem: RowLayout {
            spacing: 8
            Avatar {
                name: person.displayName
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
                    text: person.status
                    color: Theme.sidebarSubtle
                    font.pixelSize: 11
                }
            }
            Button {
                visible: !person.isSelf && person.hovered
                text: qsTr("Message")
                implicitHeight: 26
                onClicked: root.messageRequested(person.name)
            }
        }
        onDoubleClicked: if (!person.isSelf) root.messageRequested(person.name)
    }
    ScrollBar.vertical: ScrollBar {}
}
