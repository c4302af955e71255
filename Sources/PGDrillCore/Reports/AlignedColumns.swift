/// Rows as plain-text columns for a terminal: each column as wide as its widest cell, two spaces apart, every
/// line indented and its trailing spaces trimmed.
enum AlignedColumns {
    static func render(_ rows: [[String]], indent: String) -> String {
        let count = rows.map(\.count).max() ?? 0
        let widths = (0..<count).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            let padded = row.enumerated().map { c, cell in cell + String(repeating: " ", count: widths[c] - cell.count) }
            return indent + padded.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }.joined()
    }
}
