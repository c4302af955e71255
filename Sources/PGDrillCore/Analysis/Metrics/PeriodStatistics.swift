/// Latency and throughput of one endpoint over one period of the drill: what "normal" looked like
/// (baseline), what the fault did (during) and whether the cluster came back to normal (after).
public struct PeriodStatistics: Codable, Sendable, Equatable {
    /// Which part of the drill.
    public enum Period: String, Codable, Sendable, CaseIterable {
        /// From the start of `steady` to t0.
        case baseline
        /// From t0 to the end of the main endpoint's last failed or indeterminate attempt that
        /// ended after t0 and started before observation ended (the end of observation when none).
        case during
        /// From there to the end of the run (includes recovery).
        case after
    }

    public var period: Period
    /// Period bounds, µs on the run clock; an attempt belongs to the first period its end falls in
    /// (baseline excludes `to`; during and after include it).
    public var from: Int64
    public var to: Int64
    public var acknowledged: Int
    public var failed: Int
    public var indeterminate: Int
    /// Latency of acknowledged attempts; nil when none.
    public var latency: LatencySummary?

    public init(
        period: Period, from: Int64, to: Int64, acknowledged: Int, failed: Int, indeterminate: Int,
        latency: LatencySummary?
    ) {
        self.period = period
        self.from = from
        self.to = to
        self.acknowledged = acknowledged
        self.failed = failed
        self.indeterminate = indeterminate
        self.latency = latency
    }

    /// Acknowledged attempts per second over the period; 0 for an empty period.
    public var throughput: Double {
        to > from ? Double(acknowledged) / (Double(to - from) / 1_000_000) : 0
    }
}

/// Percentiles of attempt latency (end - start), µs, from a `LatencyHistogram` (≤ 0.4 % error;
/// `min` and `max` exact).
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: Int
    public var min: Int64
    public var p50: Int64
    public var p90: Int64
    public var p99: Int64
    public var max: Int64

    public init(count: Int, min: Int64, p50: Int64, p90: Int64, p99: Int64, max: Int64) {
        self.count = count
        self.min = min
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
    }

    /// Summarises a histogram; nil when it is empty.
    public init?(_ h: LatencyHistogram) {
        guard h.count > 0, let min = h.min, let max = h.max else { return nil }
        self.init(
            count: Int(h.count), min: min,
            p50: h.value(atQuantile: 0.5)!, p90: h.value(atQuantile: 0.9)!, p99: h.value(atQuantile: 0.99)!,
            max: max
        )
    }
}
