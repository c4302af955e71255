import Foundation
import Testing
@testable import PGDrillCore

@Suite struct PrometheusTextfileTests {
    @Test func figuresOfEachDrillWithHelpAndType() {
        let text = PrometheusTextfile.render(run: ReportRendererTests.sampleReport())
        let lines = text.split(separator: "\n").map(String.init)
        // The failover drill: RTO 10.002 s (to the first ack, 2 ms after its attempt started), RPO 100 ms, 1 lost write; the errored drill has no figures.
        #expect(lines.contains("pgdrill_rto_seconds{drill=\"primary-node-down\",cluster=\"lab\"} 10.002"))
        #expect(lines.contains("pgdrill_rpo_seconds{drill=\"primary-node-down\",cluster=\"lab\"} 0.1"))
        #expect(lines.contains("pgdrill_lost_writes{drill=\"primary-node-down\",cluster=\"lab\"} 1"))
        #expect(lines.contains("pgdrill_recovered{drill=\"primary-node-down\",cluster=\"lab\"} 1"))
        #expect(lines.contains { $0.hasPrefix("pgdrill_error_ratio{drill=\"primary-node-down\",cluster=\"lab\"} 0.5") })
        #expect(lines.contains("pgdrill_drill_passed{drill=\"primary-node-down\",cluster=\"lab\"} 0"))
        #expect(lines.contains("pgdrill_drill_passed{drill=\"pg-wal-full\",cluster=\"lab\"} 0"))
        #expect(!text.contains("pgdrill_rto_seconds{drill=\"pg-wal-full\""))
        #expect(lines.contains("pgdrill_last_run_timestamp_seconds{cluster=\"lab\"} 1800000090"))
        #expect(lines.contains("pgdrill_last_run_exit_status{cluster=\"lab\"} 1"))
        #expect(text.hasSuffix("\n"))

        // Exposition format: every family has HELP then TYPE gauge before its samples, each family
        // appears once, and every sample line is `name{labels} value`.
        var declared: [String] = []
        var typed: Set<String> = []
        for line in lines {
            if line.hasPrefix("# HELP ") {
                declared.append(String(line.dropFirst(7).prefix { $0 != " " }))
            } else if line.hasPrefix("# TYPE ") {
                #expect(line == "# TYPE \(declared.last!) gauge")
                typed.insert(declared.last!)
            } else {
                let name = String(line.prefix { $0 != "{" })
                #expect(name == declared.last && typed.contains(name), "\(line)")
                #expect(line.range(of: #"^[a-z_]+\{([a-z_]+="([^"\\]|\\.)*",?)+\} [-+0-9.eNaInf]+$"#, options: .regularExpression) != nil, "\(line)")
            }
        }
        #expect(declared.count == Set(declared).count)
    }

    @Test func labelValuesAreEscapedAndRedacted() {
        var report = ReportRendererTests.sampleReport()
        report.cluster = "prod \"eu\"\\west\nb password=hunter2"
        report.drills[0].name = "a\"b"
        let text = PrometheusTextfile.render(run: report)
        #expect(text.contains("pgdrill_drill_passed{drill=\"a\\\"b\",cluster=\"prod \\\"eu\\\"\\\\west\\nb password=***\"} 0"))
        #expect(!text.contains("hunter2"))
        // No raw line feed inside a sample line.
        #expect(text.split(separator: "\n").allSatisfy { $0.hasPrefix("#") || $0.hasPrefix("pgdrill_") })
    }

    @Test func aDrillRunTwiceKeepsOnlyItsLastResult() {
        var report = ReportRendererTests.sampleReport()
        var again = report.drills[0]
        again.verdict = .pass
        report.drills.append(again)
        let text = PrometheusTextfile.render(run: report)
        let passed = text.split(separator: "\n").filter { $0.hasPrefix("pgdrill_drill_passed{drill=\"primary-node-down\"") }
        #expect(passed == ["pgdrill_drill_passed{drill=\"primary-node-down\",cluster=\"lab\"} 1"])
    }

    @Test(arguments: [(0.0, "0"), (10.0, "10"), (0.1, "0.1"), (Double.nan, "NaN"), (Double.infinity, "+Inf"), (1.5e-7, "1.5e-07")])
    func numbers(value: Double, text: String) {
        #expect(PrometheusTextfile.number(value) == text)
    }
}
