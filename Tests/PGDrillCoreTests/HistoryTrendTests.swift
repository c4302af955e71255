import Foundation
import Testing
@testable import PGDrillCore

private let s = Fixture.s

@Suite struct HistoryTrendTests {

    /// A report of one run of `primary-node-down` (plus `sync-standby-down`, always passing) with
    /// the given main-endpoint RTO and lost writes, made by the real analyzer and encoder.
    static func report(day: Int, rto: Int64?, lost: Int = 0, cluster: String = "lab") -> RunReport {
        // Writes fail from t0 (10 s) until `rto` (or until the end: not recovered), 100 ms apart.
        let outageEnd = rto.map { 10 * s + $0 } ?? 40 * s
        let failed = Int((outageEnd - 10 * s) / (100 * Fixture.ms))
        let okAfter = Int((40 * s - outageEnd) / (100 * Fixture.ms))
        let attempts = Fixture.series(from: 0, count: 100)
            + Fixture.series(firstSeq: 101, from: 10 * s, count: failed, length: 50 * Fixture.ms, outcome: .fail)
            + Fixture.series(firstSeq: 101 + Int64(failed), from: outageEnd, count: okAfter, server: Fixture.serverB, timeline: 2)
        var held = Fixture.keys(attempts)
        for seq in Int64(100 - lost + 1)..<101 { held.remove(WriteKey(endpoint: "write", writer: 0, seq: seq)) }
        let metrics = DrillAnalyzer(Fixture.input(observeEnd: 40 * s, runEnd: 40 * s, stableFor: 2 * s, readBack: ReadBack(["pg2": held])))
            .analyze(attempts)
        let verdict: Verdict = lost > 0 || rto == nil || rto! > 30 * s ? .fail : .pass
        let start = Date(timeIntervalSince1970: 1_790_000_000 + Double(day) * 86_400)
        return RunReport(
            runId: "run-\(day)", cluster: cluster, pgdrillVersion: "0.1.0", startedAt: start, endedAt: start + 60, exitStatus: verdict == .pass ? 0 : 1,
            drills: [
                DrillReport(name: "primary-node-down", verdict: verdict, metrics: metrics),
                DrillReport(name: "sync-standby-down", verdict: .pass),
            ]
        )
    }

