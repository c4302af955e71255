import Foundation
import PGDrillSSH

/// Runs a script on a cluster host over the runner's SSH sessions; how managers without an API act.
public typealias RemoteRunner = @Sendable (RemoteScript, Duration) throws -> CommandResult

/// repmgr (repmgrd with automatic failover). The leader is the node `repmgr.nodes` names as the active
/// primary — repmgr's own view, like Patroni's leader key, so "a new leader" means repmgr acted — read
/// from the writable node's copy (else any standby's); each node's state comes from its SQL answers.
/// Switchover and failover run repmgr's commands as `user` on the candidate over SSH.
public struct RepmgrManager: HAManager {
    public let observer: NodeSQLObserver
    public let settings: Settings
    public let remote: RemoteRunner
    public var kind: String { "repmgr" }

    /// What the engine needs to run repmgr on a node.
    public struct Settings: Sendable {
        /// Path of repmgr.conf on a node (`{node}` replaced by its name).
        public var config: String
        public var user: String
        public var database: String
        public var binDir: String
        public init(config: String, user: String, database: String, binDir: String) {
            self.config = config
            self.user = user
            self.database = database
            self.binDir = binDir
        }
        public func config(for node: String) -> String { config.replacingOccurrences(of: "{node}", with: node) }
    }

    public init(observer: NodeSQLObserver, settings: Settings, remote: @escaping RemoteRunner) {
        self.observer = observer
        self.settings = settings
        self.remote = remote
    }

    /// The active primary by repmgr's metadata, then a marker row when this node's repmgrd is paused
    /// (`repmgr service pause`): one short query for both.
    static let primarySQL = """
        SELECT name FROM (SELECT 0 AS o, node_id, node_name AS name FROM repmgr.nodes WHERE type = 'primary' AND active
        UNION ALL SELECT 1, 0, '\(pausedMarker)' WHERE repmgr.repmgrd_is_paused()) m ORDER BY o, node_id
        """
    static let pausedMarker = "pgdrill:repmgrd-paused"

    public func view() throws -> ClusterView {
        let (observations, metadata) = observer.observe(extra: (conninfoSuffix: "dbname=\(settings.database)", sql: Self.primarySQL))
        guard observations.values.contains(where: { $0.inRecovery != nil }) else {
            throw EngineError(.unreachable, "no node answered over SQL (\(observer.nodes.map(\.host).joined(separator: ", ")))",
                              hint: "check postgres.node_conninfo and the passfile; `pgdrill check` shows each node")
        }
        let writable = observer.nodes.first { observations[$0.name]?.inRecovery == false }?.name
        let leaders = metadata.mapValues { $0.filter { $0 != Self.pausedMarker } }
        let source = writable.flatMap { leaders[$0].flatMap { $0.isEmpty ? nil : $0 } }
            ?? observer.nodes.lazy.compactMap { leaders[$0.name].flatMap { $0.isEmpty ? nil : $0 } }.first
        var view = ReplicationView.build(nodes: observer.nodes.map { ($0.name, $0.host) }, observations: observations,
                                         managerLeader: source?.first)
        // Paused while any repmgrd that answers says so (`repmgr service pause` pauses every node's).
        view.paused = metadata.values.contains { $0.contains(Self.pausedMarker) }
        return view
    }

    public func switchover(from leader: String, to candidate: String?) throws -> String {
        guard let candidate else {
            throw EngineError(.usage, "repmgr switches over to a named standby: give the switchover step a `to:`")
        }
        return try run(on: candidate, FaultTemplates.repmgr(settings, node: candidate, "standby switchover --siblings-follow --force-rewind"),
                       "repmgr standby switchover on \(candidate)", timeout: .seconds(180))
    }

    public func failover(from leader: String?, to candidate: String) throws -> String {
        try run(on: candidate, FaultTemplates.repmgr(settings, node: candidate, "standby promote --siblings-follow"),
                "repmgr standby promote on \(candidate)", timeout: .seconds(120))
    }

    private func run(on node: String, _ script: String, _ summary: String, timeout: Duration) throws -> String {
        let r = try remote(RemoteScript(host: node, script: script, summary: summary), timeout)
        let out = (r.stdout + r.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
        guard r.exitStatus == 0 else {
            throw EngineError(.remote, "\(summary): exit \(r.exitStatus): \(out.split(separator: "\n").suffix(4).joined(separator: "; "))")
        }
        return out.split(separator: "\n").last.map(String.init) ?? "done"
    }
}

/// Plain streaming replication, failed over by hand: the leader is whichever node accepts writes.
/// Failover promotes the candidate with `pg_promote()` and repoints every other reachable standby at it
/// (`primary_conninfo`, reloaded); an old primary that still runs is left to the drill's own steps.
public struct StreamingManager: HAManager {
    public let observer: NodeSQLObserver
    public let binDir: String
    public let pgPort: Int
    public let remote: RemoteRunner
    public var kind: String { "streaming" }

    public init(observer: NodeSQLObserver, binDir: String, pgPort: Int, remote: @escaping RemoteRunner) {
        self.observer = observer
        self.binDir = binDir
        self.pgPort = pgPort
        self.remote = remote
    }

    public func view() throws -> ClusterView {
        let (observations, _) = observer.observe()
        guard observations.values.contains(where: { $0.inRecovery != nil }) else {
            throw EngineError(.unreachable, "no node answered over SQL (\(observer.nodes.map(\.host).joined(separator: ", ")))")
        }
        return ReplicationView.build(nodes: observer.nodes.map { ($0.name, $0.host) }, observations: observations)
    }

    public func switchover(from leader: String, to candidate: String?) throws -> String {
        throw EngineError(.usage, "plain streaming replication has no switchover: use a failover step")
    }

    public func failover(from leader: String?, to candidate: String) throws -> String {
        let promote = FaultTemplates.psqlAsPostgres(binDir: binDir, port: pgPort, sql: "SELECT pg_promote(true, 60)")
        let r = try remote(RemoteScript(host: candidate, script: promote, summary: "pg_promote() on \(candidate)"), .seconds(90))
        guard r.exitStatus == 0, r.stdout.contains("t") else {
            throw EngineError(.remote, "pg_promote() on \(candidate) failed: \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard let address = observer.nodes.first(where: { $0.name == candidate })?.host else { return "promoted \(candidate)" }
        var repointed: [String] = []
        for node in observer.nodes where node.name != candidate && node.name != leader {
            let script = FaultTemplates.repointStandby(binDir: binDir, port: pgPort, primaryHost: address)
            if let r = try? remote(RemoteScript(host: node.name, script: script, summary: "repoint \(node.name) at \(candidate)"), .seconds(30)),
               r.exitStatus == 0 {
                repointed.append(node.name)
            }
        }
        return "promoted \(candidate)" + (repointed.isEmpty ? "" : "; \(repointed.joined(separator: ", ")) now follow it")
    }
}
