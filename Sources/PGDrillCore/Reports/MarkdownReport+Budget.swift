extension MarkdownReport {
    /// The RTO beside the bounds the cluster's own settings imply, phase by phase, with the setting that
    /// dominates and what the target needs of it.
    func budgetSection(_ b: RTOBudget, settings: FailoverSettings?) -> String {
        var table = MarkdownTable(["Phase", "Took", "Bound from the settings", "Why"], redactor: redactor)
        for p in b.phases {
            let took = p.measured.map { ReportFormat.duration($0) + (p.reachedAt.map { " (at \(ReportFormat.offset($0)))" } ?? "") }
                ?? (b.measuredRTO == nil ? "" : "not observed")
            var bound = p.bound.map { "≤ " + ReportFormat.duration($0) } ?? "none"
            if !p.judged, p.bound != nil { bound += " (not judged)" }
            if p.exceeded, let m = p.measured, let limit = p.bound { bound += " **over by \(ReportFormat.duration(m - limit))**" }
            table.row(markdown: [cell(p.phase), cell(took), bound, cell(p.rule)])
        }
        var out = "### RTO against the cluster's configuration (\(b.scenario.words))\n\n" + table.render() + "\n"
        var lines = [b.expectedRTO]
        if !b.exceeded.isEmpty {
            lines.append("Slower than the settings allow: " + b.exceeded.map(\.phase).joined(separator: ", ")
                         + " — something other than the configuration held it up (look at that component's log).")
        }
        lines += [b.dominant].compactMap { $0 } + b.advice.map { $0.prefix(1).uppercased() + $0.dropFirst() + "." }
        if let rpo = b.rpo { lines.append("Expected RPO: \(rpo).") }
        if let settings { lines += settings.summary }
        lines += b.unknown.map { "Not read: \($0)." }
        out += lines.map { "- " + text($0) + "\n" }.joined() + "\n"
        return out
    }
}

extension RTOBudget {
    /// `19.0 s – 26.6 s`, `at least 50.0 s; no setting bounds the rest`: what the settings allow.
    public var expectedRange: String {
        switch (lowerBound, upperBound) {
        case let (low?, high?): "\(ReportFormat.duration(low)) – \(ReportFormat.duration(high))"
        case let (nil, high?): "at most \(ReportFormat.duration(high))"
        case let (low?, nil): "at least \(ReportFormat.duration(low)); no setting bounds the rest"
        case (nil, nil): "no bound (no setting bounds a phase of it)"
        }
    }

    /// `Expected RTO from the settings: 19.0 s – 26.6 s; measured 20.3 s.`
    public var expectedRTO: String {
        "Expected RTO from the settings: \(expectedRange)" + (measuredRTO.map { "; measured \(ReportFormat.duration($0))." } ?? ".")
    }
}

extension FailoverSettings {
    /// The settings as read, one line per source, in their own names.
    public var summary: [String] {
        var lines: [String] = []
        if let p = patroni {
            lines.append("Patroni\(p.version.map { " " + $0 } ?? ""): ttl \(Self.text(p.ttl)) s, loop_wait \(Self.text(p.loopWait)) s, retry_timeout \(Self.text(p.retryTimeout)) s, primary_start_timeout \(Self.text(p.primaryStartTimeout)) s, synchronous_mode \(p.synchronousMode ? "on" : "off")\(p.synchronousModeStrict ? " (strict)" : ""), maximum_lag_on_failover \(ReportFormat.bytes(p.maximumLagOnFailover))"
                         + (p.adjustments.isEmpty ? "" : " — as Patroni applies them: " + p.adjustments.joined(separator: "; ")))
        }
        if let h = haproxy {
            lines.append("HAProxy \(h.backend): inter \(Self.text(h.inter)) s, fastinter \(Self.text(h.fastinter)) s, downinter \(Self.text(h.downinter)) s, fall \(h.fall), rise \(h.rise)"
                         + (h.timeoutCheck.map { ", timeout check \(Self.text($0)) s" } ?? ""))
        }
        if let r = repmgr {
            lines.append("repmgr: reconnect_attempts \(r.reconnectAttempts), reconnect_interval \(Self.text(r.reconnectInterval)) s, monitor_interval_secs \(Self.text(r.monitorInterval)) s")
        }
        if let a = archiveTimeout { lines.append("archive_timeout \(Self.text(a)) s") }
        return lines
    }
}
