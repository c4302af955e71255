import Foundation
import PGDrillCore
import PGDrillPostgres

/// Pre-flight: everything checked before anything is injected — credentials and SQL paths, health, the
/// targets the steps need, leftovers of earlier runs, a recent backup, the probe table, the monitoring.
extension DrillRunner {
    func preflight(_ s: Session) -> DrillLifecycle.Event {
        stage(s, "pre-flight")
        let plan = s.record.plan
        if !journal.pending.isEmpty {
            return .preflightFailed("the journal holds \(journal.pending.count) rollback(s) of an earlier run that never completed (\(journal.path)); run `pgdrill recover --cluster …` first")
        }
        // Credentials first: a node the runner cannot log in to reads as "leader does not answer SQL" to the
        // health check, an API that refuses its certificate or login as "no Patroni API answered", and no
        // amount of waiting fixes either.
        if let refusal = sqlPathRefusal(plan), refusal.credentials { return .preflightFailed(refusal.text) }
        if let refusal = httpAccessRefusal(plan) { return .preflightFailed(refusal) }
        // A cluster is given 10 s to show itself healthy: lag from a previous burst of writes (or the last
        // drill's purge) settles in a second or two, and refusing on a transient would be noise.
        let (seen, health) = connection.waitUntilHealthy(criteria(plan), timeout: 10, every: 0.5, stop: { trap.interrupted }) { _, problems in
            progress.status("[\(plan.name)] waiting for a healthy cluster: \(problems.joined(separator: "; "))")
        }
        progress.endStatus()
        guard health.isHealthy, let view = seen else {
            return .preflightFailed("cluster \(cluster.name) is not healthy: " + health.problems.joined(separator: "; "))
        }
        if let refusal = Self.syncTargetRefusal(plan, view) { return .preflightFailed(refusal) }
        if let refusal = onCallRefusal(plan) { return .preflightFailed(refusal) }
        if let refusal = Self.unlistedMemberRefusal(view, nodes: cluster.nodes.map(\.name)) { return .preflightFailed(refusal) }
        if let leftovers = leftovers(), !leftovers.isEmpty {
            return .preflightFailed("leftovers of an earlier run on the cluster: \(leftovers.joined(separator: "; ")); run `pgdrill recover --cluster …` or remove them")
        }
        let missing = missingCapabilities(plan)
        if !missing.isEmpty {
            return .preflightFailed(missing.joined(separator: "; "))
        }
        for name in [plan.probe.endpoint] + plan.probe.also where cluster.endpoints[name] == nil {
            return .preflightFailed("the drill probes endpoint '\(name)', which the cluster file does not define (endpoints: \(cluster.endpoints.keys.sorted().joined(separator: ", ")))")
        }
        if let refusal = waitForSQLPaths(plan) { return .preflightFailed(refusal) }
        if let maxAge = plan.backupMaxAgeMicros, let refusal = backupRefusal(maxAgeSeconds: Double(maxAge) / 1e6, leader: health.leader) {
            return .preflightFailed(refusal)
        }
        do {
            try ProbeTable.ensure(conninfo: cluster.endpoints[plan.probe.endpoint]!)
        } catch {
            return .preflightFailed("cannot write the probe table through endpoint '\(plan.probe.endpoint)': \(error)")
        }
        s.record.writeBackend = writeBackend(leader: health.leader, s)
        s.record.failoverSettings = FailoverSettingsReader(connection: connection).read(leader: health.leader, writeBackend: s.record.writeBackend)
        s.record.clusterBefore = view
        s.record.primaryBefore = health.leader
        s.record.timelineBefore = view.leader?.timeline
        // Last: the silence it may create is the only thing pre-flight changes on the way.
        if let refusal = alertPreflight(s) { return .preflightFailed(refusal) }
        progress.say("[\(plan.name)] cluster healthy: leader \(health.leader ?? "?"), sync standby \(health.syncStandby ?? "none"), timeline \(view.leader?.timeline.map(String.init) ?? "?")")
        return .preflightPassed
    }

