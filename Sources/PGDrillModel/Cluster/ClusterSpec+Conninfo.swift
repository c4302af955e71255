extension ClusterSpec {
    /// The conninfo to connect to `endpoint` with: as written, plus `passfile=` when the cluster names
    /// one and the string does not already say.
    public func conninfo(endpoint: Endpoint) -> String {
        withPassfile(endpoint.conninfo)
    }

    /// The conninfo of the endpoint named `name`, or `nil` when the cluster has no such endpoint.
    public func conninfo(endpoint name: String) -> String? {
        endpoint(named: name).map(conninfo(endpoint:))
    }

    /// Conninfo for direct SQL on one node: `postgres.node_conninfo` plus the node's host, the
    /// PostgreSQL port and the passfile.
    public func nodeConninfo(node: ClusterNode) -> String {
        var conninfo = postgres.nodeConninfo
        conninfo = Conninfo.appending("host", node.host, to: conninfo)
        conninfo = Conninfo.appending("port", String(postgres.port), to: conninfo)
        return withPassfile(conninfo)
    }

    private func withPassfile(_ conninfo: String) -> String {
        guard let passfile = postgres.passfile,
              let keys = try? Conninfo.keys(conninfo), !keys.contains("passfile")
        else { return conninfo }
        return Conninfo.appending("passfile", passfile, to: conninfo)
    }
}
