extension MarkdownReport {
    /// The on-call drill as a post-mortem timeline.
    func onCallSection(_ o: OnCallReport) -> String {
        var table = MarkdownTable(["At", "What", "Runbook step"], redactor: redactor)
        table.row(["+0 s", "fault injected", ""])
        table.row([ReportFormat.offset(o.handoverAt), "handed over to on-call (\(o.operatorKind))", ""])
        for a in o.timeline {
            let step = a.runbookStep.map { n in "\(n). " + (n <= o.runbook.count ? o.runbook[n - 1] : "") } ?? ""
            table.row([ReportFormat.offset(a.at), a.what, step])
        }
        var lines = [
            "Time to acknowledge: " + (o.acknowledgedAt.map(ReportFormat.duration) ?? "never acknowledged"),
            "Time to first effective action: " + (o.firstActionAt.map(ReportFormat.duration) ?? "none seen"),
            "Human RTO (fault → writes acknowledged again): " + (o.humanRTO.map(ReportFormat.duration) ?? "not recovered"),
            "Restored by: \(o.restoredBy) (deadline \(ReportFormat.offset(o.deadline)))",
        ]
        if let p = o.pattern { lines.append(p.prefix(1).uppercased() + p.dropFirst() + ".") }
        lines += o.notes
        if !o.runbook.isEmpty {
            lines.append(o.unseenSteps.isEmpty ? "Every runbook step with a sign in the cluster was seen."
                         : "Runbook steps whose sign was never seen: " + o.unseenSteps.map { "\($0). \(o.runbook[$0 - 1])" }.joined(separator: "; "))
        }
        return "### On-call timeline\n\n" + table.render() + "\n" + lines.map { "- " + text($0) + "\n" }.joined() + "\n"
    }
}
