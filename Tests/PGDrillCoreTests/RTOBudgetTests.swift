import PGDrillModel
import Testing
@testable import PGDrillCore

/// The RTO against the cluster's own configuration: bounds from settings, phases measured beside them.
struct RTOBudgetTests {
    /// The lab: Patroni 4.1.5, ttl 20, loop_wait 1, retry_timeout 4; HAProxy inter 500ms fall 2 rise 1.
    static let lab = FailoverSettings(
        manager: "patroni",
        patroni: PatroniTimeouts(ttl: 20, loopWait: 1, retryTimeout: 4, primaryStartTimeout: 300, synchronousMode: true, version: "4.1.5"),
        haproxy: HAProxyChecks(backend: "write", inter: 0.5, fall: 2, rise: 1), archiveTimeout: 5)
    /// Phases of a real node-down run on the lab (RTO 20.3 s): routing was seen before the SQL poll saw the
    /// new primary writable.
    static let nodeDownPhases = FailoverPhases(
        detection: PhaseMark(offset: 19_711_654), promotion: PhaseMark(offset: 20_280_642),
        routing: PhaseMark(offset: 20_100_712), client: PhaseMark(offset: 20_322_167))

    @Test func patroniNodeLossBoundsFollowTheSettings() throws {
        let b = try #require(RTOBudget.make(.primaryLost, settings: Self.lab, phases: Self.nodeDownPhases, rto: 20_322_167))
        #expect(b.phases.map(\.phase) == ["detection", "promotion", "routing", "client"])
        #expect(b.phases.map(\.bound) == [21_600_000, 5_000_000, 500_000, nil])
        #expect(b.phases.map(\.measured) == [19_711_654, 568_988, 0, 41_525])
        #expect(b.lowerBound == 19_000_000)
        // 21.6 + 5 + 0.5 + the probe's 50 ms retry.
        #expect(b.upperBound == 27_150_000)
        #expect(b.exceeded.isEmpty)
        #expect(b.dominant == "ttl dominates: 21.6 s of detection (ttl 20 s + loop_wait 1 s + 600 ms to see it) of the 27.1 s bound. ttl 20 s is already the least Patroni accepts (20 s, and loop_wait + 2 × retry_timeout ≤ ttl).")
        #expect(b.rpo?.hasPrefix("0: with synchronous_mode") == true)
        #expect(b.rpo?.contains("archive_timeout 5 s") == true)
    }

    @Test func aLongerTTLMovesTheBoundAndTheAdvice() throws {
        var s = Self.lab
        s.patroni!.ttl = 30
        s.haproxy = HAProxyChecks(backend: "write", inter: 2, fall: 3, rise: 2)
        let b = try #require(RTOBudget.make(.primaryLost, settings: s))
        #expect(b.phases.map(\.bound) == [31_600_000, 5_000_000, 4_000_000, nil])
        #expect(b.lowerBound == 29_000_000)
        #expect(b.dominant?.hasSuffix("ttl 20 s (the least Patroni accepts with loop_wait 1 s and retry_timeout 4 s) would take 10 s off it.") == true)
        #expect(b.phases.allSatisfy { $0.measured == nil })
    }

    @Test func aPhaseSlowerThanItsSettingsIsFlagged() throws {
        let slow = FailoverPhases(detection: PhaseMark(offset: 25_000_000), promotion: PhaseMark(offset: 25_400_000),
                                  routing: PhaseMark(offset: 26_600_000), client: PhaseMark(offset: 26_610_000))
        let b = try #require(RTOBudget.make(.primaryLost, settings: Self.lab, phases: slow, rto: 26_610_000))
        #expect(b.exceeded.map(\.phase) == ["detection", "routing"])
        // The client's reconnect is the application's, never judged against the cluster.
        #expect(b.phases.last?.judged == false)
    }

