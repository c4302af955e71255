import PGDrillModel

/// How an error budget reads in the expectation table, report.md and JUnit.
extension ErrorBudget {
    /// The `availability` row of the expectation table (a JUnit failure when missed). `target` is the drill
    /// file's objective as written (`AvailabilityTarget.summary`).
    public func expectation(target: String) -> ExpectationResult {
        let rto = rtoOutage.map { "RTO \(ReportFormat.duration($0)) = \(ReportFormat.percent(rtoSharePerFailure ?? 0))" }
            ?? "RTO: not recovered within observation"
        guard let downtime, let sharePerFailure, let shareConsumed else {
            return ExpectationResult(metric: "availability", target: target,
                                     measured: "app-view downtime not measured (the report has no application view)",
                                     passed: false, detail: rto)
        }
        let times = failuresPerPeriod == 1 ? "" : " × \(failuresPerPeriod) = \(ReportFormat.percent(shareConsumed))"
        return ExpectationResult(
            metric: "availability", target: target,
            measured: "\(ReportFormat.duration(downtime)) app-view downtime = \(ReportFormat.percent(sharePerFailure)) "
                + "of the \(ReportFormat.span(budget)) budget\(times)",
            passed: passed, detail: rto)
    }

    /// The report.md line: `99.99% over 30 d = 4 min 19.2 s budget; this drill's app-view downtime 81.8% ×
    /// 24.9 s = 20.4 s = 7.9% of it per failure (RTO 19.9 s = 7.7%); 1 failure per period → 7.9% (PASS)`.
    /// `errorRate` is the main endpoint's, to show how the downtime was reached.
    public func sentence(errorRate: ErrorRate?) -> String {
        let objective = "\(Percentage(percent: slo)) over \(ReportFormat.span(period)) = \(ReportFormat.span(budget)) budget"
        let rto = rtoOutage.map { "RTO \(ReportFormat.duration($0)) = \(ReportFormat.percent(rtoSharePerFailure ?? 0))" }
            ?? "RTO: not recovered within observation"
        let failures = "\(failuresPerPeriod) failure\(failuresPerPeriod == 1 ? "" : "s") per period"
        guard let downtime, let sharePerFailure, let shareConsumed else {
            return "\(objective); this drill's app-view downtime is not known (the report has no application view; \(rto)); "
                + "\(failures) → not judged (FAIL)"
        }
        let how: String
        if let e = errorRate, e.anyFailed, e.requestTime > 0 {
            how = "\(ReportFormat.percent(e.rate)) × \(ReportFormat.duration(e.observed)) = \(ReportFormat.duration(downtime))"
        } else {
            how = ReportFormat.duration(downtime)
        }
        return "\(objective); this drill's app-view downtime \(how) = \(ReportFormat.percent(sharePerFailure)) of it per failure "
            + "(\(rto)); \(failures) → \(ReportFormat.percent(shareConsumed)) (\(passed ? "PASS" : "FAIL"))"
    }
}
