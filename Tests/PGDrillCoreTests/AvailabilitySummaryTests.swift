import Foundation
import Testing
@testable import PGDrillCore

private let s = Fixture.s

/// `pgdrill history`'s availability section: each cluster's app-view downtime over a period ending at its
/// newest run, against the 99.9 / 99.95 / 99.99 / 99.999 % budgets.
///
/// The fixture's drill fails its one writer from t0 for exactly `rto`, out of 29.902 s of writer-time over the
/// 30 s observed, so its application-view downtime is ⌈rto × 30 / 29.902⌉: 19 s → 19,062,271 µs, 20 s →
/// 20,065,548 µs, 10 s → 10,032,774 µs.
@Suite struct AvailabilitySummaryTests {
    static let reports = [
        HistoryTrendTests.report(day: 1, rto: 21 * s),   // exactly 30 days before the newest run: outside
        HistoryTrendTests.report(day: 10, rto: 19 * s),
        HistoryTrendTests.report(day: 20, rto: 20 * s),
        HistoryTrendTests.report(day: 31, rto: 20 * s),
        HistoryTrendTests.report(day: 5, rto: 10 * s, cluster: "staging"),
    ]

    @Test func downtimeIsSummedPerClusterOverThirtyDaysEndingAtTheNewestRun() throws {
        let trend = HistoryTrend(reports: Self.reports.map { ($0.runId, $0) })
        let entries = trend.drills[0].entries
        #expect(entries.map(\.downtime) == [21_068_825, 10_032_774, 19_062_271, 20_065_548, 20_065_548])
        let summary = trend.availability
        #expect(summary.period == 2_592_000_000_000)
        #expect(summary.clusters.map(\.cluster) == ["lab", "staging"])
        let lab = summary.clusters[0]
        #expect(lab.end == Date(timeIntervalSince1970: 1_790_000_000 + 31 * 86_400))
        #expect(lab.runs == 3)
        #expect(lab.downtime == 19_062_271 + 20_065_548 + 20_065_548)
        #expect(lab.downtime == 59_193_367)
        // Every run also has a sync-standby-down drill that measured nothing.
        #expect(lab.measuredNothing == 3 && lab.withoutApplicationView == 0)
        #expect(lab.objectives.map(\.sloThousandths) == [99_900, 99_950, 99_990, 99_999])
        #expect(lab.objectives.map(\.budget) == [2_592_000_000, 1_296_000_000, 259_200_000, 25_920_000])
        #expect(lab.objectives.map { ReportFormat.percent($0.share) } == ["2.3%", "4.6%", "22.8%", "228.4%"])
        #expect(lab.objectives.map(\.share) == [2_592_000_000, 1_296_000_000, 259_200_000, 25_920_000].map { 59_193_367 / Double($0) })
        #expect(lab.objectives.map(\.exceeded) == [false, false, false, true])
        let staging = summary.clusters[1]
        #expect(staging.runs == 1 && staging.downtime == 10_032_774)
        #expect(staging.objectives.map(\.exceeded) == [false, false, false, false])
    }

    @Test func aShorterPeriodKeepsOnlyTheNewestRuns() {
        let week: Int64 = 7 * 86_400 * s
        let lab = HistoryTrend(reports: Self.reports.map { ($0.runId, $0) }, period: week).availability.clusters[0]
        #expect(lab.runs == 1 && lab.downtime == 20_065_548)
        #expect(lab.objectives.map(\.budget) == [604_800_000, 302_400_000, 60_480_000, 6_048_000])
        #expect(lab.objectives.map { ReportFormat.percent($0.share) } == ["3.3%", "6.6%", "33.2%", "331.8%"])
    }

    @Test func rendersTheTableInBothForms() throws {
        let trend = HistoryTrend(reports: Self.reports.map { ($0.runId, $0) })
        let text = trend.render(markdown: false)
        #expect(text.contains("""
            Availability (application-view downtime of every drill run in the 30 d up to each cluster's newest run, against each objective's error budget over 30 d):
              lab: 3 drill runs up to 2026-10-22T14:13:20Z: 59.2 s of app-view downtime
                Objective  Budget         Consumed  Exceeded
                99.9%      43 min 12.0 s  2.3%
                99.95%     21 min 36.0 s  4.6%
                99.99%     4 min 19.2 s   22.8%
                99.999%    25.9 s         228.4%    EXCEEDED
                left out: 3 drill runs that measured nothing
              staging: 1 drill run up to 2026-09-26T14:13:20Z: 10.0 s of app-view downtime

            """.dropLast()))
        let md = trend.render(markdown: true)
        #expect(md.contains("## Availability\n\nApplication-view downtime of every drill run in the 30 d up to each cluster's newest run"))
        #expect(md.contains("### lab: 3 drill runs up to 2026-10-22T14:13:20Z: 59.2 s of app-view downtime\n\n| Objective | Budget | Consumed | Exceeded |"))
        #expect(md.contains("| 99.999% | 25.9 s | 228.4% | EXCEEDED |"))
        #expect(md.contains("| 99.99% | 4 min 19.2 s | 22.8% |  |"))
        #expect(md.contains("Left out: 3 drill runs that measured nothing.\n"))
        #expect(md.range(of: "## Availability")!.lowerBound < md.range(of: "## Regressions")!.lowerBound)
    }

    /// A report written before the application view (no request or failing time in its error rate) has no
    /// downtime to add: it is left out and counted, not guessed from the per-attempt share.
    @Test func reportsWithoutAnApplicationViewAreLeftOutAndSaidSo() throws {
        let old = HistoryTrendTests.report(day: 30, rto: 20 * s)
        var json = try JSONSerialization.jsonObject(with: Data(try JSONReport().render(old).utf8)) as! [String: Any]
        var drills = json["drills"] as! [[String: Any]]
        var metrics = drills[0]["metrics"] as! [String: Any]
        var main = metrics["main"] as! [String: Any]
        var errorRate = main["error_rate"] as! [String: Any]
        for key in ["observed", "request_time", "failing_time", "rate", "attempt_rate"] { errorRate[key] = nil }
        main["error_rate"] = errorRate
        metrics["main"] = main
        drills[0]["metrics"] = metrics
        json["drills"] = drills
        let dir = try HistoryTrendTests.directory([HistoryTrendTests.report(day: 31, rto: 20 * s)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/old", withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: dir + "/old/report.json"))

        let trend = try HistoryTrend.load(directory: dir)
        #expect(trend.skipped.isEmpty)
        #expect(trend.drills[0].entries.map(\.downtime) == [nil, 20_065_548])
        let lab = trend.availability.clusters[0]
        #expect(lab.runs == 1 && lab.downtime == 20_065_548)
        #expect(lab.withoutApplicationView == 1 && lab.measuredNothing == 2)
        #expect(trend.render(markdown: false).contains(
            "left out: 2 drill runs that measured nothing; 1 drill run whose report has no application view (written before pgdrill measured it)"))
    }

    @Test func noReportsNoSection() {
        let trend = HistoryTrend(reports: [])
        #expect(trend.availability.clusters.isEmpty)
        #expect(!trend.render(markdown: false).contains("Availability"))
        #expect(!trend.render(markdown: true).contains("Availability"))
    }
}
