import Foundation

/// The trend of every drill over earlier runs (`pgdrill history DIR`): RTO, RPO, lost writes,
/// error rate and verdict per run, oldest first, with regressions flagged, so a DBA lead sees
/// month by month whether failover got slower or started losing data; and the availability
/// summary, the drills' downtime against the error budgets of the usual objectives.
///
/// Runs are compared only with earlier runs of the same drill on the same cluster: a staging RTO
/// says nothing about production's.
public struct HistoryTrend: Sendable {
    /// One drill's runs, oldest first.
    public struct DrillTrend: Sendable, Equatable {
        public var drill: String
        public var entries: [HistoryEntry]
    }

    /// A `report.json` that could not be used, and why.
    public struct SkippedReport: Sendable, Equatable {
        public var source: String
        public var reason: String
    }

    /// Every drill seen, by name.
    public var drills: [DrillTrend]
    /// Every flagged run, oldest first.
    public var regressions: [HistoryRegression]
    /// Runs whose cluster's failover settings changed since the drill's previous run there, oldest first.
    public var configurationChanges: [ConfigurationChange]
    public var skipped: [SkippedReport]
    /// RTO regression margin, percent over the median of earlier runs.
    public var marginPercent: Double
    /// Smallest RTO increase over the median that counts, µs.
    public var minimumRTOIncrease: Int64
    /// Per cluster, the application-view downtime of the runs in a period against the usual objectives.
    public var availability: AvailabilitySummary

    /// Builds the trend from decoded reports; `source` names each one in the output. `period` (µs) is the
    /// span the availability summary adds up, ending at each cluster's newest run.
    public init(
        reports: [(source: String, report: RunReport)], skipped: [SkippedReport] = [],
        marginPercent: Double = 25, minimumRTOIncrease: Int64 = 1_000_000, period: Int64 = AvailabilitySummary.defaultPeriod
    ) {
        self.skipped = skipped
        self.marginPercent = marginPercent
        self.minimumRTOIncrease = minimumRTOIncrease
        let entries = reports.flatMap { item in item.report.drills.map { HistoryEntry($0, of: item.report, source: item.source) } }
            .sorted { ($0.date, $0.runId, $0.source) < ($1.date, $1.runId, $1.source) }
        availability = AvailabilitySummary(entries: entries, period: period)
        drills = Dictionary(grouping: entries, by: \.drill)
            .map { DrillTrend(drill: $0.key, entries: $0.value) }
            .sorted { $0.drill < $1.drill }
        var regressions: [HistoryRegression] = []
        for trend in drills {
            for (i, entry) in trend.entries.enumerated() {
                let earlier = trend.entries[..<i].filter { $0.cluster == entry.cluster }
                regressions += HistoryRegression.rules(
                    entry, earlier: earlier, marginPercent: marginPercent, minimumIncrease: minimumRTOIncrease)
            }
        }
        self.regressions = regressions.sorted { ($0.date, $0.drill) < ($1.date, $1.drill) }
        configurationChanges = drills.flatMap { ConfigurationChange.find(in: $0.entries) }.sorted { ($0.date, $0.drill) < ($1.date, $1.drill) }
    }

    /// Reads every `report.json` under `directory` (one folder per run, at any depth). A file that
    /// does not decode, or was written by a newer pgdrill, is skipped and listed, not fatal: one
    /// damaged report must not hide a year of history.
    public static func load(
        directory: String, marginPercent: Double = 25, minimumRTOIncrease: Int64 = 1_000_000,
        period: Int64 = AvailabilitySummary.defaultPeriod
    ) throws -> HistoryTrend {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw HistoryError(code: .notADirectory, path: directory,
                               message: "not a directory; give the --report-dir of earlier `pgdrill run`s")
        }
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        var paths: [String] = []
        if let walker = FileManager.default.enumerator(atPath: directory) {
            for case let path as String in walker where (path as NSString).lastPathComponent == "report.json" {
                paths.append(path)
            }
        }
        var reports: [(source: String, report: RunReport)] = []
        var skipped: [SkippedReport] = []
        for source in paths.sorted() {
            do {
                let report = try JSONReport.decode(Data(contentsOf: root.appendingPathComponent(source)))
                if report.schemaVersion > RunReport.currentSchemaVersion {
                    skipped.append(SkippedReport(source: source, reason: "schema version \(report.schemaVersion) is newer than this pgdrill's \(RunReport.currentSchemaVersion)"))
                } else {
                    reports.append((source, report))
                }
            } catch {
                skipped.append(SkippedReport(source: source, reason: "not a pgdrill report: \(Self.reason(error))"))
            }
        }
        return HistoryTrend(reports: reports, skipped: skipped, marginPercent: marginPercent, minimumRTOIncrease: minimumRTOIncrease,
                            period: period)
    }

    /// A decoding error in a line: the key path and what was wrong.
    private static func reason(_ error: Error) -> String {
        let context: DecodingError.Context? = switch error as? DecodingError {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): c
        default: nil
        }
        guard let context else { return "\(error)" }
        let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
    }
}
