import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** Server, start on login, sound, do not disturb, and where the sign-in is kept. */
Pane {
    id: root

    required property Session session
    readonly property Settings settings: root.session.settings

    background: Rectangle {
        color: Theme.window
    }

    ColumnLayout {
        width: Math.min(parent.width, 560)
        spacing: 14

        Label {
            text: qsTr("Settings")
            font.pixelSize: 20
            font.bold: true
            color: Theme.text
        }

        GroupBox {
            title: qsTr("Account")
            Layout.fillWidth: true
            GridLayout {
                columns: 2
                columnSpacing: 16
                rowSpacing: 6
                anchors.left: parent.left
                anchors.right: parent.right
                Label { text: qsTr("Server"); color: Theme.subtle }
                Label {
                    objectName: "settingsServer"
                    text: root.settings.server
                    Layout.fillWidth: true
                    elide: Text.ElideMiddle
                }
                Label { text: qsTr("Signed in as"); color: Theme.subtle }
                Label { text: root.session.userDisplayName + " (" + root.session.userName + ")" }
            }
        }

        Rectangle {
            objectName: "credentialWarning"
            visible: root.settings.credentialsInFile
            Layout.fillWidth: true
            implicitHeight: warning.implicitHeight + 20
            radius: Theme.radius
            color: "#fff4e0"
            border.color: Theme.warning
            Label {
                id: warning
                anchors.fill: parent
                anchors.margins: 10
                wrapMode: Text.Wrap
                text: qsTr("No system keychain is available, so your sign-in token is kept in %1, "
                           + "readable only by your user account. Install a keychain service "
                           + "(GNOME Keyring or KWallet) to keep it safer.").arg(root.settings.credentialFile)
            }
        }

        GroupBox {
            title: qsTr("Behaviour")
            Layout.fillWidth: true
            ColumnLayout {
                anchors.left: parent.left
                anchors.right: parent.right
                Switch {
                    objectName: "startOnLogin"
                    text: qsTr("Start Herald when I log in")
                    checked: root.settings.startOnLogin
                    onToggled: root.settings.startOnLogin = checked
                }
                Switch {
                    objectName: "soundSwitch"
                    text: qsTr("Play a sound with notifications")
                    checked: root.settings.sound
                    onToggled: root.settings.sound = checked
                }
                Switch {
                    objectName: "dndSwitch"
                    text: qsTr("Do not disturb (only urgent notifications pop up)")
                    checked: root.settings.doNotDisturb
                    onToggled: root.settings.doNotDisturb = checked
                }
            }
        }

        GroupBox {
            title: qsTr("Security")
            Layout.fillWidth: true
            ColumnLayout {
                anchors.left: parent.left
                anchors.right: parent.right
                Label {
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    color: Theme.subtle
                    text: qsTr("Server certificates are always checked. If your company signs its "
                               + "own, give the PEM file of its CA certificate (takes effect at the next connection).")
                }
                TextField {
                    objectName: "caFileField"
                    Layout.fillWidth: true
                    placeholderText: qsTr("/etc/ssl/certs/company-ca.pem")
                    text: root.settings.caFile
                    onEditingFinished: root.settings.caFile = text.trim()
                }
            }
        }

        Button {
            text: qsTr("Sign out")
            onClicked: root.session.signOut()
        }
    }
}
