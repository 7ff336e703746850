import QtQuick

/** The keyboard focus ring, drawn around its parent while the parent has keyboard focus: a
 *  blue outer line for light surfaces around a white inner line for dark ones. */
Rectangle {
    id: ring

    /** The item whose focus it shows (default: the parent). */
    property Item target: ring.parent
    /** Shown while this is true; by default while the target has focus from the keyboard. */
    property bool shown: ring.target !== null
                         && (ring.target.visualFocus !== undefined ? ring.target.visualFocus
                                                                   : ring.target.activeFocus)
    property int inset: -3

    objectName: "focusRing"
    x: ring.inset
    y: ring.inset
    width: ring.parent ? ring.parent.width - 2 * ring.inset : 0
    height: ring.parent ? ring.parent.height - 2 * ring.inset : 0
    z: 1000
    visible: ring.shown
    radius: 6
    color: "transparent"
    border.width: 2
    border.color: Theme.focusOuter

    Rectangle {
        anchors.fill: parent
        anchors.margins: 2
        radius: Math.max(0, ring.radius - 2)
        color: "transparent"
        border.width: 1.5
        border.color: Theme.focusInner
    }
}
