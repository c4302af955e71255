import Foundation
import Testing
@testable import PGDrillModel

private let base = """
name: c
manager: patroni
ssh: { identity: k, known_hosts: kh }
nodes:
  - { name: pg1, host: 10.0.0.1, patroni: "http://10.0.0.1:8008" }
postgres: { data_dir: /d }
endpoints:
  write: "host=10.0.0.9 port=5000 dbname=app user=drill"

"""

private let drillBase = """
name: d
description: x
fault:
  - kill: { process: postgres, on: primary }
observe: { until: writes_ok }

"""

let badMonitoring: [BadInput] = [
    BadInput("monitoring without matchers", base + "monitoring: { prometheus: \"http://p:9090\" }",
             at: 9, 13, .missingKey, "matchers", hint: "{}"),
    BadInput("monitoring URL not http", base + "monitoring: { prometheus: \"p:9090\", matchers: {} }",
             at: 9, 27, .invalidValue, "must be an http:// or https:// URL"),
    BadInput("silence without alertmanager", base + "monitoring: { prometheus: \"http://p:9090\", matchers: { cluster: c }, silence: true }",
             at: 9, 79, .missingKey, "needs monitoring.alertmanager"),
    BadInput("silence over every alert", base + "monitoring: { prometheus: \"http://p:9090\", alertmanager: \"http://a:9093\", matchers: {}, silence: true }",
             at: 9, 98, .conflict, "would silence every alert"),
    BadInput("matcher that is not a label name", base + "monitoring: { prometheus: \"http://p:9090\", matchers: { \"a-b\": c } }",
             at: 9, 63, .invalidValue, "'a-b' is not a Prometheus label name"),
    BadInput("password without a user", base + "monitoring: { prometheus: \"http://p:9090\", matchers: {}, password_env: P }",
             at: 9, 72, .missingKey, "needs monitoring.username"),
]

let badAlertExpectations: [BadInput] = [
    BadInput("alert both fired and forbidden", drillBase + "expect: { alerts: { fire: [{ name: A, within: 1m }], forbid: [A] } }",
             at: 6, 63, .conflict, "forbids 'A', which fire expects"),
    BadInput("alert fired twice", drillBase + "expect: { alerts: { fire: [{ name: A, within: 1m }, { name: A, within: 2m }] } }",
             at: 6, 61, .duplicateName, "lists alert 'A' twice in fire"),
    BadInput("fire without within", drillBase + "expect: { alerts: { fire: [{ name: A }] } }",
             at: 6, 28, .missingKey, "within"),
    BadInput("resolve_within with nothing to resolve", drillBase + "expect: { alerts: { forbid: [A], resolve_within: 5m } }",
             at: 6, 50, .conflict, "judges the alerts of fire"),
    BadInput("alerts expecting nothing", drillBase + "expect: { alerts: {} }",
             at: 6, 19, .invalidValue, "expects nothing"),
    BadInput("alert name with a space", drillBase + "expect: { alerts: { forbid: [\"No Leader\"] } }",
             at: 6, 30, .invalidValue, "is not an alert name"),
    BadInput("abort_if alert twice", drillBase + "abort_if: { alert: [A, A] }",
             at: 6, 24, .duplicateName, "lists alert 'A' twice"),
    BadInput("abort_if misspelt", drillBase + "abort_if: { alerts: A }",
             at: 6, 13, .unknownKey, "unknown key 'alerts'", hint: "alert"),
]

@Suite struct MonitoringModelTests {
    @Test(arguments: badMonitoring)
    func badMonitoringSectionsGivePreciseErrors(_ input: BadInput) {
        input.check(thrownError { () throws(DrillFileError) in try ClusterLoader.load(yaml: input.yaml, file: "c.yaml") }, file: "c.yaml")
    }

    @Test(arguments: badAlertExpectations)
    func badAlertExpectationsGivePreciseErrors(_ input: BadInput) {
        input.check(thrownError { () throws(DrillFileError) in try DrillLoader.load(yaml: input.yaml, file: "d.yaml") }, file: "d.yaml")
    }