    @Test func theTargetSaysWhatTTLItNeeds() throws {
        let b = try #require(RTOBudget.make(.primaryLost, settings: Self.lab, phases: Self.nodeDownPhases, rto: 20_322_167,
                                            target: Threshold(.less, .seconds(15))))
        // 15 s − 0.61 s after detection − loop_wait 1 s − 0.6 s = 12.79 s → 12.7 s, below Patroni's minimum.
        #expect(b.advice == ["the 15.0 s RTO target needs ttl ≤ 12.7 s (after loop_wait 1 s, 600 ms to see the lease expire and the 611 ms the later phases took): below Patroni's minimum of 20 s, so not reachable by ttl alone"])
    }

    /// The repmgr node-down drill: 52.7 s against a 45 s target, detection at +50.5 s.
    @Test func repmgrExplainsItsRTOFromReconnectSettings() throws {
        let s = FailoverSettings(manager: "repmgr", haproxy: HAProxyChecks(backend: "write", inter: 0.5, fall: 2, rise: 1),
                                 repmgr: RepmgrReconnect(reconnectAttempts: 6, reconnectInterval: 10, monitorInterval: 1),
                                 synchronousStandbyNames: "pg2")
        let phases = FailoverPhases(detection: PhaseMark(offset: 50_500_000), promotion: PhaseMark(offset: 51_900_000),
                                    routing: PhaseMark(offset: 52_400_000), client: PhaseMark(offset: 52_700_000))
        let b = try #require(RTOBudget.make(.primaryLost, settings: s, phases: phases, rto: 52_700_000, target: Threshold(.less, .seconds(45))))
        #expect(b.phases.first?.bound == 61_000_000)
        #expect(b.lowerBound == 50_000_000)
        #expect(b.upperBound == nil)  // repmgr's promote has no setting
        #expect(b.dominant == "repmgr's reconnect_attempts 6 × reconnect_interval 10 s = 60 s bounds detection; each attempt fewer takes 10 s off.")
        #expect(b.advice == ["the 45.0 s RTO target needs reconnect_attempts × reconnect_interval ≤ 41.8 s (after monitor_interval_secs 1 s and the 2.2 s the later phases took)"])
        #expect(b.rpo == "0 while synchronous_standby_names ('pg2') names the standby that is promoted")
    }

    @Test func unreadSettingsLeaveBoundsUnknownNotGuessed() throws {
        let b = try #require(RTOBudget.make(.primaryLost, settings: FailoverSettings(manager: "patroni", unread: ["GET /config: HTTP 401"])))
        #expect(b.phases.map(\.phase) == ["routing", "client"])
        #expect(b.phases.first?.bound == nil)
        #expect(b.upperBound == nil)
        #expect(b.unknown.count == 2)
        #expect(RTOBudget.make(.primaryLost, settings: FailoverSettings(manager: "streaming")) == nil)
    }

    @Test func asyncPatroniRPOIsTheLagLimit() throws {
        var s = Self.lab
        s.patroni!.synchronousMode = false
        s.archiveTimeout = 0
        let b = try #require(RTOBudget.make(.primaryPartitioned, settings: s))
        #expect(b.rpo == "up to maximum_lag_on_failover 1 MB of WAL: asynchronous replication, and a replica further behind is not promoted; recovery from the WAL archive: up to a whole WAL segment (archive_timeout 0)")
    }

    @Test(arguments: [
        // configured (ttl, loop_wait, retry_timeout), version → in force
        ((10.0, 1.0, 4.0), "4.1.5", (20.0, 1.0, 4.0)),
        ((10.0, 1.0, 4.0), "3.0.2", (10.0, 1.0, 4.0)),
        ((20.0, 10.0, 10.0), "3.0.3", (20.0, 1.0, 9.0)),
        ((30.0, 10.0, 10.0), "4.0.0", (30.0, 10.0, 10.0)),
        ((30.0, 12.0, 10.0), "3.3.1", (30.0, 10.0, 10.0)),
        ((30.0, 0.0, 1.0), "3.0.10", (30.0, 1.0, 3.0)),
    ])
    func patroniAdjustsTimeoutsFrom303(configured: (Double, Double, Double), version: String, inForce: (Double, Double, Double)) {
        let p = PatroniTimeouts.inForce(configured: PatroniTimeouts(ttl: configured.0, loopWait: configured.1, retryTimeout: configured.2, version: version))
        #expect(p.ttl == inForce.0)
        #expect(p.loopWait == inForce.1)
        #expect(p.retryTimeout == inForce.2)
        #expect(p.adjustments.isEmpty == (configured == inForce))
    }

    @Test func haproxyMarkUpAndDownBounds() {
        #expect(HAProxyChecks(backend: "w", inter: 2, fall: 3, rise: 2).markUpBound == 4)
        #expect(HAProxyChecks(backend: "w", inter: 2, fastinter: 0.5, downinter: 1, fall: 3, rise: 3).markUpBound == 2)
        #expect(HAProxyChecks(backend: "w", inter: 0.5, fall: 2, rise: 1, timeoutCheck: 2).markDownBound == 5)
    }

    @Test func fingerprintChangesWithASetting() {
        var s = Self.lab
        let before = s.fingerprint
        s.haproxy!.inter = 1
        s.sources = ["elsewhere"]
        #expect(before != s.fingerprint)
        #expect(Set(s.fingerprint).subtracting(before) == ["haproxy.write.inter=1"])
    }
}
