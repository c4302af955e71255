/// `latency`: delay a host's packets (tc netem; refused with a clear error where the kernel lacks it).
public struct LatencyStep: Sendable, Hashable {
    public var target: Target
    public var delay: DrillDuration
    public var rollbackAfter: DrillDuration?
    public var mark: SourceMark

    public init(target: Target, delay: DrillDuration, rollbackAfter: DrillDuration? = nil, mark: SourceMark) {
        self.target = target
        self.delay = delay
        self.rollbackAfter = rollbackAfter
        self.mark = mark
    }
}
