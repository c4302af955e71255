import Foundation
import PGDrillModel

extension Commands {
    /// `check`'s monitoring lines: whether Prometheus and Alertmanager answer, the alerts in the cluster's
    /// scope firing now, and any silence a killed run of pgdrill left. Firing alerts are listed, not counted as
    /// problems (a leader-changed notice after a switchover is not an unhealthy cluster), but a drill that
    /// names one refuses to start while it fires; monitoring that does not answer is a problem.
    static func monitoringHealth(_ cluster: ClusterTarget, drillInProgress: Bool) -> (lines: [String], problems: [String]) {
        guard let monitoring = cluster.monitoring else { return (["Monitoring: not configured (no monitoring: in the cluster file; drills cannot judge alerts)"], []) }
        let api = AlertAPI(settings: monitoring.settings, access: monitoring.access)
        var lines: [String] = []
        var problems: [String] = []
        do {
            let rules = try api.rules()
            let firing = try api.alerts().filter { $0.state == "firing" }
            lines.append("Monitoring: \(monitoring.settings.prometheus.absoluteString) answers, \(rules.count) alerting rule(s); scope \(monitoring.settings.scopeDescription)")
            lines.append(firing.isEmpty ? "Alerts firing now: none"
                         : "Alerts firing now: " + firing.map { a in
                             a.title + (a.activeAt.map { " since \(AlertAPI.format($0))" } ?? "")
                         }.joined(separator: "; "))
        } catch {
            problems.append("Prometheus \(monitoring.settings.prometheus.absoluteString) did not answer: \(error) — drills that judge alerts will refuse to start")
        }
        if let alertmanager = monitoring.settings.alertmanager {
            do {
                _ = try api.managedAlerts()
                let left = try api.silences(containing: AlertSilence.tokenPrefix)
                lines.append("Alertmanager: \(alertmanager.absoluteString) answers" + (left.isEmpty ? "" : "; pgdrill silence(s) active: \(left.map(\.id).joined(separator: ", "))"))
                if !left.isEmpty, !drillInProgress {
                    problems.append("\(left.count) Alertmanager silence(s) of pgdrill still active with no drill running (the cluster's alerts page nobody) — run `pgdrill recover`")
                }
            } catch {
                problems.append("Alertmanager \(alertmanager.absoluteString) did not answer: \(error)")
            }
        }
        return (lines, problems)
    }
}
