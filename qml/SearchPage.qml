pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Herald.Core

/** Searching the messages of one's rooms and direct messages: the field, the hits newest first
 *  (room, sender, time, the text with the words found in bold), more on demand. Activating a
 *  hit asks to open its room at that message.
 *  Keyboard: Enter in the field searches, Down moves to the hits, Up and Down walk them, Enter
 *  opens one, Escape asks to leave the page. */
Pane {
    id: root

    required property Session session
    /** The hits, for the page's owner and tests. */
    readonly property SearchResultsModel results: searchModel

    /** A hit was activated: show message seq of room. */
    signal resultActivated(string room, real seq)
    /** Escape: the person is done searching. */
    signal closeRequested()

    /** Puts the keyboard focus in the field, its text selected (Ctrl+K, Ctrl+F). */
    function focusField(): void {
        field.forceActiveFocus(Qt.ShortcutFocusReason)
        field.selectAll()
    }

    padding: 0
    background: Rectangle {
        color: Theme.window
    }
    Accessible.role: Accessible.Pane
    Accessible.name: qsTr("Search messages")
    Keys.onEscapePressed: root.closeRequested()

    SearchResultsModel {
        id: searchModel
        session: root.session
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        RowLayout {
            Layout.fillWidth: true
            Layout.margins: 12
            spacing: 10
            Label {
                text: qsTr("Search")
                font.pixelSize: 20
                font.bold: true
                color: Theme.text
                Accessible.role: Accessible.Heading
                Accessible.name: qsTr("Search messages")
            }
            AppTextField {
                id: field
                objectName: "searchField"
                Layout.fillWidth: true
                label: qsTr("Search messages")
                placeholderText: qsTr("Words in your rooms and direct messages")
                maximumLength: searchModel.maxQueryLength
                selectByMouse: true
                onAccepted: searchModel.search(field.text)
                Keys.onDownPressed: list.focusFirst()
                Keys.onEscapePressed: root.closeRequested()
            }
            AppButton {
                objectName: "searchButton"
                text: qsTr("Search")
                enabled: field.text.trim().length > 0
                onClicked: searchModel.search(field.text)
            }
        }

        Label {
            objectName: "searchStatus"
            Layout.fillWidth: true
            Layout.leftMargin: 14
            Layout.rightMargin: 14
            Layout.bottomMargin: 6
            wrapMode: Text.Wrap
            color: searchModel.errorText.length > 0 ? Theme.danger : Theme.subtle
            text: searchModel.errorText.length > 0 ? searchModel.errorText
                : searchModel.busy && list.count === 0 ? qsTr("Searching…")
                : searchModel.searched && list.count === 0 ? qsTr("No messages found for “%1”.").arg(searchModel.query)
                : searchModel.searched ? qsTr("Messages with “%1”, newest first").arg(searchModel.query)
                : qsTr("Find messages by words they contain, or the start of those words.")
            Accessible.role: Accessible.StaticText
            Accessible.name: text
        }

        ListView {
            id: list
            objectName: "searchResults"

            /** Moves the keyboard focus to the first hit. */
            function focusFirst(): void {
                if (list.count === 0)
                    return
                list.currentIndex = 0
                list.forceActiveFocus(Qt.TabFocusReason)
            }

            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: searchModel
            spacing: 2
            activeFocusOnTab: list.count > 0
            keyNavigationEnabled: true
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Search results")
            Keys.onReturnPressed: if (list.currentItem) list.currentItem.clicked()
            Keys.onEnterPressed: if (list.currentItem) list.currentItem.clicked()
            Keys.onEscapePressed: root.focusField()
            // Reaching the end pages the next hits in.
            onAtYEndChanged: if (atYEnd && count > 0 && searchModel.hasMore) searchModel.loadMore()

            delegate: ItemDelegate {
                id: hit
                required property int index
                required property string room
                required property string roomDisplay
                required property real seq
                required property string authorDisplay
                required property string snippet
                required property date time
                required property string richExcerpt

                objectName: "searchHit_" + index
                width: ListView.view.width
                focusPolicy: Qt.NoFocus // the list has the focus; Up and Down move the current row
                Accessible.role: Accessible.ListItem
                Accessible.name: qsTr("%1 in %2, %3: %4").arg(hit.authorDisplay).arg(hit.roomDisplay)
                                 .arg(Theme.exactTime(hit.time)).arg(hit.snippet)
                Accessible.description: qsTr("Enter opens the conversation at this message")
                background: Rectangle {
                    color: hit.hovered || hit.ListView.isCurrentItem && list.activeFocus ? Theme.infoSurface : Theme.surface
                }
                contentItem: ColumnLayout {
                    spacing: 3
                    RowLayout {
                        spacing: 8
                        Label {
                            text: (hit.room.slice(0, 3) === "dm:" ? "@ " : "# ") + hit.roomDisplay
                            font.bold: true
                            color: Theme.text
                            elide: Text.ElideRight
                            Layout.maximumWidth: hit.width / 3
                        }
                        Label {
                            text: hit.authorDisplay
                            color: Theme.subtle
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                        Label {
                            text: Theme.shortTime(hit.time, new Date())
                            color: Theme.subtle
                            font.pixelSize: 12
                            ToolTip.text: Theme.exactTime(hit.time)
                            ToolTip.visible: timeArea.containsMouse
                            MouseArea {
                                id: timeArea
                                anchors.fill: parent
                                hoverEnabled: true
                                acceptedButtons: Qt.NoButton
                            }
                        }
                    }
                    Label {
                        Layout.fillWidth: true
                        text: hit.richExcerpt
                        textFormat: Text.StyledText
                        wrapMode: Text.Wrap
                        maximumLineCount: 3
                        elide: Text.ElideRight
                        color: Theme.text
                    }
                }
                onClicked: {
                    list.currentIndex = hit.index
                    root.resultActivated(hit.room, hit.seq)
                }
                FocusRing {
                    shown: hit.ListView.isCurrentItem && list.activeFocus
                    inset: 1
                }
            }

            ScrollBar.vertical: ScrollBar {}
        }

        AppButton {
            objectName: "searchMore"
            Layout.alignment: Qt.AlignHCenter
            Layout.margins: 8
            visible: searchModel.hasMore
            text: qsTr("Show older results")
            enabled: !searchModel.busy
            onClicked: searchModel.loadMore()
        }
    }
}
