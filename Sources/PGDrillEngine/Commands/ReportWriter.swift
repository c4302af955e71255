import Foundation
import PGDrillCore

/// Writes a run's reports after every drill (so a run killed halfway still leaves what it measured):
/// `report.md`, `report.json`, `junit.xml`, each drill's `timeline.svg`, and the optional Prometheus textfile.
/// Everything passes through the redactor first.
struct ReportWriter {
    let directory: String
    let cluster: ClusterTarget
    let runID: String
    let started: Date
    let prometheusPath: String?

    /// `timelines`: each drill's chart counts, gathered during its analysis (by drill name); a drill without
    /// them (stopped before its analysis) gets no chart.
    func write(_ drills: [DrillReport], exitStatus: Int32, records: [DrillRecord], timelines: [String: TimelineSVG.Gathered] = [:]) {
        let report = RunReport(runId: runID, cluster: cluster.name, pgdrillVersion: PGDrillVersion.current, startedAt: started,
                               endedAt: Date(), exitStatus: exitStatus, drills: drills)
            .redacted(by: Redactor())
        func put(_ name: String, _ text: String) {
            let path = (directory as NSString).appendingPathComponent(name)
            do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                StandardError.write("warning: cannot write \(path): \(error)\n")
            }
        }
        put("report.md", MarkdownReport().render(report))
        if let json = try? JSONReport().render(report) { put("report.json", json) }
        put("junit.xml", JUnitReport().render(report))
        for record in records {
            guard let drill = report.drills.last(where: { $0.name == record.plan.name }), record.t0 != nil,
                  let gathered = timelines[record.plan.name] else { continue }
            put("drill-\(record.plan.name)/timeline.svg", TimelineSVG().render(drill: drill, gathered: gathered))
        }
        if let prometheusPath {
            // node_exporter reads the file at any moment: write it whole, then rename.
            let tmp = prometheusPath + ".tmp"
            do {
                try PrometheusTextfile.render(run: report).write(toFile: tmp, atomically: false, encoding: .utf8)
                _ = rename(tmp, prometheusPath)
            } catch {
                StandardError.write("warning: cannot write \(prometheusPath): \(error)\n")
            }
        }
    }
}

/// The version printed by `--version` and written into every report.
public enum PGDrillVersion {
    public static let current = "0.1.0"
}
