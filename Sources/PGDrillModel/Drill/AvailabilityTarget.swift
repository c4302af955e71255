/// `expect.availability`: the availability objective a drill's outage is weighed against, as the error
/// budget it consumes (issue 17). `slo: 99.99%` over `period: 30d` allows 4 min 19.2 s of downtime; a
/// drill whose failure the service expects `failuresPerPeriod` times in that period passes when that many
/// of its outages fit in the budget.
public struct AvailabilityTarget: Sendable, Hashable {
    /// The objective, strictly between 0 % and 100 % (three decimals at most: `99.999%` is the finest).
    public var slo: Percentage
    /// The span the objective is measured over; 30 days by default, at most `DrillDuration.longest`.
    public var period: DrillDuration
    /// How often the drilled failure is expected to happen in `period`; at least 1, 1 by default.
    public var failuresPerPeriod: Int

    /// The period when the file states none: 30 days, the usual monthly SLO window.
    public static let defaultPeriod = DrillDuration.days(30)
    /// The shortest period a file may state: shorter is almost always a typo for days (`30m`, `30s`).
    public static let shortestPeriod = DrillDuration.seconds(3600)
    /// The most failures per period a file may state.
    public static let maximumFailuresPerPeriod = 1000

    public init(slo: Percentage, period: DrillDuration = Self.defaultPeriod, failuresPerPeriod: Int = 1) {
        self.slo = slo
        self.period = period
        self.failuresPerPeriod = failuresPerPeriod
    }

    /// The objective in thousandths of a percent (99.99 % → 99,990): exact, since files state at most three
    /// decimals, so budgets are computed in integers.
    public var sloThousandths: Int64 { Int64((slo.percent * 1000).rounded()) }

    /// `99.99% over 30d, 1 failure per period`: the target as the expectation table shows it.
    public var summary: String {
        "\(slo) over \(period), \(failuresPerPeriod) failure\(failuresPerPeriod == 1 ? "" : "s") per period"
    }
}
