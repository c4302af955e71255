/// A second Patroni cluster that replicates this one asynchronously from another region (Patroni's
/// `standby_cluster`): what `region_failover` steps promote, and what pre-flight and `check` expect to
/// find streaming. Its nodes are hosts of their own (ssh, SQL), never targets of role references.
public struct StandbyClusterSettings: Sendable, Hashable {
    /// A label for messages and reports (`dr`).
    public var name: String
    /// The standby cluster's members, each with its Patroni REST API.
    public var nodes: [ClusterNode]
    public var mark: SourceMark?

    public init(name: String, nodes: [ClusterNode], mark: SourceMark? = nil) {
        self.name = name
        self.nodes = nodes
        self.mark = mark
    }
}
