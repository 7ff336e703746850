import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** Server address plus user name and password, or a pasted token. */
Pane {
    id: root

    required property Session session
    readonly property bool busy: root.session.status === Session.SigningIn

    function submit(): void {
        if (useToken.checked)
            root.session.signInWithToken(server.text, token.text)
        else
            root.session.signIn(server.text, username.text, password.text)
    }

    background: Rectangle {
        color: Theme.window
    }

    Rectangle {
        anchors.centerIn: parent
        width: 380
        height: form.implicitHeight + 48
        radius: 12
        color: Theme.surface
        border.color: Theme.border

        ColumnLayout {
            id: form
            anchors.fill: parent
            anchors.margins: 24
            spacing: 10

            Label {
                text: qsTr("Sign in to Herald")
                font.pixelSize: 20
                font.bold: true
                color: Theme.text
            }
            Label {
                text: qsTr("Server")
                color: Theme.subtle
            }
            TextField {
                id: server
                objectName: "serverField"
                Layout.fillWidth: true
                placeholderText: "https://herald.example.com"
                text: root.session.settings.server
                onAccepted: root.submit()
            }
            RowLayout {
                RadioButton {
                    id: usePassword
                    text: qsTr("Password")
                    checked: true
                }
                RadioButton {
                    id: useToken
                    objectName: "useToken"
                    text: qsTr("Token")
                }
            }
            TextField {
                id: username
                objectName: "usernameField"
                visible: usePassword.checked
                Layout.fillWidth: true
                placeholderText: qsTr("User name")
                text: root.session.settings.lastUser
                onAccepted: password.forceActiveFocus()
            }
            TextField {
                id: password
                objectName: "passwordField"
                visible: usePassword.checked
                Layout.fillWidth: true
                placeholderText: qsTr("Password")
                echoMode: TextInput.Password
                onAccepted: root.submit()
            }
            TextField {
                id: token
                objectName: "tokenField"
                visible: useToken.checked
                Layout.fillWidth: true
                placeholderText: qsTr("Paste a token (hrd_…)")
                echoMode: TextInput.Password
                onAccepted: root.submit()
            }
            Label {
                objectName: "signInError"
                visible: text.length > 0
                Layout.fillWidth: true
                text: root.session.errorMessage
                color: Theme.danger
                wrapMode: Text.Wrap
            }
            Button {
                objectName: "signInButton"
                Layout.fillWidth: true
                text: root.busy ? qsTr("Signing in…") : qsTr("Sign in")
                enabled: !root.busy
                highlighted: true
                onClicked: root.submit()
            }
        }
    }
}
