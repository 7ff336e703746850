import QtQuick
import QtQuick.Controls

/** A small button showing a glyph: its accessible name and tooltip say what it does. */
ToolButton {
    id: control

    /** What the button does, in words (the glyph alone says nothing to a screen reader). */
    required property string label

    Accessible.role: Accessible.Button
    Accessible.name: control.label
    ToolTip.text: control.label
    ToolTip.visible: control.hovered || control.visualFocus
    ToolTip.delay: 500
    Keys.onReturnPressed: control.clicked()
    Keys.onEnterPressed: control.clicked()

    FocusRing {}
}