    @Test func monitoringIsReadWithItsScopeAndCredentials() throws {
        let spec = try ClusterLoader.load(yaml: base + """
            monitoring:
              prometheus: "https://mon.example/prometheus"
              alertmanager: "https://mon.example/alertmanager/"
              matchers: { cluster: main, env: prod }
              silence: true
              cafile: /etc/ssl/ca.pem
              username: pgdrill
              password_env: MON_PASSWORD
            """, file: "c.yaml")
        let m = try #require(spec.monitoring)
        #expect(m.prometheus.absoluteString == "https://mon.example/prometheus")
        #expect(m.matchers == [LabelMatcher(name: "cluster", value: "main"), LabelMatcher(name: "env", value: "prod")])
        #expect(m.silence)
        #expect(m.access.setting == "monitoring" && m.access.username == "pgdrill" && m.access.password == .environment("MON_PASSWORD"))
        #expect(m.inScope(["cluster": "main", "env": "prod", "node": "pg1"]))
        #expect(!m.inScope(["cluster": "other", "env": "prod"]))
        #expect(!m.inScope(["cluster": "main"]))
        #expect(m.scopeDescription == "cluster=\"main\", env=\"prod\"")
        // Empty matchers: every alert of a Prometheus that watches this cluster alone.
        let all = try ClusterLoader.load(yaml: base + "monitoring: { prometheus: \"http://p:9090\", matchers: {} }", file: "c.yaml")
        #expect(all.monitoring?.inScope(["cluster": "anything"]) == true)
        #expect(try ClusterLoader.load(yaml: base, file: "c.yaml").monitoring == nil)
    }

    @Test func alertExpectationsAndStopConditionsAreRead() throws {
        let spec = try DrillLoader.load(yaml: drillBase + """
            expect:
              alerts:
                fire: [{ name: PostgreSQLNoLeader, within: 30s }, { name: PostgreSQLReplicaNotStreaming, within: 2m }]
                resolve_within: 1m
                forbid: MonitoringTargetDown
            abort_if: { no_primary_for: 1m, alert: PostgreSQLConnectionsHigh }
            """, file: "d.yaml")
        let alerts = try #require(spec.expect.alerts)
        #expect(alerts.fire.map(\.name) == ["PostgreSQLNoLeader", "PostgreSQLReplicaNotStreaming"])
        #expect(alerts.fire.map(\.within) == [.seconds(30), .seconds(120)])
        #expect(alerts.fire.first?.line == 8)
        #expect(alerts.resolveWithin == .seconds(60))
        #expect(alerts.forbid == ["MonitoringTargetDown"])
        #expect(spec.abortIf.alerts == ["PostgreSQLConnectionsHigh"])
        #expect(spec.abortIf.noPrimaryFor == .seconds(60))
    }

    @Test func alertNamesFollowPrometheusRules() {
        for good in ["A", "_x", "PostgreSQLNoLeader", "a_1"] { #expect(AlertExpectations.isValidName(good), "\(good)") }
        for bad in ["", "1a", "a-b", "a b", "é", "a:b"] { #expect(!AlertExpectations.isValidName(bad), "\(bad)") }
    }

    /// Every shipped drill that judges alerts names only alerts the shipped rule file defines.
    @Test func shippedDrillsNameOnlyShippedAlerts() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let rules = try String(contentsOf: root.appendingPathComponent("monitoring/alerts.yml"), encoding: .utf8)
        let defined = Set(rules.split(separator: "\n").compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("- alert: ") ? String(t.dropFirst("- alert: ".count)) : nil
        })
        #expect(defined.contains("PostgreSQLNoLeader"))
        var judged = 0
        let drills = root.appendingPathComponent("drills")
        for case let path as String in FileManager.default.enumerator(atPath: drills.path) ?? NSEnumerator() where path.hasSuffix(".yaml") {
            let spec = try DrillLoader.load(path: drills.appendingPathComponent(path).path)
            for name in (spec.expect.alerts?.names ?? []) + spec.abortIf.alerts {
                judged += 1
                #expect(defined.contains(name), "\(path) names \(name), which monitoring/alerts.yml does not define")
            }
        }
        #expect(judged >= 6)
    }
}
