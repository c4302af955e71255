/// `wal_burst`: generate this much WAL on a node (`pg_logical_emit_message`), to fill what `fill_disk` left.
public struct WALBurstStep: Sendable, Hashable {
    public var target: Target
    public var size: ByteSize
    public var rollbackAfter: DrillDuration?
    public var mark: SourceMark

    public init(target: Target, size: ByteSize, rollbackAfter: DrillDuration? = nil, mark: SourceMark) {
        self.target = target
        self.size = size
        self.rollbackAfter = rollbackAfter
        self.mark = mark
    }
}
