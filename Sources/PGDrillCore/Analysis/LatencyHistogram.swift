/// A log-linear bucketed histogram of non-negative µs values (HdrHistogram's layout), so latency
/// percentiles of millions of attempts cost a fixed ~35 KiB instead of a sort of every sample.
///
/// Values below 256 µs get one bucket each (exact). Above, each power of two is split into 128
/// equal buckets, so a bucket is at most 1/128 of its lower bound wide; reporting the bucket's
/// midpoint keeps the relative error of any percentile under 1/256 (0.4 %). The minimum and maximum
/// are tracked exactly. Values are clamped to `highestTrackable` (2^40 µs, ~12.7 days).
public struct LatencyHistogram: Sendable, Equatable {
    /// Largest value kept as is; larger ones are recorded as this value.
    public static let highestTrackable: Int64 = 1 << 40

    private static let linearLimit: Int64 = 256
    private static let subBuckets: Int64 = 128
    /// 256 exact buckets, then 128 per power of two from 2^8 up to 2^40.
    private static let bucketCount = Int(linearLimit) + 33 * Int(subBuckets)

    private var counts: [UInt64]
    /// Number of values recorded.
    public private(set) var count: UInt64 = 0
    /// Smallest value recorded (exact); nil when empty.
    public private(set) var min: Int64?
    /// Largest value recorded (exact, before clamping); nil when empty.
    public private(set) var max: Int64?
    private var sum: Double = 0

    public init() {
        counts = [UInt64](repeating: 0, count: Self.bucketCount)
    }

    /// Records one value; negative values (a clock that went backwards) count as 0.
    public mutating func record(_ value: Int64) {
        let v = Swift.max(0, value)
        counts[Self.bucketIndex(Swift.min(v, Self.highestTrackable))] += 1
        count += 1
        sum += Double(v)
        min = Swift.min(min ?? v, v)
        max = Swift.max(max ?? v, v)
    }

    /// Adds every value of `other`.
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        for i in counts.indices { counts[i] += other.counts[i] }
        count += other.count
        sum += other.sum
        min = Swift.min(min ?? other.min!, other.min!)
        max = Swift.max(max ?? other.max!, other.max!)
    }

    /// Arithmetic mean of the recorded values; nil when empty.
    public var mean: Double? { count == 0 ? nil : sum / Double(count) }

    /// The value at quantile `q` (0…1) by nearest rank: the smallest recorded value with at least
    /// `ceil(q × count)` values at or below it, reported as its bucket's midpoint and clamped to the
    /// exact min and max. Nil when empty.
    public func value(atQuantile q: Double) -> Int64? {
        guard count > 0, let min, let max else { return nil }
        let rank = Swift.max(1, UInt64((Swift.min(Swift.max(q, 0), 1) * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, n) in counts.enumerated() where n > 0 {
            seen += n
            if seen >= rank {
                let (low, high) = Self.bucketBounds(index)
                let mid = low + (high - low) / 2
                return Swift.min(Swift.max(mid, min), max)
            }
        }
        return max
    }

    static func bucketIndex(_ v: Int64) -> Int {
        if v < linearLimit { return Int(v) }
        // v ≥ 256: shift so the top 8 bits remain (128…255); each shift level is one power of two.
        let shift = (63 - v.leadingZeroBitCount) - 7
        let mantissa = v >> shift
        return Int(linearLimit) + (shift - 1) * Int(subBuckets) + Int(mantissa - subBuckets)
    }

    /// Inclusive value range of bucket `index`.
    static func bucketBounds(_ index: Int) -> (Int64, Int64) {
        if index < Int(linearLimit) { return (Int64(index), Int64(index)) }
        let offset = index - Int(linearLimit)
        let shift = offset / Int(subBuckets) + 1
        let mantissa = Int64(offset % Int(subBuckets)) + subBuckets
        let low = mantissa << shift
        return (low, low + (Int64(1) << shift) - 1)
    }
}
