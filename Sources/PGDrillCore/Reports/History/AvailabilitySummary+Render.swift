import PGDrillModel

extension AvailabilitySummary {
    static let columns = ["Objective", "Budget", "Consumed", "Exceeded"]

    /// `2 runs up to 2026-09-24T14:13:20Z: 40.0 s of app-view downtime`.
    func headline(_ c: Cluster) -> String {
        "\(c.runs) drill run\(c.runs == 1 ? "" : "s") up to \(ReportFormat.timestamp(c.end)): \(ReportFormat.span(c.downtime)) of app-view downtime"
    }

    func cells(_ o: Objective) -> [String] {
        [Percentage(percent: Double(o.sloThousandths) / 1000).description, ReportFormat.span(o.budget), ReportFormat.percent(o.share),
         o.exceeded ? "EXCEEDED" : ""]
    }

    /// What was left out of a cluster's sum, or nil.
    func leftOut(_ c: Cluster) -> String? {
        var parts: [String] = []
        if c.measuredNothing > 0 {
            parts.append("\(c.measuredNothing) drill run\(c.measuredNothing == 1 ? "" : "s") that measured nothing")
        }
        if c.withoutApplicationView > 0 {
            parts.append("\(c.withoutApplicationView) drill run\(c.withoutApplicationView == 1 ? "" : "s") whose report has no application view "
                         + "(written before pgdrill measured it)")
        }
        return parts.isEmpty ? nil : "left out: " + parts.joined(separator: "; ")
    }

    var explanation: String {
        "application-view downtime of every drill run in the \(ReportFormat.span(period)) up to each cluster's newest run, "
            + "against each objective's error budget over \(ReportFormat.span(period))"
    }

    func renderMarkdown() -> String {
        guard !clusters.isEmpty else { return "" }
        var out = "## Availability\n\n" + explanation.prefix(1).uppercased() + explanation.dropFirst() + ".\n\n"
        let redactor = Redactor()
        for c in clusters {
            out += "### \(MarkupEscaping.markdownText(c.cluster)): \(headline(c))\n\n"
            var table = MarkdownTable(Self.columns, redactor: redactor)
            for o in c.objectives { table.row(cells(o)) }
            out += table.render() + "\n"
            if let leftOut = leftOut(c) { out += leftOut.prefix(1).uppercased() + leftOut.dropFirst() + ".\n\n" }
        }
        return out
    }

    func renderText() -> String {
        guard !clusters.isEmpty else { return "" }
        var out = "Availability (\(explanation)):\n"
        for c in clusters {
            out += "  \(c.cluster): \(headline(c))\n"
            out += AlignedColumns.render([Self.columns] + c.objectives.map(cells), indent: "    ")
            if let leftOut = leftOut(c) { out += "    \(leftOut)\n" }
        }
        return out + "\n"
    }
}
