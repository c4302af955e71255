import Foundation
import Synchronization
import Testing

/// What must never happen against production: injecting into an unhealthy cluster, trusting an unknown host
/// key, hanging on an unreachable node, or leaving a fault behind after an interrupt or a killed runner.
extension LabIntegration {
    @Suite(.serialized)
    struct SafetyIntegrationTests {
        /// A copy of the lab's cluster file (with its key, known_hosts and pgpass beside it) that a test may alter.
        static func clusterCopy(_ name: String, edit: (String) -> String = { $0 }) throws -> (dir: String, cluster: String) {
            let dir = Lab.scratch("cluster-\(name)")
            let fm = FileManager.default
            for sub in ["ssh", "tls", "secrets"] { try fm.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true) }
            // Everything the cluster file names by a relative path; the CA and API password files only in the
            // production shape.
            for f in ["ssh/id_ed25519", "ssh/id_ed25519.pub", "ssh/known_hosts", "pgpass", "tls/ca.crt", "secrets/patroni-api", "secrets/haproxy-stats"]
            where fm.fileExists(atPath: "\(Lab.stateDir)/\(f)") {
                try? fm.removeItem(atPath: "\(dir)/\(f)")
                try fm.copyItem(atPath: "\(Lab.stateDir)/\(f)", toPath: "\(dir)/\(f)")
            }
            let text = try String(contentsOfFile: Lab.clusterPath!, encoding: .utf8)
            try edit(text).write(toFile: dir + "/cluster.yaml", atomically: true, encoding: .utf8)
            return (dir, dir + "/cluster.yaml")
        }

        static let drill = Lab.drills + "/02-primary-node-down.yaml"

        /// Issue 18: node connections without a password source used to pass pre-flight (health fell back to
        /// Patroni), the fault went in, and only verification failed — no figures. Now: exit 2 at pre-flight,
        /// naming the node and the fix, nothing injected. The endpoints keep their passwords.
        @Test func nodeSQLWithoutAPasswordIsRefusedAtPreflight() throws {
            let (dir, cluster) = try Self.clusterCopy("nopass")
            let pgpass = try String(contentsOfFile: dir + "/pgpass", encoding: .utf8)
            try pgpass.split(separator: "\n").filter { !$0.contains(":5432:") }.joined(separator: "\n").appending("\n")
                .write(toFile: dir + "/pgpass", atomically: true, encoding: .utf8)
            chmod(dir + "/pgpass", 0o600)
            let r = try CLI.pgdrill(["run", Self.drill, "--cluster", cluster, "--yes", "--report-dir", dir + "/r"], stateDir: dir, timeout: 90,
                                    env: ["PGPASSFILE": "/nonexistent"])
            #expect(r.status == 2, "\(r.stderr.suffix(2000))")
            #expect(r.stderr.contains("pg1 (") && r.stderr.contains("no password supplied"), "\(r.stderr.suffix(2000))")
            #expect(r.stderr.contains("postgres.passfile"), "\(r.stderr.suffix(2000))")
            #expect(!r.stderr.contains("fault:"), "a fault was injected:\n\(r.stderr)")
            let journal = (try? String(contentsOfFile: dir + "/lab.journal.json", encoding: .utf8)) ?? ""
            #expect(!journal.contains("\"pending\""))
        }

