import Foundation
import Testing

/// Real drills against the lab cluster through the `pgdrill` binary: exit codes, the report's numbers, and
/// the cluster healthy with nothing left behind afterwards. Serialized: they share one cluster.
extension LabIntegration {
    @Suite(.serialized)
    struct DrillIntegrationTests {
        static let shipped = (try? FileManager.default.contentsOfDirectory(atPath: Lab.drills).filter { $0.hasSuffix(".yaml") }.sorted()) ?? []

        @Test func checkShowsAHealthyLab() throws {
            let state = Lab.scratch("check")
            let r = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: state, timeout: 60)
            #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
            #expect(r.stdout.contains("leader"))
            #expect(r.stdout.contains("sync_standby"))
            #expect(r.stdout.contains("healthy"))
        }

        /// Drills whose cluster behaviour is Patroni's race, not pgdrill's: PANIC on a full pg_wal fails over in
        /// ~4-7 s when the standbys received the primary's last WAL before it crashed; when they had not, Patroni
        /// 4.1.5 keeps the cluster without a primary until space is freed (seen twice in recent CI rehearsals).
        static let patroniMayKeepNoPrimary: Set = ["05-pg-wal-full-panic.yaml"]

        @Test(arguments: shipped)
        func shippedDrillPassesAndLeavesTheClusterHealthy(file: String) throws {
            let state = Lab.scratch("drill-\(file)")
            let reports = state + "/reports"
            let r = try CLI.pgdrill(["run", Lab.drills + "/" + file, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", reports],
                                    stateDir: state, timeout: 480)
            let report = try Report.load(reports)
            let drill = try #require(report.drills.first)
            let missed = Set((drill.json["expectations"] as? [[String: Any]] ?? []).filter { $0["passed"] as? Bool == false }.compactMap { $0["metric"] as? String })
            if Self.patroniMayKeepNoPrimary.contains(file), r.status == 1, missed.isSubset(of: ["observe", "failover", "rto"]) {
                // Patroni's choice, not pgdrill's: the standbys deferred to the crash-looping old primary's higher
                // WAL position ("not the healthiest node") and nobody led until the filler was removed. pgdrill
                // must say so exactly (FAIL on failover and RTO alone) and still roll back, verify and leave the
                // cluster healthy — checked below like any drill.
                print("\(file): Patroni kept no primary until the disk was freed; reported FAIL on \(missed.sorted()), 0 lost")
            } else {
                #expect(r.status == 0, "exit \(r.status)\n\(r.stderr.suffix(4000))\n\(drill.expectationsText)")
                #expect(drill.verdict == "PASS", "\(drill.expectationsText)")
            }
            // Every acknowledged write was read back; in synchronous mode none may be lost.
            #expect(drill.lostWrites == 0)
            #expect(drill.acknowledged > 100, "the probe must have measured something")
            expectStory(file, drill)
            // Every node's SQL was polled by the monitor, and the report says how it answered (issue 18).
            let sources = drill.json["monitor_sources"] as? [[String: Any]] ?? []
            #expect(Set(sources.compactMap { $0["source"] as? String }) == ["pg1 SQL", "pg2 SQL", "pg3 SQL"], "\(sources)")
            #expect(sources.allSatisfy { ($0["polls"] as? Int ?? 0) > 0 }, "\(sources)")
            // The Patroni version the drill ran against is on record.
            #expect(((drill.json["cluster_before"] as? [String: Any])?["manager_version"] as? String)?.isEmpty == false)
            expectBudget(file, drill)
            try ReportArtifacts.verify(runDir: try ReportArtifacts.newestRun(reports), extraOutput: r.stdout + r.stderr, stateDir: state)
            try expectHealthyAndClean(state)
        }

        /// The settings that bound a failover are read from every drill's cluster (issue 17), and a drill whose
        /// fault sets off a failover chain shows its phases beside their bounds, none slower than the settings
        /// allow on the lab.
        func expectBudget(_ file: String, _ drill: Report.Drill) {
            let settings = drill.json["failover_settings"] as? [String: Any]
            let patroni = settings?["patroni"] as? [String: Any]
            #expect(patroni?["ttl"] as? Double == 20 && patroni?["loop_wait"] as? Double == 1, "\(String(describing: settings))")
            #expect((settings?["haproxy"] as? [String: Any])?["inter"] as? Double == 0.5, "\(String(describing: settings))")
            #expect((settings?["unread"] as? [Any])?.isEmpty == true, "\(String(describing: settings))")
            let scenarios = ["01-primary-postmaster-killed.yaml": "primary_restart_in_place", "02-primary-node-down.yaml": "primary_lost",
                             "03-primary-partitioned.yaml": "primary_partitioned", "07-planned-switchover.yaml": "planned_switchover",
                             "09-primary-patroni-frozen.yaml": "primary_lost"]
            let budget = drill.json["rto_budget"] as? [String: Any]
            #expect(budget?["scenario"] as? String == scenarios[file], "\(String(describing: budget))")
            guard file == "02-primary-node-down.yaml" || file == "03-primary-partitioned.yaml" else { return }
            let phases = budget?["phases"] as? [[String: Any]] ?? []
            #expect(phases.compactMap { $0["phase"] as? String } == ["detection", "promotion", "routing", "client"], "\(phases)")
            #expect(phases.first?["bound"] as? Int == 21_600_000, "\(phases)")
            #expect(phases.allSatisfy { $0["measured"] != nil }, "\(phases)")
            let over = phases.filter { ($0["judged"] as? Bool ?? false) && ($0["measured"] as? Int ?? 0) > ($0["bound"] as? Int ?? .max) }
            #expect(over.isEmpty, "slower than the lab's settings allow: \(over)")
        }

        /// After any drill: `check` says healthy and finds no chain, filler or pending rollback.
        func expectHealthyAndClean(_ state: String) throws {
            let c = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: state, timeout: 120)
            #expect(c.status == 0, "cluster not healthy after the drill:\n\(c.stdout)\(c.stderr)")
            #expect(c.stdout.contains("No leftovers"), "\(c.stdout)")
        }
    }
}

