extension MarkdownReport {
    func drillSection(_ d: DrillReport) -> String {
        var out = "## \(text(d.name)) — \(d.verdict.rawValue)\n\n"
        if !d.description.isEmpty { out += text(d.description) + "\n\n" }
        if !d.scenario.isEmpty { out += "Scenario: " + text(d.scenario) + "\n\n" }
        out += "![timeline](drill-\(pathComponent(d.name))/timeline.svg)\n\n"

        if !d.expectations.isEmpty {
            var table = MarkdownTable(["Metric", "Target", "Measured", "Result"], redactor: redactor)
            for e in d.expectations {
                let measured = e.detail.map { "\(e.measured) (\($0))" } ?? e.measured
                table.row(markdown: [cell(e.metric), cell(e.target), cell(measured), e.passed ? "PASS" : "**FAIL**"])
            }
            out += "### Expectations\n\n" + table.render() + "\n"
        }
        if let budget = d.availability {
            out += "### Availability budget\n\n" + text(budget.sentence(errorRate: d.metrics?.main.errorRate)) + "\n\n"
        }
        if let o = d.onCall { out += onCallSection(o) }
        if !d.whatHappened.isEmpty {
            out += "### What happened\n\n" + d.whatHappened.map { "- " + text($0) + "\n" }.joined() + "\n"
        }
        if !d.errors.isEmpty {
            out += "### Errors\n\n" + d.errors.map { "- " + text($0) + "\n" }.joined() + "\n"
        }
        if let m = d.metrics { out += metricsSections(m, alerts: d.alerts) }
        if let b = d.rtoBudget { out += budgetSection(b, settings: d.failoverSettings) }
        if let a = d.alerts { out += alertsSection(a, t0: d.metrics?.t0) }
        out += clusterSections(d, t0: d.metrics?.t0)
        out += stagesSection(d, t0: d.metrics?.t0)
        if !d.notes.isEmpty {
            out += "### Notes\n\n" + d.notes.map { "- " + text($0) + "\n" }.joined() + "\n"
        }
        return out
    }

    /// A drill name as a relative link path: characters outside `A-Z a-z 0-9 - _ .` percent-encoded.
    func pathComponent(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".") {
                out.append(c)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    func clusterSections(_ d: DrillReport, t0: Int64?) -> String {
        var out = ""
        for (title, snapshot) in [("Cluster before", d.clusterBefore), ("Cluster after", d.clusterAfter)] {
            guard let s = snapshot else { continue }
            let when = t0.map { " (t0 \(ReportFormat.offset(s.takenAt - $0)))" } ?? ""
            out += "### \(title)\(when)\n\n"
            if let manager = s.managerText { out += "\(manager).\n\n" }
            var table = MarkdownTable(["Member", "Host", "Role", "State", "TL", "Lag", "Pending restart"], redactor: redactor)
            for m in s.members {
                table.row([
                    m.name + (m.name == s.leader ? " (leader)" : ""), m.host, m.role.rawValue, m.state.rawValue,
                    m.timeline.map(String.init) ?? "", m.lagBytes.map(ReportFormat.bytes) ?? "",
                    m.pendingRestart ? "yes" : "",
                ])
            }
            out += table.render() + "\n"
            if s.leader == nil { out += "No leader.\n\n" }
        }
        return out
    }

    func stagesSection(_ d: DrillReport, t0: Int64?) -> String {
        guard !d.stages.isEmpty || d.faultInjectionLatency != nil || d.probeLog != nil else { return "" }
        var out = "### Stages\n\n"
        if !d.stages.isEmpty {
            var table = MarkdownTable(["Stage", "Start", "Duration"], redactor: redactor)
            for s in d.stages {
                table.row([s.name, t0.map { ReportFormat.offset(s.start - $0) } ?? ReportFormat.duration(s.start), ReportFormat.duration(s.duration)])
            }
            out += table.render() + "\n"
        }
        if let f = d.faultInjection {
            let on = f.host.map { " on \(text($0))" } ?? ""
            if let effect = f.decisionToEffect {
                out += "Fault injection latency: \(ReportFormat.duration(effect)) from the decision to the fault in effect\(on) "
                    + "(node's clock; command round trip \(ReportFormat.duration(f.decisionToReturn))).\n\n"
            } else {
                out += "Fault injection latency: ≤ \(ReportFormat.duration(f.decisionToReturn)) from the decision to the command's return\(on) "
                    + "(the node's clock did not agree with the runner's, so the moment of effect is not known more exactly).\n\n"
            }
        } else if let latency = d.faultInjectionLatency {
            out += "Fault injection latency: \(ReportFormat.duration(latency)).\n\n"
        }
        if let log = d.probeLog {
            out += "Probe log: [\(text(log))](\(pathForLink(log)))\n\n"
        }
        return out
    }

    private func pathForLink(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { pathComponent(String($0)) }.joined(separator: "/")
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
