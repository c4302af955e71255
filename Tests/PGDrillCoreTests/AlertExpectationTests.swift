import Foundation
import PGDrillModel
import Testing
@testable import PGDrillCore

/// `expect.alerts` judged against what the monitoring said, without a lab: every way an alert expectation
/// passes or fails, in the words of the report.
@Suite struct AlertExpectationTests {
    static let t0: Int64 = 10_000_000
    static func s(_ seconds: Double) -> Int64 { t0 + Int64(seconds * 1e6) }

    static func report(_ instances: [AlertInstance], alertmanager: Bool = true, rules: [String: Int64]? = ["PostgreSQLNoLeader": 10_000_000]) -> AlertsReport {
        var r = AlertsReport(prometheus: "http://p:9090", alertmanager: alertmanager ? "http://a:9093" : nil, matchers: ["cluster": "lab"],
                             pollInterval: 500_000, watchedFrom: 5_000_000)
        r.instances = instances
        r.rules = rules
        r.watchedUntil = s(90)
        return r
    }

    static func noLeader(pending: Double?, firing: Double?, resolved: Double? = nil, alertmanager: Double? = nil,
                         state: String = "suppressed", silenced: Bool? = true) -> AlertInstance {
        var i = AlertInstance(name: "PostgreSQLNoLeader", labels: ["cluster": "lab", "severity": "critical"],
                              pendingAt: pending.map(s), firingAt: firing.map(s), resolvedAt: resolved.map(s))
        i.alertmanagerAt = alertmanager.map(s)
        i.alertmanagerState = alertmanager == nil ? nil : state
        i.silencedByDrill = alertmanager == nil ? nil : silenced
        return i
    }

    func check(_ expect: AlertExpectations, _ report: AlertsReport, recovered: Double? = 40) -> [ExpectationResult] {
        AlertExpectationCheck(expect: expect, alerts: report, t0: Self.t0, recoveredAt: recovered.map(Self.s), end: Self.s(90)).results()
    }

    static let fireNoLeader = AlertExpectations(fire: [.init(name: "PostgreSQLNoLeader", within: .seconds(30))])

    @Test func anAlertFiredInTimeAndSilencedByTheDrillPasses() throws {
        let r = check(Self.fireNoLeader, Self.report([Self.noLeader(pending: 1.9, firing: 12.3, resolved: 25, alertmanager: 12.4)]))
        let row = try #require(r.first)
        #expect(row.passed)
        #expect(row.metric == "alert PostgreSQLNoLeader" && row.target == "fires within 30s")
        #expect(row.measured == "fired at +12.3 s")
        #expect(row.detail == "pending +1.9 s; Alertmanager had it at +12.4 s, silenced by the drill (it would have paged)")
    }

    @Test func firingLaterThanWithinFails() {
        let r = check(Self.fireNoLeader, Self.report([Self.noLeader(pending: 25, firing: 35, alertmanager: 35)]))
        #expect(r.first?.passed == false)
        #expect(r.first?.measured == "fired at +35.0 s")
    }

    /// A firing from before the fault (an earlier drill's) does not count for this one.
    @Test func aFiringBeforeTheFaultDoesNotCount() {
        let r = check(Self.fireNoLeader, Self.report([Self.noLeader(pending: -30, firing: -20, resolved: -5, alertmanager: -20)]))
        #expect(r.first?.passed == false)
        #expect(r.first?.measured == "did not fire")
    }

    /// The rule removed from the Prometheus: the row names the alert and says why it could not fire.
    @Test func aMissingRuleIsNamed() {
        let r = check(Self.fireNoLeader, Self.report([], rules: ["PostgreSQLReplicaNotStreaming": 10_000_000]))
        #expect(r.first?.passed == false)
        #expect(r.first?.metric == "alert PostgreSQLNoLeader")
        #expect(r.first?.detail == "the Prometheus has no alerting rule named PostgreSQLNoLeader")
    }

