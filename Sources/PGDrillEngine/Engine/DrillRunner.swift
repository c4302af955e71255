import Foundation
import Logging
import PGDrillCore
import PGDrillPostgres

/// Runs one drill against a live cluster: drives `DrillLifecycle` and performs the I/O it asks for.
///
/// Threads: the caller's thread runs the loop (it blocks on SSH and HTTP, never on the concurrency pool);
/// the probe writers and the monitor's pollers have threads of their own.
public final class DrillRunner {
    let connection: ClusterConnection
    let journal: Journal
    let progress: Progress
    let trap: InterruptTrap
    let logger: Logger
    let runID: String
    let runDirectory: String
    /// Leave the run's probe rows on the cluster (for a post-mortem, or an independent check).
    public var keepProbeRows = false
    /// Leave the host a `restore` step provisioned running (for an independent check); removed otherwise.
    public var keepScratchHost = false
    /// The scripted operator an on-call drill hands the cluster to (`--operator-script`); nil: the keyboard.
    public var operatorScript: String?
    /// The cluster file's path, told to the scripted operator.
    public var clusterFile: String?
    /// Drills run so far by this runner.
    private var drillsRun = 0
    /// The `run_id` of the current drill's probe rows: the run's id for its first drill, `<run>-N` for the
    /// N-th. Each drill's writers count seq from 1, so drills sharing one id collide (23505) once rows are
    /// kept (`--keep-probe-rows`), showing up as failed writes and as phantoms of the earlier drill.
    private(set) var probeRunID = ""

    /// The probe run id of the `ordinal`-th drill (1-based) of run `runID`.
    static func probeRunID(run runID: String, ordinal: Int) -> String {
        ordinal <= 1 ? runID : "\(runID)-\(ordinal)"
    }

    var cluster: ClusterTarget { connection.cluster }

    public init(connection: ClusterConnection, journal: Journal, progress: Progress, trap: InterruptTrap, logger: Logger,
                runID: String, runDirectory: String) {
        self.connection = connection
        self.journal = journal
        self.progress = progress
        self.trap = trap
        self.logger = logger
        self.runID = runID
        self.runDirectory = runDirectory
    }

    /// Per-drill moving parts.
    final class Session {
        var machine: DrillLifecycle
        var record: DrillRecord
        var monitor: ClusterMonitor?
        var probes: [ProbeRunner] = []
        var live = LiveProbeView()
        var log: ProbeLogWriter?
        /// Journal ids of this drill's rollbacks with their due time (nil: at rollback stage).
        var timed: [(ids: [Int], due: Int64, summary: String)] = []
        var journalIDs: [Int] = []
        /// The monitor's node-SQL pollers, read for their failure counts once the monitor stops.
        var sqlPollers: [NodeSQLPoller] = []
        /// An on-call drill's operator, watched from the handover to the end of observation.
        var watch: OperatorWatch?
        /// The cluster's alerts, watched from pre-flight to the end of the drill (nil: no `monitoring:`).
        var alerts: AlertWatcher?
        /// The drill's Alertmanager silence: its journal entry and id, expired when the drill ends.
        var silence: (journalID: Int, rollback: AlertSilence, id: String?)?
        init(machine: DrillLifecycle, record: DrillRecord) {
            self.machine = machine
            self.record = record
        }
    }

    /// Runs the drill to its end, whatever happens, and returns what was recorded.
    public func run(_ plan: DrillPlan) -> DrillRecord {
        // This thread decides and sends the faults: ahead of the probe's writers in the run queue.
        ThreadPriority.raiseCurrentThread()
        drillsRun += 1
        probeRunID = Self.probeRunID(run: runID, ordinal: drillsRun)
        let clock = RunClock()
        let drillDir = (runDirectory as NSString).appendingPathComponent("drill-" + plan.name)
        try? FileManager.default.createDirectory(atPath: drillDir, withIntermediateDirectories: true)
        let record = DrillRecord(plan: plan, runID: probeRunID, clock: clock,
                                 probeLogPath: (drillDir as NSString).appendingPathComponent("probe.csv"),
                                 probeLogRelative: "drill-" + plan.name + "/probe.csv")
        let s = Session(machine: DrillLifecycle(faultCount: plan.steps.count), record: record)
        var action = s.machine.handle(.start)
        var announced = DrillLifecycle.Stage.idle
        while true {
            if trap.interrupted, s.machine.aborting == nil, s.machine.stage != .done {
                action = s.machine.handle(.interrupted("interrupted by \(trap.signalName ?? "signal")"))
            }
            if s.machine.stage != announced, s.machine.stage != .fault {
                announced = s.machine.stage
                phase(s, announced.rawValue)
            }
            switch action {
            case .runPreflight:
                action = s.machine.handle(preflight(s))
            case .startProbeAndWaitSteady:
                action = s.machine.handle(startProbeAndWaitSteady(s))
            case .applyFault(let i):
                let event = applyFault(i, s)
                if case .faultApplied = event { phase(s, "fault", "step=\(i + 1)/\(plan.steps.count)") }
                action = s.machine.handle(event)
            case .observe:
                action = s.machine.handle(observe(s))
            case .rollBack:
                action = s.machine.handle(rollBack(s))
            case .awaitRecovery:
                action = s.machine.handle(awaitRecovery(s))
            case .verify:
                action = s.machine.handle(verify(s))
            case .finish(let termination):
                finish(s, termination)
                return s.record
            }
        }
    }

