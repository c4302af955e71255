/// A program of the cluster that a drill can kill, pause, stop or start, and that the cluster file
/// says how to manage as a service. One list for processes and services: they are the same programs.
public enum ClusterComponent: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case postgres
    case patroni
    /// repmgr's daemon (automatic failover); repmgr clusters only.
    case repmgrd
    case etcd
    case pgbouncer
    case haproxy

    public var description: String { rawValue }
}
