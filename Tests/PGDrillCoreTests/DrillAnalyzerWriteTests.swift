import Testing
@testable import PGDrillCore

@Suite struct DrillAnalyzerWriteTests {
    typealias F = Fixture
    let s = Fixture.s
    let ms = Fixture.ms

    /// seq k acked at (k-1)·100 ms + 2 ms.
    var acked: [ProbeAttempt] { F.series(from: 0, count: 400) }

    @Test func lostWritesExactCountListAndRPO() {
        let attempts = acked
        let all = F.keys(attempts)
        let lostOnPrimary: Set<Int64> = [92, 93, 94, 96]
        let primary = all.filter { !lostOnPrimary.contains($0.seq) }
        let replica = all.filter { $0.seq != 96 }
        let m = DrillAnalyzer(F.input(readBack: ReadBack(["pg2": primary, "pg3": replica]))).analyze(attempts)
        let w = m.writes!
        #expect(w.acknowledged == 400)
        #expect(w.lostWrites == 4)
        #expect(w.primary.node == "pg2" && w.primary.rowsPresent == 396)
        #expect(w.primary.lost.map(\.key.seq) == [92, 93, 94, 96])
        #expect(w.primary.lost.first?.ackedAt == 9 * s + 100 * ms + 2 * ms)
        #expect(w.replicas.map(\.node) == ["pg3"])
        #expect(w.replicas[0].lost.map(\.key.seq) == [96])
        // Last surviving ack before the first lost one: seq 91 at 9.002 s; last lost: seq 96 at 9.502 s.
        #expect(m.rpo == RecoveryPoint(rpo: 500 * ms, lostWrites: 4, lastSurvivingAck: 9 * s + 2 * ms, firstLostAck: 9 * s + 102 * ms, lastLostAck: 9 * s + 502 * ms))
        #expect(m.main.lostWrites == 4)
    }

    @Test func noLossMeansRPOZero() {
        let attempts = acked
        let m = DrillAnalyzer(F.input(readBack: ReadBack(["pg2": F.keys(attempts)]))).analyze(attempts)
        #expect(m.rpo == RecoveryPoint(rpo: 0, lostWrites: 0, lastSurvivingAck: nil, firstLostAck: nil, lastLostAck: nil))
        #expect(m.writes?.primary.lost.isEmpty == true)
        #expect(m.writes?.primary.unmatchedRows == 0)
    }

    @Test func rpoTieBreakAndFirstWriteLost() {
        // Writer 0 seq 1 lost and writer 1 seq 1 survived, both acked at the same µs (1.000 s):
        // the survivor is not "before" the lost one, and nothing survived earlier, so the RPO runs
        // from the lost write's start (0.5 s) to the last lost ack (writer 0 seq 2 at 2.0 s).
        let attempts = [
            ProbeAttempt(endpoint: "write", writer: 0, seq: 1, start: 500 * ms, end: 1 * s, outcome: .ok, server: F.serverA),
            ProbeAttempt(endpoint: "write", writer: 1, seq: 1, start: 900 * ms, end: 1 * s, outcome: .ok, server: F.serverA),
            ProbeAttempt(endpoint: "write", writer: 0, seq: 2, start: 1 * s, end: 2 * s, outcome: .ok, server: F.serverA),
        ]
        let survivors: Set = [WriteKey(endpoint: "write", writer: 1, seq: 1)]
        let m = DrillAnalyzer(F.input(readBack: ReadBack(["pg2": survivors]))).analyze(attempts)
        #expect(m.rpo == RecoveryPoint(rpo: 1500 * ms, lostWrites: 2, lastSurvivingAck: nil, firstLostAck: 1 * s, lastLostAck: 2 * s))
    }

    @Test func phantomWrites() {
        let attempts = acked + F.series(firstSeq: 401, from: 40 * s, count: 3, outcome: .fail)
        var present = F.keys(attempts)
        present.insert(WriteKey(endpoint: "write", writer: 0, seq: 402))
        let m = DrillAnalyzer(F.input(runEnd: 50 * s, readBack: ReadBack(["pg2": present]))).analyze(attempts)
        #expect(m.writes?.phantomWrites == 1)
        #expect(m.writes?.primary.phantoms == [WriteKey(endpoint: "write", writer: 0, seq: 402)])
        #expect(m.writes?.lostWrites == 0)
    }

