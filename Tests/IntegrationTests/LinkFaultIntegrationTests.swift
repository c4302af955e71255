import Foundation
import Testing

/// Faults on the runner's own links, cut from the host in a node's namespace once the drill's fault is in
/// place: every wait is bounded, the drill ends with a verdict that names the node and what to do, rolls
/// back what it can, reports what it could not, and `pgdrill recover` finishes the job once the link is back.
///
/// The drill partitions a replica (cheap: no failover) so there is something to roll back.
extension LabIntegration {
    @Suite(.serialized)
    struct LinkFaultIntegrationTests {
        /// A replica's sshd stops answering the runner after the partition: its rollback cannot run. (Behind the
        /// bastion the runner's ssh reaches the node from the bastion's address, so that is what is cut.)
        @Test func sshdStopsAnsweringMidDrill() throws {
            let node = try Self.replica()
            let dir = Lab.scratch("link-ssh")
            let drill = try Self.drill(dir, on: node, until: "[writes_ok]")
            let rule = ["INPUT", "-p", "tcp", "--dport", "22", "-s", Lab.sshSourceAddress, "-j", "DROP"]
            defer { _ = try? Lab.iptables(node, ["-D"] + rule) }
            let cut = CutClock()
            let r = try CLI.pgdrill(["run", drill, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 300, env: ["PGDRILL_PHASE_LINES": "1"],
                                    action: (after: { $0.contains("PGDRILL_PHASE=fault") }, run: { cut.mark { _ = try? Lab.iptables(node, ["-I"] + rule) } }))
            let toVerdict = cut.secondsSince()
            print("LINK ssh to \(node) cut → verdict in \(String(format: "%.1f", toVerdict)) s (exit \(r.status))")
            #expect(r.status == 4, "a rollback that could not run must end in exit 4:\n\(r.stderr.suffix(3000))")
            #expect(r.stderr.contains("NOT rolled back") && r.stderr.contains(node), "\(r.stderr.suffix(3000))")
            #expect(r.stderr.contains("pgdrill recover"))
            #expect(toVerdict < 60, "the drill took \(toVerdict) s to give up on \(node):\n\(r.stderr.suffix(4000))")
            let report = try String(contentsOfFile: ReportArtifacts.newestRun(dir + "/r") + "/report.md", encoding: .utf8)
            #expect(report.contains("NOT rolled back") && report.contains(node), "the report must list what was not rolled back")
            let journal = try String(contentsOfFile: dir + "/lab.journal.json", encoding: .utf8)
            #expect(journal.contains("\"failed\""), "the rollback must stay in the journal: \(journal)")

            try Lab.iptables(node, ["-D"] + rule)
            let rec = try CLI.pgdrill(["recover", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 300)
            #expect(rec.status == 0, "\(rec.stderr.suffix(3000))")
            try Self.expectHealthyAndClean(dir)
        }

        /// Every Patroni REST API stops answering the runner: it cannot judge the drill, so it aborts, rolls
        /// back over ssh, and says it could not confirm recovery.
        @Test func patroniAPIsHang() throws {
            let node = try Self.replica()
            let dir = Lab.scratch("link-patroni")
            let drill = try Self.drill(dir, on: node, until: "[same_primary, writes_ok]")
            let rule = ["INPUT", "-p", "tcp", "--dport", "8008", "-s", Lab.runnerAddress, "-j", "DROP"]
            let nodes = ["pg1", "pg2", "pg3"]
            defer { for n in nodes { _ = try? Lab.iptables(n, ["-D"] + rule) } }
            let cut = CutClock()
            let r = try CLI.pgdrill(["run", drill, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 300, env: ["PGDRILL_PHASE_LINES": "1"],
                                    action: (after: { $0.contains("PGDRILL_PHASE=fault") }, run: { cut.mark { for n in nodes { _ = try? Lab.iptables(n, ["-I"] + rule) } } }))
            let toVerdict = cut.secondsSince()
            print("LINK Patroni APIs cut → verdict in \(String(format: "%.1f", toVerdict)) s (exit \(r.status))")
            #expect(r.status == 4, "recovery could not be confirmed: exit 4 expected\n\(r.stderr.suffix(3000))")
            #expect(r.stderr.contains("lost sight of the cluster"), "\(r.stderr.suffix(3000))")
            #expect(r.stderr.contains("rolled back: partition"), "the partition must still be rolled back over ssh")
            #expect(r.stderr.contains("recovery not confirmed"))
            #expect(toVerdict < 60, "the drill took \(toVerdict) s to give up")
            for n in nodes { try Lab.iptables(n, ["-D"] + rule) }
            try Self.expectHealthyAndClean(dir)
        }

        /// The probe endpoint (HAProxy's write port) blackholes for the runner while the primary is fine.
        @Test func probeEndpointBlackholes() throws {
            let node = try Self.replica()
            let dir = Lab.scratch("link-probe")
            let drill = try Self.drill(dir, on: node, until: "[writes_ok]")
            let rule = ["INPUT", "-p", "tcp", "--dport", "5000", "-s", Lab.runnerAddress, "-j", "DROP"]
            defer { _ = try? Lab.iptables("px", ["-D"] + rule) }
            let cut = CutClock()
            let r = try CLI.pgdrill(["run", drill, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 300, env: ["PGDRILL_PHASE_LINES": "1"],
                                    action: (after: { $0.contains("PGDRILL_PHASE=fault") }, run: { cut.mark { _ = try? Lab.iptables("px", ["-I"] + rule) } }))
            let toVerdict = cut.secondsSince()
            print("LINK probe endpoint cut → verdict in \(String(format: "%.1f", toVerdict)) s (exit \(r.status))")
            #expect(r.status == 3, "\(r.stderr.suffix(3000))")
            #expect(r.stderr.contains("probe endpoint 'write'") && r.stderr.contains(Lab.address("px")), "\(r.stderr.suffix(3000))")
            #expect(r.stderr.contains("rolled back: partition"))
            let report = try Report.load(dir + "/r")
            #expect(report.drills.first?.verdict == "ABORTED")
            #expect(toVerdict < 60, "the drill took \(toVerdict) s to give up")
            try Lab.iptables("px", ["-D"] + rule)
            try Self.expectHealthyAndClean(dir)
        }

        /// A replica (not the leader) by Patroni's view, so the drill's partition causes no failover.
        static func replica() throws -> String {
            let r = try Lab.patroniCurl("pg1", "/cluster", ["-s", "-m", "5"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let members = try #require(json["members"] as? [[String: Any]])
            let replicas = members.filter { ($0["role"] as? String) != "leader" }.compactMap { $0["name"] as? String }.sorted()
            return try #require(replicas.last)
        }

        static func drill(_ dir: String, on node: String, until: String) throws -> String {
            let path = dir + "/link-fault.yaml"
            try """
            name: link-fault
            description: A replica partitioned while one of the runner's own links is cut (integration test).
            destructive: false
            preflight: { healthy: true, max_lag: 1MB }
            probe: { endpoint: write, writers: 2 }
            steady: 2s
            fault:
              - partition: { on: "node:\(node)", from: all }
            observe: { until: \(until), timeout: 60s, stable_for: 3s }
            recover: { until: healthy, timeout: 90s }
            cooldown: 1s
            expect:
              lost_writes: 0
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        static func expectHealthyAndClean(_ state: String) throws {
            let check = InterruptMatrix.waitHealthyAndClean(stateDir: state)
            #expect(check.status == 0 && check.stdout.contains("No leftovers"), "cluster not healthy and clean:\n\(check.stdout)\(check.stderr)")
        }
    }
}

/// When a link was cut, to measure the time from the cut to the drill's verdict.
final class CutClock {
    private var at: Date?
    func mark(_ cut: () -> Void) {
        cut()
        at = Date()
    }
    func secondsSince() -> Double { at.map { Date().timeIntervalSince($0) } ?? -1 }
}
