import PGDrillModel

/// A drill as the engine runs it: every duration in µs, every fault step as an engine action.
/// Built from the drill file (`DrillPlan(spec:)`); roles stay unresolved until a step runs.
public struct DrillPlan: Sendable {
    public struct Probe: Sendable, Equatable {
        public var endpoint: String
        public var writers: Int
        public var rate: Int
        public var also: [String]
        public var deadlineMicros: Int64
    }

    public enum Condition: String, Sendable, CaseIterable {
        case newPrimary = "new_primary", samePrimary = "same_primary", writesOK = "writes_ok"
        case writesFailing = "writes_failing", leaderLost = "leader_lost", healthy, managerResumed = "manager_resumed"
    }

    public struct Expectations: Sendable {
        public var rto: Threshold<DrillDuration>?
        public var rpo: Threshold<DrillDuration>?
        public var lostWrites: Threshold<Int>?
        public var errorRate: Threshold<Percentage>?
        /// false: split-brain allowed; true: none allowed (the default when unset is to report it anyway).
        public var noSplitBrain: Bool?
        /// true: the primary must change; false: must not.
        public var failover: Bool?
        /// With `noSplitBrain`: judge only acknowledgements (`split_brain: no_acknowledged_writes`), not two
        /// nodes answering as primary.
        public var splitBrainAcksOnly = false
        /// A `restore` step's RTO, RPO and writes missing from the restored host.
        public var restoreRTO: Threshold<DrillDuration>?
        public var restoreRPO: Threshold<DrillDuration>?
        public var restoreLostWrites: Threshold<Int>?
        /// The error budget the main endpoint's application-view downtime may consume.
        public var availability: AvailabilityTarget?
        /// The alerts that must fire, resolve or never fire (the model's type: one vocabulary).
        public var alerts: AlertExpectations?
        public init(rto: Threshold<DrillDuration>? = nil, rpo: Threshold<DrillDuration>? = nil, lostWrites: Threshold<Int>? = nil,
                    errorRate: Threshold<Percentage>? = nil, noSplitBrain: Bool? = nil, failover: Bool? = nil) {
            self.rto = rto
            self.rpo = rpo
            self.lostWrites = lostWrites
            self.errorRate = errorRate
            self.noSplitBrain = noSplitBrain
            self.failover = failover
        }
    }

    public var name: String
    public var description: String
    public var file: String
    public var destructive: Bool
    public var maxLagBytes: Int64
    public var requireSync: Bool
    public var minReplicas: Int?
    /// The drill needs a backup at most this old (`preflight.backup_max_age`), and working WAL archiving.
    public var backupMaxAgeMicros: Int64?
    public var probe: Probe
    public var steadyMicros: Int64
    public var steps: [FaultStepPlan]
    /// A step fails over to the standby cluster (its journal order, failback and API needs are its own).
    public var hasRegionFailover: Bool { steps.contains { if case .regionFailover = $0.action { true } else { false } } }
    public var until: [Condition]
    public var observeTimeoutMicros: Int64
    public var stableForMicros: Int64
    public var recoverTimeoutMicros: Int64
    public var cooldownMicros: Int64
    public var expect: Expectations
    public var noPrimaryForMicros: Int64?
    /// `abort_if.alert`: alerts whose firing (in the cluster's scope) aborts the drill at once.
    public var abortAlerts: [String] = []
    /// Whether the drill needs the cluster file's `monitoring:` (it judges or stops on alerts).
    public var watchesAlerts: Bool { expect.alerts != nil || !abortAlerts.isEmpty }
    /// An on-call drill: the HA manager paused first, the cluster handed over to a person after the fault, and
    /// restored by pgdrill once `deadlineMicros` after t0 have passed (the observation's timeout).
    public var manual: ManualSettings?

    public init(name: String, description: String, file: String, destructive: Bool, maxLagBytes: Int64, requireSync: Bool,
                minReplicas: Int?, probe: Probe, steadyMicros: Int64, steps: [FaultStepPlan], until: [Condition],
                observeTimeoutMicros: Int64, stableForMicros: Int64, recoverTimeoutMicros: Int64, cooldownMicros: Int64,
                expect: Expectations, noPrimaryForMicros: Int64?) {
        self.name = name
        self.description = description
        self.file = file
        self.destructive = destructive
        self.maxLagBytes = maxLagBytes
        self.requireSync = requireSync
        self.minReplicas = minReplicas
        self.probe = probe
        self.steadyMicros = steadyMicros
        self.steps = steps
        self.until = until
        self.observeTimeoutMicros = observeTimeoutMicros
        self.stableForMicros = stableForMicros
        self.recoverTimeoutMicros = recoverTimeoutMicros
        self.cooldownMicros = cooldownMicros
        self.expect = expect
        self.noPrimaryForMicros = noPrimaryForMicros
    }
}