    @Test func pendingButNeverFiringSaysSo() {
        let r = check(Self.fireNoLeader, Self.report([Self.noLeader(pending: 3, firing: nil, resolved: 8)]))
        #expect(r.first?.passed == false)
        #expect(r.first?.detail == "pending from +3.0 s but never firing; gone at +8.0 s")
    }

    /// Fired in Prometheus but never reached Alertmanager: nobody would have been paged.
    @Test func anAlertThatNeverReachedAlertmanagerFails() {
        let r = check(Self.fireNoLeader, Self.report([Self.noLeader(pending: 2, firing: 12)]))
        #expect(r.first?.passed == false)
        #expect(r.first?.detail?.contains("never reached Alertmanager: nobody would have been paged") == true)
        // Without an Alertmanager in the cluster file, Prometheus' firing is all there is to judge.
        #expect(check(Self.fireNoLeader, Self.report([Self.noLeader(pending: 2, firing: 12)], alertmanager: false)).first?.passed == true)
    }

    /// Suppressed by someone else's silence or an inhibition: the page would not have gone out.
    @Test func anAlertSuppressedByAnotherSilenceFails() {
        let r = check(Self.fireNoLeader, Self.report([Self.noLeader(pending: 2, firing: 12, alertmanager: 12.5, silenced: false)]))
        #expect(r.first?.passed == false)
        #expect(r.first?.detail?.contains("suppressed (silenced or inhibited: nobody was paged)") == true)
        let active = check(Self.fireNoLeader, Self.report([Self.noLeader(pending: 2, firing: 12, alertmanager: 12.5, state: "active", silenced: nil)]))
        #expect(active.first?.passed == true)
    }

    @Test func resolutionIsJudgedFromRecovery() {
        var expect = Self.fireNoLeader
        expect.resolveWithin = .seconds(60)
        let inTime = check(expect, Self.report([Self.noLeader(pending: 2, firing: 12, resolved: 45, alertmanager: 12)]))
        #expect(inTime.last?.metric == "alerts resolved" && inTime.last?.passed == true)
        #expect(inTime.last?.measured == "all resolved, the last 5.0 s after recovery")
        expect.resolveWithin = .seconds(30)
        let late = check(expect, Self.report([Self.noLeader(pending: 2, firing: 12, resolved: 85, alertmanager: 12)]))
        #expect(late.last?.passed == false)
        #expect(late.last?.measured == "PostgreSQLNoLeader resolved 45.0 s after recovery")
        let never = check(expect, Self.report([Self.noLeader(pending: 2, firing: 12, alertmanager: 12)]))
        #expect(never.last?.passed == false)
        #expect(never.last?.measured == "PostgreSQLNoLeader still firing at the end (50.0 s after recovery)")
        let unrecovered = check(expect, Self.report([Self.noLeader(pending: 2, firing: 12, resolved: 30, alertmanager: 12)]), recovered: nil)
        #expect(unrecovered.last?.passed == false && unrecovered.last?.measured == "cluster not recovered")
    }

    @Test func aForbiddenAlertFailsOnlyWhenItFires() {
        let expect = AlertExpectations(forbid: ["PostgreSQLNoLeader"])
        let fired = check(expect, Self.report([Self.noLeader(pending: 2, firing: 12.5, alertmanager: 13)]))
        #expect(fired.first?.passed == false && fired.first?.measured == "fired at +12.5 s" && fired.first?.target == "never fires")
        let pending = check(expect, Self.report([Self.noLeader(pending: 2.3, firing: nil, resolved: 5)]))
        #expect(pending.first?.passed == true)
        #expect(pending.first?.detail == "pending from +2.3 s, resolved before its for: ran out")
        // Dark monitoring cannot prove that it did not fire.
        var dark = Self.report([])
        dark.outages = [MonitoringOutage(api: "Prometheus", from: Self.s(5), to: Self.s(25), error: "connection refused")]
        let unproven = check(expect, dark)
        #expect(unproven.first?.passed == false)
        #expect(unproven.first?.detail == "the monitoring did not answer for 20.0 s: not judged then")
    }

