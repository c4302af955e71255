import Foundation
import Testing
@testable import PGDrillCore
@testable import PGDrillEngine
@testable import PGDrillModel

/// The sentences of a gray-fault report come from recorded events only: each test replays the event list
/// of a real run on the lab (times in µs, as report.json keeps them) and asserts what the report says.
@Suite struct FaultStoryTests {
    func record(_ steps: [FaultAction], applied: [(summary: String, host: String, sent: Int64)], primary: String,
                after: String?, members: Int = 3, events: [ClusterEvent]) -> DrillRecord {
        let plan = DrillPlan(name: "gray", description: "d", file: "f", destructive: true, maxLagBytes: 1 << 20, requireSync: true,
                             minReplicas: nil, probe: .init(endpoint: "write", writers: 1, rate: 0, also: [], deadlineMicros: 2_000_000),
                             steadyMicros: 1_000_000, steps: steps.map { FaultStepPlan(action: $0) }, until: [.writesOK],
                             observeTimeoutMicros: 60_000_000, stableForMicros: 1_000_000, recoverTimeoutMicros: 60_000_000,
                             cooldownMicros: 0, expect: .init(), noPrimaryForMicros: nil)
        var r = DrillRecord(plan: plan, runID: "r", clock: RunClock(), probeLogPath: "/nonexistent", probeLogRelative: "p.csv")
        r.t0 = applied.first?.sent
        r.primaryBefore = primary
        r.primaryAfter = after
        r.clusterBefore = ClusterView(members: (1...members).map {
            .init(name: "pg\($0)", role: "pg\($0)" == primary ? "leader" : "replica", state: "running")
        })
        r.applied = applied.enumerated().map { i, a in
            .init(summary: a.summary, host: a.host, sent: a.sent, returned: a.sent + 40_000, output: "", step: min(i, steps.count - 1))
        }
        r.events = events
        return r
    }

