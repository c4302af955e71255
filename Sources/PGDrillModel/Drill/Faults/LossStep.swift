/// `loss`: drop a share of a host's packets (iptables `statistic` match; works without `sch_netem`).
public struct LossStep: Sendable, Hashable {
    public var target: Target
    public var percent: Percentage
    public var rollbackAfter: DrillDuration?
    public var mark: SourceMark

    public init(target: Target, percent: Percentage, rollbackAfter: DrillDuration? = nil, mark: SourceMark) {
        self.target = target
        self.percent = percent
        self.rollbackAfter = rollbackAfter
        self.mark = mark
    }
}
