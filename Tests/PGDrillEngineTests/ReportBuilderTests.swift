import Foundation
import Testing
@testable import PGDrillCore
@testable import PGDrillEngine
@testable import PGDrillModel

/// The report of a drill is a pure function of what it recorded: feed a hand-built record and probe log,
/// assert the expectation table and the sentences.
@Suite struct ReportBuilderTests {
    static let cluster = ClusterTarget(
        name: "t", manager: "patroni", protected: false,
        ssh: .init(user: "root", port: 22, identityFile: "k", knownHostsFile: "kh", connectTimeout: .seconds(5)),
        nodes: [.init(name: "pg1", address: "10.0.0.1"), .init(name: "pg2", address: "10.0.0.2")], proxies: [],
        dataDir: "/d", binDir: "/b", pgPort: 5432, endpoints: ["write": "host=x"], nodeConninfo: [:], haproxyStats: nil, services: [:])

    func plan(expect: DrillPlan.Expectations) -> DrillPlan {
        DrillPlan(name: "node-down", description: "d", file: "f", destructive: true, maxLagBytes: 1 << 20, requireSync: true,
                  minReplicas: nil, probe: .init(endpoint: "write", writers: 1, rate: 0, also: [], deadlineMicros: 2_000_000),
                  steadyMicros: 1_000_000, steps: [FaultStepPlan(action: .kill(processes: ["patroni", "postgres"], signal: "KILL", on: .primary))],
                  until: [.newPrimary, .writesOK], observeTimeoutMicros: 60_000_000, stableForMicros: 1_000_000,
                  recoverTimeoutMicros: 60_000_000, cooldownMicros: 0, expect: expect, noPrimaryForMicros: nil)
    }

    /// One writer: ok every 100 ms on pg1 until t0 = 1 s, an outage of 3 s, then ok on pg2. Write 9 (acked
    /// at 0.9 s) is missing from the read-back: one lost write.
    func record(expect: DrillPlan.Expectations, lose: Set<Int64> = [9]) throws -> DrillRecord {
        let dir = NSTemporaryDirectory() + "pgdrill-rb-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/probe.csv"
        let log = try ProbeLogWriter(path: path)
        var present = Set<WriteKey>()
        var seq: Int64 = 0
        for t in stride(from: Int64(0), to: 8_000_000, by: 100_000) {
            seq += 1
            let bad = t >= 1_000_000 && t < 4_000_000
            let server = t < 1_000_000 ? "10.0.0.1:5432" : "10.0.0.2:5432"
            let a = ProbeAttempt(endpoint: "write", writer: 0, seq: seq, start: t, end: t + 1_000, outcome: bad ? .fail : .ok,
                                 error: bad ? "refused" : nil, server: bad ? nil : server, timeline: bad ? nil : (t < 1_000_000 ? 1 : 2))
            log.record(a)
            if !bad, !lose.contains(seq) { present.insert(a.key) }
        }
        try log.close()
        var r = DrillRecord(plan: plan(expect: expect), runID: "r", clock: RunClock(), probeLogPath: path, probeLogRelative: "probe.csv")
        r.steadyStart = 0
        r.t0 = 1_000_000
        r.t0Returned = 1_020_000
        r.observeEnd = 6_000_000
        r.recoverEnd = 7_000_000
        r.runEnd = 8_000_000
        r.primaryBefore = "pg1"
        r.primaryAfter = "pg2"
        r.timelineBefore = 1
        r.timelineAfter = 2
        r.readBack = ["pg2": WriteKeySet(present)]
        r.readBackOrder = ["pg2"]
        r.termination = .completed(observationSatisfied: true)
        r.events = [
            ClusterEvent(at: 1_050_000, kind: .nodeUnreachable, node: "pg1"),
            ClusterEvent(at: 3_500_000, kind: .leaderElected, node: "pg2"),
            ClusterEvent(at: 3_600_000, kind: .nodeWritable, node: "pg2", timeline: 2),
            ClusterEvent(at: 5_000_000, kind: .nodeReadOnly, node: "pg1", timeline: 2),
        ]
        return r
    }

