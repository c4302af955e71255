import Foundation

/// Renders `junit.xml` for CI: one testcase per drill, one `<failure>` per missed expectation,
/// `<error>` for a drill that errored or was aborted, and what happened in `<system-out>`, so a CI
/// job's test view shows which drill missed which target and by how much.
public struct JUnitReport: Sendable {
    public var redactor: Redactor

    public init(redactor: Redactor = Redactor()) {
        self.redactor = redactor
    }

    public func render(_ report: RunReport) -> String {
        let failures = report.drills.filter { $0.verdict == .fail }.count
        let errors = report.drills.filter { $0.verdict == .error || $0.verdict == .aborted }.count
        let time = seconds(max(0, report.endedAt.timeIntervalSince(report.startedAt)))
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"pgdrill\" tests=\"\(report.drills.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(time)\">\n"
        out += "  <testsuite name=\"pgdrill\" tests=\"\(report.drills.count)\" failures=\"\(failures)\" errors=\"\(errors)\" "
        out += "skipped=\"0\" time=\"\(time)\" timestamp=\"\(ReportFormat.timestamp(report.startedAt))\">\n"
        out += "    <properties>\n"
        out += "      <property name=\"cluster\" value=\"\(x(report.cluster))\"/>\n"
        out += "      <property name=\"run_id\" value=\"\(x(report.runId))\"/>\n"
        out += "      <property name=\"pgdrill_version\" value=\"\(x(report.pgdrillVersion))\"/>\n"
        out += "    </properties>\n"
        for drill in report.drills { out += testcase(drill, cluster: report.cluster) }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    private func testcase(_ d: DrillReport, cluster: String) -> String {
        let time = d.duration.map { seconds(Double($0) / 1_000_000) } ?? "0.000"
        var out = "    <testcase name=\"\(x(d.name))\" classname=\"pgdrill.\(x(cluster))\" time=\"\(time)\">\n"
        switch d.verdict {
        case .pass:
            break
        case .fail:
            let missed = d.missedExpectations
            for e in missed {
                var message = "\(e.metric): measured \(e.measured), target \(e.target)"
                if let detail = e.detail { message += " (\(detail))" }
                out += "      <failure message=\"\(x(message))\" type=\"expectation\">\(x(message))</failure>\n"
            }
            if missed.isEmpty {
                let message = d.errors.first ?? "drill failed"
                out += "      <failure message=\"\(x(message))\" type=\"verdict\">\(x(d.errors.joined(separator: "\n")))</failure>\n"
            }
        case .error, .aborted:
            let message = d.errors.first ?? "drill \(d.verdict.rawValue.lowercased())"
            out += "      <error message=\"\(x(message))\" type=\"\(d.verdict.rawValue)\">\(x(d.errors.joined(separator: "\n")))</error>\n"
        }
        var systemOut = d.whatHappened
        if d.metrics != nil || d.restore != nil {
            let h = DrillHeadline(d)
            systemOut.append("RTO \(h.rtoText); RPO \(h.rpoText); data loss \(h.dataLossText); app errors \(h.errorRateText)")
        }
        systemOut += d.notes
        if !systemOut.isEmpty {
            out += "      <system-out>\(x(systemOut.joined(separator: "\n")))</system-out>\n"
        }
        out += "    </testcase>\n"
        return out
    }

    /// Redacted, XML-escaped text.
    private func x(_ s: String) -> String { MarkupEscaping.xml(redactor.redact(s)) }

    private func seconds(_ s: Double) -> String { String(format: "%.3f", s) }
}
