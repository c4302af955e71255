import Foundation
import PGDrillModel
import Testing
@testable import PGDrillCore

/// `schema/report.schema.json` against what `JSONReport` really writes.
@Suite struct ReportSchemaTests {
    static let schemaPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schema/report.schema.json").path

    static func schema() throws -> JSONValue {
        try JSONValue.parse(String(contentsOfFile: schemaPath, encoding: .utf8))
    }

    /// The sample report with every optional field and every array element type present, so a
    /// schema property the encoder never writes shows up as unseen.
    static func fullReport() -> RunReport {
        var report = ReportRendererTests.sampleReport()
        report.drills[0].clusterBefore?.manager = "patroni"
        report.drills[0].clusterBefore?.managerVersion = "3.0.2"
        report.drills[0].clusterBefore?.synchronousMode = false
        report.drills[0].availability = ErrorBudget(sloThousandths: 99_990, period: 30 * 86_400 * Fixture.s, failuresPerPeriod: 1,
                                                    downtime: 20_368_200, rtoOutage: 19_900_000)
        // Every field of the failover settings and the RTO budget, so the schema is checked against all of them.
        report.drills[0].failoverSettings = FailoverSettings(
            manager: "patroni",
            patroni: PatroniTimeouts(ttl: 20, loopWait: 1, retryTimeout: 4, synchronousMode: true, version: "4.1.5", adjustments: ["ttl 10 raised to 20"]),
            haproxy: HAProxyChecks(backend: "write", inter: 0.5, fall: 2, rise: 1, timeoutCheck: 2),
            repmgr: RepmgrReconnect(), archiveTimeout: 5, synchronousStandbyNames: "pg2", sources: ["GET /config on pg1"], unread: ["none"])
        report.drills[0].rtoBudget = RTOBudget.make(
            .primaryLost, settings: report.drills[0].failoverSettings!,
            phases: FailoverPhases(detection: PhaseMark(offset: 19_700_000), promotion: PhaseMark(offset: 20_300_000),
                                   routing: PhaseMark(offset: 20_100_000), client: PhaseMark(offset: 20_320_000)),
            rto: 20_320_000, target: try! Threshold(parsing: "< 15s"))
        report.drills[0].onCall = OnCallReport(
            handoverAt: 115_000, deadline: 300_000_000, acknowledgedAt: 5_200_000, firstActionAt: 20_800_000, humanRTO: 21_100_000,
            restoredBy: "operator", operatorKind: "keyboard",
            timeline: [OperatorAction(at: 5_200_000, signal: "acknowledged", what: "acknowledged the page", runbookStep: 1)],
            runbook: ["Acknowledge (sees acknowledged)"], unseenSteps: [2], pattern: "human RTO 21.1 s", notes: ["ttl bounds it"])
        var alerts = AlertsReport(prometheus: "http://p:9090", alertmanager: "http://a:9093", matchers: ["cluster": "lab"],
                                  pollInterval: 500_000, watchedFrom: 1_000_000)
        alerts.watchedUntil = 90_000_000
        var instance = AlertInstance(name: "PostgreSQLNoLeader", labels: ["cluster": "lab"], pendingAt: 12_000_000, firingAt: 22_000_000, resolvedAt: 40_000_000)
        instance.alertmanagerAt = 22_100_000
        instance.alertmanagerState = "suppressed"
        instance.silencedByDrill = true
        alerts.instances = [instance]
        alerts.rules = ["PostgreSQLNoLeader": 10_000_000]
        alerts.outages = [MonitoringOutage(api: "Prometheus", from: 30_000_000, to: 31_000_000, error: "timeout")]
        var silence = SilenceRecord(id: "s1", matchers: ["cluster": "lab"], createdAt: 1_000_000, endsAt: "2026-12-07T23:55:34.725Z")
        silence.expiredAt = 90_000_000
        silence.problem = "none"
        alerts.silence = silence
        alerts.polls = 178
        alerts.failedPolls = 2
        report.drills[0].alerts = alerts
        report.drills[0].monitorSources = [MonitorSourceStats(source: "pg1 SQL", polls: 10, failures: 10, lastError: "fe_sendauth: no password supplied")]
        var metrics = report.drills[0].metrics!
        var also = metrics.main
        also.endpoint = "pooled"
        metrics.also = [also]
        metrics.splitBrain = SplitBrainReport(
            ackOverlaps: [AckOverlap(serverA: Fixture.serverA, nodeA: "pg1", serverB: Fixture.serverB, nodeB: "pg2", from: 1, to: 2, acksA: 1, acksB: 1)],
            writableOverlaps: [WritableOverlap(nodeA: "pg1", nodeB: "pg2", from: 1, to: 2, isSplitBrain: false, resolution: 100_000, acksA: 0, acksB: 3)]
        )
        metrics.recordProblems = ["writer 3 of endpoint 'write' recorded no attempt at all"]
        var writes = metrics.writes!
        writes.primary.phantoms = [WriteKey(endpoint: "write", writer: 0, seq: 150)]
        var replica = writes.primary
        replica.node = "pg3"
        replica.timeline = 2
        replica.notVerified = "had not replayed the primary's WAL up to 0/3000060 after 30 s"
        writes.replicas = [replica]
        metrics.writes = writes
        report.drills[0].metrics = metrics
        report.drills[0].events.append(ClusterEvent(at: 3, kind: .timelineChanged, node: "pg2", timeline: 2, detail: "promoted"))
        var verification = RestoreVerification(cutoff: 10, disaster: 12, rowsPresent: 90)
        verification.ackedBeforeCutoff = 100
        verification.lostBeforeCutoff = 10
        verification.lastRestoredAck = 9
        verification.newestRestoredCommit = 8
        report.drills[0].restore = RestoreReport(
            target: "time", recoveryTargetTime: "2026-11-26 22:00:00.000000+00", disasterAt: 12, cutoffAt: 10, readWriteAt: 20,
            stages: [StageTiming(name: "restore: fetch + copy backup", start: 12, end: 15)], verification: verification,
            checks: ["pg_amcheck --all: clean"], problems: ["none really"])
        report.drills[0].regionFailover = RegionFailoverReport(
            standbyCluster: "dr", replicationCutAt: -5, regionCutAt: 0, promotionRequestedAt: 10, promotedAt: 11, promotedNode: "dr1",
            failback: "failed back in 24.7 s")
        // A restore that held nothing of the run and no commit time: only a floor for the RPO.
        var nothingRestored = report.drills[0]
        var none = RestoreVerification(cutoff: 10, disaster: 12, rowsPresent: 0)
        none.ackedBeforeCutoff = 5
        none.lostBeforeCutoff = 5
        none.firstLostAck = 4
        nothingRestored.restore = RestoreReport(target: "latest", recoveryTargetTime: nil, disasterAt: 12, cutoffAt: 12, readWriteAt: 20,
                                                stages: [], verification: none, checks: [], problems: [])
        report.drills.append(nothingRestored)
        return report
    }

