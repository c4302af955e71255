import Foundation
import Logging
import PGDrillCore
import PGDrillModel
#if canImport(Glibc)
import Glibc
#endif

extension Commands {
    public struct RunOptions: Sendable {
        public var drillPaths: [String]
        public var clusterPath: String
        public var reportDir: String
        public var assumeYes: Bool
        public var dryRun: Bool
        public var allowProtected: Bool
        public var prometheusPath: String?
        /// Leave this run's rows in `pgdrill.probe` for inspection (default: purged once verified).
        public var keepProbeRows: Bool
        /// Leave the host a `restore` step provisioned running (default: removed once checked).
        public var keepScratchHost: Bool
        /// The scripted operator of on-call drills (nil: the keyboard).
        public var operatorScript: String?

        public init(drillPaths: [String], clusterPath: String, reportDir: String, assumeYes: Bool, dryRun: Bool,
                    allowProtected: Bool, prometheusPath: String?, keepProbeRows: Bool = false, keepScratchHost: Bool = false) {
            self.keepScratchHost = keepScratchHost
            self.drillPaths = drillPaths
            self.clusterPath = clusterPath
            self.reportDir = reportDir
            self.assumeYes = assumeYes
            self.dryRun = dryRun
            self.allowProtected = allowProtected
            self.prometheusPath = prometheusPath
            self.keepProbeRows = keepProbeRows
        }
    }

