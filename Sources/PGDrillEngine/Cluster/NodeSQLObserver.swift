import Foundation
import PGDrillPostgres

/// Asks every node over libpq, in parallel and bounded by `timeout`, what `ReplicationView` needs:
/// recovery state, timeline, and (on a primary) `pg_stat_replication`. A node that does not answer in
/// time is unreachable, never a hang. Fresh connections each call: the view is polled ~10×/s by the
/// monitor at most, and a connection kept across a failover would only mislead.
public struct NodeSQLObserver: Sendable {
    public let nodes: [(name: String, host: String, conninfo: String)]
    public let timeout: Duration

    public init(nodes: [(name: String, host: String, conninfo: String)], timeout: Duration = .seconds(1)) {
        self.nodes = nodes
        self.timeout = timeout
    }

    static let stateSQL = """
        SELECT pg_is_in_recovery(),
               CASE WHEN pg_is_in_recovery() THEN (SELECT received_tli FROM pg_stat_wal_receiver)
                    ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END
        """
    static let replicationSQL = """
        SELECT application_name, state, sync_state,
               pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint
          FROM pg_stat_replication WHERE NOT pg_is_in_recovery()
        """

    /// One observation per node, by name. `extra` runs on each reachable node's connection too (repmgr
    /// reads its metadata that way) and its first column's values are returned per node.
    public func observe(extra: (conninfoSuffix: String, sql: String)? = nil) -> (observations: [String: ReplicationView.Observation], extra: [String: [String]]) {
        let results = Mutexed<[String: (ReplicationView.Observation, [String])]>([:])
        DispatchQueue.concurrentPerform(iterations: nodes.count) { i in
            let node = nodes[i]
            let o = observe(conninfo: node.conninfo, extra: extra)
            results.mutate { $0[node.name] = o }
        }
        let all = results.value
        return (all.mapValues(\.0), all.mapValues(\.1))
    }

    private func observe(conninfo: String, extra: (conninfoSuffix: String, sql: String)?) -> (ReplicationView.Observation, [String]) {
        do {
            let c = try PGConnection(conninfo: conninfo, timeout: timeout)
            defer { c.close() }
            guard let row = try c.query(Self.stateSQL, [], timeout: timeout).rows.first else { return (.unreachable, []) }
            var o = ReplicationView.Observation(inRecovery: row[0] == "t", timeline: row[1].flatMap { Int($0) })
            if o.inRecovery == false {
                o.replication = try c.query(Self.replicationSQL, [], timeout: timeout).rows.map {
                    ReplicationView.Replica(name: $0[0] ?? "", state: $0[1] ?? "", syncState: $0[2] ?? "", lagBytes: $0[3].flatMap { Int64($0) })
                }
            }
            var values: [String] = []
            if let extra {
                // The manager's metadata may live in another database: a second short connection.
                if let m = try? PGConnection(conninfo: conninfo + " " + extra.conninfoSuffix, timeout: timeout) {
                    defer { m.close() }
                    values = (try? m.query(extra.sql, [], timeout: timeout).rows.compactMap { $0.first ?? nil }) ?? []
                }
            }
            return (o, values)
        } catch {
            return (.unreachable, [])
        }
    }
}
