import Foundation
import Testing

extension Lab {
    /// `lab.sh up --operator`: root ssh refused on every node, the engine logs in as `pgdrill-op` with sudo.
    static var operatorFlavour: Bool { flavour("operator", default: "0") == "1" }
    /// `lab.sh up --tls`: Patroni's REST API and HAProxy's stats on HTTPS (lab CA) with basic auth.
    static var httpsFlavour: Bool { flavour("https", default: "0") == "1" }
}

/// Issue 14, sudo: operators log in as themselves (the lab's default shape; `lab/lab.sh up --simple` lets root in). sshd
/// refuses root on every lab host; the cluster file says `ssh: { user: pgdrill-op, sudo: true }` and pgdrill's
/// one shell per host runs through `sudo -n`, allowed by the rule `pgdrill plan --sudoers` prints. The
/// failover and link drills pass and leave `check` clean; a user sudo asks a password of is refused at
/// pre-flight (exit 2, the host, the rule to add) with nothing injected. The default lab is also `--tls`, so
/// the same drills run against Patroni's REST API on HTTPS with
/// `restapi.authentication` (drill 07's switchover goes through the authenticated unsafe endpoint) and
/// HAProxy's stats behind `stats auth`; a wrong password or an unknown CA is refused at pre-flight.
extension LabIntegration {
    @Suite(.serialized, .enabled(if: Lab.operatorFlavour, "the lab lets root in (`lab.sh up --simple` or repmgr): the default lab is the operator shape"))
    struct OperatorIntegrationTests {
        @Test func rootSSHIsRefusedOnEveryNode() throws {
            for node in ["pg1", "pg2", "pg3", "px"] {
                let r = try CLI.run("/usr/bin/ssh", ["-i", Lab.stateDir + "/ssh/id_ed25519", "-o", "UserKnownHostsFile=" + Lab.stateDir + "/ssh/known_hosts",
                                                     "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "root@" + Lab.address(node), "true"], timeout: 30)
                #expect(r.status == 255 && r.stderr.contains("Permission denied"), "root ssh to \(node): exit \(r.status) \(r.stderr)")
            }
        }

        /// Behind the bastion (`up --bastion`, the default shape), a node takes the operator's login only when it
        /// comes through the bastion; the cluster file's `ssh.jump` is what every drill above went through.
        @Test(.enabled(if: Lab.flavour("via-bastion", default: "0") == "1")) func nodesTakeSSHOnlyThroughTheBastion() throws {
            let direct = try CLI.run("/usr/bin/ssh", Lab.sshOptions(through: false) + ["pgdrill-op@" + Lab.address("pg1"), "true"], timeout: 30)
            #expect(direct.status == 255 && direct.stderr.contains("Permission denied"), "direct ssh to pg1: exit \(direct.status) \(direct.stderr)")
            let tunnelled = try CLI.run("/usr/bin/ssh", Lab.sshOptions(through: true) + ["pgdrill-op@" + Lab.address("pg1"), "hostname"], timeout: 30)
            #expect(tunnelled.status == 0 && tunnelled.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "pg1", "through the bastion: exit \(tunnelled.status) \(tunnelled.stderr)")
            let text = try String(contentsOfFile: Lab.clusterPath!, encoding: .utf8)
            #expect(text.contains("jump: { host: \(Lab.netPrefix).4 }"), "the cluster file must go through the bastion:\n\(text)")
        }

        /// The bastion's key missing from known_hosts: refused at pre-flight, exit 2, one line that names the jump
        /// host and the file, nothing injected (a changed key is the same check, `SSHJumpTests`).
        @Test(.enabled(if: Lab.flavour("via-bastion", default: "0") == "1")) func anUnknownBastionKeyIsRefused() throws {
            let (dir, cluster) = try SafetyIntegrationTests.clusterCopy("bastion-key")
            let bastion = Lab.netPrefix + ".4 "
            let kh = try String(contentsOfFile: dir + "/ssh/known_hosts", encoding: .utf8)
            try kh.split(separator: "\n").filter { !$0.hasPrefix(bastion) }.joined(separator: "\n").appending("\n")
                .write(toFile: dir + "/ssh/known_hosts", atomically: true, encoding: .utf8)
            let r = try CLI.pgdrill(["run", Lab.drills + "/03-primary-partitioned.yaml", "--cluster", cluster, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 120)
            #expect(r.status == 2, "exit \(r.status)\n\(r.stderr.suffix(3000))")
            let line = r.stderr.split(separator: "\n").first { $0.hasPrefix("error:") || $0.contains("ERROR") } ?? ""
            #expect(line.contains("jump host") && line.contains("known_hosts"), "one line naming the jump host and the file:\n\(r.stderr.suffix(3000))")
            #expect(!r.stderr.contains("] fault:"), "nothing may be injected:\n\(r.stderr.suffix(3000))")
            print("BASTION KEY REFUSAL: \(line)")
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

        /// The lab really enforces what the cluster file answers: without credentials Patroni's unsafe endpoint
        /// and the stats page say 401, without the lab CA the certificate is not trusted.
        @Test(.enabled(if: Lab.httpsFlavour)) func theAPIsRequireTLSAndCredentials() throws {
            let ca = Lab.stateDir + "/tls/ca.crt"
            let failover = try CLI.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "--cacert", ca,
                                                         "-X", "POST", "-d", #"{"leader": "nobody"}"#, "https://\(Lab.address("pg1")):8008/failover"], timeout: 10)
            #expect(failover.stdout == "401", "POST /failover without credentials: \(failover.stdout) \(failover.stderr)")
            let stats = try CLI.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "--cacert", ca,
                                                      "https://\(Lab.address("px")):7000/;csv"], timeout: 10)
            #expect(stats.stdout == "401", "stats without credentials: \(stats.stdout) \(stats.stderr)")
            let untrusted = try CLI.run("/usr/bin/curl", ["-s", "--max-time", "5", "https://\(Lab.address("pg1")):8008/patroni"], timeout: 10)
            #expect(untrusted.status == 60, "without the lab CA curl must not trust the API: exit \(untrusted.status)")
            let text = try String(contentsOfFile: Lab.clusterPath!, encoding: .utf8)
            for secret in ["patroni-api", "haproxy-stats"] {
                let value = try String(contentsOfFile: Lab.stateDir + "/secrets/" + secret, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(!value.isEmpty && !text.contains(value), "the cluster file must name the \(secret) password file, not hold the password")
            }
        }

        /// A cluster file whose REST password is wrong, whose CA is missing, or whose stats password is wrong:
        /// refused at pre-flight in well under the 10 s health wait, exit 2, the setting to fix named, nothing
        /// injected, and no password in anything pgdrill printed or wrote.
        @Test(.enabled(if: Lab.httpsFlavour), arguments: [
            ("rest-password", "07-planned-switchover.yaml", "password_file: secrets/patroni-api", "password_file: WRONG",
             ["Patroni's unsafe endpoints", "HTTP 401 Unauthorized", "patroni_api.password_file"]),
            ("rest-ca", "02-primary-node-down.yaml", "patroni_api:\n  cafile: tls/ca.crt", "patroni_api:",
             ["Patroni REST API", "is not trusted", "set patroni_api.cafile"]),
            ("stats-password", "02-primary-node-down.yaml", "password_file: secrets/haproxy-stats", "password_file: WRONG",
             ["HAProxy's stats page", "HTTP 401 Unauthorized", "haproxy.password_file"]),
        ])
        func aRefusedAPIAccessIsRefusedAtPreflight(name: String, file: String, from: String, to: String, expected: [String]) throws {
            let state = Lab.scratch("op-api-\(name)")
            let wrong = state + "/wrong-password"
            try "not-the-password\n".write(toFile: wrong, atomically: true, encoding: .utf8)
            let cluster = Lab.stateDir + "/cluster-api-\(name)-\(getpid()).yaml"
            defer { try? FileManager.default.removeItem(atPath: cluster) }
            let text = try String(contentsOfFile: Lab.clusterPath!, encoding: .utf8)
            #expect(text.contains(from), "the lab's cluster file changed shape: no \(from)")
            try text.replacingOccurrences(of: from, with: to.replacingOccurrences(of: "WRONG", with: wrong))
                .write(toFile: cluster, atomically: true, encoding: .utf8)
            let started = Date()
            let r = try CLI.pgdrill(["run", Lab.drills + "/" + file, "--cluster", cluster, "--yes", "--report-dir", state + "/reports"],
                                    stateDir: state, timeout: 120)
            let seconds = Date().timeIntervalSince(started)
            #expect(r.status == 2, "exit \(r.status)\n\(r.stderr.suffix(3000))")
            for phrase in expected { #expect(r.stderr.contains(phrase), "missing '\(phrase)':\n\(r.stderr.suffix(3000))") }
            #expect(!r.stderr.contains("] fault:") && !r.stderr.contains("waiting for a healthy cluster"), "refused before the health wait, nothing injected:\n\(r.stderr.suffix(3000))")
            #expect(seconds < 8, "an access refusal must not wait for health: \(seconds) s")
            print("API REFUSAL \(name): exit \(r.status) after \(String(format: "%.2f", seconds)) s")
            var written = r.stdout + r.stderr
            if let files = FileManager.default.enumerator(atPath: state + "/reports") {
                for case let f as String in files { written += (try? String(contentsOfFile: state + "/reports/" + f, encoding: .utf8)) ?? "" }
            }
            for secret in ["patroni-api", "haproxy-stats"] {
                let value = try String(contentsOfFile: Lab.stateDir + "/secrets/" + secret, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(!written.contains(value), "the \(secret) password appeared in pgdrill's output or report")
            }
            #expect(!written.contains("not-the-password"), "the wrong password appeared in pgdrill's output or report")
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