    /// Every SQL path the drill will use, tried before anything is injected: each node with the cluster
    /// file's node credentials (verification reads every node, split-brain and lag come from node SQL, and a
    /// health check falls back to Patroni silently when they fail) and each extra endpoint the probe uses.
    /// Nil when all answer; else one refusal naming each failure and the fix, and whether a credential is what
    /// failed (refused before the health wait: that does not heal).
    func sqlPathRefusal(_ plan: DrillPlan) -> (text: String, credentials: Bool)? {
        var failures: [String] = []
        let redactor = Redactor()
        for node in cluster.nodes + (cluster.standbyCluster?.nodes ?? []) {
            guard let conninfo = cluster.nodeConninfo[node.name] else {
                failures.append("\(node.name): no node connection (postgres.node_conninfo)")
                continue
            }
            if let error = Self.trySQL(conninfo) {
                failures.append("\(node.name) (\(redactor.redact(conninfo))): \(error)")
            }
        }
        let nodeFailures = failures.count
        for name in plan.probe.also {
            guard let conninfo = cluster.endpoints[name] else { continue }
            if let error = Self.trySQL(conninfo) {
                failures.append("endpoint '\(name)' (\(redactor.redact(conninfo))): \(error)")
            }
        }
        guard !failures.isEmpty else { return nil }
        let passwordMissing = failures.contains { Self.isCredentialFailure($0) }
        let fix = passwordMissing
            ? "give each node connection a password source: `postgres.passfile` in the cluster file (a pgpass line per node host:port), a service file, or PGPASSFILE"
            : "make each node reachable from this runner with the cluster file's `postgres.node_conninfo` (pg_hba.conf, firewall, credentials)"
        let why = nodeFailures > 0
            ? "pgdrill reads every node over SQL to verify each acknowledged write, see a second primary and measure lag"
            : "the drill probes through these endpoints"
        return ("SQL from this runner failed, nothing injected — " + failures.joined(separator: "; ") + ". \(why); \(fix)",
                passwordMissing)
    }

    /// The SQL paths, given `sqlSettleSeconds` when what fails is a node restarting: Patroni rejoining an old
    /// primary (pg_rewind, a restart) refuses connections or says it is starting up for a few seconds after the
    /// manager already reports the cluster healthy, and refusing the drill on that is noise (seen after a
    /// partition healed under `recover`). A credential or any other failure is refused at once.
    func waitForSQLPaths(_ plan: DrillPlan) -> String? {
        let start = Date()
        while true {
            guard let refusal = sqlPathRefusal(plan) else {
                progress.endStatus()
                return nil
            }
            let waited = Date().timeIntervalSince(start)
            if refusal.credentials || !Self.isTransientSQLFailure(refusal.text) || waited >= Self.sqlSettleSeconds || trap.interrupted {
                progress.endStatus()
                return refusal.text
            }
            progress.status("[\(plan.name)] waiting for every node to accept SQL (\(Int(waited)) s of \(Int(Self.sqlSettleSeconds)) s): a node is restarting")
            Thread.sleep(forTimeInterval: 1)
        }
    }

    static let sqlSettleSeconds: Double = 20

    /// libpq's and the server's words for a node that is restarting rather than unreachable or refusing us.
    static func isTransientSQLFailure(_ error: String) -> Bool {
        ["the database system is starting up", "the database system is not yet accepting connections",
         "the database system is shutting down", "the database system is in recovery mode", "Connection refused"].contains { error.contains($0) }
    }

    /// libpq's words for a login the server or the client refused for want of a (right) credential.
    static func isCredentialFailure(_ error: String) -> Bool {
        ["no password supplied", "password authentication failed", "no pg_hba.conf entry", "authentication failed for user",
         "role \"", "certificate"].contains { error.contains($0) }
    }

