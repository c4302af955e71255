import Foundation
import Testing
@testable import PGDrillModel

@Suite struct DrillLoaderTests {
    @Test func loadsTheDocumentedExample() throws {
        let path = fixture("drills/primary-node-down.yaml")
        let drill = try DrillLoader.load(path: path)
        #expect(drill.name == "primary-node-down")
        #expect(drill.description == "Patroni and PostgreSQL on the primary die at once; the sync standby must take over with no data loss.")
        #expect(drill.isDestructive)
        #expect(drill.preflight == PreflightChecks(requireHealthy: true, maxLag: .mebibytes(1), minReplicas: 2, requireSync: true))
        #expect(drill.probe.endpoint == "write" && drill.probe.writers == 4 && drill.probe.rate == 0)
        #expect(drill.probe.also == ["pooled", "read"])
        #expect(drill.probe.deadline == .seconds(2))
        #expect(drill.steady == .seconds(10))
        #expect(drill.fault == [.kill(KillStep(processes: [.patroni, .postgres], target: .primary, signal: .kill,
                                               mark: SourceMark(line: 9, column: 5)))])
        #expect(drill.observe == ObserveSettings(until: [.newPrimary, .writesOK], timeout: .seconds(120), stableFor: .seconds(5)))
        #expect(drill.recover == RecoverSettings(until: [.healthy], timeout: .seconds(180)))
        #expect(drill.cooldown == .seconds(5))
        #expect(drill.expect.rto?.description == "< 60s")
        #expect(drill.expect.rpo == Threshold(.equal, .zero))
        #expect(drill.expect.lostWrites == Threshold(.equal, 0))
        #expect(drill.expect.errorRate == Threshold(.less, Percentage(percent: 5)))
        #expect(drill.expect.splitBrain == Expectations.SplitBrainPolicy.none)
        #expect(drill.expect.failover == true)
        #expect(drill.abortIf.noPrimaryFor == .seconds(300))
        #expect(drill.file == path)
        #expect(drill.mark == SourceMark(line: 1, column: 1))
    }

    @Test func defaultsForAMinimalDrill() throws {
        let drill = try DrillLoader.load(yaml: """
            name: minimal
            description: smallest valid drill
            fault:
              - stop: { service: etcd, on: replica }
            observe: { until: writes_ok }
            """, file: "minimal.yaml")
        #expect(drill.isDestructive)
        #expect(drill.preflight == PreflightChecks())
        #expect(drill.probe == ProbeSettings(endpoint: "write", writers: 4, rate: 0, also: [], deadline: .seconds(2)))
        #expect(drill.steady == .seconds(5) && drill.cooldown == .seconds(5))
        #expect(drill.observe.timeout == .seconds(120) && drill.observe.stableFor == .seconds(5))
        #expect(drill.recover == RecoverSettings())
        #expect(drill.expect == Expectations())
        #expect(drill.abortIf == AbortConditions())
    }

    @Test func readsAnAvailabilityTargetWithItsDefaults() throws {
        func load(_ availability: String) throws -> AvailabilityTarget? {
            try DrillLoader.load(yaml: """
                name: minimal
                description: d
                fault:
                  - stop: { service: etcd, on: replica }
                observe: { until: writes_ok }
                expect: { availability: \(availability) }
                """, file: "a.yaml").expect.availability
        }
        let stated = try #require(try load("{ slo: 99.95%, period: 7d, failures_per_period: 3 }"))
        #expect(stated.slo == Percentage(percent: 99.95))
        #expect(stated.sloThousandths == 99_950)
        #expect(stated.period.microseconds == 7 * 86_400_000_000)
        #expect(stated.failuresPerPeriod == 3)
        #expect(stated.summary == "99.95% over 7d, 3 failures per period")
        let defaults = try #require(try load("{ slo: 99.99% }"))
        #expect(defaults.period.microseconds == 2_592_000_000_000)
        #expect(defaults.failuresPerPeriod == 1)
        #expect(defaults.sloThousandths == 99_990)
        #expect(defaults.summary == "99.99% over 30d, 1 failure per period")
        #expect(try load("{ slo: 99.999%, period: 1h }")?.period == .seconds(3600))
        #expect(try load("{ slo: 99.999%, period: 366d }")?.period == .longest)
    }

    @Test func readsEveryFaultAction() throws {
        let drill = try DrillLoader.load(path: fixture("drills/every-action.yaml"))
        #expect(!drill.isDestructive)
        #expect(Set(drill.fault.map(\.action)) == Set(FaultStep.actions))
        let mark = { (line: Int) in SourceMark(line: line, column: 5) }
        #expect(drill.fault == [
            .kill(KillStep(processes: [.patroni, .postgres], target: .primary, signal: .kill, mark: mark(5))),
            .stop(ServiceStep(service: .patroni, target: .syncStandby, mark: mark(6))),
            .start(ServiceStep(service: .patroni, target: .node("pg1"), mark: mark(7))),
            .partition(PartitionStep(target: .primary, scope: .all, rollbackAfter: .seconds(30), mark: mark(8))),
            .fillDisk(FillDiskStep(target: .primary, location: .walDirectory, amount: .size(.mebibytes(200)), mark: mark(9))),
            .fillDisk(FillDiskStep(target: .primary, location: .walDirectory, amount: .untilFull(leave: .mebibytes(40)), mark: mark(10))),
            .walBurst(WALBurstStep(target: .primary, size: .mebibytes(64), mark: mark(11))),
            .pause(PauseStep(processes: [.postgres], target: .primary, rollbackAfter: .seconds(10), mark: mark(12))),
            .loss(LossStep(target: .primary, percent: Percentage(percent: 30), mark: mark(13))),
            .latency(LatencyStep(target: .primary, delay: .milliseconds(100), mark: mark(14))),
            .switchover(LeaderChangeStep(candidate: .syncStandby, mark: mark(15))),
            .failover(LeaderChangeStep(candidate: .node("pg2"), mark: mark(16))),
            .shell(ShellStep(target: .proxy("px"), command: "touch /tmp/drill-marker", rollback: "rm -f /tmp/drill-marker", mark: mark(17))),
            .shell(ShellStep(target: .primary, command: "logger drill", rollback: nil, mark: mark(21))),
            .wait(WaitStep(duration: .seconds(5), mark: mark(22))),
            .kill(KillStep(processes: [.etcd], target: .allNodes, signal: .term, rollbackAfter: .seconds(2), mark: mark(23))),
            .stop(ServiceStep(service: .haproxy, target: .proxy(nil), mark: mark(24))),
            .restore(RestoreStep(target: .time(beforeDisaster: .seconds(2)), mark: mark(25))),
            .regionFailover(RegionFailoverStep(promoteAfter: .seconds(10), replicationCutBefore: .seconds(3), mark: mark(26))),
        ])
    }

    @Test func stepDescriptionsForPlansAndReports() throws {
        let drill = try DrillLoader.load(path: fixture("drills/every-action.yaml"))
        #expect(drill.fault.map(\.description) == [
            "kill patroni, postgres on primary (KILL)", "stop patroni on sync_standby", "start patroni on node:pg1",
            "partition primary from all for 30s", "fill_disk pg_wal on primary: 200MB",
            "fill_disk pg_wal on primary: until 40MB are left", "wal_burst 64MB on primary", "pause postgres on primary for 10s",
            "loss 30% on primary", "latency 100ms on primary", "switchover to sync_standby", "failover to node:pg2",
            "shell on proxy:px", "shell on primary", "wait 5s", "kill etcd on all_nodes (TERM) for 2s", "stop haproxy on proxy",
            "restore the latest backup onto a scratch host, to 2s before the disaster moment",
            "stop replication to the standby region, 3s later cut the primary region off and promote the standby cluster 10s later",
        ])
        #expect(drill.fault[3].rollbackAfter == .seconds(30))
        #expect(drill.fault[0].target == .primary && drill.fault[10].target == nil)
    }
}
