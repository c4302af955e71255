import Foundation
import Testing
@testable import PGDrillCore

/// Each figure means what a DBA reading it would think, checked on hand-built probe logs whose right answer
/// can be worked out by hand. Every test here failed before the fix it names (issue 21).
@Suite struct FigureTruthTests {
    typealias F = Fixture
    let s = Fixture.s
    let ms = Fixture.ms

    /// A closed-loop probe: an ack every millisecond while writes succeed, one failed attempt every 500 ms
    /// (its back-off) while they fail. A 20 s total outage in a 60 s window is a third of the application's
    /// requests, not the 0.05 % of attempts that failed.
    @Test func errorRateIsTheApplicationsShareNotThePerAttemptOne() {
        let attempts = F.series(from: 0, step: 1 * ms, count: 10_000, length: 500)
            + F.series(firstSeq: 10_001, from: 10 * s, step: 500 * ms, count: 40, length: 2 * ms, outcome: .fail)
            + F.series(firstSeq: 10_041, from: 30 * s, step: 1 * ms, count: 50_000, length: 500, server: F.serverB, timeline: 2)
        let m = DrillAnalyzer(F.input(t0: 10 * s, observeEnd: 70 * s, runEnd: 80 * s)).analyze(attempts)
        let e = m.main.errorRate
        #expect(e.failingTime == 20 * s && e.requestTime == 60 * s, "\(e)")
        #expect(abs(e.rate - 1.0 / 3.0) < 1e-9)
        #expect(e.rate >= 0.30)
        #expect(e.attemptRate < 0.002, "the per-attempt share stays available, named for what it is")
        #expect(ReportFormat.errorRate(e) == "33.3% × 60.0 s (errors for 19.5 s)")
    }

    /// An indeterminate attempt is a failed request too, and a slow ack (HAProxy holding the connection) is
    /// a success: the application waited, but got its answer.
    @Test func slowAcksSucceedAndIndeterminateAttemptsFail() {
        let attempts = F.series(from: 0, count: 100)
            + [ProbeAttempt(endpoint: "write", writer: 0, seq: 101, start: 10 * s, end: 12 * s, outcome: .indeterminate)]
            + [ProbeAttempt(endpoint: "write", writer: 0, seq: 102, start: 12 * s, end: 15 * s, outcome: .ok, server: F.serverA)]
            + F.series(firstSeq: 103, from: 15 * s, count: 200)
        let e = DrillAnalyzer(F.input(t0: 10 * s, observeEnd: 30 * s)).analyze(attempts).main.errorRate
        #expect(e.failingTime == 2 * s && e.requestTime == 20 * s, "\(e)")
    }

    /// An outage that begins only after observation (the rollback's own restart) is listed, but does not
    /// turn the fault's figures into "not recovered".
    @Test func anOutageAfterObservationDoesNotUnrecoverTheFault() {
        let attempts = F.series(from: 0, count: 330)
            + F.series(firstSeq: 331, from: 33 * s, count: 10, length: 50 * ms, outcome: .fail)
            + F.series(firstSeq: 341, from: 34 * s, count: 60)
        let m = DrillAnalyzer(F.input(t0: 10 * s, observeEnd: 30 * s, runEnd: 40 * s)).analyze(attempts)
        #expect(m.main.recovery.status == .noOutage, "\(m.main.recovery)")
        #expect(m.main.outages.count == 1, "the rollback's outage is still listed")
    }

    /// RTO ends at the first acknowledgement after the outage, even when an attempt in flight across the
    /// outage's end is acknowledged before the stable period's first attempt starts.
    @Test func rtoLandsOnTheFirstAckNotOnAnAttemptsStart() {
        let inFlight = ProbeAttempt(endpoint: "write", writer: 1, seq: 1, start: 19 * s + 500 * ms, end: 20 * s + 10 * ms,
                                    outcome: .ok, server: F.serverB, timeline: 2)
        let attempts = F.series(from: 0, count: 100)
            + F.series(firstSeq: 101, from: 10 * s, count: 100, length: 50 * ms, outcome: .fail)
            + F.series(firstSeq: 201, from: 20 * s + 50 * ms, count: 190, server: F.serverB, timeline: 2)
            + [inFlight] + F.series(writer: 1, firstSeq: 2, from: 20 * s + 100 * ms, count: 190, server: F.serverB, timeline: 2)
        let m = DrillAnalyzer(F.input(events: F.failoverEvents)).analyze(attempts.sorted { $0.end < $1.end })
        #expect(m.main.recovery.status == .recovered)
        #expect(m.main.recovery.rto == 10 * s + 10 * ms, "the ack at 20.010 s, not the start at 20.050 s: \(m.main.recovery)")
    }

