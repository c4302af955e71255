import Foundation
import PGDrillCore
import PGDrillModel

extension Commands {
    /// `pgdrill history DIR`: the trend of every drill over earlier runs' `report.json`, with regressions
    /// flagged, and the availability summary over `period` (`30d`, up to `366d`). Exit 0 when there is no
    /// regression, 1 when there is one (so CI can gate on it), 2 on bad input. An exceeded error budget does
    /// not change the exit status: the summary shows four objectives, and which one is the service's is
    /// the drill file's `expect.availability` to judge.
    public static func history(directory: String, marginPercent: Double, period: String = "30d", markdown: Bool) -> Int32 {
        let span: DrillDuration
        do { span = try DrillDuration(parsing: period, upTo: .longest) } catch {
            return fail(HistoryError(code: .invalidPeriod, path: "--period", message: "\(error.reason)" + (error.hint.map { " (\($0))" } ?? "")))
        }
        guard span >= AvailabilityTarget.shortestPeriod else {
            return fail(HistoryError(code: .invalidPeriod, path: "--period", message: "must be at least 1h, got \(span)"))
        }
        let trend: HistoryTrend
        do { trend = try HistoryTrend.load(directory: directory, marginPercent: marginPercent, period: span.microseconds) } catch { return fail(error) }
        print(trend.render(markdown: markdown), terminator: "")
        return trend.regressions.isEmpty ? Exit.passed : Exit.failed
    }
}