    @Test func lostWriteFailsTheDrillWithExactFigures() throws {
        let expect = DrillPlan.Expectations(rto: try Threshold(parsing: "< 10s"), rpo: try Threshold(parsing: "0s"),
                                            lostWrites: try Threshold(parsing: "0"), noSplitBrain: true, failover: true)
        let report = ReportBuilder.report(for: try record(expect: expect), cluster: Self.cluster)
        #expect(report.verdict == .fail)
        let byMetric = Dictionary(uniqueKeysWithValues: report.expectations.map { ($0.metric, $0) })
        #expect(byMetric["failover"]?.passed == true)
        #expect(byMetric["failover"]?.measured == "pg1 → pg2")
        #expect(byMetric["rto"]?.passed == true)
        #expect(byMetric["rto"]?.measured == "3.0 s")
        #expect(byMetric["lost_writes"]?.passed == false)
        #expect(byMetric["lost_writes"]?.measured == "1 of 50 acknowledged")
        // RPO: the last surviving ack before the lost write (seq 8, acked at 0.801 s) → the lost one (0.901 s).
        #expect(byMetric["rpo"]?.passed == false)
        #expect(byMetric["rpo"]?.measured == "100 ms")
        #expect(byMetric["split_brain"]?.passed == true)
        #expect(report.whatHappened.contains("primary pg1 failed over to pg2, timeline 1 → 2 (promoted at +2.6 s)"))
        #expect(report.whatHappened.contains("old primary pg1 stopped answering at +50.0 ms and rejoined as a replica at +4.0 s"))
        #expect(report.whatHappened.contains { $0.hasPrefix("1 of 50 acknowledged writes LOST on pg2") })
    }

    @Test func nothingLostPasses() throws {
        let expect = DrillPlan.Expectations(rto: try Threshold(parsing: "< 10s"), lostWrites: try Threshold(parsing: "0"), failover: true)
        let report = ReportBuilder.report(for: try record(expect: expect, lose: []), cluster: Self.cluster)
        #expect(report.verdict == .pass, "\(report.expectations)")
        #expect(report.whatHappened.contains("all 50 acknowledged writes present on pg2"))
    }

