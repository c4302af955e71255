/// Builds the manager-neutral `ClusterView` from what each node says over SQL, for managers without an
/// API of their own (repmgr, plain streaming). Pure: the same observations give the same view.
public enum ReplicationView {
    /// What one node answered (nil fields: it did not answer).
    public struct Observation: Sendable, Equatable {
        /// False for a primary, true for a standby; nil: unreachable.
        public var inRecovery: Bool?
        public var timeline: Int?
        /// `pg_stat_replication` as this node sees it (empty on standbys).
        public var replication: [Replica]
        public init(inRecovery: Bool?, timeline: Int? = nil, replication: [Replica] = []) {
            self.inRecovery = inRecovery
            self.timeline = timeline
            self.replication = replication
        }
        public static let unreachable = Observation(inRecovery: nil)
    }

    /// One `pg_stat_replication` row: the standby's `application_name` is its node name.
    public struct Replica: Sendable, Equatable {
        public var name: String
        public var state: String
        public var syncState: String
        public var lagBytes: Int64?
        public init(name: String, state: String, syncState: String, lagBytes: Int64?) {
            self.name = name
            self.state = state
            self.syncState = syncState
            self.lagBytes = lagBytes
        }
    }

    /// The view of `nodes`. The leader is `managerLeader` when the manager names one (repmgr's
    /// `repmgr.nodes`), else the node that accepts writes; any other writable node is a second leader
    /// (split-brain, which health then reports). A leader that does not answer is `stopped`, one that
    /// answers read-only is `read-only`. Standbys are `streaming` when the leader lists them in its
    /// `pg_stat_replication` as streaming (`sync_standby` when synchronous), `running` otherwise.
    public static func build(nodes: [(name: String, host: String)], observations: [String: Observation], managerLeader: String? = nil) -> ClusterView {
        let writable = nodes.filter { observations[$0.name]?.inRecovery == false }.map(\.name)
        let leaders = Set(managerLeader.map { [$0] + writable } ?? writable)
        let primaryRows = writable.first.flatMap { observations[$0]?.replication } ?? []
        let leaderTimeline = (managerLeader.flatMap { observations[$0]?.timeline }) ?? writable.first.flatMap { observations[$0]?.timeline }
        var members: [ClusterView.Member] = []
        for node in nodes {
            let o = observations[node.name] ?? .unreachable
            if leaders.contains(node.name) {
                let state = switch o.inRecovery {
                case false: "running"
                case true: "read-only"
                default: "stopped"
                }
                members.append(.init(name: node.name, role: "leader", state: state, host: node.host, timeline: o.timeline))
                continue
            }
            guard o.inRecovery != nil else {
                members.append(.init(name: node.name, role: "replica", state: "stopped", host: node.host))
                continue
            }
            if let row = primaryRows.first(where: { $0.name == node.name }) {
                let role = row.syncState == "sync" || row.syncState == "quorum" ? "sync_standby" : "replica"
                members.append(.init(name: node.name, role: role, state: row.state == "streaming" ? "streaming" : row.state,
                                     host: node.host, timeline: o.timeline ?? leaderTimeline, lag: row.lagBytes))
            } else {
                members.append(.init(name: node.name, role: "replica", state: "running", host: node.host, timeline: o.timeline))
            }
        }
        return ClusterView(members: members)
    }
}
