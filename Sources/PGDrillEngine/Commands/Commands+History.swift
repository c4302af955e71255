import Foundation
import PGDrillCore

extension Commands {
    /// `pgdrill history DIR`: the trend of every drill over earlier runs' `report.json`, with regressions
    /// flagged. Exit 0 when there is no regression, 1 when there is one (so CI can gate on it), 2 on bad input.
    public static func history(directory: String, marginPercent: Double, markdown: Bool) -> Int32 {
        let trend: HistoryTrend
        do { trend = try HistoryTrend.load(directory: directory, marginPercent: marginPercent) } catch { return fail(error) }
        print(trend.render(markdown: markdown), terminator: "")
        return trend.regressions.isEmpty ? Exit.passed : Exit.failed
    }
}