    /// Asynchronous partition: the isolated primary demotes itself before any standby is promoted.
    @Test func demotionBeforePromotionIsToldAsSuch() throws {
        var r = try record(expect: .init(), lose: [])
        r.events[3] = ClusterEvent(at: 2_000_000, kind: .nodeReadOnly, node: "pg1", timeline: 1)
        let report = ReportBuilder.report(for: r, cluster: Self.cluster)
        #expect(report.whatHappened.contains("old primary pg1 demoted itself at +50.0 ms (back read-only at +1.0 s), before any standby was promoted"),
                "\(report.whatHappened)")
    }

    /// Patroni 3.0.2 after a partition heals: the old primary takes the leader key back and is promoted again.
    /// The report names both promotions, in order, with their timelines.
    @Test func aSecondPromotionIsNamed() throws {
        var r = try record(expect: .init(), lose: [])
        #expect(ReportBuilder.promotionHistory(r) == nil, "one failover is not a second promotion")
        r.events.append(ClusterEvent(at: 6_000_000, kind: .nodeWritable, node: "pg1", timeline: 3))
        r.primaryAfter = "pg1"
        let report = ReportBuilder.report(for: r, cluster: Self.cluster)
        #expect(report.whatHappened.contains("SECOND PROMOTION: the primary changed 2 times after the fault: pg1 → pg2 at +2.6 s (timeline 2), pg2 → pg1 at +5.0 s (timeline 3)"),
                "\(report.whatHappened)")
    }

    /// No watchdog: the old primary still answers as primary after the new one is promoted, but it acknowledges
    /// nothing meanwhile. `split_brain: none` fails on that; `no_acknowledged_writes` judges the acks only.
    @Test func splitBrainAcksOnlyToleratesTwoWritableNodesWithoutDoubleAcks() throws {
        var expect = DrillPlan.Expectations(noSplitBrain: true)
        var r = try record(expect: expect, lose: [])
        // pg1 stays writable until 5.0 s (it never stops answering); pg2 is writable from 3.6 s.
        r.events.removeAll { $0.kind == .nodeUnreachable }
        r.events.insert(ClusterEvent(at: 0, kind: .nodeWritable, node: "pg1", timeline: 1, detail: "initial"), at: 0)
        let strict = ReportBuilder.report(for: r, cluster: Self.cluster)
        #expect(strict.expectations.first { $0.metric == "split_brain" }?.passed == false)
        expect.splitBrainAcksOnly = true
        r.plan.expect = expect
        let acks = ReportBuilder.report(for: r, cluster: Self.cluster)
        let row = try #require(acks.expectations.first { $0.metric == "split_brain" })
        #expect(row.passed, "\(row)")
        #expect(row.measured == "none acknowledged; pg1 and pg2 answered as primary for 1.4 s (acks 0 · 10) at 100 ms polling")
    }

    @Test func missedRTOFails() throws {
        let expect = DrillPlan.Expectations(rto: try Threshold(parsing: "< 2s"))
        let report = ReportBuilder.report(for: try record(expect: expect, lose: []), cluster: Self.cluster)
        #expect(report.verdict == .fail)
        #expect(report.missedExpectations.map(\.metric) == ["rto"])
    }

    /// `expect.availability` is judged on the application-view downtime: the one writer's 3 s of failing
    /// writer-time over the 5 s observed (t0 1 s → 6 s) is 3 s of outage, 1.2 % of four nines over 30 days.
    @Test func availabilityIsJudgedOnTheApplicationViewDowntime() throws {
        let spec = try DrillLoader.load(yaml: """
            name: node-down
            description: d
            fault:
              - kill: { process: [patroni, postgres], on: primary }
            observe: { until: [new_primary, writes_ok] }
            expect: { availability: { slo: 99.99%, period: 30d } }
            """, file: "d.yaml")
        let expect = DrillPlan(spec: spec).expect
        #expect(expect.availability == AvailabilityTarget(slo: try Percentage(parsing: "99.99%")))
        let report = ReportBuilder.report(for: try record(expect: expect, lose: []), cluster: Self.cluster)
        #expect(report.verdict == .pass, "\(report.expectations)")
        let budget = try #require(report.availability)
        #expect(budget.budget == 259_200_000)
        #expect(budget.downtime == 3_000_000)
        #expect(budget.rtoOutage == report.metrics?.main.recovery.rto)
        #expect(report.expectations.last == ExpectationResult(
            metric: "availability", target: "99.99% over 30d, 1 failure per period",
            measured: "3.0 s app-view downtime = 1.2% of the 4 min 19.2 s budget", passed: true, detail: "RTO 3.0 s = 1.2%"))

        // Eight such failures fit five nines' 25.92 s (24 s); nine (27 s) do not.
        var strict = expect
        strict.availability = AvailabilityTarget(slo: try Percentage(parsing: "99.999%"), failuresPerPeriod: 9)
        #expect(ReportBuilder.report(for: try record(expect: strict, lose: []), cluster: Self.cluster).verdict == .fail)
        strict.availability?.failuresPerPeriod = 8
        #expect(ReportBuilder.report(for: try record(expect: strict, lose: []), cluster: Self.cluster).verdict == .pass)

        // A drill that did not run its course judges nothing and states no budget.
        var aborted = try record(expect: expect, lose: [])
        aborted.termination = .aborted("SIGINT")
        let abortedReport = ReportBuilder.report(for: aborted, cluster: Self.cluster)
        #expect(abortedReport.availability == nil)
        #expect(!abortedReport.expectations.contains { $0.metric == "availability" })
    }

    @Test(arguments: [
        (DrillLifecycle.Termination.refused("no leader"), Verdict.error, Commands.Exit.usage),
        (.aborted("SIGINT"), .aborted, Commands.Exit.aborted),
        (.degraded("rollback incomplete"), .error, Commands.Exit.degraded),
    ])
    func terminationsMapToVerdictsAndExitCodes(t: DrillLifecycle.Termination, verdict: Verdict, exit: Int32) throws {
        var r = try record(expect: .init())
        r.termination = t
        let report = ReportBuilder.report(for: r, cluster: Self.cluster)
        #expect(report.verdict == verdict)
        #expect(report.expectations.isEmpty)
        #expect(Commands.exitStatus(t, report.verdict) == exit)
    }

    /// A drill that left the cluster degraded was still verified: its lost write FAILs the drill, and the exit
    /// status still says the cluster needs `pgdrill recover`.
    @Test func aDegradedDrillStillReportsAndJudgesItsLostWrites() throws {
        var r = try record(expect: .init(lostWrites: try Threshold(parsing: "0")))
        r.termination = .degraded("cluster not healthy after recovery timeout")
        let report = ReportBuilder.report(for: r, cluster: Self.cluster)
        #expect(report.verdict == .fail)
        #expect(report.missedExpectations.map(\.metric) == ["lost_writes"])
        #expect(report.metrics?.writes?.lostWrites == 1)
        #expect(report.errors.contains { $0.contains("cluster may be degraded") })
        #expect(Commands.exitStatus(r.termination, report.verdict) == Commands.Exit.degraded)
    }

    /// Rows that never reached the probe log (a full disk) make the record incomplete: ERROR, never PASS.
    @Test func anIncompleteRecordIsAnErrorNotAPass() throws {
        var r = try record(expect: .init(), lose: [])
        #expect(ReportBuilder.report(for: r, cluster: Self.cluster).verdict == .pass)
        r.recordProblems = ["the probe log could not be written completely (12 row(s) dropped): No space left on device"]
        let report = ReportBuilder.report(for: r, cluster: Self.cluster)
        #expect(report.verdict == .error)
        #expect(report.errors.contains { $0.hasPrefix("incomplete record: the probe log could not be written") })
    }

    /// A replica that had caught up with the primary and lacks an acknowledged write fails `lost_writes`.
    @Test func aVerifiedReplicasLossFailsLostWrites() throws {
        var r = try record(expect: .init(lostWrites: try Threshold(parsing: "0")), lose: [])
        var lacking = Set(r.readBack["pg2"]!.sorted)
        lacking.remove(WriteKey(endpoint: "write", writer: 0, seq: 60))
        r.readBack["pg1"] = WriteKeySet(lacking)
        r.readBackOrder = ["pg2", "pg1"]
        let report = ReportBuilder.report(for: r, cluster: Self.cluster)
        #expect(report.verdict == .fail)
        let row = try #require(report.expectations.first { $0.metric == "lost_writes" })
        #expect(row.measured.contains("1 missing on replica pg1"), "\(row)")
        // The same replica not caught up: shown, not counted.
        r.notVerified = ["pg1": "had not replayed the primary's WAL up to 0/3000060 after 30 s"]
        #expect(ReportBuilder.report(for: r, cluster: Self.cluster).verdict == .pass)
    }

    /// The routing phase comes from the write backend as configured or discovered, never from a name guessed.
    @Test func theWriteBackendIsDiscoveredFromHAProxysStats() {
        let csv = """
            # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status
            primary_rw,FRONTEND,,,,,,,,,,,,,,,,OPEN
            primary_rw,pg1,,,,,,,,,,,,,,,,UP
            primary_rw,pg2,,,,,,,,,,,,,,,,DOWN
            replicas,pg1,,,,,,,,,,,,,,,,DOWN
            replicas,pg2,,,,,,,,,,,,,,,,UP
            stats,FRONTEND,,,,,,,,,,,,,,,,OPEN
            """
        let stats = HAProxyStats(csv: csv)
        #expect(stats.writeBackend(nodes: ["pg1", "pg2"], leader: "pg1") == .success("primary_rw"))
        guard case .failure(let problem) = stats.writeBackend(nodes: ["pg1", "pg2"], leader: "pg3") else {
            Issue.record("no backend routes only to pg3")
            return
        }
        #expect(problem.reason.contains("no HAProxy backend has the primary pg3 as its only UP server"))
        let twice = HAProxyStats(csv: csv + "\nother_rw,pg1,,,,,,,,,,,,,,,,UP\nother_rw,pg2,,,,,,,,,,,,,,,,DOWN")
        guard case .failure(let ambiguous) = twice.writeBackend(nodes: ["pg1", "pg2"], leader: "pg1") else {
            Issue.record("two candidates must not be guessed between")
            return
        }
        #expect(ambiguous.reason.contains("haproxy.write_backend"))
    }

    /// Restore expectations judge the restore's own figures.
    @Test func restoreExpectationsJudgeTheRestore() throws {
        var restore = RestoreRecord(disaster: 1_000_000, cutoff: 1_000_000, targetTime: nil)
        restore.stages = [StageTiming(name: RestoreRecord.replayStage, start: 2_000_000, end: 37_000_000)]
        var v = RestoreVerification(cutoff: 1_000_000, disaster: 1_000_000, rowsPresent: 6)
        v.ackedBeforeCutoff = 10
        v.lostBeforeCutoff = 4
        v.lastRestoredAck = 500_000
        var e = DrillPlan.Expectations()
        e.restoreRTO = try Threshold(parsing: "< 60s")
        e.restoreRPO = try Threshold(parsing: "< 100ms")
        e.restoreLostWrites = try Threshold(parsing: "0")
        let rows = ReportBuilder.restoreExpectations(restore, v, e)
        #expect(rows.map(\.metric) == ["restore integrity", "restore_rto", "restore_rpo", "restore_lost_writes"])
        #expect(rows.map(\.passed) == [true, true, false, false])
        #expect(rows[1].measured == "36.0 s to a read-write restored host")
        #expect(rows[3].measured == "4 of 10 acknowledged before the cutoff not restored")
    }
}