    /// A second server acknowledging a single write inside the first one's range is a split-brain.
    @Test func aSingleAckFromASecondServerIsComparedForSplitBrain() {
        var attempts = F.series(from: 0, count: 300)
        attempts.append(ProbeAttempt(endpoint: "write", writer: 1, seq: 1, start: 15 * s, end: 15 * s + 2 * ms, outcome: .ok,
                                     server: F.serverB, timeline: 2))
        let m = DrillAnalyzer(F.input()).analyze(attempts)
        #expect(m.splitBrain.ackOverlaps.count == 1, "\(m.splitBrain)")
        #expect(m.splitBrain.ackOverlaps.first?.isSplitBrain == true)
        #expect(m.splitBrain.detected)
    }

    /// Two nodes answering as primary are always listed with the acks each gave inside the overlap, so a
    /// resumed primary without a watchdog that acknowledged nothing is told apart from a real split-brain.
    @Test func writableOverlapsSayWhetherAnythingWasAcknowledged() {
        let events = [
            ClusterEvent(at: 0, kind: .nodeWritable, node: "pg1", timeline: 1),
            ClusterEvent(at: 20 * s, kind: .nodeWritable, node: "pg2", timeline: 2),
            ClusterEvent(at: 20 * s + 104 * ms, kind: .nodeReadOnly, node: "pg1"),
        ]
        let attempts = F.series(from: 0, count: 100)
            + F.series(firstSeq: 101, from: 10 * s, count: 100, length: 50 * ms, outcome: .fail)
            + F.series(firstSeq: 201, from: 20 * s, step: 10 * ms, count: 1000, server: F.serverB, timeline: 2)
        let m = DrillAnalyzer(F.input(events: events, pollInterval: 100 * ms)).analyze(attempts)
        let o = try! #require(m.splitBrain.writableOverlaps.first)
        #expect(o.duration == 104 * ms && o.resolution == 100 * ms)
        #expect(o.acksA == 0 && o.acksB == 11, "\(o)")
        #expect(!o.bothAcknowledged)
    }

    /// No attempt after t0: nothing was measured, so the record cannot support any figure.
    @Test func noAttemptAfterT0IsARecordProblem() {
        let m = DrillAnalyzer(F.input()).analyze(F.series(from: 0, count: 90))
        #expect(m.main.recovery.status == .noOutage, "the figures alone would read as a clean PASS")
        #expect(m.recordProblems?.contains { $0.contains("no attempt on endpoint 'write' after the fault") } == true, "\(m.recordProblems ?? [])")
    }

    /// A writer whose thread died stops recording: its silence is a record problem, not a quiet success.
    @Test func aWriterThatStopsRecordingIsARecordProblem() {
        var input = F.input()
        input.writers = 2
        let attempts = F.series(from: 0, count: 400) + F.series(writer: 1, from: 0, count: 120)
        let m = DrillAnalyzer(input).analyze(attempts)
        #expect(m.recordProblems?.count == 1, "\(m.recordProblems ?? [])")
        #expect(m.recordProblems?.first?.contains("writer 1 of endpoint 'write' recorded nothing after +1.9 s") == true, "\(m.recordProblems ?? [])")
        input.writers = 3
        #expect(DrillAnalyzer(input).analyze(attempts).recordProblems?.contains { $0.contains("writer 2 of endpoint 'write' recorded no attempt at all") } == true)
    }

