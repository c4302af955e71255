/// What keeps the cluster highly available, which decides how roles are discovered and how
/// switchover and failover are requested.
public enum ClusterManager: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Patroni with a DCS (etcd); each node's REST API is in the cluster file.
    case patroni
    /// repmgr; roles come from its tables.
    case repmgr
    /// Plain streaming replication with manual failover.
    case streaming

    public var description: String { rawValue }
}
