import Foundation

/// A database node: runs sshd, PostgreSQL and (with Patroni) Patroni and an etcd member.
public struct ClusterNode: Sendable, Hashable {
    /// Unique among nodes and proxies; drills refer to it as `node:NAME`.
    public var name: String
    /// DNS name, IPv4 or IPv6 address used for SSH and for direct SQL.
    public var host: String
    /// Patroni's REST API (`http://10.77.0.11:8008`); required when the manager is Patroni.
    public var patroniURL: URL?
    /// Where the node is defined in the cluster file.
    public var mark: SourceMark?

    public init(name: String, host: String, patroniURL: URL? = nil, mark: SourceMark? = nil) {
        self.name = name
        self.host = host
        self.patroniURL = patroniURL
        self.mark = mark
    }
}

/// Another SSH-reachable host of the cluster (HAProxy, PgBouncer); drills refer to it as `proxy[:NAME]`.
public struct ProxyHost: Sendable, Hashable {
    public var name: String
    public var host: String
    public var mark: SourceMark?

    public init(name: String, host: String, mark: SourceMark? = nil) {
        self.name = name
        self.host = host
        self.mark = mark
    }
}
