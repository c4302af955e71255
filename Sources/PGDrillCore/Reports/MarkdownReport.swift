/// Renders `report.md`: verdict first, then the summary table, then one section per drill with
/// expectations, what happened, the phase timeline, endpoints side by side, probe statistics,
/// outages, verification and the cluster before and after. Renders on GitHub and GitLab: table
/// cells are escaped, no raw HTML gets through, and every piece of free text is redacted.
public struct MarkdownReport: Sendable {
    public var redactor: Redactor
    /// At most this many lost or phantom keys are listed per node; the JSON report keeps them all.
    public var keyListLimit: Int

    public init(redactor: Redactor = Redactor(), keyListLimit: Int = 50) {
        self.redactor = redactor
        self.keyListLimit = keyListLimit
    }

    /// The whole document.
    public func render(_ report: RunReport) -> String {
        var out = "# pgdrill: **\(report.verdict.rawValue)** — \(report.verdictSummary)\n\n"
        out += text(
            "Cluster \(report.cluster) · run \(report.runId) · pgdrill \(report.pgdrillVersion) · "
                + "\(ReportFormat.timestamp(report.startedAt)) → \(ReportFormat.timestamp(report.endedAt)) · "
                + "exit status \(report.exitStatus)"
        ) + "\n\n"
        out += "## Summary\n\n" + summaryTable(report) + "\n"
        for drill in report.drills { out += drillSection(drill) }
        // Belt and braces: whatever slipped past a field's redaction is masked in the whole text.
        return redactor.redact(out)
    }

    func summaryTable(_ report: RunReport) -> String {
        var table = MarkdownTable(["Drill", "Scenario", "RTO", "RPO", "Data loss", "App errors", "Verdict"], redactor: redactor)
        for d in report.drills {
            let h = DrillHeadline(d)
            table.row(markdown: [
                cell(d.name), cell(d.scenario), cell(h.rtoText), cell(h.rpoText), cell(h.dataLossText), cell(h.errorRateText),
                "**\(d.verdict.rawValue)**",
            ])
        }
        return table.render()
    }

    /// Redacted, escaped table cell.
    func cell(_ s: String) -> String { MarkupEscaping.markdownCell(redactor.redact(s)) }
    /// Redacted, escaped paragraph text.
    func text(_ s: String) -> String { MarkupEscaping.markdownText(redactor.redact(s)) }
}
