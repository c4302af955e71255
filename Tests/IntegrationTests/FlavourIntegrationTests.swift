import Foundation
import Testing

extension Lab {
    /// A flavour the lab recorded in its state directory (`lab.sh up --patroni debian`, `--replication async`).
    static func flavour(_ file: String, default value: String) -> String {
        guard isUp, let text = try? String(contentsOfFile: stateDir + "/" + file, encoding: .utf8) else { return value }
        let v = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return v.isEmpty ? value : v
    }
    /// `pypi` (the pinned Patroni 4.x, default) or `debian` (Debian 12's package, 3.0.2).
    static var patroni: String { flavour("patroni", default: "pypi") }
    /// `sync` (Patroni synchronous_mode, default) or `async`.
    static var replication: String { flavour("replication", default: "sync") }
}

/// One drill run for the flavour suites: reports and journal in a scratch directory, probe rows kept so the
/// test can count lost writes itself, and the cluster checked healthy afterwards.
struct FlavourRun {
    var drill: Report.Drill
    var status: Int32
    var stderr: String
    var runDir: String
    var runID: String
    /// Acknowledged writes missing on the final primary, counted from probe.csv and a plain psql.
    var independentLost: Int

    init(_ drillFile: String, name: String, endpoints: [String] = ["write", "pooled"], timeout: TimeInterval = 600) throws {
        let state = Lab.scratch(name)
        let reports = state + "/reports"
        let r = try CLI.pgdrill(["run", drillFile, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", reports, "--keep-probe-rows"],
                                stateDir: state, timeout: timeout)
        status = r.status
        stderr = r.stderr
        let report = try Report.load(reports)
        drill = try #require(report.drills.first, "no drill in the report: \(r.stderr.suffix(3000))")
        runID = try #require(drill.json["probe_run_id"] as? String ?? report.raw["run_id"] as? String)
        runDir = try ReportArtifacts.newestRun(reports)
        let leader = try #require((drill.json["cluster_after"] as? [String: Any])?["leader"] as? String, "no leader after the drill")
        let slug = try #require(try FileManager.default.contentsOfDirectory(atPath: runDir).first { $0.hasPrefix("drill-") })
        independentLost = try IndependentCount.lostWrites(probeCSV: "\(runDir)/\(slug)/probe.csv", endpoints: endpoints, runID: runID, on: leader)
        let c = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: state, timeout: 120)
        #expect(c.status == 0, "cluster not healthy after \(drillFile):\n\(c.stdout)\(c.stderr)")
        #expect(c.stdout.contains("No leftovers"), "\(c.stdout)")
    }

    var whatHappened: [String] { drill.json["what_happened"] as? [String] ?? drill.json["whatHappened"] as? [String] ?? [] }
    var rpo: Int64? { (((drill.json["metrics"] as? [String: Any])?["rpo"] as? [String: Any])?["rpo"] as? NSNumber)?.int64Value }
    var managerVersion: String? { (drill.json["cluster_before"] as? [String: Any])?["manager_version"] as? String }
}

/// Issue 18: Debian 12's own Patroni package (3.0.2), which reports a streaming replica as `running`
/// (`lab.sh up --patroni debian`; `make test-debian`). Health, the failover drills and the version in the
/// report; and the partition drill with writes going on well past the heal, where 3.0.2 can hand the leader
/// key back to the old primary (patroni PR #2689): whatever it does, pgdrill's count is exact.
extension LabIntegration {
    @Suite(.serialized, .enabled(if: Lab.patroni == "debian", "the lab runs the pinned PyPI Patroni: `make test-debian` brings up Debian's 3.0.2"))
    struct DebianPatroniIntegrationTests {
        @Test func checkIsHealthyOnPatroni302() throws {
            let r = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: Lab.scratch("debian-check"), timeout: 60)
            #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
            #expect(r.stdout.contains("Patroni 3.0.2"), "\(r.stdout)")
            #expect(r.stdout.contains("sync_standby") && r.stdout.contains("running"), "3.0.2 says running for a streaming replica:\n\(r.stdout)")
        }

        @Test(arguments: ["02-primary-node-down.yaml", "07-planned-switchover.yaml"])
        func failoverDrillsPassWithNothingLost(file: String) throws {
            let run = try FlavourRun(Lab.drills + "/" + file, name: "debian-\(file)")
            #expect(run.status == 0, "exit \(run.status)\n\(run.stderr.suffix(4000))\n\(run.drill.expectationsText)")
            #expect(run.drill.verdict == "PASS", "\(run.drill.expectationsText)")
            #expect(run.drill.lostWrites == 0 && run.independentLost == 0, "reported \(run.drill.lostWrites ?? -1), independent \(run.independentLost)")
            let rto = try #require(run.drill.rto, "no RTO: \(run.drill.expectationsText)")
            #expect(run.managerVersion == "3.0.2")
            print("DEBIAN \(file): PASS, RTO \(Double(rto) / 1e6) s, 0 of \(run.drill.acknowledged) lost")
        }

