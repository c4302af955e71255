/// Every figure of one drill, computed by `DrillAnalyzer` from recorded events only, so each can be
/// recomputed from the JSON report and its probe log. Times are µs on the run's monotonic clock;
/// durations are µs.
public struct DrillMetrics: Codable, Sendable, Equatable {
    /// Moment the fault command was sent.
    public var t0: Int64
    public var steadyStart: Int64
    public var observeEnd: Int64
    public var runEnd: Int64
    public var stableFor: Int64

    /// The main endpoint (the drill's `probe.endpoint`).
    public var main: EndpointMetrics
    /// The endpoints of `probe.also`, by name.
    public var also: [EndpointMetrics]

    /// Nil when nothing was read back (the drill stopped before verification).
    public var writes: WriteVerification?
    /// Nil when nothing was read back.
    public var rpo: RecoveryPoint?
    public var splitBrain: SplitBrainReport
    public var phases: FailoverPhases
    /// Nil when no acknowledged row before t0 carried a timeline.
    public var timelineEvidence: TimelineEvidence?

    /// Primary before the fault, as given.
    public var oldPrimary: String?
    /// Node promoted during the drill (from the cluster events), if any.
    public var newPrimary: String?
    /// Why the probe record cannot be trusted to be complete (no attempt after t0, a writer that stopped
    /// recording): a drill with any of these ends in ERROR, never PASS. Empty when the record is whole.
    public var recordProblems: [String]?

    /// Server that acknowledged the last write before t0 on the main endpoint.
    public var oldServer: String?
    /// First other server that acknowledged a write after t0 on the main endpoint.
    public var newServer: String?

    public init(
        t0: Int64, steadyStart: Int64, observeEnd: Int64, runEnd: Int64, stableFor: Int64,
        main: EndpointMetrics, also: [EndpointMetrics], writes: WriteVerification?, rpo: RecoveryPoint?,
        splitBrain: SplitBrainReport, phases: FailoverPhases, timelineEvidence: TimelineEvidence?,
        oldPrimary: String?, newPrimary: String?, oldServer: String?, newServer: String?, recordProblems: [String] = []
    ) {
        self.recordProblems = recordProblems.isEmpty ? nil : recordProblems
        self.t0 = t0
        self.steadyStart = steadyStart
        self.observeEnd = observeEnd
        self.runEnd = runEnd
        self.stableFor = stableFor
        self.main = main
        self.also = also
        self.writes = writes
        self.rpo = rpo
        self.splitBrain = splitBrain
        self.phases = phases
        self.timelineEvidence = timelineEvidence
        self.oldPrimary = oldPrimary
        self.newPrimary = newPrimary
        self.oldServer = oldServer
        self.newServer = newServer
    }

    /// Main endpoint first, then the others.
    public var endpoints: [EndpointMetrics] { [main] + also }
}
