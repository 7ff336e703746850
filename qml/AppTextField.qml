import QtQuick
import QtQuick.Controls

/** A text field with a visible label (given by the page) and the focus ring. */
TextField {
    id: control

    /** The field's label, also its accessible name. */
    required property string label

    Accessible.role: Accessible.EditableText
    Accessible.name: control.label

    FocusRing {
        shown: control.activeFocus
        inset: -2
    }
}
