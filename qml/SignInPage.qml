import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** Server address plus user name and password, or a pasted token. Every field has its label. */
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
    Accessible.role: Accessible.Pane
    Accessible.name: qsTr("Sign in to Herald")

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
            spacing: 6

            Label {
                text: qsTr("Sign in to Herald")
                font.pixelSize: 20
                font.bold: true
                color: Theme.text
                Layout.bottomMargin: 6
                Accessible.role: Accessible.Heading
            }
            Label {
                text: server.label
                color: Theme.subtle
            }
            AppTextField {
                id: server
                objectName: "serverField"
                label: qsTr("Server")
                Layout.fillWidth: true
                placeholderText: qsTr("https://herald.example.com")
                text: root.session.settings.server
                onAccepted: root.submit()
            }
            RowLayout {
                Layout.topMargin: 4
                RadioButton {
                    id: usePassword
                    objectName: "usePassword"
                    text: qsTr("Password")
                    checked: true
                    Accessible.role: Accessible.RadioButton
                    Accessible.name: qsTr("Sign in with a password")
                    FocusRing {}
                }
                RadioButton {
                    id: useToken
                    objectName: "useToken"
                    text: qsTr("Token")
                    Accessible.role: Accessible.RadioButton
                    Accessible.name: qsTr("Sign in with a token")
                    FocusRing {}
                }
            }
            Label {
                objectName: "usernameLabel"
                visible: usePassword.checked
                text: username.label
                color: Theme.subtle
            }
            AppTextField {
                id: username
                objectName: "usernameField"
                label: qsTr("User name")
                visible: usePassword.checked
                Layout.fillWidth: true
                text: root.session.settings.lastUser
                onAccepted: password.forceActiveFocus()
            }
            Label {
                objectName: "passwordLabel"
                visible: usePassword.checked
                text: password.label
                color: Theme.subtle
            }
            AppTextField {
                id: password
                objectName: "passwordField"
                label: qsTr("Password")
                visible: usePassword.checked
                Layout.fillWidth: true
                echoMode: TextInput.Password
                onAccepted: root.submit()
            }
            Label {
                objectName: "tokenLabel"
                visible: useToken.checked
                text: token.label
                color: Theme.subtle
            }
            AppTextField {
                id: token
                objectName: "tokenField"
                label: qsTr("Token")
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
                Accessible.role: Accessible.AlertMessage
                Accessible.name: text
            }
            AppButton {
                objectName: "signInButton"
                Layout.fillWidth: true
                Layout.topMargin: 6
                text: root.busy ? qsTr("Signing in…") : qsTr("Sign in")
                enabled: !root.busy
                highlighted: true
                onClicked: root.submit()
            }
        }
    }
}
