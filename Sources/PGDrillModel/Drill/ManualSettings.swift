/// The on-call drill (`manual:`): automation taken out, the fault injected, and the cluster handed over to a
/// person who must detect, diagnose and recover it by the runbook, while pgdrill watches, times what they do,
/// and restores the cluster itself once `deadline` has passed.
public struct ManualSettings: Sendable, Hashable {
    /// Put the HA manager in maintenance mode before the fault (Patroni: `PATCH /config {"pause": true}`), so
    /// it does not fail over by itself; resumed by the rollback if the operator did not.
    public var pauseManager: Bool
    /// From the fault (t0): after this, pgdrill rolls back and restores the cluster itself.
    public var deadline: DrillDuration
    /// The steps on-call follows ("Manual steps if automatic failover fails"), shown at the handover.
    public var runbook: [RunbookStep]

    public init(pauseManager: Bool = false, deadline: DrillDuration = .seconds(900), runbook: [RunbookStep] = []) {
        self.pauseManager = pauseManager
        self.deadline = deadline
        self.runbook = runbook
    }
}

/// One runbook step: what the operator does, and what pgdrill sees in the cluster when it is done.
public struct RunbookStep: Sendable, Hashable {
    public var action: String
    /// The sign of the step in the cluster, which times it and matches it on the report's timeline.
    public var sees: OperatorSignal?

    public init(action: String, sees: OperatorSignal? = nil) {
        self.action = action
        self.sees = sees
    }
}

/// What pgdrill can see of an operator's work during an on-call drill.
public enum OperatorSignal: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The operator acknowledged the page (typed `ack`, or the scripted operator printed it).
    case acknowledged
    /// Another node than before the fault leads.
    case newPrimary = "new_primary"
    /// The HA manager is out of maintenance mode again.
    case managerResumed = "manager_resumed"
    /// The application's writes are acknowledged again (`stable_for` of only ok writes).
    case writesOK = "writes_ok"
    /// Every member is back and streaming: the pre-flight checks pass.
    case healthy

    public var description: String { rawValue }
}
