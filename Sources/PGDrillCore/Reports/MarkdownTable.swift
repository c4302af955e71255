/// A GitHub-flavoured Markdown table; every cell is redacted and escaped on the way in, so no
/// caller can forget either.
struct MarkdownTable {
    private let redactor: Redactor
    private let header: [String]
    private var rows: [[String]] = []

    init(_ header: [String], redactor: Redactor) {
        self.redactor = redactor
        self.header = header
    }

    /// Adds a row of plain text cells.
    mutating func row(_ cells: [String]) {
        rows.append(cells.map { MarkupEscaping.markdownCell(redactor.redact($0)) })
    }

    /// Adds a row whose cells are already Markdown (bold verdicts); `escaped` cells are trusted.
    mutating func row(markdown cells: [String]) {
        rows.append(cells)
    }

    var isEmpty: Bool { rows.isEmpty }

    func render() -> String {
        var out = "| " + header.map { MarkupEscaping.markdownCell($0) }.joined(separator: " | ") + " |\n"
        out += "|" + String(repeating: " --- |", count: header.count) + "\n"
        for r in rows {
            let padded = r + Array(repeating: "", count: max(0, header.count - r.count))
            out += "| " + padded.joined(separator: " | ") + " |\n"
        }
        return out
    }
}
