extension MarkdownReport {
    /// Every in-scope alert the drill saw, relative to t0, with the silence and any stretch the monitoring
    /// was dark.
    func alertsSection(_ a: AlertsReport, t0: Int64?) -> String {
        let base = t0 ?? a.watchedFrom
        func at(_ micros: Int64?) -> String { micros.map { ReportFormat.offset($0 - base) } ?? "—" }
        var out = "### Alerts\n\n"
        if a.instances.isEmpty {
            out += "No alert in scope (\(text(scope(a)))) was pending or firing while the drill watched.\n\n"
        } else {
            var table = MarkdownTable(["Alert", "Labels", "Pending", "Firing", "Alertmanager", "Resolved"], redactor: redactor)
            for i in a.instances {
                let am = i.alertmanagerAt.map { at($0) + (i.silencedByDrill == true ? " (silenced by the drill)" : i.alertmanagerState == "suppressed" ? " (suppressed)" : "") }
                    ?? (a.alertmanager == nil ? "not watched" : "—")
                table.row([i.name, i.labelText(excluding: a.matchers), at(i.pendingAt), at(i.firingAt), am, at(i.resolvedAt)])
            }
            out += table.render() + "\n"
        }
        var lines: [String] = []
        if let t0, let first = a.firstFiring(after: t0) {
            lines.append("Time to detect: \(ReportFormat.duration(first.firingAt! - t0)) (\(first.name) firing; its rule's for: "
                         + (a.rules?[first.name].map(ReportFormat.duration) ?? "unknown") + ")")
        } else if t0 != nil {
            lines.append("Time to detect: no alert in scope fired after the fault")
        }
        lines.append("Watched \(scope(a)) every \(ReportFormat.duration(a.pollInterval)) in \(a.prometheus)"
                     + (a.alertmanager.map { " and \($0)" } ?? "") + "; pending is Prometheus' activeAt, the other times the first poll that saw the change")
        if let s = a.silence {
            if let id = s.id {
                lines.append("Silence \(id) over \(matcherText(s.matchers)) from \(at(s.createdAt)) "
                             + (s.expiredAt.map { "to \(at($0)) (expired by pgdrill)" } ?? "— NOT expired by pgdrill; it lapses by itself at \(s.endsAt ?? "?")"))
            }
            if let problem = s.problem { lines.append("Silence: \(problem)") }
        }
        for o in a.outages {
            lines.append("\(o.api) did not answer from \(at(o.from)) to \(o.to.map(at) ?? "the end"): \(o.error)"
                         + (o.seenThrough == true ? " — what fired meanwhile was read from its ALERTS history afterwards" : ""))
        }
        return out + lines.map { "- " + text($0) + "\n" }.joined() + "\n"
    }

    private func scope(_ a: AlertsReport) -> String {
        a.matchers.isEmpty ? "every alert" : matcherText(a.matchers)
    }

    /// `cluster="lab", env="prod"`, sorted by label.
    private func matcherText(_ matchers: [String: String]) -> String {
        matchers.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", ")
    }
}
