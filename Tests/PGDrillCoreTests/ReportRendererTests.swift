import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import PGDrillCore

@Suite struct ReportRendererTests {
    static let secret = "s3cr3t-Pa55"

    static func sampleReport() -> RunReport {
        let attempts = Fixture.failover
        let lost = Fixture.keys(attempts).filter { $0.seq != 95 }
        let metrics = DrillAnalyzer(Fixture.input(events: Fixture.failoverEvents, readBack: ReadBack(["pg2": lost])))
            .analyze(attempts)
        let before = ClusterSnapshot(members: [
            .init(name: "pg1", host: "10.77.0.11", role: .leader, state: .running, timeline: 1),
            .init(name: "pg2", host: "10.77.0.12", role: .syncStandby, state: .streaming, timeline: 1, lagBytes: 0),
        ], leader: "pg1", takenAt: 9 * Fixture.s)
        let passing = DrillReport(
            name: "primary-node-down", description: "Patroni and PostgreSQL on the primary die at once",
            scenario: "kill patroni|postgres on primary", verdict: .fail,
            whatHappened: ["primary pg1 failed over to pg2 (timeline 1→2)"],
            expectations: [
                ExpectationResult(metric: "rto", target: "< 60s", measured: "10.0 s", passed: true),
                ExpectationResult(metric: "lost_writes", target: "0", measured: "1", passed: false, detail: "write/0/95 <missing> & gone"),
            ],
            metrics: metrics, clusterBefore: before, clusterAfter: before, events: Fixture.failoverEvents
                + [ClusterEvent(at: 1, kind: .note, detail: "connected with host=10.77.0.1 password=\(secret) user=drill")],
            probeLog: "drill-primary-node-down/probe.csv", probeRunId: "20261126-1200",
            stages: [StageTiming(name: "steady", start: 0, end: 10 * Fixture.s), StageTiming(name: "observe", start: 10 * Fixture.s, end: 30 * Fixture.s)],
            faultInjection: FaultInjectionTiming(host: "pg1", decisionToEffect: 800, decisionToSent: 150, decisionToReturn: 1_900), notes: ["probe used postgresql://drill:\(secret)@10.77.0.1:5000/postgres"]
        )
        let errored = DrillReport(
            name: "pg-wal-full", scenario: "fill pg_wal", verdict: .error,
            errors: ["ssh to pg1 failed: PGPASSWORD=\(secret) rejected <auth>"]
        )
        return RunReport(
            runId: "20261126-1200", cluster: "lab", pgdrillVersion: "0.1.0",
            startedAt: Date(timeIntervalSince1970: 1_800_000_000), endedAt: Date(timeIntervalSince1970: 1_800_000_090),
            exitStatus: 1, drills: [passing, errored]
        )
    }

    @Test func markdownGoldenLines() {
        let md = MarkdownReport().render(Self.sampleReport())
        #expect(md.hasPrefix("# pgdrill: **ERROR** — 1 of 2 drills failed, 1 had errors\n"))
        #expect(md.contains("| Drill | Scenario | RTO | RPO | Data loss | App errors | Verdict |"))
        // Escaped pipe in a cell; numbers formatted the same everywhere.
        #expect(md.contains("| primary-node-down | kill patroni\\|postgres on primary | 10.0 s | 100 ms | 1 of 300 acked writes lost | 50.0% × 20.0 s (errors for 9.9 s) | **FAIL** |"))
        #expect(md.contains("| lost_writes | 0 | 1 (write/0/95 &lt;missing&gt; &amp; gone) | **FAIL** |"))
        #expect(md.contains("| detection | +2.0 s | pg1 |  |"))
        #expect(md.contains("| routing | +9.8 s | pg2 | write |"))
        #expect(md.contains("| client | +10.0 s | pg2 | first ack from a new server |"))
        #expect(md.contains("![timeline](drill-primary-node-down/timeline.svg)"))
        #expect(md.contains("1. write: +0 s → +9.9 s (9.9 s): 100 failed, 0 indeterminate"))
        #expect(md.contains("| pg1 (leader) | 10.77.0.11 | leader | running | 1 |  |  |"))
        #expect(md.contains("- write/0/95 acked "))
        #expect(md.contains("| Figure | write |"))
        #expect(md.contains("Last acknowledged row on timeline 1 → first on timeline 2: 10.1 s apart"))
        #expect(md.contains("Fault injection latency: 800 µs from the decision to the fault in effect on pg1 (node's clock; command round trip 1.90 ms)."))
    }

