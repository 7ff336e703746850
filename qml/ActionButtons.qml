pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

/** A notification's action buttons (approve, reject, ...) and "Open" for its link. */
RowLayout {
    id: root

    required property var actions
    required property string link
    property bool busy: false

    signal actionTriggered(string actionId)
    signal openTriggered()

    spacing: 6

    Repeater {
        model: root.actions
        delegate: Button {
            required property var modelData
            required property int index
            objectName: "action_" + modelData.id
            text: modelData.label
            enabled: !root.busy
            highlighted: index === 0
            implicitHeight: 30
            onClicked: root.actionTriggered(modelData.id)
        }
    }

    Button {
        objectName: "action_open"
        visible: root.link.length > 0
        text: qsTr("Open")
        flat: true
        implicitHeight: 30
        onClicked: root.openTriggered()
    }
}
