import Foundation
import Testing

/// Interrupting a run before, during and after the fault leaves the cluster healthy (exit 3); a runner killed
/// with SIGKILL mid-fault leaves its rollback in the journal, and `pgdrill recover` restores the cluster.
extension LabIntegration {
    @Suite(.serialized)
    struct InterruptIntegrationTests {
        static let partition = Lab.drills + "/03-primary-partitioned.yaml"

        @Test(arguments: [
            (SIGINT, "steady for"),        // before the fault
            (SIGTERM, "fault: partition"), // right after the fault was applied
            (SIGINT, "observe until"),     // during observation
            (SIGTERM, "recover until"),    // after the fault was rolled back, while the cluster recovers
        ])
        func interruptRollsBackAndExits3(signal: Int32, after marker: String) throws {
            let dir = Lab.scratch("interrupt-\(signal)-\(marker.prefix(5))")
            let r = try CLI.pgdrill(["run", Self.partition, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 300, signal: (signal, after: { $0.contains(marker) }))
            #expect(r.status == 3, "exit \(r.status)\n\(r.stderr.suffix(3000))")
            #expect(r.stderr.contains("interrupted"))
            let report = try Report.load(dir + "/r")
            #expect(report.drills.first?.verdict == "ABORTED")
            try expectHealthyAndClean(dir)
        }

        @Test func sigkillMidFaultThenRecover() throws {
            let dir = Lab.scratch("sigkill")
            let r = try CLI.pgdrill(["run", Self.partition, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 300, signal: (SIGKILL, after: { $0.contains("fault: partition") }))
            #expect(r.status != 0)
            let journal = try String(contentsOfFile: dir + "/lab.journal.json", encoding: .utf8)
            #expect(journal.contains("\"pending\""), "the rollback must be journalled before the fault: \(journal)")
            let check = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 60)
            #expect(check.status == 2, "check must see the leftover partition:\n\(check.stdout)")
            let rec = try CLI.pgdrill(["recover", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 300)
            #expect(rec.status == 0, "\(rec.stderr.suffix(3000))")
            try expectHealthyAndClean(dir)
        }

        /// SIGINT in the cooldown before verification (found by the matrix: it used to be swallowed, the run
        /// read back and exited 0).
        @Test func interruptDuringCooldownAborts() throws {
            let dir = Lab.scratch("interrupt-cooldown")
            let r = try CLI.pgdrill(["run", Lab.drills + "/07-planned-switchover.yaml", "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 300, env: ["PGDRILL_PHASE_LINES": "1"],
                                    signal: (SIGINT, after: { $0.contains("PGDRILL_PHASE=verify") }))
            #expect(r.status == 3, "exit \(r.status)\n\(r.stderr.suffix(3000))")
            #expect(r.stderr.contains("during cooldown"), "\(r.stderr.suffix(2000))")
            let report = try Report.load(dir + "/r")
            #expect(report.drills.first?.verdict == "ABORTED")
            try expectHealthyAndClean(dir)
        }

        /// SIGKILL while pg_wal is full (drill 04 waits for writes to fail): the filler file is left behind,
        /// `check` sees it, `recover` removes it and the primary takes writes again.
        @Test func sigkillWhileWalIsFullThenRecover() throws {
            let dir = Lab.scratch("sigkill-walfull")
            let r = try CLI.pgdrill(["run", Lab.drills + "/04-pg-wal-full-enospc.yaml", "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 300, env: ["PGDRILL_PHASE_LINES": "1"],
                                    signal: (SIGKILL, after: { $0.contains("PGDRILL_PHASE=fault") }))
            #expect(r.status == SIGKILL, "\(r.stderr.suffix(2000))")
            let check = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 60)
            #expect(check.status == 2)
            #expect(check.stdout.contains(".pgdrill-filler-"), "check must name the leftover filler file:\n\(check.stdout)")
            let rec = try CLI.pgdrill(["recover", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 300)
            #expect(rec.status == 0, "\(rec.stderr.suffix(3000))")
            try expectHealthyAndClean(dir)
        }

        /// Healthy and clean within two minutes (a run interrupted during recovery leaves the cluster
        /// converging on its own), checked with `pgdrill check`.
        func expectHealthyAndClean(_ state: String) throws {
            var last = CLIResult(status: -1, stdout: "", stderr: "")
            for _ in 0..<24 {
                last = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: state, timeout: 120)
                if last.status == 0 { break }
                Thread.sleep(forTimeInterval: 5)
            }
            #expect(last.status == 0, "cluster not healthy:\n\(last.stdout)\(last.stderr)")
            #expect(last.stdout.contains("No leftovers"), "\(last.stdout)")
        }
    }
}
