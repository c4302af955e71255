import Foundation
import PGDrillCore
import PGDrillModel
import Testing
@testable import PGDrillEngine

@Suite struct AlertMonitoringTests {
    /// Go writes RFC 3339 with nanoseconds; the fraction must survive (a pending time is a figure).
    @Test func prometheusTimestampsKeepTheirFraction() throws {
        let d = try #require(AlertAPI.date("2026-12-07T23:43:46.246813977Z"))
        #expect(abs(d.timeIntervalSince1970 - 1_796_687_026.246_814) < 1e-5)
        #expect(AlertAPI.date("2026-12-07T23:43:46Z")?.timeIntervalSince1970 == 1_796_687_026)
        let offset = try #require(AlertAPI.date("2026-12-08T00:43:46.5+01:00"))
        #expect(abs(offset.timeIntervalSince1970 - 1_796_687_026.5) < 1e-6)
        #expect(AlertAPI.date("yesterday") == nil)
    }

    /// A server mounted under a path keeps it.
    @Test func endpointsKeepThePathPrefix() {
        #expect(AlertAPI.endpoint(URL(string: "http://p:9090")!, "api/v1/alerts").absoluteString == "http://p:9090/api/v1/alerts")
        #expect(AlertAPI.endpoint(URL(string: "https://mon/prometheus/")!, "api/v1/alerts").absoluteString == "https://mon/prometheus/api/v1/alerts")
    }

    /// Alertmanager adds the external labels; the alert is the same when every Prometheus label agrees.
    @Test func alertmanagerAlertsMatchPrometheusOnes() {
        let i = AlertInstance(name: "PostgreSQLNoLeader", labels: ["cluster": "lab", "severity": "critical"])
        #expect(AlertWatcher.matches(.init(labels: ["alertname": "PostgreSQLNoLeader", "cluster": "lab", "severity": "critical", "replica": "a"], state: "active", silencedBy: []), i))
        #expect(!AlertWatcher.matches(.init(labels: ["alertname": "PostgreSQLNoLeader", "cluster": "other", "severity": "critical"], state: "active", silencedBy: []), i))
        #expect(!AlertWatcher.matches(.init(labels: ["alertname": "Other", "cluster": "lab", "severity": "critical"], state: "active", silencedBy: []), i))
        #expect(AlertWatcher.key("A", ["b": "1", "a": "2"]) == AlertWatcher.key("A", ["a": "2", "b": "1"]))
    }

    /// The journal keeps the silence as a token, never a credential, and reads it back.
    @Test func theSilenceIsJournalledAsAToken() throws {
        let silence = AlertSilence(alertmanager: URL(string: "http://a:9093")!, token: "pgdrill-silence-run-1-abcd")
        let text = silence.journalText
        #expect(text.hasPrefix("pgdrill-internal expire-silence "))
        #expect(AlertSilence.parse(text) == silence)
        #expect(ManagerPause.parse(text) == nil && AlertSilence.parse(ManagerPause(nodes: []).journalText) == nil)
        #expect(silence.comment(drill: "d", runID: "r").contains(silence.token))
    }

    /// `abort_if.alert` aborts one drill like an interrupt, but its recovery is still awaited and the next
    /// drill starts clean; a signal still counts for the whole run.
    @Test func aDrillStopConditionEndsWithTheDrill() {
        let trap = InterruptTrap(progress: Progress()) {}
        #expect(!trap.interrupted)
        trap.abortDrill("abort_if: alert PostgreSQLConnectionsHigh firing (node pg1)")
        #expect(trap.interrupted && !trap.signalled)
        #expect(trap.signalName == "abort_if: alert PostgreSQLConnectionsHigh firing (node pg1)")
        trap.abortDrill("abort_if: alert Other firing")
        #expect(trap.signalName == "abort_if: alert PostgreSQLConnectionsHigh firing (node pg1)")
        trap.endDrill()
        #expect(!trap.interrupted && trap.signalName == nil)
    }
}
