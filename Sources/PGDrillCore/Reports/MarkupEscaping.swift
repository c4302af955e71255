/// Escaping for the two markup languages the reports are written in.
enum MarkupEscaping {
    /// Text for a GitHub Markdown table cell: `|` would end the cell, a newline the row, and `<`
    /// could open an HTML tag.
    static func markdownCell(_ text: String) -> String {
        var cell = ""
        for c in text {
            switch c {
            case "|": cell += "\\|"
            case "\\": cell += "\\\\"
            default: cell.append(c)
            }
        }
        return markdownText(cell)
    }

    /// Text for a Markdown paragraph or list item: no HTML, one line.
    static func markdownText(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\r\n": out += " "
            default: out.append(c)
            }
        }
        return out
    }

    /// Text for XML character data or an attribute value. Characters XML 1.0 forbids (control
    /// characters other than tab, LF and CR) are dropped, so the document always parses.
    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
