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
    /** The notification's title, so each button says what it acts on to a screen reader. */
    property string subject: ""

    signal actionTriggered(string actionId)
    signal openTriggered()

    /** The first button (Enter on a focused toast presses it). */
    function firstButton(): Item {
        for (let i = 0; i < root.children.length; ++i) {
            const child = root.children[i]
            if (child.visible && child.objectName.startsWith("action_"))
                return child
        }
        return null
    }

    spacing: 6

    Repeater {
        model: root.actions
        delegate: AppButton {
            required property var modelData
            required property int index
            objectName: "action_" + modelData.id
            text: modelData.label
            Accessible.description: root.subject
            enabled: !root.busy
            highlighted: index === 0
            implicitHeight: 30
            onClicked: root.actionTriggered(modelData.id)
        }
    }

    AppButton {
        objectName: "action_open"
        visible: root.link.length > 0
        text: qsTr("Open")
        Accessible.description: qsTr("Opens the link in the browser")
        flat: true
        implicitHeight: 30
        onClicked: root.openTriggered()
    }
}
