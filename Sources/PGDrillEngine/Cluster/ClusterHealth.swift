/// Whether a cluster is fit to drill (pre-flight) or back to normal (recovery), judged from the manager's
/// view. Pure: the same function decides before and after a drill, so "healthy" means one thing.
public struct ClusterHealth: Sendable, Equatable {
    public var problems: [String]
    public var leader: String?
    public var syncStandby: String?
    public var isHealthy: Bool { problems.isEmpty }
    /// Set when no manager API answered for long enough that waiting on was given up: health unknown.
    public var unreachable = false

    /// What a healthy cluster looks like.
    public struct Criteria: Sendable, Equatable {
        public var members: [String]
        public var maxLagBytes: Int64
        public var requireSync: Bool
        public var minReplicas: Int
        /// Members of a standby cluster in another region (empty: none): it must be a standby cluster
        /// (the primary region leads) with its standby leader streaming.
        public var standbyMembers: [String]

        public init(members: [String], maxLagBytes: Int64 = 1 << 20, requireSync: Bool = true, minReplicas: Int? = nil,
                    standbyMembers: [String] = []) {
            self.members = members
            self.standbyMembers = standbyMembers
            self.maxLagBytes = maxLagBytes
            self.requireSync = requireSync
            self.minReplicas = minReplicas ?? max(members.count - 1, 0)
        }
    }

    public static func evaluate(_ cluster: ClusterView, criteria: Criteria) -> ClusterHealth {
        var problems: [String] = []
        let leaders = cluster.members.filter(\.isLeader)
        let leader = leaders.first
        if leaders.isEmpty { problems.append("no leader") }
        if leaders.count > 1 { problems.append("more than one leader: \(leaders.map(\.name).joined(separator: ", "))") }
        if let leader, leader.state != "running" {
            problems.append("leader \(leader.name) is \(leader.state), not running")
        } else if let leader, let sql = cluster.leaderSQL, sql != .writable {
            problems.append(sql == .readOnly
                ? "leader \(leader.name) answers SQL read-only (pg_is_in_recovery() = true): the manager's view is stale or a role change is under way"
                : "leader \(leader.name) does not answer SQL: the manager's view may be stale (a member just back from a partition) or PostgreSQL is restarting")
        }
        let known = Set(cluster.members.map(\.name))
        for name in criteria.members where !known.contains(name) {
            problems.append("member \(name) is missing from the cluster (Patroni not running there?)")
        }
        var streaming = 0
        for m in cluster.members where !m.isLeader {
            let (isStreaming, lag) = replicaState(m, cluster)
            if !isStreaming {
                problems.append("\(m.name) is \(m.state), not streaming" + (cluster.replication != nil ? " (the leader's pg_stat_replication does not show it streaming)" : ""))
                continue
            }
            streaming += 1
            if let lag, lag > criteria.maxLagBytes {
                problems.append("\(m.name) lags \(lag) bytes (limit \(criteria.maxLagBytes))")
            }
            if let lt = leader?.timeline, let t = m.timeline, t != lt {
                problems.append("\(m.name) is on timeline \(t), the leader on \(lt)")
            }
        }
        if streaming < criteria.minReplicas {
            problems.append("\(streaming) replica(s) streaming, \(criteria.minReplicas) required")
        }
        let sync = cluster.members.first { $0.role == "sync_standby" || $0.role == "quorum_standby" }
            ?? cluster.replication?.first { $0.syncState == "sync" || $0.syncState == "quorum" }.flatMap { r in cluster.members.first { $0.name == r.name } }
        if sync == nil {
            if criteria.requireSync {
                problems.append(cluster.synchronousMode == false
                    ? "no synchronous standby: the drill requires one (require_sync: true), but the cluster is configured asynchronous (synchronous_mode off)"
                    : "no synchronous standby")
            } else if cluster.synchronousMode == true {
                problems.append("no synchronous standby, though the cluster is configured for synchronous replication (synchronous_mode on)")
            }
        }
        if !criteria.standbyMembers.isEmpty {
            problems += standbyRegionProblems(cluster, members: criteria.standbyMembers)
        }
        return ClusterHealth(problems: problems, leader: leader?.name, syncStandby: sync?.name)
    }

    /// Whether a replica streams from the leader, and its lag in bytes. The leader's own
    /// `pg_stat_replication` decides when it answered (state `streaming`, replay lag); a member it does not
    /// list counts only if the manager itself says `streaming` (a cascading replica). Without the leader's
    /// SQL, the manager's word: `streaming`, or `running` with a known lag — what Patroni before 3.0.4
    /// calls a streaming replica.
    static func replicaState(_ m: ClusterView.Member, _ cluster: ClusterView) -> (streaming: Bool, lag: Int64?) {
        if let rows = cluster.replication {
            if let row = rows.first(where: { $0.name == m.name }) { return (row.state == "streaming", row.lagBytes ?? m.lag) }
            return (m.state == "streaming", m.lag)
        }
        return (m.state == "streaming" || (m.state == "running" && m.lag != nil), m.lag)
    }

    /// The other region: still a standby cluster, every member seen, its standby leader streaming (from the
    /// primary region) and its replicas streaming from it.
    static func standbyRegionProblems(_ cluster: ClusterView, members: [String]) -> [String] {
        if let promoted = cluster.members.first(where: { $0.region != nil }) {
            return ["the standby cluster '\(promoted.region!)' is the primary region now (\(promoted.name) leads): fail back before drilling"]
        }
        var problems: [String] = []
        let other = cluster.otherRegion
        let seen = Set(other.map(\.name))
        for name in members where !seen.contains(name) {
            problems.append("standby cluster member \(name) is missing (its Patroni API did not answer)")
        }
        let leaders = other.filter { $0.role == "standby_leader" }
        if leaders.isEmpty, !other.isEmpty {
            problems.append("the standby cluster has no standby leader (\(other.map { "\($0.name) \($0.role)/\($0.state)" }.joined(separator: ", ")))")
        }
        for m in other where m.state != "streaming" {
            problems.append("standby cluster member \(m.name) (\(m.role)) is \(m.state), not streaming")
        }
        return problems
    }
}
