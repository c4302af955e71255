extension MarkdownReport {
    func metricsSections(_ m: DrillMetrics, alerts: AlertsReport? = nil) -> String {
        phaseSection(m, alerts: alerts) + endpointsSection(m) + statisticsSection(m) + outagesSection(m)
            + writesSection(m) + splitBrainSection(m) + evidenceSection(m)
    }

    func phaseSection(_ m: DrillMetrics, alerts: AlertsReport? = nil) -> String {
        var table = MarkdownTable(["Phase", "At", "Node", "Detail"], redactor: redactor)
        table.row(["fault sent", ReportFormat.offset(0), m.oldPrimary ?? "", "t0"])
        let phases: [(String, PhaseMark?)] = [
            ("detection", m.phases.detection), ("promotion", m.phases.promotion),
            ("routing", m.phases.routing), ("client", m.phases.client),
        ]
        for (name, mark) in phases {
            if let mark {
                table.row([name, ReportFormat.offset(mark.offset), mark.node ?? "", mark.detail ?? ""])
            } else {
                table.row([name, "not observed", "", ""])
            }
        }
        // Time to detect, beside the phases: when the monitoring would have paged.
        if let alerts {
            if let first = alerts.firstFiring(after: m.t0), let at = first.firingAt {
                table.row(["alert firing (time to detect)", ReportFormat.offset(at - m.t0), first.labels["node"] ?? "", first.name])
            } else {
                table.row(["alert firing (time to detect)", "none fired", "", ""])
            }
        }
        let r = m.main.recovery
        table.row([
            "stable (RTO)", r.stableFrom.map { ReportFormat.offset($0 - m.t0) } ?? (r.status == .noOutage ? "+0 s" : "not reached"),
            "", r.remark ?? "first of \(ReportFormat.duration(m.stableFor)) with only ok writes",
        ])
        return "### Phases (t0 = fault sent)\n\n" + table.render() + "\n"
    }

    func endpointsSection(_ m: DrillMetrics) -> String {
        let endpoints = m.endpoints
        var table = MarkdownTable(["Figure"] + endpoints.map(\.endpoint), redactor: redactor)
        table.row(["RTO"] + endpoints.map { ReportFormat.rto($0.recovery) })
        table.row(["outages"] + endpoints.map { String($0.outages.filter { $0.end > m.t0 }.count) })
        table.row(["app errors (share of requests × time observed)"] + endpoints.map { ReportFormat.errorRate($0.errorRate) })
        table.row(["failed probe attempts"] + endpoints.map { ReportFormat.attemptErrorRate($0.errorRate) })
        table.row(["attempts after t0"] + endpoints.map { ReportFormat.count($0.errorRate.attempts) })
        table.row(["lost writes"] + endpoints.map { $0.lostWrites.map(ReportFormat.count) ?? "n/a" })
        table.row(["p99 during"] + endpoints.map { $0.statistics(.during)?.latency.map { ReportFormat.duration($0.p99) } ?? "n/a" })
        return "### Endpoints\n\n" + table.render() + "\n"
    }

    func statisticsSection(_ m: DrillMetrics) -> String {
        var table = MarkdownTable(
            ["Endpoint", "Period", "Window", "Acked", "Failed", "Indeterminate", "p50", "p99", "Max", "Throughput"],
            redactor: redactor
        )
        for e in m.endpoints {
            for p in e.periods {
                table.row([
                    e.endpoint, p.period.rawValue,
                    "\(ReportFormat.offset(p.from - m.t0)) → \(ReportFormat.offset(p.to - m.t0))",
                    ReportFormat.count(p.acknowledged), ReportFormat.count(p.failed), ReportFormat.count(p.indeterminate),
                    p.latency.map { ReportFormat.duration($0.p50) } ?? "", p.latency.map { ReportFormat.duration($0.p99) } ?? "",
                    p.latency.map { ReportFormat.duration($0.max) } ?? "", ReportFormat.rate(p.throughput),
                ])
            }
        }
        return "### Probe statistics\n\n" + table.render() + "\n"
    }

    func outagesSection(_ m: DrillMetrics) -> String {
        var lines: [String] = []
        for e in m.endpoints {
            for o in e.outages {
                var line = "\(text(e.endpoint)): \(ReportFormat.offset(o.start - m.t0)) → \(ReportFormat.offset(o.end - m.t0)) "
                line += "(\(ReportFormat.duration(o.duration))): \(ReportFormat.count(o.failed)) failed, "
                line += "\(ReportFormat.count(o.indeterminate)) indeterminate"
                if o.end <= m.t0 { line += " — before the fault" } else if o.start > m.observeEnd { line += " — after observation" }
                lines.append(line)
            }
        }
        guard !lines.isEmpty else { return "### Outages\n\nNone: every attempt was acknowledged.\n\n" }
        return "### Outages\n\n" + lines.enumerated().map { "\($0.offset + 1). \($0.element)\n" }.joined() + "\n"
    }

    func writesSection(_ m: DrillMetrics) -> String {
        guard let w = m.writes else {
            return "### Writes\n\nNot verified: nothing was read back after the drill.\n\n"
        }
        var out = "### Writes\n\n"
        var table = MarkdownTable(["Node", "Timeline", "Verified", "Rows present", "Lost", "Phantom", "Indeterminate committed", "Indeterminate not committed", "Unmatched rows"], redactor: redactor)
        for (i, n) in ([w.primary] + w.replicas).enumerated() {
            table.row([
                n.node + (i == 0 ? " (primary)" : ""), n.timeline.map(String.init) ?? "?", n.notVerified.map { "not verified: \($0)" } ?? "yes",
                ReportFormat.count(n.rowsPresent), ReportFormat.count(n.lost.count),
                ReportFormat.count(n.phantoms.count), ReportFormat.count(n.indeterminateCommitted),
                ReportFormat.count(n.indeterminateNotCommitted), ReportFormat.count(n.unmatchedRows),
            ])
        }
        out += "\(ReportFormat.count(w.acknowledged)) acknowledged writes checked.\n\n" + table.render() + "\n"
        for source in w.lostBySource ?? [] {
            let by = source.node ?? source.server ?? "an unrecorded server"
            var line = "Lost: \(ReportFormat.count(source.count)) write(s) acknowledged by \(by)"
                + (source.timeline.map { " on timeline \($0)" } ?? "")
                + " from \(ReportFormat.offset(source.firstAck - m.t0)) to \(ReportFormat.offset(source.lastAck - m.t0))"
            if let tl = source.timeline, let now = w.primary.timeline, tl != now {
                line += " — timeline \(tl) was abandoned: \(w.primary.node) is on timeline \(now) without them"
            }
            out += text(line) + ".\n\n"
        }
        if let rpo = m.rpo, rpo.lostWrites > 0 {
            out += "RPO \(ReportFormat.duration(rpo.rpo)): "
            if let s = rpo.lastSurvivingAck { out += "last surviving ack \(ReportFormat.offset(s - m.t0)), " }
            if let f = rpo.firstLostAck, let l = rpo.lastLostAck {
                out += "lost acks from \(ReportFormat.offset(f - m.t0)) to \(ReportFormat.offset(l - m.t0)).\n\n"
            }
        }
        for n in [w.primary] + w.replicas {
            out += keyList("Lost on \(n.node)", n.lost.map { "\(describe($0.key)) acked \(ReportFormat.offset($0.ackedAt - m.t0))" })
            out += keyList("Phantom on \(n.node)", n.phantoms.map(describe))
        }
        return out
    }

    private func describe(_ k: WriteKey) -> String { "\(k.endpoint)/\(k.writer)/\(k.seq)" }

    private func keyList(_ title: String, _ items: [String]) -> String {
        guard !items.isEmpty else { return "" }
        var out = text(title) + " (endpoint/writer/seq):\n\n"
        for item in items.prefix(keyListLimit) { out += "- " + text(item) + "\n" }
        if items.count > keyListLimit {
            out += "- … and \(ReportFormat.count(items.count - keyListLimit)) more (all listed in report.json)\n"
        }
        return out + "\n"
    }

    func splitBrainSection(_ m: DrillMetrics) -> String {
        let s = m.splitBrain
        var out = "### Split-brain\n\n"
        if !s.detected { out += "None detected.\n\n" }
        for o in s.ackOverlaps {
            let a = o.nodeA ?? o.serverA
            let b = o.nodeB ?? o.serverB
            let verdict = o.isSplitBrain ? "**split-brain**" : "not a split-brain (failback: one side acknowledged nothing inside the overlap)"
            out += "- Acks from \(text(a)) and \(text(b)) overlap \(ReportFormat.offset(o.from - m.t0)) → \(ReportFormat.offset(o.to - m.t0)) "
            out += "(\(ReportFormat.duration(o.duration))): \(ReportFormat.count(o.acksA)) and \(ReportFormat.count(o.acksB)) acks inside; \(verdict)\n"
        }
        for o in s.writableOverlaps {
            let verdict = o.isSplitBrain ? "**two primaries** (seen in more than one monitor poll)" : "within one monitor poll: may be polling order"
            let resolution = o.resolution.map { $0 > 0 ? ", monitor polling every \(ReportFormat.duration($0))" : "" } ?? ""
            out += "- \(text(o.nodeA)) and \(text(o.nodeB)) both answered as primary \(ReportFormat.offset(o.from - m.t0)) → "
            out += "\(ReportFormat.offset(o.to - m.t0)) (\(ReportFormat.duration(o.duration))\(resolution)); "
            if let a = o.acksA, let b = o.acksB {
                out += "acknowledged inside it: \(ReportFormat.count(a)) by \(text(o.nodeA)), \(ReportFormat.count(b)) by \(text(o.nodeB)); "
            }
            out += verdict + "\n"
        }
        return out + (s.ackOverlaps.isEmpty && s.writableOverlaps.isEmpty ? "" : "\n")
    }

    func evidenceSection(_ m: DrillMetrics) -> String {
        guard let e = m.timelineEvidence else { return "" }
        var out = "### Server-side evidence\n\n"
        if let newTimeline = e.newTimeline, let gap = e.gap {
            out += "Last acknowledged row on timeline \(e.oldTimeline) → first on timeline \(newTimeline): "
            out += "\(ReportFormat.duration(gap)) apart by the servers' `clock_timestamp()`.\n\n"
        } else {
            out += "Every acknowledged row is on timeline \(e.oldTimeline): no promotion.\n\n"
        }
        return out
    }
}
