import QtQuick
import QtQuick.Controls

/** A switch with a label in the given colour (readable on the dark header too). */
Switch {
    id: control

    property color labelColor: Theme.text

    Accessible.role: Accessible.CheckBox
    Accessible.name: control.text
    Accessible.checkable: true
    Accessible.checked: control.checked
    Keys.onReturnPressed: {
        control.toggle()
        control.toggled()
    }
    Keys.onEnterPressed: {
        control.toggle()
        control.toggled()
    }

    contentItem: Label {
        leftPadding: control.indicator.width + control.spacing
        text: control.text
        color: control.labelColor
        font.bold: control.font.bold
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.Wrap
    }

    FocusRing {}
}
