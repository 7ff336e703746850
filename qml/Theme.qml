pragma Singleton
import QtQuick
import Herald.Core

/** Colours, sizes, the clock and small formatting helpers shared by every view. */
QtObject {
    id: theme

    readonly property color accent: "#2b6cb0"
    readonly property color accentDark: "#1f4f85"
    readonly property color window: "#f4f6f9"
    readonly property color surface: "#ffffff"
    readonly property color unreadSurface: "#eef4fc"
    readonly property color border: "#d9dee5"
    readonly property color text: "#1d2430"
    readonly property color subtle: "#5d6b7e"
    readonly property color unread: "#d93025"
    readonly property color danger: "#c62828"
    readonly property color success: "#2e7d32"
    readonly property color warning: "#b7791f"
    readonly property color warningSurface: "#fff4e0"
    /** Behind a chat message that mentions the person. */
    readonly property color mentionBackground: "#fff8db"
    readonly property color infoSurface: "#e8f0fb"
    readonly property color sidebar: "#1f2a38"
    readonly property color sidebarText: "#e6ebf2"
    readonly property color sidebarSubtle: "#a9b6c8"
    readonly property color sidebarSelected: "#2f405a"
    readonly property color sidebarFooter: "#1b2430"
    readonly property color headerText: "#ffffff"
    /** The keyboard focus ring: a blue outer line (on light surfaces) around a white inner one
     *  (on dark ones), so one of the two always stands out. */
    readonly property color focusOuter: "#1d4ed8"
    readonly property color focusInner: "#ffffff"
    readonly property color selectedTab: "#2b6cb0"
    readonly property color selectedTabText: "#ffffff"
    readonly property int spacing: 8
    readonly property int radius: 8

    /** Text colour on background colour, as the views use them: tst_contrast checks that each
     *  pair reaches WCAG AA (4.5:1, or 3:1 for large or bold text of 14 pt and more). */
    readonly property var contrastPairs: [
        { name: "text on window", fg: theme.text, bg: theme.window, large: false },
        { name: "text on surface", fg: theme.text, bg: theme.surface, large: false },
        { name: "text on unread card", fg: theme.text, bg: theme.unreadSurface, large: false },
        { name: "subtle on window", fg: theme.subtle, bg: theme.window, large: false },
        { name: "subtle on surface", fg: theme.subtle, bg: theme.surface, large: false },
        { name: "subtle on unread card", fg: theme.subtle, bg: theme.unreadSurface, large: false },
        { name: "success on surface", fg: theme.success, bg: theme.surface, large: false },
        { name: "success on unread card", fg: theme.success, bg: theme.unreadSurface, large: false },
        { name: "danger on surface", fg: theme.danger, bg: theme.surface, large: false },
        { name: "text on warning strip", fg: theme.text, bg: theme.warningSurface, large: false },
        { name: "text on a message that mentions me", fg: theme.text, bg: theme.mentionBackground, large: false },
        { name: "subtle on a message that mentions me", fg: theme.subtle, bg: theme.mentionBackground, large: false },
        { name: "accent text on a message that mentions me", fg: theme.accentDark, bg: theme.mentionBackground, large: false },
        { name: "text on info strip", fg: theme.text, bg: theme.infoSurface, large: false },
        { name: "header text (Do not disturb, online count) on header", fg: theme.headerText, bg: theme.accent, large: false },
        { name: "sidebar text on sidebar", fg: theme.sidebarText, bg: theme.sidebar, large: false },
        { name: "sidebar subtle on sidebar", fg: theme.sidebarSubtle, bg: theme.sidebar, large: false },
        { name: "sidebar text on selected row", fg: theme.sidebarText, bg: theme.sidebarSelected, large: false },
        { name: "sidebar subtle on selected row", fg: theme.sidebarSubtle, bg: theme.sidebarSelected, large: false },
        { name: "sidebar text on sidebar footer", fg: theme.sidebarText, bg: theme.sidebarFooter, large: false },
        { name: "selected tab", fg: theme.selectedTabText, bg: theme.selectedTab, large: false },
        { name: "badge count", fg: "#ffffff", bg: theme.unread, large: true },
        { name: "focus ring (outer) on surface", fg: theme.focusOuter, bg: theme.surface, large: true },
        { name: "focus ring (inner) on sidebar", fg: theme.focusInner, bg: theme.sidebar, large: true },
        { name: "accent text on surface", fg: theme.accentDark, bg: theme.surface, large: false }
    ]

    /** Now, for relative times: one timer for every view, not one per row. Views bind to it. */
    property date now: new Date()
    property Timer clock: Timer {
        interval: 20000
        running: true
        repeat: true
        onTriggered: theme.now = new Date()
    }
    /** The language changed: times are formatted again (and "now" re-read). */
    property Connections languageWatch: Connections {
        target: Session.language
        function onChanged(): void {
            theme.now = new Date()
        }
    }

    function priorityColor(priority: string): color {
        switch (priority) {
        case "urgent": return "#c62828"
        case "high": return "#ef6c00"
        case "low": return "#90a4ae"
        default: return theme.accent
        }
    }

    function statusColor(status: string): color {
        switch (status) {
        case "online": return "#2e9d4f"
        case "away": return "#e0a100"
        default: return "#9aa3ae"
        }
    }

    function statusText(status: string): string {
        switch (status) {
        case "online": return qsTr("online")
        case "away": return qsTr("away")
        default: return qsTr("offline")
        }
    }

    /** The status in words, with the time an away person went idle ("away since 10:42"). */
    function presenceText(status: string, since: var): string {
        if (status === "away" && since instanceof Date && !isNaN(since.getTime()))
            return qsTr("away since %1").arg(since.toLocaleTimeString(Qt.locale(), Locale.ShortFormat))
        return statusText(status)
    }

    function priorityText(priority: string): string {
        switch (priority) {
        case "urgent": return qsTr("urgent")
        case "high": return qsTr("high priority")
        case "low": return qsTr("low priority")
        default: return ""
        }
    }

    /** The one avatar colour of a person (or room), from the login name, never the display
     *  name: the same in messages, the member list and the people list. */
    function avatarColor(userName: string): color {
        const hash = Qt.md5(userName)
        const hue = parseInt(hash.substring(0, 4), 16) % 360
        return Qt.hsla(hue / 360, 0.45, 0.40, 1)
    }

    /** The locale's short time of day, without seconds (the C locale's has them). */
    function clockTime(when: date): string {
        const format = Qt.locale().timeFormat(Locale.ShortFormat).replace(/[:.]ss/, "")
        return when.toLocaleTimeString(Qt.locale(), format)
    }

    /** "14:05" today, "Mon 14:05" this week, else the date: in the locale. */
    function shortTime(when: date, now: date): string {
        if (!when || isNaN(when.getTime()))
            return ""
        const locale = Qt.locale()
        const days = (now - when) / 86400000
        if (when.toDateString() === now.toDateString())
            return theme.clockTime(when)
        if (days < 6)
            return locale.dayName(when.getDay(), Locale.ShortFormat) + " " + theme.clockTime(when)
        return when.toLocaleDateString(locale, Locale.ShortFormat)
    }

    /** "just now", "5 min ago", "2 hours ago", else shortTime(). */
    function relativeTime(when: date, now: date): string {
        if (!when || isNaN(when.getTime()))
            return ""
        const seconds = Math.max(0, (now - when) / 1000)
        if (seconds < 60)
            return qsTr("just now")
        if (seconds < 3600)
            return qsTr("%n min ago", "", Math.floor(seconds / 60))
        if (seconds < 6 * 3600)
            return qsTr("%n hour(s) ago", "", Math.floor(seconds / 3600))
        return theme.shortTime(when, now)
    }

    /** The exact date and time, for a tooltip: "Friday, 4 December 2026 19:45:12". */
    function exactTime(when: date): string {
        if (!when || isNaN(when.getTime()))
            return ""
        return when.toLocaleString(Qt.locale(), Locale.LongFormat)
    }
}
