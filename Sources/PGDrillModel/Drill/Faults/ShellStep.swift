/// `shell`: the escape hatch — a command of the drill's own, with the command that undoes it.
///
/// A rollback is required because every fault must be undoable by `pgdrill recover`; a drill that
/// truly has nothing to undo says so with `rollback: ""` and `no_rollback: true`.
public struct ShellStep: Sendable, Hashable {
    public var target: Target
    public var command: String
    /// What undoes `command`; `nil` only when the drill declared `no_rollback: true`.
    public var rollback: String?
    public var rollbackAfter: DrillDuration?
    public var mark: SourceMark

    public init(target: Target, command: String, rollback: String?, rollbackAfter: DrillDuration? = nil, mark: SourceMark) {
        self.target = target
        self.command = command
        self.rollback = rollback
        self.rollbackAfter = rollbackAfter
        self.mark = mark
    }
}
