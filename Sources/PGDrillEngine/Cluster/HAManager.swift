import Foundation

/// What the engine asks of whatever keeps the cluster highly available: who is primary now, and a
/// planned (switchover) or forced (failover) change of primary through that manager's own means.
///
/// Calls block and are bounded; they run on the engine's and monitor's own threads.
public protocol HAManager: Sendable {
    /// `patroni`, `repmgr` or `streaming`: said in messages and reports.
    var kind: String { get }
    /// The current view; throws when no source answers at all.
    func view() throws -> ClusterView
    /// Planned change of primary from `leader` to `candidate` (or the manager's choice); returns what the
    /// manager answered.
    func switchover(from leader: String, to candidate: String?) throws -> String
    /// Unplanned change: promote `candidate` (the old primary may be dead); returns the manager's answer.
    func failover(from leader: String?, to candidate: String) throws -> String
}

/// Patroni: the view is `GET /cluster` from the first member API that answers; switchover and
/// failover are its REST calls. The behaviour pgdrill always had, behind the protocol.
public struct PatroniManager: HAManager {
    public let apis: [(node: String, client: PatroniClient)]
    /// A standby cluster in another region: its label and member APIs.
    public let standby: (name: String, apis: [(node: String, client: PatroniClient)])?
    /// Asks the leader over SQL for its `pg_stat_replication` (nil: the view is Patroni's word alone).
    public let sql: NodeSQLObserver?
    public var kind: String { "patroni" }

    public init(apis: [(node: String, client: PatroniClient)], standby: (name: String, apis: [(node: String, client: PatroniClient)])? = nil,
                sql: NodeSQLObserver? = nil) {
        self.apis = apis
        self.standby = standby
        self.sql = sql
    }

    /// The view with what the cluster is configured to do (`/config` `synchronous_mode`) and the leader's
    /// Patroni version (`/patroni`): for health and reports, not polled by the monitor.
    public func configuredView() throws -> ClusterView {
        var v = try view()
        if let leader = v.leader?.name, let client = apis.first(where: { $0.node == leader })?.client ?? apis.first?.client {
            if let config = try? client.config() { v.synchronousMode = (config["synchronous_mode"] as? Bool) ?? Self.truthy(config["synchronous_mode"]) }
            v.managerVersion = (try? client.status())?.patroni?.version
        }
        return v
    }

    /// Patroni accepts `synchronous_mode: "on"`/"quorum" in some versions' configs.
    static func truthy(_ value: Any?) -> Bool {
        switch value {
        case let b as Bool: b
        case let s as String: ["on", "true", "quorum", "yes"].contains(s.lowercased())
        default: false
        }
    }

    /// The view with the leader's replication as the leader itself reports it.
    public func view() throws -> ClusterView {
        var v = try patroniView()
        if let sql, let leader = v.leader?.name, let node = sql.nodes.first(where: { $0.name == leader }) {
            let o = NodeSQLObserver(nodes: [node], timeout: sql.timeout).observe().observations[leader]
            if o?.inRecovery == false { v.replication = o?.replication }
            v.leaderSQL = switch o?.inRecovery {
            case false: .writable
            case true: .readOnly
            default: .noAnswer
            }
        }
        return v
    }

    /// With a standby cluster, both regions are asked at once; `members` is the region that leads (the
    /// standby cluster once it holds a primary and the cluster does not), `otherRegion` the other. A region
    /// that does not answer (cut off) is empty; only when neither answers is that an error.
    func patroniView() throws -> ClusterView {
        guard let standby else { return try Self.firstAnswer(apis) }
        let results = Mutexed<(main: Result<ClusterView, any Error>?, standby: Result<ClusterView, any Error>?)>((nil, nil))
        let groups = [apis, standby.apis]
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let r = Result { try Self.firstAnswer(groups[i]) }
            results.mutate { if i == 0 { $0.main = r } else { $0.standby = r } }
        }
        let main = try? results.value.main?.get()
        let other = try? results.value.standby?.get()
        if main == nil, other == nil { _ = try results.value.main?.get() }
        return Self.merge(main: main, standby: other, standbyName: standby.name)
    }

    /// One view of two regions: the standby cluster's members tagged with its name; `members` is the region
    /// that leads — the standby cluster once it has a primary and the cluster does not — and `otherRegion`
    /// the other. A region that did not answer contributes no members.
    static func merge(main: ClusterView?, standby: ClusterView?, standbyName: String) -> ClusterView {
        let mainMembers = main?.members ?? []
        let standbyMembers = (standby?.members ?? []).map { m -> ClusterView.Member in
            var m = m
            m.region = standbyName
            return m
        }
        let standbyLeads = standbyMembers.contains { $0.role == "leader" } && !mainMembers.contains { $0.role == "leader" }
        return standbyLeads ? ClusterView(members: standbyMembers, otherRegion: mainMembers)
                            : ClusterView(members: mainMembers, otherRegion: standbyMembers)
    }

    private static func firstAnswer(_ apis: [(node: String, client: PatroniClient)]) throws -> ClusterView {
        var lastError: (any Error)?
        for (_, client) in apis {
            do { return try client.cluster() } catch { lastError = error }
        }
        // A certificate or login the API refuses: its own words and the setting to fix, not "is Patroni running?".
        if let refused = lastError as? HTTPError, refused.isAccessProblem {
            throw EngineError(.usage, "the Patroni REST API refused this runner: \(refused.url): \(refused.message)", hint: refused.hint)
        }
        throw EngineError(.unreachable, "no Patroni API answered (\(apis.map(\.client.baseURL.absoluteString).joined(separator: ", ")))"
                          + (lastError.map { ": \($0)" } ?? ""), hint: "is Patroni running? `pgdrill check --cluster …` shows each node")
    }

    public func switchover(from leader: String, to candidate: String?) throws -> String {
        try api(leader).switchover(leader: leader, candidate: candidate)
    }

    public func failover(from leader: String?, to candidate: String) throws -> String {
        try api(leader ?? candidate).failover(candidate: candidate)
    }

    private func api(_ node: String) throws -> PatroniClient {
        guard let c = apis.first(where: { $0.node == node })?.client else { throw EngineError(.usage, "no Patroni API for \(node)") }
        return c
    }
}
