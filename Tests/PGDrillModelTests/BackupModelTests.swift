import Foundation
import Testing
@testable import PGDrillModel

/// The disaster-recovery parts of drill and cluster files: `restore` steps, `backup_max_age`, `backup:` and
/// `scratch:`, with their errors at file:line.
@Suite struct BackupModelTests {
    static let drillHead = """
        name: r
        description: restore
        preflight: { backup_max_age: 24h }
        probe: { endpoint: write }
        observe: { until: writes_ok }
        fault:

        """

    @Test func restoreStepsAndBackupAgeParse() throws {
        let latest = try DrillLoader.load(yaml: Self.drillHead + "  - restore: { target: latest }\n", file: "r.yaml")
        #expect(latest.preflight.backupMaxAge == .seconds(86_400))
        guard case .restore(let step)? = latest.fault.first else { Issue.record("not a restore step"); return }
        #expect(step.target == .latest)
        #expect(step.timeout == .seconds(600))
        let pitr = try DrillLoader.load(yaml: Self.drillHead + "  - restore: { target: time, before_disaster: 2s, timeout: 60s }\n", file: "r.yaml")
        guard case .restore(let timed)? = pitr.fault.first else { Issue.record("not a restore step"); return }
        #expect(timed.target == .time(beforeDisaster: .seconds(2)))
        #expect(timed.timeout == .seconds(60))
        #expect(pitr.fault.first?.description.contains("2s before the disaster moment") == true)
    }

    @Test(arguments: [
        ("  - restore: { target: time }\n", "before_disaster"),
        ("  - restore: { target: latest, before_disaster: 2s }\n", "target: time"),
        ("  - restore: { target: yesterday }\n", "'latest' or 'time'"),
        ("  - restore: { taget: latest }\n", "taget"),
    ])
    func badRestoreStepsAreRefusedAtTheirLine(step: String, mentions: String) {
        do {
            _ = try DrillLoader.load(yaml: Self.drillHead + step, file: "r.yaml")
            Issue.record("accepted \(step)")
        } catch {
            #expect("\(error)".contains("r.yaml:7"), "\(error)")
            #expect("\(error)".contains(mentions), "\(error)")
        }
    }

    static let cluster = """
        name: lab
        manager: patroni
        ssh: { identity: id, known_hosts: kh }
        nodes: [{ name: pg1, host: 10.0.0.11, patroni: "http://10.0.0.11:8008" }]
        postgres: { data_dir: /data }
        endpoints: { write: "host=10.0.0.2 port=5000 dbname=app user=drill" }

        """

    @Test func backupAndScratchParse() throws {
        let spec = try ClusterLoader.load(yaml: Self.cluster + """
            backup: { tool: pgbackrest, stanza: main, host: 10.0.0.5, command: "pgbackrest --config=/etc/pgb.conf" }
            scratch: { host: 10.0.0.20, create: "make-host", destroy: "drop-host" }
            """, file: "c.yaml")
        #expect(spec.backup == BackupSettings(tool: .pgbackrest, stanza: "main", host: "10.0.0.5", command: "pgbackrest --config=/etc/pgb.conf",
                                              mark: spec.backup?.mark))
        #expect(spec.scratch?.host == "10.0.0.20")
        #expect(spec.scratch?.create == "make-host" && spec.scratch?.destroy == "drop-host")
    }

    @Test(arguments: [
        ("backup: { tool: barman, stanza: main, host: 10.0.0.5 }", "barman"),
        ("backup: { host: 10.0.0.5 }", "stanza"),
        ("scratch: { host: 10.0.0.20, create: x }", "destroy"),
    ])
    func badBackupSettingsAreRefusedAtTheirLine(line: String, mentions: String) {
        do {
            _ = try ClusterLoader.load(yaml: Self.cluster + line + "\n", file: "c.yaml")
            Issue.record("accepted \(line)")
        } catch {
            #expect("\(error)".contains("c.yaml:7"), "\(error)")
            #expect("\(error)".contains(mentions), "\(error)")
        }
    }
}
