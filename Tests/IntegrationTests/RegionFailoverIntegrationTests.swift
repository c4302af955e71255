import Foundation
import Testing

/// The region-failover drill against the lab with a second region (`lab.sh up --dr-region`; `make test-dr`):
/// the standby cluster is promoted, the write endpoint follows it, the writes the asynchronous link had not
/// carried are counted exactly (checked here against an independent read), and the rollback fails back so
/// that the cluster ends as it began — also when the runner is killed mid-drill and `pgdrill recover` finishes.
extension LabIntegration {
    @Suite(.serialized, .enabled(if: Lab.hasStandbyCluster, "the lab has no second region; `make test-dr` brings one up"))
    struct RegionFailoverIntegrationTests {
        static let drill = Lab.drills + "/dr-region/region-failover.yaml"

        @Test func regionFailoverPromotesTheStandbyClusterCountsLostWritesExactlyAndFailsBack() throws {
            let dir = Lab.scratch("region-failover")
            let r = try CLI.pgdrill(["run", Self.drill, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r", "--keep-probe-rows"],
                                    stateDir: dir, timeout: 600)
            let report = try Report.load(dir + "/r")
            let d = try #require(report.drills.first)
            let runID = try #require(report.raw["run_id"] as? String)
            defer { _ = try? psql("DELETE FROM pgdrill.probe WHERE run_id = '\(runID)'") }
            #expect(r.status == 0, "exit \(r.status)\n\(r.stderr.suffix(4000))\n\(d.expectationsText)")
            #expect(d.verdict == "PASS", "\(d.expectationsText)")
            #expect(d.expectationsText.contains("→ dr1"), "the primary must have moved to the standby region: \(d.expectationsText)")
            let rto = try #require(d.rto, "no RTO: \(d.expectationsText)")
            // Promoted 10 s after the region was cut off: the RTO cannot be shorter, and the drill wants < 30 s.
            #expect(rto > 10_000_000 && rto < 30_000_000, "RTO \(Double(rto) / 1e6) s")

            // Independent count: acknowledged writes (probe.csv) minus the rows the cluster holds after the failback.
            let runs = try FileManager.default.contentsOfDirectory(atPath: dir + "/r").sorted()
            let acked = try ProbeCSV.acknowledged("\(dir)/r/\(runs.last!)/drill-region-failover/probe.csv")
            let present = Set(try psql("SELECT writer || ':' || seq FROM pgdrill.probe WHERE run_id = '\(runID)' AND endpoint = 'write'"))
            let lost = acked.subtracting(present)
            // The link was cut 5 s before the region: the writes after the last WAL the standby region
            // streamed or fetched from the archive are gone, and the report says exactly how many.
            #expect(lost.count > 0, "asynchronous replication cut 5 s early must lose acknowledged writes")
            #expect(d.lostWrites == lost.count, "report says \(d.lostWrites ?? -1) lost, independent count \(lost.count)")
            #expect(d.acknowledged == acked.count)

            let happened = d.json["whatHappened"] as? [String] ?? d.json["what_happened"] as? [String] ?? []
            #expect(happened.contains { $0.contains("failed over to dr1 in the standby region") && $0.contains("leads again") }, "\(happened)")
            #expect(happened.contains { $0.hasPrefix("stop replication from the primary region to dr1") && $0.contains("before t0") }, "\(happened)")
            let region = try #require(d.json["region_failover"] as? [String: Any], "report.json has no region_failover object")
            #expect(region["promoted_node"] as? String == "dr1")
            let cutAt = (region["replication_cut_at"] as? NSNumber)?.int64Value ?? .max
            let regionAt = (region["region_cut_at"] as? NSNumber)?.int64Value ?? .min
            #expect(regionAt - cutAt > 4_500_000, "the DR link is cut 5 s before the region: \(region)")
            #expect((region["failback"] as? String)?.hasPrefix("failed back") == true, "\(region)")
            try ReportArtifacts.verify(runDir: "\(dir)/r/\(runs.last!)", extraOutput: r.stdout + r.stderr, stateDir: dir)
            try expectBackAsBefore(dir)
        }

        /// SIGKILL of the runner once the standby cluster leads: the journal holds the demotion, the heals and
        /// the failback; `pgdrill recover` runs them and the cluster ends as it began.
        @Test func killedMidDrillRecoverFailsBack() throws {
            let dir = Lab.scratch("region-failover-kill")
            let r = try CLI.pgdrill(["run", Self.drill, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 300, signal: (SIGKILL, after: { $0.contains("runs as a primary") }))
            #expect(r.status == SIGKILL, "the drill must have been killed once the standby cluster led:\n\(r.stderr.suffix(3000))")
            let journal = try String(contentsOfFile: dir + "/lab.journal.json", encoding: .utf8)
            #expect(journal.contains("region-failback"), "the failback must be journalled: \(journal)")
            let check = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 120)
            #expect(check.status != 0, "with the region cut off the cluster cannot be healthy:\n\(check.stdout)")
            let rec = try CLI.pgdrill(["recover", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 600)
            #expect(rec.status == 0, "recover: \(rec.stdout)\n\(rec.stderr.suffix(3000))")
            #expect(rec.stdout.contains("failed back") || rec.stderr.contains("failed back"), "\(rec.stdout)\n\(rec.stderr.suffix(2000))")
            try expectBackAsBefore(dir)
        }

        /// The cluster ends as it began: a region-1 leader, the standby cluster streaming again, nothing left.
        func expectBackAsBefore(_ state: String) throws {
            let c = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: state, timeout: 120)
            #expect(c.status == 0, "cluster not healthy after the failback:\n\(c.stdout)\(c.stderr)")
            #expect(c.stdout.contains("No leftovers"), "\(c.stdout)")
            #expect(c.stdout.contains("dr1 (dr)") && c.stdout.contains("standby_leader"), "\(c.stdout)")
        }

        func psql(_ sql: String) throws -> [String] {
            let r = try CLI.run("/usr/bin/psql", ["-X", "-At", "host=\(Lab.address("px")) port=5000 dbname=drill user=drill", "-c", sql],
                                env: ["PGPASSFILE": Lab.stateDir + "/pgpass"], timeout: 60)
            #expect(r.status == 0, "psql: \(r.stderr)")
            return r.stdout.split(separator: "\n").map(String.init)
        }
    }
}

extension Lab {
    /// Whether the lab was brought up with a second region (the cluster file then has `standby_cluster:`).
    static var hasStandbyCluster: Bool {
        guard let path = clusterPath, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
        return text.contains("\nstandby_cluster:")
    }
}