    @Test func markdownTablesHaveConsistentColumns() {
        let md = MarkdownReport().render(Self.sampleReport())
        var expected: Int?
        for line in md.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else { expected = nil; continue }
            // Count unescaped pipes.
            var pipes = 0
            var previous: Character = " "
            for c in line { if c == "|" && previous != "\\" { pipes += 1 }; previous = c }
            if let expected { #expect(pipes == expected, "\(line)") } else { expected = pipes }
        }
    }

    @Test func passwordNeverAppears() throws {
        let report = Self.sampleReport()
        let redactor = Redactor(secrets: ["lab-token-123"])
        var withToken = report
        withToken.drills[1].notes = ["token lab-token-123 used"]
        let outputs = [
            MarkdownReport(redactor: redactor).render(withToken),
            try JSONReport(redactor: redactor).render(withToken),
            JUnitReport(redactor: redactor).render(withToken),
        ]
        for out in outputs {
            #expect(!out.contains(Self.secret))
            #expect(!out.contains("lab-token-123"))
        }
        #expect(outputs[1].contains("password=***"))
        #expect(outputs[1].contains("postgresql://drill:***@10.77.0.1:5000/postgres"))
    }

    @Test(arguments: [
        ("host=h password=secret user=u", "host=h password=*** user=u"),
        ("password = 'a b\\' c' dbname=x", "password = *** dbname=x"),
        ("PGPASSWORD=secret psql", "PGPASSWORD=*** psql"),
        ("postgresql://u:secret@h1,h2/db?sslmode=require", "postgresql://u:***@h1,h2/db?sslmode=require"),
        ("postgres://h/db?user=u&password=secret&sslmode=disable", "postgres://h/db?user=u&password=***&sslmode=disable"),
        ("host=h sslpassword=p#w&x", "host=h sslpassword=***"),
        ("no secrets: password is required", "no secrets: password is required"),
        ("http://10.77.0.11:8008/cluster", "http://10.77.0.11:8008/cluster"),
        // The forms remote output and files carry (issue 20): JSON, YAML, SQL, pgpass.
        (#"{"user": "drill", "password": "s3cr et", "host": "h"}"#, #"{"user": "drill", "password": ***, "host": "h"}"#),
        ("  password: s3cr et # yaml\n  user: drill", "  password: ***\n  user: drill"),
        ("ALTER ROLE drill PASSWORD 's3''cret' LOGIN", "ALTER ROLE drill PASSWORD *** LOGIN"),
        ("CREATE USER x WITH ENCRYPTED PASSWORD \"s3cret\"", "CREATE USER x WITH ENCRYPTED PASSWORD ***"),
        ("pg1: *:*:*:drill:s3cr\\:et\n10.77.0.11:5432:postgres:postgres:pw2", "pg1: *:*:*:drill:***\n10.77.0.11:5432:postgres:postgres:***"),
        ("fe_sendauth: no password supplied", "fe_sendauth: no password supplied"),
        ("at 2026-12-03T09:07:36.123Z on fe80::1:2 aa:bb:cc:dd:ee", "at 2026-12-03T09:07:36.123Z on fe80::1:2 aa:bb:cc:dd:ee"),
    ])
    func redactorForms(input: String, expected: String) {
        #expect(Redactor().redact(input) == expected)
    }

    @Test func jsonRoundTripsWithSchemaVersionAndEvents() throws {
        let report = Self.sampleReport()
        let json = try JSONReport().render(report)
        #expect(json.contains("\"schema_version\" : 1"))
        #expect(json.contains("\"started_at\" : \"2027-01-15T08:00:00Z\""))
        #expect(json.contains("\"kind\" : \"leader_elected\""))
        #expect(json.contains("\"probe_log\" : \"drill-primary-node-down/probe.csv\""))
        let decoded = try JSONReport.decode(Data(json.utf8))
        #expect(decoded == report.redacted(by: Redactor()))
        #expect(decoded.drills[0].metrics?.writes?.primary.lost.map(\.key.seq) == [95])
    }

    @Test func junitParsesAndCountsFailures() throws {
        let xml = JUnitReport().render(Self.sampleReport())
        #expect(xml.contains("<testsuite name=\"pgdrill\" tests=\"2\" failures=\"1\" errors=\"1\""))
        #expect(xml.contains("<failure message=\"lost_writes: measured 1, target 0 (write/0/95 &lt;missing&gt; &amp; gone)\""))
        #expect(xml.contains("<error message=\"ssh to pg1 failed: PGPASSWORD=*** rejected &lt;auth&gt;\" type=\"ERROR\">"))

        final class Collector: NSObject, XMLParserDelegate {
            var testcases: [String] = []
            var failures = 0
            var errors = 0
            var systemOut = ""
            var inSystemOut = false
            func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                switch e {
                case "testcase": testcases.append(attributes["name"] ?? "")
                case "failure": failures += 1
                case "error": errors += 1
                case "system-out": inSystemOut = true
                default: break
                }
            }
            func parser(_ p: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) {
                if e == "system-out" { inSystemOut = false }
            }
            func parser(_ p: XMLParser, foundCharacters s: String) { if inSystemOut { systemOut += s } }
        }
        let parser = XMLParser(data: Data(xml.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(collector.testcases == ["primary-node-down", "pg-wal-full"])
        #expect(collector.failures == 1 && collector.errors == 1)
        #expect(collector.systemOut.contains("primary pg1 failed over to pg2 (timeline 1→2)"))
    }

    @Test func xmlEscapingDropsForbiddenCharacters() {
        #expect(MarkupEscaping.xml("a<b>&\"'\u{1}\tz") == "a&lt;b&gt;&amp;&quot;&apos;\tz")
    }

    @Test(arguments: [
        (Int64(0), "0 s"), (420, "420 µs"), (3_420, "3.42 ms"), (84_200, "84.2 ms"), (842_000, "842 ms"), (72_100_000, "72.1 s"),
    ])
    func durations(micros: Int64, text: String) {
        #expect(ReportFormat.duration(micros) == text)
    }

    @Test func percentagesNeverRoundToZero() {
        #expect(ReportFormat.percent(0.031) == "3.1%")
        #expect(ReportFormat.percent(0.00012) == "0.012%")
        #expect(ReportFormat.percent(0) == "0%")
        #expect(ReportFormat.count(1_234_567) == "1,234,567")
    }
}

extension ReportRendererTests {
    /// Writes the sample Markdown to $PGDRILL_SAMPLE_REPORT when set, for a person to look at.
    @Test func writeSampleWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["PGDRILL_SAMPLE_REPORT"] else { return }
        try MarkdownReport().render(Self.sampleReport()).write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// Issue 18: the Patroni version and the replication mode a drill ran against are in both reports.
@Suite struct ManagerVersionReportTests {
    @Test func theSnapshotNamesTheManagerItsVersionAndTheReplicationMode() throws {
        var report = ReportRendererTests.sampleReport()
        report.drills[0].clusterBefore?.manager = "patroni"
        report.drills[0].clusterBefore?.managerVersion = "3.0.2"
        report.drills[0].clusterBefore?.synchronousMode = false
        let md = MarkdownReport().render(report)
        #expect(md.contains("Patroni 3.0.2, asynchronous replication."), "\(md)")
        let json = try JSONReport().render(report)
        #expect(json.contains("\"manager_version\" : \"3.0.2\""), "\(json.prefix(3000))")
        #expect(json.contains("\"synchronous_mode\" : false"))
    }

    @Test func onlyWhatIsKnownIsSaid() {
        #expect(ClusterSnapshot(members: [], leader: nil, takenAt: 0).managerText == nil)
        #expect(ClusterSnapshot(members: [], leader: nil, takenAt: 0, manager: "repmgr").managerText == "repmgr")
        #expect(ClusterSnapshot(members: [], leader: nil, takenAt: 0, manager: "patroni", managerVersion: "4.1.5", synchronousMode: true).managerText
                == "Patroni 4.1.5, synchronous replication")
    }
}

/// Issue 18: a monitor source that failed is reported, never silent.
@Suite struct MonitorSourceNoteTests {
    @Test func aNodeThatNeverAnsweredIsNamedAsNotObserved() {
        let notes = MonitorSourceStats.note([
            MonitorSourceStats(source: "pg1 SQL", polls: 412, failures: 412, lastError: "fe_sendauth: no password supplied"),
            MonitorSourceStats(source: "pg2 SQL", polls: 400, failures: 37, lastError: "connection refused"),
            MonitorSourceStats(source: "pg3 SQL", polls: 400, failures: 0),
        ])
        #expect(notes.first == "split-brain by node SQL: not observed for pg1 — all 412 polls of its SQL failed: fe_sendauth: no password supplied")
        #expect(notes.last == "monitor polls that failed (a node under a fault does not answer): pg2 SQL 37 of 400 (last: connection refused)")
        #expect(notes.count == 2)
        #expect(MonitorSourceStats.note([MonitorSourceStats(source: "pg3 SQL", polls: 5, failures: 0)]).isEmpty)
    }
}