extension DrillPlan {
    /// The engine's plan of a loaded drill file.
    public init(spec: DrillSpec) {
        let expect = spec.expect
        self.init(
            name: spec.name, description: spec.description, file: spec.file, destructive: spec.isDestructive,
            maxLagBytes: spec.preflight.maxLag.bytes, requireSync: spec.preflight.requireSync,
            minReplicas: spec.preflight.minReplicas,
            probe: Probe(endpoint: spec.probe.endpoint, writers: spec.probe.writers, rate: spec.probe.rate, also: spec.probe.also,
                         deadlineMicros: spec.probe.deadline.microseconds),
            steadyMicros: spec.steady.microseconds,
            steps: spec.fault.map { FaultStepPlan(action: FaultAction(step: $0), holdMicros: $0.rollbackAfter?.microseconds, line: $0.mark.line) },
            until: spec.observe.until.map { Condition(rawValue: $0.rawValue)! },
            observeTimeoutMicros: spec.observe.timeout.microseconds, stableForMicros: spec.observe.stableFor.microseconds,
            recoverTimeoutMicros: spec.recover.timeout.microseconds, cooldownMicros: spec.cooldown.microseconds,
            expect: Expectations(rto: expect.rto, rpo: expect.rpo, lostWrites: expect.lostWrites, errorRate: expect.errorRate,
                                 noSplitBrain: expect.splitBrain.map { $0 != .allowed }, failover: expect.failover),
            noPrimaryForMicros: spec.abortIf.noPrimaryFor?.microseconds)
        self.expect.splitBrainAcksOnly = expect.splitBrain == .noAcknowledgedWrites
        self.expect.restoreRTO = expect.restoreRTO
        self.expect.restoreRPO = expect.restoreRPO
        self.expect.restoreLostWrites = expect.restoreLostWrites
        self.expect.availability = expect.availability
        self.expect.alerts = expect.alerts
        abortAlerts = spec.abortIf.alerts
        backupMaxAgeMicros = spec.preflight.backupMaxAge?.microseconds
        manual = spec.manual
        if let manual = spec.manual { observeTimeoutMicros = manual.deadline.microseconds }
    }
}

extension RoleReference {
    init(_ t: Target) {
        switch t {
        case .primary: self = .primary
        case .syncStandby: self = .syncStandby
        case .asyncStandby: self = .asyncStandby
        case .replica: self = .replica
        case .node(let n): self = .node(n)
        case .proxy(let n): self = .proxy(n)
        case .allNodes: self = .allNodes
        }
    }
}

extension FaultAction {
    init(step: FaultStep) {
        switch step {
        case .kill(let s):
            self = .kill(processes: s.processes.map(\.rawValue), signal: s.signal.name ?? String(s.signal.number), on: .init(s.target))
        case .stop(let s): self = .stopService(s.service.rawValue, on: .init(s.target))
        case .start(let s): self = .startService(s.service.rawValue, on: .init(s.target))
        case .partition(let s): self = .partition(FaultTemplates.PartitionScope(rawValue: s.scope.rawValue)!, on: .init(s.target))
        case .fillDisk(let s):
            let path: DiskPath = switch s.location {
            case .walDirectory: .pgWal
            case .dataDirectory: .data
            case .path(let p): .absolute(p)
            }
            switch s.amount {
            case .size(let b): self = .fillDisk(path, bytes: b.bytes, leave: nil, on: .init(s.target))
            case .untilFull(let leave): self = .fillDisk(path, bytes: nil, leave: leave.bytes == 0 ? nil : leave.bytes, on: .init(s.target))
            }
        case .walBurst(let s): self = .walBurst(bytes: s.size.bytes, on: .init(s.target))
        case .pause(let s): self = .pause(processes: s.processes.map(\.rawValue), on: .init(s.target))
        case .loss(let s): self = .loss(probability: s.percent.fraction, on: .init(s.target))
        case .latency(let s): self = .latency(millis: Int(s.delay.microseconds / 1000), on: .init(s.target))
        case .switchover(let s): self = .switchover(to: s.candidate.map(RoleReference.init))
        case .failover(let s): self = .failover(to: s.candidate.map(RoleReference.init) ?? .syncStandby)
        case .shell(let s): self = .shell(command: s.command, rollback: s.rollback, on: .init(s.target))
        case .restore(let s):
            let before: Int64? = switch s.target {
            case .latest: nil
            case .time(let d): d.microseconds
            }
            self = .restore(beforeDisasterMicros: before, timeoutMicros: s.timeout.microseconds)
        case .regionFailover(let s):
            self = .regionFailover(promoteAfterMicros: s.promoteAfter.microseconds, replicationCutBeforeMicros: s.replicationCutBefore.microseconds,
                                   timeoutMicros: s.timeout.microseconds)
        case .wait(let s):
            self = s.until.isEmpty
                ? .wait(micros: s.duration.microseconds)
                : .waitUntil(s.until.map { DrillPlan.Condition(rawValue: $0.rawValue)! }, timeoutMicros: s.duration.microseconds)
        }
    }
}