    /// Writes each report as `<dir>/<runId>/report.json` with the real renderer.
    static func directory(_ reports: [RunReport]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-history-\(UUID().uuidString)")
        for r in reports {
            let folder = dir.appendingPathComponent(r.runId)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try JSONReport().render(r).write(to: folder.appendingPathComponent("report.json"), atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    @Test func trendRowsComeFromEveryReportOldestFirst() throws {
        // Written out of date order: the trend sorts by date, not by folder name.
        let dir = try Self.directory([Self.report(day: 3, rto: 20 * s), Self.report(day: 1, rto: 21 * s), Self.report(day: 2, rto: 19 * s)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trend = try HistoryTrend.load(directory: dir)
        #expect(trend.drills.map(\.drill) == ["primary-node-down", "sync-standby-down"])
        let rows = trend.drills[0].entries
        #expect(rows.map(\.runId) == ["run-1", "run-2", "run-3"])
        #expect(rows.map(\.source) == ["run-1/report.json", "run-2/report.json", "run-3/report.json"])
        #expect(rows.map(\.rto) == [21 * s + 2_000, 19 * s + 2_000, 20 * s + 2_000])  // to the first ack: attempts take 2 ms
        #expect(rows.allSatisfy { $0.cluster == "lab" && $0.lostWrites == 0 && $0.rpo == 0 && $0.verdict == .pass })
        // Application view: 21 s of the writer's time failing out of the 29.902 s its attempts account for in
        // [t0, observeEnd] (the last attempt, at +29.9 s, ends 2 ms later).
        #expect(abs(rows[0].errorRate! - 21.0 / 29.902) < 1e-9)
        #expect(trend.drills[1].entries.allSatisfy { $0.recovery == nil && $0.rto == nil })
        #expect(trend.regressions.isEmpty)
        #expect(trend.skipped.isEmpty)

        let text = trend.render(markdown: false)
        #expect(text.contains("primary-node-down (3 runs)"))
        #expect(text.contains("No regressions."))
        let md = trend.render(markdown: true)
        #expect(md.contains("| Date | Cluster | Run | RTO | Detect | RPO | Lost writes | App errors | Verdict | Regression |"))
        #expect(md.contains("| 2026-09-23T14:13:20Z | lab | run-2 | 19.0 s | n/a | 0 s | 0 | 63.5% | PASS |  |"))
    }

    @Test func steadySeriesWithNoiseIsNotFlagged() {
        // +24 % over the median, and +3 s over it but only +11 %: both inside the margins.
        let reports = [21, 20, 22, 21, 26].enumerated().map { Self.report(day: $0.offset, rto: Int64($0.element) * s) }
            + [Self.report(day: 9, rto: 24 * s)]
        let trend = HistoryTrend(reports: reports.map { ($0.runId, $0) })
        #expect(trend.regressions.isEmpty, "\(trend.regressions)")
    }

    @Test func smallAbsoluteIncreaseIsNoise() {
        // 0.5 s → 1.2 s is +140 % but under 1 s more: not a regression.
        let reports = [Self.report(day: 1, rto: 500_000), Self.report(day: 2, rto: 500_000), Self.report(day: 3, rto: 1_200_000)]
        #expect(HistoryTrend(reports: reports.map { ($0.runId, $0) }).regressions.isEmpty)
    }

    @Test func slowerFailoverDataLossAndFailingVerdictAreFlagged() throws {
        let dir = try Self.directory([
            Self.report(day: 1, rto: 20 * s), Self.report(day: 2, rto: 22 * s), Self.report(day: 3, rto: 21 * s),
            Self.report(day: 4, rto: 27 * s),             // 21 s median → +29 %, +6 s: slower, still PASS
            Self.report(day: 5, rto: 21 * s, lost: 3),     // data loss, PASS → FAIL
            Self.report(day: 6, rto: nil),                 // not recovered (previous was FAIL: no verdict flag)
            Self.report(day: 7, rto: 25 * s, cluster: "staging"),  // first staging run: nothing to compare with
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trend = try HistoryTrend.load(directory: dir)
        let flagged = trend.regressions.map { "\($0.runId) \($0.kind)" }
        #expect(flagged == ["run-4 slower_recovery", "run-5 data_loss", "run-5 verdict_failed", "run-6 not_recovered"])
        #expect(trend.regressions[0].message == "RTO 27.0 s vs median 21.0 s of 3 earlier runs (+29%)")
        #expect(trend.regressions[1].message == "3 acknowledged writes lost; the 4 earlier verified runs lost none")
        #expect(trend.regressions[2].message == "verdict PASS → FAIL (previous run run-4)")
        #expect(trend.regressions[3].message == "not recovered within observation; median RTO of 5 earlier runs was 21.0 s")

        let text = trend.render(markdown: false)
        if let path = ProcessInfo.processInfo.environment["PGDRILL_SAMPLE_HISTORY"] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(text.contains("Regressions:\n  ! primary-node-down on lab, run run-4: RTO 27.0 s vs median 21.0 s of 3 earlier runs (+29%)\n"))
        #expect(text.contains("FAIL     data loss, PASS→FAIL"))
        let md = trend.render(markdown: true)
        #expect(md.contains("| not recovered | n/a | 0 s | 0 | "))
        #expect(md.contains("- **primary-node-down on lab, run run-6: not recovered within observation;"))
    }

    /// A changed ttl between two runs is named with both values, through report.json and back; a report
    /// without settings (written before they were read) is never compared.
    @Test func aConfigurationChangeBetweenRunsIsFlagged() throws {
        func settings(ttl: Double) -> FailoverSettings {
            FailoverSettings(manager: "patroni", patroni: PatroniTimeouts(ttl: ttl, loopWait: 1, retryTimeout: 4),
                             haproxy: HAProxyChecks(backend: "write", inter: 0.5, fall: 2, rise: 1))
        }
        var reports = [Self.report(day: 1, rto: 20 * s), Self.report(day: 2, rto: 21 * s), Self.report(day: 3, rto: 25 * s),
                       Self.report(day: 4, rto: 25 * s)]
        reports[1].drills[0].failoverSettings = settings(ttl: 20)
        reports[2].drills[0].failoverSettings = settings(ttl: 30)
        reports[3].drills[0].failoverSettings = settings(ttl: 30)
        let trend = try HistoryTrend.load(directory: try Self.directory(reports))
        #expect(trend.configurationChanges.map(\.runId) == ["run-3"])
        #expect(trend.configurationChanges.first?.changes == ["patroni.ttl 20 → 30"])
        #expect(trend.render(markdown: true).contains("## Configuration changes\n\n- primary-node-down on lab, run run-3: patroni.ttl 20 → 30"))
        #expect(trend.render(markdown: false).contains("  ~ primary-node-down on lab, run run-3: patroni.ttl 20 → 30"))
        #expect(ConfigurationChange.changes(from: ["a=1", "b=2"], to: ["a=1", "c=3"]) == ["c 3 (not read before)", "b 2 (not read now)"])
    }

    @Test func damagedOrNewerReportsAreSkippedNotFatal() throws {
        let dir = try Self.directory([Self.report(day: 1, rto: 20 * s)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/broken", withIntermediateDirectories: true)
        try "{\"schema_version\": 1}".write(toFile: dir + "/broken/report.json", atomically: true, encoding: .utf8)
        var future = Self.report(day: 2, rto: 20 * s)
        future.schemaVersion = 99
        try FileManager.default.createDirectory(atPath: dir + "/future", withIntermediateDirectories: true)
        try JSONReport().render(future).write(toFile: dir + "/future/report.json", atomically: true, encoding: .utf8)

        let trend = try HistoryTrend.load(directory: dir)
        #expect(trend.drills[0].entries.count == 1)
        #expect(trend.skipped.map(\.source) == ["broken/report.json", "future/report.json"])
        #expect(trend.skipped[0].reason.hasPrefix("not a pgdrill report: "))
        #expect(trend.skipped[1].reason.contains("schema version 99"))
        #expect(trend.render(markdown: false).contains("Skipped:\n  broken/report.json: not a pgdrill report"))
    }

    @Test func missingDirectoryIsAnError() {
        #expect(throws: HistoryError.self) { try HistoryTrend.load(directory: "/nonexistent/pgdrill-reports") }
    }

    @Test(arguments: [([Int64](), nil), ([3], 3), ([5, 1], 3), ([9, 1, 5], 5)] as [([Int64], Int64?)])
    func median(values: [Int64], expected: Int64?) {
        #expect(HistoryRegression.median(values) == expected)
    }
}
