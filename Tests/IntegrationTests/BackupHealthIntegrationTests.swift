import Foundation
import Testing

/// Archive and backup health on the lab's pgBackRest repository: `check` must flag a broken
/// `archive_command`, and a drill that needs a recent backup must refuse to start without one.
extension LabIntegration {
    @Suite(.serialized)
    struct BackupHealthIntegrationTests {
        @Test func checkFlagsABrokenArchiveCommandAndNamesTheCause() throws {
            let dir = Lab.scratch("archive-broken")
            let original = try Patroni.parameter("archive_command")
            #expect(original.contains("archive-push"), "the lab archives with pgBackRest: \(original)")
            try Patroni.setParameter("archive_command", "/bin/false")
            defer {
                try? Patroni.setParameter("archive_command", original)
                // Archiving resumes on the next segment: write, then wait until check is healthy again.
                for _ in 0..<60 {
                    Lab.writeSomething()
                    if let r = try? CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 60), r.status == 0 { break }
                    Thread.sleep(forTimeInterval: 1)
                }
            }
            // archive_timeout is 5 s: a write completes a segment within 5 s, whose archiving then fails.
            var flagged: CLIResult?
            for _ in 0..<30 {
                Lab.writeSomething()
                Thread.sleep(forTimeInterval: 1)
                let r = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 60)
                if r.status != 0 { flagged = r; break }
            }
            let r = try #require(flagged, "check never flagged the failing archive_command")
            #expect(r.status == 2)
            #expect(r.stdout.contains("WAL archiving is failing on the primary"), "\(r.stdout)")
            #expect(r.stdout.contains("check archive_command"), "\(r.stdout)")
        }

        @Test func aDrillNeedingARecentBackupRefusesWithoutOne() throws {
            let dir = Lab.scratch("backup-age")
            let drill = dir + "/needs-backup.yaml"
            try """
            name: needs-fresh-backup
            description: Needs a backup younger than one second, which no repository has.
            preflight: { backup_max_age: 1s }
            probe: { endpoint: write, writers: 1 }
            steady: 1s
            fault:
              - restore: { target: latest }
            observe: { until: [writes_ok], timeout: 10s, stable_for: 1s }
            """.write(toFile: drill, atomically: true, encoding: .utf8)
            let r = try CLI.pgdrill(["run", drill, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 120)
            #expect(r.status == 2, "\(r.stderr.suffix(2000))")
            #expect(r.stderr.contains("take a fresh one first") || r.stderr.contains("take one first"), "\(r.stderr.suffix(2000))")
        }
    }
}

extension Patroni {
    /// A PostgreSQL parameter from Patroni's DCS configuration.
    static func parameter(_ name: String) throws -> String {
        let r = try Lab.patroniCurl("pg1", "/config", ["-s", "-f", "--max-time", "10"], timeout: 20)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let parameters = (json?["postgresql"] as? [String: Any])?["parameters"] as? [String: Any]
        return parameters?[name] as? String ?? ""
    }

    static func setParameter(_ name: String, _ value: String) throws {
        let body = try JSONSerialization.data(withJSONObject: ["postgresql": ["parameters": [name: value]]])
        let r = try Lab.patroniCurl("pg1", "/config", ["-s", "-f", "--max-time", "10", "-X", "PATCH", "-H", "Content-Type: application/json",
                                                    "-d", String(decoding: body, as: UTF8.self)], timeout: 20)
        #expect(r.status == 0, "PATCH /config failed: \(r.stderr)")
        // Patroni applies it on its next loop (loop_wait 1 s) with a reload.
        Thread.sleep(forTimeInterval: 2.5)
    }
}

extension Lab {
    /// A small write through the write endpoint: WAL for the archiver to ship.
    static func writeSomething() {
        _ = try? CLI.run("/usr/bin/psql", ["-X", "-q", "host=\(address("px")) port=5000 dbname=drill user=drill", "-c",
                                           "CREATE TABLE IF NOT EXISTS archive_nudge (at timestamptz); INSERT INTO archive_nudge VALUES (now())"],
                         env: ["PGPASSFILE": stateDir + "/pgpass"], timeout: 30)
    }
}