    /// A malformed row is one malformed row, however many times the analysis reads the log.
    @Test func malformedRowsAreCountedOnce() throws {
        let path = NSTemporaryDirectory() + "pgdrill-malformed-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try ProbeLogWriter(path: path)
        for a in F.series(from: 0, count: 300) { log.record(a) }
        try log.close()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("write,0,not-a-number,1,2,ok,,,,,\n".utf8))
        try handle.close()
        let reader = try ProbeLogReader(path: path)
        _ = DrillAnalyzer(F.input()).analyze(log: reader)
        #expect(reader.issues.malformedRows == 1)
    }

    /// Lost writes are named by who acknowledged them and on which timeline: a timeline the primary is no
    /// longer on was abandoned, with those writes.
    @Test func lostWritesAreNamedByServerAndTimeline() {
        let attempts = F.failover
        // pg1 leads again on timeline 3; pg2's acks on timeline 2 are on no primary.
        var readBack = ReadBack(["pg1": F.keys(Array(attempts.prefix(100)))])
        readBack.timelines = ["pg1": 3]
        let m = DrillAnalyzer(F.input(readBack: readBack)).analyze(attempts)
        let w = try! #require(m.writes)
        #expect(w.lostWrites == 200)
        #expect(w.lostBySource == [LostWriteSource(server: F.serverB, node: "pg2", timeline: 2, count: 200, firstAck: 20 * s + 2 * ms,
                                                    lastAck: 39 * s + 902 * ms)])
        #expect(w.primary.timeline == 3)
    }

    /// A replica that had caught up and lacks an acknowledged write lost it: `lost_writes` counts it. One
    /// that had not caught up is shown, not counted.
    @Test func lostWritesOnAVerifiedReplicaCount() {
        let all = F.keys(F.failover)
        var lacking = all
        lacking.remove(WriteKey(endpoint: "write", writer: 0, seq: 250))
        var readBack = ReadBack(["pg2": all, "pg3": lacking, "pg1": lacking.subtracting([WriteKey(endpoint: "write", writer: 0, seq: 251)])])
        readBack.unverified = ["pg1": "had not replayed the primary's WAL up to 0/3000060 after 30 s"]
        let w = try! #require(DrillAnalyzer(F.input(readBack: readBack)).analyze(F.failover).writes)
        #expect(w.lostWrites == 0)
        #expect(w.lostWritesOnAnyVerifiedNode == 1)
        #expect(w.replicasMissingMore.map(\.node) == ["pg3"])
        #expect(w.replicas.first { $0.node == "pg1" }?.verified == false)
    }

    /// The timeline's error panel plots the share of requests failing, 0–100 %, not the probe's back-off.
    @Test func timelineBinsCarryTheFailingShare() {
        var bins = TimelineBins(width: 1 * s, maxBuckets: 600)
        let attempts = F.series(from: 0, step: 1 * ms, count: 2000, length: 500)
            + F.series(firstSeq: 2001, from: 2 * s, step: 500 * ms, count: 4, length: 2 * ms, outcome: .fail)
            + F.series(firstSeq: 2005, from: 4 * s, step: 1 * ms, count: 2000, length: 500)
        for a in attempts { bins.add(a) }
        let series = try! #require(bins.series("write"))
        #expect(series.failingShare(1) == 0)
        #expect(series.failingShare(2) == 1 && series.failingShare(3) == 1)
        #expect(series.errors(2) == 2, "two failed attempts a second: as a rate it would read as nearly nothing")
    }

    /// A restore drill is quoted by its restore: RTO to a read-write restored host, the backup-based RPO and
    /// the writes the restored host lacks — not the live cluster's "no outage".
    @Test func aRestoreDrillsHeadlineIsTheRestore() {
        let m = DrillAnalyzer(F.input()).analyze(F.series(from: 0, count: 400))
        var v = RestoreVerification(cutoff: 10 * s, disaster: 10 * s, rowsPresent: 60)
        v.ackedBeforeCutoff = 100
        v.lostBeforeCutoff = 40
        v.lastRestoredAck = 6 * s
        let restore = RestoreReport(target: "latest", recoveryTargetTime: nil, disasterAt: 10 * s, cutoffAt: 10 * s, readWriteAt: 46 * s,
                                    stages: [], verification: v, checks: [], problems: [])
        let h = DrillHeadline(DrillReport(name: "restore-latest", verdict: .pass, metrics: m, restore: restore))
        #expect(h.isRestore)
        #expect(h.rto == 36 * s && h.rtoText == "36.0 s (restore to read-write)")
        #expect(h.rpo == 4 * s && h.lostWrites == 40)
        #expect(h.dataLossText == "40 of 100 acked writes not restored")
        let live = DrillHeadline(DrillReport(name: "sync-standby-down", verdict: .pass, metrics: m))
        #expect(!live.isRestore && live.rtoText == "0 s (no outage observed)")
    }
}
