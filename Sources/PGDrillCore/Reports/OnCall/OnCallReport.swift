/// An on-call drill as a post-mortem timeline: the fault, the handover, the operator's acknowledgement, each
/// thing they did as the cluster showed it (matched to the runbook step it fulfils), the recovery, and who
/// restored the cluster in the end. Offsets are µs after t0 (the fault).
public struct OnCallReport: Codable, Sendable, Equatable {
    /// When pgdrill handed the cluster over (the last fault step applied).
    public var handoverAt: Int64
    /// When pgdrill would restore the cluster itself.
    public var deadline: Int64
    /// When the operator acknowledged the page (nil: never).
    public var acknowledgedAt: Int64?
    /// The first action that changed the cluster (a new leader, the manager resumed); nil: none.
    public var firstActionAt: Int64?
    /// Fault → writes acknowledged again for `stable_for` (the drill's RTO), with a person in the loop.
    public var humanRTO: Int64?
    /// `operator`, or `pgdrill after the deadline`, or `pgdrill (interrupted)`.
    public var restoredBy: String
    /// Who was at the keyboard: `scripted operator (FILE)`, `keyboard`, or `nobody answered`.
    public var operatorKind: String
    public var timeline: [OperatorAction]
    /// The runbook as shown at the handover.
    public var runbook: [String]
    /// Runbook steps (1-based) that name a sign in the cluster which was never seen.
    public var unseenSteps: [Int]
    /// The figures against the usual expectation of a manual failover (1–5 min), in a sentence.
    public var pattern: String?
    /// What bounds the manual recovery, in sentences.
    public var notes: [String]

    public init(handoverAt: Int64, deadline: Int64, acknowledgedAt: Int64? = nil, firstActionAt: Int64? = nil, humanRTO: Int64? = nil,
                restoredBy: String, operatorKind: String, timeline: [OperatorAction] = [], runbook: [String] = [], unseenSteps: [Int] = [],
                pattern: String? = nil, notes: [String] = []) {
        self.unseenSteps = unseenSteps
        self.notes = notes
        self.handoverAt = handoverAt
        self.deadline = deadline
        self.acknowledgedAt = acknowledgedAt
        self.firstActionAt = firstActionAt
        self.humanRTO = humanRTO
        self.restoredBy = restoredBy
        self.operatorKind = operatorKind
        self.timeline = timeline
        self.runbook = runbook
        self.pattern = pattern
    }

    /// A manual failover usually takes 1–5 min (the seed's Pattern 1): where this one stands.
    public static func pattern(humanRTO: Int64?, restoredBy: String) -> String? {
        guard restoredBy == "operator", let rto = humanRTO else {
            return "no manual recovery to compare with the 1–5 min a manual failover usually takes"
        }
        let where_: String = switch rto {
        case ..<60_000_000: "faster than the 1–5 min a manual failover usually takes"
        case ...300_000_000: "within the 1–5 min a manual failover usually takes"
        default: "slower than the 1–5 min a manual failover usually takes"
        }
        return "human RTO \(ReportFormat.duration(rto)): \(where_)"
    }
}

/// One thing the operator did, as the cluster showed it (or an acknowledgement or note they gave).
public struct OperatorAction: Codable, Sendable, Equatable {
    /// µs after t0.
    public var at: Int64
    /// `acknowledged`, `new_primary`, `manager_resumed`, `writes_ok`, `healthy`, or `note`.
    public var signal: String
    public var what: String
    /// The runbook step it fulfils, 1-based (nil: none names this sign).
    public var runbookStep: Int?

    public init(at: Int64, signal: String, what: String, runbookStep: Int? = nil) {
        self.at = at
        self.signal = signal
        self.what = what
        self.runbookStep = runbookStep
    }
}
