import Foundation

/// A coarse logarithmic latency scale (12 bins per decade, 10 µs to 100 s) for the timeline's
/// per-bucket percentiles.
///
/// `LatencyHistogram` is exact to 0.4 % but costs ~35 KiB; a chart needs hundreds of buckets per
/// endpoint and a log axis on which ±10 % is invisible, so each bucket keeps 84 counters instead.
enum LatencyBins {
    static let binsPerDecade = 12
    /// log10 of the lower edge of bin 0 (10 µs).
    static let lowestDecade = 1
    static let binCount = 7 * binsPerDecade

    /// Bin of a latency in µs; values outside 10 µs…100 s land in the first or last bin.
    static func bin(_ micros: Int64) -> Int {
        let decades = log10(Double(max(micros, 1))) - Double(lowestDecade)
        return min(max(Int((decades * Double(binsPerDecade)).rounded(.down)), 0), binCount - 1)
    }

    /// Geometric middle of bin `index`, µs: within a factor 10^(1/24) (±10 %) of any value in it.
    static func value(_ index: Int) -> Double {
        pow(10, Double(lowestDecade) + (Double(index) + 0.5) / Double(binsPerDecade))
    }

    /// Nearest-rank quantile `q` of the counts in `counts` (one bucket's bins); nil when empty.
    static func quantile(_ q: Double, of counts: ArraySlice<UInt32>) -> Double? {
        let total = counts.reduce(UInt64(0)) { $0 + UInt64($1) }
        guard total > 0 else { return nil }
        let rank = max(1, UInt64((q * Double(total)).rounded(.up)))
        var seen: UInt64 = 0
        for (offset, n) in counts.enumerated() where n > 0 {
            seen += UInt64(n)
            if seen >= rank { return value(offset) }
        }
        return value(counts.count - 1)
    }
}
