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
        case writesFailing = "writes_failing", leaderLost = "leader_lost", healthy
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
    public var probe: Probe
    public var steadyMicros: Int64
    public var steps: [FaultStepPlan]
    public var until: [Condition]
    public var observeTimeoutMicros: Int64
    public var stableForMicros: Int64
    public var recoverTimeoutMicros: Int64
    public var cooldownMicros: Int64
    public var expect: Expectations
    public var noPrimaryForMicros: Int64?

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
