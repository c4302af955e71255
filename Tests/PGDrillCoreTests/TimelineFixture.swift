@testable import PGDrillCore

/// A node-down failover as the probe sees it at a realistic rate, for the timeline chart: four
/// writers per endpoint on `write` (HAProxy) and `pooled` (PgBouncer), one on `read`. pg1 acks
/// until t0 = 10 s; `write` fails until pg2 is routed (+22 s), `pooled` holds writes in its queue and
/// acks them late; `read` blips once. Deterministic (a fixed LCG), so sizes are reproducible.
enum TimelineFixture {
    static let s = Fixture.s
    static let ms = Fixture.ms
    static let t0: Int64 = 10 * s

    struct Noise {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    /// Attempts of one writer from `from` to `to`; `shape(t, noise)` says how each attempt went.
    static func writer(
        endpoint: String, writer: Int, from: Int64, to: Int64, seed: UInt64,
        shape: (Int64, inout Noise) -> (length: Int64, outcome: ProbeAttempt.Outcome, server: String?, timeline: Int)
    ) -> [ProbeAttempt] {
        var noise = Noise(state: seed)
        var out: [ProbeAttempt] = []
        var t = from
        var seq: Int64 = 1
        while t < to {
            let (length, outcome, server, timeline) = shape(t, &noise)
            let ok = outcome == .ok
            out.append(ProbeAttempt(
                endpoint: endpoint, writer: writer, seq: seq, start: t, end: t + length, outcome: outcome,
                sqlstate: outcome == .fail ? "57P03" : nil, error: ok ? nil : "server closed the connection",
                server: ok ? server : nil, serverTime: ok ? Fixture.wallBase + t : nil, timeline: ok ? timeline : nil
            ))
            seq += 1
            // A failed connect backs off 200 ms; otherwise the next write follows at once.
            t += length + (ok ? 0 : 200 * ms)
        }
        return out
    }

    static func attempts(runEnd: Int64 = 60 * s) -> [ProbeAttempt] {
        var all: [ProbeAttempt] = []
        for w in 0..<4 {
            all += writer(endpoint: "write", writer: w, from: 0, to: runEnd, seed: UInt64(w + 1)) { t, noise in
                let jitter = Int64(noise.next() * 3_000)
                switch t {
                case ..<(t0 - 5 * ms): return (2 * ms + jitter, .ok, Fixture.serverA, 1)
                case ..<t0: return (2_000 * ms, .indeterminate, nil, 1)  // in flight when pg1 died: deadline
                case ..<(t0 + 22 * s): return (1 * ms, .fail, nil, 1)
                case ..<(t0 + 25 * s): return (3 * ms + jitter * 4, .ok, Fixture.serverB, 2)
                default: return (2 * ms + jitter, .ok, Fixture.serverB, 2)
                }
            }
            all += writer(endpoint: "pooled", writer: w, from: 0, to: runEnd, seed: UInt64(w + 11)) { t, noise in
                let jitter = Int64(noise.next() * 4_000)
                switch t {
                case ..<(t0 - 5 * ms): return (3 * ms + jitter, .ok, Fixture.serverA, 1)
                case ..<(t0 + 20 * s): return (noise.next() < 0.5 ? 2_000 * ms : 5 * ms, noise.next() < 0.5 ? .indeterminate : .fail, nil, 1)
                case ..<(t0 + 21 * s): return (1_500 * ms + jitter * 50, .ok, Fixture.serverB, 2)  // queued in PgBouncer
                default: return (3 * ms + jitter, .ok, Fixture.serverB, 2)
                }
            }
        }
        all += writer(endpoint: "read", writer: 0, from: 0, to: runEnd, seed: 99) { t, noise in
            let jitter = Int64(noise.next() * 1_000)
            if t >= t0 && t < t0 + 800 * ms { return (400 * ms, .fail, nil, 1) }
            return (1 * ms + jitter, .ok, t < t0 ? Fixture.serverA : Fixture.serverB, 1)
        }
        return all
    }

    static let events: [ClusterEvent] = [
        ClusterEvent(at: 0, kind: .nodeWritable, node: "pg1", timeline: 1),
        ClusterEvent(at: t0, kind: .faultSent, node: "pg1", detail: "kill patroni,postgres"),
        ClusterEvent(at: t0 + 1 * ms, kind: .faultApplied, node: "pg1"),
        ClusterEvent(at: t0 + 20 * s, kind: .leaderLost, node: "pg1"),
        ClusterEvent(at: t0 + 21 * s, kind: .leaderElected, node: "pg2"),
        ClusterEvent(at: t0 + 21 * s + 300 * ms, kind: .nodeWritable, node: "pg2", timeline: 2),
        ClusterEvent(at: t0 + 21 * s + 900 * ms, kind: .backendUp, node: "pg2", detail: "write"),
        ClusterEvent(at: 45 * s, kind: .rolledBack, node: "pg1", detail: "start patroni on pg1"),
    ]

    static func drill(attempts: [ProbeAttempt], runEnd: Int64 = 60 * s) -> DrillReport {
        let input = DrillAnalysisInput(
            endpoint: "write", also: ["pooled", "read"], readEndpoints: ["read"], steadyStart: 0, t0: t0,
            observeEnd: 40 * s, runEnd: runEnd, stableFor: 5 * s, oldPrimary: "pg1", events: events,
            serverNodes: [Fixture.serverA: "pg1", Fixture.serverB: "pg2"]
        )
        let metrics = DrillAnalyzer(input).analyze(attempts)
        return DrillReport(
            name: "primary-node-down", scenario: "kill patroni+postgres on primary", verdict: .pass,
            metrics: metrics, events: events
        )
    }
}
