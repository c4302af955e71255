import PGDrillModel

/// How much of an availability objective's error budget one drill's outage consumes (issue 17).
///
/// **Budget** = (1 − slo) × period, in µs, computed exactly in integers from the objective's thousandths
/// of a percent (99.99 % over 30 d = 259,200,000 µs = 4 min 19.2 s) and rounded down: never more budget
/// than the objective allows.
///
/// **Judged downtime: the application view.** `downtime` is the main endpoint's application-view error
/// rate × the span observed (t0 → end of observation), the "N% × T" of the report: the seconds of total
/// outage the application's failed requests amount to. It is what users saw, so it is what spends the
/// budget. Computed from the recorded µs integers as failing writer-time × observed ÷ request writer-time,
/// rounded up, so a non-zero outage never becomes 0. Failures after observation ended (caused by a
/// rollback or heal) are outside it, as they are outside the error rate.
///
/// **RTO-based outage** (`rtoOutage`), shown beside it: t0 → the first acknowledgement of the stable
/// period. It is the outage's length as the failover saw it, usually close to the application view but
/// not judged: an RTO counts a partial outage (one writer of four failing) as total.
///
/// The drill PASSes when `failuresPerPeriod` × `downtime` ≤ `budget`.
public struct ErrorBudget: Codable, Sendable, Equatable {
    /// The objective in percent (`99.99`), as the drill file states it (three decimals at most).
    public var slo: Double
    /// The span the objective is over, µs.
    public var period: Int64
    /// How often the drilled failure is expected in `period`.
    public var failuresPerPeriod: Int
    /// (1 − slo) × period, µs, rounded down.
    public var budget: Int64
    /// Application-view downtime of one failure, µs (the judged figure); nil when the report has no
    /// application view (written before pgdrill measured it) although requests failed.
    public var downtime: Int64?
    /// RTO of the main endpoint, µs (0 with no outage); nil when it did not recover within observation.
    public var rtoOutage: Int64?
    /// `downtime` ÷ `budget`: the share of the budget one failure consumes; nil without `downtime`.
    public var sharePerFailure: Double?
    /// `rtoOutage` ÷ `budget`, for comparison; nil without `rtoOutage`.
    public var rtoSharePerFailure: Double?
    /// `failuresPerPeriod` × `sharePerFailure`: the share of the budget the period's failures consume.
    public var shareConsumed: Double?
    /// `failuresPerPeriod` × `downtime` ≤ `budget`; false when `downtime` is unknown.
    public var passed: Bool

    /// The budget `target` gives and what the main endpoint's outage consumes of it.
    public init(target: AvailabilityTarget, main: EndpointMetrics) {
        self.init(sloThousandths: target.sloThousandths, period: target.period.microseconds, failuresPerPeriod: target.failuresPerPeriod,
                  downtime: Self.applicationDowntime(main.errorRate), rtoOutage: main.recovery.rto)
    }

    /// The figures from their parts; every derived one follows from them.
    public init(sloThousandths: Int64, period: Int64, failuresPerPeriod: Int, downtime: Int64?, rtoOutage: Int64?) {
        slo = Double(sloThousandths) / 1000
        self.period = period
        self.failuresPerPeriod = failuresPerPeriod
        let budget = Self.budget(sloThousandths: sloThousandths, period: period)
        self.budget = budget
        self.downtime = downtime
        self.rtoOutage = rtoOutage
        sharePerFailure = downtime.map { Self.share($0, of: budget) }
        rtoSharePerFailure = rtoOutage.map { Self.share($0, of: budget) }
        shareConsumed = downtime.map { Double($0) * Double(failuresPerPeriod) / Double(max(budget, 1)) }
        let (total, overflow) = (downtime ?? 0).multipliedReportingOverflow(by: Int64(failuresPerPeriod))
        passed = downtime != nil && !overflow && total <= budget
    }

    /// (1 − slo) × period in µs, exact and rounded down: `sloThousandths` is the objective in thousandths of
    /// a percent (99.99 % = 99,990), so the allowed share is (100,000 − it) / 100,000.
    public static func budget(sloThousandths: Int64, period: Int64) -> Int64 {
        let allowed = max(0, min(100_000, 100_000 - sloThousandths))
        let (high, low) = period.multipliedFullWidth(by: allowed)
        return Int64(100_000).dividingFullWidth((high, low)).quotient
    }

    /// The application-view downtime of `e` in µs: failing ÷ request writer-time (the error rate) × the span
    /// observed, rounded up. 0 when nothing failed; nil when requests failed but the report has no
    /// application view (no request time recorded), since the per-attempt share says nothing about time.
    public static func applicationDowntime(_ e: ErrorRate) -> Int64? {
        guard e.anyFailed else { return 0 }
        guard e.requestTime > 0, e.failingTime >= 0, e.observed >= 0 else { return nil }
        let failing = min(e.failingTime, e.requestTime)
        let product = failing.multipliedFullWidth(by: e.observed)
        let (quotient, remainder) = e.requestTime.dividingFullWidth(product)
        return quotient + (remainder > 0 ? 1 : 0)
    }

    /// `part` ÷ `budget`. A zero budget (no drill file can state one) counts as 1 µs, so the share stays a
    /// finite number JSON can carry.
    static func share(_ part: Int64, of budget: Int64) -> Double {
        Double(part) / Double(max(budget, 1))
    }
}
