/// Everything known about one drill of a run: the verdict and why, the figures, and the raw cluster
/// events they came from (the probe attempts stay in the CSV sidecar named by `probeLog`).
public struct DrillReport: Codable, Sendable, Equatable {
    /// Drill name from the drill file.
    public var name: String
    public var description: String
    /// Short summary of the fault for the summary table (`kill patroni+postgres on primary`).
    public var scenario: String
    public var verdict: Verdict
    /// What the cluster did, in sentences (`primary pg1 failed over to pg2 (timeline 2→3)`).
    public var whatHappened: [String]
    public var expectations: [ExpectationResult]
    /// Nil when the drill stopped before anything was measured.
    public var metrics: DrillMetrics?
    public var clusterBefore: ClusterSnapshot?
    public var clusterAfter: ClusterSnapshot?
    /// Every cluster event recorded during the drill.
    public var events: [ClusterEvent]
    /// Probe log file, relative to the report directory.
    public var probeLog: String?
    /// The `run_id` of this drill's rows in `pgdrill.probe` (kept with `--keep-probe-rows`): the run's id for
    /// its first drill, `<run>-N` for the N-th.
    public var probeRunId: String?
    public var stages: [StageTiming]
    /// Decision → first fault in effect on its node, µs (`faultInjection.latency`: measured on the node's
    /// clock when it agrees with the runner's, otherwise the round-trip upper bound).
    public var faultInjectionLatency: Int64?
    /// How `faultInjectionLatency` breaks down.
    public var faultInjection: FaultInjectionTiming?
    /// A `restore` step's figures (restore RTO by stage, RPO, counts), when the drill has one.
    public var restore: RestoreReport?
    /// A `region_failover` step's moments and failback, when the drill has one.
    public var regionFailover: RegionFailoverReport?
    /// The error budget the drill's outage consumes, when the drill file states `expect.availability`.
    public var availability: ErrorBudget?
    /// How each of the monitor's node-SQL sources answered (nil: none was polled).
    public var monitorSources: [MonitorSourceStats]?
    /// The settings that bound the failover, as read at pre-flight (nil: pre-flight did not get that far).
    public var failoverSettings: FailoverSettings?
    /// The RTO beside the bounds those settings imply (nil: a fault no setting bounds, or settings not read).
    public var rtoBudget: RTOBudget?
    /// An on-call drill's timeline: the handover, the operator's acknowledgement and actions, who restored it.
    public var onCall: OnCallReport?
    /// What the cluster's monitoring said during the drill (nil: the drill did not watch it).
    public var alerts: AlertsReport?
    /// What went wrong running the drill (ERROR / ABORTED), in words.
    public var errors: [String]
    /// Anything else worth knowing (a damaged probe log, a skipped check).
    public var notes: [String]

    public init(
        name: String, description: String = "", scenario: String = "", verdict: Verdict,
        whatHappened: [String] = [], expectations: [ExpectationResult] = [], metrics: DrillMetrics? = nil,
        clusterBefore: ClusterSnapshot? = nil, clusterAfter: ClusterSnapshot? = nil, events: [ClusterEvent] = [],
        probeLog: String? = nil, probeRunId: String? = nil, stages: [StageTiming] = [], faultInjectionLatency: Int64? = nil,
        faultInjection: FaultInjectionTiming? = nil, restore: RestoreReport? = nil, regionFailover: RegionFailoverReport? = nil,
        availability: ErrorBudget? = nil, errors: [String] = [], notes: [String] = []
    ) {
        self.name = name
        self.description = description
        self.scenario = scenario
        self.verdict = verdict
        self.whatHappened = whatHappened
        self.expectations = expectations
        self.metrics = metrics
        self.clusterBefore = clusterBefore
        self.clusterAfter = clusterAfter
        self.events = events
        self.probeLog = probeLog
        self.probeRunId = probeRunId
        self.stages = stages
        self.faultInjectionLatency = faultInjectionLatency ?? faultInjection?.latency
        self.faultInjection = faultInjection
        self.restore = restore
        self.regionFailover = regionFailover
        self.availability = availability
        self.errors = errors
        self.notes = notes
    }

    /// From the first stage's start to the last stage's end, µs; nil without stages.
    public var duration: Int64? {
        guard let start = stages.map(\.start).min(), let end = stages.map(\.end).max() else { return nil }
        return end - start
    }

    /// The expectations that were missed.
    public var missedExpectations: [ExpectationResult] { expectations.filter { !$0.passed } }
}
