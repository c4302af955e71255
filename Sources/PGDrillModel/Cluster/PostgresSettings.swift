/// PostgreSQL as installed on the nodes, and how pgdrill connects to it directly.
public struct PostgresSettings: Sendable, Hashable {
    /// Port on every node; 5432 by default.
    public var port: Int
    /// Data directory as seen on the node (`fill_disk` with `path: data` or `pg_wal` works under it).
    public var dataDirectory: String
    /// Directory of `pg_ctl`, `pg_controldata` and friends on the node, when the drill needs them.
    public var binDirectory: String?
    /// libpq passfile on this machine (absolute after loading); added as `passfile=` to every conninfo.
    public var passfile: String?
    /// Conninfo for direct SQL to one node, without host and port (pgdrill adds those per node).
    public var nodeConninfo: String

    public init(port: Int = 5432, dataDirectory: String, binDirectory: String? = nil, passfile: String? = nil,
                nodeConninfo: String = "") {
        self.port = port
        self.dataDirectory = dataDirectory
        self.binDirectory = binDirectory
        self.passfile = passfile
        self.nodeConninfo = nodeConninfo
    }
}