    static func validate(_ json: String) throws -> JSONSchemaValidator {
        var validator = JSONSchemaValidator(schema: try schema())
        validator.validate(try JSONValue.parse(json))
        return validator
    }

    @Test func renderedReportsMatchTheSchema() throws {
        for report in [Self.fullReport(), ReportRendererTests.sampleReport(),
                       RunReport(runId: "r", cluster: "c", pgdrillVersion: "0", startedAt: Date(timeIntervalSince1970: 0),
                                 endedAt: Date(timeIntervalSince1970: 1), exitStatus: 2, drills: [])] {
            let validator = try Self.validate(try JSONReport().render(report))
            #expect(validator.errors == [])
        }
    }

    @Test func schemaDeclaresNothingTheReportLacks() throws {
        let validator = try Self.validate(try JSONReport().render(Self.fullReport()))
        let unseen = validator.declaredProperties().subtracting(validator.seen)
        #expect(unseen.sorted() == [], "declared in the schema but never written by JSONReport")
    }

    /// The schema and validator together can fail: each mutation of a valid report is caught.
    @Test(arguments: [
        ("drop run_id", "missing required property run_id"),
        ("unknown top-level key", "property extra is not allowed"),
        ("bad verdict", "is not one of"),
        ("t0 as string", "$.drills[0].metrics.t0: expected"),
        ("camelCase key", "property probeLog is not allowed"),
        ("negative count", "below the minimum"),
        ("bad date", "not an RFC 3339 date-time"),
    ])
    func mutationsAreCaught(mutation: String, expected: String) throws {
        let json = try JSONReport().render(ReportRendererTests.sampleReport())
        var o = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        switch mutation {
        case "drop run_id": o["run_id"] = nil
        case "unknown top-level key": o["extra"] = 1
        case "bad verdict": Self.drill0(&o) { $0["verdict"] = "MAYBE" }
        case "t0 as string": Self.drill0(&o) { d in Self.change(&d, "metrics") { $0["t0"] = "10" } }
        case "camelCase key": Self.drill0(&o) { d in d["probeLog"] = d["probe_log"]; d["probe_log"] = nil }
        case "negative count": Self.drill0(&o) { d in Self.change(&d, "metrics") { m in Self.change(&m, "main") { $0["attempts"] = -1 } } }
        case "bad date": o["started_at"] = "yesterday"
        default: Issue.record("unknown mutation \(mutation)")
        }
        let mutated = String(decoding: try JSONSerialization.data(withJSONObject: o), as: UTF8.self)
        let validator = try Self.validate(mutated)
        #expect(validator.errors.contains { $0.contains(expected) }, "\(mutation): \(validator.errors)")
    }

    static func change(_ o: inout [String: Any], _ key: String, _ edit: (inout [String: Any]) -> Void) {
        var inner = o[key] as! [String: Any]
        edit(&inner)
        o[key] = inner
    }

    static func drill0(_ o: inout [String: Any], _ change: (inout [String: Any]) -> Void) {
        var drills = o["drills"] as! [[String: Any]]
        change(&drills[0])
        o["drills"] = drills
    }

    /// Cross-check with Python's reference implementation, where it is installed: the schema is a
    /// valid 2020-12 schema and the report validates (formats checked too).
    @Test func pythonJSONSchemaAgrees() throws {
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-schema-\(UUID().uuidString).json")
        try JSONReport().render(Self.fullReport()).write(to: report, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: report) }
        let script = """
        import json, sys
        try:
            import jsonschema
        except ImportError:
            sys.exit(3)
        s = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(s)
        jsonschema.Draft202012Validator(s, format_checker=jsonschema.FormatChecker()).validate(json.load(open(sys.argv[2])))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, Self.schemaPath, report.path]
        let stderr = Pipe()
        process.standardError = stderr
        do { try process.run() } catch {
            withKnownIssue("python3 is not installed: schema not cross-checked") { throw error }
            return
        }
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 3 || process.terminationStatus == 127 {
            withKnownIssue("python3 with jsonschema is not installed: schema not cross-checked") { Issue.record("exit \(process.terminationStatus)") }
            return
        }
        #expect(process.terminationStatus == 0, "\(message)")
    }
}
