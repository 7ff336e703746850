import QtQuick
import QtQuick.Controls

/** A push button with Herald's focus ring; Enter presses it like Space does. */
Button {
    id: control

    Accessible.role: Accessible.Button
    Accessible.name: control.text
    Keys.onReturnPressed: control.clicked()
    Keys.onEnterPressed: control.clicked()

    FocusRing {}
}
