import Foundation
import Testing

/// The restore drills against the lab's pgBackRest repository, checked independently: the restored host is
/// kept (`--keep-scratch`) and read with psql, the acknowledgements counted from probe.csv.
extension LabIntegration {
    @Suite(.serialized)
    struct RestoreIntegrationTests {
        /// The shipped drill with one more expectation that must fail (the archive never has the last seconds of
        /// writes): the restore's own figures are judged, and head the summary row.
        @Test func restoreLatestReportsExactlyTheAcknowledgedWritesTheRestoredHostLacks() throws {
            let dir = Lab.scratch("restore-latest")
            let shipped = try String(contentsOfFile: Lab.drills + "/15-restore-latest.yaml", encoding: .utf8)
            let drill = dir + "/15-restore-latest.yaml"
            try (shipped + "  restore_lost_writes: 0\n").write(toFile: drill, atomically: true, encoding: .utf8)
            let (d, runID, runDir) = try runRestoreDrill(drill, dir: dir, expectStatus: 1)
            defer { cleanUp(runID: runID) }
            #expect(d.verdict == "FAIL", "\(d.expectationsText)")
            let missed = (d.json["expectations"] as? [[String: Any]] ?? []).filter { ($0["passed"] as? Bool) == false }.compactMap { $0["metric"] as? String }
            #expect(missed == ["restore_lost_writes"], "only the deliberately impossible expectation fails: \(d.expectationsText)")
            let judged = (d.json["expectations"] as? [[String: Any]] ?? []).compactMap { $0["metric"] as? String }
            #expect(judged.contains("restore_rto") && judged.contains("restore_rpo"), "\(judged)")
            // The summary row quotes the restore, not the live cluster's "no outage".
            let markdown = try String(contentsOfFile: runDir + "/report.md", encoding: .utf8)
            let row = try #require(markdown.split(separator: "\n").first { $0.hasPrefix("| restore-latest |") }, "\(markdown.prefix(2000))")
            #expect(row.contains("(restore to read-write)") && row.contains("(restore)") && row.contains("acked writes not restored"), "\(row)")
            let happened = d.json["whatHappened"] as? [String] ?? d.json["what_happened"] as? [String] ?? []
            let line = try #require(happened.first { $0.hasPrefix("restored host holds") }, "\(happened)")
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            // "restored host holds R probe rows; of A writes acknowledged before the disaster moment, M are missing"
            let (reportedAcked, reportedMissing) = (numbers[1], numbers[2])
            let t0 = try #require(((d.json["metrics"] as? [String: Any])?["t0"] as? NSNumber)?.int64Value)

            // Independent count: acked before the disaster moment (probe.csv) minus rows on the restored host.
            let ackedBefore = try ProbeCSV.acknowledged(runDir + "/drill-restore-latest/probe.csv", before: t0)
            let present = try Set(psqlLines(Lab.scratchAddress, "SELECT writer || ':' || seq FROM pgdrill.probe WHERE run_id = '\(runID)' AND endpoint = 'write'"))
            let lost = ackedBefore.subtracting(present)
            #expect(ackedBefore.count == reportedAcked)
            #expect(lost.count == reportedMissing, "report says \(reportedMissing) missing, independent count \(lost.count)")
            // The same figures, structured, in report.json.
            let restore = try #require(d.json["restore"] as? [String: Any], "report.json has no restore object")
            #expect((restore["lost_before_cutoff"] as? NSNumber)?.intValue == lost.count, "\(restore)")
            #expect((restore["acked_before_cutoff"] as? NSNumber)?.intValue == ackedBefore.count, "\(restore)")
            #expect(restore["target"] as? String == "latest" && restore["rto"] != nil && restore["rpo"] != nil, "\(restore)")
            #expect(happened.contains { $0.hasPrefix("RPO of backup-based recovery") })
            let stages = (d.json["stages"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            for stage in ["restore: fetch + copy backup", "restore: start → first connection", "restore: WAL replay → read-write"] {
                #expect(stages.contains(stage), "\(stages)")
            }
            #expect(happened.contains { $0.contains("pg_checksums --check: no bad checksums") }, "\(happened)")
        }

        @Test func pointInTimeRestoreHoldsExactlyTheWritesCommittedBeforeTheTarget() throws {
            let dir = Lab.scratch("restore-pitr")
            let (d, runID, _) = try runRestoreDrill(Lab.drills + "/16-restore-pitr.yaml", dir: dir)
            defer { cleanUp(runID: runID) }
            #expect(d.verdict == "PASS", "\(d.expectationsText)")
            let happened = d.json["whatHappened"] as? [String] ?? d.json["what_happened"] as? [String] ?? []
            let line = try #require(happened.first { $0.contains("the recovery target ") }, "\(happened)")
            let target = String(try #require(line.range(of: #"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00"#, options: .regularExpression).map { line[$0] }))
            // Commit timestamps (track_commit_timestamp) on the live primary and on the restored host.
            let filter = "run_id = '\(runID)' AND endpoint = 'write'"
            let before = try psqlLines(Lab.address("px"), "SELECT count(*) FROM pgdrill.probe WHERE \(filter) AND pg_xact_commit_timestamp(xmin) <= '\(target)'", port: 5000)
            let after = try psqlLines(Lab.address("px"), "SELECT count(*) FROM pgdrill.probe WHERE \(filter) AND pg_xact_commit_timestamp(xmin) > '\(target)'", port: 5000)
            let restored = try psqlLines(Lab.scratchAddress, "SELECT count(*), bool_and(pg_xact_commit_timestamp(xmin) <= '\(target)') FROM pgdrill.probe WHERE \(filter)")
            #expect(Int(after.first ?? "0")! > 0, "the probe kept writing after the target: the test must be able to fail")
            #expect(restored.first == "\(before.first ?? "?")|t", "restored \(restored), committed before \(target) on the primary: \(before)")
        }

        /// Runs a shipped restore drill keeping the restored host and the probe rows for an independent read.
        func runRestoreDrill(_ file: String, dir: String, expectStatus: Int32 = 0) throws -> (Report.Drill, String, String) {
            let r = try CLI.pgdrill(["run", file, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r",
                                     "--keep-probe-rows", "--keep-scratch"], stateDir: dir, timeout: 480)
            #expect(r.status == expectStatus, "\(r.stderr.suffix(3000))")
            let report = try Report.load(dir + "/r")
            let runs = try FileManager.default.contentsOfDirectory(atPath: dir + "/r").sorted()
            return (try #require(report.drills.first), try #require(report.raw["run_id"] as? String), "\(dir)/r/\(runs.last!)")
        }

        func cleanUp(runID: String) {
            _ = try? CLI.run(Lab.root + "/lab/lab.sh", ["scratch", "destroy"], timeout: 60)
            _ = try? psqlLines(Lab.address("px"), "DELETE FROM pgdrill.probe WHERE run_id = '\(runID)'", port: 5000)
        }

        func psqlLines(_ host: String, _ sql: String, port: Int = 5432) throws -> [String] {
            let r = try CLI.run("/usr/bin/psql", ["-X", "-At", "host=\(host) port=\(port) dbname=drill user=drill", "-c", sql],
                                env: ["PGPASSFILE": Lab.stateDir + "/pgpass"], timeout: 60)
            #expect(r.status == 0, "psql on \(host): \(r.stderr)")
            return r.stdout.split(separator: "\n").map(String.init)
        }
    }
}

extension Lab {
    /// The scratch host a restore goes to, from the cluster file's `scratch.host`.
    static var scratchAddress: String { "\(netPrefix).20" }
}
