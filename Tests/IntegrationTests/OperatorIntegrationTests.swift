import Foundation
import Testing

extension Lab {
    /// `lab.sh up --operator`: root ssh refused on every node, the engine logs in as `pgdrill-op` with sudo.
    static var operatorFlavour: Bool { flavour("operator", default: "0") == "1" }
}

/// Issue 14, sudo: operators log in as themselves (`lab/lab.sh up --operator`, `make test-operator`). sshd
/// refuses root on every lab host; the cluster file says `ssh: { user: pgdrill-op, sudo: true }` and pgdrill's
/// one shell per host runs through `sudo -n`, allowed by the rule `pgdrill plan --sudoers` prints. The
/// failover and link drills pass and leave `check` clean; a user sudo asks a password of is refused at
/// pre-flight (exit 2, the host, the rule to add) with nothing injected.
extension LabIntegration {
    @Suite(.serialized, .enabled(if: Lab.operatorFlavour, "the lab lets root in: `make test-operator` brings up the operator flavour"))
    struct OperatorIntegrationTests {
        @Test func rootSSHIsRefusedOnEveryNode() throws {
            for node in ["pg1", "pg2", "pg3", "px"] {
                let r = try CLI.run("/usr/bin/ssh", ["-i", Lab.stateDir + "/ssh/id_ed25519", "-o", "UserKnownHostsFile=" + Lab.stateDir + "/ssh/known_hosts",
                                                     "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "root@" + Lab.address(node), "true"], timeout: 30)
                #expect(r.status == 255 && r.stderr.contains("Permission denied"), "root ssh to \(node): exit \(r.status) \(r.stderr)")
            }
        }

        @Test func theSudoersRuleIsTheOneTheLabInstalled() throws {
            let r = try CLI.pgdrill(["plan", "--sudoers", "--cluster", Lab.clusterPath!], stateDir: Lab.scratch("op-sudoers"), timeout: 60)
            #expect(r.status == 0, "\(r.stderr)")
            let rule = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("pgdrill-op ") }, "\(r.stdout)")
            let installed = try String(contentsOfFile: "/etc/sudoers.d/pgdrill-lab-operator", encoding: .utf8)
            #expect(installed.split(separator: "\n").contains(rule), "pgdrill prints \(rule); the lab installed:\n\(installed)")
        }

        @Test(arguments: ["02-primary-node-down.yaml", "03-primary-partitioned.yaml", "07-planned-switchover.yaml", "10-primary-packet-loss.yaml"])
        func drillsPassThroughSudo(file: String) throws {
            let state = Lab.scratch("op-\(file)")
            let r = try CLI.pgdrill(["run", Lab.drills + "/" + file, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", state + "/reports"],
                                    stateDir: state, timeout: 600)
            let drill = try #require(try Report.load(state + "/reports").drills.first)
            #expect(r.status == 0, "exit \(r.status)\n\(r.stderr.suffix(4000))\n\(drill.expectationsText)")
            #expect(drill.verdict == "PASS" && drill.lostWrites == 0, "\(drill.expectationsText)")
            let latency = (drill.json["fault_injection_latency"] as? NSNumber)?.doubleValue
            print("OPERATOR \(file): \(drill.verdict), RTO \(drill.rto.map { Double($0) / 1e6 } ?? -1) s, fault injection latency \(latency.map { String(format: "%.1f ms", $0 / 1000) } ?? "?")")
            let c = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: state, timeout: 120)
            #expect(c.status == 0 && c.stdout.contains("No leftovers"), "after \(file):\n\(c.stdout)\(c.stderr)")
        }

        @Test func aUserSudoAsksAPasswordOfIsRefusedAtPreflight() throws {
            let state = Lab.scratch("op-nosudo")
            // Beside the real one: its relative paths (key, known_hosts, pgpass) resolve the same.
            let cluster = Lab.stateDir + "/cluster-nosudo-\(getpid()).yaml"
            defer { try? FileManager.default.removeItem(atPath: cluster) }
            let text = try String(contentsOfFile: Lab.clusterPath!, encoding: .utf8)
            try text.replacingOccurrences(of: "user: pgdrill-op", with: "user: pgdrill-nosudo").write(toFile: cluster, atomically: true, encoding: .utf8)
            let r = try CLI.pgdrill(["run", Lab.drills + "/03-primary-partitioned.yaml", "--cluster", cluster, "--yes", "--report-dir", state + "/reports"],
                                    stateDir: state, timeout: 120)
            #expect(r.status == 2, "exit \(r.status)\n\(r.stderr.suffix(3000))")
            #expect(r.stderr.contains("sudo -n would not start a root shell for pgdrill-nosudo") && r.stderr.contains("a password is required"),
                    "\(r.stderr.suffix(3000))")
            #expect(r.stderr.contains("NOPASSWD") && r.stderr.contains("pgdrill plan --sudoers"), "the fix must be named:\n\(r.stderr.suffix(3000))")
            #expect(!r.stderr.contains("] fault:"), "nothing may be injected:\n\(r.stderr.suffix(3000))")
            let c = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: state, timeout: 120)
            #expect(c.status == 0 && c.stdout.contains("No leftovers"), "\(c.stdout)\(c.stderr)")
        }
    }
}
