import PGDrillModel

/// Judges `expect.alerts` against what the monitoring said: one expectation row per alert that must fire,
/// one for their resolution, one per forbidden alert. Pure: the lab is not needed to test it.
public struct AlertExpectationCheck {
    public var expect: AlertExpectations
    public var alerts: AlertsReport
    /// The first fault command was sent.
    public var t0: Int64
    /// The cluster was healthy again after rollback (nil: it never was).
    public var recoveredAt: Int64?
    /// Watching ended (the drill's end).
    public var end: Int64

    public init(expect: AlertExpectations, alerts: AlertsReport, t0: Int64, recoveredAt: Int64?, end: Int64) {
        self.expect = expect
        self.alerts = alerts
        self.t0 = t0
        self.recoveredAt = recoveredAt
        self.end = end
    }

    public func results() -> [ExpectationResult] {
        var out = expect.fire.map(fire)
        if let within = expect.resolveWithin { out.append(resolution(within)) }
        out += expect.forbid.map(forbidden)
        return out
    }

    func fire(_ f: AlertExpectations.Fire) -> ExpectationResult {
        let target = "fires within \(f.within)"
        let metric = "alert \(f.name)"
        guard let instance = alerts.firstFiring(after: t0, named: f.name) else {
            var why: [String] = []
            if let pending = alerts.instances(named: f.name).first(where: { ($0.pendingAt ?? .min) >= t0 || $0.resolvedAt == nil }) {
                why.append("pending from \(offset(pending.pendingAt)) but never firing" + (pending.resolvedAt.map { "; gone at \(offset($0))" } ?? ""))
            }
            if let rules = alerts.rules, rules[f.name] == nil {
                why.append("the Prometheus has no alerting rule named \(f.name)")
            }
            let dark = alerts.darkMicros(from: t0, to: end)
            if dark > 0 { why.append("the monitoring did not answer for \(ReportFormat.duration(dark)) of the drill") }
            return ExpectationResult(metric: metric, target: target, measured: "did not fire", passed: false,
                                     detail: why.isEmpty ? nil : why.joined(separator: "; "))
        }
        let firingAt = instance.firingAt!
        var detail = ["pending \(offset(instance.pendingAt))"]
        if let node = instance.labels["node"] { detail.append("node \(node)") }
        var delivered = true
        if alerts.alertmanager != nil {
            if let at = instance.alertmanagerAt {
                let suppressed = instance.alertmanagerState == "suppressed"
                detail.append("Alertmanager had it at \(offset(at))" + (instance.silencedByDrill == true ? ", silenced by the drill (it would have paged)"
                                                                         : suppressed ? ", suppressed (silenced or inhibited: nobody was paged)" : ""))
                // Suppressed by something other than the drill's silence: the page would not have gone out.
                if suppressed, instance.silencedByDrill != true { delivered = false }
            } else {
                detail.append("never reached Alertmanager: nobody would have been paged")
                delivered = false
            }
        }
        return ExpectationResult(metric: metric, target: target, measured: "fired at \(offset(firingAt))",
                                 passed: firingAt - t0 <= f.within.microseconds && delivered, detail: detail.joined(separator: "; "))
    }

    func resolution(_ within: DrillDuration) -> ExpectationResult {
        let target = "resolve within \(within) of recovery"
        guard let recoveredAt else {
            return ExpectationResult(metric: "alerts resolved", target: target, measured: "cluster not recovered", passed: false)
        }
        var late: [String] = []
        var slowest: Int64 = 0
        for f in expect.fire {
            // Every instance of the alert that fired in the drill must be gone, not only the first.
            for i in alerts.instances(named: f.name) where (i.firingAt ?? .min) >= t0 {
                guard let resolved = i.resolvedAt else {
                    late.append("\(f.name)\(i.labels["node"].map { " (\($0))" } ?? "") still firing at the end (\(ReportFormat.duration(end - recoveredAt)) after recovery)")
                    continue
                }
                let after = resolved - recoveredAt
                slowest = max(slowest, after)
                if after > within.microseconds {
                    late.append("\(f.name) resolved \(ReportFormat.duration(after)) after recovery")
                }
            }
        }
        let measured = late.isEmpty ? (slowest > 0 ? "all resolved, the last \(ReportFormat.duration(slowest)) after recovery" : "all resolved by recovery")
                                    : late.joined(separator: "; ")
        return ExpectationResult(metric: "alerts resolved", target: target, measured: measured, passed: late.isEmpty,
                                 detail: "recovered at \(offset(recoveredAt))")
    }

    func forbidden(_ name: String) -> ExpectationResult {
        if let first = alerts.firstFiring(after: t0, named: name) {
            return ExpectationResult(metric: "alert \(name)", target: "never fires", measured: "fired at \(offset(first.firingAt))",
                                     passed: false, detail: first.labels["node"].map { "node \($0)" })
        }
        let pending = alerts.instances(named: name).first { ($0.pendingAt ?? .min) >= t0 }
        let dark = alerts.darkMicros(from: t0, to: end)
        var detail: [String] = []
        if let pending { detail.append("pending from \(offset(pending.pendingAt)), resolved before its for: ran out") }
        if dark > 0 { detail.append("the monitoring did not answer for \(ReportFormat.duration(dark)): not judged then") }
        return ExpectationResult(metric: "alert \(name)", target: "never fires", measured: "did not fire", passed: dark == 0,
                                 detail: detail.isEmpty ? nil : detail.joined(separator: "; "))
    }

    private func offset(_ at: Int64?) -> String { at.map { ReportFormat.offset($0 - t0) } ?? "?" }
}
