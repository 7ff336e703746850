pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** Server, language, notifications, start on login, sound, do not disturb, read receipts, and
 *  where the sign-in is kept. */
Pane {
    id: root

    required property Session session
    readonly property Settings settings: root.session.settings

    background: Rectangle {
        color: Theme.window
    }
    Accessible.role: Accessible.Pane
    Accessible.name: qsTr("Settings")

    // Scrolls when the window is smaller than the page (larger fonts, translations).
    ScrollView {
        id: scroll
        anchors.fill: parent
        contentWidth: scroll.availableWidth
        clip: true

    ColumnLayout {
        width: Math.min(scroll.availableWidth, 560)
        spacing: 14

        Label {
            objectName: "settingsHeading"
            text: qsTr("Settings")
            font.pixelSize: 20
            font.bold: true
            color: Theme.text
            Accessible.role: Accessible.Heading
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
                Label { text: qsTr("%1 (%2)").arg(root.session.userDisplayName).arg(root.session.userName) }
            }
        }

        Rectangle {
            objectName: "credentialWarning"
            visible: root.settings.credentialsInFile
            Layout.fillWidth: true
            implicitHeight: warning.implicitHeight + 20
            radius: Theme.radius
            color: Theme.warningSurface
            border.color: Theme.warning
            Label {
                id: warning
                anchors.fill: parent
                anchors.margins: 10
                wrapMode: Text.Wrap
                color: Theme.text
                Accessible.role: Accessible.StaticText
                Accessible.name: text
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
                RowLayout {
                    spacing: 10
                    Label {
                        text: languageBox.label
                        color: Theme.text
                    }
                    ComboBox {
                        id: languageBox
                        objectName: "languageBox"
                        readonly property string label: qsTr("Language")
                        Layout.preferredWidth: 220
                        model: root.session.language.options
                        textRole: "name"
                        valueRole: "code"
                        Accessible.role: Accessible.ComboBox
                        Accessible.name: languageBox.label
                        Component.onCompleted: currentIndex = indexOfValue(root.session.language.choice)
                        onActivated: root.session.language.choice = currentValue
                        FocusRing {}
                    }
                }
                AppSwitch {
                    objectName: "nativeSwitch"
                    text: qsTr("Show notifications through the desktop")
                    checked: root.settings.nativeNotifications
                    onToggled: root.settings.nativeNotifications = checked
                }
                Label {
                    objectName: "nativeState"
                    Layout.fillWidth: true
                    Layout.leftMargin: 4
                    wrapMode: Text.Wrap
                    color: Theme.subtle
                    text: root.session.notifier && root.session.notifier.available
                          ? qsTr("Notification server: %1").arg(root.session.notifier.serverName)
                          : qsTr("This desktop has no notification server: Herald shows its own.")
                }
                AppSwitch {
                    objectName: "startOnLogin"
                    text: qsTr("Start Herald when I log in")
                    checked: root.settings.startOnLogin
                    onToggled: root.settings.startOnLogin = checked
                }
                AppSwitch {
                    objectName: "soundSwitch"
                    text: qsTr("Play a sound with notifications")
                    checked: root.settings.sound
                    onToggled: root.settings.sound = checked
                }
                AppSwitch {
                    objectName: "dndSwitch"
                    text: qsTr("Do not disturb (only urgent notifications pop up)")
                    checked: root.settings.doNotDisturb
                    onToggled: root.settings.doNotDisturb = checked
                }
                RowLayout {
                    spacing: 10
                    Label {
                        text: awayBox.label
                        color: Theme.text
                    }
                    ComboBox {
                        id: awayBox
                        objectName: "awayBox"
                        readonly property string label: qsTr("Show me as away when idle for")
                        Layout.preferredWidth: 160
                        textRole: "text"
                        valueRole: "minutes"
                        model: [
                            { text: qsTr("5 minutes"), minutes: 5 },
                            { text: qsTr("10 minutes"), minutes: 10 },
                            { text: qsTr("15 minutes"), minutes: 15 },
                            { text: qsTr("30 minutes"), minutes: 30 },
                            { text: qsTr("1 hour"), minutes: 60 },
                            { text: qsTr("Never"), minutes: 0 }
                        ]
                        Accessible.role: Accessible.ComboBox
                        Accessible.name: awayBox.label
                        Component.onCompleted: {
                            const i = indexOfValue(root.settings.awayAfterMinutes)
                            currentIndex = i >= 0 ? i : 1
                        }
                        onActivated: root.settings.awayAfterMinutes = currentValue
                        FocusRing {}
                    }
                }
            }
        }

        GroupBox {
            title: qsTr("Chat")
            Layout.fillWidth: true
            ColumnLayout {
                anchors.left: parent.left
                anchors.right: parent.right
                AppSwitch {
                    objectName: "receiptsSwitch"
                    text: qsTr("Send read receipts")
                    Accessible.description: receiptsHint.text
                    enabled: root.session.status === Session.Online
                    checked: root.session.sendReadReceipts
                    onToggled: root.session.sendReadReceipts = checked
                }
                Label {
                    id: receiptsHint
                    objectName: "receiptsHint"
                    Layout.fillWidth: true
                    Layout.leftMargin: 4
                    wrapMode: Text.Wrap
                    color: Theme.subtle
                    text: qsTr("Others see how far you have read their messages. Kept for all your devices.")
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
                Label {
                    text: caField.label
                    color: Theme.text
                }
                AppTextField {
                    id: caField
                    objectName: "caFileField"
                    label: qsTr("Company CA certificate file")
                    Layout.fillWidth: true
                    placeholderText: qsTr("/etc/ssl/certs/company-ca.pem")
                    text: root.settings.caFile
                    onEditingFinished: root.settings.caFile = text.trim()
                }
            }
        }

        AppButton {
            objectName: "signOutButton"
            text: qsTr("Sign out")
            onClicked: root.session.signOut()
        }

        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            color: Theme.subtle
            text: qsTr("Keyboard: Ctrl+Shift+N shows the notifications, Ctrl+Shift+T focuses the newest "
                       + "pop-up (Enter acts, Escape dismisses), Tab moves between controls.")
        }
    }
    }
}
