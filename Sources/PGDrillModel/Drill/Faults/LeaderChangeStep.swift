/// `switchover` or `failover`: ask the cluster manager to move the primary role.
public struct LeaderChangeStep: Sendable, Hashable {
    /// The node that should become primary; the manager chooses when `nil`.
    public var candidate: Target?
    public var rollbackAfter: DrillDuration?
    public var mark: SourceMark

    public init(candidate: Target? = nil, rollbackAfter: DrillDuration? = nil, mark: SourceMark) {
        self.candidate = candidate
        self.rollbackAfter = rollbackAfter
        self.mark = mark
    }
}
