/// Resolves a drill's role reference to host names at the moment a step runs (never when the file is read:
/// the primary before a switchover is not the primary after it).
public enum RoleReference: Sendable, Equatable, CustomStringConvertible {
    case primary, syncStandby, asyncStandby, replica, allNodes
    case node(String)
    case proxy(String?)

    public var description: String {
        switch self {
        case .primary: "primary"
        case .syncStandby: "sync_standby"
        case .asyncStandby: "async_standby"
        case .replica: "replica"
        case .allNodes: "all_nodes"
        case .node(let n): "node:\(n)"
        case .proxy(let n): n.map { "proxy:\($0)" } ?? "proxy"
        }
    }
}

public enum RoleResolver {
    /// The hosts a reference names now. `replica` picks one replica, preferring an async one so a drill on
    /// "a replica" does not also take the sync role away unless asked to.
    ///
    /// A role resolves only to a node of the cluster file: the manager's member names come from the DCS (or the
    /// nodes' own tables), which pgdrill did not write, and a fault runs as root wherever a name leads. A member
    /// the file does not list is refused with its name, never looked up as a host.
    public static func resolve(_ ref: RoleReference, cluster: ClusterView, nodes: [String], proxies: [String]) throws -> [String] {
        func one(_ m: ClusterView.Member?, _ what: String) throws -> [String] {
            guard let m else {
                throw EngineError(.unhealthy, "no \(what) in the cluster right now",
                                  hint: "run `pgdrill check` to see the roles; the drill needs one")
            }
            guard nodes.contains(m.name) else {
                throw EngineError(.usage, "the \(what) is member '\(m.name)', which is not a node of the cluster file (nodes: \(nodes.joined(separator: ", "))); nothing injected",
                                  hint: "add it to `nodes:` with its address, or give the member (Patroni `name:`) the node's name")
            }
            return [m.name]
        }
        let listed = cluster.members.filter { nodes.contains($0.name) }
        switch ref {
        case .primary: return try one(cluster.leader, "primary (leader)")
        case .syncStandby: return try one(cluster.members.first { $0.role == "sync_standby" }, "synchronous standby")
        case .asyncStandby:
            return try one(listed.first { $0.role == "replica" } ?? cluster.members.first { $0.role == "replica" }, "asynchronous standby")
        case .replica:
            let replicas = listed.filter { !$0.isLeader }
            let unlisted = cluster.members.filter { !$0.isLeader && !nodes.contains($0.name) }
            return try one(replicas.first { $0.role == "replica" } ?? replicas.first ?? unlisted.first, "replica")
        case .allNodes: return nodes
        case .node(let name):
            guard nodes.contains(name) else {
                throw EngineError(.usage, "node:\(name) is not a node of this cluster (nodes: \(nodes.joined(separator: ", ")))")
            }
            return [name]
        case .proxy(let name):
            if let name {
                guard proxies.contains(name) else {
                    throw EngineError(.usage, "proxy:\(name) is not a proxy of this cluster (proxies: \(proxies.joined(separator: ", ")))")
                }
                return [name]
            }
            guard let first = proxies.first else {
                throw EngineError(.usage, "the cluster file lists no proxies", hint: "add a `proxies:` entry for the HAProxy/PgBouncer host")
            }
            return [first]
        }
    }
}
