/// How one of the monitor's sources answered during a drill: a node's SQL (split-brain by two writable
/// nodes, promotion and timeline events come from it). A source that failed is reported, never silent.
public struct MonitorSourceStats: Codable, Sendable, Equatable {
    /// `pg1 SQL`.
    public var source: String
    public var polls: Int
    public var failures: Int
    /// The last error text (redacted at rendering), when any poll failed.
    public var lastError: String?

    public init(source: String, polls: Int, failures: Int, lastError: String? = nil) {
        self.source = source
        self.polls = polls
        self.failures = failures
        self.lastError = lastError
    }

    /// Never answered at all during the drill.
    public var neverAnswered: Bool { polls > 0 && failures == polls }

    /// One sentence for the report's notes, nil when every poll was answered.
    public static func note(_ stats: [MonitorSourceStats]) -> [String] {
        var out: [String] = []
        let silent = stats.filter(\.neverAnswered)
        for s in silent {
            out.append("split-brain by node SQL: not observed for \(s.source.replacingOccurrences(of: " SQL", with: "")) — all \(s.polls) polls of its SQL failed"
                       + (s.lastError.map { ": \($0)" } ?? ""))
        }
        let partial = stats.filter { $0.failures > 0 && !$0.neverAnswered }
        if !partial.isEmpty {
            out.append("monitor polls that failed (a node under a fault does not answer): " + partial.map {
                "\($0.source) \($0.failures) of \($0.polls)" + ($0.lastError.map { " (last: \($0.prefix(160)))" } ?? "")
            }.joined(separator: "; "))
        }
        return out
    }
}
