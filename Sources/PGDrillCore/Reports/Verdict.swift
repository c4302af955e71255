/// The outcome of one drill, and of a run (the worst of its drills).
public enum Verdict: String, Codable, Sendable, CaseIterable, Comparable {
    /// Every expectation was met.
    case pass = "PASS"
    /// The drill ran; at least one expectation was missed.
    case fail = "FAIL"
    /// Interrupted (Ctrl-C, abort condition); rollback ran.
    case aborted = "ABORTED"
    /// The drill could not be carried out (bad file, unreachable node, failed step).
    case error = "ERROR"

    /// Severity order: pass < fail < error < aborted.
    private var severity: Int {
        switch self {
        case .pass: 0
        case .fail: 1
        case .error: 2
        case .aborted: 3
        }
    }

    public static func < (a: Verdict, b: Verdict) -> Bool { a.severity < b.severity }
}
