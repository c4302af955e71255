/// `stop` or `start`: run the cluster file's service command for one component on a host.
public struct ServiceStep: Sendable, Hashable {
    public var service: ClusterComponent
    public var target: Target
    public var rollbackAfter: DrillDuration?
    public var mark: SourceMark

    public init(service: ClusterComponent, target: Target, rollbackAfter: DrillDuration? = nil, mark: SourceMark) {
        self.service = service
        self.target = target
        self.rollbackAfter = rollbackAfter
        self.mark = mark
    }
}
