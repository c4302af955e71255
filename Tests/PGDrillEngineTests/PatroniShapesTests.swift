import Foundation
import Testing
@testable import PGDrillEngine

/// The same healthy cluster as Patroni 2.1, 3.0, 3.3 and 4.x describe it: one health verdict. Patroni before
/// 3.0.4 calls a streaming replica `running`, later versions `streaming`; the leader's own
/// `pg_stat_replication` is the truth where it answers.
@Suite struct PatroniShapesTests {
    /// `/cluster` bodies in each version's shape (trimmed to the fields that differ).
    static let shapes: [(version: String, json: String)] = [
        ("2.1.4", """
            {"members": [{"name": "pg1", "role": "leader", "state": "running", "host": "10.0.0.1", "port": 5432, "timeline": 3},
                         {"name": "pg2", "role": "sync_standby", "state": "running", "host": "10.0.0.2", "port": 5432, "timeline": 3, "lag": 0},
                         {"name": "pg3", "role": "replica", "state": "running", "host": "10.0.0.3", "port": 5432, "timeline": 3, "lag": 0}]}
            """),
        ("3.0.2", """
            {"members": [{"name": "pg1", "role": "leader", "state": "running", "api_url": "http://10.0.0.1:8008/patroni", "host": "10.0.0.1", "port": 5432, "timeline": 3},
                         {"name": "pg2", "role": "sync_standby", "state": "running", "host": "10.0.0.2", "port": 5432, "timeline": 3, "lag": 0},
                         {"name": "pg3", "role": "replica", "state": "running", "host": "10.0.0.3", "port": 5432, "timeline": 3, "lag": 16}]}
            """),
        ("3.3.2", """
            {"members": [{"name": "pg1", "role": "leader", "state": "running", "host": "10.0.0.1", "port": 5432, "timeline": 3},
                         {"name": "pg2", "role": "sync_standby", "state": "streaming", "host": "10.0.0.2", "port": 5432, "timeline": 3, "lag": 0},
                         {"name": "pg3", "role": "replica", "state": "streaming", "host": "10.0.0.3", "port": 5432, "timeline": 3, "lag": 0}],
             "scope": "lab"}
            """),
        ("4.1.5", """
            {"members": [{"name": "pg1", "role": "leader", "state": "running", "host": "10.0.0.1", "port": 5432, "timeline": 3},
                         {"name": "pg2", "role": "sync_standby", "state": "streaming", "host": "10.0.0.2", "port": 5432, "timeline": 3, "receive_lag": 0, "replay_lag": 0, "lag": 0},
                         {"name": "pg3", "role": "replica", "state": "streaming", "host": "10.0.0.3", "port": 5432, "timeline": 3, "receive_lag": 0, "replay_lag": 0, "lag": 0}],
             "scope": "lab"}
            """),
    ]

    static let streaming: [ReplicationView.Replica] = [
        .init(name: "pg2", state: "streaming", syncState: "sync", lagBytes: 0),
        .init(name: "pg3", state: "streaming", syncState: "async", lagBytes: 128),
    ]

    static func view(_ json: String, replication: [ReplicationView.Replica]?, synchronousMode: Bool? = true) throws -> ClusterView {
        var v = try JSONDecoder().decode(ClusterView.self, from: Data(json.utf8))
        v.replication = replication
        v.synchronousMode = synchronousMode
        return v
    }

    static let criteria = ClusterHealth.Criteria(members: ["pg1", "pg2", "pg3"], requireSync: false)

    @Test(arguments: shapes.map(\.version))
    func everyVersionsHealthyClusterIsHealthy(version: String) throws {
        let json = try #require(Self.shapes.first { $0.version == version }?.json)
        for replication in [Self.streaming, nil] {
            let health = ClusterHealth.evaluate(try Self.view(json, replication: replication), criteria: Self.criteria)
            #expect(health.isHealthy, "Patroni \(version), leader SQL \(replication == nil ? "absent" : "present"): \(health.problems)")
            #expect(health.leader == "pg1" && health.syncStandby == "pg2")
        }
    }

