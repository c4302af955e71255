/// How pgdrill reaches repmgr on the nodes of a `manager: repmgr` cluster (the cluster file's `repmgr:`).
public struct RepmgrSettings: Sendable, Hashable {
    /// Absolute path of repmgr.conf on the nodes; `{node}` stands for the node's name where each node
    /// keeps its own file (the lab does).
    public var config: String
    /// The operating-system user repmgr runs as (it owns the data directory).
    public var user: String
    /// The database holding repmgr's metadata (`repmgr.nodes`).
    public var database: String

    public init(config: String = "/etc/repmgr.conf", user: String = "postgres", database: String = "repmgr") {
        self.config = config
        self.user = user
        self.database = database
    }

    /// The configuration file of one node.
    public func config(for node: String) -> String {
        config.replacingOccurrences(of: "{node}", with: node)
    }
}
