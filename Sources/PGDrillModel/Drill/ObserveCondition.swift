/// A condition the engine waits for after the fault (`observe.until`) or after rollback (`recover.until`).
public enum ObserveCondition: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Another node than before the fault is primary.
    case newPrimary = "new_primary"
    /// The primary from before the fault is primary again (or still).
    case samePrimary = "same_primary"
    /// The probe's writes succeed, without failures, for `stable_for`.
    case writesOK = "writes_ok"
    /// The probe's writes fail (the fault took effect).
    case writesFailing = "writes_failing"
    /// No node holds the leader role.
    case leaderLost = "leader_lost"
    /// The same checks as preflight pass.
    case healthy
    /// The HA manager is out of maintenance mode (Patroni not paused): an on-call drill's operator resumed it.
    case managerResumed = "manager_resumed"

    public var description: String { rawValue }

    /// Pairs that can never hold together.
    static let contradictions: [(ObserveCondition, ObserveCondition)] = [
        (.newPrimary, .samePrimary), (.writesOK, .writesFailing), (.leaderLost, .healthy),
        (.leaderLost, .newPrimary), (.leaderLost, .samePrimary),
    ]
}
