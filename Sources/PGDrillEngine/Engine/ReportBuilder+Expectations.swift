import PGDrillCore
import PGDrillModel

/// The expectation table: each `expect:` line judged against the measurement, in words a reader can check.
extension ReportBuilder {
    static func evaluate(_ r: DrillRecord, _ m: DrillMetrics?) -> [ExpectationResult] {
        var out: [ExpectationResult] = []
        let e = r.plan.expect
        guard let m else { return out }
        switch r.termination {
        case .completed?: break
        // A degraded end was still verified: judge what was measured of writes; RTO and the rest belong
        // to a drill that ran its course.
        case .degraded? where m.writes != nil: return writeExpectations(e, m)
        default: return out
        }
        out.append(ExpectationResult(
            metric: "observe", target: r.plan.until.map(\.rawValue).joined(separator: " and "),
            measured: r.observationSatisfied ? "reached" : "not reached within \(ReportFormat.duration(r.plan.observeTimeoutMicros))",
            passed: r.observationSatisfied))
        if let t = e.failover {
            let after = r.primaryObserved ?? r.primaryAfter
            let changed = after != nil && after != r.primaryBefore
            out.append(ExpectationResult(
                metric: "failover", target: t ? "primary changes" : "primary stays",
                measured: changed ? "\(r.primaryBefore ?? "?") → \(after ?? "?")" : "stayed \(r.primaryBefore ?? "?")",
                passed: changed == t))
        }
        if let t = e.rto {
            let rto = m.main.recovery.rto
            let passed = rto.flatMap { DrillDuration(microseconds: $0) }.map { t.isSatisfied(by: $0) } ?? false
            out.append(ExpectationResult(metric: "rto", target: t.description, measured: ReportFormat.rto(m.main.recovery), passed: passed))
        }
        out += writeExpectations(e, m)
        if let t = e.errorRate {
            out.append(ExpectationResult(metric: "error_rate", target: t.description, measured: ReportFormat.errorRate(m.main.errorRate),
                                         passed: t.isSatisfied(by: Percentage(fraction: m.main.errorRate.rate))))
        }
        if let t = e.availability, let budget = errorBudget(r, m) {
            out.append(budget.expectation(target: t.summary))
        }
        if let none = e.noSplitBrain, none {
            // Every writable overlap is stated, with its duration, the acks each node gave inside it and the
            // monitor's resolution: a resumed primary without a watchdog is writable until demoted.
            let overlaps = m.splitBrain.writableOverlaps.map { o in
                "\(o.nodeA) and \(o.nodeB) answered as primary for \(ReportFormat.duration(o.duration))"
                    + (o.acksA.map { " (acks \($0) · \(o.acksB ?? 0))" } ?? "")
                    + (o.resolution.map { $0 > 0 ? " at \(ReportFormat.duration($0)) polling" : "" } ?? "")
            }
            let both = overlaps.isEmpty ? "" : "; " + overlaps.joined(separator: "; ")
            if e.splitBrainAcksOnly {
                let found = m.splitBrain.ackOverlaps.contains { $0.isSplitBrain } || m.splitBrain.writableOverlaps.contains { $0.bothAcknowledged }
                out.append(ExpectationResult(metric: "split_brain", target: "no write acknowledged by two primaries",
                                             measured: (found ? "DETECTED" : "none acknowledged") + both, passed: !found))
            } else {
                let found = m.splitBrain.detected
                out.append(ExpectationResult(metric: "split_brain", target: "none",
                                             measured: (found ? "DETECTED" : "none") + both, passed: !found))
            }
        }
        return out
    }

    /// The error budget the main endpoint's outage consumes, for a drill that states `availability:` and ran
    /// its course (the same condition as its expectation row, so the report's figures and the row agree).
    static func errorBudget(_ r: DrillRecord, _ m: DrillMetrics?) -> ErrorBudget? {
        guard case .completed? = r.termination, let m, let target = r.plan.expect.availability else { return nil }
        return ErrorBudget(target: target, main: m.main)
    }

    /// RPO and lost writes: judged from the read-back, on every verified node (a replica that had caught up
    /// with the primary and lacks a row lost it too).
    static func writeExpectations(_ e: DrillPlan.Expectations, _ m: DrillMetrics) -> [ExpectationResult] {
        var out: [ExpectationResult] = []
        if let t = e.rpo {
            let rpo = m.writes == nil ? nil : (m.rpo?.rpo ?? 0)
            let passed = rpo.flatMap { DrillDuration(microseconds: $0) }.map { t.isSatisfied(by: $0) } ?? false
            out.append(ExpectationResult(metric: "rpo", target: t.description,
                                         measured: rpo.map(ReportFormat.duration) ?? "not verified (no read-back)", passed: passed))
        }
        if let t = e.lostWrites {
            let lost = m.writes?.lostWritesOnAnyVerifiedNode
            var measured = m.writes.map { "\($0.lostWrites) of \(ReportFormat.count($0.acknowledged)) acknowledged" } ?? "not verified (no read-back)"
            for r in m.writes?.replicasMissingMore ?? [] { measured += "; \(r.lost.count) missing on replica \(r.node)" }
            out.append(ExpectationResult(metric: "lost_writes", target: t.description, measured: measured,
                                         passed: lost.map { t.isSatisfied(by: $0) } ?? false))
        }
        return out
    }
}
