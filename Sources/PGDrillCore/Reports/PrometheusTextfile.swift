import Foundation

/// Renders a run's figures in the Prometheus text format for node_exporter's textfile collector,
/// so drill results can be graphed and alerted on next to the cluster's own metrics (RTO creeping
/// up month by month, a drill failing, no drill run for 40 days).
///
/// Every drill is one series per metric, labelled `drill` and `cluster`. Figures that were not
/// measured are left out rather than written as 0 (a missing RPO is not an RPO of 0). A drill that
/// ran twice in the run keeps its last result: node_exporter rejects a file with duplicate series.
/// No sample timestamps (the textfile collector refuses them); the run's time is its own metric.
/// Write the file atomically (temporary file + rename) into the collector's directory.
public enum PrometheusTextfile {
    /// The textfile for `run`; `redactor` masks secrets in label values.
    public static func render(run: RunReport, redactor: Redactor = Redactor()) -> String {
        let cluster = redactor.redact(run.cluster)
        var latest: [String: DrillReport] = [:]
        var order: [String] = []
        for drill in run.drills {
            let name = redactor.redact(drill.name)
            if latest.updateValue(drill, forKey: name) == nil { order.append(name) }
        }
        let drills = order.map { ($0, latest[$0]!) }

        var out = ""
        func family(_ name: String, _ help: String, _ samples: [(String, Double?)]) {
            let present = samples.compactMap { label, value in value.map { (label, $0) } }
            guard !present.isEmpty else { return }
            out += "# HELP \(name) \(escapeHelp(help))\n# TYPE \(name) gauge\n"
            for (drill, value) in present {
                out += "\(name){drill=\"\(escapeLabel(drill))\",cluster=\"\(escapeLabel(cluster))\"} \(number(value))\n"
            }
        }
        let headlines = drills.map { ($0.0, DrillHeadline($0.1)) }
        family("pgdrill_rto_seconds", "Recovery time: fault sent to the first acknowledgement of the first stable period of only ok writes on the main endpoint (0 with no outage); for a restore drill, disaster moment to a read-write restored host; absent when not recovered.",
               headlines.map { ($0.0, $0.1.rto.map { Double($0) / 1_000_000 }) })
        family("pgdrill_recovered", "1 when the main endpoint recovered (or had no outage) within observation, or the restored host became read-write; 0 when not.",
               headlines.map { ($0.0, $0.1.recovered.map { $0 ? 1 : 0 }) })
        family("pgdrill_rpo_seconds", "Recovery point: time span of acknowledged writes lost (0 when none); for a restore drill, the RPO of backup-based recovery; absent when not verified.",
               headlines.map { ($0.0, $0.1.rpo.map { Double($0) / 1_000_000 }) })
        family("pgdrill_lost_writes", "Acknowledged writes missing on a verified node after recovery (for a restore drill: acknowledged before the cutoff, missing on the restored host); absent when not verified.",
               headlines.map { ($0.0, $0.1.lostWrites.map(Double.init)) })
        family("pgdrill_error_ratio", "Share of the application's requests that failed on the main endpoint, fault sent to end of observation (writer-time in failed attempts and their back-off over all writer-time).",
               headlines.map { ($0.0, $0.1.errorRate) })
        family("pgdrill_error_attempt_ratio", "Failed and indeterminate probe attempts over all attempts, fault sent to end of observation, main endpoint (secondary: dominated by the probe's back-off).",
               drills.map { ($0.0, $0.1.metrics.map { $0.main.errorRate.attemptRate }) })
        family("pgdrill_drill_passed", "1 when the drill met every expectation (verdict PASS), else 0.",
               drills.map { ($0.0, $0.1.verdict == .pass ? 1 : 0) })

        out += alertFamilies(drills, cluster: cluster)
        out += "# HELP pgdrill_last_run_timestamp_seconds Unix time the last pgdrill run against the cluster ended.\n"
        out += "# TYPE pgdrill_last_run_timestamp_seconds gauge\n"
        out += "pgdrill_last_run_timestamp_seconds{cluster=\"\(escapeLabel(cluster))\"} \(number(run.endedAt.timeIntervalSince1970.rounded()))\n"
        out += "# HELP pgdrill_last_run_exit_status Exit status of the last pgdrill run (0 all passed, 1 a drill failed, 3 aborted, 4 rollback incomplete).\n"
        out += "# TYPE pgdrill_last_run_exit_status gauge\n"
        out += "pgdrill_last_run_exit_status{cluster=\"\(escapeLabel(cluster))\"} \(run.exitStatus)\n"
        return out
    }

    /// `pgdrill_alert_detect_seconds{drill,cluster,alert}`: fault sent → the first firing of each alert in the
    /// cluster's scope that fired during the drill; absent for an alert that did not fire.
    static func alertFamilies(_ drills: [(String, DrillReport)], cluster: String) -> String {
        var samples: [(drill: String, alert: String, seconds: Double)] = []
        for (name, drill) in drills {
            guard let t0 = drill.metrics?.t0, let alerts = drill.alerts else { continue }
            for alert in Set(alerts.instances.map(\.name)).sorted() {
                guard let at = alerts.firstFiring(after: t0, named: alert)?.firingAt else { continue }
                samples.append((name, alert, Double(at - t0) / 1_000_000))
            }
        }
        guard !samples.isEmpty else { return "" }
        var out = "# HELP pgdrill_alert_detect_seconds Fault sent to the first poll that saw the alert firing in the cluster's monitoring (in scope of its matchers); absent when it did not fire.\n"
        out += "# TYPE pgdrill_alert_detect_seconds gauge\n"
        for s in samples {
            out += "pgdrill_alert_detect_seconds{drill=\"\(escapeLabel(s.drill))\",cluster=\"\(escapeLabel(cluster))\",alert=\"\(escapeLabel(s.alert))\"} \(number(s.seconds))\n"
        }
        return out
    }

    /// A label value: backslash, double quote and line feed escaped, as the text format requires.
    static func escapeLabel(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// HELP text: backslash and line feed escaped.
    static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A sample value as Go's ParseFloat reads it: integers without a fraction, `NaN`, `+Inf`.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