/// The parts of report.json the tests read.
struct Report {
    struct Drill {
        var name: String
        var verdict: String
        var lostWrites: Int?
        var acknowledged: Int
        var rto: Int64?
        var json: [String: Any]
        var expectationsText: String
    }
    var drills: [Drill]
    var raw: [String: Any]

    /// Reads the newest run folder's report.json under `dir`.
    static func load(_ dir: String) throws -> Report {
        let runs = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        let run = try #require(runs.last, "no run folder in \(dir)")
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(run)/report.json"))
        let raw = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let drills = (raw["drills"] as? [[String: Any]] ?? []).map { d -> Drill in
            let metrics = d["metrics"] as? [String: Any]
            let writes = metrics?["writes"] as? [String: Any]
            let primary = writes?["primary"] as? [String: Any]
            let main = metrics?["main"] as? [String: Any]
            let recovery = main?["recovery"] as? [String: Any]
            let exps = (d["expectations"] as? [[String: Any]] ?? []).map { "\($0["metric"] ?? "") \($0["measured"] ?? "") target \($0["target"] ?? "") passed=\($0["passed"] ?? "")" }
            return Drill(name: d["name"] as? String ?? "", verdict: d["verdict"] as? String ?? "",
                         lostWrites: (primary?["lost"] as? [Any])?.count, acknowledged: writes?["acknowledged"] as? Int ?? 0,
                         rto: (recovery?["rto"] as? NSNumber)?.int64Value, json: d,
                         expectationsText: exps.joined(separator: "\n") + "\nerrors: \(d["errors"] ?? "")\nnotes: \(d["notes"] ?? "")")
        }
        return Report(drills: drills, raw: raw)
    }
}