    // MARK: stages

    func stage(_ s: Session, _ name: String) {
        s.monitor?.record(ClusterEvent(at: s.record.clock.now(), kind: .stage, detail: name))
        progress.say("[\(s.record.plan.name)] \(name)")
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

    /// `PGDRILL_PHASE=<stage> drill=<name>` on stderr when `PGDRILL_PHASE_LINES=1`: a machine-readable mark for
    /// tests that interrupt a run at a given stage (the interrupt matrix). `fault` is announced once a fault
    /// step has been applied, the others as the stage begins.
    func phase(_ s: Session, _ name: String, _ detail: String = "") {
        guard Self.phaseLines else { return }
        progress.say("PGDRILL_PHASE=\(name) drill=\(s.record.plan.name)\(detail.isEmpty ? "" : " " + detail)")
    }

    static let phaseLines = ProcessInfo.processInfo.environment["PGDRILL_PHASE_LINES"] == "1"

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
        if let refusal = sqlPathRefusal(plan) { return .preflightFailed(refusal.text) }
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

    func startProbeAndWaitSteady(_ s: Session) -> DrillLifecycle.Event {
        let plan = s.record.plan
        let clock = s.record.clock
        do {
            s.log = try ProbeLogWriter(path: s.record.probeLogPath)
        } catch {
            return .interrupted("cannot write the probe log \(s.record.probeLogPath): \(error)")
        }
        let monitor = ClusterMonitor(sources: monitorSources(s), clock: clock)
        s.monitor = monitor
        monitor.start()
        let log = s.log!
        let live = s.live
        let main = plan.probe.endpoint
        for endpoint in [main] + plan.probe.also {
            let sink: @Sendable (ProbeAttempt) -> Void
            if endpoint == main {
                sink = { a in
                    log.record(a)
                    live.observe(a)
                }
            } else {
                sink = { a in log.record(a) }
            }
            let runner = ProbeRunner(
                runID: probeRunID, endpoint: endpoint, conninfo: cluster.endpoints[endpoint]!,
                read: cluster.readEndpoints.contains(endpoint), writers: plan.probe.writers, rate: plan.probe.rate,
                deadlineMicros: plan.probe.deadlineMicros, clock: clock, sink: sink, logger: logger)
            runner.start()
            s.probes.append(runner)
        }
        s.record.steadyStart = clock.now()
        stage(s, "steady for \(Self.seconds(plan.steadyMicros)): probing \(([main] + plan.probe.also).joined(separator: ", ")) with \(plan.probe.writers) writer(s) each")
        let until = s.record.steadyStart + plan.steadyMicros
        while clock.now() < until {
            if trap.interrupted { return .interrupted("interrupted by \(trap.signalName ?? "signal") during steady state") }
            showLive(s, "steady")
            Thread.sleep(forTimeInterval: 0.1)
        }
        progress.endStatus()
        let c = s.live.counts
        if c.ok == 0 {
            return .interrupted("the probe got no write acknowledged during steady state (\(c.failed) failed; last error: \(c.lastError ?? "none")): nothing would be measured, so nothing is injected")
        }
        return .steadyElapsed
    }

    func monitorSources(_ s: Session) -> ClusterMonitor.Sources {
        let manager = connection.makeManager(timeout: 0.5)
        var sql: [(node: String, probe: @Sendable () -> ClusterMonitor.NodeSQL?)] = []
        var sqlPollers: [NodeSQLPoller] = []
        defer { s.sqlPollers = sqlPollers }
        for node in cluster.nodes + (cluster.standbyCluster?.nodes ?? []) {
            guard let conninfo = cluster.nodeConninfo[node.name] else { continue }
            let poller = NodeSQLPoller(node: node.name, conninfo: conninfo)
            sqlPollers.append(poller)
            sql.append((node: node.name, probe: { poller.poll() }))
        }
        var sources = ClusterMonitor.Sources(view: { try manager.view() }, haproxyStats: cluster.haproxyStats, nodeSQL: sql)
        sources.haproxyHTTP = cluster.haproxyHTTP
        return sources
    }

    func showLive(_ s: Session, _ what: String) {
        let c = s.live.counts
        let t = s.record.t0.map { " +" + Self.seconds(s.record.clock.now() - $0) } ?? ""
        progress.status("[\(s.record.plan.name)] \(what)\(t) · leader \(s.monitor?.leader ?? "none") · writes ok \(c.ok) failed \(c.failed) indeterminate \(c.indeterminate)")
    }

    static func seconds(_ micros: Int64) -> String { String(format: "%.1f s", Double(micros) / 1e6) }
}