    /// `pgdrill run`: load, check, confirm, run each drill with guaranteed rollback, write the reports.
    public static func run(_ o: RunOptions) -> Int32 {
        let progress = Progress()
        let started = Date()
        let spec: ClusterSpec
        let plans: [DrillPlan]
        do {
            spec = try ClusterLoader.load(path: o.clusterPath)
            plans = try loadPlans(o.drillPaths, cluster: spec, allowProtected: o.allowProtected)
        } catch {
            return fail(error)
        }
        let cluster: ClusterTarget
        do {
            cluster = try ClusterTarget(spec: spec)
            try requireSupportedManager(cluster, file: o.clusterPath)
        } catch { return fail(error) }
        if let script = o.operatorScript, !FileManager.default.isReadableFile(atPath: script) {
            return fail(EngineError(.usage, "the operator script \(script) cannot be read", hint: "give the path of a shell script (run with /bin/sh)"))
        }
        if cluster.protected, !o.allowProtected, let d = plans.first(where: \.destructive) {
            return fail(EngineError(.refused, "cluster \(cluster.name) is protected and drill \(d.name) is destructive",
                                    hint: "pass --allow-protected if you really mean to run it there"))
        }
        let connection = ClusterConnection(cluster: cluster, logger: logger)
        defer { connection.closeAll() }
        progress.say("connecting to \(cluster.allHosts.count) host(s) of cluster \(cluster.name) over ssh")
        do { try connection.connectAll() } catch { return fail(error) }

        // Trapped from here on: an interrupt at the prompt, while the journal and the lease are set up or between
        // drills aborts the run (exit 3) instead of killing it mid-way or being lost before the first drill.
        let trap = InterruptTrap(progress: progress) {
            StandardError.write("pending rollbacks, if any, are in the journal in \(Journal.defaultDirectory)\n")
            exit(Exit.degraded)
        }
        printPlan(plans, cluster: cluster, to: progress)
        if o.dryRun {
            progress.say("dry run: nothing injected")
            return Exit.passed
        }
        if !o.assumeYes {
            guard isatty(STDIN_FILENO) == 1 else {
                return fail(EngineError(.usage, "refusing to run without confirmation: stdin is not a terminal", hint: "pass --yes (CI) after reviewing `pgdrill plan`"))
            }
            StandardError.write("Type the cluster's name (\(cluster.name)) to inject these faults: ")
            let answer = readConfirmation(trap: trap)
            if trap.interrupted { return interruptedBeforeAnyFault(trap, progress, before: "at the confirmation prompt") }
            guard answer?.trimmingCharacters(in: .whitespaces) == cluster.name else {
                return fail(EngineError(.refused, "confirmation did not match the cluster name; nothing injected"))
            }
        }

        let journal: Journal
        do { journal = try Journal(directory: Journal.defaultDirectory, cluster: cluster.name, addresses: cluster.journalAddresses) } catch { return fail(error) }
        let runID = makeRunID()
        let runDir = (o.reportDir as NSString).appendingPathComponent(runFolderName(started, cluster: cluster.name))
        do { try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true) } catch {
            return fail(EngineError(.io, "cannot create the report folder \(runDir): \(error)"))
        }
        do { try connection.takeLease(runID: runID) } catch { return fail(error) }
        defer { connection.releaseLease(runID: runID) }
        if trap.interrupted { return interruptedBeforeAnyFault(trap, progress, before: "before the first drill") }
        let runner = DrillRunner(connection: connection, journal: journal, progress: progress, trap: trap, logger: logger,
                                 runID: runID, runDirectory: runDir)
        runner.keepProbeRows = o.keepProbeRows
        runner.keepScratchHost = o.keepScratchHost
        runner.operatorScript = o.operatorScript
        runner.clusterFile = o.clusterPath
        progress.say("run \(runID): \(plans.count) drill(s); reports in \(runDir)")
        var reports: [DrillReport] = []
        var status = Exit.passed
        let writer = ReportWriter(directory: runDir, cluster: cluster, runID: runID, started: started, prometheusPath: o.prometheusPath)
        for (index, plan) in plans.enumerated() {
            if trap.interrupted {
                // Between drills (or before the first): nothing of this drill was injected, but the run did not
                // do what it was asked to — never exit 0 on an interrupt.
                progress.say("\(trap.signalName ?? "interrupt") before drill \(plan.name): it and the \(plans.count - index - 1) after it were not run")
                status = max(status, Exit.aborted)
                break
            }
            if index > 0 {
                // Renewed before each drill: a long run never outlives its lease.
                do { try connection.takeLease(runID: runID) } catch { status = max(status, fail(error)); break }
            }
            let record = runner.run(plan)
            let timeline = TimelineSVG.Gathered()
            let report = ReportBuilder.report(for: record, cluster: cluster, timeline: timeline)
            reports.append(report)
            status = max(status, exitStatus(record.termination, report.verdict))
            writer.write(reports, exitStatus: status, records: [record], timelines: [record.plan.name: timeline])
            let why = report.missedExpectations.map { "\($0.metric) \($0.measured) (target \($0.target))" } + report.errors
            progress.say("[\(plan.name)] \(report.verdict.rawValue)" + (why.isEmpty ? "" : ": " + Redactor().redact(why.joined(separator: "; "))))
            if status == Exit.aborted || status == Exit.degraded { break }  // interrupted, or the cluster may be degraded
            if case .refused? = record.termination { break }            // an unhealthy cluster stays unhealthy
        }
        writer.write(reports, exitStatus: status, records: [])
        progress.say("report: \((runDir as NSString).appendingPathComponent("report.md"))")
        return status
    }

    /// An interrupt that came before anything was injected: nothing to roll back, exit 3.
    static func interruptedBeforeAnyFault(_ trap: InterruptTrap, _ progress: Progress, before moment: String) -> Int32 {
        progress.say("\(trap.signalName ?? "interrupt") \(moment): nothing was injected")
        return Exit.aborted
    }

    /// One line from stdin, given up as soon as the trap saw an interrupt (a blocking `readLine` would keep
    /// the process at the prompt after Ctrl-C, the handler having replaced the default disposition). Nil at
    /// end of input or on an interrupt.
    static func readConfirmation(trap: InterruptTrap) -> String? {
        var bytes: [UInt8] = []
        while !trap.interrupted {
            var fds = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fds, 1, 200)
            if ready < 0 { if errno == EINTR { continue } else { return nil } }
            if ready == 0 { continue }
            var byte: UInt8 = 0
            let n = read(STDIN_FILENO, &byte, 1)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
        return nil
    }

    static func exitStatus(_ t: DrillLifecycle.Termination?, _ verdict: Verdict) -> Int32 {
        switch t {
        case .completed?: return verdict == .pass ? Exit.passed : Exit.failed
        case .refused?: return Exit.usage
        case .aborted?: return Exit.aborted
        case .degraded?, nil: return Exit.degraded
        }
    }

    static func makeRunID() -> String {
        let hex = "0123456789abcdef"
        return String((0..<12).map { _ in hex.randomElement()! })
    }

    static func runFolderName(_ date: Date, cluster: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return "\(f.string(from: date))-\(cluster)"
    }

    static func printPlan(_ plans: [DrillPlan], cluster: ClusterTarget, to progress: Progress) {
        for p in plans {
            progress.say("plan: \(p.name) — \(ReportBuilder.scenario(p)); observe until \(p.until.map(\.rawValue).joined(separator: ", "))")
        }
    }
}
