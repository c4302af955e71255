/// `partition`: cut a host off the network with iptables rules in a chain of the run's own.
public struct PartitionStep: Sendable, Hashable {
    /// Which traffic the partition drops.
    public enum Scope: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Everything except the SSH connection pgdrill works through.
        case all
        /// The DCS (etcd) only: the node loses its leader lease but still serves clients.
        case dcs
        /// The other database nodes (replication and DCS peers).
        case peers
        /// Client connections (proxies, the probe).
        case clients

        public var description: String { rawValue }
    }

    public var target: Target
    /// `all` unless the drill says otherwise.
    public var scope: Scope
    public var rollbackAfter: DrillDuration?
    public var mark: SourceMark

    public init(target: Target, scope: Scope = .all, rollbackAfter: DrillDuration? = nil, mark: SourceMark) {
        self.target = target
        self.scope = scope
        self.rollbackAfter = rollbackAfter
        self.mark = mark
    }
}