    /// Patroni frozen on the primary pg3 for 30 s, no watchdog (lab run 62173ab1f0b6).
    @Test func frozenPatroniFailsOverAndDemotesAfterResume() {
        let r = record([.pause(processes: ["patroni"], on: .primary)],
                       applied: [("SIGSTOP patroni on pg3", "pg3", 5_233_912)], primary: "pg3", after: "pg1", events: [
            ClusterEvent(at: 269_074, kind: .nodeWritable, node: "pg3", timeline: 2, detail: "initial"),
            ClusterEvent(at: 5_233_912, kind: .faultSent, node: "pg3", detail: "SIGSTOP patroni on pg3"),
            ClusterEvent(at: 10_331_918, kind: .backendDown, node: "pg3", detail: "write"),
            ClusterEvent(at: 25_217_507, kind: .leaderLost, node: "pg3", detail: "no member holds the leader key"),
            ClusterEvent(at: 27_361_516, kind: .leaderElected, node: "pg1", timeline: 2),
            ClusterEvent(at: 27_737_514, kind: .nodeWritable, node: "pg1", timeline: 3),
            ClusterEvent(at: 35_317_274, kind: .rolledBack, node: "pg3", detail: "SIGSTOP patroni on pg3"),
            ClusterEvent(at: 35_978_038, kind: .nodeUnreachable, node: "pg3"),
            ClusterEvent(at: 39_936_535, kind: .nodeReadOnly, node: "pg3"),
        ])
        let story = ReportBuilder.faultStory(r, nil)
        #expect(story == [
            "Patroni on pg3 frozen (SIGSTOP) from +0 s to +30.1 s (30.1 s); PostgreSQL kept running",
            "no member held the leader key from +20.0 s (pg3's key expired or was released)",
            "pg1 took the leader key at +22.1 s: failover",
            "pg3 stopped answering SQL at +30.7 s, 661 ms after it was resumed",
            "primary pg3 was demoted once it was resumed (pg1 led by then): read-only at +34.7 s, 4.6 s after it was resumed",
        ], "\(story)")
    }

    /// etcd stopped on both standbys: the primary demotes itself, nobody is promoted, it leads again later.
    @Test func dcsMajorityLossIsToldAsDCSUnreachable() {
        let r = record([.stopService("etcd", on: .syncStandby), .stopService("etcd", on: .asyncStandby)],
                       applied: [("stop etcd on pg2", "pg2", 1_000_000), ("stop etcd on pg3", "pg3", 1_400_000)],
                       primary: "pg1", after: "pg1", events: [
            ClusterEvent(at: 500_000, kind: .nodeWritable, node: "pg1", timeline: 3, detail: "initial"),
            ClusterEvent(at: 6_200_000, kind: .nodeReadOnly, node: "pg1", timeline: 3),
            ClusterEvent(at: 7_000_000, kind: .leaderLost, node: "pg1"),
            ClusterEvent(at: 41_000_000, kind: .rolledBack, node: "pg2", detail: "stop etcd on pg2"),
            ClusterEvent(at: 41_400_000, kind: .rolledBack, node: "pg3", detail: "stop etcd on pg3"),
            ClusterEvent(at: 44_000_000, kind: .leaderElected, node: "pg1", timeline: 3),
            ClusterEvent(at: 44_300_000, kind: .nodeWritable, node: "pg1", timeline: 3),
        ])
        let story = ReportBuilder.faultStory(r, nil)
        #expect(story.contains("etcd stopped on pg2, pg3 (2 of 3 members: the DCS had no majority) from +0 s to +40.4 s (40.4 s)"), "\(story)")
        #expect(story.contains("primary pg1 demoted itself (DCS unreachable, and no standby was promoted): read-only at +5.2 s"), "\(story)")
        #expect(story.contains("no failover: pg1 led again once the DCS was back"), "\(story)")
        #expect(!story.contains { $0.contains("kept the leader key") }, "Patroni's view is stale without the DCS: \(story)")
        #expect(story.contains("pg1 was primary again at +43.3 s"), "\(story)")
    }

    /// A proxy restart: how long it took, and no word about leaders beyond "kept".
    @Test func proxyRestartSaysHowLongItTook() {
        let r = record([.stopService("pgbouncer", on: .proxy(nil)), .startService("pgbouncer", on: .proxy(nil))],
                       applied: [("stop pgbouncer on px", "px", 2_000_000), ("start pgbouncer on px", "px", 2_100_000)],
                       primary: "pg1", after: "pg1", events: [])
        let story = ReportBuilder.faultStory(r, nil)
        #expect(story == [
            "PgBouncer on px stopped at +0 s and running again at +140 ms (restart took 140 ms)",
            "no failover: pg1 kept the leader key throughout",
        ], "\(story)")
    }

    /// Patroni killed alone and restarted 5 s later: the frozen-postgres sentences do not apply.
    @Test func patroniKilledAloneKeepsTheLeaderKey() {
        let r = record([.kill(processes: ["patroni"], signal: "KILL", on: .primary)],
                       applied: [("kill -KILL patroni on pg2", "pg2", 1_000_000)], primary: "pg2", after: "pg2", events: [
            ClusterEvent(at: 6_400_000, kind: .rolledBack, node: "pg2", detail: "kill -KILL patroni on pg2"),
        ])
        #expect(ReportBuilder.faultStory(r, nil) == [
            "Patroni on pg2 killed (KILL) while PostgreSQL kept running; started again at +5.4 s by the rollback, 5.4 s later (nothing supervised it)",
            "no failover: pg2 kept the leader key throughout",
        ])
    }

    /// Packet loss on the primary: the monitor losing the node is not "PostgreSQL restarted in place", and the
    /// report says how much of the write rate was left (the fixture's outage leaves none).
    @Test func packetLossIsNotToldAsARestart() throws {
        var r = try ReportBuilderTests().record(expect: .init(), lose: [])
        r.plan.steps = [FaultStepPlan(action: .loss(probability: 0.4, on: .primary), holdMicros: 2_000_000)]
        r.applied = [.init(summary: "drop 40% of packets on pg1", host: "pg1", sent: 1_000_000, returned: 1_020_000, output: "", step: 0)]
        r.primaryAfter = "pg1"
        r.timelineAfter = 1
        r.events = [
            ClusterEvent(at: 1_050_000, kind: .nodeUnreachable, node: "pg1"),
            ClusterEvent(at: 3_000_000, kind: .rolledBack, node: "pg1", detail: "drop 40% of packets on pg1"),
        ]
        let said = ReportBuilder.report(for: r, cluster: ReportBuilderTests.cluster).whatHappened
        #expect(!said.contains { $0.contains("restarted in place") }, "\(said)")
        #expect(said.contains("primary pg1 stayed primary (timeline 1, no failover)"), "\(said)")
        #expect(said.contains("40% of the packets of pg1 dropped at random from +0 s to +2.0 s (2.0 s)"), "\(said)")
        #expect(said.contains("'write' acknowledged 0.0 writes/s during the fault against 10/s before (0.0%)"), "\(said)")
    }

    /// Classic drills keep their generic sentences only.
    @Test func nodeDownHasNoGrayStory() {
        let r = record([.kill(processes: ["patroni", "postgres"], signal: "KILL", on: .primary)],
                       applied: [("kill", "pg1", 1_000_000)], primary: "pg1", after: "pg2", events: [])
        #expect(ReportBuilder.faultStory(r, nil).isEmpty)
    }
}
