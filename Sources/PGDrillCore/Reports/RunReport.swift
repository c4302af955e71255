import Foundation

/// One `pgdrill run`: the document that `report.json` serialises and the Markdown and JUnit
/// renderers read. Versioned, so `pgdrill history` can read reports written months earlier.
public struct RunReport: Codable, Sendable, Equatable {
    /// Version of this schema; bumped on incompatible changes.
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var runId: String
    /// Cluster name from the cluster file.
    public var cluster: String
    public var pgdrillVersion: String
    /// Wall-clock start and end (labels only; every interval uses the monotonic clock).
    public var startedAt: Date
    public var endedAt: Date
    /// The process exit status (DESIGN §3).
    public var exitStatus: Int32
    public var drills: [DrillReport]

    public init(
        runId: String, cluster: String, pgdrillVersion: String, startedAt: Date, endedAt: Date, exitStatus: Int32,
        drills: [DrillReport], schemaVersion: Int = RunReport.currentSchemaVersion
    ) {
        self.schemaVersion = schemaVersion
        self.runId = runId
        self.cluster = cluster
        self.pgdrillVersion = pgdrillVersion
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.exitStatus = exitStatus
        self.drills = drills
    }

    /// The worst verdict of the run (PASS for a run without drills).
    public var verdict: Verdict { drills.map(\.verdict).max() ?? .pass }

    /// "1 of 6 drills failed", "all 6 drills passed", "1 of 6 drills failed, 1 aborted".
    public var verdictSummary: String {
        let total = drills.count
        let noun = total == 1 ? "drill" : "drills"
        if drills.allSatisfy({ $0.verdict == .pass }) {
            return total == 1 ? "the drill passed" : "all \(total) \(noun) passed"
        }
        var parts: [String] = []
        for (verdict, word) in [(Verdict.fail, "failed"), (.error, "had errors"), (.aborted, "aborted")] {
            let n = drills.filter { $0.verdict == verdict }.count
            if n > 0 { parts.append(parts.isEmpty ? "\(n) of \(total) \(noun) \(word)" : "\(n) \(word)") }
        }
        return parts.joined(separator: ", ")
    }
}
