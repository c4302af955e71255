/// `pause`: SIGSTOP processes and SIGCONT them later — the gray failure where a node is up but silent.
public struct PauseStep: Sendable, Hashable {
    public var processes: [ClusterComponent]
    public var target: Target
    /// When to SIGCONT; at rollback when not given.
    public var rollbackAfter: DrillDuration?
    public var mark: SourceMark

    public init(processes: [ClusterComponent], target: Target, rollbackAfter: DrillDuration? = nil, mark: SourceMark) {
        self.processes = processes
        self.target = target
        self.rollbackAfter = rollbackAfter
        self.mark = mark
    }
}