        /// Drill 03 with 30 s of writes after the cluster is healthy again: the window in which 3.0.2's old
        /// primary may take the leader key back. Lost writes (if any) equal the independent count, and a
        /// second promotion is named in the report.
        @Test func partitionWithWritesPastTheHealIsCountedExactly() throws {
            let dir = Lab.scratch("debian-partition-drill")
            let shipped = try String(contentsOfFile: Lab.drills + "/03-primary-partitioned.yaml", encoding: .utf8)
            let file = dir + "/03-primary-partitioned-long-cooldown.yaml"
            try shipped.replacingOccurrences(of: "cooldown: 3s", with: "cooldown: 30s").write(toFile: file, atomically: true, encoding: .utf8)
            let run = try FlavourRun(file, name: "debian-partition")
            let reported = try #require(run.drill.lostWrites, "no lost-write figure: \(run.drill.expectationsText)")
            #expect(run.status == 0 || run.status == 1, "exit \(run.status)\n\(run.stderr.suffix(4000))")
            #expect(reported == run.independentLost, "report says \(reported) lost, independent count \(run.independentLost)")
            #expect(run.drill.verdict == (reported == 0 ? "PASS" : "FAIL"), "\(run.drill.expectationsText)")
            let second = run.whatHappened.first { $0.hasPrefix("SECOND PROMOTION") }
            if reported > 0 {
                #expect(second != nil || run.whatHappened.contains { $0.contains("SPLIT-BRAIN") }, "writes lost with no second promotion or split-brain named: \(run.whatHappened)")
            }
            print("DEBIAN partition (cooldown 30 s): reported \(reported) lost, independent \(run.independentLost), of \(run.drill.acknowledged); \(second ?? "one promotion")")
        }
    }

    /// Issue 18: asynchronous replication (`lab.sh up --replication async`; `make test-async`). `check` is healthy
    /// with no synchronous standby, a drill that requires one is refused with that reason, and the node-down and
    /// partition drills count every lost write exactly (the independent count from probe.csv and the final primary).
    @Suite(.serialized, .enabled(if: Lab.replication == "async", "the lab is synchronous: `make test-async` brings up the async flavour"))
    struct AsyncReplicationIntegrationTests {
        @Test func checkIsHealthyWithoutASyncStandby() throws {
            let r = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: Lab.scratch("async-check"), timeout: 60)
            #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
            #expect(r.stdout.contains("asynchronous"), "\(r.stdout)")
            #expect(!r.stdout.contains("sync_standby"), "\(r.stdout)")
        }

        @Test func aDrillThatRequiresSyncIsRefusedWithThatReason() throws {
            let state = Lab.scratch("async-require-sync")
            let r = try CLI.pgdrill(["run", Lab.drills + "/03-primary-partitioned.yaml", "--cluster", Lab.clusterPath!, "--yes",
                                     "--report-dir", state + "/reports"], stateDir: state, timeout: 120)
            #expect(r.status == 2, "exit \(r.status)\n\(r.stderr.suffix(3000))")
            #expect(r.stderr.contains("require_sync: true") && r.stderr.contains("asynchronous"), "\(r.stderr.suffix(3000))")
            #expect(!r.stderr.contains("] fault:"), "nothing may be injected:\n\(r.stderr.suffix(3000))")
        }

        @Test(arguments: ["02-primary-node-down.yaml", "03-primary-partitioned.yaml"])
        func lostWritesEqualTheIndependentCount(file: String) throws {
            let run = try FlavourRun(Lab.drills + "/async/" + file, name: "async-\(file)")
            let reported = try #require(run.drill.lostWrites, "no lost-write figure: \(run.drill.expectationsText)")
            #expect(run.status == 0 || run.status == 1, "exit \(run.status)\n\(run.stderr.suffix(4000))")
            #expect(reported == run.independentLost, "report says \(reported) lost, independent count \(run.independentLost)")
            #expect((run.rpo ?? 0 > 0) == (reported > 0), "RPO \(run.rpo ?? -1) µs with \(reported) lost")
            let rpo = run.rpo.map { String(format: "%.3f s", Double($0) / 1e6) } ?? "none"
            print("ASYNC \(file): \(run.drill.verdict), reported \(reported) lost, independent \(run.independentLost), of \(run.drill.acknowledged); RPO \(rpo); RTO \(run.drill.rto.map { Double($0) / 1e6 } ?? -1) s")
        }
    }
}
