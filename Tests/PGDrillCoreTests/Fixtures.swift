@testable import PGDrillCore

/// Builds hand-made probe logs: `series` makes one writer's back-to-back attempts, so every
/// expected figure in the tests can be worked out by hand.
enum Fixture {
    static let s: Int64 = 1_000_000
    static let ms: Int64 = 1_000
    static let serverA = "10.77.0.11:5432"
    static let serverB = "10.77.0.12:5432"
    static let wallBase: Int64 = 1_700_000_000_000_000

    /// Attempts of one writer starting at `from + k·step` for k in 0..<count, each lasting `length`.
    /// seq continues from `firstSeq`. ok rows carry `server`, `timeline` and a server time equal to
    /// `wallBase + start`.
    static func series(
        endpoint: String = "write", writer: Int = 0, firstSeq: Int64 = 1, from: Int64, step: Int64 = 100 * ms,
        count: Int, length: Int64 = 2 * ms, outcome: ProbeAttempt.Outcome = .ok, server: String? = serverA, timeline: Int = 1
    ) -> [ProbeAttempt] {
        (0..<count).map { k in
            let start = from + Int64(k) * step
            let ok = outcome == .ok
            return ProbeAttempt(
                endpoint: endpoint, writer: writer, seq: firstSeq + Int64(k), start: start, end: start + length, outcome: outcome,
                sqlstate: outcome == .fail ? "57P01" : nil, error: ok ? nil : "connection lost",
                server: ok ? server : nil, serverTime: ok ? wallBase + start : nil, timeline: ok ? timeline : nil
            )
        }
    }

    static func input(
        t0: Int64 = 10 * s, observeEnd: Int64 = 30 * s, runEnd: Int64 = 40 * s, stableFor: Int64 = 5 * s,
        events: [ClusterEvent] = [], readBack: ReadBack? = nil, also: [String] = [], pollInterval: Int64 = 0
    ) -> DrillAnalysisInput {
        DrillAnalysisInput(
            endpoint: "write", also: also, steadyStart: 0, t0: t0, observeEnd: observeEnd, runEnd: runEnd, stableFor: stableFor,
            oldPrimary: "pg1", events: events, readBack: readBack,
            serverNodes: [serverA: "pg1", serverB: "pg2"], pollInterval: pollInterval
        )
    }

    /// The classic node-down failover: pg1 acks until t0 (10 s), every write fails for ~10 s
    /// (one failed attempt every 100 ms, each 50 ms long: back-off gaps without acks), then pg2 acks.
    static var failover: [ProbeAttempt] {
        series(from: 0, count: 100)
            + series(firstSeq: 101, from: 10 * s, count: 100, length: 50 * ms, outcome: .fail)
            + series(firstSeq: 201, from: 20 * s, count: 200, server: serverB, timeline: 2)
    }

    static var failoverEvents: [ClusterEvent] {
        [
            ClusterEvent(at: 0, kind: .nodeWritable, node: "pg1", timeline: 1),
            ClusterEvent(at: 10 * s, kind: .faultSent, node: "pg1", detail: "kill patroni,postgres"),
            ClusterEvent(at: 10 * s + 100 * ms, kind: .nodeUnreachable, node: "pg1"),
            ClusterEvent(at: 12 * s, kind: .leaderLost, node: "pg1"),
            ClusterEvent(at: 19 * s, kind: .leaderElected, node: "pg2"),
            ClusterEvent(at: 19 * s + 200 * ms, kind: .nodeWritable, node: "pg2", timeline: 2),
            ClusterEvent(at: 19 * s + 800 * ms, kind: .backendUp, node: "pg2", detail: "write"),
        ]
    }

    static func keys(_ attempts: [ProbeAttempt], where include: (ProbeAttempt) -> Bool = { $0.outcome == .ok }) -> Set<WriteKey> {
        Set(attempts.filter(include).map(\.key))
    }
}
