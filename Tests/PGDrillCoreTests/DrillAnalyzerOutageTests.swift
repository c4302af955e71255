import Testing
@testable import PGDrillCore

@Suite struct DrillAnalyzerOutageTests {
    typealias F = Fixture
    let s = Fixture.s
    let ms = Fixture.ms

    @Test func noOutage() {
        let attempts = F.series(from: 0, count: 400)
        let m = DrillAnalyzer(F.input()).analyze(attempts)
        #expect(m.main.recovery == Recovery(status: .noOutage, rto: 0, stableFrom: nil))
        #expect(m.main.recovery.remark == "no outage observed")
        #expect(m.main.outages.isEmpty)
        // Attempts overlapping [10 s, 30 s]: starts 10.0 … 30.0 s.
        #expect(m.main.errorRate == ErrorRate(attempts: 201, failed: 0, indeterminate: 0, windowStart: nil, windowEnd: nil,
                                              observed: 20 * s, requestTime: 20 * s, failingTime: 0))
        #expect(ReportFormat.errorRate(m.main.errorRate) == "none")
        #expect(m.phases.client == nil)
        #expect(m.splitBrain.detected == false)
    }

    @Test func oneOutage() {
        let m = DrillAnalyzer(F.input(events: F.failoverEvents)).analyze(F.failover)
        // The back-off gaps between failed attempts hold no ack: one outage, not a hundred.
        #expect(m.main.outages == [OutagePeriod(start: 10 * s, end: 19 * s + 950 * ms, failed: 100, indeterminate: 0)])
        #expect(m.main.recovery == Recovery(status: .recovered, rto: 10 * s + 2 * ms, stableFrom: 20 * s))
        // 100 failed + 101 ok attempts (20.0 … 30.0 s) overlap [t0, observeEnd].
        // The application view: every request from 10 s to 20 s failed (attempts and their back-off), every one
        // from 20 s to 30 s succeeded: 50 % of 20 s. Per attempt it is 100 of 201.
        #expect(m.main.errorRate == ErrorRate(attempts: 201, failed: 100, indeterminate: 0, windowStart: 10 * s, windowEnd: 19 * s + 950 * ms,
                                              observed: 20 * s, requestTime: 20 * s, failingTime: 10 * s))
        #expect(ReportFormat.errorRate(m.main.errorRate) == "50.0% × 20.0 s (errors for 9.9 s)")
        #expect(ReportFormat.attemptErrorRate(m.main.errorRate) == "49.8% of attempts (100 of 201)")

        let baseline = m.main.statistics(.baseline)!
        #expect(baseline.acknowledged == 100 && baseline.from == 0 && baseline.to == 10 * s)
        #expect(baseline.latency == LatencySummary(count: 100, min: 2 * ms, p50: 2 * ms, p90: 2 * ms, p99: 2 * ms, max: 2 * ms))
        #expect(baseline.throughput == 10)
        let during = m.main.statistics(.during)!
        #expect(during.to == 19 * s + 950 * ms)
        #expect(during.acknowledged == 0 && during.failed == 100 && during.latency == nil)
        let after = m.main.statistics(.after)!
        #expect(after.acknowledged == 200 && after.to == 40 * s)
    }

    /// A replica (pg3) seen on the new timeline before the new primary's own SQL answer is not the promotion.
    @Test func replicaFollowingTheNewTimelineIsNotThePromotion() {
        var events = F.failoverEvents
        events.insert(ClusterEvent(at: 19 * s + 100 * ms, kind: .timelineChanged, node: "pg3", timeline: 2), at: 5)
        let m = DrillAnalyzer(F.input(events: events)).analyze(F.failover)
        #expect(m.phases.promotion?.node == "pg2")
        #expect(m.phases.promotion?.offset == 9 * s + 200 * ms)
        #expect(m.newPrimary == "pg2")
    }

    @Test func phasesAndServerEvidence() {
        let m = DrillAnalyzer(F.input(events: F.failoverEvents)).analyze(F.failover)
        #expect(m.phases.detection == PhaseMark(offset: 2 * s, node: "pg1", detail: nil))
        #expect(m.phases.promotion?.offset == 9 * s + 200 * ms)
        #expect(m.phases.promotion?.node == "pg2")
        #expect(m.phases.routing == PhaseMark(offset: 9 * s + 800 * ms, node: "pg2", detail: "write"))
        #expect(m.phases.client == PhaseMark(offset: 10 * s + 2 * ms, node: "pg2", detail: "first ack from a new server"))
        #expect(m.newPrimary == "pg2")
        #expect(m.oldServer == F.serverA && m.newServer == F.serverB)
        #expect(m.timelineEvidence == TimelineEvidence(oldTimeline: 1, newTimeline: 2, lastOldRow: F.wallBase + 9 * s + 900 * ms, firstNewRow: F.wallBase + 20 * s))
        #expect(m.timelineEvidence?.gap == 10 * s + 100 * ms)
        #expect(m.splitBrain.detected == false)
        #expect(m.splitBrain.writableOverlaps.isEmpty)
    }

    @Test func crashRestartInPlaceHasClientPhaseAfterTheOutage() {
        // Same server before and after: no failover, writes stall 1.5 s.
        let attempts = F.series(from: 0, count: 100)
            + F.series(firstSeq: 101, from: 10 * s, count: 15, length: 50 * ms, outcome: .fail)
            + F.series(firstSeq: 116, from: 11 * s + 500 * ms, count: 200)
        let m = DrillAnalyzer(F.input()).analyze(attempts)
        #expect(m.main.recovery.rto == 1 * s + 502 * ms)  // the first ack, not the first attempt's start
        #expect(m.phases.client == PhaseMark(offset: 1 * s + 502 * ms, node: "pg1", detail: "first ack after the outage"))
        #expect(m.phases.promotion == nil && m.newServer == nil)
        #expect(m.timelineEvidence?.newTimeline == nil)
    }

    @Test func flappingListsTwoOutagesAndRTOStopsAtTheFirstStablePeriod() {
        // Outage 1: 10.0–12.0 s; 8 s of acks (> stable_for 5 s); outage 2 (the heal): 20.0–21.0 s.
        let attempts = F.series(from: 0, count: 100)
            + F.series(firstSeq: 101, from: 10 * s, count: 20, length: 50 * ms, outcome: .fail)
            + F.series(firstSeq: 121, from: 12 * s, count: 80)
            + F.series(firstSeq: 201, from: 20 * s, count: 10, length: 50 * ms, outcome: .indeterminate)
            + F.series(firstSeq: 211, from: 21 * s, count: 190)
        let m = DrillAnalyzer(F.input()).analyze(attempts)
        #expect(m.main.outages == [
            OutagePeriod(start: 10 * s, end: 11 * s + 950 * ms, failed: 20, indeterminate: 0),
            OutagePeriod(start: 20 * s, end: 20 * s + 950 * ms, failed: 0, indeterminate: 10),
        ])
        #expect(m.main.recovery.rto == 2 * s + 2 * ms)
        #expect(m.main.errorRate.failed == 20 && m.main.errorRate.indeterminate == 10)
        #expect(m.main.errorRate.window == 10 * s + 950 * ms)
    }

    @Test func aSecondOutageInsideStableForMovesTheRTO() {
        // Only 2 s of acks between the outages: the first stable period starts after the second.
        let attempts = F.series(from: 0, count: 100)
            + F.series(firstSeq: 101, from: 10 * s, count: 20, length: 50 * ms, outcome: .fail)
            + F.series(firstSeq: 121, from: 12 * s, count: 20)
            + F.series(firstSeq: 141, from: 14 * s, count: 10, length: 50 * ms, outcome: .fail)
            + F.series(firstSeq: 151, from: 15 * s, count: 250)
        let m = DrillAnalyzer(F.input()).analyze(attempts)
        #expect(m.main.outages.count == 2)
        #expect(m.main.recovery == Recovery(status: .recovered, rto: 5 * s + 2 * ms, stableFrom: 15 * s))
    }

    @Test func notRecoveredWithinObservation() {
        let attempts = F.series(from: 0, count: 100)
            + F.series(firstSeq: 101, from: 10 * s, count: 300, length: 50 * ms, outcome: .fail)
        let m = DrillAnalyzer(F.input()).analyze(attempts)
        #expect(m.main.recovery == Recovery(status: .notRecovered, rto: nil, stableFrom: nil))
        #expect(ReportFormat.rto(m.main.recovery) == "not recovered within observation")
        #expect(m.main.outages.count == 1)
    }

    @Test func concurrentWritersOverlapIntoOneOutageAndAnAckSplitsIt() {
        // Writer 0 fails 10.0–11.0 s and 11.5–12.0 s; writer 1 is acknowledged at 11.2 s, in the gap:
        // two outages. Writer 2's long indeterminate attempt 9.9–10.4 s merges into the first.
        let attempts = F.series(from: 0, count: 100)
            + [ProbeAttempt(endpoint: "write", writer: 0, seq: 101, start: 10 * s, end: 11 * s, outcome: .fail),
               ProbeAttempt(endpoint: "write", writer: 1, seq: 1, start: 11 * s + 100 * ms, end: 11 * s + 200 * ms, outcome: .ok, server: F.serverA),
               ProbeAttempt(endpoint: "write", writer: 0, seq: 102, start: 11 * s + 500 * ms, end: 12 * s, outcome: .fail),
               ProbeAttempt(endpoint: "write", writer: 2, seq: 1, start: 9 * s + 900 * ms, end: 10 * s + 400 * ms, outcome: .indeterminate)]
            + F.series(writer: 1, firstSeq: 2, from: 12 * s + 100 * ms, count: 200)
        let m = DrillAnalyzer(F.input()).analyze(attempts)
        #expect(m.main.outages == [
            OutagePeriod(start: 9 * s + 900 * ms, end: 11 * s, failed: 1, indeterminate: 1),
            OutagePeriod(start: 11 * s + 500 * ms, end: 12 * s, failed: 1, indeterminate: 0),
        ])
        #expect(m.main.recovery.stableFrom == 12 * s + 100 * ms)
    }

    @Test func endpointsSideBySide() {
        // PgBouncer keeps failing 3 s longer than HAProxy.
        let pooled = F.series(endpoint: "pooled", from: 0, count: 100)
            + F.series(endpoint: "pooled", firstSeq: 101, from: 10 * s, count: 130, length: 50 * ms, outcome: .fail)
            + F.series(endpoint: "pooled", firstSeq: 231, from: 23 * s, count: 170, server: F.serverB, timeline: 2)
        let m = DrillAnalyzer(F.input(also: ["pooled"])).analyze(F.failover + pooled)
        #expect(m.main.endpoint == "write" && m.main.recovery.rto == 10 * s + 2 * ms)
        #expect(m.also.map(\.endpoint) == ["pooled"])
        #expect(m.also[0].recovery.rto == 13 * s + 2 * ms)
        #expect(m.also[0].outages.count == 1 && m.also[0].outages[0].failed == 130)
        #expect(m.endpoints.count == 2)
    }
}
