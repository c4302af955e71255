import Foundation
import Testing

/// Every shipped drill × {before the fault, during the fault, during observation, during recovery} ×
/// {SIGINT, SIGTERM, SIGHUP (a closed terminal), SIGKILL then `pgdrill recover`}: afterwards `pgdrill check` must find the cluster healthy
/// with no leftovers (no pgdrill chain, filler file, paused service or pending journal entry).
///
/// 112 cases at ~30–60 s each: too long for CI, so only with `PGDRILL_MATRIX=1`; `PGDRILL_MATRIX_DRILLS=01,04`
/// limits it to drills whose file name starts with those prefixes. CI keeps a subset in
/// `InterruptIntegrationTests`. The phase is keyed on the runner's `PGDRILL_PHASE=` lines
/// (`PGDRILL_PHASE_LINES=1`); see `InterruptMatrix.Phase` for which phases collapse for which drills.
extension LabIntegration {
    @Suite(.serialized, .enabled(if: Lab.env["PGDRILL_MATRIX"] == "1", "the interrupt matrix runs only with PGDRILL_MATRIX=1"))
    struct InterruptMatrixIntegrationTests {
        @Test(arguments: InterruptMatrix.cases)
        func interruptedDrillLeavesClusterHealthyAndClean(_ c: InterruptMatrix.Case) throws {
            let started = Date()
            let dir = Lab.scratch("matrix-\(c.drill.prefix(2))-\(c.phase.rawValue)-\(c.signal)")
            let r = try CLI.pgdrill(["run", Lab.drills + "/" + c.drill, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 420, env: ["PGDRILL_PHASE_LINES": "1"],
                                    signal: (c.signal, after: c.phase.trigger()))
            let landed = InterruptMatrix.phaseAtSignal(r.stderr)
            if c.signal == SIGKILL {
                #expect(r.status == SIGKILL, "expected death by SIGKILL, got \(r.status)\n\(r.stderr.suffix(2000))")
                let rec = try CLI.pgdrill(["recover", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 300)
                #expect(rec.status == 0, "recover exit \(rec.status):\n\(rec.stderr.suffix(3000))")
            } else {
                #expect(r.status == 3, "exit \(r.status)\n\(r.stderr.suffix(3000))")
                #expect(r.stderr.contains("interrupted"))
                let report = try Report.load(dir + "/r")
                #expect(report.drills.first?.verdict == "ABORTED")
            }
            let check = InterruptMatrix.waitHealthyAndClean(stateDir: dir)
            #expect(check.status == 0 && check.stdout.contains("No leftovers"),
                    "not healthy and clean after \(c):\n\(check.stdout)\(check.stderr)\n--- run stderr:\n\(r.stderr.suffix(2500))")
            let line = String(format: "MATRIX %@ %@ %@ exit=%d landed=%@ check=%d %.1fs", c.drill, c.phase.rawValue,
                              InterruptMatrix.name(c.signal), r.status, landed, check.status, Date().timeIntervalSince(started))
            print(line)
            if let log = Lab.env["PGDRILL_MATRIX_LOG"], let h = FileHandle(forWritingAtPath: log) {
                h.seekToEndOfFile()
                h.write(Data((line + "\n").utf8))
                try? h.close()
            }
        }
    }
}

/// The matrix's cases and how each phase is reached.
enum InterruptMatrix {
    /// Where the signal lands, keyed on the runner's `PGDRILL_PHASE=` lines.
    enum Phase: String, CaseIterable, Sendable {
        /// At the start of steady state: nothing injected yet.
        case beforeFault = "before"
        /// Once the first fault step has been applied. For drills whose fault is one instant step (01, 02, 03,
        /// 06, 07) the observation starts within a millisecond, so this collapses to "right after the fault";
        /// 04 is still in its fault steps (wait until writes fail, hold 5 s), 05 between the fill and the burst.
        case duringFault = "fault"
        /// 2 s into observation (failover or restart under way).
        case duringObservation = "observe"
        /// As recovery begins, after the rollback ran. A drill already healthy then (01, 06, 07 often) is
        /// interrupted in its cooldown instead: the same branch of the life cycle (stop waiting, report).
        case duringRecovery = "recover"

        /// A predicate over the run's stderr so far that says when to send the signal.
        func trigger() -> (String) -> Bool {
            let marker = "PGDRILL_PHASE=" + (self == .beforeFault ? "steady" : rawValue)
            let delay: TimeInterval = self == .duringObservation ? 2 : 0
            var seenAt: Date?
            return { stderr in
                if seenAt == nil, stderr.contains(marker) { seenAt = Date() }
                guard let seenAt else { return false }
                return Date().timeIntervalSince(seenAt) >= delay
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var drill: String
        var phase: Phase
        var signal: Int32
        var testDescription: String { "\(drill) \(phase.rawValue) \(InterruptMatrix.name(signal))" }
    }

    static var drillFiles: [String] {
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: Lab.drills)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        guard let only = Lab.env["PGDRILL_MATRIX_DRILLS"], !only.isEmpty else { return all }
        let prefixes = only.split(separator: ",").map(String.init)
        return all.filter { f in prefixes.contains { f.hasPrefix($0) } }
    }

    static var cases: [Case] {
        guard Lab.env["PGDRILL_MATRIX"] == "1" else { return [] }
        return drillFiles.flatMap { d in Phase.allCases.flatMap { p in [SIGINT, SIGTERM, SIGHUP, SIGKILL].map { Case(drill: d, phase: p, signal: $0) } } }
    }

    static func name(_ signal: Int32) -> String {
        switch signal { case SIGINT: "SIGINT"; case SIGTERM: "SIGTERM"; case SIGHUP: "SIGHUP"; case SIGKILL: "SIGKILL"; default: "signal \(signal)" }
    }

    /// The last phase the runner announced before it was interrupted (or died).
    static func phaseAtSignal(_ stderr: String) -> String {
        let cut = stderr.range(of: "interrupted:").map { String(stderr[..<$0.lowerBound]) } ?? stderr
        guard let r = cut.range(of: "PGDRILL_PHASE=", options: .backwards) else { return "none" }
        return String(cut[r.upperBound...].prefix { !$0.isWhitespace })
    }

    /// `pgdrill check` until it passes or two minutes pass (a run interrupted during recovery leaves the
    /// cluster converging on its own).
    static func waitHealthyAndClean(stateDir: String) -> CLIResult {
        var last = CLIResult(status: -1, stdout: "", stderr: "")
        for _ in 0..<24 {
            last = (try? CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: stateDir, timeout: 120)) ?? last
            if last.status == 0, last.stdout.contains("No leftovers") { break }
            Thread.sleep(forTimeInterval: 5)
        }
        return last
    }
}
