import QtQuick
import QtTest
import Herald.Desktop

/** WCAG 2.1 AA, computed from Theme.qml: each text colour on the background it is used on
 *  reaches 4.5:1 (3:1 for large or bold text and for the focus ring). */
TestCase {
    id: testCase

    function channel(c: real): real {
        return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4)
    }

    function luminance(value: var): real {
        const c = Qt.lighter(value, 1.0) // a color from a colour or a "#rrggbb" string
        return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
    }

    function ratio(a: var, b: var): real {
        const la = luminance(a)
        const lb = luminance(b)
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)
    }

    name: "Contrast"

    function test_formula(): void {
        // The reference values of the WCAG definition.
        fuzzyCompare(ratio("#000000", "#ffffff"), 21, 0.01)
        fuzzyCompare(ratio("#777777", "#ffffff"), 4.48, 0.01)
        verify(ratio("#767676", "#ffffff") >= 4.5)
    }

    function test_theme_pairs_reach_AA_data(): var {
        return Theme.contrastPairs.map(p => ({ tag: p.name, fg: p.fg, bg: p.bg, large: p.large }))
    }

    function test_theme_pairs_reach_AA(row: var): void {
        const needed = row.large ? 3.0 : 4.5
        const r = ratio(row.fg, row.bg)
        verify(r >= needed, row.tag + ": " + r.toFixed(2) + ":1, needs " + needed + ":1")
    }

    function test_every_theme_colour_is_checked(): void {
        // The text colours of the theme each appear in at least one checked pair.
        const used = Theme.contrastPairs.map(p => String(p.fg))
        for (const name of ["text", "subtle", "success", "danger", "sidebarText", "sidebarSubtle", "headerText"])
            verify(used.indexOf(String(Theme[name])) >= 0, name + " is in no checked pair")
    }
}
