import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import PGDrillCore

@Suite struct TimelineSVGTests {
    /// Every element of the SVG with its attributes, and the text of every `<text>`.
    final class SVGCollector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var texts: [String] = []
        private var current: String?

        func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            elements.append((e, attributes))
            if e == "text" || e == "title" { current = "" }
        }
        func parser(_ p: XMLParser, foundCharacters s: String) { current? += s }
        func parser(_ p: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) {
            if e == "text", let c = current { texts.append(c) }
            if e == "text" || e == "title" { current = nil }
        }

        func named(_ name: String) -> [[String: String]] { elements.filter { $0.name == name }.map(\.attributes) }

        static func parse(_ svg: String) -> SVGCollector? {
            let parser = XMLParser(data: Data(svg.utf8))
            let collector = SVGCollector()
            parser.delegate = collector
            return parser.parse() ? collector : nil
        }
    }

    static let attempts = TimelineFixture.attempts()
    static let drill = TimelineFixture.drill(attempts: attempts)

    @Test func parsesAsSVGWithTitleAxesAndLegend() throws {
        let svg = TimelineSVG().render(drill: Self.drill, attempts: Self.attempts)
        let doc = try #require(SVGCollector.parse(svg))
        let root = try #require(doc.elements.first)
        #expect(root.name == "svg")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(root.attributes["viewBox"]?.hasPrefix("0 0 1000 ") == true)
        #expect(root.attributes["font-family"] == "sans-serif")
        #expect(doc.texts.contains("primary-node-down — PASS"))
        #expect(doc.texts.contains("Acknowledged writes/s"))
        #expect(doc.texts.contains("Requests failing (% of the application's requests: time in failed attempts and back-off)"))
        #expect(doc.texts.contains { $0.hasPrefix("Latency of acknowledged writes (log scale)") })
        #expect(doc.texts.contains("seconds after the fault was sent (t0)"))
        for endpoint in ["write", "pooled", "read"] { #expect(doc.texts.contains("endpoint \(endpoint)")) }
        // x axis relative to t0: 0 and -10 (steady started 10 s before the fault) are ticks.
        #expect(doc.texts.contains("0") && doc.texts.contains("-10") && doc.texts.contains("40"))
        // Nothing a browser or GitHub would refuse or fetch.
        #expect(!svg.contains("<script") && !svg.contains("href") && !svg.contains("@import"))
    }

    @Test func drawsThePhasesTheAnalysisFound() throws {
        let svg = TimelineSVG().render(drill: Self.drill, attempts: Self.attempts)
        let doc = try #require(SVGCollector.parse(svg))
        let phases = try #require(Self.drill.metrics?.phases)
        #expect(phases.detection?.offset == 20 * Fixture.s)
        for label in ["fault sent", "leader lost pg1", "promoted pg2", "routed pg2", "first ok write pg2", "rollback"] {
            #expect(doc.texts.contains(label), "missing marker \(label)")
        }
        #expect(doc.texts.contains { $0.hasPrefix("stable (RTO ") })
        // Markers sit where their time maps: the fault at x(t0), the rollback at x(45 s).
        let chart = TimelineChart(drill: Self.drill, bins: bins(Self.attempts), redactor: Redactor())
        let lines = doc.named("line")
        let faultX = TimelineAxis.trimmed(chart.x(TimelineFixture.t0))
        #expect(lines.contains { $0["stroke"] == "#c0392b" && $0["x1"] == faultX })
        let rollbackX = TimelineAxis.trimmed(chart.x(45 * Fixture.s))
        #expect(lines.contains { $0["stroke"] == "#7d3c98" && $0["x1"] == rollbackX })
        // Fault window shaded from t0 to the rollback on each of the three panels.
        let shaded = doc.named("rect").filter { $0["fill"] == "#f9d9d4" && $0["y"] != "-10" }
        #expect(shaded.count == 3)
        #expect(shaded.allSatisfy { $0["x"] == faultX })
        let width = Double(shaded[0]["width"] ?? "") ?? 0
        #expect(abs(width - (chart.x(45 * Fixture.s) - chart.x(TimelineFixture.t0))) < 0.2)
    }

    /// Disaster recovery on the timeline like failover phases: a restore's stages and a region failover's moments.
    @Test func drawsRestoreStagesAndRegionFailoverMoments() throws {
        var drill = Self.drill
        let t0 = TimelineFixture.t0
        drill.restore = RestoreReport(target: "latest", recoveryTargetTime: nil, disasterAt: t0, cutoffAt: t0, readWriteAt: t0 + 9 * Fixture.s,
                                      stages: [StageTiming(name: "restore: fetch + copy backup", start: t0 + Fixture.s, end: t0 + 4 * Fixture.s),
                                               StageTiming(name: "restore: WAL replay → read-write", start: t0 + 5 * Fixture.s, end: t0 + 9 * Fixture.s)],
                                      verification: nil, checks: [], problems: [])
        drill.regionFailover = RegionFailoverReport(standbyCluster: "dr", replicationCutAt: t0 - 5 * Fixture.s, regionCutAt: t0,
                                                    promotionRequestedAt: t0 + 10 * Fixture.s, promotedAt: t0 + 11 * Fixture.s, promotedNode: "dr1")
        let doc = try #require(SVGCollector.parse(TimelineSVG().render(drill: drill, attempts: Self.attempts)))
        for label in ["fetch + copy backup done", "WAL replay → read-write done", "DR link cut", "promote 'dr' requested", "dr1 primary"] {
            #expect(doc.texts.contains(label), "missing marker \(label)")
        }
        let markers = TimelineMarker.markers(of: drill)
        #expect(markers.first { $0.label == "DR link cut" }?.at == t0 - 5 * Fixture.s)
        #expect(markers.map(\.at) == markers.map(\.at).sorted())
    }

    @Test func oneLinePerEndpointAndSeries() throws {
        let svg = TimelineSVG().render(drill: Self.drill, attempts: Self.attempts)
        let doc = try #require(SVGCollector.parse(svg))
        let paths = doc.named("path")
        for (e, colour) in TimelineChart.palette.prefix(3).enumerated() {
            // acked/s, errors/s (line + fill), p50, p99.
            let own = paths.filter { $0["stroke"] == colour || $0["fill"] == colour }
            #expect(own.count == 5, "endpoint \(e)")
            #expect(own.filter { $0["stroke-dasharray"] == "4 2" }.count == 1)
        }
        // No NaN or infinity leaked into coordinates.
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }

    @Test func staysSmallForATenMinuteRun() throws {
        let runEnd: Int64 = 600 * Fixture.s
        let attempts = TimelineFixture.attempts(runEnd: runEnd)
        let drill = TimelineFixture.drill(attempts: attempts, runEnd: runEnd)
        let svg = TimelineSVG().render(drill: drill, attempts: attempts)
        #expect(svg.utf8.count < 300_000, "\(svg.utf8.count) bytes")
        #expect(SVGCollector.parse(svg) != nil)
        #expect(svg.contains("buckets of 1.6 s"))
    }

    @Test func rendersWithoutMetricsOrAttempts() throws {
        let empty = DrillReport(name: "pg-wal-full <&>", verdict: .error, errors: ["ssh failed"])
        let svg = TimelineSVG().render(drill: empty, attempts: [ProbeAttempt]())
        let doc = try #require(SVGCollector.parse(svg))
        #expect(doc.texts.contains("pg-wal-full <&> — ERROR"))
        #expect(doc.texts.contains("no probe attempts recorded"))
        #expect(doc.named("path").isEmpty)
    }

    @Test func redactsText() throws {
        var drill = Self.drill
        drill.scenario = "shell: psql password=hunter2"
        let svg = TimelineSVG().render(drill: drill, attempts: Self.attempts)
        #expect(!svg.contains("hunter2"))
        #expect(svg.contains("password=***"))
    }

    func bins(_ attempts: [ProbeAttempt]) -> TimelineBins {
        var b = TimelineBins()
        for a in attempts { b.add(a) }
        return b
    }

    /// Writes the sample chart to $PGDRILL_SAMPLE_SVG when set, and a ten-minute one beside it
    /// (`-10min.svg`), for a person to look at.
    @Test func writeSampleWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["PGDRILL_SAMPLE_SVG"] else { return }
        try TimelineSVG().render(drill: Self.drill, attempts: Self.attempts).write(toFile: path, atomically: true, encoding: .utf8)
        let runEnd: Int64 = 600 * Fixture.s
        let long = TimelineFixture.attempts(runEnd: runEnd)
        try TimelineSVG().render(drill: TimelineFixture.drill(attempts: long, runEnd: runEnd), attempts: long)
            .write(toFile: path.replacingOccurrences(of: ".svg", with: "-10min.svg"), atomically: true, encoding: .utf8)
    }
}

@Suite struct TimelineGatheredTests {
    /// Counts gathered during the analysis's two passes give the same chart as a pass of the chart's own,
    /// and the analysis's figures do not change because something listens in.
    @Test func gatheredDuringTheAnalysisEqualsItsOwnPass() {
        let drill = TimelineSVGTests.drill
        let attempts = TimelineSVGTests.attempts
        let gathered = TimelineSVG.Gathered()
        let input = DrillAnalysisInput(endpoint: "write", steadyStart: 0, t0: 10_000_000, observeEnd: 40_000_000,
                                       runEnd: 60_000_000, stableFor: 5_000_000)
        let tapped = DrillAnalyzer(input).analyze(gathered.tapping(attempts))
        #expect(tapped == DrillAnalyzer(input).analyze(attempts))
        #expect(TimelineSVG().render(drill: drill, gathered: gathered) == TimelineSVG().render(drill: drill, attempts: attempts))
    }
}
