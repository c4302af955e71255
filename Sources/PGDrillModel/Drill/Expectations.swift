/// What the drill expects the cluster to achieve; each one present becomes a PASS/FAIL row and a
/// JUnit failure when missed. All are optional.
public struct Expectations: Sendable, Hashable {
    /// Whether two primaries at once are a failure.
    public enum SplitBrainPolicy: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case none
        case allowed
        /// Two nodes may answer as primary for a while (no watchdog fences a frozen manager), but no two
        /// servers may acknowledge writes at once: the client-side half of the check only.
        case noAcknowledgedWrites = "no_acknowledged_writes"

        public var description: String { rawValue }
    }

    public var rto: Threshold<DrillDuration>?
    public var rpo: Threshold<DrillDuration>?
    public var lostWrites: Threshold<Int>?
    public var errorRate: Threshold<Percentage>?
    public var splitBrain: SplitBrainPolicy?
    /// `true`: the primary must change; `false`: it must not.
    public var failover: Bool?
    /// A `restore` step's own figures: disaster moment → read-write restored host, the RPO of
    /// backup-based recovery, and the writes acknowledged before the cutoff the restored host lacks.
    public var restoreRTO: Threshold<DrillDuration>?
    public var restoreRPO: Threshold<DrillDuration>?
    public var restoreLostWrites: Threshold<Int>?
    /// The error budget the drill's application-view downtime may consume (`availability:`).
    public var availability: AvailabilityTarget?
    /// Which alerts must fire (and how soon), resolve, or never fire (`alerts:`); needs `monitoring:` in the cluster file.
    public var alerts: AlertExpectations?

    public init(rto: Threshold<DrillDuration>? = nil, rpo: Threshold<DrillDuration>? = nil, lostWrites: Threshold<Int>? = nil,
                errorRate: Threshold<Percentage>? = nil, splitBrain: SplitBrainPolicy? = nil, failover: Bool? = nil) {
        self.rto = rto
        self.rpo = rpo
        self.lostWrites = lostWrites
        self.errorRate = errorRate
        self.splitBrain = splitBrain
        self.failover = failover
    }

    /// Whether any expectation is about a `restore` step.
    public var aboutRestore: Bool { restoreRTO != nil || restoreRPO != nil || restoreLostWrites != nil }
}

/// Conditions that abort the drill (rollback, verdict ABORTED) rather than wait for timeouts.
public struct AbortConditions: Sendable, Hashable {
    /// Abort when no node has been primary for this long.
    public var noPrimaryFor: DrillDuration?
    /// Abort (roll back at once) when one of these alerts fires in the cluster's scope: a stop condition for
    /// something the drill must not cause, as AWS FIS stops on an alarm.
    public var alerts: [String]

    public init(noPrimaryFor: DrillDuration? = nil, alerts: [String] = []) {
        self.noPrimaryFor = noPrimaryFor
        self.alerts = alerts
    }
}