    @Test func timeToDetectIsTheFirstFiringAfterTheFault() {
        var other = AlertInstance(name: "MonitoringTargetDown", labels: ["node": "pg1"], pendingAt: Self.s(0.1), firingAt: Self.s(10.2))
        other.resolvedAt = Self.s(40)
        let report = Self.report([Self.noLeader(pending: -30, firing: -20, resolved: 11), other, Self.noLeader(pending: 1.9, firing: 12.3)])
        #expect(report.firstFiring(after: Self.t0)?.name == "MonitoringTargetDown")
        #expect(report.darkMicros(from: Self.t0, to: Self.s(90)) == 0)
    }

    @Test func theMarkdownSectionShowsEachAlertRelativeToTheFault() {
        var r = Self.report([Self.noLeader(pending: 1.9, firing: 12.3, resolved: 25, alertmanager: 12.4)])
        r.silence = SilenceRecord(id: "abc", matchers: ["cluster": "lab"], createdAt: Self.s(-5), endsAt: "2026-12-07T23:55:34.725Z")
        r.silence?.expiredAt = Self.s(60)
        r.outages = [MonitoringOutage(api: "Alertmanager", from: Self.s(30), to: Self.s(33), error: "timeout")]
        let md = MarkdownReport().alertsSection(r, t0: Self.t0)
        #expect(md.contains("| PostgreSQLNoLeader | severity=critical | +1.9 s | +12.3 s | +12.4 s (silenced by the drill) | +25.0 s |"), "\(md)")
        #expect(md.contains("- Time to detect: 12.3 s (PostgreSQLNoLeader firing; its rule's for: 10.0 s)"), "\(md)")
        #expect(md.contains("- Silence abc over cluster=\"lab\" from -5.0 s to +60.0 s (expired by pgdrill)"), "\(md)")
        #expect(md.contains("- Alertmanager did not answer from +30.0 s to +33.0 s: timeout"), "\(md)")
        r.silence?.expiredAt = nil
        #expect(MarkdownReport().alertsSection(r, t0: Self.t0).contains("NOT expired by pgdrill; it lapses by itself at 2026-12-07T23:55:34.725Z"))
    }
}

extension PrometheusTextfileTests {
    /// One sample per alert that fired after the fault, its earliest firing; none for one that fired only before.
    @Test func timeToDetectPerAlert() throws {
        var run = ReportRendererTests.sampleReport()
        let t0 = try #require(run.drills[0].metrics?.t0)
        var alerts = AlertsReport(prometheus: "http://p", alertmanager: nil, matchers: ["cluster": "lab"], pollInterval: 500_000, watchedFrom: 0)
        alerts.instances = [
            AlertInstance(name: "PostgreSQLNoLeader", labels: [:], pendingAt: t0 + 1_900_000, firingAt: t0 + 12_300_000),
            AlertInstance(name: "PostgreSQLNoLeader", labels: ["node": "x"], pendingAt: t0 + 30_000_000, firingAt: t0 + 40_000_000),
            AlertInstance(name: "PostgreSQLLeaderChanged", labels: [:], pendingAt: t0 - 9_000_000, firingAt: t0 - 9_000_000),
        ]
        run.drills[0].alerts = alerts
        let lines = PrometheusTextfile.render(run: run).split(separator: "\n").map(String.init)
        #expect(lines.contains("pgdrill_alert_detect_seconds{drill=\"primary-node-down\",cluster=\"lab\",alert=\"PostgreSQLNoLeader\"} 12.3"))
        #expect(!lines.contains { $0.contains("PostgreSQLLeaderChanged") })
        #expect(lines.filter { $0.hasPrefix("# TYPE pgdrill_alert_detect_seconds") }.count == 1)
    }
}