    @Test func indeterminateCountedBothWaysAndUnmatchedRows() {
        let attempts = acked + F.series(firstSeq: 401, from: 40 * s, count: 3, outcome: .indeterminate)
        var present = F.keys(attempts)
        present.insert(WriteKey(endpoint: "write", writer: 0, seq: 401))
        present.insert(WriteKey(endpoint: "write", writer: 0, seq: 403))
        present.insert(WriteKey(endpoint: "write", writer: 9, seq: 1)) // never attempted
        let m = DrillAnalyzer(F.input(runEnd: 50 * s, readBack: ReadBack(["pg2": present]))).analyze(attempts)
        let p = m.writes!.primary
        #expect(p.indeterminateCommitted == 2)
        #expect(p.indeterminateNotCommitted == 1)
        #expect(p.unmatchedRows == 1)
        #expect(p.phantoms.isEmpty && p.lost.isEmpty)
    }

    @Test func readEndpointsAreNotVerified() {
        let reads = F.series(endpoint: "read", from: 0, count: 10, server: F.serverB)
        var input = F.input(readBack: ReadBack(["pg2": F.keys(acked)]))
        input.readEndpoints = ["read"]
        let m = DrillAnalyzer(input).analyze(acked + reads)
        #expect(m.writes?.lostWrites == 0)
        #expect(m.also.first?.endpoint == "read" && m.also.first?.lostWrites == nil)
    }

    @Test func noReadBackMeansNotVerified() {
        let m = DrillAnalyzer(F.input()).analyze(acked)
        #expect(m.writes == nil && m.rpo == nil)
    }
}

@Suite struct SplitBrainTests {
    typealias F = Fixture
    let s = Fixture.s
    let ms = Fixture.ms

    @Test func overlappingAcksFromTwoServers() {
        // pg1 keeps acking until 15 s, pg2 acks from 12 s: both acked inside [12.002, 14.902].
        let attempts = F.series(from: 0, count: 150) + F.series(writer: 1, from: 12 * s, count: 200, server: F.serverB, timeline: 2)
        let m = DrillAnalyzer(F.input()).analyze(attempts)
        #expect(m.splitBrain.ackOverlaps == [AckOverlap(
            serverA: F.serverA, nodeA: "pg1", serverB: F.serverB, nodeB: "pg2",
            from: 12 * s + 2 * ms, to: 14 * s + 902 * ms, acksA: 30, acksB: 30
        )])
        #expect(m.splitBrain.detected)
    }

    @Test func failbackIsNotASplitBrain() {
        // pg1 until 10.2 s, pg2 12–28 s, pg1 again from 30 s: ranges overlap, but pg1 acked
        // nothing while pg2 was primary.
        let attempts = F.series(from: 0, count: 103)
            + F.series(writer: 1, from: 12 * s, count: 161, server: F.serverB, timeline: 2)
            + F.series(writer: 2, from: 30 * s, count: 100, timeline: 3)
        let m = DrillAnalyzer(F.input()).analyze(attempts)
        #expect(m.splitBrain.ackOverlaps.count == 1)
        #expect(m.splitBrain.ackOverlaps[0].acksA == 0)
        #expect(m.splitBrain.ackOverlaps[0].acksB == 161)
        #expect(!m.splitBrain.detected)
    }

    @Test func twoNodesWritableAtOnce() {
        let events = [
            ClusterEvent(at: 0, kind: .nodeWritable, node: "pg1", timeline: 1),
            ClusterEvent(at: 15 * s, kind: .nodeWritable, node: "pg2", timeline: 2),
            ClusterEvent(at: 18 * s, kind: .nodeReadOnly, node: "pg1"),
        ]
        let m = DrillAnalyzer(F.input(events: events, pollInterval: 100 * ms)).analyze(F.series(from: 0, count: 10))
        #expect(m.splitBrain.writableOverlaps == [WritableOverlap(nodeA: "pg1", nodeB: "pg2", from: 15 * s, to: 18 * s, isSplitBrain: true, resolution: 100_000, acksA: 0, acksB: 0)])
        #expect(m.splitBrain.detected)
    }

    @Test func switchoverSeenWithinOnePollIsInconclusive() {
        let events = [
            ClusterEvent(at: 0, kind: .nodeWritable, node: "pg1", timeline: 1),
            ClusterEvent(at: 15 * s, kind: .nodeWritable, node: "pg2", timeline: 2),
            ClusterEvent(at: 15 * s + 30 * ms, kind: .nodeReadOnly, node: "pg1"),
        ]
        let m = DrillAnalyzer(F.input(events: events, pollInterval: 100 * ms)).analyze(F.series(from: 0, count: 10))
        #expect(m.splitBrain.writableOverlaps.map(\.isSplitBrain) == [false])
        #expect(m.splitBrain.writableOverlaps.first?.duration == 30 * ms)
        #expect(!m.splitBrain.detected)
    }
}
