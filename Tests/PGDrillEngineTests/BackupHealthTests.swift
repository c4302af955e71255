import Foundation
import Testing
@testable import PGDrillEngine
import PGDrillModel

@Suite struct BackupHealthTests {
    @Test func archivingFailsWhenTheLastFailureIsNewerThanTheLastSuccess() throws {
        let failing = try #require(ArchiverStatus(node: "pg1", row: ["on", "16", "14", "00000001000000000000000D", "130.5", "00000001000000000000000E", "3.6"]))
        #expect(failing.isFailing)
        #expect(failing.problems.count == 1)
        #expect(failing.problems[0].contains("WAL archiving is failing on the primary pg1"))
        #expect(failing.problems[0].contains("00000001000000000000000E"))
        // Old failures (before the stanza existed) followed by successes are not a problem.
        let recovered = try #require(ArchiverStatus(node: "pg1", row: ["on", "17", "14", "00000001000000000000000E", "1.0", "00000001000000000000000E", "20.0"]))
        #expect(!recovered.isFailing && recovered.problems.isEmpty)
        let neverArchived = try #require(ArchiverStatus(node: "pg1", row: ["on", "0", "3", nil, nil, "000000010000000000000001", "1.0"]))
        #expect(neverArchived.isFailing)
        let off = try #require(ArchiverStatus(node: "pg1", row: ["off", "0", "0", nil, nil, nil, nil]))
        #expect(off.problems.first?.contains("archive_mode = off") == true)
        #expect(ArchiverStatus(node: "pg1", row: ["on"]) == nil)
    }

    static let info = """
        [{"name":"lab","status":{"code":0,"message":"ok"},
          "archive":[{"id":"15-1","max":"00000001000000000000000E","min":"000000010000000000000001"}],
          "backup":[{"label":"20261126-194727F","type":"full","timestamp":{"start":1795722440,"stop":1795722447}},
                    {"label":"20261126-201000F","type":"full","timestamp":{"start":1795723790,"stop":1795723800}}]}]
        """

    @Test func backupInventoryReadsPgBackRestInfoAndJudgesTheNewestBackup() throws {
        let inventory = try BackupInventory(json: Data(Self.info.utf8), stanza: "lab")
        #expect(inventory.statusCode == 0)
        #expect(inventory.backups.count == 2)
        #expect(inventory.latest?.label == "20261126-201000F")
        #expect(inventory.archiveMax == "00000001000000000000000E")
        let now = Date(timeIntervalSince1970: 1_795_723_800 + 3600)
        #expect(inventory.latestAge(now: now) == 3600)
        #expect(inventory.refusal(maxAge: 86_400, now: now) == nil)
        let refusal = try #require(inventory.refusal(maxAge: 60, now: now))
        #expect(refusal.contains("20261126-201000F") && refusal.contains("take a fresh one first"))
        #expect(throws: EngineError.self) { try BackupInventory(json: Data(Self.info.utf8), stanza: "other") }
        let empty = try BackupInventory(json: Data(#"[{"name":"lab","status":{"code":2,"message":"no valid backups"},"backup":[]}]"#.utf8), stanza: "lab")
        #expect(empty.refusal(maxAge: 86_400)?.contains("holds no backup") == true)
    }

    @Test func restoreTemplatesQuoteAndTargetTime() {
        let backup = BackupSettings(stanza: "lab", host: "10.0.0.5", command: "pgbackrest --config=/run/pgbackrest/pgbackrest.conf")
        let latest = RestoreTemplates.restore(backup: backup, dataDir: "/var/lib/pg data", targetTime: nil)
        #expect(latest.contains("'/var/lib/pg data'"))
        #expect(latest.contains("--stanza=lab"))
        #expect(!latest.contains("--type=time"))
        let pitr = RestoreTemplates.restore(backup: backup, dataDir: "/d", targetTime: "2026-11-26 20:18:36.817844+00")
        #expect(pitr.contains("--type=time --target='2026-11-26 20:18:36.817844+00' --target-action=promote"))
        #expect(FaultTemplates.cutOff(tag: "t", peers: ["10.0.0.11"], sshPort: 22).contains("-s 10.0.0.11 -p tcp -j REJECT --reject-with tcp-reset"))
    }
}