        /// Issue 20, item 9: no password of the cluster file's passfile on any command line while a drill runs.
        /// The lab's nodes are namespaces of this machine (one PID space), so one `ps` sees every node's
        /// processes — pgdrill's remote commands, psql, the probe's libpq — sampled every 50 ms from the first
        /// fault to the end of the drill (a switchover: Patroni's API, psql on the nodes, repointing).
        @Test func noPasswordOnAnyCommandLineDuringADrill() throws {
            let dir = Lab.scratch("ps-secrets")
            let passwords = try Set(Lab.passwords().map(\.value))
            try #require(!passwords.isEmpty)
            let seen = Mutex<(samples: Int, leaks: [String])>((0, []))
            let stop = Mutex(false)
            let sampler = Thread {
                while !stop.withLock({ $0 }) {
                    if let r = try? CLI.run("/bin/ps", ["-eo", "pid=,args="], timeout: 10) {
                        let leaks = r.stdout.split(separator: "\n").filter { line in passwords.contains { line.contains($0) } }.map(String.init)
                        seen.withLock { $0.samples += 1; $0.leaks += leaks }
                    }
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            let r = try CLI.pgdrill(["run", Lab.drills + "/07-planned-switchover.yaml", "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 300, action: (after: { $0.contains("pre-flight") }, run: { sampler.start() }))
            stop.withLock { $0 = true }
            Thread.sleep(forTimeInterval: 0.2)
            #expect(r.status == 0, "\(r.stderr.suffix(2000))")
            let (samples, leaks) = seen.withLock { ($0.samples, $0.leaks) }
            #expect(samples > 20, "only \(samples) ps samples")
            #expect(leaks.isEmpty, "a password on a command line: \(leaks.prefix(3).map { line in passwords.reduce(line) { $0.replacingOccurrences(of: $1, with: "<password>") } })")
            for p in passwords { #expect(!r.stderr.contains(p) && !r.stdout.contains(p)) }
        }

        @Test func unknownHostKeyIsRefusedWithOneClearLine() throws {
            let (dir, cluster) = try Self.clusterCopy("hostkey")
            try "".write(toFile: dir + "/ssh/known_hosts", atomically: true, encoding: .utf8)
            let r = try CLI.pgdrill(["run", Self.drill, "--cluster", cluster, "--yes", "--report-dir", dir + "/r"], stateDir: dir, timeout: 60)
            #expect(r.status == 2)
            #expect(r.stderr.contains("host key"), "\(r.stderr)")
            #expect(r.stderr.contains("known_hosts"), "\(r.stderr)")
        }

        @Test func changedHostKeyIsRefused() throws {
            let (dir, cluster) = try Self.clusterCopy("hostkey-changed")
            // Every host's line now carries px's key: a mismatch for the nodes.
            let kh = try String(contentsOfFile: dir + "/ssh/known_hosts", encoding: .utf8)
            let lines = kh.split(separator: "\n").map(String.init)
            let pxKey = lines.first { $0.hasPrefix(Lab.address("px") + " ") }!.split(separator: " ").dropFirst().joined(separator: " ")
            let forged = lines.map { l in "\(l.split(separator: " ")[0]) \(pxKey)" }.joined(separator: "\n") + "\n"
            try forged.write(toFile: dir + "/ssh/known_hosts", atomically: true, encoding: .utf8)
            let r = try CLI.pgdrill(["check", "--cluster", cluster], stateDir: dir, timeout: 60)
            #expect(r.status == 2)
            #expect(r.stdout.contains("host key") || r.stderr.contains("host key"), "\(r.stdout)\(r.stderr)")
        }

        @Test func wrongUserKeyIsRefused() throws {
            let (dir, cluster) = try Self.clusterCopy("userkey")
            try FileManager.default.removeItem(atPath: dir + "/ssh/id_ed25519")
            try FileManager.default.removeItem(atPath: dir + "/ssh/id_ed25519.pub")
            _ = try CLI.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", dir + "/ssh/id_ed25519"], timeout: 30)
            let r = try CLI.pgdrill(["run", Self.drill, "--cluster", cluster, "--yes", "--report-dir", dir + "/r"], stateDir: dir, timeout: 60)
            #expect(r.status == 2)
            #expect(r.stderr.lowercased().contains("auth"), "\(r.stderr)")
        }

        @Test func unreachableNodeFailsFastWithExit2() throws {
            // .99 is on the lab's own bridge and nothing answers there.
            let dead = "\(Lab.netPrefix).99"
            let (dir, cluster) = try Self.clusterCopy("unreachable") { $0.replacingOccurrences(of: "host: \(Lab.address("pg3")),", with: "host: \(dead),") }
            let started = Date()
            let r = try CLI.pgdrill(["run", Self.drill, "--cluster", cluster, "--yes", "--report-dir", dir + "/r"], stateDir: dir, timeout: 60)
            #expect(r.status == 2)
            #expect(r.stderr.contains(dead), "\(r.stderr)")
            #expect(Date().timeIntervalSince(started) < 20)
        }

        @Test func badDrillFileNamesFileLineAndColumn() throws {
            let dir = Lab.scratch("baddrill")
            let file = dir + "/bad.yaml"
            try """
            name: bad
            description: typo in a fault action
            fault:
              - kil: { process: postgres, on: primary }
            observe: { until: [writes_ok], timeout: 30s }
            """.write(toFile: file, atomically: true, encoding: .utf8)
            let r = try CLI.pgdrill(["run", file, "--cluster", Lab.clusterPath!, "--yes"], stateDir: dir, timeout: 30)
            #expect(r.status == 2)
            #expect(r.stderr.contains("bad.yaml:4:5"), "\(r.stderr)")
            #expect(r.stderr.contains("kill"), "\(r.stderr)")
        }

        /// Pre-flight with a stopped replica: exit 2, and nothing was injected (no fault event, empty journal).
        @Test func preflightRefusesAClusterWithAStoppedReplica() throws {
            let dir = Lab.scratch("preflight")
            let leader = try currentLeader()
            let replica = ["pg1", "pg2", "pg3"].first { $0 != leader }!
            let address = Lab.address(replica)
            let svc = Lab.root + "/lab/bin/lab-svc"
            try Lab.ssh(address, "\(svc) stop patroni")
            defer {
                _ = try? Lab.ssh(address, "\(svc) start patroni")
                waitHealthy()
            }
            Thread.sleep(forTimeInterval: 3)
            let r = try CLI.pgdrill(["run", Self.drill, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"], stateDir: dir, timeout: 120)
            #expect(r.status == 2, "\(r.stderr)")
            #expect(r.stderr.contains("not healthy"), "\(r.stderr)")
            #expect(!r.stderr.contains("fault:"), "a fault was injected:\n\(r.stderr)")
            let journal = (try? String(contentsOfFile: dir + "/lab.journal.json", encoding: .utf8)) ?? ""
            #expect(!journal.contains("\"pending\""))
        }

        func currentLeader() throws -> String {
            let r = try Lab.patroniCurl("pg1", "/cluster", ["-s", "--max-time", "3"])
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let members = json?["members"] as? [[String: Any]] ?? []
            return members.first { $0["role"] as? String == "leader" }?["name"] as? String ?? "pg1"
        }

        func waitHealthy() {
            for _ in 0..<120 {
                if let r = try? CLI.run(Lab.root + "/lab/lab.sh", ["status"], timeout: 30), r.status == 0 { return }
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }
}
