import Foundation

/// A run of a drill that did worse than the runs before it, by one of the rules of
/// `HistoryTrend` (slower RTO, no recovery, data loss, PASS → FAIL).
public struct HistoryRegression: Sendable, Equatable, CustomStringConvertible {
    /// Which rule flagged it. Open set, so a new rule does not break callers' switches.
    public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// RTO above the median of the earlier runs by more than the margin.
        public static let slowerRecovery = Kind(rawValue: "slower_recovery")
        /// Not recovered within observation where earlier runs recovered.
        public static let notRecovered = Kind(rawValue: "not_recovered")
        /// Acknowledged writes lost where earlier runs lost none.
        public static let dataLoss = Kind(rawValue: "data_loss")
        /// FAIL right after a PASS.
        public static let verdictFailed = Kind(rawValue: "verdict_failed")
    }

    public var kind: Kind
    public var drill: String
    public var cluster: String
    public var runId: String
    public var date: Date
    /// What got worse, with the figures: `RTO 31.0 s vs median 21.0 s of 3 earlier runs (+48%)`.
    public var message: String

    public init(kind: Kind, drill: String, cluster: String, runId: String, date: Date, message: String) {
        self.kind = kind
        self.drill = drill
        self.cluster = cluster
        self.runId = runId
        self.date = date
        self.message = message
    }

    /// `primary-node-down on lab, run 20261126-1200: RTO 31.0 s vs …`.
    public var description: String { "\(drill) on \(cluster), run \(runId): \(message)" }

    /// Short tag for a table cell.
    var tag: String {
        switch kind {
        case .slowerRecovery: "RTO"
        case .notRecovered: "no recovery"
        case .dataLoss: "data loss"
        case .verdictFailed: "PASS→FAIL"
        default: kind.rawValue
        }
    }

    /// Flags `entry` against `earlier` runs of the same drill on the same cluster (oldest first).
    /// RTO: worse than the median of the earlier measured RTOs by more than `marginPercent` and by
    /// at least `minimumIncrease` µs (a 0.2 s → 0.4 s "doubling" is noise). Data loss: lost writes
    /// where every earlier verified run lost none. Verdict: FAIL right after a PASS.
    static func rules(
        _ entry: HistoryEntry, earlier: [HistoryEntry], marginPercent: Double, minimumIncrease: Int64
    ) -> [HistoryRegression] {
        var found: [(Kind, String)] = []
        let earlierRTOs = earlier.compactMap(\.rto)
        if let median = Self.median(earlierRTOs) {
            let runs = "\(earlierRTOs.count) earlier run\(earlierRTOs.count == 1 ? "" : "s")"
            if let rto = entry.rto {
                if Double(rto) > Double(median) * (1 + marginPercent / 100), rto - median >= minimumIncrease {
                    let increase = median > 0 ? " (+\(Int((Double(rto - median) / Double(median) * 100).rounded()))%)" : ""
                    found.append((.slowerRecovery, "RTO \(ReportFormat.duration(rto)) vs median \(ReportFormat.duration(median)) of \(runs)\(increase)"))
                }
            } else if entry.recovery == .notRecovered {
                found.append((.notRecovered, "not recovered within observation; median RTO of \(runs) was \(ReportFormat.duration(median))"))
            }
        }
        let verified = earlier.compactMap(\.lostWrites)
        if let lost = entry.lostWrites, lost > 0, !verified.isEmpty, verified.allSatisfy({ $0 == 0 }) {
            found.append((.dataLoss, "\(ReportFormat.count(lost)) acknowledged write\(lost == 1 ? "" : "s") lost; the \(verified.count) earlier verified run\(verified.count == 1 ? "" : "s") lost none"))
        }
        if entry.verdict == .fail, earlier.last?.verdict == .pass {
            found.append((.verdictFailed, "verdict PASS → FAIL (previous run \(earlier.last!.runId))"))
        }
        return found.map {
            HistoryRegression(kind: $0.0, drill: entry.drill, cluster: entry.cluster, runId: entry.runId, date: entry.date, message: $0.1)
        }
    }

    /// Median (mean of the middle two for an even count); nil when empty.
    static func median(_ values: [Int64]) -> Int64? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
