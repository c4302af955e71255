/// Everything besides the probe attempts that the analysis needs: the drill's moments, the
/// cluster events and the read-back. All times are µs on the run's monotonic clock.
public struct DrillAnalysisInput: Sendable {
    /// The main endpoint probed (`probe.endpoint`); RTO and phases are about it.
    public var endpoint: String
    /// Other endpoints probed (`probe.also`), in the order to show them. Endpoints found in the
    /// attempts but not listed here are added after them, by name.
    public var also: [String]
    /// Endpoints probed with reads: left out of write verification and the split-brain check.
    public var readEndpoints: Set<String>
    /// Start of the steady (baseline) period.
    public var steadyStart: Int64
    /// The moment the fault command was sent.
    public var t0: Int64
    /// End of observation (the `observe` stage).
    public var observeEnd: Int64
    /// End of the run (after recovery); attempts ending later are ignored.
    public var runEnd: Int64
    /// `observe.stable_for`, µs.
    public var stableFor: Int64
    /// The primary before the fault.
    public var oldPrimary: String?
    /// Cluster monitor and engine events, in any order.
    public var events: [ClusterEvent]
    /// What each node holds afterwards; nil when the drill stopped before verification.
    public var readBack: ReadBack?
    /// `inet_server_addr():port` → node name, to name servers in the report.
    public var serverNodes: [String: String]
    /// HAProxy backend that routes writes (`backend_up` events' detail).
    public var writeBackend: String
    /// Writers per endpoint (`probe.writers`); a writer with no attempt at all is a record problem. Nil: unknown.
    public var writers: Int?
    /// A writer whose last attempt ended longer than this before the end of observation stopped recording
    /// (its thread died or hung), µs: the probe's deadline bounds every attempt, so this is several of them.
    public var writerSilenceLimit: Int64 = 10_000_000
    /// Cluster monitor poll interval, µs: writable overlaps no longer than this are inconclusive.
    public var pollInterval: Int64

    public init(
        endpoint: String, also: [String] = [], readEndpoints: Set<String> = [],
        steadyStart: Int64, t0: Int64, observeEnd: Int64, runEnd: Int64, stableFor: Int64,
        oldPrimary: String? = nil, events: [ClusterEvent] = [], readBack: ReadBack? = nil,
        serverNodes: [String: String] = [:], writeBackend: String = "write", pollInterval: Int64 = 0
    ) {
        self.endpoint = endpoint
        self.also = also
        self.readEndpoints = readEndpoints
        self.steadyStart = steadyStart
        self.t0 = t0
        self.observeEnd = observeEnd
        self.runEnd = runEnd
        self.stableFor = stableFor
        self.oldPrimary = oldPrimary
        self.events = events
        self.readBack = readBack
        self.serverNodes = serverNodes
        self.writeBackend = writeBackend
        self.pollInterval = pollInterval
    }
}
