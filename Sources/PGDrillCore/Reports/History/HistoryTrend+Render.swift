import Foundation

extension HistoryTrend {
    /// The trend as Markdown (for a wiki or a CI summary) or as an aligned plain-text table for a
    /// terminal; both end with the regressions and any skipped report.
    public func render(markdown: Bool) -> String {
        markdown ? renderMarkdown() : renderText()
    }

    static let columns = ["Date", "Cluster", "Run", "RTO", "Detect", "RPO", "Lost writes", "App errors", "Verdict", "Regression"]

    /// Cells of one row.
    func cells(_ e: HistoryEntry) -> [String] {
        let rto: String = switch e.recovery {
        case nil: "n/a"
        case .notRecovered?: "not recovered"
        case .noOutage?: "0 s"
        case .recovered?: e.rto.map(ReportFormat.duration) ?? "n/a"
        }
        let flags = regressions.filter { $0.runId == e.runId && $0.drill == e.drill && $0.cluster == e.cluster && $0.date == e.date }
        return [
            ReportFormat.timestamp(e.date), e.cluster, e.runId, rto,
            e.detect.map { ReportFormat.duration($0) + (e.detectAlert.map { " (\($0))" } ?? "") } ?? "n/a",
            e.rpo.map(ReportFormat.duration) ?? "not verified",
            e.lostWrites.map(ReportFormat.count) ?? "n/a",
            e.errorRate.map(ReportFormat.percent) ?? "n/a",
            e.verdict.rawValue,
            flags.map(\.tag).joined(separator: ", "),
        ]
    }

    var criteria: String {
        "RTO over the median of earlier runs by more than \(String(format: "%g", marginPercent))% and \(ReportFormat.duration(minimumRTOIncrease)), "
            + "lost writes where earlier runs lost none, or PASS → FAIL; compared per drill and cluster"
    }

    func renderMarkdown() -> String {
        var out = "# pgdrill history\n\n"
        if drills.isEmpty { out += "No reports found.\n\n" }
        let redactor = Redactor()
        for trend in drills {
            out += "## \(MarkupEscaping.markdownText(trend.drill))\n\n"
            var table = MarkdownTable(Self.columns, redactor: redactor)
            for e in trend.entries { table.row(cells(e)) }
            out += table.render() + "\n"
        }
        out += availability.renderMarkdown()
        out += "## Regressions\n\n"
        out += regressions.isEmpty ? "None.\n\n" : regressions.map { "- **\(MarkupEscaping.markdownText($0.description))**\n" }.joined() + "\n"
        out += "Regression: " + criteria + ".\n"
        if !configurationChanges.isEmpty {
            out += "\n## Configuration changes\n\n" + configurationChanges.map { "- \(MarkupEscaping.markdownText($0.description))\n" }.joined()
        }
        if !skipped.isEmpty {
            out += "\n## Skipped reports\n\n" + skipped.map { "- \(MarkupEscaping.markdownText("\($0.source): \($0.reason)"))\n" }.joined()
        }
        return out
    }

    func renderText() -> String {
        var out = ""
        if drills.isEmpty { out += "No reports found.\n" }
        for trend in drills {
            out += "\(trend.drill) (\(trend.entries.count) run\(trend.entries.count == 1 ? "" : "s"))\n"
            out += AlignedColumns.render([Self.columns] + trend.entries.map(cells), indent: "  ")
            out += "\n"
        }
        out += availability.renderText()
        if regressions.isEmpty {
            out += "No regressions.\n"
        } else {
            out += "Regressions:\n" + regressions.map { "  ! \($0)\n" }.joined()
        }
        out += "(\(criteria))\n"
        if !configurationChanges.isEmpty {
            out += "Configuration changed (an RTO that moved may owe it to these):\n" + configurationChanges.map { "  ~ \($0)\n" }.joined()
        }
        if !skipped.isEmpty {
            out += "Skipped:\n" + skipped.map { "  \($0.source): \($0.reason)\n" }.joined()
        }
        return out
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self[...]
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