    /// Connects and runs `SELECT 1` (5 s at most); the error in words, nil on success.
    static func trySQL(_ conninfo: String) -> String? {
        do {
            let c = try PGConnection(conninfo: conninfo, timeout: .seconds(5))
            _ = try c.query("SELECT 1", [], timeout: .seconds(5))
            return nil
        } catch {
            return "\(error)".trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The HAProxy backend whose UP event is the routing phase: the cluster file's, else discovered from the
    /// stats; with neither, the routing phase is not measured and the report says why.
    func writeBackend(leader: String?, _ s: Session) -> String? {
        if let configured = cluster.haproxyWriteBackend { return configured }
        guard let url = cluster.haproxyStats else { return nil }
        guard let leader, let stats = try? HAProxyStats.fetch(url, timeout: 2, access: cluster.haproxyHTTP) else {
            s.record.notes.append("routing phase not measured: HAProxy's stats could not be read at pre-flight to find the write backend")
            return nil
        }
        switch stats.writeBackend(nodes: Set(verifiableNodes.map(\.name)), leader: leader) {
        case .success(let backend):
            return backend
        case .failure(let problem):
            s.record.notes.append("routing phase not measured: \(problem.reason)")
            return nil
        }
    }

    /// A step aimed at the synchronous standby on a cluster that has none by configuration: refused at
    /// pre-flight, nothing injected, rather than a step that fails (or picks some node) at injection.
    static func syncTargetRefusal(_ plan: DrillPlan, _ view: ClusterView) -> String? {
        let aimed = plan.steps.enumerated().filter { _, step in
            switch step.action {
            case .switchover(to: .syncStandby?), .failover(to: .syncStandby): true
            default: step.action.target == .syncStandby
            }
        }
        guard let (index, step) = aimed.first else { return nil }
        let hasSync = view.members.contains { $0.role == "sync_standby" || $0.role == "quorum_standby" }
            || (view.replication ?? []).contains { $0.syncState == "sync" || $0.syncState == "quorum" }
        if view.synchronousMode == false {
            return "step \(index + 1) (\(step.action.name)\(step.line.map { ", line \($0)" } ?? "")) targets sync_standby, but cluster is configured for asynchronous replication (synchronous_mode off): there is no synchronous standby to act on; target replica or node:NAME instead"
        }
        if !hasSync {
            return "step \(index + 1) (\(step.action.name)\(step.line.map { ", line \($0)" } ?? "")) targets sync_standby, but the cluster has no synchronous standby now"
        }
        return nil
    }

    /// Members the manager reports that the cluster file does not list: refused at pre-flight. A role (primary,
    /// replica) may resolve to one of them mid-drill, and pgdrill acts only on hosts the file names — never on a
    /// name it read from the DCS (a member called `local`, or one with a typo).
    static func unlistedMemberRefusal(_ view: ClusterView, nodes: [String]) -> String? {
        let unlisted = view.members.map(\.name).filter { !nodes.contains($0) }
        guard !unlisted.isEmpty else { return nil }
        return "the cluster reports member(s) \(unlisted.map { "'\($0)'" }.joined(separator: ", ")) that the cluster file does not list "
            + "(nodes: \(nodes.joined(separator: ", "))): pgdrill acts only on the nodes the file names; add each member to `nodes:` "
            + "under its member name with its address, or remove it from the cluster"
    }

    /// Filler files and iptables chains left by any pgdrill run, on any host.
    func leftovers() -> [String]? {
        var found: [String] = []
        for host in cluster.allHosts {
            let script = RemoteScript(host: host.name, script: FaultTemplates.leftovers(dataDir: cluster.dataDir),
                                      summary: "look for leftovers on \(host.name)")
            guard let out = try? connection.runAllowingFailure(script, timeout: .seconds(10)) else {
                found.append("\(host.name) did not answer over ssh")
                continue
            }
            for line in out.stdout.split(separator: "\n") where !line.isEmpty {
                found.append("\(host.name): \(line)")
            }
        }
        return found
    }

    /// Why a drill needing a recent backup must not start: no repository, no recent backup, or WAL
    /// archiving failing on the primary (a restore would stop at the last archived segment).
    func backupRefusal(maxAgeSeconds: Double, leader: String?) -> String? {
        guard cluster.backup != nil else {
            return "the drill needs a backup, but the cluster file names no backup repository (add `backup: { tool: pgbackrest, stanza: …, host: … }`)"
        }
        do {
            if let leader, let problem = try connection.archiverStatus(node: leader).problems.first { return problem }
            return try connection.backupInventory().refusal(maxAge: maxAgeSeconds)
        } catch {
            return "the drill needs a backup, but the repository could not be asked: \(error)"
        }
    }
}
