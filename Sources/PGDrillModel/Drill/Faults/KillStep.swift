/// `kill`: send a signal to processes on a host (the crash of a postmaster, of Patroni, of both).
public struct KillStep: Sendable, Hashable {
    /// The processes to signal, matched by exact name on the host.
    public var processes: [ClusterComponent]
    public var target: Target
    /// `KILL` unless the drill says otherwise.
    public var signal: Signal
    /// Roll back (restart what was killed) this long after the step, rather than after observation.
    public var rollbackAfter: DrillDuration?
    public var mark: SourceMark

    public init(processes: [ClusterComponent], target: Target, signal: Signal = .kill,
                rollbackAfter: DrillDuration? = nil, mark: SourceMark) {
        self.processes = processes
        self.target = target
        self.signal = signal
        self.rollbackAfter = rollbackAfter
        self.mark = mark
    }
}
