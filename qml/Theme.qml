pragma Singleton
import QtQuick

/** Colours, sizes and small formatting helpers shared by every view. */
QtObject {
    readonly property color accent: "#2b6cb0"
    readonly property color accentDark: "#1f4f85"
    readonly property color window: "#f4f6f9"
    readonly property color surface: "#ffffff"
    readonly property color border: "#d9dee5"
    readonly property color text: "#1d2430"
    readonly property color subtle: "#5d6b7e"
    readonly property color unread: "#d93025"
    readonly property color danger: "#c62828"
    readonly property color success: "#2e7d32"
    readonly property color warning: "#b7791f"
    readonly property color sidebar: "#1f2a38"
    readonly property color sidebarText: "#e6ebf2"
    readonly property color sidebarSubtle: "#9aa8bb"
    readonly property color sidebarSelected: "#2f405a"
    readonly property int spacing: 8
    readonly property int radius: 8

    function priorityColor(priority: string): color {
        switch (priority) {
        case "urgent": return "#c62828"
        case "high": return "#ef6c00"
        case "low": return "#90a4ae"
        default: return accent
        }
    }

    function statusColor(status: string): color {
        switch (status) {
        case "online": return "#2e9d4f"
        case "away": return "#e0a100"
        default: return "#9aa3ae"
        }
    }

    /** "14:05" today, "Mon 14:05" this week, else the date. */
    function shortTime(when: date): string {
        if (!when || isNaN(when.getTime()))
            return ""
        const now = new Date()
        const days = (now - when) / 86400000
        if (when.toDateString() === now.toDateString())
            return Qt.formatTime(when, "hh:mm")
        if (days < 6)
            return Qt.formatDateTime(when, "ddd hh:mm")
        return Qt.formatDate(when, "d MMM yyyy")
    }

    /** "just now", "5 min ago", else shortTime(). */
    function relativeTime(when: date): string {
        if (!when || isNaN(when.getTime()))
            return ""
        const seconds = (new Date() - when) / 1000
        if (seconds < 60)
            return qsTr("just now")
        if (seconds < 3600)
            return qsTr("%1 min ago").arg(Math.floor(seconds / 60))
        return shortTime(when)
    }
}
