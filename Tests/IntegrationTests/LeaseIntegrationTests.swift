import Foundation
import Testing

/// Two runners, one cluster: the lease lives on the hosts, not in a runner's state directory. While a run has a
/// partition in place, a second runner with its own state directory is refused (exit 2, naming the first run's
/// id and host), and a `recover` from that state directory removes nothing of the live run's faults.
extension LabIntegration {
    @Suite(.serialized)
    struct LeaseIntegrationTests {
        @Test func aSecondRunnerIsRefusedAndRecoverLeavesTheLiveRunAlone() throws {
            let (dirA, dirB) = (Lab.scratch("lease-a"), Lab.scratch("lease-b"))
            let drill = Lab.drills + "/03-primary-partitioned.yaml"
            var second: CLIResult?
            var recover: CLIResult?
            var chainsDuring = ""
            var runID = ""
            let a = try CLI.pgdrill(["run", drill, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dirA + "/r"],
                                    stateDir: dirA, timeout: 400,
                                    action: (after: { $0.contains("fault: partition") }, run: {
                                        second = try? CLI.pgdrill(["run", Lab.drills + "/01-primary-postmaster-killed.yaml", "--cluster", Lab.clusterPath!,
                                                                   "--yes", "--report-dir", dirB + "/r"], stateDir: dirB, timeout: 120)
                                        recover = try? CLI.pgdrill(["recover", "--cluster", Lab.clusterPath!], stateDir: dirB, timeout: 120)
                                        for node in ["pg1", "pg2", "pg3"] {
                                            chainsDuring += (try? Lab.iptables(node, ["-S"]))?.stdout ?? ""
                                        }
                                    }))
            if let line = a.stderr.split(separator: "\n").first(where: { $0.contains(" drill(s); reports in ") }),
               let r = line.range(of: "run ") {
                runID = String(line[r.upperBound...].prefix { $0 != ":" })
            }
            #expect(!runID.isEmpty, "no run id in the first run's output:\n\(a.stderr.prefix(2000))")
            let b = try #require(second)
            #expect(b.status == 2, "the second runner was not refused: exit \(b.status)\n\(b.stderr.suffix(2000))")
            #expect(b.stderr.contains("run \(runID) on \(ProcessInfo.processInfo.hostName)"), "\(b.stderr.suffix(2000))")
            #expect(!b.stderr.contains("fault:"), "the second runner injected something:\n\(b.stderr)")
            let rec = try #require(recover)
            #expect(rec.status == 2, "recover during a live run: exit \(rec.status)\n\(rec.stderr.suffix(2000))")
            #expect(rec.stderr.contains("nothing removed"), "\(rec.stderr.suffix(2000))")
            #expect(chainsDuring.contains("PGDRILL-"), "the live run's partition was gone after the second runner and recover")
            #expect(a.status == 0, "the first run: exit \(a.status)\n\(a.stderr.suffix(3000))")
            // Released at the end: the next run (and check) find the cluster free.
            let check = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: dirB, timeout: 120)
            #expect(check.status == 0 && !check.stdout.contains("in progress"), "\(check.stdout)")
        }
    }
}
