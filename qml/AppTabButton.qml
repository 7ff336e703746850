import QtQuick
import QtQuick.Controls

/** A tab: the selected one is filled with the accent colour, so it cannot be mistaken. */
TabButton {
    id: control

    Accessible.role: Accessible.PageTab
    Accessible.name: control.text
    Accessible.checked: control.checked

    contentItem: Label {
        text: control.text
        font.bold: control.checked
        color: control.checked ? Theme.selectedTabText : Theme.text
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    background: Rectangle {
        implicitHeight: 34
        color: control.checked ? Theme.selectedTab : (control.hovered ? Theme.border : Theme.window)
        border.color: Theme.border
        Rectangle {
            // A thick underline too: the selection shows without relying on colour alone.
            visible: control.checked
            anchors.left: parent.left
            anchors.right: parent.right
            anchors.bottom: parent.bottom
            height: 3
            color: Theme.accentDark
        }
    }

    // Around the tab, on the light background: the blue line stands out there even when the
    // tab itself is filled with blue.
    FocusRing {
        inset: -2
    }
}
