import Foundation

/// The availability section of `pgdrill history`: per cluster, the application-view downtime of every
/// drill run in a period ending at the cluster's newest run, against the error budgets of the usual
/// objectives (99.9 / 99.95 / 99.99 / 99.999 %).
///
/// Each drill run counts with what its application saw (`HistoryEntry.downtime`, the figure
/// `expect.availability` judges), whatever its verdict: the sum is the budget the drilled failures would
/// consume had they happened for real in that period — and, on a production cluster, the budget the
/// drills themselves spent. Runs that measured nothing, and reports written before pgdrill measured the
/// application view, are left out and counted.
public struct AvailabilitySummary: Sendable, Equatable {
    /// The objectives shown, in thousandths of a percent (99.9 % = 99,900).
    public static let objectives: [Int64] = [99_900, 99_950, 99_990, 99_999]
    /// The period when none is given: 30 days.
    public static let defaultPeriod: Int64 = 30 * 86_400_000_000

    /// One objective's budget over the period and how much of it the drills consumed.
    public struct Objective: Sendable, Equatable {
        /// Thousandths of a percent.
        public var sloThousandths: Int64
        /// (1 − slo) × period, µs (`ErrorBudget.budget`).
        public var budget: Int64
        /// downtime ÷ budget.
        public var share: Double
        /// downtime > budget.
        public var exceeded: Bool
    }

    /// One cluster's runs in the period.
    public struct Cluster: Sendable, Equatable {
        public var cluster: String
        /// The newest run's start: the period ends here.
        public var end: Date
        /// Drill runs whose downtime is counted.
        public var runs: Int
        /// Their application-view downtime, summed, µs.
        public var downtime: Int64
        public var objectives: [Objective]
        /// Runs in the period that measured nothing (refused before the fault).
        public var measuredNothing: Int
        /// Runs in the period whose report has no application view (written before pgdrill measured it).
        public var withoutApplicationView: Int
    }

    /// The span summed, µs.
    public var period: Int64
    /// By cluster name.
    public var clusters: [Cluster]

    /// Sums `entries` per cluster over (newest run − `period`, newest run].
    public init(entries: [HistoryEntry], period: Int64 = Self.defaultPeriod) {
        self.period = period
        clusters = Dictionary(grouping: entries, by: \.cluster).map { cluster, runs in
            let end = runs.map(\.date).max()!
            let inPeriod = runs.filter { $0.date <= end && end.timeIntervalSince($0.date) * 1_000_000 < Double(period) }
            let counted = inPeriod.compactMap(\.downtime)
            let downtime = counted.reduce(Int64(0), +)
            return Cluster(
                cluster: cluster, end: end, runs: counted.count, downtime: downtime,
                objectives: Self.objectives.map { slo in
                    let budget = ErrorBudget.budget(sloThousandths: slo, period: period)
                    return Objective(sloThousandths: slo, budget: budget, share: ErrorBudget.share(downtime, of: budget),
                                     exceeded: downtime > budget)
                },
                measuredNothing: inPeriod.filter { !$0.measured }.count,
                withoutApplicationView: inPeriod.filter { $0.measured && $0.downtime == nil }.count)
        }.sorted { $0.cluster < $1.cluster }
    }
}
