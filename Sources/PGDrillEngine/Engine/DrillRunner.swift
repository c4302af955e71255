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

    /// `PGDRILL_PHASE=<stage> drill=<name>` on stderr when `PGDRILL_PHASE_LINES=1`: a machine-readable mark for
    /// tests that interrupt a run at a given stage (the interrupt matrix). `fault` is announced once a fault
    /// step has been applied, the others as the stage begins.
    func phase(_ s: Session, _ name: String, _ detail: String = "") {
        guard Self.phaseLines else { return }
        progress.say("PGDRILL_PHASE=\(name) drill=\(s.record.plan.name)\(detail.isEmpty ? "" : " " + detail)")
    }

    static let phaseLines = ProcessInfo.processInfo.environment["PGDRILL_PHASE_LINES"] == "1"

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
