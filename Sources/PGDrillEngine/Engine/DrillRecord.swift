import PGDrillCore

/// Everything one drill recorded, the raw material of its analysis and report: the probe log's path,
/// the cluster events, the engine's own timestamps and the read-back of the probe table.
public struct DrillRecord: Sendable {
    public var plan: DrillPlan
    public var runID: String
    public var clock: RunClock
    /// Probe log (CSV) of every attempt, relative to the run's report folder.
    public var probeLogPath: String
    public var probeLogRelative: String
    public var events: [ClusterEvent] = []
    public var steadyStart: Int64 = 0
    /// t0: the first fault command was sent.
    public var t0: Int64?
    /// When the first fault command returned on its host.
    public var t0Returned: Int64?
    public var observeEnd: Int64?
    public var recoverEnd: Int64?
    public var runEnd: Int64?
    public var primaryBefore: String?
    public var primaryAfter: String?
    /// The primary when observation ended, for drills whose rollback moves the primary back on purpose (a
    /// region failover fails back): what the failover expectation judges. nil: `primaryAfter` tells.
    public var primaryObserved: String?
    public var timelineBefore: Int?
    public var timelineAfter: Int?
    public var clusterBefore: ClusterView?
    public var clusterAfter: ClusterView?
    /// Node → probe keys present on it after recovery (the new primary first in `readBackOrder`).
    public var readBack: [String: WriteKeySet] = [:]
    public var readBackOrder: [String] = []
    /// Server identities by postmaster start time → node, as the runner's own connections saw them.
    public var serverIdentities: [String: String] = [:]
    /// The HAProxy backend that routes writes, as configured or discovered at pre-flight (nil: none known).
    public var writeBackend: String?
    /// The settings that bound the failover, read at pre-flight (nil: pre-flight did not get that far).
    public var failoverSettings: FailoverSettings?
    /// Node → timeline it was on when read back.
    public var readBackTimelines: [String: Int] = [:]
    /// Node → why its read-back does not count towards lost writes (not caught up, not streaming).
    public var notVerified: [String: String] = [:]
    /// Why the probe record is incomplete, as the runner saw it (the probe log could not be written).
    public var recordProblems: [String] = []
    public var observationSatisfied = true
    public var termination: DrillLifecycle.Termination?
    /// Fault steps as applied: summary, host, sent/returned times, output.
    public var applied: [AppliedFault] = []
    public var rollbacks: [String] = []
    public var notes: [String] = []
    /// How the monitor's node-SQL sources answered (set when the monitor stops).
    public var monitorSources: [MonitorSourceStats]?
    /// What a `restore` step did, when the drill has one.
    public var restore: RestoreRecord?
    /// What a `region_failover` step did, when the drill has one.
    public var region: RegionFailoverReport?
    /// An on-call drill's handover and the operator's work (nil: not an on-call drill, or no handover).
    public var onCall: OnCallRecord?
    /// What the cluster's monitoring said during the drill (nil: no `monitoring:` in the cluster file).
    public var alerts: AlertsReport?

    public struct AppliedFault: Sendable {
        public var summary: String
        public var host: String?
        public var sent: Int64
        public var returned: Int64
        public var output: String
        /// When the runner decided to inject this step (run clock, µs), before resolving roles and journaling.
        public var decided: Int64? = nil
        /// Decision → in effect on the node, from the node's stamp (nil: clocks disagree, or no stamp).
        public var effectLatency: Int64? = nil
        /// Index of the drill step this came from (a step acting on several hosts gives several entries).
        public var step: Int? = nil

        /// Decision (or sending, for older records) → the report's timing breakdown.
        public var injectionTiming: FaultInjectionTiming {
            let decided = decided ?? sent
            return FaultInjectionTiming(host: host, decisionToEffect: effectLatency,
                                        decisionToSent: sent - decided, decisionToReturn: returned - decided)
        }
    }
}

/// A `restore` step as it ran: the disaster moment, the recovery cutoff, the stages, the keys found on the
/// restored host and the result of its integrity checks.
public struct RestoreRecord: Sendable {
    /// When the cluster was cut off from its repository (run clock, µs): t0 of the drill.
    public var disaster: Int64
    /// Writes acknowledged before this may not be missing: `disaster`, or the PITR target.
    public var cutoff: Int64
    /// The PITR target as given to the backup tool (nil: the end of the archive).
    public var targetTime: String?
    /// Provision, restore (fetch + copy), start → first connection, WAL replay → read-write, checks.
    public var stages: [StageTiming] = []
    /// Probe keys of this run on the restored host (nil: it never accepted a connection).
    public var restoredKeys: Set<WriteKey>?
    /// Commit time of the last transaction the restored host replayed (server clock, as run-clock µs).
    public var newestRestoredCommit: Int64?
    /// Integrity checks that passed, in words.
    public var checks: [String] = []
    /// What went wrong, in words.
    public var problems: [String] = []

    public init(disaster: Int64, cutoff: Int64, targetTime: String?) {
        self.disaster = disaster
        self.cutoff = cutoff
        self.targetTime = targetTime
    }

    /// From the disaster moment to the restored host accepting writes (RTO of a full-cluster loss), µs.
    public var readWriteAt: Int64? { stages.first { $0.name == RestoreRecord.replayStage }?.end }

    public static let provisionStage = "restore: provision scratch host"
    public static let fetchStage = "restore: fetch + copy backup"
    public static let connectStage = "restore: start → first connection"
    public static let replayStage = "restore: WAL replay → read-write"
    public static let checkStage = "restore: amcheck + checksums"
}