    /// The leader's pg_stat_replication overrules a `running` that old Patroni says of any replica in recovery.
    @Test(arguments: shapes.map(\.version))
    func aReplicaTheLeaderDoesNotShowStreamingIsNotStreaming(version: String) throws {
        let json = try #require(Self.shapes.first { $0.version == version }?.json)
        // pg3 missing from the leader's rows: old Patroni's `running` proves nothing (not streaming); a newer
        // Patroni's own `streaming` is believed (a cascading replica streams from another replica).
        let health = ClusterHealth.evaluate(try Self.view(json, replication: [Self.streaming[0]]), criteria: Self.criteria)
        let saysStreaming = json.contains("\"state\": \"streaming\"")
        #expect(health.problems.contains { $0.hasPrefix("pg3 is running, not streaming") } == !saysStreaming, "\(version): \(health.problems)")
        let catchingUp = [Self.streaming[0], .init(name: "pg3", state: "catchup", syncState: "async", lagBytes: 5 << 20)]
        let h2 = ClusterHealth.evaluate(try Self.view(json, replication: catchingUp), criteria: Self.criteria)
        #expect(h2.problems.contains { $0.hasPrefix("pg3 is") }, "\(version): \(h2.problems)")
    }

    /// The CI failure of 2026-12-03: 0.2 s after an async partition healed, the old primary's Patroni (first in
    /// the list) still showed itself leading from its stale DCS view, its PostgreSQL not answering, and recovery
    /// was declared healthy on Patroni's word alone while pg3 led. The named leader must answer SQL writable.
    @Test(arguments: shapes.map(\.version))
    func aLeaderThatDoesNotAnswerSQLWritableIsNotHealthy(version: String) throws {
        let json = try #require(Self.shapes.first { $0.version == version }?.json)
        var v = try Self.view(json, replication: nil)
        v.leaderSQL = .noAnswer
        #expect(ClusterHealth.evaluate(v, criteria: Self.criteria).problems.contains { $0.hasPrefix("leader pg1 does not answer SQL") }, "\(version)")
        v.leaderSQL = .readOnly
        #expect(ClusterHealth.evaluate(v, criteria: Self.criteria).problems.contains { $0.hasPrefix("leader pg1 answers SQL read-only") }, "\(version)")
        v.leaderSQL = .writable
        v.replication = Self.streaming
        #expect(ClusterHealth.evaluate(v, criteria: Self.criteria).isHealthy, "\(version)")
    }

    /// An asynchronous cluster is healthy without a synchronous standby; a drill that requires one says why
    /// it refuses; a cluster configured synchronous without one is not healthy.
    @Test func synchronousReplicationIsJudgedAgainstTheConfiguration() throws {
        let async = """
            {"members": [{"name": "pg1", "role": "leader", "state": "running", "timeline": 1},
                         {"name": "pg2", "role": "replica", "state": "streaming", "timeline": 1, "lag": 0},
                         {"name": "pg3", "role": "replica", "state": "streaming", "timeline": 1, "lag": 0}]}
            """
        let rows: [ReplicationView.Replica] = [.init(name: "pg2", state: "streaming", syncState: "async", lagBytes: 0),
                                                .init(name: "pg3", state: "streaming", syncState: "async", lagBytes: 0)]
        #expect(ClusterHealth.evaluate(try Self.view(async, replication: rows, synchronousMode: false), criteria: Self.criteria).isHealthy)
        var requiring = Self.criteria
        requiring.requireSync = true
        let refused = ClusterHealth.evaluate(try Self.view(async, replication: rows, synchronousMode: false), criteria: requiring)
        #expect(refused.problems == ["no synchronous standby: the drill requires one (require_sync: true), but the cluster is configured asynchronous (synchronous_mode off)"])
        let broken = ClusterHealth.evaluate(try Self.view(async, replication: rows, synchronousMode: true), criteria: Self.criteria)
        #expect(broken.problems == ["no synchronous standby, though the cluster is configured for synchronous replication (synchronous_mode on)"])
    }

    @Test func aSyncStandbyTargetOnAnAsynchronousClusterIsRefusedAtPreflight() throws {
        let view = try Self.view(Self.shapes[3].json.replacingOccurrences(of: "sync_standby", with: "replica"), replication: nil, synchronousMode: false)
        var plan = ReportBuilderTests().plan(expect: .init())
        plan.steps = [FaultStepPlan(action: .kill(processes: ["patroni", "postgres"], signal: "KILL", on: .syncStandby), holdMicros: nil, line: 9)]
        let refusal = try #require(DrillRunner.syncTargetRefusal(plan, view))
        #expect(refusal.contains("targets sync_standby, but cluster is configured for asynchronous replication"), "\(refusal)")
        #expect(refusal.contains("line 9"))
        plan.steps = [FaultStepPlan(action: .kill(processes: ["postgres"], signal: "KILL", on: .primary), holdMicros: nil, line: 9)]
        #expect(DrillRunner.syncTargetRefusal(plan, view) == nil)
    }
}
